"""Counting cores of co-occurrence: joint counts of term pairs and the marginals of their unit.

Three units are counted:

- documents: a pair counts once per document holding both terms (binary dtm^T @ binary dtm);
- sentences: once per sentence holding both (the same product on a sentence-term matrix);
- window pairs: once per pair of token positions at most ``k`` apart in the same document.

Everything is vectorised with numpy / scipy.sparse and processed in bounded chunks, so that
the 90M-token corpus is counted without a Python loop per token and without a dense V x V.
"""
from __future__ import annotations

import weakref

import numpy as np
import scipy.sparse as sp

# Tokens handled per step of the window count (bounds the temporaries to a few hundred MB).
TOKEN_CHUNK = 8_000_000
# Terms per block of the document/sentence product (bounds the product's size).
TERM_BLOCK = 2048
# Below this many cells a dense bincount of pair keys is used; above, a sparse coo -> csr sum.
DENSE_CELLS = 1 << 24


def binary_unit_matrix(corpus, unit: str) -> sp.csr_matrix:
    """Binary unit-by-term matrix (int32): documents (rows of the dtm) or sentences."""
    if unit == "documents":
        m = corpus.dtm.tocsr().astype(np.int32, copy=True)
    else:
        ids = corpus.ids
        idx_dtype = np.int32 if len(ids) < np.iinfo(np.int32).max else np.int64
        m = sp.csr_matrix(
            # a copy of ids: sum_duplicates sorts the column indices in place
            (np.ones(len(ids), dtype=np.int32), ids.astype(idx_dtype, copy=True), corpus.sent_offsets.astype(idx_dtype)),
            shape=(corpus.n_sentences, corpus.n_terms),
        )
        m.sum_duplicates()
    m.data[:] = 1
    m.eliminate_zeros()
    return m


def product_pairs(binary: sp.csr_matrix, sel: np.ndarray, min_count: int):
    """Joint unit counts of every pair of the selected terms, upper triangle only.

    Parameters
    ----------
    binary : csr_matrix (n_units, n_terms), 0/1
    sel : int array of term ids, sorted
    min_count : int, pairs with a smaller joint count are dropped

    Returns
    -------
    i, j : int64 arrays, positions in ``sel`` with ``i < j``
    a : int64 array, joint counts
    f : int64 array, units holding each selected term
    """
    sub = binary[:, sel].tocsc()
    f = np.diff(sub.indptr).astype(np.int64)
    rows_csr = sub.tocsr()
    out_i, out_j, out_a = [], [], []
    m = len(sel)
    for start in range(0, m, TERM_BLOCK):
        stop = min(start + TERM_BLOCK, m)
        # only columns >= start: the block's lower-left part belongs to earlier blocks
        block = (sub[:, start:stop].T.tocsr() @ rows_csr[:, start:]).tocoo()
        i = block.row.astype(np.int64) + start
        j = block.col.astype(np.int64) + start
        keep = (j > i) & (block.data >= min_count)
        out_i.append(i[keep])
        out_j.append(j[keep])
        out_a.append(block.data[keep].astype(np.int64))
    return _cat(out_i), _cat(out_j), _cat(out_a), f


def window_pairs(ids: np.ndarray, doc_rows: np.ndarray, k: int, local: np.ndarray, n_local: int, min_count: int):
    """Joint counts of position pairs at most ``k`` apart in the same document.

    Parameters
    ----------
    ids : int32 array of term ids (the corpus token sequence)
    doc_rows : int array, document row of each token
    k : int, largest distance
    local : int array (n_terms,), position of each term in the selection, -1 when not selected
    n_local : int, size of the selection
    min_count : int

    Returns
    -------
    i, j : int64 arrays with ``i < j`` (positions in the selection); a : int64 joint counts
    """
    lid = local[ids].astype(np.int32 if n_local < np.iinfo(np.int32).max else np.int64)
    n = len(lid)
    dense = n_local * n_local <= DENSE_CELLS
    counts = np.zeros(n_local * n_local, dtype=np.int64) if dense else None
    sparse_total = None
    for start in range(0, n, TOKEN_CHUNK):
        for d in range(1, k + 1):
            stop = min(start + TOKEN_CHUNK, n - d)
            if stop <= start:
                continue
            left, right = lid[start:stop], lid[start + d : stop + d]
            ok = (left >= 0) & (right >= 0) & (left != right) & (doc_rows[start:stop] == doc_rows[start + d : stop + d])
            left, right = left[ok], right[ok]
            lo, hi = np.minimum(left, right), np.maximum(left, right)
            if dense:
                counts += np.bincount(lo.astype(np.int64) * n_local + hi, minlength=n_local * n_local)
            else:
                part = sp.csr_matrix((np.ones(len(lo), dtype=np.int64), (lo, hi)), shape=(n_local, n_local))
                sparse_total = part if sparse_total is None else sparse_total + part
    if dense:
        key = np.flatnonzero(counts >= max(min_count, 1))
        return key // n_local, key % n_local, counts[key]
    if sparse_total is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    coo = sparse_total.tocoo()
    keep = coo.data >= min_count
    return coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64), coo.data[keep].astype(np.int64)


_MARGINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def window_marginals(corpus, k: int):
    """Window pairs holding each term, and the number of window pairs.

    A window pair is a pair of token positions at most ``k`` apart in the same document.
    Position ``p`` of a document of ``L`` tokens takes part in ``min(k, p) + min(k, L - 1 - p)``
    pairs; a term's marginal sums this over its positions and subtracts the pairs where it
    fills both slots (counted once, not twice). Cached per corpus and ``k``.

    Returns
    -------
    f : int64 array (n_terms,)
    n : int, number of window pairs
    """
    cached = _MARGINS.get(corpus, {})
    hit = cached.get(k)
    if hit is not None and hit[0] is corpus.ids:
        return hit[1], hit[2]
    ids = corpus.ids
    lengths = corpus.doc_lengths.astype(np.int64)
    starts = corpus.doc_offsets[:-1]
    pos = np.arange(len(ids), dtype=np.int64) - np.repeat(starts, lengths)
    after = np.repeat(lengths, lengths) - 1 - pos
    slots = np.minimum(pos, k) + np.minimum(after, k)
    del after
    f = np.bincount(ids, weights=slots, minlength=corpus.n_terms).round().astype(np.int64)
    n_pairs = int(slots.sum()) // 2
    del slots
    for d in range(1, k + 1):
        # same document iff the right token is at least d positions into its document
        same = pos[d:] >= d
        eq = same & (ids[:-d] == ids[d:])
        f -= np.bincount(ids[:-d][eq], minlength=corpus.n_terms)
    cached[k] = (ids, f, n_pairs)
    _MARGINS[corpus] = cached
    return f, n_pairs


def _cat(parts):
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
