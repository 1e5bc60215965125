"""One million articles: each step of the path from raw files to analyses, timed against what a
user would pick instead, on the seeded corpus of ``benchmarks/_million.py`` (Reuters-21578 and
BBC texts with sentences dropped at random, 20 outlets, dates 2000-2019; Parquet and JSONL.gz).

Every step and every alternative runs in a fresh Python process (``python bench_million.py
--child ...``), so that its peak RSS is its own and nothing is shared or cached in memory
between them. The child imports pandas, pyarrow and corpus_tools, runs the step's ``prepare``
(untimed, e.g. loading the docs a later step needs), then times ``run``; peak RSS is the
child's whole peak (interpreter and imports included: the ``python + imports`` row gives that
floor). The table has one row per step: wall seconds, peak RSS, the alternative, its seconds
and RSS, and the ratios (ours / theirs; below 1 is better), then the CPU seconds (user and
system, all threads) of both and their ratio, which a busy machine changes less than wall time. With ``--repeat k`` each step and
its alternative run k times in turn and the fastest run of each is shown (with its RSS); the
last column gives the range of the load average over the runs (2 cores: above 2 the machine
is busy with other work).

Adding a step: write module-level ``prepare`` (optional) and ``run`` functions that take the
:class:`Million` paths (and what ``prepare`` returned) and return something small (a row
count), and append a :class:`Step` to ``STEPS``.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_million.py [--n 1000000] [--seed 0] [--steps load] [--repeat 3]

``--steps`` runs the steps whose name contains one of the given words. The table is printed
and written to ``benchmarks/out/bench_million.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine  # noqa: E402
from benchmarks._million import million_files  # noqa: E402

# JSON lines of a million articles are about 1.5 GB once gunzipped: above ct.load's default
# limit for one file (512 MiB), which a user raises as its message says.
JSONL_LIMIT = 8 * 2**30


@dataclass(frozen=True)
class Million:
    n: int
    seed: int
    parquet: Path
    jsonl: Path


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[..., Any]
    prepare: Callable[[Million], Any] | None = None
    alternative: str = ""
    alternative_run: Callable[..., Any] | None = None
    alternative_prepare: Callable[[Million], Any] | None = None
    note: str = ""


# -- steps ---------------------------------------------------------------------------------

def nothing(m: Million) -> int:
    return 0


def load_parquet(m: Million) -> int:
    import corpus_tools as ct

    return len(ct.load(m.parquet))


def read_parquet(m: Million) -> int:
    import pandas as pd

    return len(pd.read_parquet(m.parquet))


def raise_file_limit(m: Million) -> None:
    from corpus_tools.io import decoding

    decoding.MAX_FILE_BYTES = JSONL_LIMIT


def load_jsonl(m: Million, _: Any = None) -> int:
    import corpus_tools as ct

    return len(ct.load(m.jsonl))


def read_json_lines(m: Million) -> int:
    import pandas as pd

    return len(pd.read_json(m.jsonl, lines=True, compression="gzip"))


STEPS: list[Step] = [
    Step("python + imports", nothing, note="the floor of every peak RSS below"),
    Step("ct.load Parquet", load_parquet, alternative="pd.read_parquet", alternative_run=read_parquet),
    Step("ct.load JSONL.gz", load_jsonl, prepare=raise_file_limit,
         alternative='pd.read_json(lines=True, compression="gzip")', alternative_run=read_json_lines,
         note="MAX_FILE_BYTES raised to 8 GiB"),
]


# -- Corpus.from_parquet: texts streamed from disk (more in benchmarks/bench_streaming.py) ---

STREAM_CACHE = Path(__file__).resolve().parent / ".data" / "million-stream-cache"


def fresh_stream_cache(m: Million) -> None:
    import shutil

    shutil.rmtree(STREAM_CACHE, ignore_errors=True)
    os.environ["CORPUS_TOOLS_CACHE"] = str(STREAM_CACHE)


def stream_cache(m: Million) -> None:
    os.environ["CORPUS_TOOLS_CACHE"] = str(STREAM_CACHE)
    if not any(STREAM_CACHE.glob("corpus/*/meta.json")):  # built here, untimed, if the cold step did not run
        from_parquet(m)


def from_parquet(m: Million, _: Any = None) -> int:
    import corpus_tools as ct

    return ct.Corpus.from_parquet(m.parquet, progress=False).n_tokens


def from_docs_read_parquet(m: Million) -> int:
    import pandas as pd

    import corpus_tools as ct

    return ct.Corpus.from_docs(pd.read_parquet(m.parquet).set_index("doc_id"), cache=False, progress=False).n_tokens


STEPS += [
    Step("Corpus.from_parquet, cold, n_jobs=1", from_parquet, prepare=fresh_stream_cache,
         alternative="Corpus.from_docs(pd.read_parquet(path)), n_jobs=1, no cache",
         alternative_run=from_docs_read_parquet, note="texts streamed; the cache entry and its copy of the texts written"),
    Step("Corpus.from_parquet reopened from the cache", from_parquet, prepare=stream_cache,
         alternative="pd.read_parquet", alternative_run=read_parquet, note="no text read"),
]


# -- topic models (quality and a 1M run of the same preprocessing: bench_topics.py --million) --

# seconds of tomotopy training: its 200 iterations would take about an hour here
TOMOTOPY_BUDGET = 600.0


def topic_corpus(m: Million):
    """The streamed corpus, reopened from the cache (default preprocessing, as a user opens it)."""
    import corpus_tools as ct

    stream_cache(m)
    return ct.Corpus.from_parquet(m.parquet, progress=False)


def topic_fit(m: Million, corpus) -> int:
    import corpus_tools as ct

    return len(ct.TopicModel(20, random_state=0).fit(corpus).doc_topics_)


def tomotopy_fit(m: Million, corpus) -> int:
    from benchmarks.bench_topics import million_tomotopy

    return million_tomotopy(corpus, 20, 0, TOMOTOPY_BUDGET, 2)["iterations"]


STEPS += [
    Step("TopicModel(20).fit, every document's topics", topic_fit, prepare=topic_corpus,
         alternative=f"tomotopy LDA(k=20), 2 threads, {TOMOTOPY_BUDGET:.0f} s of training",
         alternative_run=tomotopy_fit, alternative_prepare=topic_corpus,
         note="corpus reopened from the cache; tomotopy's time includes adding the documents, its result "
              "is the iterations done"),
]


# -- running -------------------------------------------------------------------------------

def _child(index: int, which: str, n: int, seed: int) -> None:
    import corpus_tools as ct  # noqa: F401  (both contenders start from the same imports)
    import corpus_tools.io  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    parquet, jsonl = million_files(n, seed)
    m = Million(n, seed, parquet, jsonl)
    step = STEPS[index]
    prepare, run = (step.prepare, step.run) if which == "main" else (step.alternative_prepare, step.alternative_run)
    prepared = prepare(m) if prepare is not None else None
    cpu0, t0 = _cpu_seconds(), time.perf_counter()
    result = run(m, prepared) if prepare is not None else run(m)
    seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "result": result}, default=str))


def _cpu_seconds() -> float:
    """User and system time of this process, all threads: steady on a busy machine, where
    wall time depends on what else runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measure(index: int, which: str, n: int, seed: int) -> dict:
    load_before = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(index), which, "--n", str(n), "--seed", str(seed)],
        capture_output=True, text=True, env=os.environ.copy(),
    )
    if out.returncode:
        raise RuntimeError(f"step {STEPS[index].name!r} ({which}) failed:\n{out.stderr}")
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    measured["load"] = (load_before, os.getloadavg()[0])
    return measured


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", nargs="*", help="run only the steps whose name holds one of these words")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each step and alternative, taken in turn; the fastest of each is shown")
    parser.add_argument("--child", nargs=2, metavar=("INDEX", "WHICH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(int(args.child[0]), args.child[1], args.n, args.seed)
        return

    parquet, jsonl = million_files(args.n, args.seed)  # generated once, before any clock runs
    print(f"# {args.n:,} articles: {parquet} ({parquet.stat().st_size / 1e6:.0f} MB), "
          f"{jsonl} ({jsonl.stat().st_size / 1e6:.0f} MB); {machine()}; load average at start "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    rows = [
        "| step | wall s | peak RSS MB | alternative | alternative s | alternative MB | time ratio | RSS ratio | CPU s (ratio) | load avg |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for index, step in enumerate(STEPS):
        if args.steps and not any(word.lower() in step.name.lower() for word in args.steps):
            continue
        ours_runs, theirs_runs = [], []
        for _ in range(args.repeat):  # alternately, so that both meet the same load
            ours_runs.append(_measure(index, "main", args.n, args.seed))
            if step.alternative_run:
                theirs_runs.append(_measure(index, "alternative", args.n, args.seed))
        ours = min(ours_runs, key=lambda r: r["seconds"])
        theirs = min(theirs_runs, key=lambda r: r["seconds"]) if theirs_runs else None
        loads = [r["load"] for r in ours_runs + theirs_runs]
        load = "–".join(f"{x:.1f}" for x in (min(min(p) for p in loads), max(max(p) for p in loads)))
        cells = [step.name + (f"; {step.note}" if step.note else ""), f"{ours['seconds']:.1f}", f"{ours['peak_mb']:.0f}"]
        if theirs:
            cells += [f"`{step.alternative}`", f"{theirs['seconds']:.1f}", f"{theirs['peak_mb']:.0f}",
                      _ratio(ours["seconds"], theirs["seconds"]), _ratio(ours["peak_mb"], theirs["peak_mb"]),
                      f"{ours['cpu']:.1f} / {theirs['cpu']:.1f} ({_ratio(ours['cpu'], theirs['cpu'])})"]
        else:
            cells += ["", "", "", "", "", f"{ours['cpu']:.1f}"]
        rows.append("| " + " | ".join(cells + [load]) + " |")
        print(rows[-1], flush=True)
    table = "\n".join(rows)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_million.md").write_text(table + "\n", "utf-8")
    print(table)


if __name__ == "__main__":
    main()
