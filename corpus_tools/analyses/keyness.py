"""What distinguishes one outlet, section or period from another: keyness over the whole vocabulary.

All statistics are computed on the 2x2 table of each term at once (numpy over the vocabulary):

=================  ===============  ==================
                   target           reference
=================  ===============  ==================
the term           ``a``            ``b``
all other terms    ``c - a``        ``d - b``
=================  ===============  ==================

with ``c`` and ``d`` the kept tokens of the target and reference documents.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import special  # chdtrc and ndtr are chi2.sf and norm.cdf, without importing scipy.stats

from ..errors import check_option
from ._dedupe import dedupe_attrs, kept_rows, only_kept, resolve_groups
from ._mapreduce import Plan, add, refuse_dedupe_search, run
from .association import g2
from .frequencies import _is_listlike, check_top, group_documents, holds_lists, warn_left_out

_DATE_RE = re.compile(r"^\d{4}(-\d{1,2}){0,2}$")  # 2003, 2003-03, 2003-03-20
MEASURES = ("g2", "chi2", "log_ratio", "log_odds")
_LABELS = {
    "g2": "signed log-likelihood G²",
    "chi2": "signed chi² (Yates)",
    "log_ratio": "log ratio (binary log of relative frequencies)",
    "log_odds": "z-score of weighted log-odds",
}


# ---------------------------------------------------------------------- statistics
def log_ratio(a, b, c, d):
    """Hardie's Log Ratio: log2 of (a/c) / (b/d); a zero count is replaced by 0.5 first."""
    a = np.where(np.asarray(a) == 0, 0.5, a).astype(float)
    b = np.where(np.asarray(b) == 0, 0.5, b).astype(float)
    return np.log2((a / c) / (b / d))


