"""Run every benchmark in turn, each in its own process, and keep their outputs.

    python benchmarks/run_all.py            # writes benchmarks/out/<name>.txt (figures for RESULTS.md)

Needs the real corpora ($CORPUS_TOOLS_DATA or ../shared/corpora) and the bench extra
(`make bench` installs it). The whole run takes about half an hour on 2 cores.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_load.py", "bench_extraction.py", "bench_corpus.py", "bench_trends_keyness.py", "bench_collocates.py",
           "bench_kwic.py", "bench_cooccurrence.py", "bench_topics.py", "bench_nmf_inference.py",
           "bench_duplicates.py", "bench_syndication.py"]


def main() -> int:
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    failed = []
    for script in SCRIPTS:
        t0 = time.perf_counter()
        with open(out / f"{Path(script).stem}.txt", "w") as log:
            code = subprocess.call([sys.executable, str(HERE / script)], stdout=log, stderr=subprocess.STDOUT)
        print(f"{script:28s} exit {code}  {time.perf_counter() - t0:7.1f} s  -> {out / (Path(script).stem + '.txt')}")
        if code:
            failed.append(script)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
