"""Starting topics for LDA from a non-negative factorisation of the tf-idf matrix.

gensim's LdaModel starts from nearly uniform topics (every term count drawn from
Gamma(100, 1/100)), so its first passes spend their time breaking that symmetry and the
result depends on where the random draw happens to tip. A few multiplicative NMF updates on
the tf-idf matrix find distinctive groups of terms at once; LDA then starts from them as if a
previous pass had found them, and a few variational EM passes refine them
(benchmarks/RESULTS.md, "Topic models": more coherent topics in a fifth of the time).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._storage import release_pages
from .._threads import blas_threads_for

# multiplicative updates of the factorisation: 30-100 gave the same coherence in the benchmark,
# 10 clearly less (measured on Lee with unit-length rows)
NMF_START_ITERATIONS = 60
_TINY = 1e-9
_SLICE = 1 << 22


def nmf_start(dtm: sp.spmatrix, n_topics: int, random_state: int | None,
              iterations: int = NMF_START_ITERATIONS, sample: int | None = None) -> np.ndarray:
    """Topic-term pseudo-counts for gensim's ``LdaModel.state.sstats``, from NMF of the tf-idf matrix.

    The counts of ``dtm`` are weighted by idf (``log(n_docs / df)``), and the rows are not
    scaled to unit length, so that a document weighs by its length as in LDA, where every
    token counts (scaled rows let thousands of short templated documents, such as Reuters'
    earnings tables, take a third of the topics). ``W @ H`` approximates that matrix
    (Frobenius loss, Lee & Seung's multiplicative updates, both factors drawn uniformly from
    [0.1, 1.1) with ``random_state``). Each row of ``H``
    becomes a topic holding an equal share of the corpus's tokens, plus gensim's own
    starting noise (Gamma(100, 1/100), mean 1, per cell) so that no term starts at zero.

    Parameters
    ----------
    dtm : sparse matrix, shape (n_docs, n_terms)
        Raw term counts.
    n_topics : int
        Number of topics (rows of the result).
    random_state : int or None
        Seed of the starting factors and of the noise.
    iterations : int
        Multiplicative updates of both factors.
    sample : int, optional
        Factorise only this many documents, drawn without replacement with ``random_state``
        (all terms; idf and the token total still come from every document), in float32.
        ``None`` or at least the number of documents: all of them, in float64.

    Returns
    -------
    ndarray, shape (n_topics, n_terms)
        Non-negative pseudo-counts; the rows sum to ``dtm.sum() / n_topics`` plus the noise.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> dtm = sp.csr_matrix([[3, 2, 0, 0], [2, 3, 0, 0], [0, 0, 2, 3], [0, 0, 3, 2]])
    >>> start = nmf_start(dtm, 2, random_state=0)
    >>> sorted((start.argmax(axis=1) // 2).tolist())     # terms 0-1 and 2-3: one topic each
    [0, 1]
    """
    X = sp.csr_matrix(dtm)
    n_docs, n_terms = X.shape
    # counted in slices: bincount copies its input as int64, 8 bytes per entry of the matrix
    df = sum(np.bincount(X.indices[i : i + _SLICE], minlength=n_terms) for i in range(0, max(X.nnz, 1), _SLICE))
    rs = np.random.RandomState(random_state)
    rows = start_rows(n_docs, sample, rs)
    picked, total = X if rows is None else X[rows], X.sum()
    # a matrix mapped from the cache: the pages of the passes above go back before the
    # factorisation, which reads the sample (a copy) or reads the matrix again
    release_pages(X.data, X.indices, X.indptr)
    return factorise(picked, df, total, n_docs, n_topics, rs, iterations)


def start_rows(n_docs: int, sample: int | None, rs: np.random.RandomState) -> np.ndarray | None:
    """The rows :func:`nmf_start` factorises, in order (None: all), drawn with ``rs`` (its first draw)."""
    if sample is not None and sample < n_docs:
        return np.sort(rs.choice(n_docs, sample, replace=False))
    return None


def factorise(X: sp.csr_matrix, df: np.ndarray, total, n_docs: int, n_topics: int, rs: np.random.RandomState,
              iterations: int = NMF_START_ITERATIONS) -> np.ndarray:
    """:func:`nmf_start` of the rows ``X`` (all documents, or those of :func:`start_rows`), given the
    document frequencies ``df`` and the token total of the whole corpus, and the generator after
    :func:`start_rows`."""
    n_terms = X.shape[1]
    # terms in every document (idf 0) or in none carry no information about topics
    idf = np.log(np.divide(n_docs, df, out=np.ones(n_terms), where=df > 0))
    # a sample is factorised in float32: the products are linear in the sampled documents, so a
    # start for a million documents costs what one for the sample does, and float32 halves the
    # memory traffic
    dtype = np.float32 if X.shape[0] < n_docs else np.float64
    A = (X.astype(dtype) @ sp.diags(idf.astype(dtype))).tocsr()
    A_T = A.T.tocsr()
    W = (rs.rand(A.shape[0], n_topics) + 0.1).astype(dtype, copy=False)
    H = (rs.rand(n_topics, n_terms) + 0.1).astype(dtype, copy=False)
    # the dense products are (n_docs + n_terms) x k x k multiply-adds
    with blas_threads_for((A.shape[0] + n_terms) * n_topics * n_topics):
        for _ in range(iterations):
            H *= (A_T @ W).T / ((W.T @ W) @ H + _TINY)
            W *= (A @ H.T) / (W @ (H @ H.T) + _TINY)
    H = H.astype(np.float64, copy=False)
    sums = H.sum(axis=1, keepdims=True)
    shares = np.divide(H, sums, out=np.zeros_like(H), where=sums > 0)
    return shares * (total / n_topics) + rs.gamma(100.0, 1.0 / 100.0, H.shape)
