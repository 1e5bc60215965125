"""Answer checks for the exercises of the teaching notebooks (``notebooks/teaching/``).

A learner runs a check cell after an exercise and reads at once whether the answer holds, with a
hint when it does not; no grading server, nothing leaves the notebook. Each lesson has its own
object: ``from corpus_tools.lessons import lesson_02 as check``, then ``check.exercise_1(answer)``.
Where the answer comes from the library (a rate, a vocabulary, a count on a corpus), the check
recomputes it, so it follows the library; answers fixed by the lesson's own small texts (two
undated articles, a 1/6 probability) are compared with those values.

Examples
--------
>>> from corpus_tools.lessons import lesson_02
>>> lesson_02.exercise_2(2)
Exercise 2: correct. 2 undated documents were left out of every period and counted in attrs["n_undated"].
>>> bool(lesson_02.exercise_2(3))
False
"""
from __future__ import annotations

import functools
import math

import numpy as np
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

#: The real corpus of the lessons' last sections and exercises: bundled, dated, openly licensed.
CORPUS = "wikinews"


def _lesson_corpus():
    from .corpus import Corpus
    from .datasets import load

    return Corpus.from_docs(load(CORPUS), progress=False)


@functools.lru_cache(maxsize=1)
def _perfect_pairs() -> tuple[int, int]:
    """Pairs of the lesson corpus with document NPMI 1 at ``min_count=1``: all of them, and those
    seen in one document. Kept once computed: the table has about two million pairs."""
    from .analyses.cooccurrence import cooccurrence

    pairs = cooccurrence(_lesson_corpus(), window=None, measure="npmi", min_count=1)
    perfect = pairs[pairs["value"] >= 1 - 1e-9]
    return len(perfect), int((perfect["count"] == 1).sum())


class _Lesson01:
    """Lesson 01 · The document-term matrix."""

    TEXTS = {"a": "Troops crossed the border. The border was closed.", "b": "Oil prices rose as troops moved.",
             "c": "The oil minister met the defense minister.", "d": "Border troops closed the oil border."}

    def exercise_1(self, row) -> CheckResult:
        """``row``: the new document's row of the matrix, as a dict or Series {term: count} (zeros may be left out)."""
        if row is None:
            return _unanswered(1, 'row = {"term": count, ...} for "Border troops closed the oil border."')
        try:
            given = {str(t): int(n) for t, n in dict(row).items() if int(n) != 0}
        except (TypeError, ValueError):
            return _report(1, False, f"row should map terms to counts, e.g. {{'oil': 1}}; got {row!r}.")
        expected = {"border": 2, "closed": 1, "oil": 1, "troops": 1}
        if given == expected:
            return _report(1, True, "the stopword 'the' is dropped, 'Border' is lowercased and counted twice.")
        if "the" in given:
            return _report(1, False, "'the' is a stopword: it has no column.")
        if given.get("border") == 1 or "Border" in given:
            return _report(1, False, "'Border' and 'border' are one column once lowercased: count both.")
        return _report(1, False, f"{given} is not the row; compare it with corpus.dtm's row of the new document.")

    def exercise_2(self, merged) -> CheckResult:
        """``merged``: the plain terms whose columns merge with another form under ``lemmatize=True``."""
        if merged is None:
            return _unanswered(2, 'merged = ["...", ...], the plain columns that lemmas change')
        from .corpus import Corpus

        docs = pd.DataFrame({"text": list(self.TEXTS.values())}, index=pd.Index(list(self.TEXTS), name="doc_id"))
        plain = Corpus.from_docs(docs, progress=False, cache=False)
        lemmas = Corpus.from_docs(docs, lemmatize=True, progress=False, cache=False)
        changed = sorted(set(plain.vocab) - set(lemmas.vocab))
        given = sorted({str(t) for t in merged})
        if given == changed:
            return _report(2, True, f"{', '.join(changed)} become their base forms, so a trend of 'troop' "
                                    "counts 'troops' too.")
        return _report(2, False, f"{given}: compare list(corpus.vocab) with the lemmatised corpus's vocab; "
                                 f"{len(changed)} plain columns change.")

    def exercise_3(self, term, share) -> CheckResult:
        """``term``, ``share``: the term in the most documents of ``wikinews``, and the share of documents holding it."""
        if term is None or share is None:
            return _unanswered(3, "term, share = the most widespread term and its share of documents")
        corpus = _lesson_corpus()
        doc_freq = pd.Series((corpus.dtm > 0).sum(axis=0).A1, index=corpus.vocab)
        top = doc_freq.idxmax()
        expected = doc_freq[top] / corpus.n_docs
        if str(term) != top:
            return _report(3, False, f"{term!r} is not the term in most documents: count non-zero cells per column.")
        try:
            close = math.isclose(float(share), expected, abs_tol=0.005) or math.isclose(float(share), 100 * expected,
                                                                                         abs_tol=0.5)
        except (TypeError, ValueError):
            close = False
        if close:
            return _report(3, True, f"{top!r} is in {doc_freq[top]} of {corpus.n_docs} documents ({expected:.0%}).")
        return _report(3, False, f"{top!r} is right, but {share!r} is not its share: documents holding it / all documents.")


