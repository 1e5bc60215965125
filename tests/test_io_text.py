"""Plain, title-first and scraped .txt articles; the boilerplate table."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import corpus_tools as ct
from corpus_tools.io import boilerplate
from corpus_tools.io.text import breadcrumb, parse_article, split_paragraphs

FIXTURES = Path(__file__).parent / "fixtures" / "io"


def test_seed_article_is_split_into_its_parts(seed_path):
    docs = ct.load(seed_path)
    assert list(docs.index) == ["000_bb0baf8a7e2ae5bc"]
    row = docs.iloc[0]
    assert row["title"] == "Russia, China conclude massive anti-terror drills, vow closer alliance"
    assert row["sections"] == ["China", "Russia", "Editor's Choice"]
    assert row["caption"] == "Russia and China conclude massive military drills in northwest China. (File photo)"
    assert row["source"] == "Press TV"
    paragraphs = row["text"].split("\n\n")
    assert paragraphs[0].startswith("Russia and China have wrapped up their five-day joint strategic")
    assert paragraphs[0].endswith("amid rising US-led provocations in eastern Europe and the pacific.")
    assert paragraphs[-1] == (
        "China remains Russia's largest trade partner. Russian Railways announced this week that "
        "the first railway bridge between Russia and China, over the Amur River, would open soon, "
        "marking a further boost for bilateral trade."
    )
    assert len(paragraphs) == 15  # counted by hand in the seed file
    for boiler in ("alternate addresses", "Roku", "SHARE THIS ARTICLE", "News \xa0 /"):
        assert boiler not in row["text"]
    assert row["title"] not in row["text"] and row["caption"] not in row["text"]
    assert pd.isna(row["date"]) and pd.isna(row["url"])
    assert row["path"] == str(seed_path)
    assert ct.load_report(docs).empty


def test_scraped_page_with_other_separators_and_mirror_lines():
    docs = ct.load(FIXTURES / "scraped" / "2021-06-23_floods.txt")
    row = docs.iloc[0]
    assert row["sections"] == ["World", "Asia"]  # "Home" is the site root
    assert row["title"] == "Floods close schools in the north"
    assert row["caption"] == "Rescue workers carry a child through a flooded street. (Photo by Jane Roe/AFP)"
    assert row["text"] == "Heavy rain closed 300 schools on Monday."
    assert row["source"] == "Press TV"
    assert row["date"] == pd.Timestamp("2021-06-23")  # from the file name


def test_sentence_with_slashes_is_not_a_breadcrumb():
    docs = ct.load(FIXTURES / "scraped" / "not_a_breadcrumb.txt")
    row = docs.iloc[0]
    assert row["sections"] == []
    assert pd.isna(row["title"])  # the first paragraph ends like a sentence
    assert row["text"].startswith("The minister said: the talks / the vote will wait.\n\nNo breadcrumb")


def test_title_first_folder_gives_titles_and_folder_sections():
    docs = ct.load(FIXTURES / "titlefirst", errors="skip")
    assert list(docs.index) == ["business/002", "plain", "sport/001"]
    assert docs.loc["sport/001", "title"] == "Claxton wins indoor hurdles title"
    assert docs.loc["sport/001", "text"] == (
        "Sarah Claxton won the 60m hurdles in Birmingham.\n\n"
        "She now targets the European Indoor Championships."
    )
    assert docs.loc["sport/001", "sections"] == ["sport"]
    assert docs.loc["business/002", "title"] == "Rivals of the £400 Apple..."
    assert docs.loc["plain", "sections"] == []
    assert pd.isna(docs.loc["plain", "title"])
    assert docs.loc["plain", "text"].startswith("This note has one paragraph only")
    report = ct.load_report(docs)
    assert sorted(Path(p).name for p in report["path"]) == ["README.md", "SOURCE.txt"]
    assert set(report["action"]) == {"file skipped"}
    assert report["problem"].iloc[0] == "not an article (README/SOURCE/LICENSE... describe the corpus)"


def test_a_readme_named_explicitly_is_read():
    docs = ct.load(FIXTURES / "titlefirst" / "README.md", format="text")
    assert docs.iloc[0]["text"] == "A corpus of two short articles, written for the tests."


def test_glob_root_gives_ids_and_sections_relative_to_it():
    docs = ct.load(str(FIXTURES / "titlefirst" / "*" / "*.txt"))
    assert list(docs.index) == ["business/002", "sport/001"]
    assert docs["sections"].tolist() == [["business"], ["sport"]]


def test_split_paragraphs_handles_crlf_and_whitespace_lines():
    assert split_paragraphs("a\r\n\r\nb\n \nc\n") == ["a", "b", "c"]


def test_breadcrumb_rules():
    assert breadcrumb("News \xa0 / \xa0 China") == ["China"]
    assert breadcrumb("Home » Sport » Football") == ["Sport", "Football"]
    assert breadcrumb("World news") is None
    assert breadcrumb("A / B.") is None  # ends like a sentence


def test_parse_article_without_title_when_single_paragraph():
    assert parse_article("Just one line") == {"text": "Just one line"}


def test_press_tv_boilerplate_removed_from_table_text_too(tmp_path):
    path = tmp_path / "scraped.csv"
    pd.DataFrame({"text": ["Body.\n\nSHARE THIS ARTICLE\n\nPress TV News Roku", "Other body."]}).to_csv(path, index=False)
    docs = ct.load(path)
    assert docs["text"].tolist() == ["Body.", "Other body."]
    assert docs["source"].iloc[0] == "Press TV" and pd.isna(docs["source"].iloc[1])


def test_adding_a_site_is_one_table_entry(tmp_path, monkeypatch):
    table = json.loads((Path(boilerplate.__file__).parent / "boilerplate.json").read_text("utf-8"))
    table["sites"].append({
        "source": "Example Daily",
        "recognise": ["^Read more at Example Daily$"],
        "cut_from": ["^Read more at Example Daily$"],
        "drop_lines": [],
        "strip_end": [],
    })
    fake = tmp_path / "boilerplate.json"
    fake.write_text(json.dumps(table), "utf-8")

    class Files:
        def joinpath(self, name):
            return fake

    monkeypatch.setattr(boilerplate.resources, "files", lambda package: Files())
    boilerplate.table.cache_clear()
    try:
        article = tmp_path / "a.txt"
        article.write_text("Headline here\n\nBody text.\n\nRead more at Example Daily\n\nSubscribe", "utf-8")
        row = ct.load(article).iloc[0]
        assert (row["title"], row["text"], row["source"]) == ("Headline here", "Body text.", "Example Daily")
    finally:
        boilerplate.table.cache_clear()
