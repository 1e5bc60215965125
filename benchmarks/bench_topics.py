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
"""
from __future__ import annotations

import argparse
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="lee,reuters")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--reuters-n", type=int, default=None, help="use only the first N Reuters bodies")
    parser.add_argument("--online", action="store_true",
                        help="compare TopicModel in online mode (chunksize=2000) from both starts, and tomotopy")
    args = parser.parse_args(argv)
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
