"""Non-negative least squares for many documents at once: the topic weights of an NMF model."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def nnls_rows(W: np.ndarray, X, *, max_iter: int = 50, tol: float = 1e-7,
              WtW: np.ndarray | None = None) -> np.ndarray:
    """Weights ``h >= 0`` minimising ``||x - W h||²`` for every row ``x`` of ``X``.

    Coordinate descent (one topic at a time, in order) over all rows together; a row stops when
    no weight moved by more than ``tol`` times its largest weight in a sweep, or after
    ``max_iter`` sweeps. Each row's answer depends on that row alone, to the last bit: a row
    solved alone, among others or in another order gets the same weights.

    Parameters
    ----------
    W : array, shape (n_terms, k)
        Topic-term weights (unnormalised), non-negative.
    X : sparse matrix or array, shape (n_rows, n_terms)
        Term counts, one row per document.
    WtW : array, shape (k, k), optional
        ``W.T @ W``, when it is known. BLAS may round this product differently in another process
        (another memory alignment, another path): rows solved in several processes get the
        same weights when they are given the same ``WtW``.

    Returns
    -------
    array, shape (n_rows, k)

    Examples
    --------
    >>> W = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> nnls_rows(W, np.array([[2.0, 0.0, 2.0], [0.0, 4.0, 2.0]])).round(6).tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    """
    W = np.asarray(W, dtype=np.float64)
    WtW = W.T @ W if WtW is None else np.asarray(WtW, dtype=np.float64)
    # a sparse product sums each row's terms in its own order (a dense one, by BLAS, need not)
    X = sp.csr_matrix(X, dtype=np.float64)
    WtX = np.ascontiguousarray(X @ W)
    n, k = WtX.shape
    H = np.zeros((n, k))
    diag = np.diag(WtW)
    topics = np.flatnonzero(diag > 0)  # a topic with no weight on any term cannot explain anything
    columns = np.tile(np.arange(k, dtype=np.int32), n)
    active = np.arange(n)
    for _ in range(max_iter):
        if len(active) == 0:
            break
        Ha, Wa = H[active], WtX[active]
        # the gradient WtW[t] @ h of every row: BLAS's matrix-vector product rounds a row
        # differently depending on where it lies among the others (the last few rows take another
        # path), so the rows are read as a sparse matrix sharing Ha's memory, whose product adds up
        # each row in order, whatever its neighbours: a row's answer is the same alone or among others
        rows = sp.csr_matrix((Ha.ravel(), columns[: Ha.size], np.arange(0, Ha.size + 1, k)), shape=Ha.shape)
        rows.data = Ha.reshape(-1)  # a view: the updates of Ha below are what the product reads
        moved = np.zeros(len(active))
        for t in topics:
            new = np.maximum(Ha[:, t] - (rows @ WtW[t] - Wa[:, t]) / diag[t], 0.0)
            np.maximum(moved, np.abs(new - Ha[:, t]), out=moved)
            Ha[:, t] = new
        H[active] = Ha
        active = active[moved > tol * Ha.max(axis=1, initial=0.0)]
    return H
