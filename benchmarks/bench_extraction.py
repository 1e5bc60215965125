"""Main-text extraction quality of ct.load on real news pages.

Scores the text `ct.load` extracts from each page of the article-extraction benchmark
(news_html/article_extraction_benchmark: gzipped pages + ground-truth.json) against the
ground-truth article body: token-level precision, recall and F1 over whitespace tokens
counted as a bag (the measure of the benchmark's own evaluation), per page and averaged.
It compares the settings corpus_tools uses with trafilatura's defaults and a few
alternatives, and lists the worst pages.

    .venv/bin/python benchmarks/bench_extraction.py [--corpora ../shared/corpora]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from corpus_tools.io.html import EXTRACTION_OPTIONS, extract_page  # noqa: E402

# Each variant is a full set of the options corpus_tools passes to trafilatura (its text then
# goes through the same handling: paragraphs, a repeated title line removed); None is plain
# trafilatura.extract(page) with its defaults.
VARIANTS = {
    "corpus_tools": dict(EXTRACTION_OPTIONS),
    "trafilatura.extract()": None,
    "trafilatura defaults": {"favor_precision": False, "favor_recall": False,
                             "include_comments": True, "include_tables": True},
    "no comments": {"favor_precision": False, "favor_recall": False,
                    "include_comments": False, "include_tables": True},
    "favor_recall": {"favor_precision": False, "favor_recall": True,
                     "include_comments": False, "include_tables": True},
    "favor_precision": {"favor_precision": True, "favor_recall": False,
                        "include_comments": False, "include_tables": True},
    "precision, no tables": {"favor_precision": True, "favor_recall": False,
                             "include_comments": False, "include_tables": False},
}


def tokens(text: str) -> Counter:
    return Counter(text.split())


def prf(predicted: str, truth: str) -> tuple[float, float, float]:
    p, t = tokens(predicted), tokens(truth)
    tp = sum((p & t).values())
    precision = tp / max(sum(p.values()), 1)
    recall = tp / max(sum(t.values()), 1)
    f1 = 0.0 if tp == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", default=os.environ.get("CORPUS_TOOLS_DATA", ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--worst", type=int, default=5)
    args = parser.parse_args()
    bench = Path(args.corpora) / "news_html" / "article_extraction_benchmark"
    truth = json.loads((bench / "ground-truth.json").read_text("utf-8"))
    pages = {p.name[: -len(".html.gz")]: gzip.decompress(p.read_bytes()).decode("utf-8")
             for p in sorted((bench / "html").glob("*.html.gz"))}
    print(f"{len(pages)} pages with ground truth (of {len(truth)} ids in ground-truth.json)")
    print(f"corpus_tools settings: {EXTRACTION_OPTIONS}\n")
    print(f"{'variant':<22} {'precision':>9} {'recall':>7} {'F1':>6} {'F1 median':>9} {'pages/s':>8}")
    per_page = {}
    for name, options in VARIANTS.items():
        scores = []
        start = time.perf_counter()
        for page_id, page in pages.items():
            if options is None:  # trafilatura as a user calls it, without corpus_tools' handling
                predicted = trafilatura.extract(page) or ""
            else:
                row = extract_page(page, **options)
                predicted = row["text"] if row else ""
            scores.append((page_id, *prf(predicted, truth[page_id]["articleBody"])))
        elapsed = time.perf_counter() - start
        per_page[name] = scores
        n = len(scores)
        mean = [sum(s[i] for s in scores) / n for i in (1, 2, 3)]
        median = sorted(s[3] for s in scores)[n // 2]
        print(f"{name:<22} {mean[0]:>9.3f} {mean[1]:>7.3f} {mean[2]:>6.3f} {median:>9.3f} {n / elapsed:>8.1f}")
    print(f"\nworst {args.worst} pages with the corpus_tools settings (F1, precision, recall, url):")
    for page_id, p, r, f in sorted(per_page["corpus_tools"], key=lambda s: s[3])[: args.worst]:
        print(f"  {f:.3f}  P={p:.3f} R={r:.3f}  {truth[page_id]['url']}")


if __name__ == "__main__":
    main()
