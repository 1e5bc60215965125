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
is a copy or an original, never both. The groups are read by the corpus layer
(:mod:`corpus_tools._groups`), as :meth:`Corpus.drop_duplicates` reads them: the documents
kept here are those ``corpus.drop_duplicates(groups)`` keeps.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

# the groups tables as the corpus layer reads them; imported from here by the analyses and the report
from .._groups import Members, check_groups, doc_dates, group_members, merge_overlapping  # noqa: F401


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
        documents ``corpus.drop_duplicates(groups)`` keeps. ``None`` when
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
