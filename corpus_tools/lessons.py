"""Answer checks for the exercises of the teaching notebooks (``notebooks/teaching/``).

A learner runs a check cell after an exercise and reads at once whether the answer holds, with a
hint when it does not; no grading server, nothing leaves the notebook. Each lesson has its own
object: ``from corpus_tools.lessons import lesson_02 as check``, then ``check.exercise_1(answer)``.
The checks recompute the expected answer from the lesson's own data, so they follow the library.

Examples
--------
>>> from corpus_tools.lessons import lesson_02
>>> lesson_02.exercise_2(2)
Exercise 2: correct. 2 undated documents were left out of every period and counted in attrs["n_undated"].
>>> bool(lesson_02.exercise_2(3))
False
"""
from __future__ import annotations

import math

import pandas as pd


class CheckResult:
    """The outcome of a check: true when the answer holds; shown in a notebook as its message."""

    def __init__(self, number: int, ok: bool, message: str):
        self.ok = ok
        self.message = f"Exercise {number}: {'correct' if ok else 'not yet'}. {message}"

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return self.message


def _report(number: int, ok: bool, message: str) -> CheckResult:
    return CheckResult(number, ok, message)


def _unanswered(number: int, what: str) -> CheckResult:
    return _report(number, False, f"Set the answer first: {what}.")


class _Lesson02:
    """Lesson 02 · Why a trend needs a denominator."""

    @staticmethod
    def news_stream() -> pd.DataFrame:
        """The lesson's invented stream: 4 articles in January, none in February, 10 in March, 2 in April."""
        def article(day, flood):
            return {"date": pd.Timestamp(day), "text": ("Heavy flood waters. " if flood else "") + "Council budget news."}

        rows = ([article("2021-01-10", i < 2) for i in range(4)]
                + [article("2021-03-15", i < 3) for i in range(10)]
                + [article("2021-04-05", i < 1) for i in range(2)])
        return pd.DataFrame(rows, index=pd.Index([f"n{i:02d}" for i in range(len(rows))], name="doc_id"))

    def exercise_1(self, march_rate) -> CheckResult:
        """``march_rate``: March's occurrences of "flood" per 10,000 tokens (a number)."""
        if march_rate is None:
            return _unanswered(1, "march_rate = March's value of measure='per_10k_tokens'")
        from .corpus import Corpus
        from .analyses.trends import term_trends

        corpus = Corpus.from_docs(self.news_stream(), progress=False, cache=False)
        rate = term_trends(corpus, ["flood"], measure="per_10k_tokens")
        march = rate[rate["period"] == pd.Timestamp("2021-03-01")].iloc[0]
        try:
            given = float(march_rate)
        except (TypeError, ValueError):
            return _report(1, False, f"march_rate should be a number; got {march_rate!r}.")
        if math.isclose(given, march["value"], rel_tol=1e-3):
            return _report(1, True, f"{int(march['count'])} occurrences in {int(march['n_tokens'])} tokens: "
                                    f"{march['value']:.1f} per 10,000.")
        hint = ("that is the share of documents, not tokens" if math.isclose(given, 0.3, rel_tol=1e-3) else
                "divide March's count by March's n_tokens (the kept tokens of March's articles), times 10,000")
        return _report(1, False, f"{given:g} is not March's rate: {hint}.")

    def exercise_2(self, n_undated) -> CheckResult:
        """``n_undated``: how many documents the trend left out for lack of a date."""
        if n_undated is None:
            return _unanswered(2, "n_undated = trend.attrs['n_undated']")
        if n_undated == 2:
            return _report(2, True, '2 undated documents were left out of every period and counted in '
                                    'attrs["n_undated"].')
        return _report(2, False, f"{n_undated!r}: two articles were added without a date; look at the trend's "
                                 "attrs and at the warning it gave.")

    def exercise_3(self, measure) -> CheckResult:
        """``measure``: the measure (a string) that shows attention to "budget" did not change."""
        if measure is None:
            return _unanswered(3, 'measure = "count" or "doc_share"')
        if str(measure).strip().lower() in ("doc_share", "share"):
            return _report(3, True, '"budget" is in every article: its share is 1.0 in every month with '
                                    "articles, while its count follows the volume (4, 0, 10, 2).")
        return _report(3, False, f"{measure!r}: compare the two columns month by month; which one moves only "
                                 "because the number of articles moves?")


lesson_02 = _Lesson02()

__all__ = ["lesson_02"]
