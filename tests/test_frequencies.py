"""term_frequencies: exact counts overall, per column, per exploded list column and per period."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus_tools as ct

# Kept tokens (English stopwords removed):
#   a  2021-01-05  Daily   [world, asia]  troops drill troops rest    (4)
#   b  2021-01-20  Weekly  [world]        jets drill                  (2)
#   c  2021-03-02  Daily   []             troops jets jets            (3)
#   d  undated     (none)  [asia]         drill                       (1)
DOCS = pd.DataFrame(
    {"text": ["Troops drill. The troops rest.", "Jets drill.", "Troops and jets, jets.", "Drill!"],
     "date": pd.to_datetime(["2021-01-05", "2021-01-20", "2021-03-02", None]),
     "source": ["Daily", "Weekly", "Daily", None],
     "sections": [["world", "asia"], ["world"], [], ["asia"]]},
    index=pd.Index(["a", "b", "c", "d"], name="doc_id"),
)


@pytest.fixture(scope="module")
def corpus():
    return ct.Corpus.from_docs(DOCS, cache=False, progress=False)


def test_fixture_tokens(corpus):
    assert [corpus.tokens(d) for d in "abcd"] == [["troops", "drill", "troops", "rest"], ["jets", "drill"],
                                                 ["troops", "jets", "jets"], ["drill"]]


def test_overall(corpus):
    out = ct.term_frequencies(corpus)
    assert list(out.columns) == ["term", "count", "doc_count", "share"]
    # ties (count 3) in term order
    assert out.to_dict("list") == {
        "term": ["drill", "jets", "troops", "rest"],
        "count": [3, 3, 3, 1],
        "doc_count": [3, 2, 2, 1],
        "share": [0.3, 0.3, 0.3, 0.1],
    }


def test_top_overall(corpus):
    assert ct.term_frequencies(corpus, top=2)["term"].tolist() == ["drill", "jets"]


def test_by_source_leaves_out_missing_with_a_warning(corpus):
    with pytest.warns(UserWarning, match=r"^1 of 4 documents have no `source` value and are left out of the "
                                         r"per-source results \(see result.attrs\)\.$"):
        out = ct.term_frequencies(corpus, by="source")
    assert list(out.columns) == ["source", "term", "count", "doc_count", "share"]
    assert out.to_dict("list") == {
        "source": ["Daily", "Daily", "Daily", "Daily", "Weekly", "Weekly"],
        "term": ["troops", "jets", "drill", "rest", "drill", "jets"],
        "count": [3, 2, 1, 1, 1, 1],
        "doc_count": [2, 1, 1, 1, 1, 1],
        "share": [3 / 7, 2 / 7, 1 / 7, 1 / 7, 0.5, 0.5],
    }
    assert out.attrs["n_left_out"] == 1


def test_by_sections_counts_a_document_in_each_of_its_sections(corpus):
    with pytest.warns(UserWarning, match="1 of 4 documents have no `sections` value"):
        out = ct.term_frequencies(corpus, by="sections", top=2)
    # asia: a + d = troops 2, drill 2, rest 1 (5 tokens); world: a + b = troops 2, drill 2, rest 1, jets 1 (6)
    assert out.to_dict("list") == {
        "sections": ["asia", "asia", "world", "world"],
        "term": ["drill", "troops", "drill", "troops"],
        "count": [2, 2, 2, 2],
        "doc_count": [2, 1, 2, 1],
        "share": [0.4, 0.4, 2 / 6, 2 / 6],
    }


def test_by_month_uses_period_column(corpus):
    with pytest.warns(UserWarning, match="1 of 4 documents have no date"):
        out = ct.term_frequencies(corpus, by="MS")
    assert list(out.columns[:2]) == ["period", "term"]
    jan = out[out["period"] == pd.Timestamp("2021-01-01")]
    mar = out[out["period"] == pd.Timestamp("2021-03-01")]
    assert jan[["term", "count"]].values.tolist() == [["drill", 2], ["troops", 2], ["jets", 1], ["rest", 1]]
    assert mar[["term", "count", "share"]].values.tolist() == [["jets", 2, 2 / 3], ["troops", 1, 1 / 3]]
    assert out.attrs["n_left_out"] == 1
    assert set(out["period"]) == {pd.Timestamp("2021-01-01"), pd.Timestamp("2021-03-01")}  # empty Feb has no terms


def test_errors(corpus):
    with pytest.raises(KeyError, match=r"`by`='outlet' is not a docs column; the columns are \['text', 'date', "
                                       r"'source', 'sections'\] or a calendar frequency \['D', 'W', 'MS'"):
        ct.term_frequencies(corpus, by="outlet")
    with pytest.raises(ValueError, match=r"^`top` must be a positive integer or None; got 0\.$"):
        ct.term_frequencies(corpus, top=0)
    with pytest.raises(TypeError, match=r"`by` must be the name of a docs column or a calendar frequency; got 3"):
        ct.term_frequencies(corpus, by=3)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(["alpha", "bravo", "charlie", "delta"]), min_size=1, max_size=6),
                          st.sampled_from(["x", "y", "z"])), min_size=1, max_size=10))
def test_counts_add_up(rows):
    docs = pd.DataFrame({"text": [" ".join(w) for w, _ in rows], "source": [s for _, s in rows]},
                        index=pd.Index([f"d{i}" for i in range(len(rows))], name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, stopwords=None, cache=False, progress=False)
    overall = ct.term_frequencies(corpus)
    assert overall["count"].sum() == corpus.n_tokens
    assert overall["share"].sum() == pytest.approx(1.0)
    cf = np.asarray(corpus.dtm.sum(axis=0)).ravel()
    assert dict(zip(overall["term"], overall["count"])) == {t: c for t, c in zip(corpus.vocab, cf) if c}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by = ct.term_frequencies(corpus, by="source")
    assert by["count"].sum() == corpus.n_tokens
    assert by.groupby("source")["share"].sum().to_numpy() == pytest.approx(1.0)
    assert (by["doc_count"] <= by["count"]).all()
    assert by.groupby("term")["count"].sum().to_dict() == dict(zip(overall["term"], overall["count"]))
    # sorted by group, count descending, term
    key = list(zip(by["source"], -by["count"], by["term"]))
    assert key == sorted(key)
