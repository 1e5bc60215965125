"""Tables of copy groups (``group``, ``doc_id``) as the corpus layer reads them.

:meth:`Corpus.drop_duplicates` and the ``dedupe=`` option of the analyses both keep one
document of each group of copies; both find the members here, so that they keep the same one.

Groups that share a document are one story: a table concatenated from two runs of
:func:`corpus_tools.near_duplicates`, or edited by hand, may list a document in two groups,
and :func:`group_members` first merges such groups (:func:`merge_overlapping`), so that a
document is a copy or an original, never both.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def check_groups(groups, name: str = "groups") -> None:
    """Raise when ``groups`` is not a table of copy groups (columns ``group`` and ``doc_id``, no missing group)."""
    if not isinstance(groups, pd.DataFrame):
        raise TypeError(f"`{name}` must be the DataFrame ct.near_duplicates returns; got {type(groups).__name__}.")
    missing = [c for c in ("group", "doc_id") if c not in groups.columns]
    if missing:
        raise ValueError(f"`{name}` must have the columns 'group' and 'doc_id', as ct.near_duplicates returns; "
                         f"it has no {missing} (its columns are {list(groups.columns)}).")
    no_group = groups["group"].isna().to_numpy()
    if no_group.any():
        ids = groups["doc_id"].to_numpy()[no_group][:5].tolist()
        raise ValueError(f"`{name}` has {int(no_group.sum()):,} rows without a `group` (doc_id {ids}); give each "
                         f"row a group, or drop those rows with {name}.dropna(subset=['group']).")


# ---------------------------------------------------------------------- overlapping groups
def _merged(groups: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray]:
    """Each row's group once groups sharing a document are merged, and which rows to keep.

    A merged group takes the ``group`` value of its first row in the table. A row is dropped
    when its document is already listed earlier in the same merged group. ``None`` for the
    groups when no document is listed twice: there is nothing to merge.
    """
    doc = groups["doc_id"]
    if not doc.duplicated().any():
        # the usual case, and a fast one
        return None, np.ones(len(groups), dtype=bool)
    group = groups["group"].to_numpy()
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    g_code, _ = pd.factorize(groups["group"])
    d_code, d_labels = pd.factorize(doc)  # a missing doc_id is -1: it links nothing
    n_g = int(g_code.max()) + 1
    linked = d_code >= 0
    # groups and documents are the nodes; a row of the table links its group to its document
    size = n_g + len(d_labels)
    graph = coo_matrix((np.ones(int(linked.sum()), dtype=np.int8), (g_code[linked], n_g + d_code[linked])),
                       shape=(size, size))
    _, component = connected_components(graph, directed=False)
    row_component = component[g_code]
    first_row = np.full(int(row_component.max()) + 1, len(groups), dtype=np.int64)
    np.minimum.at(first_row, row_component, np.arange(len(groups), dtype=np.int64))
    merged = group[first_row[row_component]]
    # a row is kept when it is the first listing of its (merged group, document) pair
    pair = row_component.astype(np.int64) * (len(d_labels) + 1) + d_code + 1
    keep = np.zeros(len(groups), dtype=bool)
    keep[np.unique(pair, return_index=True)[1]] = True
    return merged, keep | ~linked


def merge_overlapping(groups: pd.DataFrame) -> pd.DataFrame:
    """Copy groups with every two groups that share a document made one.

    Parameters
    ----------
    groups : DataFrame
        Columns ``group`` and ``doc_id`` (others are kept), e.g. two tables of
        :func:`corpus_tools.near_duplicates` concatenated.

    Returns
    -------
    DataFrame
        ``groups`` itself when no document is listed twice; else its rows without a
        document's repeated listings in a merged group (the first listing stays), ``group``
        set to the value of the merged group's first row.

    Raises
    ------
    TypeError, ValueError
        ``groups`` is not a DataFrame with the columns ``group`` and ``doc_id``, or a row has
        no ``group``.

    Examples
    --------
    >>> groups = pd.DataFrame({"group": [0, 0, 1, 1, 2, 2], "doc_id": ["a", "b", "b", "c", "d", "e"]})
    >>> merge_overlapping(groups)
       group doc_id
    0      0      a
    1      0      b
    3      0      c
    4      2      d
    5      2      e
    """
    check_groups(groups)
    merged, keep = _merged(groups)
    if merged is None:
        return groups
    return groups.iloc[np.flatnonzero(keep)].assign(group=merged[keep])


# ---------------------------------------------------------------------- group members in a corpus
@dataclass(frozen=True)
class Members:
    """The members of copy groups found among some documents, in group order.

    Attributes
    ----------
    rows : int64 array, each member's row in the documents
    group : the member's group (overlapping groups merged: see :func:`merge_overlapping`)
    is_first : bool array, the member is its group's earliest in these documents (the one kept)
    first_row : int64 array, the row of the member's group's earliest member
    n_not_found : int, rows of ``groups`` whose ``doc_id`` is not among the documents
    order : int64 array, the row of ``groups`` each member comes from
    """

    rows: np.ndarray
    group: np.ndarray
    is_first: np.ndarray
    first_row: np.ndarray
    n_not_found: int
    order: np.ndarray

    @property
    def is_last(self) -> np.ndarray:
        """The member is its group's latest in these documents."""
        return np.r_[self.is_first[1:], True] if len(self.is_first) else self.is_first


