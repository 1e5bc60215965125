"""Where exactly a word is used: keyword in context on the original surface words."""
from __future__ import annotations

import re
import warnings
from bisect import bisect_left, bisect_right

import numpy as np
import pandas as pd

from ..errors import check_option, check_positive_int
from ..text.normalize import is_non_final_abbreviation
from ..text.tokenizer import TOKEN_RE, is_sentence_mark
from .trends import _phrase_delimiter, resolve_query

SORTS = (None, "left", "right")
_SPACE = re.compile(r"\s+")


def _words(text: str):
    """Word spans of a text and the sentence number of each word (as the Corpus splits sentences)."""
    spans, sentence_of = [], []
    sentence = 0
    previous = ""
    for m in TOKEN_RE.finditer(text):
        surface = m.group()
        if is_sentence_mark(surface):
            # "Mr. Shoigu": a full stop right after a title abbreviation does not end the sentence
            if not (surface == "." and is_non_final_abbreviation(previous)):
                sentence += 1
        else:
            spans.append((m.start(), m.end(), surface))
            sentence_of.append(sentence)
        previous = surface
    return spans, sentence_of


def _surface_positions(corpus, query) -> list[set]:
    """The terms each consecutive surface word of a match must normalise to."""
    vocab = corpus.vocab
    delim = _phrase_delimiter(corpus)
    if query.phrases:
        return [set(vocab[np.asarray(p, dtype=np.int64)]) for p in query.phrases[0]]
    terms = set(vocab[sorted(query.single)])
    if delim and len(terms) == 1:
        (term,) = terms
        if delim in term:
            # a joined phrase term (defense_minister) is written as separate words in the text
            return [{part} for part in term.split(delim)]
    return [terms]


def _candidate_rows(corpus, query) -> np.ndarray:
    """Documents whose counts make a match possible, read from the document-term matrix."""
    def has_any(ids):
        ids = np.asarray(sorted(ids), dtype=np.int64)
        if len(ids) == 0:
            return np.zeros(corpus.n_docs, dtype=bool)
        return np.asarray(corpus.dtm[:, ids].sum(axis=1)).ravel() > 0

    mask = has_any(query.single)
    for phrase in query.phrases:
        both = np.ones(corpus.n_docs, dtype=bool)
        for ids in phrase:
            both &= has_any(ids)
        mask |= both
    return np.flatnonzero(mask)


def _clean(fragment: str) -> str:
    return _SPACE.sub(" ", fragment).strip()


def _left(text, spans, first, window) -> str:
    # from the first context word up to the match, punctuation included ("the border. Troops")
    lo = max(first - window, 0)
    return _clean(text[spans[lo][0] : spans[first][0]]) if window and first > 0 else ""


def _right(text, spans, last, window) -> str:
    hi = min(last + 1 + window, len(spans))
    return _clean(text[spans[last][1] : spans[hi - 1][1]]) if hi > last + 1 else ""


