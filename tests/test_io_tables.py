"""CSV/TSV, JSON, JSON lines, Parquet and gzipped tables: column mapping and dtypes."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.errors import LoadError

TABLES = Path(__file__).parent / "fixtures" / "io" / "tables"


def test_csv_columns_recognised_by_name_and_kept():
    docs = ct.load(TABLES / "articles.csv")
    assert list(docs.index) == ["a1", "a2", "007"]  # ids read as strings: leading zeros kept
    assert docs.index.name == "doc_id"
    assert list(docs.columns) == ["text", "title", "date", "source", "sections", "url", "path", "author"]
    assert docs.loc["a1", "text"] == "The vote was delayed.\n\nLawmakers will meet again on Friday."
    assert docs.loc["a2", "title"] == "NA"  # only empty cells are missing
    assert docs["date"].tolist() == [pd.Timestamp("2017-02-07"), pd.Timestamp("2017-02-06"), pd.Timestamp("2017-02-05")]
    assert docs["sections"].tolist() == [["politics"], ["business"], []]
    assert docs.loc["a1", "url"] == "https://example.org/2017/02/07/vote"
    assert pd.isna(docs.loc["a2", "url"]) and pd.isna(docs.loc["007", "author"])
    assert docs["source"].isna().all()
    assert str(docs["date"].dtype) == "datetime64[ns]"
    for column in ("text", "title", "source", "url", "path", "author"):
        assert docs[column].dtype == "str", column


def test_keyword_arguments_map_columns():
    docs = ct.load(TABLES / "articles.csv", text="title", title="body", id="author", date="publish_date")
    assert docs.loc["Ann Lee", "text"] == "Vote delayed"
    assert docs.loc["Ann Lee", "title"].startswith("The vote was delayed.")
    # the row without an author gets the default id "<file stem>-<record>"
    assert list(docs.index) == ["Ann Lee", "Bo Chen", "articles-3"]


def test_source_that_is_no_column_is_a_constant():
    docs = ct.load(TABLES / "articles.csv", source="Example Wire")
    assert docs["source"].tolist() == ["Example Wire"] * 3


def test_source_column_by_keyword():
    docs = ct.load(TABLES / "articles.csv", source="author")
    assert docs["source"].tolist()[:2] == ["Ann Lee", "Bo Chen"]
    assert "author" not in docs.columns


def test_headlines_only_file_uses_headline_as_text_crlf():
    docs = ct.load(TABLES / "headlines.csv")
    assert docs["text"].tolist() == [
        "aba decides against community broadcasting licence",
        "act fire witnesses must be aware of defamation",
    ]
    assert docs["date"].tolist() == [pd.Timestamp("2003-02-19"), pd.Timestamp("2003-02-20")]
    assert list(docs.index) == ["headlines-1", "headlines-2"]


def test_title_column_alone_is_used_as_text_and_noted(tmp_path):
    path = tmp_path / "titles.csv"
    path.write_text("title,date\nOnly a headline,2020-01-01\n", "utf-8")
    docs = ct.load(path)
    assert docs.iloc[0]["text"] == "Only a headline" and docs.iloc[0]["title"] == "Only a headline"
    report = ct.load_report(docs)
    assert report["problem"].tolist() == ["no text column; the title column 'title' is used as text"]


def test_tsv_with_offset_dates_converted_to_naive_utc():
    docs = ct.load(TABLES / "articles.tsv")
    assert docs["date"].tolist() == [pd.Timestamp("2019-01-04 08:30"), pd.Timestamp("2019-01-05")]
    assert docs["title"].tolist() == ["First", "Second"]
    assert docs["sections"].tolist() == [["news"], ["sport"]]
    assert docs["doc"].tolist() == ["t1", "t2"]  # an unrecognised column is kept as it is


def test_json_records_with_list_sections():
    docs = ct.load(TABLES / "articles.json")
    assert list(docs.index) == ["j1", "j2"]
    assert docs.loc["j1", "sections"] == ["politics", "economy"]
    assert docs.loc["j2", "sections"] == []
    assert docs.loc["j1", "title"] == "Budget passed"
    assert docs.loc["j1", "url"] == "https://example.org/j1"
    assert docs.loc["j2", "date"] == pd.Timestamp("2020-03-02")


def test_json_object_keyed_by_id_and_date_from_url():
    docs = ct.load(TABLES / "articles_by_id.json")
    assert list(docs.index) == ["p1", "p2"]
    assert docs["text"].tolist() == ["First body.", "Second body."]
    assert docs.loc["p1", "date"] == pd.Timestamp("2020-05-01")  # from the URL
    assert pd.isna(docs.loc["p2", "date"])


def test_jsonl_skips_blank_lines_and_maps_outlet():
    docs = ct.load(TABLES / "articles.jsonl")
    assert docs["text"].tolist() == ["Line one text.", "Line three text."]
    assert docs["source"].tolist() == ["Daily A", "Daily B"]


def test_gzipped_tables_read_like_plain_ones(tmp_path):
    for name in ("articles.csv", "articles.json", "articles.jsonl", "articles.tsv"):
        with open(TABLES / name, "rb") as src, gzip.open(tmp_path / f"{name}.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
        plain, zipped = ct.load(TABLES / name), ct.load(tmp_path / f"{name}.gz")
        pd.testing.assert_frame_equal(plain.drop(columns="path"), zipped.drop(columns="path"))


def test_ndjson_suffix_is_json_lines(tmp_path):
    shutil.copy(TABLES / "articles.jsonl", tmp_path / "a.ndjson")
    assert ct.load(tmp_path / "a.ndjson")["text"].tolist() == ["Line one text.", "Line three text."]


def test_parquet_with_datetime_and_list_columns(tmp_path):
    frame = pd.DataFrame({
        "doc_id": ["x", "y"],
        "content": ["Alpha text.", "Beta text."],
        "published": pd.to_datetime(["2020-01-01 12:00", "2020-01-02 00:00"]).tz_localize("Europe/Berlin"),
        "categories": [["a", "b"], []],
        "words": [2, 2],
    })
    frame.to_parquet(tmp_path / "a.parquet")
    docs = ct.load(tmp_path / "a.parquet")
    assert list(docs.index) == ["x", "y"]
    assert docs["date"].tolist() == [pd.Timestamp("2020-01-01 11:00"), pd.Timestamp("2020-01-01 23:00")]
    assert docs["sections"].tolist() == [["a", "b"], []]
    assert docs["words"].tolist() == [2, 2]


def test_empty_unnamed_columns_dropped_and_reported(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("title,text,,,\nA,Body a,,,\nB,Body b,,x,\n", "utf-8")
    docs = ct.load(path)
    assert list(docs.columns) == ["text", "title", "date", "source", "sections", "url", "path", "Unnamed: 3"]
    assert docs["Unnamed: 3"].tolist()[1] == "x"
    report = ct.load_report(docs)
    assert report.loc[0, "problem"] == "2 empty unnamed column(s) 'Unnamed: 2'..'Unnamed: 4'"
    assert report.loc[0, "action"] == "columns dropped"


def test_multiline_quoted_text_kept_whole_and_report_line_is_the_record_start(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('id,text,date\n1,"one\n\ntwo",2020-01-01\n2,three,not a date\n', "utf-8")
    docs = ct.load(path, errors="skip")
    assert docs.loc["1", "text"] == "one\n\ntwo"
    report = ct.load_report(docs)
    assert report["line"].tolist() == [5]  # record 2 starts on line 5 of the file


def test_missing_mapped_column_names_it_and_lists_available(tmp_path):
    with pytest.raises(LoadError) as info:
        ct.load(TABLES / "articles.csv", text="article_body", errors="raise")
    assert str(info.value) == (
        f"{TABLES / 'articles.csv'}: column 'article_body' (given as text=) is not in the file; "
        "available columns: ['id', 'title', 'body', 'publish_date', 'section', 'url', 'author']"
    )


def test_missing_mapped_column_with_warn_skips_the_file(tmp_path):
    with pytest.warns(UserWarning, match="column 'nope' \\(given as date=\\) is not in the file"):
        docs = ct.load([TABLES / "articles.csv", TABLES / "headlines.csv"], date="nope")
    # headlines.csv has no column 'nope' either: both skipped, an empty frame remains
    assert len(docs) == 0
    assert ct.load_report(docs)["action"].tolist() == ["file skipped", "file skipped"]


def test_no_text_column_message(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(LoadError, match=r"no text column: none of \['text', 'body'.*available columns: \['a', 'b'\]; name the text column with text="):
        ct.load(path, errors="raise")


def test_malformed_json_line_reports_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "broken"\n{"text": "ok too"}\n', "utf-8")
    with pytest.warns(UserWarning, match="bad.jsonl, line 2: malformed JSON line"):
        docs = ct.load(path)
    assert docs["text"].tolist() == ["ok", "ok too"]
    report = ct.load_report(docs)
    assert report.loc[0, "line"] == 2
    assert report.loc[0, "problem"] == "malformed JSON line: Expecting ',' delimiter at column 18"
    assert report.loc[0, "action"] == "line skipped"
    with pytest.raises(LoadError, match=r"bad\.jsonl, line 2: malformed JSON line: Expecting ',' delimiter"):
        ct.load(path, errors="raise")


def test_malformed_json_file_reports_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"text": "a"},\n  {"text": }\n]\n', "utf-8")
    with pytest.raises(LoadError) as info:
        ct.load(path, errors="raise")
    assert str(info.value) == f"{path}, line 3: malformed JSON: Expecting value at line 3, column 12"


def test_json_that_is_not_records(tmp_path):
    path = tmp_path / "scalar.json"
    path.write_text("42", "utf-8")
    with pytest.raises(LoadError, match="JSON is not a list of records"):
        ct.load(path, errors="raise")


def test_default_ids_drop_the_suffix_of_every_table_kind(tmp_path):
    import gzip

    (tmp_path / "heads.tab").write_text("headline\tdate\nrain at last\t2003-03-01\n", encoding="utf-8")
    (tmp_path / "more.tsv.gz").write_bytes(gzip.compress(b"headline\nwind\n"))
    assert ct.load(tmp_path, errors="skip").index.tolist() == ["heads-1", "more-1"]
