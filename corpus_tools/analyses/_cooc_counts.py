"""Counting cores of co-occurrence: joint counts of term pairs and the marginals of their unit.

Three units are counted:

- documents: a pair counts once per document holding both terms (binary dtm^T @ binary dtm);
- sentences: once per sentence holding both (the same product on a sentence-term matrix);
- window pairs: once per ordered pair of token positions at most ``k`` apart in the same
  document, so that each unordered pair of positions is two units, one with each position first.

Why ordered pairs: a window pair has two slots. Counting each unordered pair once and taking as
a term's marginal "pairs holding the term" makes the marginals about twice a slot's share while
the joint count stays the same, so every independent pair scores ``pmi = -1``. With ordered
pairs, ``p(x) = f(x) / n`` is the chance that the first slot holds ``x``, ``p(y)`` that the second
holds ``y`` (the same numbers, by symmetry), and ``p(x, y) = a / n`` with ``a`` the unordered pairs
holding both (each is one ordered pair with ``x`` first): independent words have
``a ~ f(x) f(y) / n`` and score 0, and two words each of whose window neighbours is always the
other score ``npmi = 1``.

Everything is vectorised with numpy / scipy.sparse and processed in bounded chunks, so that
the 90M-token corpus is counted without a Python loop per token and without a dense V x V.
"""
from __future__ import annotations

import weakref

import numpy as np
import scipy.sparse as sp

from .._storage import _blocks, release_part
from ..corpus import _build_dtm

# Tokens per block of documents of the window count (bounds its temporaries to a few hundred MB).
TOKEN_CHUNK = 8_000_000
# Terms per block of the document/sentence product (bounds the product's size).
TERM_BLOCK = 2048
# Below this many cells a dense bincount of pair keys is used; above, a sparse coo -> csr sum.
DENSE_CELLS = 1 << 24
# Token positions (shifted apart between documents) up to this are counted in int32, above in int64.
INT32_POSITIONS = np.iinfo(np.int32).max


def binary_unit_matrix(corpus, unit: str, sel: np.ndarray | None = None) -> sp.csr_matrix:
    """Binary unit-by-term matrix (int32): documents (rows of the dtm) or sentences.

    With ``sel`` (term ids), the columns of those terms only, in that order, made from the
    selected terms alone: the pairs of the 100 most frequent terms need a small part of the
    matrix of every term, which among a million articles takes gigabytes to build and sort.
    """
    if unit == "documents":
        # a column selection is a new matrix already; the whole matrix is copied before data is set
        m = corpus.dtm.tocsr().astype(np.int32, copy=True) if sel is None else \
            corpus.dtm[:, sel].tocsr().astype(np.int32, copy=False)
    elif sel is None:
        # the sentence-term matrix: built like the dtm, with sentences for documents
        m = _build_dtm(corpus.ids, corpus.sent_offsets, corpus.n_terms)
    else:
        m = _selected_unit_matrix(corpus.ids, corpus.sent_offsets, sel, corpus.n_terms)
    m.data[:] = 1
    m.eliminate_zeros()
    return m


def _selected_unit_matrix(ids: np.ndarray, offsets: np.ndarray, sel: np.ndarray, n_terms: int) -> sp.csr_matrix:
    """Occurrences of the selected terms per unit (``offsets`` delimit the units in ``ids``), as
    ``_build_dtm`` of the token sequence would give them in the columns ``sel``.

    The tokens are read a block at a time (``_storage._blocks``, which lets go of the pages of a
    block mapped from the cache once read); only the positions of selected tokens are kept, and
    the row pointers are the number of them before each unit's start.
    """
    local = np.full(n_terms, -1, dtype=np.int32 if len(sel) < np.iinfo(np.int32).max else np.int64)
    local[sel] = np.arange(len(sel))
    small = len(ids) < np.iinfo(np.int32).max
    positions, columns = [], []
    start = 0
    for chunk in _blocks(ids):
        lid = local[chunk]
        at = np.flatnonzero(lid >= 0)
        columns.append(lid[at])
        at += start
        positions.append(at.astype(np.int32, copy=False) if small else at)
        start += len(chunk)
    positions = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
    columns = np.concatenate(columns) if columns else np.zeros(0, dtype=local.dtype)
    # selected tokens before each unit starts (in the positions' type: no wider copy of them)
    indptr = np.searchsorted(positions, offsets.astype(positions.dtype, copy=False))
    del positions
    idx_dtype = np.int32 if len(columns) < np.iinfo(np.int32).max and len(sel) < np.iinfo(np.int32).max else np.int64
    m = sp.csr_matrix((np.ones(len(columns), dtype=np.int32), columns.astype(idx_dtype, copy=False),
                       indptr.astype(idx_dtype)), shape=(len(offsets) - 1, len(sel)))
    m.sum_duplicates()
    return m


