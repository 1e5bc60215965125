"""How attention to a term, phrase, pattern or group of terms moves over calendar periods."""
from __future__ import annotations

import fnmatch
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import check_option, check_positive_int
from .frequencies import Groups, group_documents
from .intervals import poisson_interval, wilson_interval
from ._dedupe import dedupe_attrs, kept_mask, only_kept
from ._mapreduce import Plan, add, compact, refuse_dedupe_search, run
from .periods import FREQS, Periods, assign_periods

MEASURES = ("doc_share", "count", "per_10k_tokens")
_GLOB_CHARS = re.compile(r"[*?\[]")


# ---------------------------------------------------------------------- query terms
@dataclass
class Query:
    """A query resolved against a vocabulary: single-term ids and phrases (one id set per position)."""

    name: str
    single: set = field(default_factory=set)
    phrases: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.single and not self.phrases


def is_glob(text: str) -> bool:
    return bool(_GLOB_CHARS.search(text))


def glob_ids(corpus, pattern: str) -> np.ndarray:
    """Term ids whose term matches a shell-style pattern (``militar*``), the corpus's case rules applied."""
    if corpus.params.get("lowercase", True):
        pattern = pattern.lower()
    regex = fnmatch.translate(pattern)
    return np.flatnonzero(np.asarray(corpus.vocab.str.match(regex), dtype=bool))


def _phrase_delimiter(corpus) -> str | None:
    opts = corpus.params.get("phrases")
    return opts.get("delimiter", "_") if isinstance(opts, dict) else None


# the longest run of query words looked up as one joined phrase term: each pass of the phrase
# detector joins two units, so its default two passes make at most four words, three passes eight
_MAX_JOINED_WORDS = 8


def _missing(corpus, query: str, word: str, term: str, n_items: int) -> KeyError:
    """The error for a query word whose term is not in the vocabulary, naming close terms."""
    import difflib

    close = difflib.get_close_matches(term, corpus.vocab.tolist(), n=5)
    hint = f" (close terms: {close})" if close else ""
    if n_items == 1:
        return KeyError(f"{query!r} is normalised to the term {term!r}, which is not in the vocabulary{hint}")
    which = repr(word) if word == term else f"{word!r} (term {term!r})"
    return KeyError(f"{query!r}: the word {which} is not in the vocabulary{hint}")


def resolve_query(corpus, query: str) -> Query:
    """Resolve one query string into term ids.

    A word is normalised with :meth:`Corpus.analyze` (so ``"Troops"`` finds ``troop`` in a
    lemmatised corpus); a word with ``*``, ``?`` or ``[`` is a glob over the vocabulary; several
    words are a phrase, matched as consecutive terms of the stored sequence within a sentence.
    When the corpus was built with ``phrases=True``, a run of the words whose joined form
    (``prime_minister``, ``new_south_wales``) is a term matches that term: the phrase is found
    however the phrase detector stored it, joined or word by word.

    Raises
    ------
    KeyError
        A word is not in the vocabulary, nor part of a joined term that covers it (the message
        names close matches), or the query leaves no term after normalisation (only stopwords,
        numbers or too short words).
    """
    if not isinstance(query, str):
        raise TypeError(f"a query term must be a string; got {query!r}.")
    delim = _phrase_delimiter(corpus)
    vocab = corpus.vocab
    # (word as written, its term or None for a glob, the glob's ids)
    items: list[tuple[str, str | None, np.ndarray | None]] = []
    for part in query.split():
        if is_glob(part):
            items.append((part, None, glob_ids(corpus, part)))
            continue
        for term in corpus.analyze(part):
            if vocab.get_indexer([term])[0] < 0 and "_" in term:
                # a joined phrase term asked for in a corpus that does not hold it: match its words
                pieces = [t for piece in term.split(delim or "_") for t in corpus.analyze(piece)]
                if len(pieces) > 1:
                    items.extend((part, t, None) for t in pieces)
                    continue
            items.append((part, term, None))
    if not items:
        raise KeyError(f"{query!r} leaves no term after normalising it the way this corpus was built "
                       f"(stopwords, numbers and words shorter than {corpus.params.get('min_length', 2)} "
                       "characters are not kept).")
    n = len(items)
    terms = [term for _, term, _ in items]
    found = vocab.get_indexer([t for t in terms if t is not None])
    loc = dict(zip([t for t in terms if t is not None], found.tolist()))
    result = Query(query)
    if n == 1:
        word, term, ids = items[0]
        if term is None:
            result.single.update(ids.tolist())
        elif loc[term] >= 0:
            result.single.add(loc[term])
        elif term == query:
            corpus.term_id(term)  # raises the plain message, with close terms
        else:
            raise _missing(corpus, query, word, term, 1)
        return result

    # runs of two or more words (no glob) whose joined form is a term of the vocabulary
    joined: dict[int, list[tuple[int, int]]] = {}
    if delim is not None:
        spans = [(i, j) for i in range(n) for j in range(i + 2, min(i + _MAX_JOINED_WORDS, n) + 1)
                 if all(t is not None for t in terms[i:j])]
        if spans:
            where = vocab.get_indexer([delim.join(terms[i:j]) for i, j in spans])
            for (i, j), term_id in zip(spans, where.tolist()):
                if term_id >= 0:
                    joined.setdefault(i, []).append((j, term_id))

    # every way to read the words as a sequence of terms: word by word first, then with joined terms
    memo: dict[int, list[list[np.ndarray]]] = {n: [[]]}

    def readings(i: int) -> list[list[np.ndarray]]:
        if i not in memo:
            _, term, ids = items[i]
            options = [(i + 1, ids)] if term is None else [(i + 1, np.array([loc[term]]))] if loc[term] >= 0 else []
            options += [(j, np.array([term_id])) for j, term_id in joined.get(i, [])]
            memo[i] = [[ids_here, *rest] for j, ids_here in options for rest in readings(j)]
        return memo[i]

    found_readings = readings(0)
    if not found_readings:
        covered = {k for i, ends in joined.items() for j, _ in ends for k in range(i, j)}
        absent = [k for k in range(n) if terms[k] is not None and loc[terms[k]] < 0]
        k = next((k for k in absent if k not in covered), absent[0])
        raise _missing(corpus, query, items[k][0], terms[k], n)
    for positions in found_readings:
        if len(positions) == 1:
            result.single.update(positions[0].tolist())
        else:
            result.phrases.append(positions)
    return result


