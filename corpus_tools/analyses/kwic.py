"""Where exactly a word is used: keyword in context on the original surface words.

Matches of terms, phrases and globs are found in the stored token ids (``corpus.ids``) with
numpy, without reading any text; only the documents of the rows returned are read again, to
turn token positions into the surface words, punctuation and case of the original text.
"""
from __future__ import annotations

import re
import warnings
from bisect import bisect_left, bisect_right

import numpy as np
import pandas as pd

from .._storage import _blocks
from ..errors import check_option, check_positive_int
from ..text.normalize import BOUNDARY
from ..text.tokenizer import TOKEN_RE, is_sentence_mark, lower_text, new_encoder, tokenize_chunk
from ._mapreduce import Plan, is_sharded, run
from .trends import _phrase_delimiter, glob_ids, is_glob, resolve_query

SORTS = (None, "left", "right")
_SPACE = re.compile(r"\s+")


# ---------------------------------------------------------------------- matches in the token ids
def _term_mask(ids_block: np.ndarray, allowed: np.ndarray, lookup: np.ndarray | None) -> np.ndarray:
    if lookup is None:
        return ids_block == allowed[0]
    return lookup[ids_block]


def _lookup_table(allowed: np.ndarray, n_terms: int) -> np.ndarray | None:
    # a boolean table indexed by term id tests many ids (a glob) in one gather, unlike np.isin's sort
    if len(allowed) == 1:
        return None
    table = np.zeros(n_terms, dtype=bool)
    table[allowed] = True
    return table


def _positions(ids: np.ndarray, allowed: np.ndarray, n_terms: int) -> np.ndarray:
    """Token positions whose id is one of ``allowed``, scanning ``ids`` block by block.

    The blocks (about 16 MB of ids each) bound the temporary boolean mask whatever the corpus
    size; where the ids are mapped from the cache, each block's pages go once it is scanned.
    """
    if len(allowed) == 0 or len(ids) == 0:
        return np.zeros(0, dtype=np.int64)
    lookup = _lookup_table(allowed, n_terms)
    parts, offset = [], 0
    for block in _blocks(ids):
        parts.append(np.flatnonzero(_term_mask(block, allowed, lookup)).astype(np.int64) + offset)
        offset += len(block)
    return np.concatenate(parts)


def _phrase_starts(corpus, positions: list[np.ndarray]) -> np.ndarray:
    """Start of every run of consecutive tokens, one id set per position, within one sentence.

    Overlapping runs of a repeating phrase ("very very" in "very very very") count once, the
    earlier one, as :func:`corpus_tools.analyses.trends.phrase_doc_counts` counts them.
    """
    ids = corpus.ids
    k = len(positions)
    allowed = [np.asarray(sorted(int(i) for i in p), dtype=np.int64) for p in positions]
    start = _positions(ids[: max(len(ids) - k + 1, 0)], allowed[0], corpus.n_terms)
    for j in range(1, k):
        if len(start) == 0:
            break
        start = start[_term_mask(ids[start + j], allowed[j], _lookup_table(allowed[j], corpus.n_terms))]
    # every document starts a sentence, so the same sentence is also the same document
    same = (np.searchsorted(corpus.sent_offsets, start, side="right")
            == np.searchsorted(corpus.sent_offsets, start + k - 1, side="right"))
    return _non_overlapping(start[same], np.full(int(same.sum()), k, dtype=np.int64))[0]


