"""Document topics of an NMF model: gensim's per-document inference against corpus_tools' batch solver.

    python benchmarks/bench_nmf_inference.py [--topics 20]

Fits one gensim Nmf model (through ct.TopicModel(method="nmf")) on the Reuters-21578 bodies,
then finds every document's topic shares twice with the same fitted topics: gensim's
``get_document_topics`` one document at a time (what TopicModel did before), and
``nnls_rows`` over all documents at once (what it does now). Both are compared with the exact
non-negative least-squares answer (the batch solver run for 2,000 sweeps without stopping early).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, reuters_docs  # noqa: E402


def gensim_per_document(model, dtm) -> np.ndarray:
    from corpus_tools.analyses.topics import _BowRows

    gm = model.model_
    gm.random_state = np.random.RandomState(model.random_state)
    shares = np.zeros((dtm.shape[0], model.n_topics))
    for i, bow in enumerate(_BowRows(dtm)):
        for t, w in gm.get_document_topics(bow, minimum_probability=0.0, normalize=False):
            shares[i, t] = w
    return shares


def normalised(shares: np.ndarray) -> np.ndarray:
    sums = shares.sum(axis=1, keepdims=True)
    return np.divide(shares, sums, out=np.full_like(shares, 1.0 / shares.shape[1]), where=sums > 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topics", type=int, default=20)
    args = parser.parse_args(argv)
    import corpus_tools as ct
    from corpus_tools.analyses._nnls import nnls_rows

    print(f"machine: {machine()}")
    corpus = ct.Corpus.from_docs(reuters_docs(), min_df=5, extra_stopwords="news", cache=False, progress=False)
    t0 = time.perf_counter()
    model = ct.TopicModel(args.topics, method="nmf", random_state=0).fit(corpus)
    fit = time.perf_counter() - t0
    W = model.model_.get_topics(normalize=False).T
    dtm = corpus.dtm.astype(np.float64)
    t0 = time.perf_counter()
    per_doc = normalised(gensim_per_document(model, corpus.dtm))
    t_gensim = time.perf_counter() - t0
    t0 = time.perf_counter()
    batch = normalised(nnls_rows(W, dtm))
    t_batch = time.perf_counter() - t0
    exact = normalised(nnls_rows(W, dtm, max_iter=2000, tol=0.0))
    print(f"Reuters bodies: {corpus.n_docs:,} docs, {corpus.n_terms:,} terms, {args.topics} topics; "
          f"TopicModel.fit {fit:.2f} s (with the batch solver)")
    print("| document topics | seconds | largest share error | mean share error | top topic as exact |")
    print("|---|---:|---:|---:|---:|")
    for name, s, shares in (("gensim get_document_topics, one document at a time", t_gensim, per_doc),
                            ("corpus_tools nnls_rows, all documents at once", t_batch, batch)):
        err = np.abs(shares - exact)
        print(f"| {name} | {s:.2f} | {err.max():.2g} | {err.mean():.2g} | "
              f"{(shares.argmax(1) == exact.argmax(1)).mean():.2%} |")
    print(f"speed-up: {t_gensim / t_batch:.0f}x")


if __name__ == "__main__":
    main()
