"""Keyword in context (ct.kwic) on Lee, Reuters-21578 and 1M documents, against plain pandas.

The corpora: the Lee background corpus (300 articles) and the Reuters-21578 bodies, each built
with the defaults; the 1M-document corpus repeats the Reuters bodies with their dates
(benchmarks/_common.million_docs) and is built with ``min_df=2`` (the trends benchmark's corpus,
so they share a cache entry). Building is not timed.

The plain-pandas side is what a user would write without the toolkit: ``docs.text.str.contains``
with a case-insensitive word-bounded regular expression (``\\bcrude\\s+oil\\b``), then
``re.finditer`` over the matching texts, taking five whitespace-separated words on each side,
and stopping at the same number of rows (``max_rows``) as kwic. Its rows can differ a little
from kwic's, which matches the stored terms (``police`` also finds ``Police's``; a phrase skips
stopwords but not a sentence end), so both row counts are printed.

Each step runs in a forked process (benchmarks/_common.run_isolated) after one warm-up call in
the parent (imports, the corpus's normalizer); the fastest of ``--repeat`` is reported with the
step's own peak memory: its peak RSS less that of a forked process that does nothing.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_kwic.py [--n 1000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import re
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import corpus_tools as ct  # noqa: E402
import corpus_tools.analyses.kwic  # noqa: E402,F401  (imported before the clock starts, as in a session)
from benchmarks._common import machine, million_docs, reuters_docs, run_isolated  # noqa: E402

WINDOW = 5


def ours(corpus, pattern, max_rows, regex=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the "more than max_rows matches" warning
        out = ct.kwic(corpus, pattern, window=WINDOW, max_rows=max_rows, regex=regex)
    return len(out), out.attrs["n_matches"]


def plain_pandas(docs, pattern, max_rows):
    """A user's KWIC: str.contains to find the documents, re.finditer for the contexts."""
    rx = r"\b" + r"\s+".join(re.escape(w) for w in pattern.split()) + r"\b"
    texts = docs["text"]
    found = texts[texts.str.contains(rx, case=False, regex=True, na=False)]
    compiled = re.compile(rx, re.IGNORECASE)
    rows = []
    for doc_id, text in found.items():
        for m in compiled.finditer(text):
            rows.append((doc_id, " ".join(text[: m.start()].split()[-WINDOW:]), m.group(),
                         " ".join(text[m.end() :].split()[:WINDOW])))
            if max_rows is not None and len(rows) == max_rows:
                break
        if max_rows is not None and len(rows) == max_rows:
            break
    return len(pd.DataFrame(rows, columns=["doc_id", "left", "match", "right"]))


def fmt_rows(max_rows):
    return "all" if max_rows is None else f"{max_rows:,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="documents of the large corpus (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the fastest is reported")
    args = parser.parse_args()

    t0 = time.perf_counter()
    lee_docs = ct.datasets.load("lee")
    lee = ct.Corpus.from_docs(lee_docs, progress=False)
    reuters_df = reuters_docs()
    reuters = ct.Corpus.from_docs(reuters_df, progress=False)
    big_docs = million_docs(args.n)
    big = ct.Corpus.from_docs(big_docs, min_df=2, n_jobs=2, progress=False)
    print(f"corpora built or reloaded in {time.perf_counter() - t0:.1f} s: lee {lee!r}; reuters {reuters!r}; "
          f"{args.n:,} docs {big!r}")
    for corpus in (lee, reuters, big):
        ours(corpus, "oil", 1)  # warm-up: the corpus's normalizer, lazy imports

    big_name = f"{args.n / 1e6:g}M" if args.n >= 1_000_000 else f"{args.n:,}"
    steps = [  # corpus name, corpus, docs, pattern, max_rows, regex
        ("Lee", lee, lee_docs, "police", 1000, False),
        ("Reuters", reuters, reuters_df, "crude oil", 1000, False),
        ("Reuters", reuters, reuters_df, "crude oil", None, False),
        ("Reuters", reuters, reuters_df, "oil", 1000, False),
        ("Reuters", reuters, reuters_df, "oil", None, False),
        ("Reuters", reuters, reuters_df, "tungsten", 1000, False),
        ("Reuters", reuters, reuters_df, r"crude\s+oil", 1000, True),
        (big_name, big, big_docs, "crude oil", 1000, False),
        (big_name, big, big_docs, "oil", 1000, False),
        (big_name, big, big_docs, "tungsten", 1000, False),
        (big_name, big, big_docs, "crude oil", None, False),
    ]
    floor = run_isolated(int)[1]
    print(f"\nmachine: {machine()}; best of {args.repeat} forked runs; MB = the step's own peak RSS "
          f"(less a forked no-op's {floor:.0f} MB)\n")
    print("| corpus | pattern | max_rows | kwic rows (of matches) | kwic s | kwic MB | pandas rows | pandas s "
          "| pandas MB | pandas / kwic |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, corpus, docs, pattern, max_rows, regex in steps:
        our_runs = [run_isolated(ours, corpus, pattern, max_rows, regex) for _ in range(args.repeat)]
        s, mb = min(r[0] for r in our_runs), max(r[1] for r in our_runs) - floor
        rows, total = our_runs[0][2]
        label = f"`{pattern}`" + (" (regex=True)" if regex else "")
        if regex:
            print(f"| {name} | {label} | {fmt_rows(max_rows)} | {rows:,} ({total:,}) | {s:.3f} | {mb:.0f} "
                  "| — | — | — | — |", flush=True)
            continue
        their_runs = [run_isolated(plain_pandas, docs, pattern, max_rows) for _ in range(args.repeat)]
        ps, pmb = min(r[0] for r in their_runs), max(r[1] for r in their_runs) - floor
        print(f"| {name} | {label} | {fmt_rows(max_rows)} | {rows:,} ({total:,}) | {s:.3f} | {mb:.0f} "
              f"| {their_runs[0][2]:,} | {ps:.2f} | {pmb:.0f} | {ps / s:.{1 if ps / s < 10 else 0}f}x |", flush=True)


if __name__ == "__main__":
    main()
