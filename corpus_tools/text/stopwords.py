"""Stopword lists that work offline."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

_ENGLISH_FILE = Path(__file__).with_name("english_stopwords.txt")
NAMED_LISTS = ("english", "nltk", "gensim")

# Words of news writing that say little about what an article is about: reporting verbs and
# titles, and the unit abbreviations of wire copy (Reuters: "mln dlrs", "pct", "vs", "cts").
NEWS_STOPWORDS = frozenset(
    "said says say saying told tells according mr mrs ms also would could "
    "reuter reuters mln bln dlrs dlr pct cts vs shr shrs revs avg".split()
)
NAMED_EXTRA = ("news",)


@lru_cache(maxsize=None)
def _bundled_english() -> frozenset[str]:
    lines = _ENGLISH_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _nltk_english() -> frozenset[str] | None:
    """NLTK's English list when its data is installed, else None (never downloads)."""
    try:
        from nltk.corpus import stopwords

        return frozenset(stopwords.words("english"))
    except LookupError:
        return None


def resolve_stopwords(stopwords, extra: Iterable[str] | None = None) -> frozenset[str]:
    """Turn the ``stopwords`` argument of :meth:`Corpus.from_docs` into a set of lowercase words.

    Parameters
    ----------
    stopwords : {"english", "nltk", "gensim"}, collection of str, or None
        ``"english"`` is NLTK's English list, shipped with this package so that it needs no
        download (the same words whether or not NLTK's data is installed). ``"nltk"`` reads the
        list from an installed NLTK data folder and fails when there is none. ``"gensim"`` is
        gensim's longer list (337 words). A collection is used as given; None keeps every word.
    extra : collection of str or "news", optional
        Words added to the list (``extra_stopwords=``), e.g. ``["said", "mr"]``; ``"news"`` adds
        :data:`NEWS_STOPWORDS` (reporting verbs, titles and wire-copy abbreviations).

    Examples
    --------
    >>> "the" in resolve_stopwords("english")
    True
    >>> sorted(resolve_stopwords(None, extra=["Said"]))
    ['said']
    >>> {"said", "mln", "pct"} <= resolve_stopwords("english", extra="news")
    True
    """
    if stopwords is None:
        words: frozenset[str] = frozenset()
    elif isinstance(stopwords, str):
        if stopwords == "english":
            words = _bundled_english()
        elif stopwords == "nltk":
            found = _nltk_english()
            if found is None:
                raise LookupError(
                    "stopwords='nltk' needs NLTK's stopwords data, which is not installed; "
                    "use stopwords='english' (the same list, shipped with corpus_tools)."
                )
            words = found
        elif stopwords == "gensim":
            from gensim.parsing.preprocessing import STOPWORDS

            words = frozenset(STOPWORDS)
        else:
            raise ValueError(
                f"`stopwords` must be one of {list(NAMED_LISTS)!r}, a collection of words or None; "
                f"got {stopwords!r}."
            )
    else:
        words = frozenset(str(w).lower() for w in stopwords)
    if extra is not None:
        if isinstance(extra, str):
            if extra not in NAMED_EXTRA:
                raise TypeError(f"`extra_stopwords` must be a collection of words or one of {list(NAMED_EXTRA)!r}; "
                                f"got the string {extra!r}.")
            extra = NEWS_STOPWORDS
        words = words | frozenset(str(w).lower() for w in extra)
    return words