def product_pairs(binary: sp.csr_matrix, min_count: int):
    """Joint unit counts of every pair of terms (columns) of a unit matrix, upper triangle only.

    Parameters
    ----------
    binary : csr_matrix (n_units, n_selected), 0/1, the selected terms' columns
        (:func:`binary_unit_matrix` with ``sel``)
    min_count : int, pairs with a smaller joint count are dropped

    Returns
    -------
    i, j : int64 arrays, column positions with ``i < j``
    a : int64 array, joint counts
    f : int64 array, units holding each term
    """
    sub = binary.tocsc()
    f = np.diff(sub.indptr).astype(np.int64)
    rows_csr = binary.tocsr()
    out_i, out_j, out_a = [], [], []
    m = binary.shape[1]
    for start in range(0, m, TERM_BLOCK):
        stop = min(start + TERM_BLOCK, m)
        # only columns >= start: the block's lower-left part belongs to earlier blocks; a single
        # block is the whole matrix, multiplied as it is (a slice would copy it)
        left = sub if stop - start == m else sub[:, start:stop]
        right = rows_csr if start == 0 else rows_csr[:, start:]
        block = (left.T.tocsr() @ right).tocoo()
        i = block.row.astype(np.int64) + start
        j = block.col.astype(np.int64) + start
        keep = (j > i) & (block.data >= min_count)
        out_i.append(i[keep])
        out_j.append(j[keep])
        out_a.append(block.data[keep].astype(np.int64))
    return _cat(out_i), _cat(out_j), _cat(out_a), f


def window_pairs(ids: np.ndarray, doc_offsets: np.ndarray, k: int, local: np.ndarray, n_local: int,
                 min_count: int):
    """Joint counts of position pairs at most ``k`` apart in the same document, and the marginals
    of the selected terms.

    The documents are counted a block at a time (:func:`_document_blocks`): a window never
    crosses a document, so the counts of the blocks add up to those of the whole corpus, and the
    temporaries are those of one block, not of every token at once.

    Parameters
    ----------
    ids : int32 array of term ids (the corpus token sequence)
    doc_offsets : int array (n_docs + 1,), where each document starts in ``ids``
    k : int, largest distance
    local : int array (n_terms,), position of each term in the selection, -1 when not selected
    n_local : int, size of the selection
    min_count : int

    Returns
    -------
    i, j : int64 arrays with ``i < j`` (positions in the selection), sorted by ``(i, j)``
    a : int64 joint counts
    f : int64 array (n_local,), ordered window pairs with each selected term first (as
        :func:`window_marginals`)
    n : int, number of ordered window pairs
    """
    dense = n_local * n_local <= DENSE_CELLS
    counts = None
    sparse_total = None
    f = np.zeros(n_local, dtype=np.int64)
    n_pairs = 0
    for first, stop in _document_blocks(doc_offsets, TOKEN_CHUNK):
        start, end = int(doc_offsets[first]), int(doc_offsets[stop])
        chunk = ids[start:end]
        lid = local[chunk]
        release_part(chunk)  # tokens mapped from the cache: their pages go once read
        offsets = doc_offsets[first : stop + 1] - start
        lengths = np.diff(offsets)
        # only the selected tokens matter; their positions keep the distances
        positions = np.flatnonzero(lid >= 0)
        terms = lid[positions].astype(np.int32 if n_local < np.iinfo(np.int32).max else np.int64, copy=False)
        block_f, block_n = _selected_marginals(lid, offsets, lengths, k, n_local, terms)
        f += block_f
        n_pairs += block_n
        del lid
        found = _block_pairs(positions, terms, lengths, k, n_local, dense)
        if found is None:
            continue
        if dense:
            if counts is None:
                counts = found
            else:
                counts += found
        else:
            sparse_total = found if sparse_total is None else sparse_total + found
    if dense and counts is not None:
        counts[:: n_local + 1] = 0  # a term next to itself is not a pair of terms
        key = np.flatnonzero(counts >= max(min_count, 1))  # in (i, j) order
        i, j = np.divmod(key, n_local)
        return i, j, counts[key], f, n_pairs
    if sparse_total is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, f, n_pairs
    sparse_total.sum_duplicates()  # canonical: rows in order, columns sorted within each row
    coo = sparse_total.tocoo()
    keep = coo.data >= min_count
    return coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64), coo.data[keep].astype(np.int64), f, n_pairs


def _document_blocks(doc_offsets: np.ndarray, size: int):
    """``(first, stop)``: the documents ``first .. stop - 1`` of each block, blocks of at most
    ``size`` tokens cut where a document starts (a document longer than ``size`` is a block of
    its own), together every document once and in order."""
    n_docs = len(doc_offsets) - 1
    first = 0
    while first < n_docs:
        # the last document start within size tokens of this block's start
        stop = int(np.searchsorted(doc_offsets, doc_offsets[first] + size, side="right")) - 1
        stop = min(max(stop, first + 1), n_docs)
        yield first, stop
        first = stop


