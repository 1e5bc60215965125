"""Topic model quality and speed side by side: TopicModel's default against tomotopy and scikit-learn.

Every model gets the same preprocessed tokens (one Corpus per dataset: lemmas, news stopwords,
document-frequency pruning) and is scored by the same gensim CoherenceModel (c_v and c_npmi on
the corpus's token sequences, top 10 terms), averaged over seeds. Each model's topics are
scored in their own call (a topic's score does not depend on the other topics scored with it;
scoring every model at once needs memory that grows with all their distinct words).

    .venv/bin/python benchmarks/bench_topics.py                      # Lee and Reuters-21578, k=20, 3 seeds
    .venv/bin/python benchmarks/bench_topics.py --datasets lee --seeds 1
    .venv/bin/python benchmarks/bench_topics.py --reuters-n 3000      # a smaller Reuters while developing
    .venv/bin/python benchmarks/bench_topics.py --online              # TopicModel(chunksize=2000), both starts
    .venv/bin/python benchmarks/bench_topics.py --million             # 1M articles, tomotopy with a time budget

Models:
- ``corpus_tools``: ``ct.TopicModel(k, random_state=seed)``, all defaults (gensim LdaModel,
  batch EM, 3 passes from NMF topics of the tf-idf matrix).
- ``corpus_tools init="random"``: the same gensim LdaModel from gensim's own random start, with
  the 20 passes it needs (the default before the NMF start), to show what the start does.
- ``gensim online``: gensim LdaModel as tutorials run it (passes=5, chunksize=2000, alpha and
  eta symmetric 1/k), for comparison with the chosen defaults.
- ``tomotopy``: ``tp.LDAModel(k=k, seed=seed)`` (alpha 0.1, eta 0.01), 200 Gibbs iterations,
  one worker thread (like the others, one core).
- ``sklearn``: ``LatentDirichletAllocation(k, learning_method="batch", random_state=seed)``
  (10 batch iterations) on the same document-term matrix.
Times are fitting wall times (for corpus_tools, including inferring every document's topics).

``--million``: one million articles (``--million-corpus realistic``, the default: the seeded
Reuters + BBC articles of ``benchmarks/_million.py``, sentences dropped at random, every text
distinct; ``repeated``: ``_common.million_docs()``, the Reuters bodies repeated), the same
preprocessing with ``min_df=5``; building the corpus is not timed. Each step runs in a forked
process (``_common.run_isolated``: wall time and that process's peak RSS):
``ct.TopicModel(20, random_state=0).fit(corpus)`` (the time spent inferring every document's
topics inside it is reported too), ``model.transform(corpus)`` alone (inference of every
document from the fitted model), and tomotopy (``tp.LDAModel(k=20, seed=0)``, documents added,
then trained 10 iterations at a time with ``--tomotopy-workers`` threads until
``--budget`` seconds of training have passed; its training keeps every document's topics).
c_v and c_npmi of each model's top 10 terms are scored on the token sequences of a seeded
sample of ``--sample`` documents.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, reuters_docs  # noqa: E402

import corpus_tools as ct  # noqa: E402
from corpus_tools.analyses.topics import token_texts  # noqa: E402

# frequent reporting words that say nothing about the topic of an article
NEWS_STOPWORDS = ["said", "say", "says", "told", "also", "would", "could", "one", "two", "new", "year", "mr",
                  "people", "time", "last", "first", "pct", "reuter", "reuters", "dlrs", "mln", "inc", "corp",
                  "co", "ltd", "will", "get", "make", "take", "week", "month"]
PREPROCESSING = {"lemmatize": True, "max_df": 0.5, "extra_stopwords": NEWS_STOPWORDS}


def build_corpus(name: str, reuters_n: int | None) -> ct.Corpus:
    if name == "lee":
        docs = ct.datasets.load("lee")
        min_df = 3
    else:
        docs = reuters_docs()
        docs = docs[docs["text"].str.len() > 0]
        if reuters_n:
            docs = docs.iloc[:reuters_n]
        min_df = 5
    return ct.Corpus.from_docs(docs, min_df=min_df, cache=True, progress=False, **PREPROCESSING)


def fit_corpus_tools(corpus, k, seed, **settings):
    model = ct.TopicModel(k, random_state=seed, **settings).fit(corpus)
    return [t.tolist() for _, t in model.top_terms(10).groupby("topic")["term"]]


def fit_gensim_online(corpus, k, seed):
    from gensim.models import LdaModel

    dictionary, bow = corpus.to_gensim()
    model = LdaModel(bow, num_topics=k, id2word=dictionary, passes=5, chunksize=2000, random_state=seed,
                     eval_every=None)
    vocab = np.asarray(corpus.vocab, dtype=object)
    return [vocab[[i for i, _ in model.get_topic_terms(t, topn=10)]].tolist() for t in range(k)]


def fit_tomotopy(texts, k, seed):
    import tomotopy as tp

    model = tp.LDAModel(k=k, seed=seed)
    for tokens in texts:
        if tokens:
            model.add_doc(tokens)
    model.train(200, workers=1)
    return [[w for w, _ in model.get_topic_words(t, top_n=10)] for t in range(k)]


def fit_sklearn(corpus, k, seed):
    from sklearn.decomposition import LatentDirichletAllocation

    model = LatentDirichletAllocation(n_components=k, learning_method="batch", random_state=seed)
    model.fit(corpus.dtm)
    vocab = np.asarray(corpus.vocab, dtype=object)
    return [vocab[np.argsort(-row, kind="stable")[:10]].tolist() for row in model.components_]


def score(topic_sets: list[list[list[str]]], corpus, texts) -> dict[str, list[float]]:
    """Mean c_v and c_npmi of each model's topics, one accumulation of counts per measure."""
    from gensim.models import CoherenceModel

    dictionary, _ = corpus.to_gensim()
    out = {}
    for measure in ("c_v", "c_npmi"):
        cm = CoherenceModel.for_topics(topic_sets, dictionary=dictionary, texts=texts, coherence=measure, topn=10,
                                       processes=1)
        out[measure] = [float(mean) for _, mean in cm.compare_model_topics(topic_sets)]
    return out


