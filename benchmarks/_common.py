"""Shared pieces of the benchmarks: the real corpora, the 1M-document corpus, and timing in a
fresh process so that peak memory is the measured step's own."""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("CORPUS_TOOLS_DATA") or ROOT.parent / "shared" / "corpora")


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def require_corpora() -> Path:
    if not (CORPORA / "README.md").exists():
        raise SystemExit(f"the real corpora are not at {CORPORA}; set CORPUS_TOOLS_DATA")
    return CORPORA


def reuters_docs() -> pd.DataFrame:
    import corpus_tools as ct

    return ct.load(require_corpora() / "reuters21578", errors="skip")


def abc_docs() -> pd.DataFrame:
    import corpus_tools as ct

    return ct.load(require_corpora() / "abcnews_headlines_2003", errors="skip")


def million_docs(n: int = 1_000_000) -> pd.DataFrame:
    """n documents made by repeating the Reuters-21578 bodies that have text, with their dates."""
    base = reuters_docs()
    base = base[base["text"].str.len() > 0]
    reps = -(-n // len(base))
    idx = np.tile(np.arange(len(base)), reps)[:n]
    docs = pd.DataFrame(
        {"text": base["text"].to_numpy()[idx], "date": base["date"].to_numpy()[idx]},
        index=pd.Index([f"m{i:07d}" for i in range(n)], name="doc_id"),
    )
    return docs


def _child(conn, fn, args, kwargs):
    try:
        # the parent's objects are not this step's: without this, the child's first full
        # garbage collection walks (and copies, page by page) the whole inherited heap
        gc.freeze()
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        seconds = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        conn.send(("ok", (seconds, peak_mb, result)))
    except BaseException as err:  # the parent must hear about it, or it waits forever
        import traceback

        conn.send(("error", f"{type(err).__name__}: {err}\n{traceback.format_exc()}"))
    finally:
        conn.close()


def run_isolated(fn, *args, **kwargs):
    """Run fn(*args, **kwargs) in a forked process; return (seconds, peak RSS in MB of that process, result).

    The data the parent already holds is shared copy-on-write, so peak RSS counts what the
    step itself allocates plus the shared pages it touches. fn's result must be small.
    """
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    p = ctx.Process(target=_child, args=(child, fn, args, kwargs))
    p.start()
    status, out = parent.recv()
    p.join()
    if status == "error":
        raise RuntimeError(f"the isolated step failed:\n{out}")
    return out


def best_of(fn, repeat: int = 3):
    """Fastest wall time of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


_FRESH_SESSION = r"""
import json, sys, time
import pandas as pd
import corpus_tools as ct
import corpus_tools.corpus
docs = pd.read_parquet(sys.argv[1])
kwargs = json.loads(sys.argv[2])
t0 = time.perf_counter()
corpus = ct.Corpus.from_docs(docs, **kwargs)
seconds = time.perf_counter() - t0
print(json.dumps([seconds, corpus.n_tokens, corpus.n_terms]))
"""


def corpus_in_fresh_session(docs_parquet: Path, **kwargs) -> tuple[float, int, int]:
    """Time ``Corpus.from_docs`` in a new Python process, as a user re-running a notebook would.

    The process imports corpus_tools and reads the docs from ``docs_parquet`` before the clock
    starts; the cache folder is the parent's ``CORPUS_TOOLS_CACHE``. A new process has none of
    the copy-on-write page faults a forked one pays on every page it touches. Returns
    (seconds, n_tokens, n_terms).
    """
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _FRESH_SESSION, str(docs_parquet), json.dumps(kwargs)],
                         capture_output=True, text=True, env=os.environ.copy())
    if out.returncode:
        raise RuntimeError(f"the fresh session failed:\n{out.stderr}")
    seconds, n_tokens, n_terms = json.loads(out.stdout.strip().splitlines()[-1])
    return seconds, n_tokens, n_terms
