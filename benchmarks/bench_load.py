"""Loading speed of ct.load against the plain code a user would write instead.

Corpora (from ../shared/corpora): Reuters-21578 (22 SGML files, 27 MB), BBC (2,225 .txt
files in 5 folders) and the ABC headlines CSV (49,999 rows). The alternatives:

- Reuters: a regular-expression loop over each file with ``html.unescape`` for DATE, TITLE
  and BODY, then ``pd.to_datetime`` with the known format (no lists, no report);
- BBC: a ``pathlib`` ``read_text`` loop taking the first line as title (``errors="replace"``
  for the one latin-1 file);
- ABC: ``pd.read_csv`` + ``pd.to_datetime(format="%Y%m%d")``.

Each is timed ``--repeat`` times in this process after a warm-up run (the files are then in
the page cache for both contenders); the best time is reported.

    .venv/bin/python benchmarks/bench_load.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import html
import os
import platform
import re
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = Path(os.environ.get("CORPUS_TOOLS_DATA") or ROOT.parent / "shared" / "corpora")

import corpus_tools as ct  # noqa: E402


def plain_reuters(folder: Path) -> pd.DataFrame:
    doc = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
    date = re.compile(r"<DATE>\s*(\S+ \S+?)(?:&|<)", re.S)
    title = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
    body = re.compile(r"<BODY>(.*?)</BODY>", re.S)
    rows = []
    for path in sorted(folder.glob("*.sgm")):
        text = path.read_text("latin-1")
        for m in doc.finditer(text):
            d, t, b = date.search(m.group(2)), title.search(m.group(2)), body.search(m.group(2))
            rows.append((m.group(1), d.group(1) if d else None, html.unescape(t.group(1)) if t else None,
                         html.unescape(b.group(1)) if b else ""))
    frame = pd.DataFrame(rows, columns=["newid", "date", "title", "text"]).set_index("newid")
    frame["date"] = pd.to_datetime(frame["date"], format="%d-%b-%Y %H:%M:%S.%f", errors="coerce")
    return frame


def plain_bbc(folder: Path) -> pd.DataFrame:
    rows = []
    for path in sorted(folder.glob("*/*.txt")):
        title, _, body = path.read_text("utf-8", errors="replace").partition("\n")
        rows.append((f"{path.parent.name}/{path.stem}", path.parent.name, title, body.strip()))
    return pd.DataFrame(rows, columns=["doc_id", "category", "title", "text"]).set_index("doc_id")


def plain_abc(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"publish_date": str})
    frame["publish_date"] = pd.to_datetime(frame["publish_date"], format="%Y%m%d")
    return frame


def best_time(fn, repeat: int) -> tuple[float, int]:
    result = fn()  # warm-up: imports, page cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), len(result)


def size_mb(paths) -> float:
    return sum(p.stat().st_size for p in paths) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (CORPORA / "README.md").exists():
        raise SystemExit(f"the real corpora are not at {CORPORA}; set CORPUS_TOOLS_DATA")
    warnings.simplefilter("ignore")
    reuters, bbc = CORPORA / "reuters21578", CORPORA / "bbc"
    abc = CORPORA / "abcnews_headlines_2003" / "abcnews-date-text.csv"
    cases = [
        ("Reuters-21578 (22 .sgm)", size_mb(reuters.glob("*.sgm")),
         lambda: ct.load(str(reuters / "*.sgm")), lambda: plain_reuters(reuters), "regex loop + html.unescape"),
        ("BBC (2,225 .txt)", size_mb(bbc.glob("*/*.txt")),
         lambda: ct.load(bbc), lambda: plain_bbc(bbc), "pathlib read_text loop"),
        ("ABC headlines (CSV)", size_mb([abc]),
         lambda: ct.load(abc), lambda: plain_abc(abc), "pd.read_csv + to_datetime"),
    ]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pandas {pd.__version__}; best of {args.repeat}\n")
    print(f"{'corpus':<24} {'MB':>5} {'docs':>6} {'ct.load s':>9} {'docs/s':>8} {'MB/s':>6} "
          f"{'plain s':>8} {'ratio':>6}  plain alternative")
    for name, mb, ours, plain, label in cases:
        t_ours, n = best_time(ours, args.repeat)
        t_plain, _ = best_time(plain, args.repeat)
        print(f"{name:<24} {mb:>5.1f} {n:>6} {t_ours:>9.3f} {n / t_ours:>8.0f} {mb / t_ours:>6.1f} "
              f"{t_plain:>8.3f} {t_ours / t_plain:>5.2f}x  {label}")


if __name__ == "__main__":
    main()
