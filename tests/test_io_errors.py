"""Bad input: every kind of problem gets a clear message and a load-report entry."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.errors import LoadError

FIXTURES = Path(__file__).parent / "fixtures" / "io"


def _article(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def test_binary_file_is_reported_and_skipped(tmp_path):
    _article(tmp_path, "good.txt", b"Title\n\nBody.")
    _article(tmp_path, "blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.warns(UserWarning, match="1 problem"):
        docs = ct.load(tmp_path)
    assert list(docs.index) == ["good"]
    report = ct.load_report(docs)
    assert report.to_dict("records") == [{
        "path": str(tmp_path / "blob.txt"), "line": None,
        "problem": "binary file (contains NUL bytes), not text; remove it or give its kind with format=",
        "action": "file skipped",
    }]


def test_empty_file(tmp_path):
    path = _article(tmp_path, "empty.txt", b"  \n")
    with pytest.raises(LoadError) as info:
        ct.load([path, FIXTURES / "titlefirst" / "plain.txt"], errors="raise")
    assert str(info.value) == f"{path}: empty file (no text)"
    docs = ct.load([path, FIXTURES / "titlefirst" / "plain.txt"], errors="skip")
    assert list(docs.index) == ["plain"]
    assert ct.load_report(docs)["problem"].tolist() == ["empty file (no text)"]


def test_invalid_utf8_decoded_as_cp1252_and_reported(tmp_path):
    path = _article(tmp_path, "pound.txt", b"Prices\n\nIt costs \xa3400 now.\nSecond line.")
    with pytest.warns(UserWarning, match=r"invalid UTF-8 \(byte 0xA3 at offset 17\)"):
        docs = ct.load(path)
    assert docs.iloc[0]["text"] == "It costs £400 now.\nSecond line."
    report = ct.load_report(docs)
    assert report.loc[0, "line"] == 3
    assert report.loc[0, "action"] == "line 3 decoded as cp1252, the other lines as UTF-8"
    with pytest.raises(LoadError, match=r"pound\.txt, line 3: invalid UTF-8 \(byte 0xA3 at offset 17\)"):
        ct.load(path, errors="raise")


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path):
    path = _article(tmp_path, "odd.txt", b"a \x81 b")
    docs = ct.load(path, errors="skip")
    assert docs.iloc[0]["text"] == "a \x81 b"
    assert ct.load_report(docs).loc[0, "action"] == "line 1 decoded as latin-1"


def test_utf8_bom_is_not_text(tmp_path):
    path = _article(tmp_path, "bom.txt", "\ufeffHello there".encode("utf-8"))
    assert ct.load(path).iloc[0]["text"] == "Hello there"


def test_path_that_does_not_exist():
    with pytest.raises(LoadError) as info:
        ct.load("no/such/folder")
    message = str(info.value)
    assert message.startswith("nothing to load from 'no/such/folder': no/such/folder: path does not exist;")
    assert "or pass a folder or a glob such as 'corpus/**/*.txt'" in message


def test_glob_that_matches_nothing():
    with pytest.raises(LoadError, match=r"the glob matches no file; check the pattern \(use '\*\*' to search sub-folders"):
        ct.load(str(FIXTURES / "*.nothing"))


def test_missing_path_among_others_is_reported(tmp_path):
    missing = tmp_path / "gone.txt"
    with pytest.warns(UserWarning, match="path does not exist"):
        docs = ct.load([FIXTURES / "titlefirst" / "plain.txt", missing])
    assert list(docs.index) == ["plain"]
    assert ct.load_report(docs)["action"].tolist() == ["nothing loaded"]


def test_dataframe_instead_of_path_raises_type_error_with_guidance():
    frame = pd.DataFrame({"text": ["a"]})
    with pytest.raises(TypeError) as info:
        ct.load(frame)
    assert str(info.value) == (
        "ct.load reads files; it was given a DataFrame. A DataFrame that is already loaded goes "
        "straight to ct.Corpus.from_docs(df) (it needs a 'text' column and a unique index); to load "
        "a table file, pass its path and name its columns with text=, title=, date= ..."
    )
    with pytest.raises(TypeError, match="it was given a DataFrame"):
        ct.load([frame])


def test_other_objects_are_rejected():
    with pytest.raises(TypeError, match="ct.load expects a path, a folder, a glob or a list of them; got int."):
        ct.load(3)


def test_duplicate_ids_renamed_with_suffix_and_reported(tmp_path):
    path = tmp_path / "dups.csv"
    path.write_text("id,text\nx,one\nx,two\nx-2,three\nx,four\n", "utf-8")
    with pytest.warns(UserWarning, match="duplicate doc_id 'x'"):
        docs = ct.load(path)
    # "x-2" is taken by the third row, so the duplicates become x-3 and x-4
    assert list(docs.index) == ["x", "x-3", "x-2", "x-4"]
    assert docs["text"].tolist() == ["one", "two", "three", "four"]
    report = ct.load_report(docs)
    assert report["problem"].tolist() == [f"duplicate doc_id 'x' (first in {path})"] * 2
    assert report["action"].tolist() == ["renamed to 'x-3'", "renamed to 'x-4'"]
    assert report["line"].tolist() == [3, 5]


def test_same_file_name_in_two_inputs_gives_unique_ids(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _article(tmp_path / "a", "001.txt", b"One text")
    _article(tmp_path / "b", "001.txt", b"Other text")
    docs = ct.load([tmp_path / "a" / "001.txt", tmp_path / "b" / "001.txt"], errors="skip")
    assert list(docs.index) == ["001", "001-2"]


def test_unparseable_date_set_to_nat_and_reported(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("text,date\na,2020-01-01\nb,next Tuesday\nc,\n", "utf-8")
    with pytest.warns(UserWarning, match="unparseable date 'next Tuesday'"):
        docs = ct.load(path)
    assert docs["date"].iloc[0] == pd.Timestamp("2020-01-01")
    assert docs["date"].iloc[1:].isna().all()
    report = ct.load_report(docs)
    assert report.to_dict("records") == [{
        "path": str(path), "line": 3,
        "problem": "unparseable date 'next Tuesday' (not a date in a known format)",
        "action": "date set to NaT",
    }]


def test_unknown_kinds_and_hidden_files(tmp_path):
    _article(tmp_path, "a.txt", b"Text")
    _article(tmp_path, "logo.png", b"\x89PNG\r\n\x1a\n\x00")
    _article(tmp_path, ".DS_Store", b"\x00\x01")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unknown kind is a note, not a problem
        docs = ct.load(tmp_path)
    assert list(docs.index) == ["a"]
    report = ct.load_report(docs)
    assert report["problem"].tolist() == ["unknown kind of file (.png); give it with format= to read it"]


def test_errors_modes():
    bad = [FIXTURES / "titlefirst" / "plain.txt", FIXTURES / "web" / "catalog.xml"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        skipped = ct.load(bad, errors="skip")
    assert len(skipped) == 1 and len(ct.load_report(skipped)) == 1
    with pytest.raises(LoadError, match=r"catalog\.xml: unsupported XML \(root <catalog>, not an RSS or Atom feed\)"):
        ct.load(bad, errors="raise")
    with pytest.raises(ValueError, match=r"`errors` must be one of \['warn', 'skip', 'raise'\]; got 'ignore'\."):
        ct.load(bad, errors="ignore")
    with pytest.raises(ValueError, match=r"`format` must be one of \['auto', 'text', 'csv'.*got 'pdf'\."):
        ct.load(bad, format="pdf")


def test_one_warning_for_many_problems(tmp_path):
    for i in range(3):
        _article(tmp_path, f"e{i}.txt", b"")
    _article(tmp_path, "ok.txt", b"fine")
    with pytest.warns(UserWarning) as caught:
        ct.load(tmp_path)
    assert len(caught) == 1
    assert str(caught[0].message) == (
        f"loaded 1 document from 4 files with 3 problems, e.g. {tmp_path / 'e0.txt'}: empty file "
        "(no text) (file skipped). ct.load_report(docs) lists all 3."
    )


def test_load_report_of_a_frame_without_one():
    report = ct.load_report(pd.DataFrame({"text": ["a"]}))
    assert list(report.columns) == ["path", "line", "problem", "action"]
    assert report.empty
    with pytest.raises(TypeError, match="load_report expects the DataFrame returned by ct.load; got list."):
        ct.load_report([])


def test_report_survives_selection_and_parquet(tmp_path):
    docs = ct.load(FIXTURES / "titlefirst", errors="skip")
    subset = docs[docs["sections"].map(len) > 0]
    assert len(ct.load_report(subset)) == 2
    docs.drop(columns="sections").to_parquet(tmp_path / "docs.parquet")
    again = pd.read_parquet(tmp_path / "docs.parquet")
    pd.testing.assert_frame_equal(ct.load_report(again), ct.load_report(docs))
