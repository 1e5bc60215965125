"""HTML pages (trafilatura) and RSS/Atom feeds."""
from __future__ import annotations

import gzip
import shutil
import socket
from pathlib import Path

import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.errors import LoadError

WEB = Path(__file__).parent / "fixtures" / "io" / "web"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the loader tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_html_page_main_text_and_metadata(no_network):
    docs = ct.load(WEB / "article.html")
    assert list(docs.index) == ["article"]
    row = docs.iloc[0]
    paragraphs = row["text"].split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The harbour bridge reopened to traffic on Tuesday")
    assert paragraphs[-1].endswith("would not require a full closure of the roads.")
    for boiler in ("Subscribe now", "Most read", "Privacy policy", "Copyright 2019", "Weather"):
        assert boiler not in row["text"]
    assert row["title"] == "Harbour bridge reopens after repairs"
    assert row["date"] == pd.Timestamp("2019-08-13")
    assert row["url"] == "https://coastal.example/news/2019/08/13/harbour-bridge"
    assert row["author"] == "Maria Lopez"
    assert row["sitename"] == "The Coastal Times"
    assert row["source"] == "The Coastal Times"


def test_gzipped_html_is_read(tmp_path):
    with open(WEB / "article.html", "rb") as src, gzip.open(tmp_path / "article.html.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    docs = ct.load(tmp_path / "article.html.gz")
    assert list(docs.index) == ["article"]
    assert docs.iloc[0]["title"] == "Harbour bridge reopens after repairs"


def test_html_without_main_text_is_reported(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title></head><body><script>var a=1;</script></body></html>", "utf-8")
    with pytest.raises(LoadError, match=r"empty\.html: no main text found in the HTML page"):
        ct.load(path, errors="raise")


def test_rss_items_are_rows():
    docs = ct.load(WEB / "feed.rss")
    assert list(docs.index) == ["https://news.example/world/talks-resume", "https://news.example/weather/storm"]
    assert docs["title"].tolist() == ["Talks resume in Geneva", "Storm reaches the coast"]
    assert docs["text"].tolist() == ["Negotiators met again on Friday.", "The storm reached the coast overnight."]
    assert docs["date"].tolist() == [pd.Timestamp("2020-06-13 00:31:21"), pd.Timestamp("2020-06-13 08:00:00")]
    assert docs["url"].tolist() == ["https://news.example/world/talks-resume", "https://news.example/weather/storm"]
    assert docs["sections"].tolist() == [["World"], []]
    assert docs["source"].tolist() == ["Example World News"] * 2


def test_atom_entries_are_rows():
    docs = ct.load(WEB / "atom.xml")
    row = docs.iloc[0]
    assert docs.index[0] == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert (row["title"], row["text"], row["url"]) == ("Notes from the field", "Field notes, day one.", "https://blog.example/notes")
    assert row["date"] == pd.Timestamp("2019-12-30 18:30:02")


def test_xml_that_is_no_feed_is_reported():
    with pytest.raises(LoadError) as info:
        ct.load(WEB / "catalog.xml", errors="raise")
    assert str(info.value) == f"{WEB / 'catalog.xml'}: unsupported XML (root <catalog>, not an RSS or Atom feed)"


def test_broken_xml_is_reported(tmp_path):
    path = tmp_path / "broken.rss"
    path.write_text("<rss><channel><item><title>x</item></rss>", "utf-8")
    with pytest.raises(LoadError, match=r"broken\.rss: not well-formed XML \(mismatched tag"):
        ct.load(path, errors="raise")


def test_feed_with_entity_expansion_is_refused(tmp_path):
    path = tmp_path / "bomb.rss"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        "<rss><channel><item><title>&b;</title></item></channel></rss>", "utf-8",
    )
    with pytest.raises(LoadError, match=r"bomb\.rss: XML with entity declarations, refused"):
        ct.load(path, errors="raise")