def resolve_terms(corpus, terms, *, stacklevel: int = 4) -> list[Query]:
    """Turn the ``terms`` argument of :func:`term_trends` into named queries.

    Strings are single terms, phrases or globs; a dict maps a name to a list of such strings
    (a group). A missing plain term raises KeyError; a missing group member or a glob that
    matches nothing only warns; ``stacklevel`` is passed to those warnings (counted from the
    helper below this function that gives them).
    """
    if isinstance(terms, str):
        terms = [terms]
    if isinstance(terms, Mapping):
        terms = [terms]
    if not isinstance(terms, (list, tuple, pd.Index, np.ndarray)) or len(terms) == 0:
        raise TypeError("`terms` must be a term, a list of terms/phrases/glob patterns, or a dict "
                        "{'name': [terms]}; got " + repr(terms) + ".")
    queries: list[Query] = []
    for item in terms:
        if isinstance(item, Mapping):
            for name, members in item.items():
                if isinstance(members, str):
                    members = [members]
                group = Query(str(name))
                for member in members:
                    q = _resolve_lenient(corpus, member, f"group {name!r}", stacklevel)
                    group.single |= q.single
                    group.phrases += q.phrases
                queries.append(group)
        elif isinstance(item, str) and is_glob(item):
            queries.append(_resolve_lenient(corpus, item, "glob", stacklevel))
        else:
            queries.append(resolve_query(corpus, item))
    names = [q.name for q in queries]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"each term or group may be asked for once; repeated: {dup}.")
    return queries


def _resolve_lenient(corpus, query: str, where: str, stacklevel: int = 4) -> Query:
    try:
        q = resolve_query(corpus, query)
    except KeyError as err:
        warnings.warn(f"{where}: {err.args[0]}; it counts as zero.", stacklevel=stacklevel)
        return Query(query)
    if q.empty or (not q.single and any(len(p) == 0 for phrase in q.phrases for p in phrase)):
        warnings.warn(f"{where}: {query!r} matches no term of the vocabulary; it counts as zero.",
                      stacklevel=stacklevel)
    return q


