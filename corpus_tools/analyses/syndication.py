"""Syndication: how many documents are copies of another, per period, and who carries whose stories.

Both analyses read the copy groups of :func:`corpus_tools.near_duplicates` together with the
documents they were found in. A group's *original* is its earliest member among those
documents (by ``date``, undated last, then position: the member whose ``kind`` is ``"first"``
when the groups were found on the same documents); every other member is a *copy*: the
documents ``dedupe=`` leaves out. Groups that share a document (two tables concatenated, or
made by hand) are one story and are merged first, as ``dedupe=`` merges them, so a document is
counted once, as a copy or as an original.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import option_error
from ._dedupe import Members, check_found, check_groups, doc_dates, group_members
from .intervals import wilson_interval
from .periods import FREQS, assign_periods
from .trends import _check_ci

COPY_KINDS = ("exact", "near", "contained")


def _docs_of(corpus_or_docs) -> pd.DataFrame:
    from ..corpus import Corpus

    if isinstance(corpus_or_docs, Corpus):
        return corpus_or_docs.docs
    if isinstance(corpus_or_docs, pd.DataFrame):
        return corpus_or_docs
    raise TypeError("`corpus_or_docs` must be the Corpus the groups were found in, or its docs DataFrame "
                    f"(index doc_id); got {type(corpus_or_docs).__name__}.")


def _members(groups, docs: pd.DataFrame, what: str) -> Members:
    check_groups(groups)
    if not docs.index.is_unique:
        raise ValueError(f"{what}: the documents' index (doc_id) must be unique, to match the groups' doc_id.")
    members = group_members(docs, groups)
    check_found(members, len(groups), what=f"{what}: ", groups_name="`groups`", docs_name="`corpus_or_docs`",
                hint="pass the corpus (or docs) the groups were found in.",
                tail=" (result.attrs['n_not_found']).", stacklevel=3)
    return members


def _copies(n: int) -> str:
    return "copy is" if n == 1 else "copies are"


def syndication_trend(groups: pd.DataFrame, corpus_or_docs, *, freq: str = "MS",
                      ci: float | None = 0.95) -> pd.DataFrame:
    """Documents and copies per calendar period: how much of the news is a copy of other news.

    Parameters
    ----------
    groups : DataFrame
        The copy groups of :func:`corpus_tools.near_duplicates` (at least ``group`` and
        ``doc_id``; with ``kind``, the copies are also counted by kind).
    corpus_or_docs : Corpus or DataFrame
        The documents the groups were found in (a Corpus, or its ``docs``: index ``doc_id``, a
        ``date`` column). Every dated document counts in its period's denominator; rows of
        ``groups`` naming other documents are left out with a warning.
    freq : {"MS", "W", "D", "QS", "YS"}
        Calendar period (see :func:`corpus_tools.analyses.periods.assign_periods`).
    ci : float or None
        Confidence level of the Wilson score interval of ``share``; ``None`` leaves it NaN.

    Returns
    -------
    DataFrame
        One row per period from the first to the last dated document (empty periods
        included): ``period`` (first day), ``n_docs`` (dated documents of the period, copies
        included: the denominator), ``n_copies`` (documents of the period that copy an earlier
        member of their group), ``share`` (``n_copies / n_docs``, NaN for an empty period),
        ``ci_low``, ``ci_high``, ``n_originals`` (documents of the period that are the original
        of a group with a copy: stories copied in this period or later), ``n_exact``, ``n_near``,
        ``n_contained`` (the copies by ``kind``, when ``groups`` has that column) and
        ``partial`` (the data does not cover the period whole). ``attrs`` holds ``freq``,
        ``ci``, ``n_docs``, ``n_copies`` (all documents and copies, undated ones included),
        ``n_undated`` and ``n_undated_copies`` (left out of the periods) and ``n_not_found``.

    Raises
    ------
    ValueError
        ``groups`` lacks the columns ``group`` and ``doc_id`` or names none of the documents,
        ``freq`` is unknown, ``ci`` is not in (0, 1), or no document has a date.
    TypeError
        ``groups`` is not a DataFrame, or ``corpus_or_docs`` neither a Corpus nor a DataFrame.

    Examples
    --------
    >>> import pandas as pd, corpus_tools as ct
    >>> docs = pd.DataFrame({"date": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-02-01", "2024-02-02"])},
    ...                     index=pd.Index(["a", "b", "c", "d"], name="doc_id"))
    >>> groups = pd.DataFrame({"group": [0, 0, 0], "doc_id": ["a", "b", "c"],
    ...                        "kind": ["first", "exact", "near"]})
    >>> trend = ct.syndication_trend(groups, docs)
    >>> trend[["period", "n_docs", "n_copies", "share", "n_originals", "n_exact", "n_near"]]
          period  n_docs  n_copies  share  n_originals  n_exact  n_near
    0 2024-01-01       2         1    0.5            1        1       0
    1 2024-02-01       2         1    0.5            0        0       1
    """
    docs = _docs_of(corpus_or_docs)
    if freq not in FREQS:
        raise option_error("freq", freq, list(FREQS))
    ci = _check_ci(ci)
    members = _members(groups, docs, "syndication_trend")
    dates = doc_dates(docs)
    if not dates.notna().any():
        why = ("has no `date` column" if "date" not in docs.columns
               else f"has no date in any of its {len(docs):,} documents")
        raise ValueError(f"syndication_trend counts copies per period, but `corpus_or_docs` {why}; load the "
                         "corpus with date='<column>' or set docs['date']. ct.syndication_matrix needs no dates.")
    periods = assign_periods(dates, freq)
    n_p = len(periods.starts)
    doc_period = periods.doc_period
    copy_rows = members.rows[~members.is_first]
    # a group left with one member among these documents (filtered, or found on another corpus) has no copy
    starts = np.flatnonzero(members.is_first)
    first_rows = members.rows[starts[np.diff(np.r_[starts, len(members.rows)]) > 1]]

    def per_period(rows: np.ndarray) -> np.ndarray:
        p = doc_period[rows]
        return np.bincount(p[p >= 0], minlength=n_p).astype(np.int64)

    n_docs = periods.n_docs.astype(np.int64)
    n_copies = per_period(copy_rows)
    share = np.where(n_docs > 0, n_copies / np.maximum(n_docs, 1), np.nan)
    if ci is None:
        low = high = np.full(n_p, np.nan)
    else:
        low, high = wilson_interval(n_copies, n_docs, ci)  # NaN for an empty period
    out = {"period": periods.starts, "n_docs": n_docs, "n_copies": n_copies, "share": share,
           "ci_low": np.asarray(low, dtype=float), "ci_high": np.asarray(high, dtype=float),
           "n_originals": per_period(first_rows)}
    if "kind" in groups.columns:
        copy_order = members.order[~members.is_first]
        for kind in COPY_KINDS:
            # compared on the whole column: on a categorical column a comparison of codes
            is_kind = (groups["kind"] == kind).to_numpy(dtype=bool)[copy_order]
            out[f"n_{kind}"] = per_period(copy_rows[is_kind])
    out["partial"] = periods.partial
    result = pd.DataFrame(out)
    n_undated_copies = int((doc_period[copy_rows] < 0).sum())
    if n_undated_copies:
        warnings.warn(f"syndication_trend: {n_undated_copies:,} undated {_copies(n_undated_copies)} left out of the "
                      "periods (result.attrs['n_undated_copies']).", stacklevel=2)
    result.attrs.update(freq=freq, ci=ci, n_docs=int(len(docs)), n_copies=int(len(copy_rows)),
                        n_undated=periods.n_undated, n_undated_copies=n_undated_copies,
                        n_not_found=members.n_not_found)
    return result


def syndication_matrix(groups: pd.DataFrame, corpus_or_docs, *, source: str = "source") -> pd.DataFrame:
    """Who carries whose stories: copies counted by the source of the original and of the copy.

    Parameters
    ----------
    groups : DataFrame
        The copy groups of :func:`corpus_tools.near_duplicates` (at least ``group`` and ``doc_id``).
    corpus_or_docs : Corpus or DataFrame
        The documents the groups were found in (a Corpus, or its ``docs``: index ``doc_id``);
        they give each document's source and each source's number of documents.
    source : str
        The docs column naming the outlet.

    Returns
    -------
    DataFrame
        One row per pair of sources with at least one copy: ``source_from`` (the source of a
        group's original, its earliest member), ``source_to`` (the source of a later member),
        ``n_copies`` (documents of ``source_to`` that copy a story first carried by
        ``source_from``), ``n_groups`` (distinct stories among them), ``n_docs_to`` (all
        documents of ``source_to``: the denominator) and ``share_of_to`` (``n_copies /
        n_docs_to``: how much of ``source_to``'s output is ``source_from``'s stories). A source
        repeating its own story is the pair (X, X). Sorted by ``n_copies`` descending, then the
        two names. ``attrs`` holds ``n_copies`` (copies counted), ``n_without_source`` (copies
        left out because they or their original have no source), ``n_sources`` and ``n_not_found``.

    Raises
    ------
    KeyError
        The documents have no ``source`` column.
    ValueError
        No document has a source, or ``groups`` lacks the columns ``group`` and ``doc_id`` or
        names none of the documents.
    TypeError
        ``groups`` is not a DataFrame, or ``corpus_or_docs`` neither a Corpus nor a DataFrame.

    Examples
    --------
    >>> import pandas as pd, corpus_tools as ct
    >>> docs = pd.DataFrame({"source": ["Wire", "Daily", "Daily", "Herald", "Wire"],
    ...                      "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05",
    ...                                              "2024-01-03", "2024-01-04"])},
    ...                     index=pd.Index(["a", "b", "c", "d", "e"], name="doc_id"))
    >>> groups = pd.DataFrame({"group": [0, 0, 0, 1, 1], "doc_id": ["a", "b", "d", "e", "c"]})
    >>> ct.syndication_matrix(groups, docs)
      source_from source_to  n_copies  n_groups  n_docs_to  share_of_to
    0        Wire     Daily         2         2          2          1.0
    1        Wire    Herald         1         1          1          1.0
    """
    docs = _docs_of(corpus_or_docs)
    if not isinstance(source, str) or source not in docs.columns:
        raise KeyError(f"syndication_matrix needs the documents' source: `corpus_or_docs` has no {source!r} column "
                       f"(its columns are {list(docs.columns)}); load with source='<column>' or set "
                       "docs['source'].")
    # sources as integer codes, in sorted order: every count below is a bincount or a sort of integers
    codes, names = pd.factorize(docs[source], sort=True)
    if not len(names):
        raise ValueError(f"syndication_matrix needs the documents' source, but the {source!r} column is empty in "
                         f"all {len(docs):,} documents; load with source='<column>' or set docs['source'].")
    members = _members(groups, docs, "syndication_matrix")
    copies = ~members.is_first
    to_code, from_code = codes[members.rows[copies]], codes[members.first_row[copies]]
    known = (to_code >= 0) & (from_code >= 0)
    n_without = int((~known).sum())
    if n_without:
        whose = "it or its original has" if n_without == 1 else "they or their originals have"
        warnings.warn(f"syndication_matrix: {n_without:,} {_copies(n_without)} left out because {whose} no "
                      f"{source!r} (result.attrs['n_without_source']).", stacklevel=2)
    n_src = len(names)
    pair = from_code[known].astype(np.int64) * n_src + to_code[known]
    # members are sorted by group, so each group is a run: its number among the runs
    group_index = (np.cumsum(members.is_first) - 1)[copies][known]
    pairs, n_copies = np.unique(pair, return_counts=True)
    stories = np.unique(pair * max(len(members.rows), 1) + group_index)
    n_groups = np.bincount(np.searchsorted(pairs, stories // max(len(members.rows), 1)), minlength=len(pairs))
    per_source = np.bincount(codes[codes >= 0], minlength=n_src)
    to = pairs % n_src
    table = pd.DataFrame({
        "source_from": names.take(pairs // n_src), "source_to": names.take(to),
        "n_copies": n_copies.astype(np.int64), "n_groups": n_groups.astype(np.int64),
        "n_docs_to": per_source[to].astype(np.int64),
    })
    table["share_of_to"] = table["n_copies"] / table["n_docs_to"]
    # most copies first; then by the names (codes follow their sorted order)
    order = np.lexsort((to, pairs // n_src, -n_copies))
    table = table.iloc[order].reset_index(drop=True)
    table.attrs.update(n_copies=int(known.sum()), n_without_source=n_without, n_sources=int(n_src),
                       n_not_found=members.n_not_found, source=source)
    return table


__all__ = ["syndication_matrix", "syndication_trend"]
