"""gensim's LDA E-step for many documents at once, read straight from a CSR document-term matrix.

gensim's ``LdaModel.inference`` loops over documents in Python and wants each one as a list of
``(term id, count)`` tuples: on a million news articles one pass takes about ten minutes, most of
it interpreter overhead and the conversion of the matrix into tuples. :func:`estep` runs the same
updates (Hoffman et al.'s variational E-step, as in gensim: the same starting point drawn from
the model's random state, the same update order, the same per-document stopping rule
``mean |Δgamma| < gamma_threshold`` and iteration cap) on blocks of documents of similar length,
padded to a common length so that each update is one batched product in numpy. Only rounding
differs from gensim (float32 throughout, and :func:`digamma` instead of gensim's own).

:func:`streamed_update` is gensim's ``LdaModel.update`` around it: the same learning rate, the
same M-step (gensim's ``do_mstep`` and ``LdaState``), so that the fitted model is an ordinary
gensim ``LdaModel``; the documents stream from the matrix in blocks of bounded size.

Each document's result depends on its own row and starting point alone (:func:`_blocks` pads
it to the width of its length class), and the statistics of blocks of rows are added as a fixed
binary tree (:class:`TreeSum`): a corpus held as shards gets the same numbers, to the bit, as
one matrix (:mod:`corpus_tools.analyses._topic_shards`).
"""
from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp

from .._storage import release_rows

# padded (document, term) cells per block of similar-length documents: the block's
# expElogbeta rows (cells x n_topics float32) stay in the processor's cache across the
# iterations of its documents (2.6 MB at 20 topics)
_BLOCK_CELLS = 32_768
# documents of fewer than 16 terms share a block with equal lengths only; longer ones, with lengths
# within this factor, all padded to the longest length of their class
_LENGTH_RATIO = 1.25
# a block drops its finished documents from its arrays once fewer than this share still run
_COMPACT_BELOW = 0.75
# threads of the E-step (the results do not depend on it)
ESTEP_THREADS = min(os.cpu_count() or 1, 2)


def digamma(x: np.ndarray) -> np.ndarray:
    """The digamma function of positive float32 values (relative error below 1e-6).

    ``psi(x) = psi(x + 6) - sum_{i<6} 1 / (x + i)`` and the asymptotic series at ``x + 6``:
    several times faster than ``scipy.special.psi`` on small arrays, which matters because the
    E-step needs ``n_docs x n_topics`` of them in every iteration.

    Examples
    --------
    >>> float(digamma(np.array([1.0], dtype=np.float32))[0])    # -Euler's constant
    -0.577215...
    """
    s = 1.0 / x
    for i in range(1, 6):
        s += 1.0 / (x + i)
    y = x + 6.0
    r = 1.0 / y
    r2 = r * r
    series = r2 * (1 / 12 - r2 * (1 / 120 - r2 * (1 / 252 - r2 * (1 / 240 - r2 / 132))))
    return np.log(y) - 0.5 * r - series - s


def exp_dirichlet_expectation(gamma: np.ndarray) -> np.ndarray:
    """``exp(E[log theta])`` for rows ``theta ~ Dirichlet(gamma)``."""
    return np.exp(digamma(gamma) - digamma(gamma.sum(axis=1, keepdims=True)))


def _class_widths(longest: int) -> np.ndarray:
    """The padded width of every length class up to ``longest`` terms, indexed by class.

    Classes below 16 hold one length each; from 16 on, class edges grow by ``_LENGTH_RATIO``
    (16, 20, 25, 32, 40, ...), in integers, so that they never depend on rounding.
    """
    edges = [16]
    while edges[-1] <= longest:
        edges.append(max(edges[-1] + 1, int(np.ceil(edges[-1] * _LENGTH_RATIO))))
    return np.array(list(range(16)) + [e - 1 for e in edges[1:]], dtype=np.int64)