def date_key(dates) -> np.ndarray:
    """Dates as sortable int64 nanoseconds, undated last."""
    d = pd.to_datetime(pd.Series(dates), errors="coerce")
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_convert("UTC").dt.tz_localize(None)
    d = d.to_numpy().astype("datetime64[ns]")
    key = d.view(np.int64).copy()
    key[np.isnat(d)] = np.iinfo(np.int64).max
    return key


def doc_dates(docs: pd.DataFrame) -> pd.Series:
    """The ``date`` column as datetime64 (all NaT without one), as :attr:`Corpus.dates` reads it."""
    if "date" in docs.columns:
        return pd.to_datetime(docs["date"], errors="coerce")
    return pd.Series(pd.NaT, index=docs.index, dtype="datetime64[ns]", name="date")


def group_members(docs: pd.DataFrame, groups: pd.DataFrame, *, within: np.ndarray | None = None) -> Members:
    """Find the members of ``groups`` among ``docs`` and each group's earliest member there.

    ``groups`` must have passed :func:`check_groups`. Groups that share a document are merged
    first (:func:`merge_overlapping`). The earliest is the first by ``date`` (undated last),
    then by position in ``docs``: for groups found on these documents by
    :func:`corpus_tools.near_duplicates`, the member whose ``kind`` is ``"first"``; for groups
    found on a larger corpus, the earliest member present. ``within`` (a mask over ``docs``)
    leaves the other documents out of the members, so the earliest is the earliest among
    ``within``; ``n_not_found`` does not depend on it.

    Examples
    --------
    >>> docs = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-01", None])}, index=["a", "b", "c"])
    >>> m = group_members(docs, pd.DataFrame({"group": [7, 7, 7, 7], "doc_id": ["a", "b", "c", "x"]}))
    >>> m.rows.tolist(), m.is_first.tolist(), m.is_last.tolist(), m.n_not_found
    ([1, 0, 2], [True, False, False], [False, False, True], 1)
    """
    merged, listed_once = _merged(groups)
    if merged is None:
        merged = groups["group"].to_numpy()
    rows = docs.index.get_indexer(groups["doc_id"])
    n_not_found = int((rows < 0).sum())
    member = (rows >= 0) & listed_once
    if within is not None:
        member &= np.asarray(within, dtype=bool)[np.maximum(rows, 0)]
    found = np.flatnonzero(member)
    rows = rows[found].astype(np.int64)
    group = merged[found]
    try:
        group_code = pd.factorize(group, sort=True)[0]
    except TypeError:  # group labels of mixed types: their order in the table
        group_code = pd.factorize(group)[0]
    key = date_key(doc_dates(docs))
    order = np.lexsort((rows, key[rows], group_code))
    rows, group, group_code, found = rows[order], group[order], group_code[order], found[order]
    starts = np.r_[True, group_code[1:] != group_code[:-1]] if len(rows) else np.zeros(0, dtype=bool)
    first_row = rows[np.flatnonzero(starts)][np.cumsum(starts) - 1] if len(rows) else rows
    return Members(rows, group, starts, first_row, n_not_found, found)