def _non_overlapping(start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop matches that begin inside the previous kept one (``start`` sorted)."""
    if len(start) < 2 or (start[1:] >= start[:-1] + length[:-1]).all():
        return start, length
    keep, next_free = [], -1
    for i, (s, n) in enumerate(zip(start.tolist(), length.tolist())):
        if s >= next_free:
            keep.append(i)
            next_free = s + n
    return start[keep], length[keep]


def _token_matches(corpus, query) -> tuple[np.ndarray, np.ndarray]:
    """First token position and number of tokens of every match of a resolved query, in corpus order."""
    starts, lengths = [], []
    if query.single:
        single = _positions(corpus.ids, np.asarray(sorted(query.single), dtype=np.int64), corpus.n_terms)
        starts.append(single)
        lengths.append(np.ones(len(single), dtype=np.int64))
    for phrase in query.phrases:
        s = _phrase_starts(corpus, phrase)
        starts.append(s)
        lengths.append(np.full(len(s), len(phrase), dtype=np.int64))
    if not starts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    start, length = np.concatenate(starts), np.concatenate(lengths)
    order = np.argsort(start, kind="stable")
    return _non_overlapping(start[order], length[order])


# ---------------------------------------------------------------------- surface words of the texts shown
def _surface_words(text: str):
    """Start and end of each word of a text (sentence marks left out), as lists."""
    starts, ends = [], []
    for m in TOKEN_RE.finditer(text):
        if not is_sentence_mark(m.group()):
            starts.append(m.start())
            ends.append(m.end())
    return starts, ends


def _as_tokenised(text: str, lowercase: bool) -> tuple[str, np.ndarray | None]:
    """The text as the corpus tokenised it, and where each of its characters is in ``text``.

    The position map is None when positions agree, which they do: :func:`lower_text` keeps
    the length (``İ`` becomes ``i``, not two characters). A map is built only if some other
    character's lowercase ever grows.
    """
    if not lowercase:
        return text, None
    lowered = lower_text(text)
    if len(lowered) == len(text):
        return lowered, None
    widths = np.fromiter((len(lower_text(c)) for c in text), dtype=np.int64, count=len(text))
    return lowered, np.repeat(np.arange(len(text), dtype=np.int64), widths)


def _token_starts(source: str, tokens: list[str]) -> np.ndarray:
    """Where each token, in order, starts in ``source``.

    No token can start in the characters between two tokens (a word character, ``.!?`` or a
    paragraph break would be one), so the next occurrence of a token's string is the token
    itself: ``str.find`` walks the text several times faster than the regular expression would.
    """
    find = source.find
    starts = []
    append = starts.append
    pos = 0
    for token in tokens:
        pos = find(token, pos)
        append(pos)
        pos += len(token)
    return np.asarray(starts, dtype=np.int64)


def _align(surface_terms: list, in_vocab: list, tokens: list[str], delimiter: str | None,
           joined_removed: bool = False):
    """Surface word span (first, last) of each stored token of one document, or None.

    The stored tokens are the kept surface words in order, less the terms removed by frequency
    limits; with phrase joining a token may stand for several consecutive kept words
    (``defense_minister``). ``surface_terms`` holds each word's term, None where none is kept;
    ``in_vocab`` tells whether that term is in the vocabulary.

    None when the words do not give the tokens. A word whose term is in the vocabulary is
    stored wherever it occurs, alone or in a joined term, so such a word left over means that
    the text was changed. Not so where frequency limits were applied after phrase joining
    (``joined_removed``): a joined term they removed takes its words with it (``christmas`` and
    ``island`` of a rare ``christmas_island``) although each word is a term, so there only
    words that cannot be matched at all tell.
    """
    firsts, lasts = [], []
    n = len(surface_terms)
    i = 0
    for token in tokens:
        while i < n:
            term = surface_terms[i]
            if term is None:
                i += 1
                continue
            if term == token:
                firsts.append(i)
                lasts.append(i)
                i += 1
                break
            if delimiter and token.startswith(term + delimiter):
                j, joined = i, term
                while len(joined) < len(token):
                    j += 1
                    while j < n and surface_terms[j] is None:
                        j += 1
                    if j == n:
                        break
                    joined = f"{joined}{delimiter}{surface_terms[j]}"
                    if not token.startswith(joined):
                        break
                if joined == token:
                    firsts.append(i)
                    lasts.append(j)
                    i = j + 1
                    break
            if in_vocab[i] and not joined_removed:
                return None  # a word the corpus stores, not stored here
            i += 1  # a word whose term the frequency limits removed
        else:
            return None
    if not joined_removed and any(in_vocab[i:]):  # words after the last token that the corpus stores
        return None
    return np.asarray(firsts, dtype=np.int64), np.asarray(lasts, dtype=np.int64)


def _surface_records(corpus, texts: pd.Series | None, start: np.ndarray, length: np.ndarray, window: int) -> list:
    """Rows of the result for the token matches given.

    A row is (doc row, first word, last word, text, word starts, word ends, number of words in
    the document). Only the documents of these matches are read and tokenised again (with the
    compiled tokeniser), and each distinct word among them is normalised once, in one call, to
    tell the words the corpus kept from the others. Word starts and ends are found only up to
    the last word the document's rows show.
    """
    if len(start) == 0:
        return []
    doc_offsets = corpus.doc_offsets
    rows = np.searchsorted(doc_offsets, start, side="right") - 1
    normalizer = corpus._normalizer()
    # matches are in corpus order, so each document's matches are consecutive
    first_hit = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    hit_bounds = np.append(first_hit, len(rows)).tolist()
    distinct_rows = rows[first_hit].tolist()
    chosen = corpus.texts(corpus.docs.index[distinct_rows]) if texts is None else texts.iloc[distinct_rows]
    originals = [t if isinstance(t, str) else "" for t in chosen.tolist()]
    prepared = [_as_tokenised(t, normalizer.lowercase_text) for t in originals]
    codes, types, counts = tokenize_chunk([source for source, _ in prepared], False, new_encoder())
    terms: list[str] = []
    kinds = normalizer.classify(types, {}, terms) if types else np.zeros(0, dtype=np.int32)
    term_of = np.array([terms[k] if k >= 0 else None for k in kinds.tolist()], dtype=object)
    # a term the frequency limits removed is in no token, like a stopword
    term_id = np.full(len(kinds), -1, dtype=np.int64)
    if terms:
        term_id[kinds >= 0] = corpus.vocab.get_indexer(term_of[kinds >= 0].tolist())
    is_word = kinds != BOUNDARY
    delimiter = _phrase_delimiter(corpus)
    params = corpus.params
    joined_removed = delimiter is not None and (
        params.get("min_df", 1) != 1 or params.get("max_df", 1.0) != 1.0 or params.get("max_terms") is not None)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    start_in_doc = (start - doc_offsets[rows]).tolist()
    length = length.tolist()

    records = []
    for d, row in enumerate(distinct_rows):
        doc_codes = codes[bounds[d] : bounds[d + 1]]
        word_tokens = np.flatnonzero(is_word[doc_codes])     # token index of each word
        word_codes = doc_codes[word_tokens]
        stored = corpus.ids[doc_offsets[row] : doc_offsets[row + 1]]
        kept = np.flatnonzero(term_id[word_codes] >= 0)
        if delimiter is None and len(kept) == len(stored) and (term_id[word_codes[kept]] == stored).all():
            first_of, last_of = kept, kept  # one surface word per token: the usual case, without a loop
        else:
            aligned = _align(term_of[word_codes].tolist(), (term_id[word_codes] >= 0).tolist(),
                             corpus.vocab[stored].tolist(), delimiter, joined_removed)
            if aligned is None:
                raise ValueError(
                    f"the text of document {corpus.docs.index[row]!r} no longer gives its stored tokens; were "
                    "corpus.docs changed after the corpus was built? Build the corpus again from the current "
                    "docs.")
            first_of, last_of = aligned
        hits = range(hit_bounds[d], hit_bounds[d + 1])
        firsts = [int(first_of[start_in_doc[h]]) for h in hits]
        lasts = [int(last_of[start_in_doc[h] + length[h] - 1]) for h in hits]
        # positions of the words up to the last one shown (the right context of the last match)
        n_words = min(max(lasts) + 1 + window, len(word_tokens))
        source, where = prepared[d]
        tokens = [types[c] for c in doc_codes[: word_tokens[n_words - 1] + 1].tolist()]
        token_starts = _token_starts(source, tokens)
        token_ends = token_starts + np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        starts, ends = token_starts[word_tokens[:n_words]], token_ends[word_tokens[:n_words]]
        if where is not None:
            starts, ends = where[starts], where[ends - 1] + 1
        starts, ends = starts.tolist(), ends.tolist()
        records.extend((row, first, last, originals[d], starts, ends, len(word_tokens))
                       for first, last in zip(firsts, lasts))
    return records


# ---------------------------------------------------------------------- regular expressions
def _regex_matches(compiled, text, starts, ends):
    """(first, last) word of each match, widened to whole words; words already shown are not repeated."""
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


def _regex_records(compiled, texts: pd.Series, max_rows: int | None) -> tuple[list, int]:
    """Rows for the first ``max_rows`` matches of a regular expression, and the number of matches."""
    records, total = [], 0
    for row, text in enumerate(texts.tolist()):
        # the C-level search skips the many texts without a match before any word is looked at
        if not isinstance(text, str) or compiled.search(text) is None:
            continue
        starts, ends = _surface_words(text)
        for first, last in _regex_matches(compiled, text, starts, ends):
            if max_rows is None or total < max_rows:
                records.append((row, first, last, text, starts, ends, len(starts)))
            total += 1
    return records, total


# ---------------------------------------------------------------------- output
def _clean(fragment: str) -> str:
    return _SPACE.sub(" ", fragment).strip()


def _left(text, starts, first, window) -> str:
    # from the first context word up to the match, punctuation included ("the border. Troops")
    lo = max(first - window, 0)
    return _clean(text[starts[lo] : starts[first]]) if window and first > 0 else ""


def _right(text, ends, last, window, n_words) -> str:
    hi = min(last + 1 + window, n_words)
    return _clean(text[ends[last] : ends[hi - 1]]) if hi > last + 1 else ""


def _sort_key(sort: str, window: int):
    def key(rec):
        _, first, last, text, starts, ends, n_words = rec
        if sort == "left":
            near = range(first - 1, max(first - window, 0) - 1, -1)
        else:
            near = range(last + 1, min(last + 1 + window, n_words))
        words = [text[starts[i] : ends[i]].casefold() for i in near]
        # an empty context (a match at the edge of its document) sorts after every word
        return (not words, words)
    return key


def _dates(corpus, take: np.ndarray) -> np.ndarray:
    docs = corpus.docs
    if "date" in docs.columns and pd.api.types.is_datetime64_any_dtype(docs["date"].dtype):
        return docs["date"].iloc[take].to_numpy()  # only the rows shown, not the whole column
    return corpus.dates.iloc[take].to_numpy()


def kwic(corpus, pattern: str, *, window: int = 5, regex: bool = False, by: str | list[str] | None = None,
         sort: str | None = None, max_rows: int | None = 1000) -> pd.DataFrame:
    """Keyword in context: every use of a term, phrase, glob or regular expression, with its context.

    Terms, phrases and globs are matched in the stored token sequence (``corpus.ids``), so a
    match is exactly what :func:`term_trends` counts: ``"troops"`` finds ``Troops`` and, in a
    lemmatised corpus, ``"troop"`` finds ``troops``. Only the documents of the rows returned
    are read again (``corpus.docs[corpus.params["text"]]``) to show the match and its context
    in the original words, stopwords, case and punctuation included.

    Parameters
    ----------
    corpus : Corpus
    pattern : str
        A term (``"troops"``), a phrase (``"defense minister"``: consecutive kept words within
        a sentence; stopwords and terms removed by the frequency limits between them are
        skipped, as in :func:`term_trends`), or glob patterns (``"militar*"``, ``"defen?e minist*"``). With ``regex=True``, a regular
        expression searched in the text (case-insensitive when the corpus is lowercased); a
        match is widened to the whole words it touches.
    window : int
        Surface words shown on each side.
    regex : bool
        Treat ``pattern`` as a regular expression (every document's text is searched, so this
        is much slower than a term on a large corpus).
    by : str or list of str, optional
        Docs columns added to the output (e.g. ``"source"``).
    sort : {None, "left", "right"}
        ``None``: corpus order. ``"left"``/``"right"``: by the nearest context word on that
        side, then the next one out, and so on (case-insensitive), as concordancers do; empty
        contexts (a match at the start or end of its document) come last.
    max_rows : int or None
        Show only the first this many matches, in corpus order, with a warning when there are
        more (``None``: all). Sorting applies to the rows kept. The number of all matches is
        in ``result.attrs["n_matches"]``.

    Returns
    -------
    DataFrame
        Columns ``doc_id, date, title, <by...>, left, match, right``; ``date``/``title`` are
        missing values when the docs have no such column. ``left`` runs from the first context
        word to the match and ``right`` from the match to the last context word, punctuation
        included; whitespace is collapsed to single spaces. ``attrs`` holds ``pattern``,
        ``window``, ``n_matches`` (all matches, also those beyond ``max_rows``) and
        ``truncated`` (rows were left out).

    Raises
    ------
    KeyError
        A word of the pattern is not in the vocabulary (the message names close matches), or a
        ``by`` column does not exist.
    ValueError
        Bad ``window``, ``sort``, ``max_rows`` or regular expression; an empty pattern; the
        text of a document shown no longer gives the tokens the corpus stores for it (words
        added, removed or changed in ``corpus.docs`` after the corpus was built).

    Warns
    -----
    UserWarning
        A glob of the pattern matches no term of the vocabulary (the result has no rows), as
        :func:`term_trends` warns for it.

    Examples
    --------
    >>> out = ct.kwic(corpus, "defense minister", window=4, by="source", sort="left")  # doctest: +SKIP
    >>> f"showing {len(out):,} of {out.attrs['n_matches']:,}"  # doctest: +SKIP
    'showing 1,000 of 3,214'
    """
    args = dict(window=window, regex=regex, by=by, sort=sort, max_rows=max_rows)
    if is_sharded(corpus) and max_rows is not None and not regex:
        return _kwic_over_shards(corpus, pattern, **args)
    return run(corpus, _kwic_prepare, _kwic_parts, _kwic_combine, _kwic_finish, pattern, **args)


def _kwic_over_shards(corpus, pattern: str, **args) -> pd.DataFrame:
    """:func:`kwic` of a term, phrase or glob over shards, the rows limited to ``max_rows``.

    Each shard's token ids are scanned once, for the number of its matches and its first
    ``max_rows`` (only those can be among the first ``max_rows`` of the corpus). Then only the
    shards holding the first ``max_rows`` of the corpus read texts and build rows, from the
    matches found: each would otherwise build its own first ``max_rows`` rows, of which the
    client keeps ``max_rows`` in all. The steps are called as :func:`run` calls them, so that
    their warnings name the caller's line.
    """
    plan = _kwic_prepare(corpus, pattern, **args)
    left, plan.found = plan.max_rows, {}
    for rows, n, start, length in corpus.map_shards(_kwic_matches, plan):  # in shard order
        shown = min(n, left)
        plan.found[rows] = (start[:shown], length[:shown], n)
        left -= shown
    return _kwic_finish(_kwic_combine(corpus.map_shards(_kwic_parts, plan)), plan)


# ---------------------------------------------------------------------- map-reduce steps
def _kwic_prepare(corpus, pattern: str, *, window: int = 5, regex: bool = False, by: str | list[str] | None = None,
                  sort: str | None = None, max_rows: int | None = 1000) -> Plan:
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(f"`pattern` must be a non-empty string; got {pattern!r}.")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0:
        raise ValueError(f"`window` must be a non-negative number of words; got {window!r}.")
    window = int(window)
    check_option("sort", sort, SORTS)
    check_positive_int("max_rows", max_rows, allow_none=True)
    by_cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    missing = [c for c in by_cols if c not in corpus.docs.columns]
    if missing:
        raise KeyError(f"`by` names no docs column: {missing}; the columns are {list(corpus.docs.columns)}.")
    if not is_sharded(corpus):
        _texts(corpus)  # each shard has its own texts; a corpus in memory says at once when it has none
    plan = Plan(pattern=pattern, window=window, regex=regex, by_cols=by_cols, sort=sort, max_rows=max_rows)
    if regex:
        flags = re.IGNORECASE if corpus.params.get("lowercase", True) else 0
        try:
            plan.compiled = re.compile(pattern, flags)
        except re.error as err:
            raise ValueError(f"`pattern` {pattern!r} is not a valid regular expression: {err}.") from None
    else:
        query = resolve_query(corpus, pattern)
        if not query.single and all(any(len(p) == 0 for p in phrase) for phrase in query.phrases):
            # only a glob can match nothing without an error; term_trends warns for it the same way
            empty = [part for part in pattern.split() if is_glob(part) and len(glob_ids(corpus, part)) == 0]
            warnings.warn(f"{(empty or [pattern])[0]!r} matches no term of the vocabulary; no rows.", stacklevel=4)
        plan.query = query
    return plan


def _texts(corpus) -> pd.Series | None:
    """The text column of the docs, or None for a corpus whose texts are read back on demand."""
    text_col = corpus.params.get("text", "text")
    if text_col in corpus.docs.columns:
        return corpus.docs[text_col]
    if "text_source" in corpus.docs.attrs:
        return None  # a corpus built by Corpus.from_parquet: only the rows shown are read back
    raise KeyError(f"the corpus documents have no text column {text_col!r}, so there is no text to show.")


def _kwic_parts(corpus, rows: slice, plan: Plan) -> dict:
    """The first ``max_rows`` rows of one shard's matches (as columns) and the number of all its matches.

    Only the shard's first ``max_rows`` matches can be among the first ``max_rows`` of the corpus,
    so only their documents are read. A plan with ``found`` (see :func:`_kwic_over_shards`) gives
    the shard's matches to show and the number of all of them: its token ids are not scanned again.
    """
    texts = _texts(corpus)
    window, max_rows = plan.window, plan.max_rows
    found = getattr(plan, "found", None)
    if plan.regex:
        records, n_matches = _regex_records(plan.compiled, corpus.texts() if texts is None else texts, max_rows)
    else:
        if found is None:
            start, length = _token_matches(corpus, plan.query)
            n_matches = len(start)
        else:
            start, length, n_matches = found[rows.start, rows.stop]
            start, length = start.astype(np.int64), length.astype(np.int64)  # as _token_matches gives them
        records = _surface_records(corpus, texts, start[:max_rows], length[:max_rows], window)
    docs = corpus.docs
    take = np.array([r[0] for r in records], dtype=np.int64)
    columns = {"doc_id": docs.index[take].to_numpy(dtype=object),
               "date": _dates(corpus, take),
               "title": (docs["title"].iloc[take].to_numpy(dtype=object) if "title" in docs.columns
                         else np.full(len(take), None, dtype=object))}
    for col in plan.by_cols:
        columns[col] = docs[col].iloc[take].to_numpy()
    columns["left"] = [_left(t, s, f, window) for _, f, _, t, s, _, _ in records]
    columns["match"] = [_clean(t[s[f] : e[la]]) for _, f, la, t, s, e, _ in records]
    columns["right"] = [_right(t, e, la, window, n) for _, _, la, t, _, e, n in records]
    keys = None if plan.sort is None else [_sort_key(plan.sort, window)(rec) for rec in records]
    return {"columns": columns, "keys": keys, "n_matches": int(n_matches), "max_rows": plan.max_rows}


def _kwic_matches(corpus, rows: slice, plan: Plan) -> tuple[tuple[int, int], int, np.ndarray, np.ndarray]:
    """The rows of one shard (start, stop), the number of matches of a token query in it, and the
    first token and length of its first ``max_rows`` matches: copies, so that only these are sent,
    in the fewest bytes that hold them (int32 starts and uint8 lengths where they fit: 5 bytes a
    match, sent back to the client and on to every worker)."""
    start, length = _token_matches(corpus, plan.query)
    n = len(start)
    start, length = start[: plan.max_rows], length[: plan.max_rows]
    start = start.astype(np.int32) if corpus.n_tokens < 2**31 else start.copy()
    length = length.astype(np.uint8) if int(length.max(initial=0)) < 256 else length.copy()
    return (rows.start, rows.stop), n, start, length


def _kwic_combine(parts: list[dict]) -> dict:
    """The rows of the shards in corpus order, the first ``max_rows`` kept; the matches of all of them."""
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    max_rows = parts[0]["max_rows"]
    # shards without rows add nothing (and an empty column could change the type of a full one)
    shown = [p for p in parts if len(p["columns"]["doc_id"])] or parts[:1]
    columns = {}
    for name, first in shown[0]["columns"].items():
        if isinstance(first, list):
            joined = [v for p in shown for v in p["columns"][name]]
        else:
            joined = np.concatenate([p["columns"][name] for p in shown])
        columns[name] = joined[:max_rows]
    keys = None if shown[0]["keys"] is None else [k for p in shown for k in p["keys"]][:max_rows]
    return {"columns": columns, "keys": keys, "n_matches": sum(p["n_matches"] for p in parts), "max_rows": max_rows}


def _kwic_finish(parts: dict, plan: Plan) -> pd.DataFrame:
    columns, n_matches, max_rows = parts["columns"], parts["n_matches"], plan.max_rows
    n_rows = len(columns["doc_id"])
    more = n_rows < n_matches
    if more:
        warnings.warn(f"more than {max_rows} matches of {plan.pattern!r}; showing the first {max_rows} in corpus "
                      "order (pass max_rows=None for all).", stacklevel=4)
    if plan.sort is not None:
        # a stable sort of the rows kept, as concordancers sort what they show
        order = sorted(range(n_rows), key=parts["keys"].__getitem__)
        columns = {name: ([values[i] for i in order] if isinstance(values, list) else values[order])
                   for name, values in columns.items()}
    result = pd.DataFrame(columns)
    result.attrs.update({"pattern": plan.pattern, "window": plan.window, "n_matches": int(n_matches),
                         "truncated": more})
    return result


__all__ = ["kwic"]