def diversity(topics: list[list[str]]) -> float:
    return len({w for t in topics for w in t}) / sum(len(t) for t in topics)


def run(name: str, k: int, seeds: list[int], reuters_n: int | None, online: bool = False) -> pd.DataFrame:
    corpus = build_corpus(name, reuters_n)
    texts = token_texts(corpus)
    print(f"{name}: {corpus!r}", flush=True)
    fitters = {
        "corpus_tools (default)": lambda s: fit_corpus_tools(corpus, k, s),
        "corpus_tools init='random' (20 passes)": lambda s: fit_corpus_tools(corpus, k, s, init="random"),
        "gensim online (tutorial settings)": lambda s: fit_gensim_online(corpus, k, s),
        "tomotopy LDA, 200 iterations": lambda s: fit_tomotopy(texts, k, s),
        "sklearn LDA (batch)": lambda s: fit_sklearn(corpus, k, s),
    }
    if online:
        # online updates (chunks of 2000 documents) instead of batch EM, from each start
        fitters = {
            "corpus_tools chunksize=2000": lambda s: fit_corpus_tools(corpus, k, s, chunksize=2000),
            "corpus_tools chunksize=2000 init='random' (20 passes)":
                lambda s: fit_corpus_tools(corpus, k, s, chunksize=2000, init="random"),
            "tomotopy LDA, 200 iterations": fitters["tomotopy LDA, 200 iterations"],
        }
    rows, scores = [], {"c_v": [], "c_npmi": []}
    for model, fit in fitters.items():
        topic_sets = []
        for seed in seeds:
            t0 = time.perf_counter()
            topics = fit(seed)
            seconds = time.perf_counter() - t0
            rows.append({"dataset": name, "model": model, "seed": seed, "seconds": seconds,
                         "diversity": diversity(topics)})
            topic_sets.append(topics)
            print(f"  {model} seed {seed}: {seconds:.2f} s", flush=True)
        for measure, values in score(topic_sets, corpus, texts).items():
            scores[measure] += values
    frame = pd.DataFrame(rows).assign(**scores)
    summary = frame.groupby(["dataset", "model"], sort=False).agg(
        c_v=("c_v", "mean"), c_v_sd=("c_v", "std"), c_npmi=("c_npmi", "mean"), diversity=("diversity", "mean"),
        seconds=("seconds", "mean")).reset_index()
    tomo = summary[summary["model"].str.startswith("tomotopy")].iloc[0]
    summary["time_vs_tomotopy"] = summary["seconds"] / tomo["seconds"]
    summary["c_v_minus_tomotopy"] = summary["c_v"] - tomo["c_v"]
    summary.attrs["corpus"] = repr(corpus)
    return summary


