"""Monthly trends of 20 terms and keyness of one month on the 1M-document corpus, against pandas.

The corpus is the Reuters-21578 bodies repeated to ``--n`` documents with their dates
(benchmarks/_common.million_docs), built once with ``min_df=2`` (cached; the build is not timed).
The pandas side is what a user would write on a long token table ``(doc, period, term)`` built
from the same corpus (its construction is not timed either): ``groupby`` for the per-period
counts, mentioning documents and denominators, and for the keyness counts (followed by the
same vectorised G² formula, so only the counting differs). Each step runs in a forked process
(benchmarks/_common.run_isolated), which also gives its peak memory; the best of ``--repeat``.

    .venv/bin/python benchmarks/bench_trends_keyness.py [--n 1000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import corpus_tools as ct  # noqa: E402
from benchmarks._common import machine, million_docs, run_isolated  # noqa: E402
from corpus_tools.analyses.keyness import keyness_scores  # noqa: E402
from corpus_tools.analyses.periods import assign_periods  # noqa: E402

TERMS = ["oil", "bank", "trade", "dollar", "prices", "shares", "profit", "loss", "market", "billion",
         "rates", "stock", "japan", "opec", "gold", "coffee", "wheat", "tax", "debt", "sugar"]
TARGET = "1987-03"


def ours_trends(corpus):
    out = ct.term_trends(corpus, TERMS, freq="MS", measure="doc_share")
    return out[["count", "n_docs_with", "n_docs", "n_tokens"]].to_numpy().sum(axis=0).tolist()


def ours_keyness(corpus):
    out = ct.keyness(corpus, TARGET, measure="g2")
    return out.head(5)["term"].tolist()


def pandas_trends(tokens, doc_period, doc_lengths, vocab):
    ids = vocab.get_indexer(TERMS)
    sub = tokens[tokens["term"].isin(ids)]
    counts = sub.groupby(["period", "term"]).agg(count=("doc", "size"), n_docs_with=("doc", "nunique"))
    docs = pd.DataFrame({"period": doc_period, "tokens": doc_lengths})
    docs = docs[docs["period"] >= 0]
    denominators = docs.groupby("period").agg(n_docs=("tokens", "size"), n_tokens=("tokens", "sum"))
    full = pd.MultiIndex.from_product([denominators.index, ids], names=["period", "term"])
    table = counts.reindex(full, fill_value=0).join(denominators, on="period")
    table["value"] = table["n_docs_with"] / table["n_docs"]
    return table[["count", "n_docs_with", "n_docs", "n_tokens"]].to_numpy().sum(axis=0).tolist()


def pandas_keyness(tokens, target_docs, vocab):
    side = target_docs[tokens["doc"].to_numpy()]
    counts = tokens.groupby([side, tokens["term"]]).size().unstack(level=0, fill_value=0)
    counts = counts.reindex(columns=[True, False], fill_value=0)
    a, b = counts[True].to_numpy(), counts[False].to_numpy()
    keep = a + b >= 5
    scores = keyness_scores(a[keep], b[keep], a.sum(), b.sum(), "g2")["score"]
    terms = vocab[counts.index.to_numpy()[keep]]
    order = np.lexsort((np.arange(len(scores)), -scores))
    return terms[order[:5]].tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="documents (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the fastest is reported")
    args = parser.parse_args()

    t0 = time.perf_counter()
    docs = million_docs(args.n)
    corpus = ct.Corpus.from_docs(docs, min_df=2, n_jobs=2, progress=False)
    print(f"corpus: {corpus!r}, built or reloaded in {time.perf_counter() - t0:.1f} s")

    periods = assign_periods(corpus.dates, "MS")
    t0 = time.perf_counter()
    rows = corpus.token_doc_rows()
    tokens = pd.DataFrame({"doc": rows, "period": periods.doc_period[rows].astype(np.int16), "term": corpus.ids})
    print(f"pandas token table: {len(tokens):,} rows, {tokens.memory_usage().sum() / 2**20:,.0f} MB, "
          f"built in {time.perf_counter() - t0:.1f} s (not timed below)")
    dates = corpus.dates
    month = pd.Period(TARGET)
    target_docs = ((dates >= month.start_time) & (dates <= month.end_time)).to_numpy()

    steps = [
        ("trends, 20 terms, monthly", lambda: ours_trends(corpus),
         lambda: pandas_trends(tokens, periods.doc_period, corpus.doc_lengths, corpus.vocab)),
        (f"keyness, {TARGET} vs rest (G2)", lambda: ours_keyness(corpus),
         lambda: pandas_keyness(tokens, target_docs, corpus.vocab)),
    ]
    print(f"\nmachine: {machine()}; best of {args.repeat}; peak RSS of the forked step (shares the parent's data)")
    print(f"{'step':34s} {'corpus_tools s':>14s} {'pandas s':>10s} {'ratio':>7s} {'ct MB':>8s} {'pandas MB':>10s}")
    for name, ours, theirs in steps:
        ours_runs = [run_isolated(ours) for _ in range(args.repeat)]
        their_runs = [run_isolated(theirs) for _ in range(args.repeat)]
        ours_s = min(r[0] for r in ours_runs)
        their_s = min(r[0] for r in their_runs)
        if ours_runs[0][2] != their_runs[0][2]:
            raise SystemExit(f"{name}: results differ: {ours_runs[0][2]} vs {their_runs[0][2]}")
        print(f"{name:34s} {ours_s:14.2f} {their_s:10.2f} {their_s / ours_s:6.1f}x "
              f"{max(r[1] for r in ours_runs):8.0f} {max(r[1] for r in their_runs):10.0f}")


if __name__ == "__main__":
    main()
