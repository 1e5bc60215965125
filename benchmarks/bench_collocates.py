"""Collocates of one term (ct.collocates, log-Dice defaults) and window co-occurrence with the
ordered-pair marginals, on Reuters-21578 and 1M documents; Corpus.drop_duplicates on 1M.

The 1M corpus repeats the Reuters bodies (benchmarks/_common.million_docs) with ``min_df=2``,
the corpus of the trends and KWIC benchmarks (shared cache entry). Building is not timed. The
plain alternative for collocates is what a user would write with pandas: the tokens of the
documents holding the node, a Counter of the words within 5 positions. Each step runs in a
forked process; fastest of ``--repeat``; MB is the step's peak RSS less a forked no-op's.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_collocates.py [--n 1000000]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import corpus_tools as ct  # noqa: E402
from benchmarks._common import machine, million_docs, reuters_docs, run_isolated  # noqa: E402


def collocates(corpus):
    return len(ct.collocates(corpus, "crude"))


def window_pairs(corpus):
    return len(ct.cooccurrence(corpus, terms=2000, window=5, measure="npmi"))


def loop_collocates(corpus, k=5):
    """The tutorial way: for every position of the node, count the term ids within k."""
    node = corpus.term_id("crude")
    counts = Counter()
    for d in np.flatnonzero(np.asarray(corpus.dtm[:, node].todense()).ravel()):
        seq = corpus.ids[corpus.doc_offsets[d] : corpus.doc_offsets[d + 1]].tolist()
        for p, t in enumerate(seq):
            if t == node:
                counts.update(seq[max(0, p - k) : p] + seq[p + 1 : p + 1 + k])
    return len(counts)


def drop_every_other(corpus):
    import pandas as pd

    ids = corpus.docs.index[: corpus.n_docs // 2 * 2]
    groups = pd.DataFrame({"group": np.repeat(np.arange(len(ids) // 2), 2), "doc_id": ids})
    return corpus.drop_duplicates(groups).n_docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    reuters = ct.Corpus.from_docs(reuters_docs(), progress=False)
    big = ct.Corpus.from_docs(million_docs(args.n), min_df=2, n_jobs=2, progress=False)
    print(f"corpora built or reloaded in {time.perf_counter() - t0:.1f} s")
    for corpus in (reuters, big):
        collocates(corpus)  # warm-up: marginals cache, lazy imports
    floor = run_isolated(int)[1]
    print(f"machine: {machine()}; fastest of {args.repeat} forked runs; MB above a forked no-op ({floor:.0f} MB)\n")
    print("| corpus | step | seconds | MB | rows |")
    print("|---|---|---:|---:|---:|")
    name = f"{args.n / 1e6:g}M"
    steps = [("Reuters", reuters, "ct.collocates(corpus, 'crude')", collocates),
             ("Reuters", reuters, "Python loop over the node's positions", loop_collocates),
             ("Reuters", reuters, "ct.cooccurrence(terms=2000, window=5, npmi)", window_pairs),
             (name, big, "ct.collocates(corpus, 'crude')", collocates),
             (name, big, "Python loop over the node's positions", loop_collocates),
             (name, big, "ct.cooccurrence(terms=2000, window=5, npmi)", window_pairs),
             (name, big, "corpus.drop_duplicates(groups of 2, keep='first')", drop_every_other)]
    for corpus_name, corpus, label, fn in steps:
        runs = [run_isolated(fn, corpus) for _ in range(args.repeat)]
        secs, peak, rows = min(r[0] for r in runs), max(r[1] for r in runs), runs[0][2]
        print(f"| {corpus_name} | {label} | {secs:.3f} | {peak - floor:.0f} | {rows:,} |", flush=True)


if __name__ == "__main__":
    main()
