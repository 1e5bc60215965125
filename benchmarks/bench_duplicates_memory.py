"""Peak memory and time of ``ct.near_duplicates`` on the 1M corpus as ``corpus-tools report`` opens it.

Each run is a fresh Python process (``--child``): it reopens the cached corpus with
``corpus_tools.report.open_corpus`` (the report's cache, ``benchmarks/.data/million-report-cache``),
notes its memory, then calls ``ct.near_duplicates(corpus)`` with the defaults while a thread samples
``/proc/self/status`` every 10 ms. Printed per run: wall and CPU seconds (all threads), the
step times of ``attrs["seconds"]``, and in MB the reopened corpus's RSS and RSS without file
pages (``RssAnon``), the peak of both during the call (``VmHWM``, which counts the mapped
corpus's file pages, and the sampled peak of ``RssAnon``), and both after the call returns.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_duplicates_memory.py \
        [--repeat 2] [--module other_duplicates.py ...] [--save table.parquet] [--compare table.parquet]

``--module`` runs another copy of ``corpus_tools/analyses/duplicates.py`` (loaded as a module of
the package) beside the installed one, alternating, to compare two versions in the same hour.
``--save`` writes the table of the (first) version; ``--compare`` checks each run's table against
a saved one with ``pandas.testing.assert_frame_equal``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARQUET = ROOT / "benchmarks" / ".data" / "million-n1000000-seed0-v3.parquet"
REPORT_CACHE = ROOT / "benchmarks" / ".data" / "million-report-cache"


def _status() -> dict:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon"):
                out[key] = int(value.split()[0]) / 1024  # kB -> MB
    return out


def child(module: str | None, save: str | None, compare: str | None) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ["CORPUS_TOOLS_CACHE"] = str(REPORT_CACHE)
    import importlib.util

    import pandas as pd

    import corpus_tools as ct
    from corpus_tools.report import open_corpus

    fn = ct.near_duplicates
    if module:
        spec = importlib.util.spec_from_file_location("corpus_tools.analyses._duplicates_other", module)
        other = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(other)
        fn = other.near_duplicates
    corpus = open_corpus(PARQUET, extra_stopwords="news")
    before = _status()
    peak_anon, stop = [before["RssAnon"]], threading.Event()

    def sample():
        while not stop.is_set():
            peak_anon[0] = max(peak_anon[0], _status()["RssAnon"])
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0, cpu0 = time.perf_counter(), time.process_time()
    out = fn(corpus)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    stop.set()
    sampler.join()
    during = _status()
    result = dict(
        seconds=round(seconds, 1), cpu_seconds=round(cpu, 1), steps=out.attrs["seconds"], rows=len(out),
        groups=out.attrs["n_groups"],
        candidates=out.attrs["n_candidates"], checked=out.attrs["n_checked_exactly"],
        texts=out.attrs["n_texts_scanned"],
        corpus_rss=round(before["VmRSS"]), corpus_anon=round(before["RssAnon"]),
        peak_hwm=round(during["VmHWM"]), peak_anon=round(max(peak_anon[0], during["RssAnon"])),
        after_rss=round(during["VmRSS"]), after_anon=round(during["RssAnon"]),
        load=os.getloadavg()[0],
    )
    if save:
        out.to_parquet(save)
    if compare:
        expected = pd.read_parquet(compare)
        got = out.copy()
        got.attrs = {}
        expected.attrs = {}
        # through Parquet both ways, so that the dtypes are those a saved table has
        import io

        buffer = io.BytesIO()
        got.to_parquet(buffer)
        pd.testing.assert_frame_equal(pd.read_parquet(buffer), expected)
        result["identical"] = True
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--module", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--save")
    parser.add_argument("--compare")
    args = parser.parse_args()
    if args.child:
        module = args.module[0] if args.module else None
        print(json.dumps(child(module, args.save, args.compare)))
        return
    versions = [None] + args.module
    for r in range(args.repeat):
        for i, module in enumerate(versions):
            command = [sys.executable, __file__, "--child"]
            if module:
                command += ["--module", module]
            if args.save and r == 0 and i == 0:
                command += ["--save", args.save]
            if args.compare:
                command += ["--compare", args.compare]
            print(f"load before: {os.getloadavg()}", flush=True)
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                print(done.stderr[-3000:], flush=True)
                continue
            print(f"{module or 'corpus_tools'}: {done.stdout.strip().splitlines()[-1]}", flush=True)


if __name__ == "__main__":
    main()
