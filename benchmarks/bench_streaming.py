"""Corpus.from_parquet (texts streamed from disk) against Corpus.from_docs(pd.read_parquet(path)),
on the seeded million-article corpus of benchmarks/_million.py.

Each step runs in a new Python process, as a user's fresh notebook would, and reports its wall
time and peak resident memory (``ru_maxrss``: anonymous memory plus the file pages it has mapped
and touched; worker processes are counted apart). The streamed and the in-memory corpus are
compared by a SHA-256 of their arrays and vocabulary. The cache lives in a folder of the
benchmark's own, emptied first.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_streaming.py --n 1000000 --jobs 1 2

``--repeat 3`` builds only the streamed corpus (and reopens it) from a file holding the
``n`` articles three times over (the same texts, new doc ids), written once next to the others:
the in-memory build of three million articles needs more memory than a shared machine should give
a benchmark.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".data" / "stream-cache"


def _fingerprint(corpus) -> str:
    h = hashlib.sha256()
    for a in (corpus.ids, corpus.doc_offsets, corpus.sent_offsets, corpus.dtm.data, corpus.dtm.indices,
              corpus.dtm.indptr):
        h.update(str(a.dtype).encode())
        h.update(memoryview(a).cast("B"))
    h.update("\n".join(corpus.vocab).encode())
    h.update("\n".join(map(str, corpus.docs.index)).encode())
    return h.hexdigest()[:16]


def _memory() -> dict:
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    mb = lambda key: int(status.get(key, "0 kB").split()[0]) / 1024  # noqa: E731
    return {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workers_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "anon_mb_at_end": mb("RssAnon"), "file_mb_at_end": mb("RssFile")}


def step(name: str, path: str, jobs: int) -> dict:
    """One step, in this (fresh) process."""
    import numpy as np
    import pandas as pd

    import corpus_tools as ct
    import corpus_tools.corpus  # noqa: F401  imports are not the step's work

    out: dict = {}
    t0 = time.perf_counter()
    if name == "read_parquet":
        docs = pd.read_parquet(path)
        out["rows"] = len(docs)
    elif name in ("from_docs", "from_docs_reopen"):
        docs = pd.read_parquet(path).set_index("doc_id")
        corpus = ct.Corpus.from_docs(docs, n_jobs=jobs, progress=False, cache=name == "from_docs_reopen")
    elif name in ("from_parquet", "from_parquet_reopen"):
        corpus = ct.Corpus.from_parquet(path, n_jobs=jobs, progress=False)
    elif name == "texts":
        corpus = ct.Corpus.from_parquet(path, progress=False)
        t_open = time.perf_counter() - t0
        rng = np.random.default_rng(0)
        ids = corpus.docs.index[rng.choice(corpus.n_docs, 1000, replace=False)]
        t1 = time.perf_counter()
        texts = corpus.texts(ids)
        out.update(open_s=t_open, texts_1000_s=time.perf_counter() - t1, chars=int(texts.str.len().sum()))
        t1 = time.perf_counter()
        corpus.texts(corpus.docs.index[[123_456 % corpus.n_docs]])
        out["texts_1_s"] = time.perf_counter() - t1
    else:
        raise SystemExit(f"unknown step {name!r}")
    out["seconds"] = time.perf_counter() - t0
    out.update(_memory())
    if name not in ("read_parquet", "texts"):
        out.update(fingerprint=_fingerprint(corpus), docs=corpus.n_docs, tokens=corpus.n_tokens, terms=corpus.n_terms)
    return out


def run(name: str, path: Path, jobs: int) -> dict:
    env = {**os.environ, "CORPUS_TOOLS_CACHE": str(CACHE)}
    done = subprocess.run([sys.executable, __file__, "--step", name, "--path", str(path), "--jobs", str(jobs)],
                          capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"step {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _repeated(parquet: Path, times: int) -> Path:
    """``parquet``'s rows ``times`` over, row group by row group, doc ids ``<id>-<k>``; made once."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out = parquet.with_name(f"{parquet.stem}-x{times}.parquet")
    if out.exists() and out.stat().st_mtime > parquet.stat().st_mtime:
        return out
    source = pq.ParquetFile(parquet)
    tmp = out.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, source.schema_arrow) as writer:
        for k in range(times):
            for g in range(source.num_row_groups):
                table = source.read_row_group(g)
                ids = pc.binary_join_element_wise(table.column("doc_id"), pa.scalar(str(k)), "-")
                writer.write_table(table.set_column(table.schema.get_field_index("doc_id"), "doc_id", ids))
    os.replace(tmp, out)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="the articles this many times over (streamed only)")
    parser.add_argument("--step")
    parser.add_argument("--path")
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.step, args.path, args.jobs[0])))
        return

    from benchmarks._million import million_files

    parquet, _ = million_files(args.n, args.seed)
    if args.repeat > 1:
        parquet = _repeated(parquet, args.repeat)
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.1f}")
    print(f"file: {parquet.name}, {parquet.stat().st_size / 1e6:.0f} MB")
    shutil.rmtree(CACHE, ignore_errors=True)
    rows = []

    def record(label: str, name: str, jobs: int = 1) -> dict:
        r = run(name, parquet, jobs)
        rows.append((label, r))
        print(f"{label:<46} {r['seconds']:7.1f} s  peak {r['peak_mb']:6.0f} MB  workers {r['workers_peak_mb']:5.0f} MB"
              f"  (at end: anon {r['anon_mb_at_end']:.0f}, file {r['file_mb_at_end']:.0f})"
              + (f"  {r['tokens']:,} tokens, {r['terms']:,} terms [{r['fingerprint']}]" if "fingerprint" in r else ""),
              flush=True)
        return r

    if args.repeat > 1:
        for jobs in args.jobs:
            shutil.rmtree(CACHE, ignore_errors=True)
            record(f"from_parquet, cold, n_jobs={jobs}", "from_parquet", jobs)
        record("from_parquet reopened (cache, new process)", "from_parquet_reopen")
        texts = record("from_parquet reopened + texts of 1,000 random docs", "texts")
        print(f"  texts(1,000 random docs): {texts['texts_1000_s']:.2f} s; texts(1 doc): {texts['texts_1_s']:.3f} s")
        print(f"load average at end {os.getloadavg()[0]:.1f}")
        return
    record("pd.read_parquet (all columns)", "read_parquet")
    for jobs in args.jobs:
        whole = record(f"from_docs(pd.read_parquet), n_jobs={jobs}", "from_docs", jobs)
        shutil.rmtree(CACHE, ignore_errors=True)
        streamed = record(f"from_parquet, cold, n_jobs={jobs}", "from_parquet", jobs)
        if streamed["fingerprint"] != whole["fingerprint"]:
            raise SystemExit("the streamed corpus differs from the in-memory one")
    record("from_parquet reopened (cache, new process)", "from_parquet_reopen")
    texts = record("from_parquet reopened + texts of 1,000 random docs", "texts")
    print(f"  texts(1,000 random docs): {texts['texts_1000_s']:.2f} s ({texts['chars']:,} chars); "
          f"texts(1 doc): {texts['texts_1_s']:.3f} s")
    record("from_docs(pd.read_parquet), build + cache", "from_docs_reopen")
    record("from_docs(pd.read_parquet) reopened (cache, new process)", "from_docs_reopen")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