class _Lesson03:
    """Lesson 03 · What NPMI means."""

    def exercise_1(self, npmi) -> CheckResult:
        """``npmi``: the NPMI of *oil* and *prices* in the six documents, by hand."""
        if npmi is None:
            return _unanswered(1, "npmi = the value computed by hand")
        expected = math.log2((1 / 6) / ((3 / 6) * (2 / 6))) / -math.log2(1 / 6)
        if _close(npmi, expected):
            return _report(1, True, "p(oil, prices) = 1/6 = p(oil) p(prices) = 3/6 x 2/6: exactly as often "
                                    "together as chance predicts, so PMI and NPMI are 0.")
        return _report(1, False, f"{npmi!r}: oil is in 3 of 6 documents, prices in 2, both in 1; "
                                 "NPMI = log2(p(x,y) / (p(x) p(y))) / -log2(p(x,y)).")

    def exercise_2(self, npmi) -> CheckResult:
        """``npmi``: the NPMI of *crude* and *oil* with sentences as the unit."""
        if npmi is None:
            return _unanswered(2, "npmi = the sentence-level value")
        expected = math.log2((1 / 7) / ((2 / 7) * (3 / 7))) / -math.log2(1 / 7)
        if _close(npmi, expected):
            return _report(2, True, f"7 sentences; crude in 2, oil in 3, together in 1: NPMI {expected:.3f}.")
        return _report(2, False, f"{npmi!r}: count sentences, not documents (d1 holds two), and find in "
                                 "how many crude and oil meet.")

    def exercise_3(self, single) -> CheckResult:
        """``single``: with ``min_count=1``, the pairs of ``wikinews`` with NPMI 1 that rest on a single document."""
        if single is None:
            return _unanswered(3, "single = the number of NPMI-1 pairs whose count is 1 (min_count=1)")
        n_perfect, expected = _perfect_pairs()
        if single == expected:
            return _report(3, True, f"{expected:,} of the {n_perfect:,} perfect pairs are two words of one "
                                    "article: a minimum count keeps them out.")
        return _report(3, False, f"{single!r}: keep the rows with value 1 and count how many have count 1.")


class _Lesson04:
    """Lesson 04 · What a topic is (and is not)."""

    def exercise_1(self, model) -> CheckResult:
        """``model``: the TopicModel fitted with three topics on the sixteen sentences."""
        if model is None:
            return _unanswered(1, "model = ct.TopicModel(3, ...).fit(corpus)")
        if getattr(model, "n_topics", None) != 3 or not hasattr(model, "model_"):
            return _report(1, False, "fit a TopicModel with n_topics=3 on the lesson's corpus.")
        return _report(1, True, "with two themes, the third topic is carved out of them: "
                                f"{'; '.join(model.topic_labels().tolist())}. k is a choice, not a discovery.")

    def exercise_2(self, same_topics) -> CheckResult:
        """``same_topics``: True or False, whether seed 1 finds the same two themes as seed 0."""
        if same_topics is None:
            return _unanswered(2, "same_topics = True or False, read from the two cross-tables")
        if not isinstance(same_topics, bool):
            return _report(2, False, f"answer True or False; got {same_topics!r}.")
        return _report(2, True, "whatever the answer, topic numbers carry no meaning: runs are matched by their "
                                "words, and a finding should hold across several seeds.")

    def exercise_3(self, weakest, stability) -> CheckResult:
        """``weakest``: the least stable topic; ``stability``: the table of ``ct.topic_stability``.

        Topics tied at the lowest stability are all right answers.
        """
        if weakest is None or stability is None:
            return _unanswered(3, "weakest, stability = the least stable topic and ct.topic_stability(...)")
        if not isinstance(stability, pd.DataFrame) or not {"topic", "stability"} <= set(stability.columns):
            return _report(3, False, "stability should be the table returned by ct.topic_stability(...), with "
                                     "the columns 'topic' and 'stability'.")
        lowest = stability["stability"].min()
        tied = stability.loc[np.isclose(stability["stability"], lowest), "topic"].astype(int).tolist()
        try:
            given = int(weakest)
        except (TypeError, ValueError):
            return _report(3, False, f"weakest should be a topic number; got {weakest!r}.")
        if given in tied:
            return _report(3, True, f"topic {given} has the lowest stability ({lowest:.2f}); read its documents "
                                    "before naming it: a remainder is not a theme.")
        return _report(3, False, f"topic {weakest} is not the least stable: sort the table by 'stability'.")


def _close(value, expected: float) -> bool:
    try:
        return math.isclose(float(value), expected, abs_tol=5e-4)
    except (TypeError, ValueError):
        return False


lesson_01 = _Lesson01()
lesson_03 = _Lesson03()
lesson_04 = _Lesson04()

__all__ = ["CheckResult", "lesson_01", "lesson_02", "lesson_03", "lesson_04"]
