"""Fitting LDA on a corpus held as shards: the streamed fit as map-reduce.

The fit of a large corpus (:func:`corpus_tools.analyses._lda_estep.streamed_update`) needs of the
documents only two things, both computed where the shards lie:

- the NMF start factorises a sample of rows: the client draws the row numbers as the
  single-machine start draws them (:func:`~corpus_tools.analyses._topic_init.start_rows`), each
  shard sends its rows of the sample (:func:`start_sample`), and the document frequencies and
  token total come from the sharded corpus's term totals;
- each chunk's E-step: every shard infers its rows of the chunk and sums the M-step's statistics
  of the blocks of rows it holds whole, as nodes of the tree that adds up the blocks
  (:func:`~corpus_tools.analyses._lda_estep.tree_cover`); of a block cut by a shard boundary it
  sends the per-document weights, from which the client sums that block as one machine does. The
  client finishes the tree and takes gensim's M-step (:class:`ShardedEstep`).

Each document starts from the numbers the single-machine fit draws for it (the client hands
every shard the generator's state at the start of each block), its inference depends on its row
alone, and the additions happen in the same order: the sharded fit is the single-machine
streamed fit, to the bit.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from .._threads import blas_threads_for
from ._lda_estep import block_sstats, estep_weights, tree_cover, tree_height, tree_value
from ._mapreduce import Plan


# ---------------------------------------------------------------------- the NMF start
def _sample_part(shard, rows: slice, wanted: np.ndarray) -> sp.csr_matrix:
    lo, hi = np.searchsorted(wanted, [rows.start, rows.stop])
    return shard.dtm[wanted[lo:hi] - rows.start]


def start_sample(corpus, wanted: np.ndarray | None) -> sp.csr_matrix:
    """Rows ``wanted`` (sorted; None: all) of a sharded corpus's matrix, gathered from the shards in order."""
    wanted = np.arange(corpus.n_docs) if wanted is None else np.asarray(wanted, dtype=np.int64)
    parts = corpus.map_shards(_sample_part, wanted)
    return sp.vstack(parts, format="csr") if len(parts) > 1 else sp.csr_matrix(parts[0])


def nmf_start(corpus, n_topics: int, random_state, sample: int | None) -> np.ndarray:
    """:func:`corpus_tools.analyses._topic_init.nmf_start` of a sharded corpus: the same rows, the same numbers."""
    from ._topic_init import factorise, start_rows

    df, cf = corpus._term_totals()
    rs = np.random.RandomState(random_state)
    X = start_sample(corpus, start_rows(corpus.n_docs, sample, rs))
    return factorise(X, df, cf.sum(), corpus.n_docs, n_topics, rs)


# ---------------------------------------------------------------------- the E-step of a chunk
class ShardedEstep:
    """``chunk_estep(lo, hi)`` of :func:`~corpus_tools.analyses._lda_estep.train_chunks` over the shards.

    Called on the client: draws the starting points' generator states from ``model.random_state``
    (leaving it where :func:`~corpus_tools.analyses._lda_estep.model_estep` would), runs
    :func:`_estep_part` on every shard and adds up what they return.
    """

    def __init__(self, corpus, model, block: int):
        self.corpus, self.model, self.block = corpus, model, block

    def __call__(self, lo: int, hi: int):
        model, k, block = self.model, self.model.num_topics, self.block
        sizes = [min(block, hi - s) for s in range(lo, hi, block)]
        states = []
        for rows in sizes:
            states.append(model.random_state.get_state())
            model.random_state.gamma(100.0, 1.0 / 100.0, (rows, k))  # the draws of model_estep's block
        plan = Plan(lo=lo, hi=hi, block=block, m=len(sizes), states=states, k=k,
                    exp_elogbeta=model.expElogbeta, alpha=model.alpha, iterations=model.iterations,
                    gamma_threshold=model.gamma_threshold, with_gamma=bool(model.optimize_alpha))
        return combine(self.corpus.map_shards(_estep_part, plan), plan)


def _estep_part(shard, rows: slice, plan: Plan) -> dict:
    """One shard's share of a chunk's E-step: its tree nodes, the pieces of cut blocks, its gammas."""
    a, b = max(plan.lo, rows.start), min(plan.hi, rows.stop)
    out = {"nodes": {}, "pieces": {}, "gamma": None}
    if a >= b:
        return out
    B, lo, hi = plan.block, plan.lo, plan.hi
    gamma = np.empty((b - a, plan.k), dtype=np.float32) if plan.with_gamma else None

    def infer(j: int):
        start, stop = lo + j * B, min(lo + (j + 1) * B, hi)
        r0, r1 = max(a, start), min(b, stop)
        rs = np.random.RandomState()
        rs.set_state(plan.states[j])
        # the block's starting points up to this shard's last row of it; its earlier rows' dropped
        init = rs.gamma(100.0, 1.0 / 100.0, (r1 - start, plan.k))[r0 - start :].astype(np.float32)
        g, weights, exp_etheta = estep_weights(plan.exp_elogbeta, plan.alpha,
                                               shard.dtm[r0 - rows.start : r1 - rows.start], init,
                                               iterations=plan.iterations, gamma_threshold=plan.gamma_threshold)
        if gamma is not None:
            gamma[r0 - a : r1 - a] = g
        return weights, exp_etheta

    first, last = (a - lo) // B, (b - 1 - lo) // B
    whole = [j for j in range(first, last + 1) if lo + j * B >= a and min(lo + (j + 1) * B, hi) <= b]

    def leaf(level: int, i: int):
        return block_sstats(*infer(i), plan.exp_elogbeta) if level == 0 else None

    with blas_threads_for(0):
        for j in sorted({first, last} - set(whole)):
            out["pieces"][j] = infer(j)
        if whole:
            for level, i in tree_cover(whole[0], whole[-1] + 1, plan.m):
                out["nodes"][(level, i)] = tree_value(level, i, plan.m, leaf)
    out["gamma"] = gamma
    return out


def combine(parts: list[dict], plan: Plan):
    """The chunk's gammas (None unless ``plan.with_gamma``) and statistics from the shards' parts, in shard order."""
    known = {}
    pieces = defaultdict(list)
    for part in parts:
        known.update(part["nodes"])
        for j, piece in part["pieces"].items():
            pieces[j].append(piece)
    for j, found in pieces.items():
        # a block cut by shard boundaries: its documents' weights put together, summed as one block
        weights = sp.vstack([w for w, _ in found], format="csr") if len(found) > 1 else found[0][0]
        known[(0, j)] = block_sstats(weights, np.concatenate([e for _, e in found]), plan.exp_elogbeta)
    sstats = tree_value(tree_height(plan.m), 0, plan.m, lambda level, i: known.get((level, i)))
    gamma = np.concatenate([p["gamma"] for p in parts if p["gamma"] is not None]) if plan.with_gamma else None
    return gamma, sstats


__all__ = ["ShardedEstep", "combine", "dictionary", "nmf_start", "start_sample"]
