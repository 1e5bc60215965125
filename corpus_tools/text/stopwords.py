"""Stopword lists that work offline."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

_ENGLISH_FILE = Path(__file__).with_name("english_stopwords.txt")
NAMED_LISTS = ("english", "nltk", "gensim")


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
    extra : collection of str, optional
        Words added to the list (``extra_stopwords=``), e.g. ``["said", "mr"]`` for news text.

    Examples
    --------
    >>> "the" in resolve_stopwords("english")
    True
    >>> sorted(resolve_stopwords(None, extra=["Said"]))
    ['said']
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
            raise TypeError("`extra_stopwords` must be a collection of words, not a single string.")
        words = words | frozenset(str(w).lower() for w in extra)
    return words
