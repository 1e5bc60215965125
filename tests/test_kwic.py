"""kwic: matches on original surface words, phrases, globs, regular expressions, sorting and errors."""
from __future__ import annotations

import pandas as pd
import pytest

import corpus_tools as ct

DOCS = pd.DataFrame(
    {"text": ["Russian troops crossed the border. Troops returned home on Monday.",
              "The defense minister praised the troops.",
              "Mr. Defense minister spoke;\n\nthe military listened. Militants fled.",
              "Defense. Minister resigned after the vote.",
              "No match here."],
     "date": pd.to_datetime(["2021-01-03", "2021-01-20", None, "2021-03-10", "2021-03-11"]),
     "title": ["One", "Two", "Three", "Four", "Five"],
     "source": ["A", "B", "A", "B", "A"]},
    index=pd.Index(["d1", "d2", "d3", "d4", "d5"], name="doc_id"),
)


@pytest.fixture(scope="module")
def corpus():
    return ct.Corpus.from_docs(DOCS, cache=False, progress=False)


def test_term_on_surface_words_with_stopwords_in_context(corpus):
    out = ct.kwic(corpus, "troops", window=3)
    assert list(out.columns) == ["doc_id", "date", "title", "left", "match", "right"]
    assert out.to_dict("list") == {
        "doc_id": ["d1", "d1", "d2"],
        "date": [pd.Timestamp("2021-01-03"), pd.Timestamp("2021-01-03"), pd.Timestamp("2021-01-20")],
        "title": ["One", "One", "Two"],
        "left": ["Russian", "crossed the border.", "minister praised the"],
        "match": ["troops", "Troops", "troops"],
        "right": ["crossed the border", "returned home on", ""],
    }


def test_phrase_within_sentences_and_by_column(corpus):
    out = ct.kwic(corpus, "Defense Minister", window=2, by="source")
    assert list(out.columns) == ["doc_id", "date", "title", "source", "left", "match", "right"]
    # d4 has a sentence end between the words; "Mr." does not end a sentence in d3
    assert out[["doc_id", "source", "left", "match", "right"]].values.tolist() == [
        ["d2", "B", "The", "defense minister", "praised the"],
        ["d3", "A", "Mr.", "Defense minister", "spoke; the"],
    ]
    assert pd.isna(out["date"].iloc[1])


def test_glob(corpus):
    out = ct.kwic(corpus, "milit*", window=1)
    assert out[["doc_id", "left", "match", "right"]].values.tolist() == [
        ["d3", "the", "military", "listened"], ["d3", "listened.", "Militants", "fled"]]


def test_lemmatised_corpus_finds_inflected_forms():
    corpus = ct.Corpus.from_docs(DOCS, lemmatize=True, cache=False, progress=False)
    out = ct.kwic(corpus, "troop", window=1)
    assert out["match"].tolist() == ["troops", "Troops", "troops"]


def test_regex_on_text_widened_to_words(corpus):
    out = ct.kwic(corpus, r"defen[cs]e\s+minist", regex=True, window=1)
    assert out[["doc_id", "match", "right"]].values.tolist() == [["d2", "defense minister", "praised"],
                                                                 ["d3", "Defense minister", "spoke"]]
    assert ct.kwic(corpus, r"\bMilit\w+", regex=True)["match"].tolist() == ["military", "Militants"]


def test_sort_by_nearest_context_word(corpus):
    right = ct.kwic(corpus, "troops", window=2, sort="right")
    # right neighbours: "crossed the", "returned home", "" -> "", crossed, returned
    assert right["right"].tolist() == ["", "crossed the", "returned home"]
    left = ct.kwic(corpus, "troops", window=2, sort="left")
    # nearest left words: russian, border, the -> border, russian, the (case-insensitive)
    assert left["left"].tolist() == ["the border.", "Russian", "praised the"]


def test_max_rows_warns(corpus):
    with pytest.warns(UserWarning, match=r"^more than 2 matches of 'troops'; showing the first 2 in corpus order "
                                         r"\(pass max_rows=None for all\)\.$"):
        out = ct.kwic(corpus, "troops", max_rows=2)
    assert len(out) == 2 and out.attrs["truncated"]


def test_no_match_gives_empty_frame_with_columns(corpus):
    out = ct.kwic(corpus, "border troops")   # d1: a sentence ends between them
    assert out.empty and list(out.columns) == ["doc_id", "date", "title", "left", "match", "right"]


def test_errors(corpus):
    with pytest.raises(KeyError, match=r"term 'tropps' is not in the vocabulary .*close terms: \['troops'\]"):
        ct.kwic(corpus, "tropps")
    with pytest.raises(ValueError, match=r"^`sort` must be one of \[None, 'left', 'right'\]; got 'middle'\.$"):
        ct.kwic(corpus, "troops", sort="middle")
    with pytest.raises(ValueError, match=r"^`window` must be a non-negative number of words; got -1\.$"):
        ct.kwic(corpus, "troops", window=-1)
    with pytest.raises(ValueError, match=r"^`pattern` '\(troops' is not a valid regular expression"):
        ct.kwic(corpus, "(troops", regex=True)
    with pytest.raises(ValueError, match=r"^`pattern` must be a non-empty string; got ''\.$"):
        ct.kwic(corpus, "")
    with pytest.raises(KeyError, match=r"`by` names no docs column: \['outlet'\]"):
        ct.kwic(corpus, "troops", by="outlet")
    with pytest.raises(ValueError, match=r"^`max_rows` must be a positive integer or None; got 0\.$"):
        ct.kwic(corpus, "troops", max_rows=0)


@pytest.mark.corpora
def test_abc_headlines_kwic_matches_trend_count(corpora):
    docs = ct.load(corpora / "abcnews_headlines_2003", errors="skip")
    corpus = ct.Corpus.from_docs(docs, progress=False)
    out = ct.kwic(corpus, "iraq", max_rows=None, sort="right")
    assert len(out) == int(corpus.dtm[:, corpus.term_id("iraq")].sum())
    assert out["match"].str.lower().str.startswith("iraq").all()
    nearest = out["right"].str.split().str[0].fillna("").str.lower().tolist()
    assert nearest == sorted(nearest)


def test_phrase_skips_stopwords_as_the_stored_sequence_does(corpus):
    out = ct.kwic(corpus, "resigned vote", window=1)
    assert out[["doc_id", "left", "match", "right"]].values.tolist() == [
        ["d4", "Minister", "resigned after the vote", ""]]