def phrase_doc_counts(corpus, positions: list[np.ndarray]) -> np.ndarray:
    """Occurrences per document of consecutive terms (one id set per position) within a sentence."""
    ids = corpus.ids
    k = len(positions)
    n = len(ids) - k + 1
    if n <= 0 or any(len(p) == 0 for p in positions):
        return np.zeros(corpus.n_docs, dtype=np.int64)

    def hits(values, allowed):
        return values == allowed[0] if len(allowed) == 1 else np.isin(values, allowed)

    start = np.flatnonzero(hits(ids[:n], positions[0]))
    for j in range(1, k):
        start = start[hits(ids[start + j], positions[j])]
    # every document starts a sentence, so one sentence also means one document
    same = (np.searchsorted(corpus.sent_offsets, start, side="right")
            == np.searchsorted(corpus.sent_offsets, start + k - 1, side="right"))
    start = start[same]
    if len(start) > 1 and (np.diff(start) < k).any():
        # overlapping matches of a repeating phrase ("very very" in "very very very") count once, as in KWIC
        kept, next_free = [], -1
        for s in start.tolist():
            if s >= next_free:
                kept.append(s)
                next_free = s + k
        start = np.asarray(kept, dtype=np.int64)
    rows = np.searchsorted(corpus.doc_offsets, start, side="right") - 1
    return np.bincount(rows, minlength=corpus.n_docs).astype(np.int64)


def doc_occurrences(corpus, queries: list[Query]) -> sp.csr_matrix:
    """Occurrences of each query in each document, sparse (n_docs, n_queries)."""
    cols = sorted(set().union(*(q.single for q in queries)))
    n_q = len(queries)
    occ = sp.csr_matrix((corpus.n_docs, n_q), dtype=np.int64)
    if cols:
        sub = corpus.dtm[:, cols].astype(np.int64)
        pos = {c: i for i, c in enumerate(cols)}
        r = [pos[c] for qi, q in enumerate(queries) for c in q.single]
        c = [qi for qi, q in enumerate(queries) for _ in q.single]
        weights = sp.csr_matrix((np.ones(len(r), dtype=np.int64), (r, c)), shape=(len(cols), n_q))
        occ = (sub @ weights).tocsr()
    for qi, q in enumerate(queries):
        for phrase in q.phrases:
            counts = phrase_doc_counts(corpus, phrase)
            rows = np.flatnonzero(counts)
            if len(rows):
                occ = occ + sp.csr_matrix((counts[rows], (rows, np.full(len(rows), qi))), shape=occ.shape)
    return occ.tocsr()


def _check_smooth(smooth) -> int:
    if smooth is None:
        return 1
    return check_positive_int("smooth", smooth, allow_none=True, what="number of periods")


def _check_ci(ci) -> float | None:
    if ci is None:
        return None
    if isinstance(ci, bool) or not isinstance(ci, (float, int, np.floating)) or not 0 < ci < 1:
        raise ValueError(f"`ci` must be a confidence level between 0 and 1 (e.g. 0.95) or None; got {ci!r}.")
    return float(ci)


