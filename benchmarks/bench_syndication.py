"""Syndication tables and trends with copies left out (``dedupe=``), on Reuters-21578 and 1M documents.

Timed: ``ct.syndication_trend`` and ``ct.syndication_matrix`` against the pandas a user would
write from the groups table (``kind != "first"`` rows counted per month over ``docs`` per
month; a crosstab of each copy's source against its group's first member's source), and
``ct.term_trends`` of 20 terms without copies (``dedupe=groups``) against the same call on all
documents and against the one-liner ``term_trends(corpus.drop_duplicates(groups), ...)``. Both
sides give the same numbers (checked). ``ct.near_duplicates`` is run once per corpus in the
parent (its time printed for context; benchmarks/bench_duplicates.py measures it).

The 1M corpus repeats the Reuters bodies (benchmarks/_common.million_docs, ``min_df=2``, the
cache entry of the trends and KWIC benchmarks): every body is an exact copy of ~50 others, so
the groups table has a row for nearly every document. It has no source, so each document gets
one of 20 outlets at random (seeded). Each step runs in a forked process; fastest of
``--repeat``; MB is the step's peak RSS less a forked no-op's.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_syndication.py [--n 1000000]
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import corpus_tools as ct  # noqa: E402
from benchmarks._common import machine, million_docs, reuters_docs, run_isolated  # noqa: E402

TERMS = ["oil", "bank", "trade", "dollar", "prices", "shares", "profit", "loss", "market", "billion",
         "rates", "stock", "japan", "opec", "gold", "coffee", "wheat", "tax", "debt", "sugar"]
OUTLETS = [f"outlet {i:02d}" for i in range(20)]


def ours_trend(groups, corpus):
    out = ct.syndication_trend(groups, corpus)
    return out[["n_docs", "n_copies"]].to_numpy().tolist()


def pandas_trend(groups, corpus):
    docs = corpus.docs
    month = docs["date"].dt.to_period("M")
    copies = groups[groups["kind"] != "first"]
    per_month = month.value_counts().sort_index()
    copied = copies["date"].dt.to_period("M").value_counts().reindex(per_month.index, fill_value=0)
    return [[int(n), int(c)] for n, c in zip(per_month, copied)]


def ours_matrix(groups, corpus):
    out = ct.syndication_matrix(groups, corpus)
    return int(out["n_copies"].sum()), len(out)


def pandas_matrix(groups, corpus):
    first = groups[groups["kind"] == "first"].set_index("group")["source"]
    copies = groups[groups["kind"] != "first"]
    table = pd.crosstab(copies["group"].map(first), copies["source"])
    # over each carrier's documents, as syndication_matrix's share_of_to
    shares = table / corpus.docs["source"].value_counts().reindex(table.columns).to_numpy()
    return int(table.to_numpy().sum()), int((shares.to_numpy() > 0).sum())


def trends_all(corpus):
    return ct.term_trends(corpus, TERMS)["n_docs_with"].sum()


def trends_dedupe(groups, corpus):
    return ct.term_trends(corpus, TERMS, dedupe=groups)["n_docs_with"].sum()


def trends_dropped(groups, corpus):
    return ct.term_trends(corpus.drop_duplicates(groups), TERMS)["n_docs_with"].sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # undated-document notices of the trends
    t0 = time.perf_counter()
    reuters = ct.Corpus.from_docs(reuters_docs(), progress=False)
    docs = million_docs(args.n)
    docs["source"] = np.random.default_rng(0).choice(OUTLETS, size=len(docs))
    big = ct.Corpus.from_docs(docs, min_df=2, n_jobs=2, progress=False)
    print(f"corpora built or reloaded in {time.perf_counter() - t0:.1f} s")
    name = f"{args.n / 1e6:g}M"
    found = {}
    for label, corpus in (("Reuters", reuters), (name, big)):
        t0 = time.perf_counter()
        found[label] = groups = ct.near_duplicates(corpus, n_jobs=2)
        print(f"{label}: {corpus.n_docs:,} documents; ct.near_duplicates {time.perf_counter() - t0:.1f} s: "
              f"{len(groups):,} rows in {groups.attrs['n_groups']:,} groups, {groups.attrs['n_duplicates']:,} copies")
        # the two sides agree before anything is timed
        assert [row for row in ours_trend(groups, corpus) if row[0]] == pandas_trend(groups, corpus)
        assert ours_matrix(groups, corpus) == pandas_matrix(groups, corpus)
        assert trends_dedupe(groups, corpus) == trends_dropped(groups, corpus)
    floor = run_isolated(int)[1]
    print(f"machine: {machine()}; fastest of {args.repeat} forked runs; MB above a forked no-op ({floor:.0f} MB)\n")
    print("| corpus | step | seconds | MB |")
    print("|---|---|---:|---:|")
    for label, corpus in (("Reuters", reuters), (name, big)):
        groups = found[label]
        steps = [("ct.syndication_trend(groups, corpus)", ours_trend, (groups, corpus)),
                 ("pandas: copies per month / documents per month", pandas_trend, (groups, corpus)),
                 ("ct.syndication_matrix(groups, corpus)", ours_matrix, (groups, corpus)),
                 ("pandas: crosstab of first member's source x copy's source", pandas_matrix, (groups, corpus)),
                 ("ct.term_trends(corpus, 20 terms)", trends_all, (corpus,)),
                 ("ct.term_trends(corpus, 20 terms, dedupe=groups)", trends_dedupe, (groups, corpus)),
                 ("ct.term_trends(corpus.drop_duplicates(groups), 20 terms)", trends_dropped, (groups, corpus))]
        for step, fn, fn_args in steps:
            runs = [run_isolated(fn, *fn_args) for _ in range(args.repeat)]
            secs, peak = min(r[0] for r in runs), max(r[1] for r in runs)
            print(f"| {label} | {step} | {secs:.3f} | {peak - floor:.0f} |", flush=True)


if __name__ == "__main__":
    main()
