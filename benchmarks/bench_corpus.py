"""Build a document-term matrix three ways on the same texts, side by side in one run.

    python benchmarks/bench_corpus.py [--million N] [--skip-million] [--reload-only]

Rows: Reuters-21578 bodies, the ABC 2003 headlines, and N documents made by repeating the
Reuters bodies (default 1,000,000). Columns: corpus_tools `Corpus.from_docs` (lowercase, word
tokens, English stopwords, min_df=2) with 1 and 2 processes, with lemmas, a cached reload;
scikit-learn's CountVectorizer at the same settings; gensim's simple_preprocess + Dictionary +
doc2bow. Each step runs in a fresh forked process, so its peak RSS is its own; on the two real
corpora each step runs --repeat times (a new process each time) and the fastest run counts.
Like the imports, simplemma's English dictionary is loaded once in the parent (its load time is
printed): a session pays it once, and every lemma build after the first reuses it.
The plain build and the cached reload are also timed in new Python processes that import
corpus_tools and read the docs from Parquet before the clock starts, as when a notebook is run
again in a new kernel: a forked process pays a copy-on-write page fault on every inherited page
it touches, which weighs on a step of a few milliseconds. The cached reload verifies a CRC-32 of
every array and of the vocabulary; it is timed once more with that verification switched off
(the consistency checks stay), to show what the checksums cost. ``--reload-only`` times just the
build and the reloads, on the two real corpora.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    abc_docs, corpus_in_fresh_session, machine, million_docs, reuters_docs, run_isolated)


def ct_build(docs, **kwargs):
    import corpus_tools as ct

    c = ct.Corpus.from_docs(docs, min_df=2, progress=False, **kwargs)
    return c.n_tokens, c.n_terms


def ct_reload(docs, verify: bool):
    """A cached reload, with or without verifying the checksums."""
    from corpus_tools import _storage

    _storage._VERIFY_CHECKSUMS = verify
    return ct_build(docs, n_jobs=1, cache=True)


# the cached reload in a new Python process (as corpus_in_fresh_session), checksums on or off
_FRESH_RELOAD = r"""
import json, sys, time
import pandas as pd
import corpus_tools as ct
import corpus_tools.corpus
from corpus_tools import _storage
docs = pd.read_parquet(sys.argv[1])
_storage._VERIFY_CHECKSUMS = sys.argv[2] == "1"
t0 = time.perf_counter()
corpus = ct.Corpus.from_docs(docs, min_df=2, progress=False, n_jobs=1)
print(json.dumps(time.perf_counter() - t0))
"""


def fresh_reload(parquet: Path, verify: bool) -> float:
    out = subprocess.run([sys.executable, "-c", _FRESH_RELOAD, str(parquet), "1" if verify else "0"],
                         capture_output=True, text=True, env=os.environ.copy(), check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_reload(name, docs, repeat):
    """Build, then reload with and without checksums, forked and in new sessions; fastest of ``repeat``."""
    cache = tempfile.mkdtemp(prefix="ct-bench-cache-")
    os.environ["CORPUS_TOOLS_CACHE"] = cache
    parquet = Path(cache) / "docs.parquet"
    docs.to_parquet(parquet)
    opts = {"min_df": 2, "progress": False, "n_jobs": 1}
    build = min(corpus_in_fresh_session(parquet, cache=False, **opts)[0] for _ in range(repeat))
    forked_build = run_best(repeat, ct_build, docs, n_jobs=1, cache=False)[0]
    run_isolated(ct_build, docs, n_jobs=1, cache=True)  # fill the cache
    fresh = {True: [], False: []}
    forked = {True: [], False: []}
    for _ in range(repeat):  # interleaved, so that a busy moment of the machine weighs on both
        for verify in (True, False):
            fresh[verify].append(fresh_reload(parquet, verify))
            forked[verify].append(run_isolated(ct_reload, docs, verify)[0])
    print(f"{name}: {len(docs):,} docs, arrays.bin {_arrays_mb(cache):.1f} MB")
    for label, b, times in (("new session", build, fresh), ("forked", forked_build, forked)):
        on, off = min(times[True]), min(times[False])
        print(f"  {label:11s} build {b:.3f} s; cached reload {on * 1e3:.1f} ms ({on / b:.3f}x) with checksums, "
              f"{off * 1e3:.1f} ms ({off / b:.3f}x) without", flush=True)
    shutil.rmtree(cache, ignore_errors=True)


def _arrays_mb(cache: str) -> float:
    return sum(f.stat().st_size for f in Path(cache).glob("corpus/*/arrays.bin")) / 1e6


def sklearn_build(texts):
    from sklearn.feature_extraction.text import CountVectorizer

    from corpus_tools.text.stopwords import resolve_stopwords

    m = CountVectorizer(stop_words=sorted(resolve_stopwords("english")), min_df=2).fit_transform(texts)
    return int(m.sum()), m.shape[1]


def gensim_build(texts):
    from gensim.corpora import Dictionary
    from gensim.utils import simple_preprocess

    from corpus_tools.text.stopwords import resolve_stopwords

    stop = resolve_stopwords("english")
    tokens = [[t for t in simple_preprocess(x) if t not in stop] for x in texts]
    d = Dictionary(tokens)
    d.filter_extremes(no_below=2, no_above=1.0, keep_n=None)
    bow = [d.doc2bow(t) for t in tokens]
    return sum(c for doc in bow for _, c in doc), len(d)


def run_best(repeat, fn, *args, **kwargs):
    """(fastest seconds, largest peak RSS MB, result) over ``repeat`` fresh forked processes."""
    runs = [run_isolated(fn, *args, **kwargs) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2]


def bench(name, docs, rows, *, gensim=True, repeat=1):
    texts = docs["text"].tolist()
    cache = tempfile.mkdtemp(prefix="ct-bench-cache-")
    os.environ["CORPUS_TOOLS_CACHE"] = cache
    out = {"corpus": name, "docs": len(docs), "docs_mb": docs.memory_usage(deep=True).sum() / 2**20}
    # a forked child starts with the parent's resident pages; the step's own memory is the rest
    out["floor"] = run_isolated(int)[1]
    out["sklearn"] = run_best(repeat, sklearn_build, texts)
    out["ct1"] = run_best(repeat, ct_build, docs, n_jobs=1, cache=False)
    out["ct2"] = run_best(repeat, ct_build, docs, n_jobs=2, cache=False)
    out["ct_lemma"] = run_best(repeat, ct_build, docs, n_jobs=1, cache=False, lemmatize=True)
    run_isolated(ct_build, docs, n_jobs=2, cache=True)  # fill the cache
    out["ct_cached"] = run_best(repeat, ct_build, docs, n_jobs=1, cache=True)
    out["gensim"] = run_best(repeat, gensim_build, texts) if gensim else None
    # the build and the cached reload again, each in a new Python process (see corpus_in_fresh_session)
    parquet = Path(cache) / "docs.parquet"
    docs.to_parquet(parquet)
    opts = {"min_df": 2, "progress": False, "n_jobs": 1}
    out["fresh_build"] = min(corpus_in_fresh_session(parquet, cache=False, **opts)[0] for _ in range(repeat))
    out["fresh_cached"] = min(corpus_in_fresh_session(parquet, cache=True, **opts)[0] for _ in range(repeat))
    out["fresh_unchecked"] = min(fresh_reload(parquet, verify=False) for _ in range(repeat))
    rows.append(out)
    sk = out["sklearn"][0]
    print(f"\n{name}: {len(docs):,} docs; tokens/terms: ct {out['ct1'][2]}, sklearn {out['sklearn'][2]}", flush=True)
    for key in ("sklearn", "gensim", "ct1", "ct2", "ct_lemma", "ct_cached"):
        if out[key] is None:
            continue
        s, mb, _ = out[key]
        print(f"  {key:10s} {s:8.2f} s  {s / sk:5.2f}x sklearn  own peak {mb - out['floor']:8.0f} MB", flush=True)
    fb, fc, fu = out["fresh_build"], out["fresh_cached"], out["fresh_unchecked"]
    print(f"  new session: build {fb:.3f} s, cached {fc:.4f} s ({fc / fb:.3f}x), "
          f"without checksums {fu:.4f} s ({fu / fb:.3f}x)", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--million", type=int, default=1_000_000, help="size of the repeated corpus")
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="runs per step on the real corpora (fastest counts)")
    parser.add_argument("--reload-only", action="store_true",
                        help="time only the build and the cached reload with and without checksums")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    if args.reload_only:
        import corpus_tools.corpus  # noqa: F401

        for name, docs in (("Reuters-21578 bodies", reuters_docs()), ("ABC headlines 2003", abc_docs())):
            bench_reload(name, docs, args.repeat)
        return
    # import in the parent so that every timed step measures work, not imports
    import corpus_tools.corpus  # noqa: F401
    import gensim.corpora  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401
    from corpus_tools.text import tokenizer
    from corpus_tools.text.normalize import Normalizer

    print(f"tokeniser: {'compiled' if tokenizer._CEncoder is not None else 'pure Python'}")
    reuters, abc = reuters_docs(), abc_docs()
    # the first lemma build of a session also loads the lemmatiser's dictionary
    for name, docs in (("Reuters-21578 bodies", reuters), ("ABC headlines 2003", abc)):
        s = run_best(args.repeat, ct_build, docs, n_jobs=1, cache=False, lemmatize=True)[0]
        print(f"{name}: first lemma build of a session (dictionary not loaded yet): {s:.2f} s", flush=True)
    t0 = time.perf_counter()
    Normalizer(lemmatize=True).term("tests")  # loads simplemma's English dictionary, once per session
    print(f"simplemma dictionary loaded in the parent: {time.perf_counter() - t0:.2f} s")
    rows: list[dict] = []
    bench("Reuters-21578 bodies", reuters, rows, repeat=args.repeat)
    bench("ABC headlines 2003", abc, rows, repeat=args.repeat)
    if not args.skip_million:
        big = million_docs(args.million)
        bench(f"{len(big):,} repeated Reuters bodies", big, rows, gensim=args.million <= 200_000)

    print("\n| corpus | docs | CountVectorizer s | gensim s | ct 1 job s (x CV) | ct 2 jobs s (x CV) | "
          "ct lemmas s (x plain) | ct cached s (x build) | new session: build s, cached s (x) "
          "| docs table MB | build's own peak MB: ct / CV |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        sk, c1, c2, cl, cc = (r[k][0] for k in ("sklearn", "ct1", "ct2", "ct_lemma", "ct_cached"))
        g = f"{r['gensim'][0]:.2f}" if r["gensim"] else "—"
        peak = max(r[k][1] for k in ("ct1", "ct2", "ct_lemma")) - r["floor"]
        sk_peak = r["sklearn"][1] - r["floor"]
        print(f"| {r['corpus']} | {r['docs']:,} | {sk:.2f} | {g} | {c1:.2f} ({c1 / sk:.2f}x) | {c2:.2f} ({c2 / sk:.2f}x) "
              f"| {cl:.2f} ({cl / c1:.2f}x) | {cc:.3f} ({cc / c1:.3f}x) "
              f"| {r['fresh_build']:.2f}, {r['fresh_cached']:.3f} ({r['fresh_cached'] / r['fresh_build']:.3f}x) "
              f"| {r['docs_mb']:.0f} | {peak:.0f} / {sk_peak:.0f} |")


if __name__ == "__main__":
    main()
