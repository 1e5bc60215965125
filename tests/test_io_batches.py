"""Parquet and JSON lines read in batches: the same docs and load report as read whole, and
as Python's per-line reader gives, with bad rows in different batches."""
from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import corpus_tools as ct
from corpus_tools.io import jsonfiles, tables


def _load(path, **kwargs):
    docs = ct.load(path, errors="skip", **kwargs)
    return docs, ct.load_report(docs)


def _same(a, b):
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def _per_line(monkeypatch):
    """Make ct.load read JSON lines with Python's per-line reader only (the reference)."""
    def whole(path, events):
        raise jsonfiles._Whole

    monkeypatch.setattr(jsonfiles, "_read_blocks", whole)


# Lines of a JSON lines file, with bad and odd lines spread out so that tiny blocks put them
# in different blocks; dates are ISO strings (which Arrow alone would read as timestamps).
LINES = [
    '{"id": "a1", "title": "Budget passed", "text": "The budget passed.", "date": "2020-03-01T10:00:00", "section": ["politics"]}',
    '',
    '{"id": "a2", "title": "Rain", "text": "Rain at last.", "date": "2020-03-02", "section": ["weather", " ", "local"]}',
    '{"id": "a3", "text": "broken"',
    '{"id": "a4", "title": "Surrogate", "text": "half \\ud800 a pair", "date": "2020-03-04"}',
    '[1, 2]',
    '   ',
    '{"id": "a2", "title": "Again", "text": "A duplicate id.", "date": "not a date", "words": 3}',
    '{"id": "a6", "text": "  ", "date": "2020-03-06T00:00:00Z", "words": 4, "tags": ["x", "y"]}',
    '{"a":' * 1500 + '1' + '}' * 1500,
    '{"title": "No id here", "text": "Emoji \\ud83d\\ude00 kept.", "date": "20200308"}',
    '{"id": "a9", "text": "Last \\"quoted\\" line.", "date": "2020-03-09 08:30:00+02:00", "section": null}\r',
]


@pytest.fixture
def jsonl(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(LINES) + "\n", "utf-8")
    return path


def _count_whole_reads(monkeypatch) -> list:
    calls = []
    original = jsonfiles._read_lines
    monkeypatch.setattr(jsonfiles, "_read_lines", lambda *args: calls.append(args[1]) or original(*args))
    return calls


def test_json_lines_in_tiny_blocks_equal_whole_and_per_line(jsonl, monkeypatch):
    whole_reads = _count_whole_reads(monkeypatch)
    whole = _load(jsonl)
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 40)  # a line or two per block
    tiny = _load(jsonl)
    assert whole_reads == []  # both read by Arrow, in one block and in many
    _same(tiny, whole)
    _per_line(monkeypatch)
    _same(_load(jsonl), whole)


def test_json_lines_batches_give_the_hand_checked_rows(jsonl, monkeypatch):
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 40)
    docs, report = _load(jsonl)
    assert list(docs.index) == ["a1", "a2", "a4", "a2-2", "a6", "news-6", "a9"]
    assert docs["text"].tolist() == [
        "The budget passed.", "Rain at last.", "half \ufffd a pair", "A duplicate id.", "  ",
        "Emoji \U0001F600 kept.", 'Last "quoted" line.',
    ]
    assert docs["date"].tolist()[:3] == [pd.Timestamp("2020-03-01 10:00"), pd.Timestamp("2020-03-02"), pd.Timestamp("2020-03-04")]
    assert pd.isna(docs["date"].iloc[3])
    assert docs["date"].tolist()[4:] == [pd.Timestamp("2020-03-06"), pd.Timestamp("2020-03-08"), pd.Timestamp("2020-03-09 06:30")]
    assert docs["sections"].tolist() == [["politics"], ["weather", "local"], [], [], [], [], []]
    assert docs["words"].tolist()[3:5] == [3.0, 4.0] and docs["words"].isna().sum() == 5
    assert docs.loc["a6", "tags"] == ["x", "y"] and pd.isna(docs.loc["a1", "tags"])
    assert list(docs.columns) == ["text", "title", "date", "source", "sections", "url", "path", "words", "tags"]
    deep = "JSON nested deeper than the parser can follow (Python's recursion limit); such a file is no article data: remove it or flatten the records"
    assert report[["line", "problem", "action"]].values.tolist() == [
        [4, "malformed JSON line: Expecting ',' delimiter at column 30", "line skipped"],
        [5, jsonfiles.LONE_SURROGATE, "replaced with U+FFFD"],
        [6, "JSON line is not an object ({...})", "line skipped"],
        [10, deep, "line skipped"],
        [8, "unparseable date 'not a date' (not a date in a known format)", "date set to NaT"],
        [9, "no text in the input", "kept with empty text"],
        [8, "duplicate doc_id 'a2' (first in %s)" % jsonl, "renamed to 'a2-2'"],
    ]


