"""Hostile input: every record is loaded or listed in the load report, nothing hangs or crashes."""
from __future__ import annotations

import gzip
import os
import socket
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import corpus_tools as ct
from corpus_tools.errors import LoadError
from corpus_tools.io import decoding

TOO_DEEP = (
    "JSON nested deeper than the parser can follow (Python's recursion limit); such a file is no "
    "article data: remove it or flatten the records"
)


def _rows(docs: pd.DataFrame) -> list[dict]:
    return ct.load_report(docs).to_dict("records")


# a. nesting deeper than the recursion limit

def test_deeply_nested_json_file_is_reported(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    (tmp_path / "ok.txt").write_text("Fine text.", "utf-8")
    docs = ct.load(tmp_path, errors="skip")
    assert list(docs.index) == ["ok"]
    assert _rows(docs) == [{"path": str(path), "line": None, "problem": TOO_DEEP, "action": "file skipped"}]
    with pytest.raises(LoadError) as info:
        ct.load(path, errors="raise")
    assert str(info.value) == f"{path}: {TOO_DEEP}"


def test_deeply_nested_json_line_is_reported_with_its_line(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "one"}\n' + '{"a":' * 100_000 + "1" + "}" * 100_000 + '\n{"text": "three"}\n', "utf-8")
    with pytest.warns(UserWarning, match=r"deep\.jsonl, line 2: JSON nested deeper"):
        docs = ct.load(path)
    assert docs["text"].tolist() == ["one", "three"]
    assert _rows(docs) == [{"path": str(path), "line": 2, "problem": TOO_DEEP, "action": "line skipped"}]
    with pytest.raises(LoadError, match=r"deep\.jsonl, line 2: JSON nested deeper"):
        ct.load(path, errors="raise")


# b. dates outside the nanosecond range

def test_dates_outside_the_nanosecond_range_are_kept_in_microseconds(tmp_path):
    path = tmp_path / "far.csv"
    path.write_text("text,date\na,3000-01-01\nb,0001-01-01\nc,2020-05-06\n", "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # kept dates are notes, not problems
        docs = ct.load(path)
    assert str(docs["date"].dtype) == "datetime64[us]"
    assert docs["date"].tolist() == [pd.Timestamp("3000-01-01"), pd.Timestamp("0001-01-01"), pd.Timestamp("2020-05-06")]
    detail = (
        "outside 1677-09-21 .. 2262-04-11, the range of nanosecond dates; kept, and the date column "
        "is datetime64[us] (a placeholder date? set it to NaT)"
    )
    assert _rows(docs) == [
        {"path": str(path), "line": 2, "problem": f"date '3000-01-01' {detail}", "action": "date kept"},
        {"path": str(path), "line": 3, "problem": f"date '0001-01-01' {detail}", "action": "date kept"},
    ]
    # downstream: periods of a microsecond column
    from corpus_tools.analyses.periods import assign_periods

    assert assign_periods(docs["date"], "YS").n_docs.sum() == 3


def test_parquet_date32_outside_the_nanosecond_range(tmp_path):
    import datetime as dt

    table = pa.table({
        "text": ["a", "b", "c"],
        "date": pa.array([dt.date(3000, 1, 1), dt.date(2020, 1, 2), None], pa.date32()),
    })
    pq.write_table(table, tmp_path / "d.parquet")
    docs = ct.load(tmp_path / "d.parquet", errors="raise")
    assert str(docs["date"].dtype) == "datetime64[us]"
    assert docs["date"].tolist()[:2] == [pd.Timestamp("3000-01-01"), pd.Timestamp("2020-01-02")]
    assert pd.isna(docs["date"].iloc[2])
    assert ct.load_report(docs)["line"].tolist() == [1]


def test_dates_in_range_stay_nanoseconds(tmp_path):
    import datetime as dt

    pq.write_table(pa.table({"text": ["a"], "date": pa.array([dt.date(2020, 1, 2)], pa.date32())}), tmp_path / "d.parquet")
    assert str(ct.load(tmp_path / "d.parquet")["date"].dtype) == "datetime64[ns]"


# c. file names that are not UTF-8

def test_file_name_that_is_not_utf8_loads_under_an_escaped_name(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(b"Title\n\nBody text.")
    docs = ct.load(tmp_path, errors="raise")
    shown = f"{tmp_path}/caf\\xe9.txt"
    assert list(docs.index) == ["caf\\xe9"]
    assert docs["path"].tolist() == [shown]
    assert _rows(docs) == [{
        "path": shown, "line": None,
        "problem": "file name is not valid UTF-8; path and doc_id show its undecodable bytes as \\xNN escapes",
        "action": "loaded under that name",
    }]


def test_empty_file_with_a_name_that_is_not_utf8_is_named_in_the_error(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    open(raw, "wb").close()
    with pytest.raises(LoadError) as info:
        ct.load(os.fsdecode(raw), errors="raise")
    assert str(info.value) == f"{tmp_path}/caf\\xe9.txt: empty file (no text)"


# d. size limit

def test_gzip_bomb_stops_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(decoding, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 5000))
    (tmp_path / "ok.txt").write_text("Fine text.", "utf-8")
    with pytest.warns(UserWarning, match=r"bomb\.txt\.gz: larger than 1000 bytes once decompressed"):
        docs = ct.load(tmp_path)
    assert list(docs.index) == ["ok"]
    assert _rows(docs) == [{
        "path": str(path), "line": None,
        "problem": "larger than 1000 bytes once decompressed, the limit for one file "
                   "(corpus_tools.io.decoding.MAX_FILE_BYTES); split the file, or raise the limit "
                   "if it really is one corpus file",
        "action": "file skipped",
    }]


def test_plain_file_over_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(decoding, "MAX_FILE_BYTES", 2 * 2**10)
    path = tmp_path / "big.csv"
    path.write_text("text\n" + "word\n" * 1000, "utf-8")
    with pytest.raises(LoadError) as info:
        ct.load(path, errors="raise")
    assert str(info.value).startswith(f"{path}: larger than 2 KiB, the limit for one file")
    assert decoding.size_text(512 * 2**20) == "512 MiB"


def test_link_to_dev_zero_is_not_read(tmp_path):
    (tmp_path / "x.txt").symlink_to("/dev/zero")
    (tmp_path / "ok.txt").write_text("Fine text.", "utf-8")
    docs = ct.load(tmp_path, errors="skip")
    assert list(docs.index) == ["ok"]
    assert _rows(docs) == [{
        "path": str(tmp_path / "x.txt"), "line": None,
        "problem": "not a regular file (a symbolic link to /dev/zero, a character device); only "
                   "regular files are read: remove it or name the file it stands for",
        "action": "file skipped",
    }]
    with pytest.raises(LoadError, match=r"x\.txt: not a regular file \(a symbolic link to /dev/zero"):
        ct.load(tmp_path / "x.txt", errors="raise")


# e. pipes, sockets

def test_fifo_and_socket_are_reported_not_read(tmp_path):
    os.mkfifo(tmp_path / "x.txt")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.txt"))
        (tmp_path / "ok.txt").write_text("Fine text.", "utf-8")
        with pytest.warns(UserWarning, match="not a regular file"):
            docs = ct.load(tmp_path)
    finally:
        sock.close()
    assert list(docs.index) == ["ok"]
    tail = "; only regular files are read: remove it or name the file it stands for"
    assert _rows(docs) == [
        {"path": str(tmp_path / "s.txt"), "line": None, "problem": f"not a regular file (a socket){tail}", "action": "file skipped"},
        {"path": str(tmp_path / "x.txt"), "line": None, "problem": f"not a regular file (a named pipe){tail}", "action": "file skipped"},
    ]
    with pytest.raises(LoadError) as info:
        ct.load(tmp_path / "x.txt", errors="raise")
    assert str(info.value) == f"{tmp_path / 'x.txt'}: not a regular file (a named pipe){tail}"


# f. g. CSV and TSV rows

def test_tsv_with_stray_quotes_keeps_every_record(tmp_path):
    path = tmp_path / "q.tsv"
    path.write_text('id\ttext\n1\tHe said "stop\n2\tmiddle\n3\tend" she said\n', "utf-8")
    docs = ct.load(path, errors="raise")
    assert docs["text"].tolist() == ['He said "stop', "middle", 'end" she said']
    assert list(docs.index) == ["1", "2", "3"]


def test_tsv_written_with_csv_quoting_is_unquoted(tmp_path):
    path = tmp_path / "w.tsv"
    pd.DataFrame({"text": ['say "hi"', "plain"], "title": ["T1", "T2"]}).to_csv(path, sep="\t", index=False)
    assert ct.load(path, errors="raise")["text"].tolist() == ['say "hi"', "plain"]


def test_unquoted_comma_in_a_one_column_csv_keeps_the_whole_line(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("text\nhello, world\nplain\na,b,c,d,e,f,g,h,i,j,k\n", "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        docs = ct.load(path)
    assert docs["text"].tolist() == ["hello, world", "plain", "a,b,c,d,e,f,g,h,i,j,k"]
    assert _rows(docs) == [
        {"path": str(path), "line": 2, "problem": "2 fields in a one-column file (an unquoted ',')",
         "action": "kept the whole line as text"},
        {"path": str(path), "line": 4, "problem": "11 fields in a one-column file (an unquoted ',')",
         "action": "kept the whole line as text"},
    ]


def test_row_with_too_many_fields_is_reported(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("id,text\n1,first, with a comma\n2,second\n", "utf-8")
    with pytest.warns(UserWarning, match=r"wide\.csv, line 2: 3 fields where the header has 2"):
        docs = ct.load(path)
    assert docs["text"].tolist() == ["second"]
    assert _rows(docs) == [{
        "path": str(path), "line": 2,
        "problem": "3 fields where the header has 2 (an unquoted ',' inside a field?); quote fields that contain ','",
        "action": "row skipped",
    }]
    with pytest.raises(LoadError, match=r"wide\.csv, line 2: 3 fields where the header has 2"):
        ct.load(path, errors="raise")


# h. folders

def test_unreadable_sub_folder_is_reported(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text("Hidden text.", "utf-8")
    (tmp_path / "ok.txt").write_text("Fine text.", "utf-8")
    scandir = os.scandir

    def refuse(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.warns(UserWarning, match=r"locked: folder cannot be read \(Permission denied\)"):
        docs = ct.load(tmp_path)
    assert list(docs.index) == ["ok"]
    assert _rows(docs) == [{
        "path": str(tmp_path / "locked"), "line": None,
        "problem": "folder cannot be read (Permission denied); check its permissions",
        "action": "folder skipped",
    }]


def test_symlinked_folders_are_followed_once(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("Text a.", "utf-8")
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "real")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "b.txt").write_text("Text b.", "utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real").symlink_to(tmp_path / "real")
    (corpus / "more").symlink_to(outside)
    (corpus / "broken.txt").symlink_to(tmp_path / "gone.txt")
    docs = ct.load(corpus, errors="skip")
    assert list(docs.index) == ["more/b", "real/a"]
    assert _rows(docs) == [
        {"path": str(corpus / "broken.txt"), "line": None,
         "problem": f"broken symbolic link (a symbolic link to {tmp_path / 'gone.txt'}, which does not exist); "
                    "fix or remove the link", "action": "file skipped"},
        {"path": str(corpus / "real" / "loop"), "line": None,
         "problem": "symbolic link to a folder already read (a loop or a second link)", "action": "folder skipped"},
    ]


# i. binary and list columns

def test_parquet_binary_and_list_text_columns(tmp_path):
    table = pa.table({
        "id": ["a", "b", "c"],
        "text": pa.array([["Para one.", "Para two."], ["Only one."], None], pa.list_(pa.string())),
        "title": pa.array([b"Caf\xc3\xa9", b"Bad \xff byte", None], pa.binary()),
    })
    path = tmp_path / "b.parquet"
    pq.write_table(table, path)
    with pytest.warns(UserWarning, match=r"b\.parquet, line 2: invalid UTF-8 in the bytes of column 'title'"):
        docs = ct.load(path)
    assert docs["text"].tolist() == ["Para one.\n\nPara two.", "Only one.", ""]
    assert docs["title"].tolist()[:2] == ["Café", "Bad \ufffd byte"]
    assert pd.isna(docs["title"].iloc[2])
    report = _rows(docs)
    assert report[:2] == [
        {"path": str(path), "line": None, "problem": "column 'text' holds lists of strings", "action": "joined as paragraphs"},
        {"path": str(path), "line": 2, "problem": "invalid UTF-8 in the bytes of column 'title'",
         "action": "decoded with U+FFFD for the invalid bytes"},
    ]


# j. mixed encodings

def test_mixed_utf8_and_cp1252_lines_are_decoded_line_by_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("text\nCafé au lait\n".encode("utf-8") + b"It costs \xa3400\n" + "Naïve\n".encode("utf-8") + b"\x93quoted\x94\n")
    with pytest.warns(UserWarning, match=r"mixed\.csv, line 3: invalid UTF-8 \(byte 0xA3 at offset 28\) on 2 lines"):
        docs = ct.load(path)
    assert docs["text"].tolist() == ["Café au lait", "It costs £400", "Naïve", "\u201cquoted\u201d"]
    assert _rows(docs) == [{
        "path": str(path), "line": 3, "problem": "invalid UTF-8 (byte 0xA3 at offset 28) on 2 lines",
        "action": "lines 3, 5 decoded as cp1252, the other lines as UTF-8",
    }]


# k. JSON lines named .json, and a JSON array named .jsonl

def test_json_lines_in_a_json_file(tmp_path):
    path = tmp_path / "news.json"
    path.write_text('{"text": "one"}\n{"text": "two"}\n\n{"text": "three"\n', "utf-8")
    docs = ct.load(path, errors="skip")
    assert docs["text"].tolist() == ["one", "two"]
    assert _rows(docs) == [{"path": str(path), "line": 4, "problem": "malformed JSON line: Expecting ',' delimiter at column 17",
                            "action": "line skipped"}]


def test_json_array_in_a_jsonl_file(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text('[\n {"text": "one"},\n {"text": "two"}\n]\n', "utf-8")
    assert ct.load(path, errors="raise")["text"].tolist() == ["one", "two"]


# l. the summary warning

def test_summary_counts_problems_apart_from_notes(tmp_path):
    (tmp_path / "README.md").write_text("about", "utf-8")
    (tmp_path / "LICENSE").write_text("terms", "utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_text("Fine text.", "utf-8")
    with pytest.warns(UserWarning) as caught:
        ct.load(tmp_path)
    assert [str(w.message) for w in caught] == [
        f"loaded 1 document from 2 files with 1 problem, e.g. {tmp_path / 'empty.txt'}: empty file (no text) "
        "(file skipped). ct.load_report(docs) lists it and 2 notes (files skipped by rule, repairs, empty texts)."
    ]


def test_records_in_equal_rows_loaded_plus_report_rows(tmp_path):
    path = tmp_path / "all.jsonl"
    path.write_text('{"text": "a"}\n[1]\n{"text": \n' + "[" * 5000 + "\n" + '{"text": "b"}\n', "utf-8")
    docs = ct.load(path, errors="skip")
    assert len(docs) + len(ct.load_report(docs)) == 5


def test_many_repaired_lines_are_listed_up_to_twenty(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes(b"\n".join(b"caf\xe9 %d" % i for i in range(25)))
    docs = ct.load(path, errors="skip")
    assert docs["text"].iloc[0].startswith("café 0\ncafé 1")
    listed = ", ".join(str(n) for n in range(1, 21))
    assert _rows(docs)[0]["action"] == f"lines {listed}, ... (25 lines in all) decoded as cp1252"


# m. CSV fields longer than the csv module's default limit

def test_csv_field_longer_than_the_csv_module_limit(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("title,text\nA," + "x" * 140_000 + '\nB,"two\nlines ' + "y" * 140_000 + '"\n', "utf-8")
    docs = ct.load(path, errors="raise")
    assert [len(t) for t in docs["text"]] == [140_000, 140_010]
    assert len(docs) + len(ct.load_report(docs)) == 2


# n. JSON arrays nested deeper than a flattening recursion would follow

def test_deeply_nested_arrays_in_text_and_title_are_flattened(tmp_path):
    path = tmp_path / "deep.jsonl"
    nested = lambda s: "[" * 300 + f'"{s}"' + "]" * 300  # noqa: E731
    path.write_text(f'{{"text": {nested("x")}, "title": {nested("t")}, "url": {nested("u")}}}\n', "utf-8")
    docs = ct.load(path, errors="raise")
    assert docs[["text", "title", "url"]].values.tolist() == [["x", "t", "u"]]
    assert _rows(docs) == [
        {"path": str(path), "line": None, "problem": "column 'text' holds lists of strings", "action": "joined as paragraphs"},
        {"path": str(path), "line": None, "problem": "column 'title' holds lists of strings", "action": "joined as lines"},
        {"path": str(path), "line": None, "problem": "column 'url' holds lists of strings", "action": "joined as lines"},
    ]


# o. globs over symbolic-link loops, and files matched twice

def test_recursive_glob_over_a_symlink_loop_reads_each_file_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("l").mkdir()
    Path("l/x.txt").write_text("hi", "utf-8")
    os.symlink(".", "l/a")
    os.symlink(".", "l/b")
    docs = ct.load("l/**/*.txt", errors="skip")
    assert list(docs.index) == ["x"]
    note = "symbolic link to a folder already read (a loop or a second link)"
    assert _rows(docs) == [
        {"path": "l/a", "line": None, "problem": note, "action": "folder skipped"},
        {"path": "l/b", "line": None, "problem": note, "action": "folder skipped"},
    ]


def test_glob_matching_a_folder_and_its_files_reads_each_file_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("g/sub").mkdir(parents=True)
    Path("g/a.txt").write_text("A", "utf-8")
    Path("g/sub/b.txt").write_text("B", "utf-8")
    (tmp_path / "g" / "sub" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    docs = ct.load("g/**/*.txt", errors="skip")
    assert list(docs.index) == ["a", "sub/b"]
    assert [r["path"] for r in _rows(docs)] == ["g/sub/gone.txt"]
    docs = ct.load("g/**/*", errors="skip")
    assert list(docs.index) == ["a", "sub/b"]
    assert docs["path"].tolist() == ["g/a.txt", "g/sub/b.txt"]


def test_real_folders_win_over_links_to_them(tmp_path):
    for name in ("a", "b"):
        (tmp_path / "loops" / name).mkdir(parents=True)
    (tmp_path / "loops" / "a" / "one.txt").write_text("One.", "utf-8")
    (tmp_path / "loops" / "b" / "two.txt").write_text("Two.", "utf-8")
    (tmp_path / "loops" / "a" / "to_b").symlink_to("../b")
    (tmp_path / "loops" / "b" / "to_a").symlink_to("../a")
    docs = ct.load(tmp_path / "loops", errors="raise")
    assert list(docs.index) == ["a/one", "b/two"]
    note = "symbolic link to a folder already read (a loop or a second link)"
    assert _rows(docs) == [
        {"path": str(tmp_path / "loops" / "a" / "to_b"), "line": None, "problem": note, "action": "folder skipped"},
        {"path": str(tmp_path / "loops" / "b" / "to_a"), "line": None, "problem": note, "action": "folder skipped"},
    ]


# p. zoned Parquet timestamps whose local time is outside the years 1..9999

def test_zoned_parquet_timestamps_outside_python_years(tmp_path):
    from datetime import datetime

    kept = (
        "outside 1677-09-21 .. 2262-04-11, the range of nanosecond dates; kept, and the date column "
        "is datetime64[us] (a placeholder date? set it to NaT)"
    )
    cases = [
        (pa.array([datetime(1, 1, 1), datetime(2020, 1, 1)], pa.timestamp("s", tz="America/New_York")), "0001-01-01"),
        (pa.array([datetime(9999, 12, 31, 23), datetime(2020, 1, 1)], pa.timestamp("s", tz="Europe/Berlin")), "9999-12-31 23:00:00"),
    ]
    for i, (array, shown) in enumerate(cases):
        path = tmp_path / f"z{i}.parquet"
        pq.write_table(pa.table({"text": ["a", "b"], "date": array}), path)
        docs = ct.load(path, errors="raise")
        assert docs["date"].to_numpy()[0] == np.datetime64(shown.replace(" ", "T"), "us")
        assert docs["date"].iloc[1] == pd.Timestamp("2020-01-01")
        assert _rows(docs) == [{"path": str(path), "line": 1, "problem": f"date '{shown}' {kept}", "action": "date kept"}]
    # past year 9999 no calendar formats or draws the date: NaT, with the reason
    path = tmp_path / "z2.parquet"
    pq.write_table(pa.table({"text": ["a", "b"], "date": pa.array([10**12, 1577836800], pa.timestamp("s", tz="UTC"))}), path)
    docs = ct.load(path, errors="skip")
    assert pd.isna(docs["date"].iloc[0]) and docs["date"].iloc[1] == pd.Timestamp("2020-01-01")
    assert _rows(docs) == [{"path": str(path), "line": 1, "action": "date set to NaT",
                            "problem": "out of range date '33658-09-27 01:46:40' (before year 1 or after year 9999)"}]
    # beside a CSV the column is of objects: the same dates, shown with their time
    (tmp_path / "c.csv").write_text("text,date\nc,2020-01-01\n", "utf-8")
    docs = ct.load([tmp_path / "z0.parquet", tmp_path / "z2.parquet", tmp_path / "c.csv"], errors="skip")
    assert docs["date"].to_numpy().tolist() == np.array(
        ["0001-01-01", "2020-01-01", "NaT", "2020-01-01", "2020-01-01"], "datetime64[us]"
    ).tolist()
    assert [(r["line"], r["problem"]) for r in _rows(docs)] == [
        (1, f"date '0001-01-01 00:00:00' {kept}"),
        (1, "out of range date '33658-09-27 01:46:40' (before year 1 or after year 9999)"),
    ]


# q. carriage returns without a line feed

def test_lone_carriage_returns_end_lines(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"title,text\nA,ab\rc\n")
    docs = ct.load(path, errors="skip")
    assert docs[["title", "text"]].values.tolist() == [["A", "ab"], ["c", ""]]
    assert _rows(docs) == [
        {"path": str(path), "line": 2, "problem": "carriage return (CR) without a line feed; read as a line end",
         "action": "line ends read as LF"},
        {"path": str(path), "line": 3, "problem": "no text in the input", "action": "kept with empty text"},
    ]
    old_mac = tmp_path / "mac.tsv"
    old_mac.write_bytes(b"title\ttext\rA\tab\rB\tc\r")
    docs = ct.load(old_mac, errors="raise")
    assert docs[["title", "text"]].values.tolist() == [["A", "ab"], ["B", "c"]]
    assert [r["line"] for r in _rows(docs)] == [1]


# r. a UTF-16 byte-order mark before bytes that are not UTF-16

def test_invalid_utf16_after_its_byte_order_mark(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(b"\xff\xfeh\x00i\x00!")
    docs = ct.load(path, errors="skip")
    assert docs["text"].tolist() == ["hi\ufffd"]
    assert _rows(docs) == [{
        "path": str(path), "line": 1,
        "problem": "invalid UTF-16 after its byte-order mark (truncated data at offset 6)",
        "action": "decoded with U+FFFD for the invalid bytes",
    }]
    surrogate = tmp_path / "s16.txt"
    surrogate.write_bytes(b"\xff\xfeh\x00\n\x00\x00\xd8i\x00")
    with pytest.raises(LoadError) as info:
        ct.load(surrogate, errors="raise")
    assert str(info.value) == f"{surrogate}, line 2: invalid UTF-16 after its byte-order mark (illegal UTF-16 surrogate at offset 6)"


# s. TSV with a stray quote and rows with another number of tabs

def test_tsv_stray_quote_with_a_long_row(tmp_path):
    path = tmp_path / "q.tsv"
    path.write_text('title\ttext\nA\t"open quote\nB\tb\nC\tc\tx\n', "utf-8")
    docs = ct.load(path, errors="skip")
    assert docs["text"].tolist() == ['"open quote', "b"]
    assert _rows(docs) == [{
        "path": str(path), "line": 4,
        "problem": "3 fields where the header has 2 (an unquoted '\\t' inside a field?); quote fields that contain '\\t'",
        "action": "row skipped",
    }]
    merged = tmp_path / "m.tsv"
    merged.write_text('title\ttext\nA\t"open quote only\nB\tplain b\nC\t"line one\nline two"\nE\tplain e\n', "utf-8")
    docs = ct.load(merged, errors="skip")
    assert docs[["title", "text"]].values.tolist() == [
        ["A", '"open quote only'], ["B", "plain b"], ["C", '"line one'], ['line two"', ""], ["E", "plain e"],
    ]
    assert _rows(docs) == [{"path": str(merged), "line": 5, "problem": "no text in the input", "action": "kept with empty text"}]


# t. JSON lines in a .json file whose first line is too deep

def test_json_lines_file_with_a_deep_first_line_keeps_the_others(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"a":' * 100_000 + "1" + "}" * 100_000 + '\n{"text": "two"}\n', "utf-8")
    docs = ct.load(path, errors="skip")
    assert docs["text"].tolist() == ["two"]
    assert _rows(docs) == [{"path": str(path), "line": 1, "problem": TOO_DEEP, "action": "line skipped"}]


def test_parquet_date32_beyond_numpy_years_is_one_nat(tmp_path):
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"text": ["a", "b", "c"], "date": pa.array([2**31 - 1, 18262, None], pa.date32())}), path)
    docs = ct.load(path, errors="skip")
    assert docs["text"].tolist() == ["a", "b", "c"]
    assert pd.isna(docs["date"].iloc[0]) and docs["date"].iloc[1] == pd.Timestamp("2020-01-01")
    assert _rows(docs) == [{"path": str(path), "line": 1,
                            "problem": "out of range date '5881580-07-11' (beyond the years pandas can hold)",
                            "action": "date set to NaT"}]


# u. a JSON lines file with no good line

def test_jsonl_with_only_bad_lines_has_one_row_per_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("{bad\n{worse\n", "utf-8")
    (tmp_path / "ok.txt").write_text("Fine.", "utf-8")
    docs = ct.load(tmp_path, errors="skip")
    problem = "malformed JSON line: Expecting property name enclosed in double quotes at column 2"
    assert _rows(docs) == [
        {"path": str(path), "line": 1, "problem": problem, "action": "line skipped"},
        {"path": str(path), "line": 2, "problem": problem, "action": "line skipped"},
    ]


# v. names that would show alike

def test_escaped_and_literal_backslash_names_differ(tmp_path):
    with open(os.fsencode(tmp_path) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(b"Bytes name.")
    (tmp_path / "caf\\xe9.txt").write_text("Backslash name.", "utf-8")
    docs = ct.load(tmp_path, errors="raise")
    assert sorted(docs["path"]) == [f"{tmp_path}/caf\\\\xe9.txt", f"{tmp_path}/caf\\xe9.txt"]
    assert sorted(docs.index) == ["caf\\\\xe9", "caf\\xe9"]
    assert sorted(r["problem"] for r in _rows(docs)) == [
        "file name holds a backslash; path and doc_id show it doubled (\\\\), apart from the \\xNN "
        "escapes of names that are not valid UTF-8",
        "file name is not valid UTF-8; path and doc_id show its undecodable bytes as \\xNN escapes",
    ]


# w. Parquet bytes, and records where text is expected

def test_parquet_binary_dates_and_sections_are_text(tmp_path):
    path = tmp_path / "b.parquet"
    pq.write_table(pa.table({"text": ["a"], "date": pa.array([b"2020-01-01"]),
                             "sections": pa.array([[b"x", b"y"]], pa.list_(pa.binary()))}), path)
    docs = ct.load(path, errors="raise")
    assert docs["date"].tolist() == [pd.Timestamp("2020-01-01")]
    assert docs["sections"].tolist() == [["x", "y"]]


def test_parquet_struct_text_column_is_reported(tmp_path):
    path = tmp_path / "s.parquet"
    pq.write_table(pa.table({"text": pa.array([{"a": "x", "b": "y"}])}), path)
    (tmp_path / "ok.txt").write_text("Fine.", "utf-8")
    docs = ct.load(tmp_path, errors="skip")
    assert list(docs.index) == ["ok"]
    assert _rows(docs) == [{
        "path": str(path), "line": None,
        "problem": "column 'text' (the text) holds a record (a Parquet struct or map, or JSON objects), "
                   "not text; name a text column with text=, or flatten the records first",
        "action": "file skipped",
    }]
