"""ct.load on the real corpora (skipped when ../shared/corpora is absent)."""
from __future__ import annotations

import gzip
import json
from collections import Counter

import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.io.html import extract_page

pytestmark = pytest.mark.corpora


def test_reuters21578_all_files(corpora):
    with pytest.warns(UserWarning, match=r"reut2-017\.sgm, line \d+: invalid UTF-8 \(byte 0xFC"):
        docs = ct.load(str(corpora / "reuters21578" / "*.sgm"))
    assert len(docs) == 21578
    assert docs.index.is_unique
    assert docs.index[0] == "reuters-1" and docs.index[-1] == "reuters-21578"
    assert docs["date"].min().date() == pd.Timestamp("1987-02-26").date()
    assert docs["date"].max().date() == pd.Timestamp("1987-10-20").date()
    assert docs["date"].notna().all()
    assert docs["lewis_split"].value_counts().to_dict() == {"TRAIN": 14668, "TEST": 6188, "NOT-USED": 722}
    assert docs["title"].notna().sum() == 20841
    assert (docs["topics"].map(len) > 0).sum() == 11367
    assert not docs["text"].str.contains(r"\bReuter\s*$").any()
    report = ct.load_report(docs)
    repaired = report[report["action"].str.startswith("repaired")]
    assert repaired["problem"].tolist() == ["malformed date '31-MAR-1987 605:12:19.12'"]
    assert docs.loc[docs["text_type"] == "BRIEF", "text"].eq("").all()
    assert (report["problem"] == "no text in the input").sum() == (docs["text"] == "").sum()


def test_reuters21578_folder_skips_the_side_files(corpora):
    docs = ct.load(corpora / "reuters21578", errors="skip")
    assert len(docs) == 21578
    skipped = ct.load_report(docs)
    skipped = skipped.loc[skipped["action"] == "file skipped", "path"].map(lambda p: p.rsplit("/", 1)[1])
    assert sorted(skipped) == sorted([
        "README.txt", "SOURCE.txt", "lewis.dtd", "all-exchanges-strings.lc.txt", "all-orgs-strings.lc.txt",
        "all-people-strings.lc.txt", "all-places-strings.lc.txt", "all-topics-strings.lc.txt",
        "cat-descriptions_120396.txt", "feldman-cia-worldfactbook-data.txt",
    ])


def test_bbc_folder(corpora):
    with pytest.warns(UserWarning, match=r"sport/199\.txt, line \d+: invalid UTF-8 \(byte 0xA3"):
        docs = ct.load(corpora / "bbc")
    assert len(docs) == 2225
    assert docs["title"].notna().all()
    counts = docs["sections"].map(tuple).value_counts().to_dict()
    assert counts == {("sport",): 511, ("business",): 510, ("politics",): 417, ("tech",): 401, ("entertainment",): 386}
    assert docs.loc["business/001", "title"] == "Ad sales boost Time Warner profit"
    assert "£" in docs.loc["sport/199", "text"]
    skipped = ct.load_report(docs)
    assert sorted(skipped.loc[skipped["action"] == "file skipped", "path"].map(lambda p: p.rsplit("/", 1)[1])) == ["README.TXT", "SOURCE.txt"]


def test_abc_headlines(corpora):
    docs = ct.load(corpora / "abcnews_headlines_2003" / "abcnews-date-text.csv")
    assert len(docs) == 49999
    assert docs["date"].notna().all()
    assert docs["date"].min() == pd.Timestamp("2003-02-19") and docs["date"].max() == pd.Timestamp("2003-10-20")
    assert docs["text"].iloc[0] == "aba decides against community broadcasting licence"
    iraq = docs[docs["text"].str.contains(r"\biraq\b")]
    per_month = iraq["date"].dt.month.value_counts().sort_index().tolist()
    assert per_month == [60, 323, 183, 71, 68, 99, 61, 98, 59]  # Feb..Oct, as the corpus card gives


def test_wikinews_keeps_multiline_texts_whole(corpora):
    path = corpora / "wikinews" / "wikinews_2019.csv"
    docs = ct.load(path)
    plain = pd.read_csv(path)
    assert len(docs) == len(plain) == 171
    assert docs["text"].tolist() == plain["text"].tolist()
    assert docs["text"].str.contains("\n").sum() == plain["text"].str.contains("\n").sum() > 100
    assert docs["date"].min() == pd.Timestamp("2019-01-04") and docs["date"].max() == pd.Timestamp("2019-12-30")


def test_news_articles_100(corpora):
    docs = ct.load(corpora / "news_articles_100" / "100NewsArticles.csv")
    assert len(docs) == 100
    assert not any(c.startswith("Unnamed") and docs[c].isna().all() for c in docs.columns)
    assert docs["date"].min() == pd.Timestamp("2016-04-19") and docs["date"].max() == pd.Timestamp("2017-02-07")
    report = ct.load_report(docs)
    assert report.loc[0, "problem"].startswith("149 empty unnamed column(s)")


def test_html_pages_and_feed(corpora):
    docs = ct.load(corpora / "news_html" / "reuters_blueprints")
    pages = docs[docs["path"].str.endswith(".html")]
    assert pages["date"].dt.date.astype(str).tolist() == ["2019-08-13", "2018-03-15"]
    items = docs[docs["path"].str.endswith(".rss")]
    assert len(items) > 0 and items["date"].notna().all() and items["url"].notna().all()


def test_extraction_quality_on_the_benchmark_pages(corpora):
    bench = corpora / "news_html" / "article_extraction_benchmark"
    truth = json.loads((bench / "ground-truth.json").read_text("utf-8"))
    scores = []
    for page in sorted((bench / "html").glob("*.html.gz")):
        row = extract_page(gzip.decompress(page.read_bytes()).decode("utf-8"))
        got, want = Counter((row["text"] if row else "").split()), Counter(truth[page.name[:-8]]["articleBody"].split())
        tp = sum((got & want).values())
        scores.append(0 if tp == 0 else 2 * tp / (sum(got.values()) + sum(want.values())))
    assert len(scores) >= 90
    assert sum(scores) / len(scores) >= 0.90
