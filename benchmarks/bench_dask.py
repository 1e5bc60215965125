"""A sharded corpus on a Dask cluster: the build and each analysis on 1M and 5M articles, with the
single-machine path at 1M beside it.

The corpora are those of ``benchmarks/_million.py`` (Reuters-21578 and BBC texts with sentences
dropped at random, 20 outlets, dates 2000-2019), generated a batch at a time, one Parquet row
group per 50,000 articles. The cluster is a ``distributed.LocalCluster(n_workers=2,
threads_per_worker=1, processes=True)`` on this machine: two worker processes, one core each.

Every step runs on a new cluster whose workers have imported corpus_tools, so that a worker's
peak RSS (``VmHWM``, read on each worker after the step) is that step's own; the client's peak
is that of this process, which holds the vocabulary and the documents' metadata. The
single-machine rows run ``ct.Corpus.from_parquet(path, n_jobs=2, cache=False)`` and the same
calls on the in-memory corpus, in a fresh process each (peak RSS its own). Each sharded result
is compared with the single-machine one at 1M (``identical`` column).

Each analysis runs twice on its cluster: the table gives the second call (workers that have
opened and verified the shards, as in a notebook session), the first call in the last column.
``ShardedCorpus.open`` has a row of its own (it reads and checks the manifest; a worker verifies
a shard when it first maps it, which the first calls include), and ``map_shards`` is timed with a
function of one's own (the documents mentioning a term, summed over the shards).
Throughput per worker is articles per second per worker process of the build: what a cluster of
k such workers would do, k times over, as long as the client's merge of vocabularies (a
fraction of a second here) stays small.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_dask.py [--sizes 1000000 5000000]

The table is printed and written to ``benchmarks/out/bench_dask.md``.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine, run_isolated  # noqa: E402
from benchmarks._million import million_files  # noqa: E402

TREND_TERMS = ["oil", "bank", "trade", "dollar", "prices", "shares", "profit", "loss", "market", "billion",
               "rates", "stock", "japan", "opec", "gold", "coffee", "wheat", "tax", "debt", "sugar"]
KEYNESS_TARGET = "Atlantic Record"  # an outlet with a tenth of the articles


def analyses():
    """(name, function of a corpus -> DataFrame) of every analysis timed."""
    import corpus_tools as ct

    def quiet(fn):
        def run(corpus):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn(corpus)
        return run

    return [
        ("term_frequencies(top=100)", quiet(lambda c: ct.term_frequencies(c, top=100))),
        ("term_trends(20 terms, freq='MS')", quiet(lambda c: ct.term_trends(c, TREND_TERMS, freq="MS"))),
        ("keyness(one outlet vs the rest)",
         quiet(lambda c: ct.keyness(c, (c.docs["source"] == KEYNESS_TARGET).to_numpy()))),
        ("cooccurrence(window=5, top 200 terms)", quiet(lambda c: ct.cooccurrence(c, window=5, terms=200))),
        ("collocates('oil', window=5)", quiet(lambda c: ct.collocates(c, "oil", window=5))),
        ("kwic('crude oil')", quiet(lambda c: ct.kwic(c, "crude oil", window=5))),
        ("map_shards(a function of your own: documents mentioning 'oil')", documents_mentioning_oil),
    ]


def _mentioning_oil(corpus, rows=None) -> int:
    column = corpus.dtm[:, corpus.term_id("oil")]
    return int(column.getnnz())


def documents_mentioning_oil(corpus):
    """A user's own function: per shard through ``map_shards`` on a sharded corpus, once on a Corpus."""
    import pandas as pd

    if hasattr(corpus, "map_shards"):
        n = sum(corpus.map_shards(_mentioning_oil))
    else:
        n = _mentioning_oil(corpus)
    return pd.DataFrame({"documents": [n]})


