"""The answer checks of the teaching notebooks: right answers pass, wrong ones get a hint."""
from __future__ import annotations

import collections
import csv
import re
from pathlib import Path

import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.lessons import lesson_01, lesson_02, lesson_03, lesson_04

WIKINEWS_CSV = Path(ct.__file__).parent / "bundled_data" / "wikinews" / "wikinews_2019.csv"


@pytest.fixture(scope="module")
def wikinews_terms() -> list[set[str]]:
    """The set of kept terms of each Wikinews article, as the lessons tokenise them."""
    corpus = ct.Corpus.from_docs(ct.datasets.load("wikinews"), progress=False)
    return [set(corpus.tokens(doc_id)) for doc_id in corpus.docs.index]

# That each solutions notebook passes its own checks is tested where the notebooks run:
# tests/test_notebooks.py::test_executes_on_defaults.


def test_lesson_02_right_answers():
    # March: 3 occurrences in 3 * 6 + 7 * 3 = 39 kept tokens
    first = lesson_02.exercise_1(3 / 39 * 10_000)
    assert first and repr(first) == "Exercise 1: correct. 3 occurrences in 39 tokens: 769.2 per 10,000."
    assert lesson_02.exercise_2(2)
    assert lesson_02.exercise_3("doc_share") and lesson_02.exercise_3("Share")


@pytest.mark.parametrize("call,expected", [
    (lambda: lesson_02.exercise_1(None),
     "Exercise 1: not yet. Set the answer first: march_rate = March's value of measure='per_10k_tokens'."),
    (lambda: lesson_02.exercise_1(0.3),
     "Exercise 1: not yet. 0.3 is not March's rate: that is the share of documents, not tokens."),
    (lambda: lesson_02.exercise_1("many"), "Exercise 1: not yet. march_rate should be a number; got 'many'."),
    (lambda: lesson_02.exercise_2(0),
     "Exercise 2: not yet. 0: two articles were added without a date; look at the trend's attrs and at "
     "the warning it gave."),
    (lambda: lesson_02.exercise_3("count"),
     "Exercise 3: not yet. 'count': compare the two columns month by month; which one moves only because "
     "the number of articles moves?"),
])
def test_lesson_02_wrong_answers_get_a_hint(call, expected):
    result = call()
    assert not result and repr(result) == expected


def test_lesson_01():
    assert lesson_01.exercise_1({"border": 2, "closed": 1, "oil": 1, "troops": 1, "minister": 0})
    assert repr(lesson_01.exercise_1({"the": 1, "border": 2})) == (
        "Exercise 1: not yet. 'the' is a stopword: it has no column.")
    assert repr(lesson_01.exercise_1({"border": 1, "Border": 1})) == (
        "Exercise 1: not yet. 'Border' and 'border' are one column once lowercased: count both.")
    assert lesson_01.exercise_2(["closed", "crossed", "met", "moved", "prices", "troops"])
    assert not lesson_01.exercise_2(["troops"])
    assert repr(lesson_01.exercise_3(None, None)) == (
        "Exercise 1: not yet. Set the answer first: term, share = the most widespread term and its share of "
        "documents.".replace("Exercise 1", "Exercise 3"))


def test_lesson_01_widest_term_of_wikinews(wikinews_terms):
    # 'said' is in 124 of the 171 articles and no term is in more: counted here over each
    # article's set of tokens (not from the matrix the check reads), and 'said' once more as a
    # whole word in the raw CSV, before any tokeniser.
    with open(WIKINEWS_CSV, encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    assert len(texts) == len(wikinews_terms) == 171
    assert sum(bool(re.search(r"\bsaid\b", text, re.IGNORECASE)) for text in texts) == 124
    doc_freq = collections.Counter(term for terms in wikinews_terms for term in terms)
    assert doc_freq.most_common(2) == [("said", 124), ("according", 103)]

    right = lesson_01.exercise_3("said", 124 / 171)
    assert right and repr(right) == "Exercise 3: correct. 'said' is in 124 of 171 documents (73%)."
    assert lesson_01.exercise_3("said", 72.5)  # a percentage is accepted too
    assert repr(lesson_01.exercise_3("according", 103 / 171)) == (
        "Exercise 3: not yet. 'according' is not the term in most documents: count non-zero cells per column.")
    assert repr(lesson_01.exercise_3("said", 124)) == (
        "Exercise 3: not yet. 'said' is right, but 124 is not its share: documents holding it / all documents.")


def test_lesson_03():
    assert lesson_03.exercise_1(0.0) and not lesson_03.exercise_1(0.5)
    assert lesson_03.exercise_2(0.0792) and not lesson_03.exercise_2(0.5)
    assert repr(lesson_03.exercise_2("x")).startswith("Exercise 2: not yet. 'x': count sentences")


def test_lesson_03_perfect_pairs_of_wikinews(wikinews_terms):
    # Document NPMI is 1 exactly when p(x, y) = p(x) = p(y), i.e. when two terms are in the same
    # set of documents; such a pair rests on one document when that set has one article. So the
    # perfect pairs are sum C(g, 2) over the groups of g terms sharing a document set, and the
    # single-document ones the same sum over the groups of terms found in one article only
    # (no term is in all 171 articles, where NPMI would be 0/0). Counted without cooccurrence:
    docs_of = collections.defaultdict(set)
    for index, terms in enumerate(wikinews_terms):
        for term in terms:
            docs_of[term].add(index)
    groups = collections.Counter(frozenset(docs) for docs in docs_of.values())
    perfect = sum(g * (g - 1) // 2 for g in groups.values())
    single = sum(g * (g - 1) // 2 for docs, g in groups.items() if len(docs) == 1)
    assert max(len(docs) for docs in docs_of.values()) < 171
    assert (perfect, single) == (149_393, 148_887)

    right = lesson_03.exercise_3(148_887)
    assert right and repr(right) == (
        "Exercise 3: correct. 148,887 of the 149,393 perfect pairs are two words of one article: a minimum "
        "count keeps them out.")
    assert repr(lesson_03.exercise_3(149_393)) == (
        "Exercise 3: not yet. 149393: keep the rows with value 1 and count how many have count 1.")


def test_lesson_04():
    table = pd.DataFrame({"topic": [0, 1, 2], "stability": [0.9, 0.2, 0.6]})
    assert lesson_04.exercise_3(1, table) and not lesson_04.exercise_3(2, table)
    assert repr(lesson_04.exercise_3(1, table)) == (
        "Exercise 3: correct. topic 1 has the lowest stability (0.20); read its documents before naming it: "
        "a remainder is not a theme.")
    # topics tied at the lowest stability are each a right answer
    tied = pd.DataFrame({"topic": [0, 1, 2], "stability": [0.9, 0.03, 0.03]})
    assert lesson_04.exercise_3(1, tied) and lesson_04.exercise_3(2, tied) and not lesson_04.exercise_3(0, tied)
    assert repr(lesson_04.exercise_3(1, "table")) == (
        "Exercise 3: not yet. stability should be the table returned by ct.topic_stability(...), with the "
        "columns 'topic' and 'stability'.")
    assert repr(lesson_04.exercise_3("first", table)) == (
        "Exercise 3: not yet. weakest should be a topic number; got 'first'.")
    assert not lesson_04.exercise_1("a model") and lesson_04.exercise_2(False)
    assert repr(lesson_04.exercise_2("no")) == "Exercise 2: not yet. answer True or False; got 'no'."
