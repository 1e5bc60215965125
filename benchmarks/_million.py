"""A seeded corpus of a million distinct news articles, written as Parquet and as JSON lines.

Made from the 19,779 Reuters-21578 bodies and the 2,225 BBC articles of ``../shared/corpora``
(loaded with ``ct.load``): each article takes a base article at random and drops each of its
sentences with a probability drawn for the article from ``DROP`` (uniform between 0.2 and 0.6;
at least one sentence stays; paragraphs stay separated by a blank line), so articles differ as
the copies and rewrites of a real collection do. Every text is distinct: a text already made
is drawn again, from another base article (short bases give few variants, so longer ones are
a little more frequent than in the sources); after ``TRIES`` draws (a few hundred articles in a
million) a sentence of a random article is appended until the text is new. Columns:

- ``doc_id``: ``m0000000``, ``m0000001`` ... (unique)
- ``title``: the base article's title (Reuters titles are upper case)
- ``text``: the kept sentences
- ``date``: a time drawn uniformly from 2000-01-01 to 2019-12-31 (to the second); a Parquet
  ``timestamp[s]`` column, an ISO 8601 string (``2004-07-19T13:05:41``) in the JSON lines
- ``source``: one of :data:`OUTLETS` (20 invented outlets), drawn with unequal shares
- ``section``: the BBC category (``business``, ``sport`` ...) or the Reuters article's first
  topic (``earn``, ``crude`` ...), ``news`` when it has none

Rows are generated and written ``BATCH`` at a time (one Parquet row group per batch), so
generating holds one batch beside the base corpus, not the whole output. The files go to
``benchmarks/.data/`` (git-ignored) under names holding ``n``, ``seed`` and ``VERSION``, with a
small JSON file of the parameters written last; a second call with the same parameters reuses
them, and two processes asking at once make them once (a lock file).

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/_million.py --n 1000000 [--seed 0]

prints the two paths. From Python: ``million_files(n, seed)`` returns them.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import require_corpora  # noqa: E402

DATA = Path(__file__).resolve().parent / ".data"
# Bump when the generated content changes, so that older files are not reused.
VERSION = 3
BATCH = 50_000
DROP = (0.2, 0.6)
TRIES = 20
FIRST_DAY = np.datetime64("2000-01-01T00:00:00", "s")
LAST_DAY = np.datetime64("2019-12-31T23:59:59", "s")
OUTLETS = [
    "The Morning Ledger", "Harbour Times", "Daily Courier", "Northern Star", "City Post",
    "Evening Standard-Bearer", "The Valley Gazette", "Coastal Herald", "Metro Wire",
    "The Capital Observer", "Riverside Chronicle", "Union Tribune-Express", "The Weekly Signal",
    "Lakeside Monitor", "National Dispatch", "Frontier Press", "The Bay Reporter",
    "Summit Journal", "Central Bulletin", "Atlantic Record",
]
_PARAGRAPHS = re.compile(r"\n[ \t\u00a0]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])")


def _base_articles() -> tuple[list[list[list[str]]], list[str], list[str]]:
    """The base articles as paragraphs of sentences, with their titles and sections."""
    import corpus_tools as ct

    corpora = require_corpora()
    reuters = ct.load(corpora / "reuters21578", errors="skip")
    bbc = ct.load(corpora / "bbc", errors="skip")
    reuters = reuters[reuters["text"].str.strip() != ""]
    bbc = bbc[bbc["text"].str.strip() != ""]
    sections = [t[0] if len(t) else "news" for t in reuters["topics"]]
    sections += [s[0] if len(s) else "news" for s in bbc["sections"]]
    titles = reuters["title"].fillna("").tolist() + bbc["title"].fillna("").tolist()
    texts = reuters["text"].tolist() + bbc["text"].tolist()
    articles = [
        [_SENTENCE_END.split(p) for p in _PARAGRAPHS.split(text.strip()) if p.strip()] for text in texts
    ]
    return articles, titles, sections


def _drop_sentences(article: list[list[str]], rng: np.random.Generator) -> str:
    n = sum(len(p) for p in article)
    keep = rng.random(n) >= rng.uniform(*DROP)
    if not keep.any():
        keep[rng.integers(n)] = True
    out, i = [], 0
    for paragraph in article:
        kept = [s for s, k in zip(paragraph, keep[i:i + len(paragraph)]) if k]
        i += len(paragraph)
        if kept:
            out.append(" ".join(kept))
    return "\n\n".join(out)


def _digest(text: str) -> bytes:
    # a stable digest: hash() of a str changes between processes, and so would the corpus
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).digest()


def _distinct_text(base: int, articles: list, seen: set, rng: np.random.Generator) -> tuple[int, str]:
    """A text not in ``seen`` (hashes of the texts made so far) and the base it came from."""
    for _ in range(TRIES):
        text = _drop_sentences(articles[base], rng)
        key = _digest(text)
        if key not in seen:
            seen.add(key)
            return base, text
        base = int(rng.integers(len(articles)))
    while key in seen:
        other = articles[rng.integers(len(articles))]
        paragraph = other[rng.integers(len(other))]
        text += " " + paragraph[rng.integers(len(paragraph))]
        key = _digest(text)
    seen.add(key)
    return base, text


def _batches(n: int, seed: int):
    """Columns of ``BATCH`` rows at a time, from one generator per batch seeded by
    ``(seed, batch)``; the texts made so far are remembered (as hashes) to keep every text new."""
    articles, titles, sections = _base_articles()
    seen: set[bytes] = set()
    outlet_weights = np.random.default_rng([seed, 0xC0FFEE]).dirichlet(np.full(len(OUTLETS), 2.0))
    span = int((LAST_DAY - FIRST_DAY).astype(np.int64)) + 1
    for b, start in enumerate(range(0, n, BATCH)):
        rng = np.random.default_rng([seed, b])
        size = min(BATCH, n - start)
        seconds = rng.integers(span, size=size)
        outlet = rng.choice(len(OUTLETS), size=size, p=outlet_weights)
        made = [_distinct_text(int(j), articles, seen, rng) for j in rng.integers(len(articles), size=size)]
        base = [j for j, _ in made]
        yield {
            "doc_id": [f"m{start + i:07d}" for i in range(size)],
            "title": [titles[j] for j in base],
            "text": [text for _, text in made],
            "date": FIRST_DAY + seconds.astype("timedelta64[s]"),
            "source": [OUTLETS[k] for k in outlet],
            "section": [sections[j] for j in base],
        }


def million_files(n: int = 1_000_000, seed: int = 0, *, folder: Path = DATA) -> tuple[Path, Path]:
    """The Parquet and JSON lines (gzipped) files of the ``n``-article corpus for ``seed``,
    generated on the first call and reused afterwards.

    Examples
    --------
    >>> parquet, jsonl = million_files(1000, seed=0)  # doctest: +SKIP
    >>> parquet.name
    'million-n1000-seed0-v3.parquet'
    """
    folder = Path(folder)
    stem = folder / f"million-n{n}-seed{seed}-v{VERSION}"
    parquet, jsonl, meta = (stem.with_name(stem.name + s) for s in (".parquet", ".jsonl.gz", ".json"))
    params = {"n": n, "seed": seed, "version": VERSION, "batch": BATCH, "drop": list(DROP), "tries": TRIES}

    def made() -> bool:
        return meta.exists() and parquet.exists() and jsonl.exists() and json.loads(meta.read_text("utf-8")) == params

    if made():
        return parquet, jsonl
    folder.mkdir(parents=True, exist_ok=True)
    with open(stem.with_name(stem.name + ".lock"), "w") as lock:
        _lock(lock)  # another process may be making the same files
        if made():
            return parquet, jsonl
        _write(n, seed, parquet, jsonl, meta, params)
    return parquet, jsonl


def _lock(fh) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: one process at a time is the user's care
        return
    fcntl.flock(fh, fcntl.LOCK_EX)


def _write(n: int, seed: int, parquet: Path, jsonl: Path, meta: Path, params: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta.unlink(missing_ok=True)
    tmp_parquet, tmp_jsonl = parquet.with_suffix(".tmp"), jsonl.with_suffix(".tmp")
    schema = pa.schema([
        ("doc_id", pa.string()), ("title", pa.string()), ("text", pa.string()),
        ("date", pa.timestamp("s")), ("source", pa.string()), ("section", pa.string()),
    ])
    with pq.ParquetWriter(tmp_parquet, schema) as writer, gzip.open(tmp_jsonl, "wt", encoding="utf-8", compresslevel=6) as lines:
        for columns in _batches(n, seed):
            writer.write_table(pa.table(columns, schema=schema), row_group_size=BATCH)
            stamps = np.datetime_as_string(columns["date"], unit="s")
            for row in zip(columns["doc_id"], columns["title"], columns["text"], stamps,
                           columns["source"], columns["section"]):
                lines.write(json.dumps(dict(zip(schema.names, row)), ensure_ascii=False))
                lines.write("\n")
    os.replace(tmp_parquet, parquet)
    os.replace(tmp_jsonl, jsonl)
    meta.write_text(json.dumps(params), "utf-8")  # last: files without it are regenerated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    t0 = time.perf_counter()
    parquet, jsonl = million_files(args.n, args.seed)
    print(parquet)
    print(jsonl)
    print(f"# {time.perf_counter() - t0:.1f} s; {parquet.stat().st_size / 1e6:.0f} MB Parquet, "
          f"{jsonl.stat().st_size / 1e6:.0f} MB JSON lines (gzipped)", file=sys.stderr)


if __name__ == "__main__":
    main()
