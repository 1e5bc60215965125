"""Wall time of every notebook, as a reader runs it: a fresh kernel, the default parameters
(and, for those whose header gives a time for another corpus, that corpus too).

    python benchmarks/time_notebooks.py                 # all notebooks on their defaults
    python benchmarks/time_notebooks.py --reuters       # also the notebooks that state a Reuters-21578 time

The times stated in the notebooks' headers and in the README come from this script, on a quiet
machine. The corpus cache is cleared first (CORPUS_TOOLS_CACHE points at a new folder), so that
the times are those of a first run.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat

from corpus_tools.report import execute_notebook, inject_parameters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
# notebooks whose header states a time on Reuters-21578 too
REUTERS = ["01-loading-articles.ipynb", "02-term-frequencies-and-trends.ipynb", "05-topic-models.ipynb",
           "report.ipynb"]


def run(path: Path, params: dict | None = None) -> float:
    nb = nbformat.read(path, as_version=4)
    if params:
        nb = inject_parameters(nb, params)
    t0 = time.perf_counter()
    execute_notebook(nb, cwd=path.parent, timeout=None, name=str(path))
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuters", action="store_true")
    args = parser.parse_args()
    os.environ["MPLBACKEND"] = "Agg"
    with tempfile.TemporaryDirectory() as cache:
        os.environ["CORPUS_TOOLS_CACHE"] = cache
        print(f"{'notebook':58s} {'corpus':14s} {'seconds':>8s}")
        for path in sorted(NOTEBOOKS.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            print(f"{str(path.relative_to(NOTEBOOKS)):58s} {'default':14s} {run(path):8.1f}", flush=True)
        if args.reuters:
            for name in REUTERS:
                secs = run(NOTEBOOKS / name, {"CORPUS": "reuters21578"})
                print(f"{name:58s} {'reuters21578':14s} {secs:8.1f}", flush=True)


if __name__ == "__main__":
    main()
