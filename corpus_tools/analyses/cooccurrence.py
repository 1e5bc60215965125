"""What is mentioned together: co-occurrence of term pairs, the collocates of one term, a
co-occurrence network, and co-occurrence over time.

Pairs are counted in one of three units, and the association measures read their marginals
from the same unit (see :func:`corpus_tools.analyses.association.association`):

=====================  ============================================  ==============================
``window``             a pair is counted once per ...                ``n`` and the marginals
=====================  ============================================  ==============================
``None``               document holding both terms                   documents; document frequencies
``"sentence"``         sentence holding both terms                   sentences; sentence frequencies
``k`` (int)            pair of token positions at most ``k`` apart   ordered window pairs (twice
                       in the same document                          the unordered ones); ordered
                                                                     pairs with the term first
=====================  ============================================  ==============================

A window pair has two slots, so window units are ordered pairs: ``n`` counts each pair of
positions twice (once with each first), a term's marginal is the number of ordered pairs it
opens (the sum over its tokens of the positions within ``k``, about ``2k`` times its token
count), and the joint count is the number of position pairs holding both terms (each is one
ordered pair with the first term first). Then ``a / n``, ``f1 / n`` and ``f2 / n`` are the
chances that the first slot holds ``x`` and the second ``y``, that the first holds ``x``, that the
second holds ``y``: words placed independently score ``pmi`` 0 and ``g2`` significant at the
nominal rate, and two words each of whose neighbours within ``k`` is always the other score
``npmi`` 1. Two words that always stand side by side but also have other neighbours ("new
york" in "in new york today") score below 1, as they should: a window then holds one without
the other.

Window distances are counted on the stored token sequences, i.e. after stopwords and
filtered terms were removed.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._storage import _blocks
from ..errors import check_option
from . import _cooc_counts as counts
from ._mapreduce import Plan, add, covers, is_sharded, run
from .association import MEASURES, association
from .intervals import wilson_interval
from .periods import assign_periods

UNITS = {None: "documents", "document": "documents", "sentence": "sentences"}


# ---------------------------------------------------------------------- arguments
def _unit(window) -> tuple[str, int | None]:
    if isinstance(window, (int, np.integer)) and not isinstance(window, bool) and window >= 1:
        return "window pairs", int(window)
    if (isinstance(window, str) or window is None) and window in UNITS:
        return UNITS[window], None
    raise ValueError(f"`window` must be None (documents), 'sentence' or a positive int (tokens); got {window!r}.")


def _positive_int(name: str, value, *, allow_none: bool = False, least: int = 1) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        kind = "None or " if allow_none else ""
        raise ValueError(f"`{name}` must be {kind}an integer >= {least}; got {value!r}.")
    return int(value)


def _missing_terms_error(corpus, missing: list[str]) -> KeyError:
    hints = []
    for term in missing[:3]:
        close = difflib.get_close_matches(str(term), corpus.vocab.tolist(), n=3)
        if close:
            hints.append(f"{term!r} -> {close}")
    hint = f"; close terms: {', '.join(hints)}" if hints else ""
    return KeyError(
        f"{len(missing)} of the requested terms are not in the vocabulary ({corpus.n_terms} terms): "
        f"{missing[:10]}{hint}. Terms must be written as the corpus stores them (see corpus.analyze(text))."
    )


def _select_terms(corpus, terms) -> np.ndarray:
    """Sorted term ids of ``terms``: all terms, the ``terms`` most frequent, or the listed terms."""
    if terms is None:
        return np.arange(corpus.n_terms, dtype=np.int64)
    if isinstance(terms, (int, np.integer)) and not isinstance(terms, bool):
        n = _positive_int("terms", terms)
        if n >= corpus.n_terms:
            return np.arange(corpus.n_terms, dtype=np.int64)
        # occurrences of each term: a sharded corpus keeps them; counting the tokens is quicker than
        # reading both totals off the matrix
        cf = corpus._term_totals()[1] if is_sharded(corpus) else _token_counts(corpus.ids, corpus.n_terms)
        # the n most frequent, ties by term: all above the n-th largest count, then the first
        # terms holding that count (a partition, not a sort of the whole vocabulary)
        nth = np.partition(cf, corpus.n_terms - n)[corpus.n_terms - n]
        above = np.flatnonzero(cf > nth)
        tied = np.flatnonzero(cf == nth)[: n - len(above)]
        return np.sort(np.concatenate([above, tied])).astype(np.int64)
    if isinstance(terms, str):
        raise TypeError(
            f"`terms` must be a list of terms or an int (the most frequent terms); got the string {terms!r}. "
            f"For the neighbours of one term use ct.collocates(corpus, {terms!r})."
        )
    terms = pd.Index(pd.unique(pd.Series(list(terms), dtype=object)))
    loc = corpus.vocab.get_indexer(terms)
    if (loc < 0).any():
        raise _missing_terms_error(corpus, terms[loc < 0].tolist())
    return np.sort(loc).astype(np.int64)


def _token_counts(ids: np.ndarray, n_terms: int) -> np.ndarray:
    """Occurrences of each term in the token sequence, counted a block of tokens at a time
    (``_storage._blocks``, which lets go of the pages of tokens mapped from the cache once read):
    ``np.bincount`` copies int32 ids to int64 first, 0.8 GB for a million articles at once."""
    cf = np.zeros(n_terms, dtype=np.int64)
    for part in _blocks(ids):
        cf += np.bincount(part, minlength=n_terms)
    return cf


# ---------------------------------------------------------------------- pairs
def cooccurrence(corpus, *, terms=None, window=None, measure: str = "npmi", min_count: int = 2,
                 top: int | None = None) -> pd.DataFrame:
    """Pairs of terms mentioned together, with their joint count and association.

    Parameters
    ----------
    corpus : Corpus
    terms : list of str or int, optional
        Count only pairs of these terms (e.g. the actors you follow); an int ``n`` takes the ``n``
        most frequent terms. Default: every term (counted sparsely; on a large corpus raise
        ``min_count`` or pass ``terms`` to keep the table small).
    window : None, "sentence" or int
        The unit a pair is counted in: ``None`` once per document, ``"sentence"`` once per
        sentence, ``k`` once per pair of token positions at most ``k`` apart in one document.
        The measures take ``n`` and the marginals from the same unit (module docstring).
    measure : {"count", "pmi", "npmi", "ppmi", "log_dice", "g2", "jaccard", "t_score"}
        With ``a`` the joint count, ``f1``/``f2`` the units holding each term and ``n`` all units:
        ``pmi = log2(a n / (f1 f2))``; ``npmi = pmi / -log2(a / n)`` in [-1, 1];
        ``ppmi = max(pmi, 0)``; ``log_dice = 14 + log2(2a / (f1 + f2))``;
        ``g2`` = log-likelihood of the 2x2 table, negative for pairs rarer than expected;
        ``jaccard = a / (f1 + f2 - a)``; ``t_score = (a - f1 f2 / n) / sqrt(a)``.
    min_count : int
        Drop pairs counted fewer times (at least 1).
    top : int, optional
        Keep only the ``top`` best pairs.

    Returns
    -------
    DataFrame
        One row per pair, best first (ties: higher count, then alphabetical), columns

        - ``term1``, ``term2``: the terms, ``term1 < term2`` alphabetically, never the same term;
        - ``count``: units holding both (documents, sentences or pairs of positions);
        - ``freq1``, ``freq2``: units holding each term (the marginals of the measure; for
          windows, the ordered pairs the term opens, see the module docstring);
        - ``value``: the measure.

        ``attrs`` holds ``measure``, ``window``, ``unit`` and ``n_units`` (``n``).

    Raises
    ------
    KeyError
        Terms listed in ``terms`` are not in the vocabulary.
    ValueError
        ``measure``, ``window``, ``min_count`` or ``top`` is invalid.

    Examples
    --------
    The seed article (``ct.load("seeds/000_bb0baf8a7e2ae5bc.txt")``), sentence by sentence:

    >>> pairs = ct.cooccurrence(corpus, terms=["china", "russia", "us", "drills"], window="sentence")  # doctest: +SKIP
    >>> pairs.head(2)  # doctest: +SKIP
        term1   term2  count  freq1  freq2     value
    0   china  russia      7     10      9  0.356258
    1  drills  russia      5      7      9  0.278449
    """
    return run(corpus, _cooccurrence_prepare, _cooccurrence_parts, _cooccurrence_combine, _cooccurrence_finish,
               terms=terms, window=window, measure=measure, min_count=min_count, top=top)


def _cooccurrence_prepare(corpus, *, terms=None, window=None, measure: str = "npmi", min_count: int = 2,
                          top: int | None = None) -> Plan:
    check_option("measure", measure, MEASURES)
    unit, k = _unit(window)
    min_count = _positive_int("min_count", min_count)
    top = _positive_int("top", top, allow_none=True)
    sel = _select_terms(corpus, terms)
    return Plan(sel=sel, unit=unit, k=k, window=window, measure=measure, min_count=min_count, top=top,
                n_docs=corpus.n_docs, vocab=corpus.vocab, client_only=("vocab",))


def _cooccurrence_parts(corpus, rows: slice, plan: Plan) -> dict:
    """Joint counts of the pairs of selected terms (``i < j``, positions in the selection), the
    marginal of each selected term and the number of units, of one shard.

    A shard keeps every pair seen once: a pair rare in each shard may pass ``min_count`` in
    all of them together. Only a part holding every row of the corpus drops the rarer pairs
    at once, as nothing will be added to it.
    """
    sel, k = plan.sel, plan.k
    least = plan.min_count if covers(rows, plan.n_docs) else 1
    if k is None:
        # every term selected: the whole matrix, built as the corpus builds its own
        binary = counts.binary_unit_matrix(corpus, plan.unit, None if len(sel) == corpus.n_terms else sel)
        i, j, a, f = counts.product_pairs(binary, least)
        n_units = binary.shape[0]
        in_order = False  # the sparse product leaves the columns of a row unsorted
    else:
        local = np.full(corpus.n_terms, -1, dtype=np.int32 if len(sel) < np.iinfo(np.int32).max else np.int64)
        local[sel] = np.arange(len(sel))
        i, j, a, f, n_units = counts.window_pairs(corpus.ids, corpus.doc_offsets, k, local, len(sel), least)
        in_order = True
    return {"i": i, "j": j, "a": a, "f": f, "n_units": int(n_units), "in_order": in_order, "least": least}


def _cooccurrence_combine(parts: list[dict]) -> dict:
    """The pairs of all shards, each counted once with its summed joint count, in ``(i, j)`` order."""
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    m = len(parts[0]["f"])
    i, j, a = (np.concatenate([p[key] for p in parts]).astype(np.int64, copy=False) for key in ("i", "j", "a"))
    pairs = sp.csr_matrix((a, (i, j)), shape=(m, m))  # adds the counts of a pair seen in several shards
    pairs.sum_duplicates()
    pairs = pairs.tocoo()
    return {"i": pairs.row.astype(np.int64), "j": pairs.col.astype(np.int64), "a": pairs.data.astype(np.int64),
            "f": sum(p["f"] for p in parts), "n_units": sum(p["n_units"] for p in parts), "in_order": True,
            "least": 1}


def _cooccurrence_finish(parts: dict, plan: Plan) -> pd.DataFrame:
    sel, measure, top = plan.sel, plan.measure, plan.top
    i, j, a, f, n_units, in_order = (parts[key] for key in ("i", "j", "a", "f", "n_units", "in_order"))
    if parts["least"] < plan.min_count:
        keep = a >= plan.min_count
        i, j, a = i[keep], j[keep], a[keep]
    # i < j are positions in sel; sel is sorted, so they follow the vocabulary's order
    names = pd.Index(plan.vocab[sel], dtype="str")
    if not names.is_monotonic_increasing:  # a vocabulary built elsewhere: order each pair by text
        by_text = np.argsort(names.to_numpy(dtype=object), kind="stable")
        rank = np.empty(len(sel), dtype=np.int64)
        rank[by_text] = np.arange(len(sel))
        names, f = names.take(by_text), f[by_text]
        i, j = rank[i], rank[j]
        i, j = np.minimum(i, j), np.maximum(i, j)
        in_order = False
    # from here i < j are positions in names, which is in alphabetical order
    if measure == "count":
        a, i, j = _by_count(a, i, j, len(names))
        value = a.astype(np.float64)
        if top is not None:
            a, value, i, j = a[:top], value[:top], i[:top], j[:top]
    else:
        value = association(measure, a, f[i], f[j], n_units) if len(a) else np.zeros(0)
        order = _best_first(value, a, i, j, in_order=in_order)
        if top is not None:
            order = order[:top]
        a, value, i, j = a[order], value[order], i[order], j[order]
    # taking from a string index is a vectorised take, not one Python string per row
    out = pd.DataFrame({
        "term1": names.take(i),
        "term2": names.take(j),
        "count": a.astype(np.int64, copy=False),
        "freq1": f[i].astype(np.int64, copy=False),
        "freq2": f[j].astype(np.int64, copy=False),
        "value": value,
    })
    out.attrs.update(measure=measure, window=plan.window, unit=plan.unit, n_units=int(n_units))
    return out


def _by_count(a, i, j, m: int):
    """Pairs by count (desc), then ``i`` and ``j`` (asc), as ``(a, i, j)`` in that order.

    Count, ``i`` and ``j`` (all below ``m``) are packed into one int64 per pair and sorted once:
    no argsort, and no gathering of the columns in the sorted order afterwards.
    """
    if not len(a):
        return a, i, j
    bits = max(int(m - 1).bit_length(), 1)
    most = int(a.max())
    if most.bit_length() + 2 * bits > 62:  # does not fit one int64 key
        order = np.lexsort((j, i, -a))
        return a[order], i[order], j[order]
    key = np.subtract(most, a, dtype=np.int64)
    key <<= bits
    key |= i
    key <<= bits
    key |= j
    key.sort()
    mask = (1 << bits) - 1
    j = key & mask
    key >>= bits
    i = key & mask
    key >>= bits
    return most - key, i, j


def _best_first(value, a, i, j, *, in_order: bool) -> np.ndarray:
    """Order by value (desc), count (desc), then ``i`` and ``j`` (asc), NaN last.

    ``in_order``: the pairs already come sorted by ``(i, j)``.
    """
    first = None
    if not in_order and len(a) > 1:
        key = i.astype(np.int64) * (int(j.max()) + 1) + j
        if not (np.diff(key) > 0).all():
            first = np.argsort(key, kind="stable")
            value, a = value[first], a[first]
    # a stable sort keeps the (i, j) order for ties
    order = np.lexsort((-a, -value))
    return order if first is None else first[order]


# ---------------------------------------------------------------------- collocates
def collocates(corpus, node: str, *, window=5, measure: str = "log_dice", min_count: int = 3,
               top: int | None = 20) -> pd.DataFrame:
    """The neighbours of one term, as in a concordancer's collocates view.

    Parameters
    ----------
    corpus : Corpus
    node : str
        The term, as the corpus stores it (e.g. lowercased; see ``corpus.analyze``).
    window : int, "sentence" or None
        ``k``: tokens at most ``k`` positions before or after the node in the same document (each
        pair of positions counts once); ``"sentence"``: sentences holding both; ``None``: documents
        holding both.
    measure : {"log_dice", "count", "pmi", "npmi", "ppmi", "g2", "jaccard", "t_score"}
        As in :func:`cooccurrence`, with the marginals of the same unit. The default, log-Dice
        (Rychlý 2008, the default of Sketch Engine), does not favour rare words as pmi and npmi
        do: on Reuters-21578 the top collocates of *crude* by log-Dice are oil, barrel, barrels,
        bpd; by npmi (``min_count=3``) tankcars, postings, ngls, spr.
    min_count : int
        Drop collocates counted fewer times (3: a pair seen once or twice says little).
    top : int or None
        Keep the ``top`` best collocates (None: all).

    Returns
    -------
    DataFrame
        Best first (ties: higher count, then alphabetical), columns

        - ``node``, ``collocate``;
        - ``count``: pairs of positions / sentences / documents holding both;
        - ``left``, ``right``: of ``count``, the pairs where the collocate comes before / after the
          node (int; NaN when ``window`` is a sentence or document, where order is not counted);
        - ``collocate_freq``: ordered window pairs opened by / sentences / documents holding the
          collocate (the measure's marginal; for windows that is the number of positions within
          ``window`` of its tokens, about ``2 * window`` times its token count);
        - ``value``: the measure.

        ``attrs`` holds ``node_freq`` (the node's marginal), ``n_units``, ``unit``, ``measure``, ``window``.

    Raises
    ------
    KeyError
        ``node`` is not in the vocabulary (close terms are named).
    ValueError
        An option is invalid.

    Examples
    --------
    Reuters-21578 (``ct.load(".../reuters21578")``):

    >>> ct.collocates(corpus, "crude").head(3)  # doctest: +SKIP
        node collocate  count  left  right  collocate_freq     value
    0  crude       oil    489    43    446           36494  8.513336
    1  crude    barrel     99    18     81            4335  8.115999
    2  crude   barrels    102    75     27            4855  8.096295
    """
    return run(corpus, _collocates_prepare, _collocates_parts, add, _collocates_finish, node, window=window,
               measure=measure, min_count=min_count, top=top)


def _collocates_prepare(corpus, node: str, *, window=5, measure: str = "log_dice", min_count: int = 3,
                        top: int | None = 20) -> Plan:
    check_option("measure", measure, MEASURES)
    unit, k = _unit(window)
    min_count = _positive_int("min_count", min_count)
    top = _positive_int("top", top, allow_none=True)
    if not isinstance(node, str):
        raise TypeError(f"`node` must be one term (a string); got {type(node).__name__} {node!r}.")
    return Plan(node=node, nid=corpus.term_id(node), unit=unit, k=k, window=window, measure=measure,
                min_count=min_count, top=top, vocab=corpus.vocab, client_only=("vocab",))


def _collocates_parts(corpus, rows: slice, plan: Plan) -> dict:
    """Units holding the node and each term (windows: pairs with the term left / right of the
    node), every term's marginal and the number of units, of one shard."""
    nid, k = plan.nid, plan.k
    if k is None:
        binary = counts.binary_unit_matrix(corpus, plan.unit)
        by_term = binary.tocsc()
        f = np.diff(by_term.indptr).astype(np.int64)
        rows_with = by_term.indices[by_term.indptr[nid] : by_term.indptr[nid + 1]]
        joint = np.asarray(binary[rows_with].sum(axis=0)).ravel().astype(np.int64)
        return {"joint": joint, "f": f, "n_units": int(binary.shape[0])}
    left, right = _window_sides(corpus, nid, k)
    f, n_units = counts.window_marginals(corpus, k)
    return {"left": left, "right": right, "f": f, "n_units": int(n_units)}


def _collocates_finish(parts: dict, plan: Plan) -> pd.DataFrame:
    nid, measure, top, node = plan.nid, plan.measure, plan.top, plan.node
    f, n_units = parts["f"], parts["n_units"]
    left, right = parts.get("left"), parts.get("right")
    joint = parts["joint"].copy() if left is None else left + right
    joint[nid] = 0  # no self-pairs
    cand = np.flatnonzero(joint >= plan.min_count)
    a = joint[cand]
    value = association(measure, a, f[nid], f[cand], n_units) if len(cand) else np.zeros(0)
    order = np.lexsort((cand, -a, -value))
    if top is not None:
        order = order[:top]
    ids = cand[order]
    out = pd.DataFrame({
        "node": np.array([node] * len(ids), dtype=object),
        "collocate": pd.Index(plan.vocab, dtype="str").take(ids),
        "count": a[order].astype(np.int64),
        "left": left[ids].astype(np.int64) if left is not None else np.full(len(ids), np.nan),
        "right": right[ids].astype(np.int64) if right is not None else np.full(len(ids), np.nan),
        "collocate_freq": f[ids].astype(np.int64),
        "value": value[order],
    })
    out.attrs.update(node_freq=int(f[nid]), n_units=int(n_units), unit=plan.unit, measure=measure,
                     window=plan.window)
    return out


def _window_sides(corpus, nid: int, k: int):
    """Per term: position pairs with the node where the term is before (left) / after (right) it."""
    ids = corpus.ids
    # the node's positions a block at a time: a mask of every token would take a byte each, and
    # the scan hands back the pages it read
    pos, offset = [], 0
    for part in _blocks(ids):
        pos.append(np.flatnonzero(part == nid) + offset)
        offset += len(part)
    pos = np.concatenate(pos) if pos else np.zeros(0, dtype=np.int64)
    doc = np.searchsorted(corpus.doc_offsets, pos, side="right") - 1  # the document of each node position
    start = corpus.doc_offsets[doc]
    end = corpus.doc_offsets[doc + 1]
    sides = []
    for sign in (-1, 1):
        other = pos[:, None] + sign * np.arange(1, k + 1)[None, :]
        valid = (other >= start[:, None]) & (other < end[:, None])
        sides.append(np.bincount(ids[other[valid]], minlength=corpus.n_terms).astype(np.int64))
    return sides[0], sides[1]


# ---------------------------------------------------------------------- graph
def _check_pairs(pairs, needed=("term1", "term2")) -> None:
    if not isinstance(pairs, pd.DataFrame):
        raise TypeError(f"`pairs` must be a DataFrame from ct.cooccurrence (columns term1, term2, value); "
                        f"got {type(pairs).__name__}.")
    missing = [c for c in needed if c not in pairs.columns]
    if missing:
        raise ValueError(f"`pairs` lacks the columns {missing}; it has {list(pairs.columns)}. "
                         "Pass the table ct.cooccurrence returns, or rename your columns.")


def cooccurrence_graph(pairs: pd.DataFrame, *, top: int | None = 100, min_value: float | None = None,
                       value: str = "value"):
    """A network of terms from co-occurring pairs.

    Parameters
    ----------
    pairs : DataFrame
        From :func:`cooccurrence` (or any table with ``term1``, ``term2`` and ``value``; ``count``,
        ``freq1`` and ``freq2`` are used when present).
    top : int or None
        Keep the ``top`` pairs with the highest value (None: all).
    min_value : float, optional
        Keep pairs whose value is at least this.
    value : str
        The column used as edge weight.

    Returns
    -------
    networkx.Graph
        Nodes are terms with attribute ``freq`` (units holding the term, from ``freq1``/``freq2``;
        absent when the table has no such columns); edges carry ``weight`` (the value) and
        ``count``. ``graph.graph`` holds ``measure`` and ``unit`` when known. Write it with
        ``networkx.write_gexf`` (Gephi) or ``networkx.write_graphml``.

    Raises
    ------
    TypeError, ValueError
        ``pairs`` is not a DataFrame or lacks the needed columns; ``top`` is invalid.

    Examples
    --------
    >>> g = ct.cooccurrence_graph(ct.cooccurrence(corpus, terms=100), top=50)  # doctest: +SKIP
    >>> networkx.write_gexf(g, "cooccurrence.gexf")  # doctest: +SKIP
    """
    import networkx as nx

    _check_pairs(pairs, ("term1", "term2", value))
    top = _positive_int("top", top, allow_none=True)
    table = pairs
    if min_value is not None:
        table = table[table[value] >= min_value]
    table = table.sort_values(value, ascending=False, kind="stable")
    if top is not None:
        table = table.head(top)
    graph = nx.Graph()
    for key in ("measure", "unit"):
        if key in pairs.attrs:
            graph.graph[key] = str(pairs.attrs[key])
    has_freq = {"freq1", "freq2"} <= set(table.columns)
    for col, fcol in (("term1", "freq1"), ("term2", "freq2")):
        for term, freq in zip(table[col], table[fcol] if has_freq else [None] * len(table)):
            if term not in graph:
                graph.add_node(term, **({"freq": int(freq)} if freq is not None else {}))
    has_count = "count" in table.columns
    for row in table.itertuples(index=False):
        data = row._asdict()
        attrs = {"weight": float(data[value])}
        if has_count:
            attrs["count"] = int(data["count"])
        graph.add_edge(data["term1"], data["term2"], **attrs)
    return graph


# ---------------------------------------------------------------------- dense matrix
def _available_bytes() -> int:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def pair_matrix(pairs: pd.DataFrame, *, terms: Iterable[str] | None = None, value: str = "value",
                max_bytes: int | None = None) -> pd.DataFrame:
    """Pairs as a symmetric term-by-term table (NaN on the diagonal and for unseen pairs).

    Parameters
    ----------
    pairs : DataFrame with ``term1``, ``term2`` and ``value``
    terms : list of str, optional
        Rows and columns, in this order. Default: every term of ``pairs``, the most frequent first
        when ``freq1``/``freq2`` are present, else alphabetically.
    value : str
        The column to spread.
    max_bytes : int, optional
        Largest matrix allowed; default: half the memory available now.

    Returns
    -------
    DataFrame (terms x terms) of float64

    Raises
    ------
    MemoryError
        The dense matrix would not fit; the message gives its size and how to shrink it.

    Examples
    --------
    >>> pair_matrix(pd.DataFrame({"term1": ["a"], "term2": ["b"], "value": [0.5]}))
    term2    a    b
    term1
    a      NaN  0.5
    b      0.5  NaN
    """
    _check_pairs(pairs, ("term1", "term2", value))
    if terms is None:
        terms = _terms_by_freq(pairs)
    else:
        terms = pd.Index(pd.unique(pd.Series(list(terms), dtype=object)))
    n = len(terms)
    need = n * n * 8
    limit = _available_bytes() // 2 if max_bytes is None else max_bytes
    if need > limit:
        raise MemoryError(
            f"a dense {n:,} x {n:,} term matrix needs {need / 2**30:.2f} GiB, more than the "
            f"{limit / 2**30:.2f} GiB allowed; shrink it with terms= (e.g. terms=100 in ct.cooccurrence or "
            "a list of terms here), a higher min_count= or top= in ct.cooccurrence."
        )
    pos = pd.Index(terms)
    i = pos.get_indexer(pairs["term1"])
    j = pos.get_indexer(pairs["term2"])
    ok = (i >= 0) & (j >= 0) & (i != j)
    mat = np.full((n, n), np.nan)
    vals = pairs[value].to_numpy(dtype=np.float64)[ok]
    mat[i[ok], j[ok]] = vals
    mat[j[ok], i[ok]] = vals
    return pd.DataFrame(mat, index=pd.Index(terms, name="term1"), columns=pd.Index(terms, name="term2"))


def _terms_by_freq(pairs: pd.DataFrame) -> pd.Index:
    if {"freq1", "freq2"} <= set(pairs.columns):
        freq = pd.concat([
            pd.Series(pairs["freq1"].to_numpy(), index=pairs["term1"].to_numpy()),
            pd.Series(pairs["freq2"].to_numpy(), index=pairs["term2"].to_numpy()),
        ])
        freq = freq[~freq.index.duplicated()]
        frame = pd.DataFrame({"term": freq.index.astype(object), "freq": freq.to_numpy()})
        frame = frame.sort_values(["freq", "term"], ascending=[False, True], kind="stable")
        return pd.Index(frame["term"].tolist(), dtype=object)
    return pd.Index(sorted(set(pairs["term1"]) | set(pairs["term2"])), dtype=object)


# ---------------------------------------------------------------------- over time
def _pair_list(pairs) -> list[tuple[str, str]]:
    if isinstance(pairs, pd.DataFrame):
        _check_pairs(pairs)
        items = list(zip(pairs["term1"], pairs["term2"]))
    elif isinstance(pairs, (str, bytes)) or (
            isinstance(pairs, tuple) and len(pairs) == 2 and all(isinstance(t, str) for t in pairs)):
        raise TypeError(f"`pairs` must be a list of (term1, term2) tuples or a DataFrame; got {pairs!r}. "
                        "Wrap a single pair in a list: [('china', 'russia')].")
    else:
        items = []
        for p in pairs:
            if isinstance(p, str) or len(p) != 2:
                raise TypeError(f"each pair must be a (term1, term2) tuple; got {p!r}.")
            items.append((p[0], p[1]))
    same = [p for p in items if p[0] == p[1]]
    if same:
        raise ValueError(f"a pair needs two different terms; got {same[:3]}.")
    return list(dict.fromkeys(items))


def cooccurrence_trends(corpus, pairs, *, freq: str = "MS") -> pd.DataFrame:
    """Share of documents mentioning both terms of each pair, per calendar period.

    Parameters
    ----------
    corpus : Corpus (with a ``date`` column)
    pairs : list of (term1, term2) tuples, or a DataFrame with ``term1``/``term2`` (e.g. the top
        rows of :func:`cooccurrence`)
    freq : {"D", "W", "MS", "QS", "YS"}
        Calendar periods (``M``, ``Q``, ``Y`` spellings accepted), as in ``ct.term_trends``.

    Returns
    -------
    DataFrame
        One row per period and pair, every period from the first to the last date present,
        columns ``period`` (first day), ``term1``, ``term2``, ``count`` (documents holding both),
        ``n_docs`` (documents in the period), ``value`` (``count / n_docs``; NaN for an empty
        period), ``ci_low``/``ci_high`` (95% Wilson interval), ``partial`` (the data does not
        cover the whole period). ``attrs["n_undated"]`` counts documents left out for lack of a
        date (a warning says so too).

    Raises
    ------
    KeyError
        A term is not in the vocabulary.
    ValueError
        No document has a date, ``freq`` is unknown, or a pair repeats one term.

    Examples
    --------
    >>> ct.cooccurrence_trends(corpus, [("china", "russia")], freq="QS")  # doctest: +SKIP
    """
    items = _pair_list(pairs)
    periods = assign_periods(corpus.dates, freq)
    terms = list(dict.fromkeys(t for p in items for t in p))
    loc = corpus.vocab.get_indexer(pd.Index(terms, dtype=object))
    if (loc < 0).any():
        raise _missing_terms_error(corpus, [t for t, l in zip(terms, loc) if l < 0])
    docs_of = (corpus.dtm[:, loc] > 0).tocsc()  # only the pairs' columns, not the whole matrix
    rows_of = {t: docs_of.indices[docs_of.indptr[n] : docs_of.indptr[n + 1]] for n, t in enumerate(terms)}
    n_docs = periods.n_docs
    n_periods = len(periods.starts)
    frames = []
    for t1, t2 in items:
        both = np.intersect1d(rows_of[t1], rows_of[t2], assume_unique=True)
        per = periods.doc_period[both]
        count = np.bincount(per[per >= 0], minlength=n_periods)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(n_docs > 0, count / np.where(n_docs > 0, n_docs, 1), np.nan)
        low, high = wilson_interval(count, n_docs)
        frames.append(pd.DataFrame({
            "period": periods.starts, "term1": t1, "term2": t2, "count": count.astype(np.int64),
            "n_docs": n_docs.astype(np.int64), "value": value, "ci_low": low, "ci_high": high,
            "partial": periods.partial,
        }))
    out = pd.concat(frames, ignore_index=True)
    periods.warn_undated("co-occurrence trends")
    out.attrs.update(n_undated=int(periods.n_undated), freq=freq)
    return out


__all__ = ["collocates", "cooccurrence", "cooccurrence_graph", "cooccurrence_trends", "pair_matrix"]