def markdown(frame: pd.DataFrame) -> str:
    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row] for row in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])


def million_corpus(kind: str, n: int) -> ct.Corpus:
    """The 1M-article corpus with the preprocessing of the Reuters runs (min_df=5), cached."""
    if kind == "repeated":
        from _common import million_docs

        docs = million_docs(n)
    else:
        from _million import million_files

        docs = pd.read_parquet(million_files(n)[0]).set_index("doc_id")
    return ct.Corpus.from_docs(docs, min_df=5, n_jobs=2, cache=True, progress=False, **PREPROCESSING)


def _top_terms(model) -> list[list[str]]:
    return [t.tolist() for _, t in model.top_terms(10).groupby("topic")["term"]]


def million_fit(corpus, k: int, seed: int, folder: Path) -> dict:
    """TopicModel.fit, with the seconds of its inference of every document's topics; saved to ``folder``."""
    inferring = []
    infer = ct.TopicModel._infer

    def timed_infer(self, dtm):
        t0 = time.perf_counter()
        out = infer(self, dtm)
        inferring.append(time.perf_counter() - t0)
        return out

    ct.TopicModel._infer = timed_infer  # in the forked process only
    model = ct.TopicModel(k, random_state=seed).fit(corpus)
    model.save(folder)
    return {"topics": _top_terms(model), "infer_seconds": sum(inferring),
            "largest_share": float(model.doc_topics_.mean(axis=0).max())}


def million_transform(folder: Path, corpus) -> int:
    model = ct.TopicModel.load(folder)
    return model.transform(corpus).shape[0]


def million_tomotopy(corpus, k: int, seed: int, budget: float, workers: int) -> dict:
    """tomotopy LDA with a time budget: documents added, then 10 iterations at a time."""
    import tomotopy as tp

    t0 = time.perf_counter()
    model = tp.LDAModel(k=k, seed=seed)
    words = np.asarray(corpus.vocab, dtype=object)
    offsets = corpus.doc_offsets
    for d in range(corpus.n_docs):
        if offsets[d + 1] > offsets[d]:
            model.add_doc(words[corpus.ids[offsets[d] : offsets[d + 1]]].tolist())
    add_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    iterations = 0
    while time.perf_counter() - t0 < budget:
        model.train(10, workers=workers)
        iterations += 10
    train_seconds = time.perf_counter() - t0
    topics = [[w for w, _ in model.get_topic_words(t, top_n=10)] for t in range(k)]
    return {"topics": topics, "iterations": iterations, "add_seconds": add_seconds, "train_seconds": train_seconds}