def test_json_lines_gzipped_in_blocks(jsonl, tmp_path, monkeypatch):
    zipped = tmp_path / "news.jsonl.gz"
    zipped.write_bytes(gzip.compress(jsonl.read_bytes()))
    whole = _load(jsonl)
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 64)
    docs, report = _load(zipped)
    pd.testing.assert_frame_equal(docs.drop(columns="path"), whole[0].drop(columns="path"))
    assert report["line"].tolist() == whole[1]["line"].tolist()


def test_field_read_as_text_only_from_a_later_block(tmp_path, monkeypatch):
    # "when" looks like a date only from the third line on; "extra" first appears there too
    path = tmp_path / "late.jsonl"
    path.write_text(
        '{"text": "one", "when": "soon"}\n{"text": "two"}\n'
        '{"text": "three", "extra": 1, "when": "2021-01-01"}\n{"when": "2021-01-02T03:04:05", "text": "four"}\n', "utf-8")
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 16)
    whole_reads = _count_whole_reads(monkeypatch)
    tiny = _load(path)
    assert whole_reads == []
    assert tiny[0]["when"].tolist()[2:] == ["2021-01-01", "2021-01-02T03:04:05"]
    assert list(tiny[0].columns)[-2:] == ["when", "extra"]
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 2**20)
    _same(tiny, _load(path))
    _per_line(monkeypatch)
    _same(tiny, _load(path))


@pytest.mark.parametrize("lines", [
    ['{"text": "a", "id": 1}', '{"text": "b", "id": "x"}'],          # a number, then text
    ['{"text": "a", "section": "x"}', '{"text": "b", "section": ["y"]}'],  # text, then a list
    ['{"text": "a", "meta": {"k": 1}}', '{"text": "b", "meta": {"j": 2}}'],  # records
    ['{"text": "a", "n": 1, "n": 2}'],                                  # a key twice
    ['{"text": "a", "big": 18446744073709551615}'],                     # beyond 64 bits
    ['{"text": "a", "v": [1, 2.5]}'],                                   # a list of numbers
    ['{"text": "caf\xe9"}'],                                            # not UTF-8
])
def test_files_arrow_reads_otherwise_are_read_by_python(lines, tmp_path, monkeypatch):
    path = tmp_path / "odd.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8").replace("caf\xe9".encode("utf-8"), b"caf\xe9") + b"\n")
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 24)
    whole_reads = _count_whole_reads(monkeypatch)
    blocks = _load(path)
    assert whole_reads == [path]
    _per_line(monkeypatch)
    _same(blocks, _load(path))


