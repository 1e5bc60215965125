"""Non-negative least squares for many documents at once: the topic weights of an NMF model."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def nnls_rows(W: np.ndarray, X, *, max_iter: int = 50, tol: float = 1e-7) -> np.ndarray:
    """Weights ``h >= 0`` minimising ``||x - W h||²`` for every row ``x`` of ``X``.

    Coordinate descent (one topic at a time, in order) over all rows together; a row stops when
    no weight moved by more than ``tol`` times its largest weight in a sweep, or after
    ``max_iter`` sweeps. Each row's answer depends on that row alone.

    Parameters
    ----------
    W : array, shape (n_terms, k)
        Topic-term weights (unnormalised), non-negative.
    X : sparse matrix or array, shape (n_rows, n_terms)
        Term counts, one row per document.

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
    WtW = W.T @ W
    WtX = np.ascontiguousarray((X @ W).T if sp.issparse(X) else (np.asarray(X, dtype=np.float64) @ W).T,
                               dtype=np.float64)
    k, n = WtX.shape
    H = np.zeros((k, n))
    diag = np.diag(WtW)
    topics = np.flatnonzero(diag > 0)  # a topic with no weight on any term cannot explain anything
    active = np.arange(n)
    for _ in range(max_iter):
        if len(active) == 0:
            break
        Ha, Wa = H[:, active], WtX[:, active]
        moved = np.zeros(len(active))
        for t in topics:
            new = np.maximum(Ha[t] - (WtW[t] @ Ha - Wa[t]) / diag[t], 0.0)
            np.maximum(moved, np.abs(new - Ha[t]), out=moved)
            Ha[t] = new
        H[:, active] = Ha
        active = active[moved > tol * Ha.max(axis=0, initial=0.0)]
    return H.T
