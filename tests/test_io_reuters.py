"""Reuters-21578 SGML on a small hand-made file in the same shape."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.errors import LoadError

SGML = Path(__file__).parent / "fixtures" / "io" / "sgml" / "reut2-test.sgm"


@pytest.fixture
def docs():
    return ct.load(SGML)


def test_one_row_per_article_with_metadata(docs):
    assert list(docs.index) == ["reuters-1", "reuters-2", "reuters-3"]
    first = docs.loc["reuters-1"]
    assert first["title"] == "BAHIA COCOA REVIEW"
    assert first["date"] == pd.Timestamp("1987-02-26 15:01:01.790")
    assert first["topics"] == ["cocoa"] and first["places"] == ["el-salvador", "usa"]
    assert first["people"] == [] and first["companies"] == []
    assert (first["lewis_split"], first["cgi_split"], first["topics_status"]) == ("TRAIN", "TRAINING-SET", "YES")
    assert (first["oldid"], first["newid"]) == (5544, 1)
    assert first["dateline"] == "SALVADOR, Feb 26 -"
    assert first["source"] == "Reuters" and first["text_type"] == "NORM"
    assert docs["lewis_split"].tolist() == ["TRAIN", "TEST", "NOT-USED"]


def test_body_entities_decoded_and_signoff_removed(docs):
    assert docs.loc["reuters-1", "text"] == (
        "Showers continued in the Bahia cocoa zone & prices\nrose <5 pct>.\n    Arrivals were 155,221 bags."
    )


def test_brief_article_keeps_empty_text_and_is_reported(docs):
    brief = docs.loc["reuters-2"]
    assert brief["title"] == "MONEY MARKET FUNDS ROSE 720 MLN DLRS"
    assert brief["text"] == "" and brief["text_type"] == "BRIEF"
    report = ct.load_report(docs)
    row = report[report["problem"] == "no text in the input"].iloc[0]
    assert (row["line"], row["action"]) == (22, "kept with empty text")


def test_unprocessed_article_uses_its_text(docs):
    unproc = docs.loc["reuters-3"]
    assert unproc["text"] == "FEDERAL RESERVE WEEKLY REPORT - MAR 2\n Net free reserves.............644 vs.....1,337"
    assert pd.isna(unproc["title"])
    # double space and trailing routing codes around the timestamp are not part of it
    assert unproc["date"] == pd.Timestamp("1987-03-02 09:15:05.400")


def test_broken_time_repaired_and_reported(docs):
    assert docs.loc["reuters-2", "date"] == pd.Timestamp("1987-03-31")
    report = ct.load_report(docs)
    row = report[report["problem"].str.startswith("malformed date")].iloc[0]
    assert row["problem"] == "malformed date '31-MAR-1987 605:12:19.12'"
    assert row["action"] == "repaired: kept the date 1987-03-31, dropped the unreadable time"
    assert row["line"] == 22


def test_latin1_byte_decoded_and_reported(tmp_path):
    path = tmp_path / "reut2-017.sgm"
    path.write_bytes(SGML.read_bytes().replace(b"Bahia cocoa", b"Bahia M\xfcller cocoa"))
    with pytest.warns(UserWarning, match=r"invalid UTF-8 \(byte 0xFC"):
        docs = ct.load(path)
    assert "Bahia Müller cocoa" in docs.loc["reuters-1", "text"]
    raw = path.read_bytes()
    line = raw[: raw.index(b"M\xfcller")].count(b"\n") + 1
    assert ct.load_report(docs).loc[0, ["line", "action"]].tolist() == [
        line, f"line {line} decoded as cp1252, the other lines as UTF-8"
    ]


def test_sgml_without_articles(tmp_path):
    path = tmp_path / "x.sgm"
    path.write_text('<!DOCTYPE lewis SYSTEM "lewis.dtd">\n', "utf-8")
    with pytest.raises(LoadError, match=r"x\.sgm: no <REUTERS> articles found in this SGML file"):
        ct.load(path, errors="raise")


def test_source_constant_overrides(tmp_path):
    assert set(ct.load(SGML, source="Reuters-21578")["source"]) == {"Reuters-21578"}


def test_text_files_beside_sgml_are_not_articles(tmp_path):
    (tmp_path / "reut2-000.sgm").write_bytes(SGML.read_bytes())
    (tmp_path / "all-topics-strings.lc.txt").write_text("acq\nalum\n", "utf-8")
    docs = ct.load(tmp_path)
    assert len(docs) == 3
    report = ct.load_report(docs)
    assert report.loc[0, "problem"] == "text file beside SGML articles (a list or note of the collection)"
    # named explicitly, the same file is read
    assert len(ct.load([tmp_path / "reut2-000.sgm", tmp_path / "all-topics-strings.lc.txt"])) == 4