def _own_peak_mb() -> float:
    """This process's peak RSS, MB: VmHWM, which starts afresh with the process's program
    (``ru_maxrss`` carries the parent's peak over an exec, so a worker would show the client's)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def worker_peaks(client) -> list[float]:
    """Peak RSS of each worker process since it started, MB."""
    return sorted(client.run(_own_peak_mb).values())


@contextlib.contextmanager
def fresh_cluster(n_workers: int):
    """A new LocalCluster per step, so that each worker's peak RSS is the step's own; the workers
    import corpus_tools before the step (a warm cluster, as after a notebook's first call)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("corpus_tools.shards") and None)
        yield client


def single_machine(parquet: str, which: str):
    """One single-machine step in this (fresh) process: the build, or the build (untimed) and one analysis."""
    import corpus_tools as ct

    t0 = time.perf_counter()
    corpus = ct.Corpus.from_parquet(parquet, n_jobs=2, cache=False, progress=False)
    if which == "build":
        return time.perf_counter() - t0, None
    fn = dict(analyses())[which]
    t0 = time.perf_counter()
    out = fn(corpus)
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--rows-per-shard", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folder", default=None, help="where the shards go (default: a temporary folder)")
    parser.add_argument("--no-single", action="store_true", help="skip the single-machine rows")
    args = parser.parse_args()

    import pandas as pd

    import corpus_tools as ct

    rows = []
    lines = [f"machine: {machine()}; dask {__import__('dask').__version__}, distributed "
             f"{__import__('distributed').__version__}; LocalCluster(n_workers={args.workers}, "
             f"threads_per_worker=1, processes=True); rows_per_shard={args.rows_per_shard:,}; "
             f"load at the start {os.getloadavg()[0]:.1f}"]
    single = {}
    for n in args.sizes:
        parquet, _ = million_files(n)
        print(f"{n:,} articles: {parquet} ({parquet.stat().st_size / 1e9:.2f} GB)", flush=True)
        if n == min(args.sizes) and not args.no_single:
            for which in ["build"] + [name for name, _ in analyses()]:
                seconds, mb, (inner, out) = run_isolated(single_machine, str(parquet), which)
                single[which] = out
                rows.append({"articles": n, "path": "single machine (n_jobs=2)", "step": which,
                             "seconds": inner, "peak MB": f"{mb:,.0f} (process)", "identical": "",
                             "per worker": "", "load": f"{os.getloadavg()[0]:.1f}"})
                print(rows[-1], flush=True)
        base = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="bench-dask-"))
        folder = base / f"shards-{n}"
        with fresh_cluster(args.workers) as client:
            t0 = time.perf_counter()
            sharded = ct.ShardedCorpus.build(str(parquet), folder, client=client, rows_per_shard=args.rows_per_shard,
                                             overwrite=True, progress=False)
            seconds = time.perf_counter() - t0
            peaks = worker_peaks(client)
        rows.append({"articles": n, "path": f"{args.workers} Dask workers", "step": "build",
                     "seconds": seconds, "peak MB": " / ".join(f"{p:,.0f}" for p in peaks)
                     + f" (workers); client {_own_peak_mb():,.0f}",
                     "identical": "", "per worker": f"{n / seconds / args.workers:,.0f} articles/s",
                     "load": f"{os.getloadavg()[0]:.1f}"})
        print(rows[-1], flush=True)
        for k, (name, fn) in enumerate(analyses()):
            with fresh_cluster(args.workers) as client:
                t0 = time.perf_counter()
                sharded = ct.ShardedCorpus.open(folder, client=client)
                opened = time.perf_counter() - t0
                t0 = time.perf_counter()
                out = fn(sharded)
                first = time.perf_counter() - t0
                t0 = time.perf_counter()
                out = fn(sharded)  # again: the workers have the shards open and verified
                seconds = time.perf_counter() - t0
                peaks = worker_peaks(client)
            if k == 0:  # opening reads the manifest; each worker verifies a shard when it first maps it
                rows.append({"articles": n, "path": f"{args.workers} Dask workers", "step": "ShardedCorpus.open",
                             "seconds": opened, "peak MB": f"client {_own_peak_mb():,.0f}", "identical": "",
                             "per worker": "", "load": f"{os.getloadavg()[0]:.1f}"})
            same = ""
            if name in single and single[name] is not None and n == min(args.sizes):
                try:
                    pd.testing.assert_frame_equal(out, single[name], check_exact=True)
                    same = "yes"
                except AssertionError as err:
                    same = f"no: {str(err).splitlines()[0][:60]}"
            rows.append({"articles": n, "path": f"{args.workers} Dask workers", "step": name,
                         "seconds": seconds, "peak MB": " / ".join(f"{p:,.0f}" for p in peaks) + " (workers)",
                         "identical": same, "per worker": f"first call {first:.1f} s (open {opened:.2f} s)", "load": f"{os.getloadavg()[0]:.1f}"})
            print(rows[-1], flush=True)
        if not args.folder:
            shutil.rmtree(base, ignore_errors=True)

    table = ["| articles | path | step | seconds | peak RSS, MB | same as single machine | build throughput; first call | load |",
             "|---:|---|---|---:|---|---|---|---:|"]
    for r in rows:
        secs = f"{r['seconds']:.2f}" if r["seconds"] < 1 else f"{r['seconds']:.1f}"
        table.append(f"| {r['articles']:,} | {r['path']} | {r['step']} | {secs} | {r['peak MB']} "
                     f"| {r['identical']} | {r['per worker']} | {r['load']} |")
    text = "\n".join(lines + [""] + table) + "\n"
    print(text)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_dask.md").write_text(text, "utf-8")


if __name__ == "__main__":
    main()