def _rolling_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling sum along the first axis (periods), shorter windows at the ends."""
    if window == 1:
        return values.astype(float)
    flat = values.reshape(values.shape[0], -1)
    rolled = pd.DataFrame(flat).rolling(window, center=True, min_periods=1).sum().to_numpy()
    return rolled.reshape(values.shape)


# ---------------------------------------------------------------------- trends
def term_trends(corpus, terms, *, freq: str = "MS", by: str | None = None, measure: str = "doc_share",
                smooth: int | None = None, ci: float | None = 0.95, dedupe=None) -> pd.DataFrame:
    """Per-period counts and shares of terms, phrases, glob patterns or groups of terms.

    Parameters
    ----------
    corpus : Corpus
        Needs a ``date`` column; undated documents are left out with a warning and counted in
        ``result.attrs["n_undated"]``.
    terms : str, list or dict
        Each item is a term (``"troops"``; normalised like the corpus, so ``"Troops"`` works on a
        lemmatised corpus), a phrase (``"defense minister"``: consecutive terms within a
        sentence, stopwords between them ignored as they are not stored; in a corpus built with
        ``phrases=True`` the joined term ``defense_minister`` counts too), a glob pattern
        (``"militar*"``: every matching term, summed as one series named by the pattern) or a
        dict of named groups (``{"Russia": ["russia", "russian", "moscow"]}``: occurrences of
        the members are added; a document mentions the group when it mentions any member).
    freq : {"MS", "W", "D", "QS", "YS"}
        Calendar period (see :func:`corpus_tools.analyses.periods.assign_periods`).
    by : str, optional
        A docs column (``source``, ``sections``: a document in two sections is in both); each
        group gets its own series over the same overall period range.
    measure : {"doc_share", "count", "per_10k_tokens"}
        ``doc_share``: documents mentioning / documents in the period; ``count``: occurrences;
        ``per_10k_tokens``: occurrences / kept tokens in the period * 10,000.
    smooth : int, optional
        Centred rolling window of ``smooth`` periods (shorter at the ends). The value becomes
        the window's pooled ratio: sum of numerators / sum of denominators over the window,
        i.e. the rolling mean of the per-period values weighted by each period's documents
        (``doc_share``) or tokens (``per_10k_tokens``); for ``count`` it is the plain rolling
        mean. Periods without documents then contribute nothing, and the interval is that of
        the pooled counts, so value and interval agree. ``count`` and ``n_*`` stay per period.
    ci : float or None
        Confidence level of ``ci_low``/``ci_high``: Wilson score interval for ``doc_share``,
        exact Poisson (chi-square) interval for ``count`` and ``per_10k_tokens``. ``None``
        leaves the columns NaN.
    dedupe : None, True or DataFrame
        Leave copies out of every count, denominators included: ``True`` finds them with
        :func:`corpus_tools.near_duplicates` at its defaults, a DataFrame is the groups it
        returned (found once, reused for every analysis; groups sharing a document count as
        one). Each group then counts once, as its earliest member in the corpus (by date,
        undated last, then position); the periods stay those of the whole corpus, so the
        result lines up with the one without ``dedupe``. ``None``: every document counts.

    Returns
    -------
    DataFrame
        One row per period (every calendar period from the first to the last dated document,
        empty ones included), group and term, sorted by group, term (in the order asked) and
        period. Columns: ``period`` (first day), ``<by>`` (when given), ``term`` (the query as
        written, the pattern, or the group name), ``count`` (occurrences), ``n_docs_with``
        (documents mentioning it), ``n_docs`` and ``n_tokens`` (all documents and kept tokens
        of the period: the denominators), ``value``, ``ci_low``, ``ci_high``, ``partial``
        (the data does not cover the first/last period whole). For a period without documents
        ``value``, ``ci_low`` and ``ci_high`` are NaN, except ``value`` is 0 for ``count``.
        ``attrs`` holds ``n_undated``, ``measure``, ``freq``, ``by``, ``smooth``, ``ci``,
        ``dedupe`` (whether copies were left out), ``n_copies_dropped`` (how many documents) and,
        with ``by``, ``n_left_out`` (documents without a group value).

    Raises
    ------
    KeyError
        A plain term is not in the vocabulary (the message names close matches), or ``by`` is
        not a docs column.
    ValueError
        Unknown ``measure`` or ``freq``, bad ``smooth`` or ``ci``, no document has a date, or
        ``dedupe`` is a DataFrame without the columns ``group`` and ``doc_id`` or naming none
        of the documents (some missing: a warning).
    TypeError
        ``dedupe`` is of another kind.

    Examples
    --------
    >>> trends = ct.term_trends(corpus, ["iraq", "militar*", {"Russia": ["russia", "moscow"]}],
    ...                         measure="doc_share")  # doctest: +SKIP
    >>> trends.pivot(index="period", columns="term", values="value")  # doctest: +SKIP
    >>> groups = ct.near_duplicates(corpus)                             # doctest: +SKIP
    >>> once = ct.term_trends(corpus, "iraq", dedupe=groups)            # doctest: +SKIP
    >>> once.attrs["n_copies_dropped"]                                  # doctest: +SKIP
    """
    return run(corpus, _trends_prepare, _trends_parts, add, _trends_finish, terms, freq=freq, by=by,
               measure=measure, smooth=smooth, ci=ci, dedupe=dedupe)


# ---------------------------------------------------------------------- map-reduce steps
def _trends_prepare(corpus, terms, *, freq: str = "MS", by: str | None = None, measure: str = "doc_share",
                    smooth: int | None = None, ci: float | None = 0.95, dedupe=None) -> Plan:
    check_option("measure", measure, MEASURES)
    if freq not in FREQS:
        check_option("freq", freq, list(FREQS))
    window = _check_smooth(smooth)
    ci = _check_ci(ci)
    # user -> term_trends -> run -> here -> resolve_terms -> _resolve_lenient
    queries = resolve_terms(corpus, terms, stacklevel=6)
    refuse_dedupe_search(corpus, dedupe)
    kept, _ = kept_mask(corpus, dedupe, what="term_trends")

    periods = assign_periods(corpus.dates, freq)
    if kept is not None:
        # a copy is not a document of any period; undated copies are not "left out" either
        periods = Periods(np.where(kept, periods.doc_period, -1), periods.starts, periods.partial,
                          int((kept & (periods.doc_period < 0)).sum()))
    periods.warn_undated("trends", stacklevel=5)
    n_counted = corpus.n_docs if kept is None else int(kept.sum())
    if by is None:
        groups = Groups("", pd.Index([None]), np.arange(corpus.n_docs, dtype=np.int64),
                        np.zeros(corpus.n_docs, dtype=np.int64), 0)
    else:
        groups = group_documents(corpus, by, allow_freq=False)
        if kept is not None:
            groups = only_kept(groups, kept)
        if groups.n_left_out:
            warnings.warn(f"{groups.n_left_out} of {n_counted} documents have no `{by}` value and are left out "
                          "(counted in result.attrs['n_left_out']).", stacklevel=4)

    # one cell per (period, group); a document is in as many cells as it has groups, and the
    # memberships stay in document order, so a shard's are one run of them
    doc_period = periods.doc_period[groups.doc_rows]
    dated = doc_period >= 0
    cells = doc_period[dated] * groups.n_groups + groups.codes[dated]
    rows = groups.doc_rows[dated]
    return Plan(queries=queries, cells=compact(cells), rows=compact(rows), n_periods=len(periods.starts),
                n_groups=groups.n_groups, starts=periods.starts, partial=periods.partial, labels=groups.labels,
                column=groups.column, measure=measure, window=window, ci=ci,
                attrs={"n_undated": periods.n_undated, "measure": measure, "freq": freq, "by": by,
                       "smooth": smooth, "ci": ci, **dedupe_attrs(kept),
                       **({} if by is None else {"n_left_out": groups.n_left_out})},
                client_only=("labels",))


def _trends_parts(corpus, rows: slice, plan: Plan) -> dict:
    """Occurrences, mentioning documents, documents and tokens per (period, group) cell and query, of one shard."""
    lo, hi = np.searchsorted(plan.rows, [rows.start, rows.stop])
    n_cells = plan.n_periods * plan.n_groups
    member = sp.csr_matrix((np.ones(hi - lo, dtype=np.int64), (plan.cells[lo:hi], plan.rows[lo:hi] - rows.start)),
                           shape=(n_cells, corpus.n_docs))
    occ = doc_occurrences(corpus, plan.queries)
    mentions = occ.copy()
    mentions.data = (mentions.data > 0).astype(np.int64)
    return {"count": np.asarray((member @ occ).todense()),
            "with_docs": np.asarray((member @ mentions).todense()),
            "n_docs": np.asarray(member.sum(axis=1)),
            "n_tokens": member @ corpus.doc_lengths.astype(np.int64)}


def _trends_finish(parts: dict, plan: Plan) -> pd.DataFrame:
    n_p, n_g, n_q = plan.n_periods, plan.n_groups, len(plan.queries)
    shape = (n_p, n_g, n_q)
    count = parts["count"].reshape(shape)
    with_docs = parts["with_docs"].reshape(shape)
    n_docs = parts["n_docs"].reshape(n_p, n_g, 1).repeat(n_q, axis=2)
    n_tokens = parts["n_tokens"].reshape(n_p, n_g, 1).repeat(n_q, axis=2)
    measure, window, ci = plan.measure, plan.window, plan.ci

    if measure == "doc_share":
        num, den = with_docs, n_docs
    elif measure == "count":
        num, den = count, np.ones(shape)
    else:
        num, den = count, n_tokens / 10_000
    num_w, den_w, docs_w = _rolling_sum(num, window), _rolling_sum(den, window), _rolling_sum(n_docs, window)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den_w > 0, num_w / den_w, np.nan)
    if ci is None:
        low = high = np.full(shape, np.nan)
    elif measure == "doc_share":
        low, high = wilson_interval(num_w, den_w, ci)
    else:
        low, high = poisson_interval(num_w, ci)
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = low / den_w, high / den_w
    nothing = (docs_w == 0) | (den_w == 0)
    low, high = np.where(nothing, np.nan, low), np.where(nothing, np.nan, high)

    # (period, group, term) -> rows ordered by group, term, period
    def flat(a):
        return np.transpose(np.broadcast_to(a, shape), (1, 2, 0)).ravel()

    p_idx = np.tile(np.arange(n_p), n_g * n_q)
    out = {"period": plan.starts[p_idx]}
    if plan.attrs["by"] is not None:
        out[plan.column] = plan.labels[np.repeat(np.arange(n_g), n_q * n_p)]
    out.update({
        "term": np.tile(np.repeat(np.array([q.name for q in plan.queries], dtype=object), n_p), n_g),
        "count": flat(count).astype(np.int64),
        "n_docs_with": flat(with_docs).astype(np.int64),
        "n_docs": flat(n_docs).astype(np.int64),
        "n_tokens": flat(n_tokens).astype(np.int64),
        "value": flat(value).astype(float),
        "ci_low": flat(low).astype(float),
        "ci_high": flat(high).astype(float),
        "partial": plan.partial[p_idx],
    })
    result = pd.DataFrame(out)
    result.attrs.update(plan.attrs)
    return result


__all__ = ["term_trends"]