def run_million(args) -> None:
    from _common import run_isolated

    from corpus_tools.analyses import topics as topics_module

    t0 = time.perf_counter()
    corpus = million_corpus(args.million_corpus, args.n)
    print(f"corpus ({args.million_corpus}) built or reloaded in {time.perf_counter() - t0:.1f} s: {corpus!r}, "
          f"{corpus.dtm.nnz:,} non-zero counts", flush=True)
    print(f"machine: {machine()}; load average before: {os.getloadavg()}", flush=True)
    # a forked process starts with the parent's pages mapped: its peak RSS includes the corpus
    floor = run_isolated(int)[1]
    print(f"peak RSS of a forked no-op (the corpus this process holds): {floor:.0f} MB", flush=True)
    rows, topic_sets = [], {}
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="bench_topics_"))
    seconds, peak, fit = run_isolated(million_fit, corpus, args.k, 0, folder)
    print(f"  corpus_tools fit: {seconds:.1f} s, peak {peak:.0f} MB (inference {fit['infer_seconds']:.1f} s)",
          flush=True)
    rows.append({"step": f"ct.TopicModel({args.k}).fit (every document's topics included)", "seconds": seconds,
                 "peak_MB": peak, "MB_above_no_op": peak - floor,
                 "note": f"inference of every document {fit['infer_seconds']:.1f} s; streamed path "
                         f"(from {topics_module.STREAMED_MIN_DOCS:,} docs)"})
    topic_sets["corpus_tools"] = fit["topics"]
    # the saved model read back in a fresh fork, so that the peak is the inference's own
    seconds, peak, n = run_isolated(million_transform, folder, corpus)
    print(f"  corpus_tools transform: {seconds:.1f} s, peak {peak:.0f} MB", flush=True)
    rows.append({"step": "model.transform(corpus) (inference of every document alone)", "seconds": seconds,
                 "peak_MB": peak, "MB_above_no_op": peak - floor, "note": f"{n:,} documents"})
    import shutil

    shutil.rmtree(folder)
    if not args.no_tomotopy:
        seconds, peak, tomo = run_isolated(million_tomotopy, corpus, args.k, 0, args.budget, args.tomotopy_workers)
        print(f"  tomotopy: {seconds:.1f} s, peak {peak:.0f} MB, {tomo['iterations']} iterations", flush=True)
        rows.append({"step": f"tomotopy LDA, {args.tomotopy_workers} threads, {args.budget:.0f} s training budget",
                     "seconds": seconds, "peak_MB": peak, "MB_above_no_op": peak - floor,
                     "note": f"adding documents {tomo['add_seconds']:.1f} s; {tomo['iterations']} iterations in "
                             f"{tomo['train_seconds']:.1f} s"})
        topic_sets["tomotopy"] = tomo["topics"]
    print(f"load average after: {os.getloadavg()}", flush=True)
    sample = np.sort(np.random.default_rng(0).choice(corpus.n_docs, min(args.sample, corpus.n_docs), replace=False))
    part = corpus.select(corpus.docs.index[sample])
    texts = token_texts(part)
    names = list(topic_sets)
    scores = score([topic_sets[n] for n in names], part, texts)
    quality = pd.DataFrame({"model": names, "c_v": scores["c_v"], "c_npmi": scores["c_npmi"],
                            "diversity": [diversity(topic_sets[n]) for n in names]})
    print(f"\n{args.n:,} articles, k={args.k}, seed 0, {machine()}\n")
    print(markdown(pd.DataFrame(rows)))
    print(f"\nquality: top 10 terms scored on the tokens of {len(sample):,} sampled documents\n")
    print(markdown(quality))
    for name in names:
        print(f"\n{name} topics:")
        for t, terms in enumerate(topic_sets[name]):
            print(f"  {t:2d} {' '.join(terms)}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="lee,reuters")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--reuters-n", type=int, default=None, help="use only the first N Reuters bodies")
    parser.add_argument("--online", action="store_true",
                        help="compare TopicModel in online mode (chunksize=2000) from both starts, and tomotopy")
    parser.add_argument("--million", action="store_true", help="the 1M-article run (see the module docstring)")
    parser.add_argument("--million-corpus", choices=["realistic", "repeated"], default="realistic")
    parser.add_argument("--n", type=int, default=1_000_000, help="articles of the --million run")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds of tomotopy training (--million)")
    parser.add_argument("--tomotopy-workers", type=int, default=2)
    parser.add_argument("--no-tomotopy", action="store_true")
    parser.add_argument("--sample", type=int, default=20_000, help="documents scored for coherence (--million)")
    args = parser.parse_args(argv)
    if args.million:
        run_million(args)
        return
    seeds = list(range(args.seeds))
    tables = []
    for name in args.datasets.split(","):
        table = run(name, args.k, seeds, args.reuters_n, online=args.online)
        print(f"\n{name}: {table.attrs['corpus']}")
        tables.append(table)
    result = pd.concat(tables, ignore_index=True)
    print(f"\nk={args.k}, seeds {seeds}, {machine()}\n")
    print(markdown(result))


if __name__ == "__main__":
    main()