def test_values_the_python_reader_keeps(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text('{"text": "a", "id": 1, "v": [1, 2.5], "big": 18446744073709551615}\n'
                    '{"text": "b", "id": "x", "v": [], "big": 1}\n', "utf-8")
    docs, _ = _load(path)
    assert list(docs.index) == ["1", "x"]
    assert docs["v"].tolist() == [[1, 2.5], []]
    assert docs["big"].tolist() == [18446744073709551615, 1]


def test_lines_with_many_brackets_are_parsed_by_python_first(tmp_path, monkeypatch):
    # Arrow's parser crashes the process some thousands of levels down, where Python (with a
    # raised recursion limit) still reads a line: such a file is read by Python alone.
    monkeypatch.setattr(jsonfiles, "DEEP_BRACKETS", 50)
    monkeypatch.setattr(jsonfiles, "MAX_ARROW_BRACKETS", 100)
    calls = _count_whole_reads(monkeypatch)
    shallow, deep = tmp_path / "shallow.jsonl", tmp_path / "deep.jsonl"
    shallow.write_text('{"text": "a"}\n{"text": "b", "x": ' + "[" * 80 + "]" * 80 + "}\n", "utf-8")
    deep.write_text('{"text": "a"}\n{"text": "b", "x": ' + "[" * 200 + "]" * 200 + "}\n", "utf-8")
    assert ct.load(shallow, errors="raise")["text"].tolist() == ["a", "b"]
    assert calls == []
    assert ct.load(deep, errors="raise")["text"].tolist() == ["a", "b"]
    assert calls == [deep]


def test_blank_and_whitespace_files(tmp_path):
    (tmp_path / "blank.jsonl").write_text("\n  \n\t\n", "utf-8")
    (tmp_path / "nbsp.jsonl").write_text('\u00a0\n{"text": "a"}\n', "utf-8")
    docs, report = _load(tmp_path)
    assert docs["text"].tolist() == ["a"]
    assert report[["path", "problem"]].values.tolist() == [[str(tmp_path / "blank.jsonl"), "empty file (no text)"]]


def test_parquet_in_tiny_batches_equals_whole(tmp_path, monkeypatch):
    table = pa.table({
        "doc_id": ["p1", "p2", None, "p1", "p5", "p6", "p7"],
        "text": pa.array([["One.", "Two."], ["Three."], None, ["Four."], [], ["Six."], ["Seven."]], pa.list_(pa.string())),
        "title": pa.array([b"A", b"B \xff", b"C", None, b"E", b"F\xfe", b"G"], pa.binary()),
        "published": ["2020-01-01", "2020/1/2", "bad", "20200104", "3 March 2020", None, "2020-01-07T12:00:00+01:00"],
        "category": ["news", " ", None, "sport", "news", "world ", "news"],
        "score": [1.5, None, 3.0, 4.0, 5.0, 6.0, 7.0],
    })
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=3)
    whole = _load(path)
    monkeypatch.setattr(tables, "BATCH_ROWS", 2)  # batches within the row groups
    _same(_load(path), whole)
    monkeypatch.setattr(tables, "BATCH_ROWS", 6)  # two row groups of 3 rows at a time
    _same(_load(path), whole)
    docs, report = whole
    assert list(docs.index) == ["p1", "p2", "t-3", "p1-2", "p5", "p6", "p7"]
    assert docs["text"].tolist() == ["One.\n\nTwo.", "Three.", "", "Four.", "", "Six.", "Seven."]
    assert docs["title"].tolist()[:3] == ["A", "B \ufffd", "C"] and pd.isna(docs["title"].iloc[3])
    assert docs["sections"].tolist() == [["news"], [], [], ["sport"], ["news"], ["world"], ["news"]]
    assert docs["date"].tolist()[:2] == [pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-02")]
    assert docs["date"].tolist()[3:5] == [pd.Timestamp("2020-01-04"), pd.Timestamp("2020-03-03")]
    assert docs["date"].iloc[6] == pd.Timestamp("2020-01-07 11:00")
    assert [(r["line"], r["action"]) for r in report.to_dict("records")] == [
        (None, "joined as paragraphs"), (2, "decoded with U+FFFD for the invalid bytes"),
        (6, "decoded with U+FFFD for the invalid bytes"), (3, "date set to NaT"),
        (3, "kept with empty text"), (5, "kept with empty text"), (4, "renamed to 'p1-2'"),
    ]


def test_parquet_written_by_pandas_keeps_its_index_and_dtypes(tmp_path, monkeypatch):
    frame = pd.DataFrame({
        "text": ["a", "b", "c"], "n": pd.array([1, None, 3], dtype="Int64"),
        "kind": pd.Categorical(["x", "y", "x"]),
    }, index=pd.Index(["i1", "i2", "i3"], name="doc_id"))
    frame.to_parquet(tmp_path / "f.parquet", row_group_size=2)
    monkeypatch.setattr(tables, "BATCH_ROWS", 1)
    docs = ct.load(tmp_path / "f.parquet", errors="raise")
    assert list(docs.index) == ["i1", "i2", "i3"]
    assert str(docs["n"].dtype) == "Int64" and str(docs["kind"].dtype) == "category"
    unnamed = frame.reset_index(drop=True).set_axis(pd.Index([7, 8, 9]))
    unnamed.to_parquet(tmp_path / "g.parquet")
    assert ct.load(tmp_path / "g.parquet", errors="raise")["index"].tolist() == [7, 8, 9]


def test_same_articles_from_csv_parquet_and_json_lines(tmp_path):
    frame = pd.DataFrame({
        "id": ["x1", "x2", "x3"], "headline": ["First", "Second", "Third"],
        "body": ["Alpha text.", "Beta text.\n\nTwo paragraphs.", ""],
        "publish_date": ["2019-05-01", "01-MAY-2019 10:00:00", "Wed, 01 May 2019 10:00:00 +0200"],
        "outlet": ["Wire", "Wire", "Daily"],
    })
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_parquet(tmp_path / "a.parquet", index=False)
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in frame.to_dict("records")) + "\n", "utf-8")
    loaded = [ct.load(tmp_path / f"a.{kind}", errors="skip").drop(columns="path") for kind in ("csv", "parquet", "jsonl")]
    for other in loaded[1:]:
        pd.testing.assert_frame_equal(other, loaded[0])
    assert loaded[0]["date"].tolist() == [pd.Timestamp("2019-05-01"), pd.Timestamp("2019-05-01 10:00"), pd.Timestamp("2019-05-01 08:00")]
    assert loaded[0]["source"].tolist() == ["Wire", "Wire", "Daily"]


