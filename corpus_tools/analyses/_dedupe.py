"""The ``dedupe=`` option shared by the analyses: the corpus without its copies.

Two forms of the same choice. :func:`without_copies` gives a new Corpus without the copies
(for analyses that need a Corpus of their own, such as a topic model); :func:`kept_mask` gives
a boolean mask over the documents, for counts that only need to leave rows out (trends,
keyness): no tokens are copied, the period range stays that of the whole corpus, and a
``target`` mask a user made for the whole corpus still lines up. Both keep the same document
of each group: its earliest member in the corpus (by ``date``, undated last, then position),
as :meth:`Corpus.drop_duplicates` does with ``keep="first"``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def _groups(corpus, dedupe, name: str) -> pd.DataFrame | None:
    """The groups ``dedupe`` stands for (None: keep every document)."""
    if dedupe is None or dedupe is False:
        return None
    if dedupe is True:
        from .duplicates import near_duplicates

        return near_duplicates(corpus)
    if isinstance(dedupe, pd.DataFrame):
        check_groups(dedupe, name)
        return dedupe
    raise TypeError(f"`{name}` must be True, False, None or the DataFrame ct.near_duplicates returns; "
                    f"got {type(dedupe).__name__}.")


def check_groups(groups, name: str = "groups") -> None:
    """Raise when ``groups`` is not a table of copy groups (columns ``group`` and ``doc_id``)."""
    if not isinstance(groups, pd.DataFrame):
        raise TypeError(f"`{name}` must be the DataFrame ct.near_duplicates returns; got {type(groups).__name__}.")
    missing = [c for c in ("group", "doc_id") if c not in groups.columns]
    if missing:
        raise ValueError(f"`{name}` must have the columns 'group' and 'doc_id', as ct.near_duplicates returns; "
                         f"it has no {missing} (its columns are {list(groups.columns)}).")


def without_copies(corpus, dedupe, *, name: str = "dedupe"):
    """The corpus an analysis should count, and the copy groups that were dropped.

    Parameters
    ----------
    corpus : Corpus
    dedupe : None, False, True or DataFrame
        ``None``/``False``: every document counts. ``True``: find copies with
        :func:`corpus_tools.near_duplicates` at its defaults and keep each group's earliest
        member. A DataFrame: the groups a user already found (``near_duplicates``'s output,
        perhaps filtered or made with other parameters); again the earliest member stays.
    name : str
        The argument's name in error messages.

    Returns
    -------
    (Corpus, DataFrame or None)
        The corpus to count (``corpus`` itself when nothing is dropped) and the groups used.

    Raises
    ------
    TypeError
        For any other ``dedupe``.
    ValueError
        For a DataFrame without the columns ``group`` and ``doc_id``.

    Examples
    --------
    >>> kept, groups = without_copies(corpus, True)  # doctest: +SKIP
    >>> corpus.n_docs - kept.n_docs == groups.attrs["n_duplicates"]  # doctest: +SKIP
    True
    """
    groups = _groups(corpus, dedupe, name)
    if groups is None:
        return corpus, None
    return corpus.drop_duplicates(groups, keep="first"), groups


def kept_mask(corpus, dedupe, *, name: str = "dedupe") -> tuple[np.ndarray | None, pd.DataFrame | None]:
    """Which documents an analysis should count, as a mask over the whole corpus.

    Parameters
    ----------
    corpus : Corpus
    dedupe : None, False, True or DataFrame
        As in :func:`without_copies`.
    name : str
        The argument's name in error messages.

    Returns
    -------
    (bool array of shape (n_docs,) or None, DataFrame or None)
        ``True`` for the documents kept: every document in no group, and the earliest member of
        each group (the same documents ``corpus.drop_duplicates(groups)`` keeps); ``None`` when
        ``dedupe`` keeps everything. Then the groups used.

    Raises
    ------
    TypeError, ValueError
        As :func:`without_copies`.

    Examples
    --------
    >>> mask, groups = kept_mask(corpus, True)  # doctest: +SKIP
    >>> int((~mask).sum()) == corpus.n_docs - corpus.drop_duplicates(groups).n_docs  # doctest: +SKIP
    True
    """
    groups = _groups(corpus, dedupe, name)
    if groups is None:
        return None, None
    members = group_members(corpus.docs, groups)
    keep = np.ones(corpus.n_docs, dtype=bool)
    keep[members.rows[~members.is_first]] = False
    return keep, groups


def only_kept(groups, kept: np.ndarray):
    """The document groups of an analysis (:class:`~corpus_tools.analyses.frequencies.Groups`)
    without the copies; documents kept but in no group are counted in ``n_left_out``."""
    from .frequencies import Groups

    in_kept = kept[groups.doc_rows]
    rows = groups.doc_rows[in_kept]
    return Groups(groups.column, groups.labels, rows, groups.codes[in_kept],
                  int(kept.sum()) - len(np.unique(rows)), groups.periods)


def dedupe_attrs(mask: np.ndarray | None) -> dict:
    """What a result's ``attrs`` say about the copies left out (``dedupe``, ``n_copies_dropped``)."""
    return {"dedupe": mask is not None, "n_copies_dropped": 0 if mask is None else int((~mask).sum())}


# ---------------------------------------------------------------------- group members in a corpus
@dataclass(frozen=True)
class Members:
    """The members of copy groups found among some documents, in group order.

    Attributes
    ----------
    rows : int64 array, each member's row in the documents
    group : the member's ``group`` value
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


def group_members(docs: pd.DataFrame, groups: pd.DataFrame) -> Members:
    """Find the members of ``groups`` among ``docs`` and each group's earliest member there.

    The earliest is the first by ``date`` (undated last), then by position in ``docs``: for
    groups found on these documents by :func:`corpus_tools.near_duplicates`, the member whose
    ``kind`` is ``"first"``; for groups found on a larger corpus, the earliest member present.
    """
    rows = docs.index.get_indexer(groups["doc_id"])
    found = np.flatnonzero(rows >= 0)
    rows = rows[found].astype(np.int64)
    group = groups["group"].to_numpy()[found]
    key = date_key(doc_dates(docs))
    order = np.lexsort((rows, key[rows], group))
    rows, group, found = rows[order], group[order], found[order]
    starts = np.r_[True, group[1:] != group[:-1]] if len(rows) else np.zeros(0, dtype=bool)
    first_row = rows[np.flatnonzero(starts)][np.cumsum(starts) - 1] if len(rows) else rows
    return Members(rows, group, starts, first_row, int(len(groups) - len(found)), found)
