"""Window co-occurrence: ct.cooccurrence against the way tutorials count it.

Counts pairs of the 2,000 most frequent terms at most 5 token positions apart (same document)
on Reuters-21578 and on the 1M-document corpus (Reuters bodies repeated, ~90M tokens), three ways:

- corpus_tools: ``ct.cooccurrence(corpus, terms=2000, window=5, measure="count", min_count=1)``,
  the whole public call (marginals and the result table included);
- a Python loop: a ``Counter`` over pairs in a double loop over each document's token list;
- NLTK: ``BigramCollocationFinder.from_words(tokens, window_size=6)`` on the same token lists,
  other terms replaced by ``None`` so that positions stay and each document padded with ``None``
  (NLTK's window holds the first token too, so ``window_size=6`` counts distances up to 5, the
  same pairs; ``window_size=5`` would count up to 4 and do a fifth less work).

Every contender runs in its own forked process (peak RSS of that process; the corpus is shared
copy-on-write); the time is the best of 5 runs in that process. On the 1M corpus the Python loop and NLTK run on the first ``--sample`` documents
and are extrapolated linearly by the number of tokens. The Python loop's counts are checked
against corpus_tools' on Reuters.

    .venv/bin/python benchmarks/bench_cooccurrence.py [--n 1000000] [--sample 20000] [--skip-million]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import corpus_tools as ct  # noqa: E402
from benchmarks._common import best_of, machine, million_docs, reuters_docs, run_isolated  # noqa: E402

WINDOW = 5
TOP = 2000
REPEAT = 5


def top_terms(corpus, n=TOP) -> set[str]:
    cf = np.asarray(corpus.dtm.sum(axis=0)).ravel()
    order = np.lexsort((np.arange(corpus.n_terms), -cf))[:n]
    return set(corpus.vocab[order])


def token_lists(corpus, n_docs=None):
    """Each document's terms as a list of strings (what a tutorial starts from)."""
    n_docs = corpus.n_docs if n_docs is None else min(n_docs, corpus.n_docs)
    vocab = np.asarray(corpus.vocab, dtype=object)
    end = corpus.doc_offsets[n_docs]
    words = vocab[corpus.ids[:end]].tolist()
    offs = corpus.doc_offsets[: n_docs + 1].tolist()
    return [words[a:b] for a, b in zip(offs[:-1], offs[1:])]


def run_ct(corpus):
    # nothing is cached between calls: the marginals are counted in the same pass as the pairs
    result = ct.cooccurrence(corpus, terms=TOP, window=WINDOW, measure="count", min_count=1)
    return len(result), int(result["count"].sum()), result


def run_python_loop(docs, keep, k=WINDOW):
    counter = Counter()
    for doc in docs:
        n = len(doc)
        for i in range(n):
            w1 = doc[i]
            if w1 not in keep:
                continue
            for j in range(i + 1, min(i + k + 1, n)):
                w2 = doc[j]
                if w2 in keep and w2 != w1:
                    counter[(w1, w2) if w1 < w2 else (w2, w1)] += 1
    return counter


def run_nltk(docs, keep):
    from itertools import chain

    from nltk.collocations import BigramCollocationFinder

    size = WINDOW + 1  # NLTK's window holds the first token too: 6 covers distances 1..5
    # other terms become None (positions stay); None padding keeps windows inside each document,
    # as NLTK's own from_documents does for its default window of 2
    padding = [None] * (size - 1)
    stream = chain.from_iterable(chain((w if w in keep else None for w in doc), padding) for doc in docs)
    finder = BigramCollocationFinder.from_words(stream, window_size=size)
    # NLTK counts ordered pairs and same-term pairs; fold them like the others
    return len({(a, b) if a < b else (b, a) for a, b in finder.ngram_fd if a != b})


def _secs(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 1 else f"{seconds:.2f}"


def _size(result):
    return result if isinstance(result, int) else len(result)


def bench(name, corpus, sample=None):
    keep = top_terms(corpus)
    # a forked process starts with the parent's resident pages: measure that floor once
    _, floor, _ = run_isolated(lambda: 0)
    print(f"[{name}] peak RSS of an empty forked process: {floor:.0f} MB", flush=True)
    rows = [("(empty function: RSS floor of a forked process)", float("nan"), floor, None)]
    # best of REPEAT inside one fresh process each (peak RSS of that process); small results only
    _, peak, (secs, (n_pairs, total)) = run_isolated(lambda: best_of(lambda: run_ct(corpus)[:2], REPEAT))
    rows.append(("corpus_tools", secs, peak, None))
    print(f"[{name}] corpus_tools: {_secs(secs)} s, peak {peak:.0f} MB, {n_pairs:,} pairs, {total:,} window pairs",
          flush=True)
    docs = token_lists(corpus, sample)
    scale = 1.0
    if sample is not None and sample < corpus.n_docs:
        scale = corpus.n_tokens / corpus.doc_offsets[min(sample, corpus.n_docs)]
    for label, fn in (("Python loop (Counter)", run_python_loop), ("NLTK BigramCollocationFinder", run_nltk)):
        _, peak, (secs, out) = run_isolated(lambda fn=fn: best_of(lambda: _size(fn(docs, keep)), REPEAT))
        rows.append((label, secs * scale, peak, secs if scale != 1.0 else None))
        extra = f" (measured {_secs(secs)} s on {len(docs):,} docs, x{scale:.1f})" if scale != 1.0 else ""
        print(f"[{name}] {label}: {_secs(secs * scale)} s{extra}, peak {peak:.0f} MB, {out:,} pairs", flush=True)
    return rows


def check_equal(corpus):
    """The Python loop and corpus_tools give the same counts on Reuters."""
    keep = top_terms(corpus)
    expected = run_python_loop(token_lists(corpus), keep)
    _, _, result = run_ct(corpus)
    got = dict(zip(zip(result.term1, result.term2), result["count"].tolist()))
    assert got == dict(expected), "counts differ from the Python loop"
    print(f"check: {len(got):,} pairs equal to the Python loop's counts", flush=True)


def table(name, corpus, rows):
    print(f"\n{name}: {corpus.n_docs:,} docs, {corpus.n_tokens:,} tokens, {corpus.n_terms:,} terms")
    print("| method | seconds | peak RSS MB | vs corpus_tools |")
    print("|---|---:|---:|---:|")
    base = rows[1][1]
    for label, secs, peak, measured in rows:
        if secs != secs:  # the floor row has no time
            print(f"| {label} | | {peak:.0f} | |")
            continue
        note = " (extrapolated)" if measured is not None else ""
        print(f"| {label} | {_secs(secs)}{note} | {peak:.0f} | {secs / base:.1f}x |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="documents of the large corpus")
    parser.add_argument("--sample", type=int, default=20_000, help="documents the loops run on (large corpus)")
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
    print(machine(), flush=True)

    t0 = time.perf_counter()
    reuters = ct.Corpus.from_docs(reuters_docs(), progress=False)
    print(f"Reuters corpus ready in {time.perf_counter() - t0:.1f} s", flush=True)
    check_equal(reuters)
    results = [("Reuters-21578", reuters, bench("reuters", reuters))]
    if not args.skip_million:
        t0 = time.perf_counter()
        big = ct.Corpus.from_docs(million_docs(args.n), min_df=2, n_jobs=2, progress=False)
        print(f"{args.n:,}-document corpus ready in {time.perf_counter() - t0:.1f} s", flush=True)
        results.append((f"{args.n:,} documents", big, bench("million", big, sample=args.sample)))
    for name, corpus, rows in results:
        table(name, corpus, rows)


if __name__ == "__main__":
    main()