def test_gzip_limit_counts_the_streamed_bytes(tmp_path, monkeypatch):
    from corpus_tools.io import decoding

    monkeypatch.setattr(decoding, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 16)
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"text": "x"}\n' * 20))
    (tmp_path / "ok.txt").write_text("Fine.", "utf-8")
    docs, report = _load(tmp_path)
    assert list(docs.index) == ["ok"]
    assert report["problem"].tolist() == [
        "larger than 100 bytes once decompressed, the limit for one file "
        "(corpus_tools.io.decoding.MAX_FILE_BYTES); split the file, or raise the limit if it "
        "really is one corpus file"
    ]
    assert np.array_equal(report["line"].isna().to_numpy(), [True])


def test_json_lines_named_json_are_read_in_blocks(jsonl, tmp_path, monkeypatch):
    named_json = tmp_path / "news.json"
    named_json.write_bytes(jsonl.read_bytes())
    whole_reads = _count_whole_reads(monkeypatch)
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 40)
    docs, report = _load(named_json)
    assert whole_reads == []
    expected = _load(jsonl)
    pd.testing.assert_frame_equal(docs.drop(columns="path"), expected[0].drop(columns="path"))
    assert report["line"].tolist() == expected[1]["line"].tolist()
    # one object, or an array over several lines, is one JSON document
    (tmp_path / "one.json").write_text('{"text": "only"}\n', "utf-8")
    (tmp_path / "array.json").write_text('[{"text": "a"},\n {"text": "b"}]\n', "utf-8")
    assert _load(tmp_path / "array.json")[0]["text"].tolist() == ["a", "b"]
    assert _load(tmp_path / "one.json")[1]["problem"].str.startswith("JSON is not a list of records").tolist() == [True]


def test_binary_file_is_found_whatever_the_block_size(tmp_path, monkeypatch):
    path = tmp_path / "blob.jsonl"
    path.write_bytes(b'{"text": "a"}\n' * 10 + b"\x00\x01")
    monkeypatch.setattr(jsonfiles, "BLOCK_BYTES", 16)
    (tmp_path / "ok.txt").write_text("Fine.", "utf-8")
    docs, report = _load(tmp_path)
    assert list(docs.index) == ["ok"]
    assert report["problem"].tolist() == ["binary file (contains NUL bytes), not text; remove it or give its kind with format="]
