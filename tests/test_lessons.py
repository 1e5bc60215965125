"""The answer checks of the teaching notebooks: right answers pass, wrong ones get a hint."""
from __future__ import annotations

import pytest

from corpus_tools.lessons import lesson_01, lesson_02, lesson_03, lesson_04

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


def test_lesson_03():
    assert lesson_03.exercise_1(0.0) and not lesson_03.exercise_1(0.5)
    assert lesson_03.exercise_2(0.0792) and not lesson_03.exercise_2(0.5)
    assert repr(lesson_03.exercise_2("x")).startswith("Exercise 2: not yet. 'x': count sentences")


def test_lesson_04():
    import pandas as pd

    table = pd.DataFrame({"topic": [0, 1, 2], "stability": [0.9, 0.2, 0.6]})
    assert lesson_04.exercise_3(1, table) and not lesson_04.exercise_3(2, table)
    assert not lesson_04.exercise_1("a model") and lesson_04.exercise_2(False)
    assert repr(lesson_04.exercise_2("no")) == "Exercise 2: not yet. answer True or False; got 'no'."