def kwic(corpus, pattern: str, *, window: int = 5, regex: bool = False, by: str | list[str] | None = None,
         sort: str | None = None, max_rows: int | None = 1000) -> pd.DataFrame:
    """Keyword in context: every use of a term, phrase, glob or regular expression, with its context.

    Candidate documents are found through the document-term matrix, then their original text
    (``corpus.docs[corpus.params["text"]]``) is tokenised into surface words and each word is
    normalised the way the corpus was built, so ``"troops"`` finds ``Troops`` and, in a
    lemmatised corpus, ``"troop"`` finds ``troops``. Context is shown in the original words,
    stopwords and punctuation included.

    Parameters
    ----------
    corpus : Corpus
    pattern : str
        A term (``"troops"``), a phrase (``"defense minister"``: consecutive kept words within
        a sentence; stopwords between them are skipped, as in :func:`term_trends`), or glob
        patterns (``"militar*"``, ``"defen?e minist*"``). With ``regex=True``, a regular
        expression searched in the text (case-insensitive when the corpus is lowercased); a
        match is widened to the whole words it touches.
    window : int
        Surface words shown on each side.
    regex : bool
        Treat ``pattern`` as a regular expression (every document is searched).
    by : str or list of str, optional
        Docs columns added to the output (e.g. ``"source"``).
    sort : {None, "left", "right"}
        ``None``: corpus order. ``"left"``/``"right"``: by the nearest context word on that
        side, then the next one out, and so on (case-insensitive), as concordancers do.
    max_rows : int or None
        Stop after this many matches, in corpus order, with a warning when there are more
        (``None``: all). Sorting applies to the rows kept.

    Returns
    -------
    DataFrame
        Columns ``doc_id, date, title, <by...>, left, match, right``; ``date``/``title`` are
        missing values when the docs have no such column. ``left`` runs from the first context
        word to the match and ``right`` from the match to the last context word, punctuation
        included; whitespace is collapsed to single spaces.

    Raises
    ------
    KeyError
        A word of the pattern is not in the vocabulary (the message names close matches), or a
        ``by`` column does not exist.
    ValueError
        Bad ``window``, ``sort``, ``max_rows`` or regular expression; an empty pattern.

    Examples
    --------
    >>> ct.kwic(corpus, "defense minister", window=4, by="source", sort="left")  # doctest: +SKIP
    """
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(f"`pattern` must be a non-empty string; got {pattern!r}.")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0:
        raise ValueError(f"`window` must be a non-negative number of words; got {window!r}.")
    check_option("sort", sort, SORTS)
    check_positive_int("max_rows", max_rows, allow_none=True)
    by_cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    missing = [c for c in by_cols if c not in corpus.docs.columns]
    if missing:
        raise KeyError(f"`by` names no docs column: {missing}; the columns are {list(corpus.docs.columns)}.")
    text_col = corpus.params.get("text", "text")
    if text_col not in corpus.docs.columns:
        raise KeyError(f"the corpus documents have no text column {text_col!r}, so there is no text to show.")
    texts = corpus.docs[text_col]

    if regex:
        flags = re.IGNORECASE if corpus.params.get("lowercase", True) else 0
        try:
            compiled = re.compile(pattern, flags)
        except re.error as err:
            raise ValueError(f"`pattern` {pattern!r} is not a valid regular expression: {err}.") from None
        rows = np.arange(corpus.n_docs)
        finder = lambda text, spans, sentences: _regex_matches(compiled, text, spans)  # noqa: E731
    else:
        query = resolve_query(corpus, pattern)
        positions = _surface_positions(corpus, query)
        rows = _candidate_rows(corpus, query)
        normalizer = corpus._normalizer()
        # with phrase joining the parts of joined terms may be absent from the vocabulary
        check_vocab = corpus.params.get("phrases") is None
        cache: dict[str, str | None] = {}

        def term_of(surface):
            if surface not in cache:
                term = normalizer.term(surface)
                cache[surface] = term if term is not None and (not check_vocab or term in corpus.vocab) else None
            return cache[surface]

        def finder(text, spans, sentences):
            return _term_matches(positions, spans, sentences, term_of)

    records = []
    more = False
    for row in rows:
        text = texts.iloc[row]
        if not isinstance(text, str) or not text:
            continue
        spans, sentences = _words(text)
        for first, last in finder(text, spans, sentences):
            if max_rows is not None and len(records) == max_rows:
                more = True
                break
            records.append((row, first, last, text, spans))
        if more:
            break
    if more:
        warnings.warn(f"more than {max_rows} matches of {pattern!r}; showing the first {max_rows} in corpus order "
                      "(pass max_rows=None for all).", stacklevel=2)

    if sort is not None:
        def key(rec):
            _, first, last, _, spans = rec
            if sort == "left":
                words = [spans[i][2] for i in range(first - 1, max(first - window, 0) - 1, -1)]
            else:
                words = [spans[i][2] for i in range(last + 1, min(last + 1 + window, len(spans)))]
            return [w.casefold() for w in words]
        records.sort(key=key)

    docs = corpus.docs
    take = np.array([r[0] for r in records], dtype=np.int64)
    out = {"doc_id": docs.index[take].to_numpy(dtype=object),
           "date": corpus.dates.iloc[take].to_numpy(),
           "title": (docs["title"].iloc[take].to_numpy(dtype=object) if "title" in docs.columns
                     else np.full(len(take), None, dtype=object))}
    for col in by_cols:
        out[col] = docs[col].iloc[take].to_numpy()
    out["left"] = [_left(t, s, f, window) for _, f, _, t, s in records]
    out["match"] = [_clean(t[s[f][0] : s[la][1]]) for _, f, la, t, s in records]
    out["right"] = [_right(t, s, la, window) for _, _, la, t, s in records]
    result = pd.DataFrame(out)
    result.attrs.update({"pattern": pattern, "window": window, "truncated": more})
    return result


def _regex_matches(compiled, text, spans):
    starts = [s[0] for s in spans]
    ends = [s[1] for s in spans]
    last_taken = -1
    for m in compiled.finditer(text):
        if m.end() == m.start():
            continue
        first = bisect_right(ends, m.start())     # first word ending after the match starts
        last = bisect_left(starts, m.end()) - 1   # last word starting before the match ends
        if first > last or first <= last_taken:
            continue  # only punctuation matched, or the words were already shown
        last_taken = last
        yield first, last


def _term_matches(positions, spans, sentences, term_of):
    kept = [(i, term_of(s[2])) for i, s in enumerate(spans)]
    kept = [(i, t) for i, t in kept if t is not None]
    k = len(positions)
    i = 0
    while i <= len(kept) - k:
        if all(kept[i + j][1] in positions[j] for j in range(k)) and \
                sentences[kept[i][0]] == sentences[kept[i + k - 1][0]]:
            yield kept[i][0], kept[i + k - 1][0]
            i += k  # matches do not overlap
        else:
            i += 1


__all__ = ["kwic"]