def _blocks(lengths: np.ndarray):
    """Groups of row numbers of the same length class, each padded to the width of its class.

    Every document of a class is padded to the same width, whichever documents share its
    block: the sums over a document's cells then run over the same cells in the same order,
    so its result does not depend on its neighbours (nor on where a corpus is cut into shards).
    A block holds at most ``_BLOCK_CELLS`` cells.
    """
    order = np.argsort(lengths, kind="stable")
    sorted_len = lengths[order]
    widths = _class_widths(int(sorted_len[-1]) if len(sorted_len) else 0)
    cls = np.searchsorted(widths, sorted_len, side="left")
    starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for s, e in zip(starts.tolist(), ends.tolist()):
        width = int(widths[cls[s]])
        per_block = max(1, _BLOCK_CELLS // max(width, 1))
        for b in range(s, e, per_block):
            yield order[b : min(b + per_block, e)], width


def estep(exp_elogbeta: np.ndarray, alpha: np.ndarray, dtm: sp.csr_matrix, gamma: np.ndarray, *,
          iterations: int, gamma_threshold: float, collect_sstats: bool = False):
    """Variational E-step of LDA for the rows of ``dtm``, as gensim's ``LdaModel.inference``.

    Parameters
    ----------
    exp_elogbeta : array, shape (n_topics, n_terms)
        ``exp(E[log beta])`` of the model (gensim's ``model.expElogbeta``).
    alpha : array, shape (n_topics,)
        The document-topic prior.
    dtm : csr_matrix, shape (n_docs, n_terms)
        Term counts.
    gamma : array, shape (n_docs, n_topics)
        The starting variational parameters (gensim draws them from Gamma(100, 1/100)).
    iterations, gamma_threshold
        A document stops when the mean absolute change of its gamma falls below
        ``gamma_threshold``, or after ``iterations`` updates.
    collect_sstats : bool
        Also return the sufficient statistics of the M-step.

    Returns
    -------
    gamma : array, shape (n_docs, n_topics), float32
    sstats : array, shape (n_topics, n_terms), float32, or None
        ``sum_d n_dw phi_dwk`` (gensim's ``sstats``, already multiplied by ``exp_elogbeta``).

    Examples
    --------
    >>> beta = np.array([[0.9, 0.1], [0.1, 0.9]], dtype=np.float32)
    >>> g, _ = estep(beta, np.full(2, 0.1, dtype=np.float32), sp.csr_matrix([[5, 0], [0, 5]]),
    ...              np.ones((2, 2), dtype=np.float32), iterations=50, gamma_threshold=1e-3)
    >>> g.argmax(axis=1).tolist()     # each document's own topic
    [0, 1]
    """
    gamma, weights, exp_etheta = estep_weights(exp_elogbeta, alpha, dtm, gamma, iterations=iterations,
                                               gamma_threshold=gamma_threshold, collect_sstats=collect_sstats)
    return gamma, (block_sstats(weights, exp_etheta, exp_elogbeta) if collect_sstats else None)


def estep_weights(exp_elogbeta: np.ndarray, alpha: np.ndarray, dtm: sp.csr_matrix, gamma: np.ndarray, *,
                  iterations: int, gamma_threshold: float, collect_sstats: bool = True):
    """:func:`estep` before its statistics are summed over the documents.

    Returns
    -------
    gamma : array, shape (n_docs, n_topics), float32
    weights : csr_matrix, shape (n_docs, n_terms), float32, or None
        ``n_dw / phinorm_dw`` in the cells of ``dtm`` (None without ``collect_sstats``).
    exp_etheta : array, shape (n_docs, n_topics), float32
        ``exp(E[log theta_d])``. :func:`block_sstats` of the last two is :func:`estep`'s ``sstats``;
        each document's rows depend on that document (and its starting point) alone.
    """
    k, n_terms = exp_elogbeta.shape
    n = dtm.shape[0]
    eps = np.finfo(np.float32).eps
    alpha = np.asarray(alpha, dtype=np.float32)
    # one zero row past the last term: the padding cells of a block point there
    ebeta_t = np.zeros((n_terms + 1, k), dtype=np.float32)
    ebeta_t[:n_terms] = exp_elogbeta.T
    indptr, indices = dtm.indptr, dtm.indices
    counts = dtm.data.astype(np.float32, copy=False)
    lengths = np.diff(indptr)
    gamma = np.array(gamma, dtype=np.float32)
    ratio = np.zeros(dtm.nnz, dtype=np.float32) if collect_sstats else None
    exp_etheta = np.empty_like(gamma)
    # The results are checked below, not the floating-point flags: the batched products were seen
    # to flag `invalid` in some runs and not others with every value the same (most likely a BLAS
    # kernel computing on the padding of a tiny product), a warning in a report now and then.
    with np.errstate(invalid="ignore"):
        for rows, width in _blocks(lengths):
            if width == 0:
                # no terms: gensim's first update gives alpha, the second confirms it
                gamma[rows] = alpha
                exp_etheta[rows] = exp_dirichlet_expectation(np.broadcast_to(alpha, (len(rows), k)).copy())
                continue
            cells = indptr[rows][:, None] + np.arange(width)
            valid = np.arange(width) < lengths[rows][:, None]
            cells = np.where(valid, cells, 0)
            term = np.where(valid, indices[cells], n_terms)
            cts = np.where(valid, counts[cells], 0).astype(np.float32)
            g, et = _block_estep(ebeta_t[term], cts, gamma[rows], alpha, iterations, gamma_threshold, eps)
            gamma[rows], exp_etheta[rows] = g, et
            if collect_sstats:
                phinorm = (ebeta_t[term] @ et[:, :, None])[..., 0] + eps
                ratio[cells[valid]] = (cts / phinorm)[valid]
    bad = ~(np.isfinite(gamma).all(axis=1) & np.isfinite(exp_etheta).all(axis=1))
    if bad.any():
        import warnings

        warnings.warn(f"the E-step gave non-finite topic weights for {int(bad.sum())} of {n} documents "
                      "(rows of the matrix holding NaN or infinite counts, or a model whose topics are not "
                      "finite); their topic shares are not usable.", RuntimeWarning, stacklevel=2)
    weights = sp.csr_matrix((ratio, indices, indptr), shape=(n, n_terms)) if collect_sstats else None
    return gamma, weights, exp_etheta


def block_sstats(weights: sp.csr_matrix, exp_etheta: np.ndarray, exp_elogbeta: np.ndarray) -> np.ndarray:
    """The M-step's statistics of some documents, from :func:`estep_weights`: shape (n_topics, n_terms), float32.

    ``sstats[k, w] = sum_d n_dw exp(Elogtheta_dk) exp(Elogbeta_kw) / phinorm_dw``, the documents
    added one after another in row order.
    """
    return np.asarray(weights.T @ exp_etheta, dtype=np.float32).T * exp_elogbeta


# ---------------------------------------------------------------------- summing statistics over blocks
# The statistics of a chunk are the sum of those of its blocks of rows (leaves 0 .. m-1), added as a
# binary tree: node (level, i) holds leaves [i * 2**level, (i + 1) * 2**level), cut at m; its value
# is left + right, or left alone where the right holds no leaf. Any run of whole leaves is a few
# whole nodes, so the shards of a corpus each add up their own nodes and the client finishes the
# tree: the same additions in the same order as on one machine, so the same float32 result.
def tree_height(m: int) -> int:
    """Level of the root of a tree of ``m`` leaves."""
    return max(int(m) - 1, 0).bit_length()


def tree_cover(a: int, b: int, m: int) -> list[tuple[int, int]]:
    """The largest nodes whose leaves all lie in ``a .. b - 1``, left to right."""
    out = []

    def visit(level: int, i: int) -> None:
        lo, hi = i << level, min((i + 1) << level, m)
        if lo >= m or hi <= a or lo >= b:
            return
        if a <= lo and hi <= b:
            out.append((level, i))
            return
        visit(level - 1, 2 * i)
        visit(level - 1, 2 * i + 1)

    if a < b:
        visit(tree_height(m), 0)
    return out


def tree_value(level: int, i: int, m: int, value):
    """The value of node ``(level, i)``; ``value(level, i)`` gives a node's value where known (else None)."""
    known = value(level, i)
    if known is not None:
        return known
    if level == 0:
        raise KeyError(f"leaf {i} of the tree has no value")
    left = tree_value(level - 1, 2 * i, m, value)
    if (2 * i + 1) << (level - 1) >= m:
        return left
    return left + tree_value(level - 1, 2 * i + 1, m, value)


class TreeSum:
    """Adds leaves given in order as :func:`tree_value` of the root adds them, holding a node per level.

    Examples
    --------
    >>> total = TreeSum()
    >>> for leaf in (1.0, 2.0, 3.0):
    ...     total.push(np.float32(leaf))
    >>> float(total.result())           # (1 + 2) + 3
    6.0
    """

    def __init__(self):
        self.stack: list[tuple[int, np.ndarray]] = []

    def push(self, leaf) -> None:
        level = 0
        while self.stack and self.stack[-1][0] == level:
            leaf = self.stack.pop()[1] + leaf
            level += 1
        self.stack.append((level, leaf))

    def result(self):
        # the nodes left are the root's left children, largest first; the last leaves close the tree
        value = self.stack[-1][1]
        for _, node in reversed(self.stack[:-1]):
            value = node + value
        return value


def _block_estep(beta: np.ndarray, cts: np.ndarray, gamma: np.ndarray, alpha: np.ndarray, iterations: int,
                 threshold: float, eps: float):
    """gensim's per-document loop for one block: ``beta`` (docs, width, k), ``cts`` (docs, width)."""
    exp_etheta = exp_dirichlet_expectation(gamma)
    out_gamma, out_etheta = gamma.copy(), exp_etheta.copy()
    live = np.arange(len(gamma))          # rows of the block still in the working arrays
    running = np.ones(len(gamma), dtype=bool)
    phinorm = (beta @ exp_etheta[:, :, None])[..., 0] + eps
    for _ in range(iterations):
        new = alpha + exp_etheta * (((cts / phinorm)[:, None, :] @ beta)[:, 0, :])
        new_etheta = exp_dirichlet_expectation(new)
        change = np.abs(new - gamma).mean(axis=1)
        # documents that stopped earlier keep their values, as they do in gensim
        gamma = np.where(running[:, None], new, gamma)
        exp_etheta = np.where(running[:, None], new_etheta, exp_etheta)
        running &= change >= threshold
        if not running.any():
            break
        phinorm = (beta @ exp_etheta[:, :, None])[..., 0] + eps
        if running.sum() < _COMPACT_BELOW * len(live):
            done = ~running
            out_gamma[live[done]], out_etheta[live[done]] = gamma[done], exp_etheta[done]
            live, beta, cts = live[running], beta[running], cts[running]
            gamma, exp_etheta, phinorm = gamma[running], exp_etheta[running], phinorm[running]
            running = np.ones(len(live), dtype=bool)
    out_gamma[live], out_etheta[live] = gamma, exp_etheta
    return out_gamma, out_etheta


def model_estep(model, dtm: sp.csr_matrix, *, collect_sstats: bool = False, block_docs: int = 16_384,
                threads: int | None = None):
    """:func:`estep` with a gensim model's topics, prior and settings, over ``dtm`` in blocks of rows.

    The starting gammas are drawn from ``model.random_state`` block after block, which gives
    the numbers gensim draws for the whole matrix at once. The blocks run on ``threads``
    threads (default :data:`ESTEP_THREADS`; numpy releases the interpreter lock in its array
    operations) and their statistics are added as a binary tree over the blocks in order
    (:class:`TreeSum`), so the result does not depend on the number of threads; the blocks
    bound memory.

    Returns
    -------
    gamma : array, shape (n_docs, n_topics), float32
    sstats : array, shape (n_topics, n_terms), float32, or None
    """
    from concurrent.futures import ThreadPoolExecutor

    n, k = dtm.shape[0], model.num_topics
    starts = list(range(0, n, block_docs))
    inits = [model.random_state.gamma(100.0, 1.0 / 100.0, (min(block_docs, n - s), k)).astype(np.float32)
             for s in starts]

    def run(i):
        rows = dtm[starts[i] : starts[i] + block_docs]  # a copy of the block's entries
        # a matrix mapped from the cache: the block's pages go, or a pass over a million
        # documents would keep every page of the matrix in this process's memory
        release_rows(dtm, starts[i], min(n, starts[i] + block_docs))
        return estep(model.expElogbeta, model.alpha, rows, inits[i], iterations=model.iterations,
                     gamma_threshold=model.gamma_threshold, collect_sstats=collect_sstats)

    gamma = np.empty((n, k), dtype=np.float32)
    total = TreeSum()
    with ThreadPoolExecutor(max_workers=max(1, threads or ESTEP_THREADS)) as pool:
        for i, (g, s) in enumerate(pool.map(run, range(len(starts)))):
            gamma[starts[i] : starts[i] + len(g)] = g
            inits[i] = None
            if collect_sstats:
                total.push(s)
    sstats = None
    if collect_sstats:
        sstats = total.result() if starts else np.zeros_like(model.expElogbeta, dtype=np.float32)
    return gamma, sstats


# documents per block of the fit's E-step, whose statistics are the leaves of the tree that adds them
SSTATS_BLOCK = 16_384


def streamed_update(model, dtm: sp.csr_matrix, *, passes: int, chunksize: int, decay: float,
                    offset: float = 1.0) -> None:
    """Train a gensim ``LdaModel`` on the rows of ``dtm`` as ``model.update(corpus)`` would.

    One M-step (gensim's ``do_mstep``) after every ``chunksize`` documents, with gensim's
    learning rate ``(offset + pass + updates / chunksize) ** -decay``; ``chunksize`` equal to the
    number of documents and ``decay=0`` is batch variational EM. ``alpha="auto"`` is updated
    after each chunk as gensim does; ``eta="auto"`` inside ``do_mstep``.
    """
    n = dtm.shape[0]

    def chunk_estep(lo: int, hi: int):
        chunk = dtm if hi - lo >= n else dtm[lo:hi]
        return model_estep(model, chunk, collect_sstats=True, block_docs=SSTATS_BLOCK)

    train_chunks(model, n, chunk_estep, passes=passes, chunksize=chunksize, decay=decay, offset=offset)


def train_chunks(model, n_docs: int, chunk_estep, *, passes: int, chunksize: int, decay: float,
                 offset: float = 1.0) -> None:
    """gensim's ``LdaModel.update`` loop over rows ``0 .. n_docs - 1``, its E-step ``chunk_estep(lo, hi)``.

    ``chunk_estep`` returns the rows' gammas (needed only for ``alpha="auto"``; else it may give
    None) and their statistics, and draws the rows' starting points from ``model.random_state``
    as :func:`model_estep` does.
    """
    from gensim.models.ldamodel import LdaState

    model.state.numdocs += n_docs
    for pass_ in range(passes):
        for start in range(0, n_docs, chunksize):
            rho = (offset + pass_ + model.num_updates / chunksize) ** -decay
            other = LdaState(model.eta, model.state.sstats.shape, model.dtype)
            stop = min(start + chunksize, n_docs)
            gamma, other.sstats[...] = chunk_estep(start, stop)
            other.numdocs += stop - start
            if model.optimize_alpha:
                model.update_alpha(gamma, rho)
            model.do_mstep(rho, other, pass_ > 0)


def bound(model, dtm: sp.csr_matrix, gamma: np.ndarray, *, block_docs: int = 8192) -> float:
    """gensim's ``LdaModel.bound(corpus, gamma)`` (the variational lower bound of the log
    likelihood) for the rows of ``dtm``, with array operations instead of its loop over documents.

    ``log p(w_dn)`` is bounded by ``logsumexp_k(E[log theta_dk] + E[log beta_kw])`` for each token,
    plus the Dirichlet terms of theta and of the topics, exactly as gensim sums them (in float64).
    """
    from scipy.special import gammaln, logsumexp, psi

    def expectation(x):
        return psi(x) - psi(x.sum(axis=1, keepdims=True))

    lam = model.state.get_lambda().astype(np.float64)
    elogbeta = expectation(lam)
    gamma = np.asarray(gamma, dtype=np.float64)
    alpha = np.asarray(model.alpha, dtype=np.float64)
    score = 0.0
    for start in range(0, dtm.shape[0], block_docs):
        block = dtm[start : start + block_docs]
        elogtheta = expectation(gamma[start : start + block.shape[0]])
        rows = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
        per_token = logsumexp(elogtheta[rows] + elogbeta[:, block.indices].T, axis=1)
        score += float(per_token @ block.data.astype(np.float64))
        g = gamma[start : start + block.shape[0]]
        score += float(np.sum((alpha - g) * elogtheta) + np.sum(gammaln(g) - gammaln(alpha))
                       + np.sum(gammaln(alpha.sum()) - gammaln(g.sum(axis=1))))
    eta = np.asarray(model.eta, dtype=np.float64)
    score += float(np.sum((eta - lam) * elogbeta) + np.sum(gammaln(lam) - gammaln(eta)))
    sum_eta = eta * model.num_terms if eta.ndim == 0 else eta.sum()
    score += float(np.sum(gammaln(sum_eta) - gammaln(lam.sum(axis=1))))
    return score
