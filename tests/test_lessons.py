"""The answer checks of the teaching notebooks: right answers pass, wrong ones get a hint."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from corpus_tools.lessons import lesson_02
from corpus_tools.report import execute_notebook

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "teaching" / "solutions"


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


def test_solutions_pass_their_checks():
    nb = nbformat.read(SOLUTIONS / "02-denominators-solutions.ipynb", as_version=4)
    execute_notebook(nb, cwd=SOLUTIONS, timeout=180)
    shown = "\n".join(o.get("data", {}).get("text/plain", "") for c in nb.cells if c.cell_type == "code"
                       for o in c.outputs)
    assert [line.split(".")[0] for line in shown.splitlines() if line.startswith("Exercise")] == [
        "Exercise 1: correct", "Exercise 2: correct", "Exercise 3: correct"]
