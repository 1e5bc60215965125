"""Topic weights of NMF models: non-negative least squares for many documents at once."""
import numpy as np
import scipy.optimize
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from corpus_tools.analyses._nnls import nnls_rows


@st.composite
def problems(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # as in a topic model: many more terms than topics
    k, n = draw(st.integers(1, 6)), draw(st.integers(1, 8))
    n_terms = draw(st.integers(3 * k, 40))
    W = rng.gamma(0.5, size=(n_terms, k)) * (rng.random((n_terms, k)) < 0.6)
    # coordinate descent is slow on nearly dependent topics; fitted topics are far from that
    assume(np.linalg.cond(W) < 30)
    X = rng.poisson(rng.gamma(0.5, 2.0, size=(n, n_terms)))
    return W, X.astype(np.float64)


@settings(max_examples=200, deadline=None)
@given(problems())
def test_reaches_the_least_squares_optimum_of_scipy(problem):
    W, X = problem
    H = nnls_rows(W, sp.csr_matrix(X), max_iter=5000, tol=1e-12)
    assert H.shape == (X.shape[0], W.shape[1]) and (H >= 0).all()
    for x, h in zip(X, H):
        best = scipy.optimize.nnls(W, x, maxiter=5000)[1] ** 2
        got = float(np.sum((x - W @ h) ** 2))
        assert got <= best + 1e-8 * (1 + x @ x)


def test_each_row_is_solved_on_its_own():
    rng = np.random.default_rng(0)
    W = rng.gamma(1.0, size=(40, 5))
    X = rng.poisson(2.0, size=(30, 40)).astype(np.float64)
    together = nnls_rows(W, X)
    np.testing.assert_allclose(np.vstack([nnls_rows(W, X[i : i + 1]) for i in range(30)]), together, atol=1e-12)
    np.testing.assert_allclose(nnls_rows(W, sp.csr_matrix(X)), together, atol=1e-12)


def test_hand_checked_weights():
    W = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    # x = 2 * column 0 exactly; the second row asks for a negative weight, which is held at 0
    H = nnls_rows(W, np.array([[2.0, 0.0, 2.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(H, [[2.0, 0.0], [1.5, 0.0], [0.0, 0.0]], atol=1e-9)


def test_a_topic_without_terms_gets_no_weight():
    W = np.array([[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(nnls_rows(W, np.array([[1.0, 3.0]])), [[2.0, 0.0]])
