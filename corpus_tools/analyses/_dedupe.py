"""The ``dedupe=`` option shared by the analyses: the corpus without its copies.

Two forms of the same choice. :func:`without_copies` gives a new Corpus without the copies
(for analyses that need a Corpus of their own, such as a topic model); :func:`kept_mask` gives
a boolean mask over the documents, for counts that only need to leave rows out (trends,
keyness): no tokens are copied, the period range stays that of the whole corpus, and a
``target`` mask a user made for the whole corpus still lines up. Both keep the same document
of each group: its earliest member (by ``date``, undated last, then position in the corpus).

Groups that share a document are one story: a table concatenated from two runs of
:func:`corpus_tools.near_duplicates`, or made by hand, may list a document in two groups, and
every function here first merges such groups (:func:`merge_overlapping`), so that a document
is a copy or an original, never both.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd


def resolve_groups(corpus, dedupe, name: str = "dedupe") -> pd.DataFrame | None:
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


def check_found(members: Members, n_rows: int, *, what: str, groups_name: str, docs_name: str, hint: str,
                tail: str = ".", stacklevel: int = 2) -> None:
    """Raise when no row of the groups names one of the documents; warn when some do not."""
    if n_rows and members.n_not_found == n_rows:
        raise ValueError(f"{what}none of the {n_rows:,} doc_id of {groups_name} is in {docs_name}; {hint}")
    if members.n_not_found:
        warnings.warn(f"{what}{members.n_not_found:,} of the {n_rows:,} rows of {groups_name} name a doc_id that is "
                      f"not in {docs_name} and are left out{tail}", stacklevel=stacklevel + 1)


def _prefix(what: str | None) -> str:
    return f"{what}: " if what else ""


def kept_rows(corpus, groups: pd.DataFrame, *, within: np.ndarray | None = None, what: str | None = None,
              name: str = "dedupe", check: bool = True, stacklevel: int = 2) -> np.ndarray:
    """The mask of the documents to count, for copy groups already checked by :func:`check_groups`.

    ``within`` (a mask over the documents, default all): the documents an analysis compares.
    Each group keeps its earliest member *among them*, so that a story whose earliest copy lies
    outside them (in neither side of a comparison) still counts once. Documents outside
    ``within`` are ``True``: they are no copy of anything counted. With ``check``, no
    ``doc_id`` of the corpus in ``groups`` is an error and some missing a warning.
    """
    members = group_members(corpus.docs, groups, within=within)
    if check:
        check_found(members, len(groups), what=_prefix(what), groups_name=f"`{name}`", docs_name="the corpus",
                    hint="pass the groups ct.near_duplicates found in this corpus (or in a larger corpus holding "
                         "its documents).", stacklevel=stacklevel + 1)
    keep = np.ones(corpus.n_docs, dtype=bool)
    keep[members.rows[~members.is_first]] = False
    return keep


def without_copies(corpus, dedupe, *, name: str = "dedupe", what: str | None = None):
    """The corpus an analysis should count, and the copy groups that were dropped.

    Parameters
    ----------
    corpus : Corpus
    dedupe : None, False, True or DataFrame
        ``None``/``False``: every document counts. ``True``: find copies with
        :func:`corpus_tools.near_duplicates` at its defaults and keep each group's earliest
        member. A DataFrame: the groups a user already found (``near_duplicates``'s output,
        perhaps filtered or made with other parameters, or found on a larger corpus); again the
        earliest member present stays, and groups sharing a document count as one.
    name : str
        The argument's name in error messages.
    what : str, optional
        The analysis, named at the start of warnings and errors (e.g. ``"TopicModel.fit"``).

    Returns
    -------
    (Corpus, DataFrame or None)
        The corpus to count (``corpus`` itself when ``dedupe`` keeps everything) and the groups
        used, as given.

    Raises
    ------
    TypeError
        For any other ``dedupe``.
    ValueError
        For a DataFrame without the columns ``group`` and ``doc_id``, with a missing
        ``group``, or naming none of the corpus's documents (some missing: a warning).

    Examples
    --------
    >>> kept, groups = without_copies(corpus, True)  # doctest: +SKIP
    >>> corpus.n_docs - kept.n_docs == groups.attrs["n_duplicates"]  # doctest: +SKIP
    True
    """
    groups = resolve_groups(corpus, dedupe, name)
    if groups is None:
        return corpus, None
    return corpus.select(kept_rows(corpus, groups, what=what, name=name, stacklevel=3)), groups


def kept_mask(corpus, dedupe, *, name: str = "dedupe", what: str | None = None,
              within: np.ndarray | None = None) -> tuple[np.ndarray | None, pd.DataFrame | None]:
    """Which documents an analysis should count, as a mask over the whole corpus.

    Parameters
    ----------
    corpus : Corpus
    dedupe : None, False, True or DataFrame
        As in :func:`without_copies`.
    name : str
        The argument's name in error messages.
    what : str, optional
        The analysis, named at the start of warnings and errors.
    within : bool array of shape (n_docs,), optional
        The documents the analysis compares (default: all); each group keeps its earliest
        member among them.

    Returns
    -------
    (bool array of shape (n_docs,) or None, DataFrame or None)
        ``True`` for the documents kept: every document in no group, and the earliest member of
        each group (groups sharing a document merged). Without ``within`` these are the
        documents ``corpus.drop_duplicates(merge_overlapping(groups))`` keeps. ``None`` when
        ``dedupe`` keeps everything. Then the groups used, as given.

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
    groups = resolve_groups(corpus, dedupe, name)
    if groups is None:
        return None, None
    return kept_rows(corpus, groups, within=within, what=what, name=name, stacklevel=3), groups


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

    Groups that share a document are merged first (:func:`merge_overlapping`). The earliest is
    the first by ``date`` (undated last), then by position in ``docs``: for groups found on
    these documents by :func:`corpus_tools.near_duplicates`, the member whose ``kind`` is
    ``"first"``; for groups found on a larger corpus, the earliest member present. ``within``
    (a mask over ``docs``) leaves the other documents out of the members, so the earliest is
    the earliest among ``within``; ``n_not_found`` does not depend on it.
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
