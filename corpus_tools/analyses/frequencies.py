"""Which words dominate: term counts overall, per docs column (source, sections) or per calendar period."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import check_positive_int
from ._mapreduce import Plan, add, compact, run
from .periods import FREQS, Periods, assign_periods


@dataclass(frozen=True)
class Groups:
    """Which group(s) each document belongs to, as (document row, group code) pairs.

    A document may be in several groups (a list column such as ``sections``) or in none
    (a missing value, an empty list, no date).
    """

    column: str            # name of the group column in results: the docs column, or "period"
    labels: pd.Index       # group labels, in code order
    doc_rows: np.ndarray   # int64, one per membership
    codes: np.ndarray      # int64, one per membership
    n_left_out: int        # documents in no group
    periods: Periods | None = None

    @property
    def n_groups(self) -> int:
        return len(self.labels)

    def matrix(self, n_docs: int, rows: slice | None = None) -> sp.csr_matrix:
        """Sparse membership matrix, shape (n_groups, n_docs): ``matrix @ dtm`` sums documents per group.

        With ``rows`` (a slice of the corpus's rows, as a shard holds them), the matrix of those
        documents only: ``n_docs`` is then the number of rows of the slice.
        """
        doc_rows, codes = self.doc_rows, self.codes
        if rows is not None:
            # doc_rows is in document order (group_documents keeps it so), so a shard's members are a run
            lo, hi = np.searchsorted(doc_rows, [rows.start, rows.stop])
            doc_rows, codes = doc_rows[lo:hi] - rows.start, codes[lo:hi]
        data = np.ones(len(codes), dtype=np.int64)
        return sp.csr_matrix((data, (codes, doc_rows)), shape=(self.n_groups, n_docs))

    def shipped(self) -> Groups:
        """These groups as a shard needs them: labels and members (as int32 where they fit), no period table."""
        return Groups(self.column, self.labels, compact(self.doc_rows), compact(self.codes), self.n_left_out)


def _is_listlike(value) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, np.ndarray))


def holds_lists(values: pd.Series) -> bool:
    """Whether a docs column holds lists (``sections``). Only an object column can, or a
    categorical one among its categories: a string column of a million documents is not
    looked at value by value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.cat.categories.to_series()
    return values.dtype == object and bool(values.map(_is_listlike).any())


def group_documents(corpus, by: str, *, allow_freq: bool = True) -> Groups:
    """Resolve ``by`` (a docs column, or a calendar frequency such as ``"MS"``) into :class:`Groups`.

    List-valued cells (``sections``) are exploded: a document in two sections is in both groups.
    """
    if not isinstance(by, str):
        raise TypeError(f"`by` must be the name of a docs column or a calendar frequency; got {by!r}.")
    if by in corpus.docs.columns:
        values = corpus.docs[by].reset_index(drop=True)
        if holds_lists(values):
            values = values.astype(object).map(lambda v: list(v) if _is_listlike(v) else v).explode()
        values = values[values.notna()]
        codes, labels = pd.factorize(values, sort=True)
        rows = values.index.to_numpy(dtype=np.int64)
        # rows never decrease (explode repeats a row in place): count where they change, no sort
        n_left_out = corpus.n_docs - (int(np.count_nonzero(np.diff(rows))) + 1 if len(rows) else 0)
        return Groups(by, pd.Index(labels, name=by), rows, codes.astype(np.int64), n_left_out)
    if allow_freq and by in FREQS:
        periods = assign_periods(corpus.dates, by)
        dated = periods.doc_period >= 0
        return Groups("period", pd.Index(periods.starts, name="period"), np.flatnonzero(dated).astype(np.int64),
                      periods.doc_period[dated], periods.n_undated, periods)
    what = f" or a calendar frequency {list(FREQS)}" if allow_freq else ""
    raise KeyError(f"`by`={by!r} is not a docs column; the columns are {list(corpus.docs.columns)}{what}.")


def warn_left_out(groups: Groups, n_docs: int, stacklevel: int = 3) -> None:
    """Say how many documents no group holds, so that nothing is dropped silently."""
    if groups.n_left_out:
        reason = "no date" if groups.column == "period" else f"no `{groups.column}` value"
        warnings.warn(f"{groups.n_left_out} of {n_docs} documents have {reason} and are left out of the "
                      f"per-{groups.column} results (see result.attrs).", stacklevel=stacklevel + 1)


def check_top(top) -> None:
    check_positive_int("top", top, allow_none=True)


def term_frequencies(corpus, *, by: str | None = None, top: int | None = None) -> pd.DataFrame:
    """Occurrences and document counts of every term, overall or per group.

    Parameters
    ----------
    corpus : Corpus
    by : str, optional
        A docs column (``"source"``; a list column such as ``"sections"`` is exploded, so a
        document in two sections counts in both) or a calendar frequency (``"MS"`` months,
        ``"YS"`` years, ``"W"``, ``"D"``, ``"QS"``; the group column is then ``period``, the first
        day of each period). Documents in no group (missing value, no date) are left out with a
        warning and counted in ``result.attrs["n_left_out"]``.
    top : int, optional
        Keep the ``top`` most frequent terms of each group.

    Returns
    -------
    DataFrame
        Columns ``[<by>, term, count, doc_count, share]``, the first only when ``by`` is given:
        ``count`` occurrences of the term in the group, ``doc_count`` documents of the group
        containing it, ``share`` = count / all kept tokens of the group. Terms that do not
        occur in a group have no row. Sorted by group, then count descending, then term.

    Raises
    ------
    KeyError
        ``by`` is neither a docs column nor a calendar frequency.
    ValueError
        ``top`` is not a positive integer; ``by`` is a frequency and no document has a date.

    Examples
    --------
    >>> docs = pd.DataFrame({"text": ["Troops drill. Troops rest.", "Jets drill."],
    ...                      "source": ["A", "B"]}, index=pd.Index(["d1", "d2"], name="doc_id"))
    >>> corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)   # doctest: +SKIP
    >>> ct.term_frequencies(corpus)                                        # doctest: +SKIP
         term  count  doc_count     share
    0   drill      2          2  0.333333
    1  troops      2          1  0.333333
    2    jets      1          1  0.166667
    3    rest      1          1  0.166667
    """
    return run(corpus, _frequencies_prepare, _frequencies_parts, add, _frequencies_finish, by=by, top=top)


# ---------------------------------------------------------------------- map-reduce steps
def _frequencies_prepare(corpus, *, by: str | None = None, top: int | None = None) -> Plan:
    check_top(top)
    groups = None
    if by is not None:
        groups = group_documents(corpus, by)
        warn_left_out(groups, corpus.n_docs, stacklevel=4)
        groups = groups.shipped()
    return Plan(by=by, top=top, groups=groups, vocab=corpus.vocab, client_only=("vocab",))


def _frequencies_parts(corpus, rows: slice, plan: Plan) -> dict:
    """Occurrences and document counts per group and term, and kept tokens per group, of one shard."""
    if plan.groups is None:
        # one group: the term totals, counted from the stored entries a block at a time (a
        # product copies the matrix, and a sum or bincount over the whole of it casts its
        # entries to int64: at a million documents 0.5 GB more, or 1.7 GB for the product)
        doc_counts, counts = corpus._term_totals()
        return {"counts": sp.csr_matrix(counts[None, :]), "doc_counts": sp.csr_matrix(doc_counts[None, :]),
                "totals": np.array([int(corpus.doc_lengths.sum())], dtype=np.int64)}
    member = plan.groups.matrix(corpus.n_docs, rows)
    counts = (member @ corpus.dtm).tocsr()
    present = corpus.dtm.copy()
    present.data = np.ones_like(present.data)
    doc_counts = (member @ present).tocsr()
    totals = member @ corpus.doc_lengths.astype(np.int64)
    return {"counts": counts, "doc_counts": doc_counts, "totals": totals}


def _frequencies_finish(parts: dict, plan: Plan) -> pd.DataFrame:
    counts, doc_counts, totals = parts["counts"], parts["doc_counts"], parts["totals"]
    counts.eliminate_zeros()
    doc_counts.eliminate_zeros()
    counts.sort_indices()
    doc_counts.sort_indices()
    n_groups = 1 if plan.groups is None else plan.groups.n_groups

    # both matrices are non-zero exactly where a group's documents contain the term
    group = np.repeat(np.arange(n_groups), np.diff(counts.indptr))
    term = counts.indices.astype(np.int64)
    count = counts.data.astype(np.int64)
    order = np.lexsort((term, -count, group))
    group, term, count, dcount = group[order], term[order], count[order], doc_counts.data[order].astype(np.int64)
    top = plan.top
    if top is not None:
        starts = np.searchsorted(group, group, side="left")
        keep = np.arange(len(group)) - starts < top
        group, term, count, dcount = group[keep], term[keep], count[keep], dcount[keep]
    out = {}
    if plan.by is not None:
        out[plan.groups.column] = plan.groups.labels[group]
    out.update({"term": plan.vocab[term].to_numpy(dtype=object), "count": count, "doc_count": dcount,
                "share": count / totals[group]})
    result = pd.DataFrame(out)
    if plan.by is not None:
        result.attrs["n_left_out"] = plan.groups.n_left_out
        result.attrs["by"] = plan.groups.column
    return result


__all__ = ["term_frequencies"]