def log_likelihood(a, b, c, d):
    """Dunning's log-likelihood G² of each term's 2x2 table (all four cells), unsigned.

    ``G² = 2 * sum(O * ln(O / E))`` over the cells ``a, b, c - a, d - b``, with ``0 * ln 0 = 0``:
    the G-test of ``scipy.stats.chi2_contingency(table, correction=False,
    lambda_="log-likelihood")``. Rayson's two-cell shortcut (terms ``a`` and ``b`` only) is a
    little smaller; it leaves out the "all other terms" row.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    # the term's row (a + b) and the target's column (c) of one 2x2 table over c + d tokens
    return np.abs(g2(a, a + b, c, c + d))


def chi_square(a, b, c, d):
    """Pearson's chi² of each term's 2x2 table with Yates' continuity correction, unsigned.

    The same as ``scipy.stats.chi2_contingency([[a, b], [c - a, d - b]])`` (whose default for a
    2x2 table is Yates' correction): every cell's ``|O - E|`` is reduced by 0.5, not below 0.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = c + d
    row1, row2 = a + b, n - a - b
    e11, e12 = row1 * c / n, row1 * d / n
    e21, e22 = row2 * c / n, row2 * d / n
    dev = np.maximum(np.abs(a - e11) - 0.5, 0.0)  # |O - E| is the same in all four cells
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1 / e11 + 1 / e12 + 1 / e21 + 1 / e22
        return np.where(row2 > 0, dev**2 * inv, 0.0)


def log_odds_z(a, b, c, d, alpha0: float):
    """Monroe, Colaresi & Quinn (2008) z-scores of log-odds with an informative Dirichlet prior.

    The prior of each term is ``alpha_w = alpha0 * (a + b) / (c + d)``: its share of the whole
    compared corpus (target + reference) times ``alpha0``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    alpha = alpha0 * (a + b) / (c + d)
    delta = (np.log((a + alpha) / (c + alpha0 - a - alpha))
             - np.log((b + alpha) / (d + alpha0 - b - alpha)))
    return delta / np.sqrt(1 / (a + alpha) + 1 / (b + alpha))


def keyness_scores(a, b, c, d, measure: str = "g2", alpha0: float = 1000.0) -> dict[str, np.ndarray]:
    """Score, p-value and effect (log ratio) of every term, vectorised over the vocabulary.

    The score carries a sign: positive when the term is relatively more frequent in the target
    (a/c > b/d), negative when it is more frequent in the reference.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    c, d = float(c), float(d)
    score, stat = _score(a, b, c, d, measure, alpha0)
    return {"score": score, **_p_value_and_effect(a, b, c, d, measure, score, stat)}


def _score(a, b, c, d, measure: str, alpha0: float):
    """The signed score of :func:`keyness_scores` (float ``a``, ``b``), and the unsigned
    statistic its p-value is read from (None when that is not the score's own)."""
    if measure == "log_ratio":
        return log_ratio(a, b, c, d), None
    if measure == "log_odds":
        return log_odds_z(a, b, c, d, alpha0), None
    # positive: relatively more frequent in the target; exact ties score 0
    sign = np.where(a / c < b / d, -1.0, 1.0)
    stat = log_likelihood(a, b, c, d) if measure == "g2" else chi_square(a, b, c, d)
    return sign * stat, stat


def _p_value_and_effect(a, b, c, d, measure: str, score, stat) -> dict[str, np.ndarray]:
    """The rest of :func:`keyness_scores`, for the terms of ``score`` (and ``stat``) only."""
    effect = score if measure == "log_ratio" else log_ratio(a, b, c, d)
    if measure == "log_odds":
        p = 2 * special.ndtr(-np.abs(score))
    else:
        # log_ratio is ranked by effect and filtered by G²'s p-value, as Hardie recommends
        p = special.chdtrc(1, log_likelihood(a, b, c, d) if stat is None else stat)
    return {"p_value": p, "effect": effect}


# ---------------------------------------------------------------------- selecting documents
def _condition_mask(corpus, condition: Mapping) -> np.ndarray:
    mask = np.ones(corpus.n_docs, dtype=bool)
    for column, wanted in condition.items():
        if column not in corpus.docs.columns:
            raise KeyError(f"no docs column {column!r} for the condition {dict(condition)!r}; "
                           f"the columns are {list(corpus.docs.columns)}.")
        values = corpus.docs[column]
        wanted_set = set(wanted) if isinstance(wanted, (list, tuple, set, frozenset)) else {wanted}
        if holds_lists(values):
            # list columns such as `sections`: the document is selected when it contains a wanted value
            hit = values.map(lambda v: _is_listlike(v) and not wanted_set.isdisjoint(v))
        else:
            hit = values.isin(list(wanted_set))
        mask &= hit.to_numpy(dtype=bool)
    return mask


def _as_bound(value, end: bool) -> pd.Timestamp:
    if isinstance(value, str):
        try:
            if not _DATE_RE.match(value.strip()):
                raise ValueError
            period = pd.Period(value.strip())
        except ValueError:
            raise ValueError(f"cannot read the date {value!r}; write e.g. '2003-03' or '2003-03-20'.") from None
        return period.end_time if end else period.start_time
    return pd.Timestamp(value)


def select_documents(corpus, spec, name: str) -> tuple[np.ndarray, str, bool]:
    """Boolean mask of the documents ``spec`` selects, a label for it, and whether it is a date range.

    ``spec`` is a boolean mask (array or Series aligned with the docs), a dict of docs-column
    conditions (``{"source": "Press TV"}``; a list of values means any of them; list columns
    such as ``sections`` match when they contain the value), a period string (``"2003-03"``,
    ``"2003"``, ``"2003-03-20"``) or a ``(start, end)`` tuple of dates, both ends included (a
    string end includes its whole period: ``("2003-03", "2003-04")`` is March and April).
    """
    if isinstance(spec, pd.Series) and spec.dtype == bool:
        if not spec.index.equals(corpus.docs.index):
            spec = spec.reindex(corpus.docs.index, fill_value=False)
        return spec.to_numpy(dtype=bool), f"{name} selection", False
    if isinstance(spec, Mapping):
        label = ", ".join(f"{k}={v}" for k, v in spec.items())
        return _condition_mask(corpus, spec), label, False
    if isinstance(spec, str) or (isinstance(spec, tuple) and len(spec) == 2):
        start, end = (spec, spec) if isinstance(spec, str) else spec
        lo, hi = _as_bound(start, end=False), _as_bound(end, end=True)
        if lo > hi:
            raise ValueError(f"the {name} period {spec!r} ends before it starts.")
        dates = corpus.dates
        label = spec if isinstance(spec, str) else f"{start}..{end}"
        return ((dates >= lo) & (dates <= hi)).to_numpy(dtype=bool), str(label), True
    arr = np.asarray(spec)
    if arr.dtype == bool:
        if arr.shape != (corpus.n_docs,):
            raise ValueError(f"the `{name}` mask must have one value per document ({corpus.n_docs}); "
                             f"got shape {arr.shape}.")
        return arr, f"{name} selection", False
    raise TypeError(f"`{name}` must be a boolean mask over the documents, a dict of docs-column conditions "
                    f"({{'source': 'Press TV'}}), a period string ('2003-03') or a (start, end) tuple; got {spec!r}.")


def _check_min_count(min_count) -> None:
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise ValueError(f"`min_count` must be a non-negative integer; got {min_count!r}.")


def _table(vocab, a, b, c, d, measure, alpha0, min_count, head: int | None = None) -> pd.DataFrame:
    """The keyness table of the terms counted ``min_count`` times, best score first; with
    ``head``, its first ``head`` rows only (their p-values alone are computed)."""
    keep = (a + b >= max(min_count, 1))
    a, b = a[keep], b[keep]
    fa, fb, fc, fd = a.astype(float), b.astype(float), float(c), float(d)
    score, stat = _score(fa, fb, fc, fd, measure, alpha0)
    order = np.lexsort((np.arange(len(score)), -score))
    if head is not None:
        order = order[:head]
    a, b = a[order], b[order]
    rest = _p_value_and_effect(fa[order], fb[order], fc, fd, measure, score[order],
                               None if stat is None else stat[order])
    return pd.DataFrame({
        "term": vocab[keep].to_numpy(dtype=object)[order],
        "target_count": a.astype(np.int64),
        "reference_count": b.astype(np.int64),
        "target_share": a / c,
        "reference_share": b / d,
        "score": score[order],
        **rest,
    })


def _sum_type(m, weight: int = 1) -> type:
    """The integer type to sum rows of the matrix ``m`` in, each row weighted by at most
    ``weight``: int32 when it holds int32 counts whose total times ``weight`` (the largest any
    such sum can be) fits, so that scipy multiplies it as it is stored, not through a copy cast
    to int64 (0.6 GB for a million articles)."""
    if m.dtype == np.int32 and int(m.data.sum(dtype=np.int64)) * max(int(weight), 1) <= np.iinfo(np.int32).max:
        return np.int32
    return np.int64


def _column_sums(corpus, *masks: np.ndarray, kind: type | None = None) -> list[np.ndarray]:
    """Occurrences of every term in the documents of each boolean mask over the rows (int64);
    ``kind``: the :func:`_sum_type` of the corpus matrix, when known."""
    m = corpus.dtm
    kind = _sum_type(m) if kind is None else kind
    return [np.asarray(m.T @ mask.astype(kind)).ravel().astype(np.int64) for mask in masks]


# ---------------------------------------------------------------------- public
def keyness(corpus, target, *, reference=None, measure: str = "g2", top: int | None = None,
            min_count: int = 5, alpha0: float = 1000.0, dedupe=None) -> pd.DataFrame:
    """Terms that distinguish the target documents from the reference documents.

    Parameters
    ----------
    corpus : Corpus
    target : boolean mask, dict, str or (start, end) tuple
        The target documents: a boolean mask aligned with the docs; a docs-column condition
        (``{"source": "Press TV"}``, ``{"sections": "sport"}`` for "contains"; several keys must
        all hold); a period (``"2003-03"``) or a ``(start, end)`` tuple of dates, both included.
    reference : same kinds as ``target``, optional
        Defaults to every other document; for a period target, every other *dated* document
        (undated documents may belong to the period, so they are left out with a warning).
    measure : {"g2", "chi2", "log_ratio", "log_odds"}
        The score: ``g2`` log-likelihood G² (Dunning 1993, all four cells of the 2x2 table), p-value from
        chi² with 1 degree of freedom; ``chi2`` Pearson's chi² with Yates' continuity
        correction, p-value likewise; ``log_ratio`` Hardie's binary log of the ratio of relative
        frequencies, zero counts replaced by 0.5 (its p-value is G²'s, as Hardie recommends
        filtering by significance and ranking by effect); ``log_odds`` z-score of the weighted
        log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), prior
        ``alpha_w = alpha0 * share of w in target + reference``, two-sided normal p-value.
    top : int, optional
        Keep the ``top`` highest scores (target side) and the ``top`` lowest (reference side).
    min_count : int
        Leave out terms occurring fewer than ``min_count`` times in target and reference together.
    alpha0 : float
        Total weight of the prior of ``log_odds`` (pseudo-counts added over the vocabulary).
    dedupe : None, True or DataFrame
        Leave copies out of both sides: ``True`` finds them with
        :func:`corpus_tools.near_duplicates` at its defaults, a DataFrame is the groups it
        returned (groups sharing a document count as one). A group with members in target
        or reference counts once, as its earliest member among the target and reference
        documents, on the side that member is on: the documents in neither side play no part.
        ``target`` and ``reference`` are still given over the whole corpus. ``None``: every
        document counts.

    Returns
    -------
    DataFrame
        Columns ``term, target_count, reference_count, target_share, reference_share, score,
        p_value, effect``: counts, relative frequencies (count / kept tokens of the side),
        the signed score (positive: relatively more frequent in the target; negative: in the
        reference), its p-value, and ``effect`` = log ratio (as above) whatever the measure.
        Sorted by score descending (ties in term order). ``attrs`` holds ``measure``,
        ``target``/``reference`` labels, their document and token counts (copies left out),
        ``dedupe`` and ``n_copies_dropped`` (documents of target and reference left out as copies).

    Raises
    ------
    KeyError
        A condition names a docs column that does not exist.
    ValueError
        Unknown ``measure``; the target or reference selects no document or no token; target
        and reference overlap; bad ``top`` or ``min_count``; unreadable period; ``dedupe`` is a
        DataFrame without the columns ``group`` and ``doc_id``, or naming none of the documents.
    TypeError
        ``target``, ``reference`` or ``dedupe`` is of another kind.

    Examples
    --------
    >>> ct.keyness(corpus, {"sections": "sport"}, top=10)                     # doctest: +SKIP
    >>> ct.keyness(corpus, "2003-03", measure="log_odds")                     # doctest: +SKIP
    >>> ct.keyness(corpus, "2003-03", dedupe=ct.near_duplicates(corpus))      # doctest: +SKIP
    """
    return run(corpus, _keyness_prepare, _keyness_parts, add, _keyness_finish, target, reference=reference,
               measure=measure, top=top, min_count=min_count, alpha0=alpha0, dedupe=dedupe)


def _keyness_prepare(corpus, target, *, reference=None, measure: str = "g2", top: int | None = None,
                     min_count: int = 5, alpha0: float = 1000.0, dedupe=None) -> Plan:
    check_option("measure", measure, MEASURES)
    check_top(top)
    _check_min_count(min_count)
    refuse_dedupe_search(corpus, dedupe)
    groups = resolve_groups(corpus, dedupe)
    target_mask, target_label, by_date = select_documents(corpus, target, "target")
    if reference is None:
        reference_mask = ~target_mask
        reference_label = "rest of the corpus"
        if by_date:
            dated = corpus.dates.notna().to_numpy()
            undated = ~dated
            if groups is not None and undated.any():
                # an undated copy of a dated story would be left out anyway: not worth a warning
                undated &= kept_rows(corpus, groups, check=False)
            if undated.any():
                warnings.warn(f"{int(undated.sum())} undated documents are left out of the reference "
                              "(they may belong to the target period).", stacklevel=4)
            reference_mask &= dated
            reference_label = "other dates"
    else:
        reference_mask, reference_label, _ = select_documents(corpus, reference, "reference")
        overlap = int((target_mask & reference_mask).sum())
        if overlap:
            raise ValueError(f"target and reference share {overlap} documents; keyness compares two separate "
                             "sets (leave out `reference` to compare with the rest of the corpus).")
    kept = None
    if groups is not None:
        # each story's earliest member among the documents compared: one outside both sides drops nothing
        kept = kept_rows(corpus, groups, within=target_mask | reference_mask, what="keyness", stacklevel=4)
        target_mask, reference_mask = target_mask & kept, reference_mask & kept
    # the kept tokens of each side are the sums of its documents' lengths (the rows of the matrix)
    lengths = corpus.doc_lengths
    for side, mask, label in (("target", target_mask, target_label), ("reference", reference_mask, reference_label)):
        tokens = int(lengths[mask].sum())
        if not mask.any() or tokens == 0:
            raise ValueError(f"the {side} ({label!s}) holds {int(mask.sum())} documents and {tokens} tokens; "
                             "keyness needs both sides to have tokens. Check the condition, its spelling and the "
                             "dates.")
    return Plan(target_mask=target_mask, reference_mask=reference_mask, measure=measure, top=top,
                min_count=min_count, alpha0=alpha0, vocab=corpus.vocab,
                attrs={"measure": measure, "score_label": _LABELS[measure], "target": target_label,
                       "reference": reference_label, "target_docs": int(target_mask.sum()),
                       "reference_docs": int(reference_mask.sum())},
                dedupe=dedupe_attrs(kept), client_only=("vocab",))


def _keyness_parts(corpus, rows: slice, plan: Plan) -> dict:
    """Occurrences of every term in the target and in the reference documents of one shard."""
    a, b = _column_sums(corpus, plan.target_mask[rows], plan.reference_mask[rows])
    return {"a": a, "b": b}


def _keyness_finish(parts: dict, plan: Plan) -> pd.DataFrame:
    a, b = parts["a"], parts["b"]
    c, d = int(a.sum()), int(b.sum())
    top = plan.top
    table = _table(plan.vocab, a, b, c, d, plan.measure, plan.alpha0, plan.min_count)
    if top is not None and len(table) > 2 * top:
        table = pd.concat([table.head(top), table[table["score"] < 0].tail(top)]).drop_duplicates("term")
        table = table.reset_index(drop=True)
    table.attrs.update({**plan.attrs, "target_tokens": c, "reference_tokens": d, **plan.dedupe})
    return table


def keyness_table(corpus, by: str, *, top: int | None = 20, measure: str = "g2", min_count: int = 5,
                  alpha0: float = 1000.0, dedupe=None) -> pd.DataFrame:
    """Keyness of each group against the other groups, in one long table.

    Parameters
    ----------
    corpus : Corpus
    by : str
        A docs column (``source``; ``sections`` exploded, so a document in two sections is in
        both) or a calendar frequency (``"MS"``, ``"YS"``...). Each group is compared with the
        documents of all other groups; documents in no group (missing value, no date) are left
        out with a warning.
    top : int or None
        Keep the ``top`` highest-scoring terms of each group (its target side); ``None`` keeps all.
    measure, min_count, alpha0, dedupe
        As in :func:`keyness`; with ``dedupe`` each copy group counts once, in the group(s) of
        its earliest member among the documents that are in some group (a member in no group
        plays no part).

    Returns
    -------
    DataFrame
        Columns ``group, term, target_count, reference_count, target_share, reference_share,
        score, p_value, effect`` (as in :func:`keyness`, the target being the group), sorted by
        group, then score descending. ``attrs`` holds ``measure``, ``by``, ``n_left_out``,
        ``dedupe`` and ``n_copies_dropped`` (documents of the groups left out as copies).

    Raises
    ------
    KeyError
        ``by`` is neither a docs column nor a calendar frequency.
    ValueError
        Fewer than two groups with tokens (copies left out), unknown ``measure``, bad ``top``
        or ``min_count``, ``dedupe`` a DataFrame without the columns ``group`` and ``doc_id``
        or naming none of the documents.
    TypeError
        ``dedupe`` is of another kind.

    Examples
    --------
    >>> ct.keyness_table(corpus, by="sections", top=10)                      # doctest: +SKIP
    >>> ct.keyness_table(corpus, by="source", dedupe=True)                   # doctest: +SKIP
    """
    return run(corpus, _keyness_table_prepare, _keyness_table_parts, add, _keyness_table_finish, by, top=top,
               measure=measure, min_count=min_count, alpha0=alpha0, dedupe=dedupe)


def _keyness_table_prepare(corpus, by: str, *, top: int | None = 20, measure: str = "g2", min_count: int = 5,
                           alpha0: float = 1000.0, dedupe=None) -> Plan:
    check_option("measure", measure, MEASURES)
    check_top(top)
    _check_min_count(min_count)
    refuse_dedupe_search(corpus, dedupe)
    copies = resolve_groups(corpus, dedupe)
    groups = group_documents(corpus, by)
    kept = None
    if copies is not None:
        # each story's earliest member among the documents of some group: one in no group drops nothing
        in_a_group = np.zeros(corpus.n_docs, dtype=bool)
        in_a_group[groups.doc_rows] = True
        kept = kept_rows(corpus, copies, within=in_a_group, what="keyness_table", stacklevel=4)
        groups = only_kept(groups, kept)
    # a group without tokens (empty, or holding only copies) has nothing to compare
    tokens = np.bincount(groups.codes, weights=corpus.doc_lengths[groups.doc_rows], minlength=groups.n_groups)
    with_tokens = tokens > 0
    if with_tokens.sum() < 2:
        empty = list(groups.labels[~with_tokens])
        why = " once the copies are left out" if kept is not None else ""
        raise ValueError(f"keyness_table needs at least two groups in `{by}`; found {list(groups.labels[with_tokens])}"
                         + (f" ({empty}: no tokens{why})" if empty else "") + ". "
                         "Use ct.keyness(corpus, target) to compare one selection with the rest.")
    warn_left_out(groups, corpus.n_docs if kept is None else int(kept.sum()), stacklevel=4)
    in_any = np.zeros(corpus.n_docs, dtype=bool)
    in_any[groups.doc_rows] = True
    if not (tokens < corpus.doc_lengths[in_any].sum()).any():
        # a list column whose every document is in every group: no group has a document outside it
        raise ValueError(f"keyness_table: every document of `{by}` is in every group, so no group has other "
                         "documents to be compared with. Use ct.keyness(corpus, target, reference=...).")
    return Plan(groups=groups.shipped(), in_any=in_any, top=top, measure=measure, min_count=min_count,
                alpha0=alpha0, vocab=corpus.vocab,
                attrs={"measure": measure, "score_label": _LABELS[measure], "by": groups.column,
                       "n_left_out": groups.n_left_out, **dedupe_attrs(kept)},
                client_only=("vocab",))


def _keyness_table_parts(corpus, rows: slice, plan: Plan) -> dict:
    """Occurrences of every term per group, and in all documents of some group, of one shard."""
    member = plan.groups.matrix(corpus.n_docs, rows)
    # a document listing a section twice is in its group twice: a weight of 2
    kind = _sum_type(corpus.dtm, member.data.max(initial=1))
    counts = (member.astype(kind) @ corpus.dtm).tocsr().astype(np.int64)
    return {"counts": counts, "total": _column_sums(corpus, plan.in_any[rows], kind=_sum_type(corpus.dtm))[0]}


def _keyness_table_finish(parts: dict, plan: Plan) -> pd.DataFrame:
    counts = np.asarray(parts["counts"].todense(), dtype=np.int64)
    total = parts["total"]
    tables = []
    for g, label in enumerate(plan.groups.labels):
        a = counts[g]
        b = total - a
        c, d = int(a.sum()), int(b.sum())
        if c == 0 or d == 0:
            continue
        table = _table(plan.vocab, a, b, c, d, plan.measure, plan.alpha0, plan.min_count, head=plan.top)
        table.insert(0, "group", [label] * len(table))
        tables.append(table)
    result = pd.concat(tables, ignore_index=True)
    result.attrs.update(plan.attrs)
    return result


__all__ = ["keyness", "keyness_table"]