def _block_pairs(positions, terms, lengths, k: int, n_local: int, dense: bool):
    """The pairs of selected tokens at most ``k`` apart in the same document, of one block of
    documents: a dense ``n_local * n_local`` bincount of the (smaller, larger) cells, or a sparse
    matrix of them (terms with themselves left out); None when the block has none.

    ``positions`` are the selected tokens' places in the block (whose documents have ``lengths``
    tokens), ``terms`` their positions in the selection.
    """
    # a gap of k + 1 between documents makes every cross-document pair farther apart than k
    narrow = int(lengths.sum()) + len(lengths) * (k + 1) <= INT32_POSITIONS
    dtype = np.int32 if narrow else np.int64  # half the memory traffic in the loop below
    shift = np.repeat(np.arange(0, len(lengths) * (k + 1), k + 1, dtype=dtype), lengths)
    virtual = shift[positions]
    del shift
    virtual += positions.astype(dtype, copy=False)
    n = len(virtual)
    keys, firsts, seconds = [], [], []
    # the s-th next selected token is at least s positions away, so s = 1..k covers every pair
    for s in range(1, min(k, n - 1) + 1):
        ok = virtual[s:] - virtual[:-s] <= k
        if not ok.any():
            break  # farther neighbours are farther still
        a, b = terms[:-s], terms[s:]
        if dense:
            # the cell (lo, hi) of the upper triangle as one key; equal terms land on the
            # diagonal, cleared by the caller
            lo = np.minimum(a, b)
            lo *= n_local
            lo += np.maximum(a, b)
            keys.append(lo[ok])
        else:
            a, b = a[ok], b[ok]
            differ = a != b
            firsts.append(np.minimum(a[differ], b[differ]))
            seconds.append(np.maximum(a[differ], b[differ]))
    if dense:
        return np.bincount(np.concatenate(keys), minlength=n_local * n_local) if keys else None
    if not firsts:
        return None
    lo, hi = np.concatenate(firsts), np.concatenate(seconds)
    return sp.csr_matrix((np.ones(len(lo), dtype=np.int64), (lo, hi)), shape=(n_local, n_local))


def _selected_marginals(lid, doc_offsets, lengths, k, n_local, terms):
    """Ordered window pairs with each selected term first, and the number of ordered window pairs.

    ``lid`` holds the selection position of every token (-1 where not selected), ``terms`` that
    of every selected token. Each position is the first of ``2k`` ordered pairs less what the
    document's edges cut off (see :func:`window_marginals`); only the first and last ``k``
    positions of each document are visited.
    """
    f = 2 * k * np.bincount(terms, minlength=n_local).astype(np.int64)
    starts = doc_offsets[:-1]
    for r in range(k):
        has = lengths > r
        # the position r from the start misses k - r left partners; r from the end, k - r right ones
        for edge in (starts[has] + r, starts[has] + lengths[has] - 1 - r):
            held = lid[edge]
            f -= (k - r) * np.bincount(held[held >= 0], minlength=n_local)
    n_pairs = 2 * int(sum(np.maximum(lengths - d, 0).sum() for d in range(1, k + 1)))
    return f, n_pairs


_MARGINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def window_marginals(corpus, k: int):
    """Ordered window pairs with each term first, and the number of ordered window pairs.

    An ordered window pair is two token positions at most ``k`` apart in the same document, one of
    them first. Position ``p`` of a document of ``L`` tokens is the first of
    ``2k - max(0, k - p) - max(0, k - (L - 1 - p))`` pairs: ``2k`` less what the document's edges
    cut off. A term's marginal sums this over its positions; a pair of two positions of the same
    term counts twice, once with each first, as for any other term. Only the first and last ``k``
    positions of each document are visited, never an array of slots per token.

    The documents are counted a block at a time (:func:`_document_blocks`, as
    :func:`window_pairs`): a position's pairs lie in its own document, so the blocks' counts add
    up to the corpus's, and the temporaries (the token count's copy of the ids) are those of a
    block; tokens mapped from the cache are let go of once read. Cached per corpus and ``k``.

    Returns
    -------
    f : int64 array (n_terms,)
    n : int, number of ordered window pairs (twice the unordered ones)

    Examples
    --------
    One document ``a b a`` (ids 0 1 0) and ``k = 1``: the ordered pairs of positions are (0, 1),
    (1, 0), (1, 2) and (2, 1), so ``f == [2, 2]`` (``a`` first in two, ``b`` in two) and ``n == 4``.
    """
    cached = _MARGINS.get(corpus, {})
    hit = cached.get(k)
    if hit is not None and hit[0] is corpus.ids:
        return hit[1], hit[2]
    ids, doc_offsets, v = corpus.ids, corpus.doc_offsets, corpus.n_terms
    f = np.zeros(v, dtype=np.int64)
    n_pairs = 0
    for first, stop in _document_blocks(doc_offsets, TOKEN_CHUNK):
        start, end = int(doc_offsets[first]), int(doc_offsets[stop])
        chunk = ids[start:end]
        offsets = doc_offsets[first : stop + 1] - start
        # every term selected, at its own id: the ids are their own selection positions
        block_f, block_n = _selected_marginals(chunk, offsets, np.diff(offsets), k, v, chunk)
        release_part(chunk)  # tokens mapped from the cache: their pages go once read
        f += block_f
        n_pairs += block_n
    cached[k] = (ids, f, n_pairs)
    _MARGINS[corpus] = cached
    return f, n_pairs


def _cat(parts):
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
