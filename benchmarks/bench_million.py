"""One million articles: each step of the path from raw files to analyses, timed against what a
user would pick instead, on the seeded corpus of ``benchmarks/_million.py`` (Reuters-21578 and
BBC texts with sentences dropped at random, 20 outlets, dates 2000-2019; Parquet and JSONL.gz).

Every step and every alternative runs in a fresh Python process (``python bench_million.py
--child ...``), so that its peak RSS is its own and nothing is shared or cached in memory
between them. The child imports pandas, pyarrow and corpus_tools, runs the step's ``prepare``
(untimed, e.g. loading the docs a later step needs), then times ``run``; peak RSS is the
child's whole peak (interpreter and imports included: the ``python + imports`` row gives that
floor). The table has one row per step: wall seconds, peak RSS, the alternative, its seconds
and RSS, and the ratios (ours / theirs; below 1 is better), then the CPU seconds (user and
system, all threads, and of the processes the step waited for) of both and their ratio, which
a busy machine changes less than wall time. With ``--repeat k`` each step and its alternative
run k times in turn and the fastest run of each is shown (with its RSS); then the range of the
load average over the runs (2 cores: above 2 the machine is busy with other work), and what
each side returned (a few numbers showing that both computed the same thing).

The steps: loading (``ct.load`` of Parquet and JSON lines); the corpus (``Corpus.from_parquet``
cold and reopened); the topic model; every analysis on the reopened corpus (KWIC, trends,
keyness, frequencies, co-occurrence, collocates, co-occurrence trends, keyness table, topic
trends, representative documents, near duplicates, syndication), each against the same numbers
computed with plain numpy/scipy/pandas; and ``corpus-tools report`` on the Parquet file, cold
and with its corpora cached, whose peak RSS is that of the whole process tree (the report's
kernel is a child process) and whose progress lines, with each section's memory, go to
``benchmarks/out/million-report-{cold,cached}.log``.

Adding a step: write module-level ``prepare`` (optional) and ``run`` functions that take the
:class:`Million` paths (and what ``prepare`` returned) and return something small (a row
count), and append a :class:`Step` to ``STEPS``.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_million.py [--n 1000000] [--seed 0] [--steps load] [--repeat 3]

``--steps`` runs the steps whose name contains one of the given words. The table is printed
and written to ``benchmarks/out/bench_million.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine  # noqa: E402
from benchmarks._million import million_files  # noqa: E402

# JSON lines of a million articles are about 1.5 GB once gunzipped: above ct.load's default
# limit for one file (512 MiB), which a user raises as its message says.
JSONL_LIMIT = 8 * 2**30


@dataclass(frozen=True)
class Million:
    n: int
    seed: int
    parquet: Path
    jsonl: Path


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[..., Any]
    prepare: Callable[[Million], Any] | None = None
    alternative: str = ""
    alternative_run: Callable[..., Any] | None = None
    alternative_prepare: Callable[[Million], Any] | None = None
    note: str = ""
    # peak RSS of the processes the step starts (the sum over its descendants, sampled), for a
    # step whose work runs in other processes; this process, which only waits, is left out
    tree: bool = False


# -- steps ---------------------------------------------------------------------------------

def nothing(m: Million) -> int:
    return 0


def load_parquet(m: Million) -> int:
    import corpus_tools as ct

    return len(ct.load(m.parquet))


def read_parquet(m: Million) -> int:
    import pandas as pd

    return len(pd.read_parquet(m.parquet))


def raise_file_limit(m: Million) -> None:
    from corpus_tools.io import decoding

    decoding.MAX_FILE_BYTES = JSONL_LIMIT


def load_jsonl(m: Million, _: Any = None) -> int:
    import corpus_tools as ct

    return len(ct.load(m.jsonl))


def read_json_lines(m: Million) -> int:
    import pandas as pd

    return len(pd.read_json(m.jsonl, lines=True, compression="gzip"))


STEPS: list[Step] = [
    Step("python + imports", nothing, note="the floor of every peak RSS below"),
    Step("ct.load Parquet", load_parquet, alternative="pd.read_parquet", alternative_run=read_parquet),
    Step("ct.load JSONL.gz", load_jsonl, prepare=raise_file_limit,
         alternative='pd.read_json(lines=True, compression="gzip")', alternative_run=read_json_lines,
         note="MAX_FILE_BYTES raised to 8 GiB"),
]


# -- Corpus.from_parquet: texts streamed from disk (more in benchmarks/bench_streaming.py) ---

STREAM_CACHE = Path(__file__).resolve().parent / ".data" / "million-stream-cache"


def use_cache(folder: Path, *, empty: bool = False) -> None:
    """Make ``folder`` the corpus cache of this process, emptied first with ``empty``."""
    import shutil

    if empty:
        shutil.rmtree(folder, ignore_errors=True)
    os.environ["CORPUS_TOOLS_CACHE"] = str(folder)


def fresh_stream_cache(m: Million) -> None:
    use_cache(STREAM_CACHE, empty=True)


def stream_cache(m: Million) -> None:
    use_cache(STREAM_CACHE)
    if not any(STREAM_CACHE.glob("corpus/*/meta.json")):  # built here, untimed, if the cold step did not run
        from_parquet(m)


def from_parquet(m: Million, _: Any = None) -> int:
    import corpus_tools as ct

    return ct.Corpus.from_parquet(m.parquet, progress=False).n_tokens


def from_docs_read_parquet(m: Million) -> int:
    import pandas as pd

    import corpus_tools as ct

    return ct.Corpus.from_docs(pd.read_parquet(m.parquet).set_index("doc_id"), cache=False, progress=False).n_tokens


STEPS += [
    Step("Corpus.from_parquet, cold, n_jobs=1", from_parquet, prepare=fresh_stream_cache,
         alternative="Corpus.from_docs(pd.read_parquet(path)), n_jobs=1, no cache",
         alternative_run=from_docs_read_parquet, note="texts streamed; the cache entry and its copy of the texts written"),
    Step("Corpus.from_parquet reopened from the cache", from_parquet, prepare=stream_cache,
         alternative="pd.read_parquet", alternative_run=read_parquet, note="no text read"),
]


# -- topic models (quality and a 1M run of the same preprocessing: bench_topics.py --million) --

# seconds of tomotopy training: its 200 iterations would take about an hour here
TOMOTOPY_BUDGET = 600.0


def topic_corpus(m: Million):
    """The streamed corpus, reopened from the cache (default preprocessing, as a user opens it)."""
    import corpus_tools as ct

    stream_cache(m)
    return ct.Corpus.from_parquet(m.parquet, progress=False)


def topic_fit(m: Million, corpus) -> int:
    import corpus_tools as ct

    return len(ct.TopicModel(20, random_state=0).fit(corpus).doc_topics_)


def tomotopy_fit(m: Million, corpus) -> int:
    from benchmarks.bench_topics import million_tomotopy

    return million_tomotopy(corpus, 20, 0, TOMOTOPY_BUDGET, 2)["iterations"]


STEPS += [
    Step("TopicModel(20).fit, every document's topics", topic_fit, prepare=topic_corpus,
         alternative=f"tomotopy LDA(k=20), 2 threads, {TOMOTOPY_BUDGET:.0f} s of training",
         alternative_run=tomotopy_fit, alternative_prepare=topic_corpus,
         note="corpus reopened from the cache; tomotopy's time includes adding the documents, its result "
              "is the iterations done"),
]


# -- every analysis on the reopened corpus --------------------------------------------------
#
# Each step's prepare reopens the corpus that Corpus.from_parquet(path, n_jobs=2) built and cached
# (about a second; built there, untimed, when the cache has none) and, where needed, the topic
# model or the copy groups saved beside the data; only the analysis is timed. The alternative is
# the same numbers computed with plain numpy/scipy/pandas on the same arrays (the corpus's
# matrix and token sequence), or on the texts read with pd.read_parquet where a user would
# search the texts (KWIC). Both return a few numbers that show they computed the same thing.

TREND_TERMS = ["oil", "bank", "trade", "dollar", "prices", "shares", "profit", "loss", "market", "billion",
               "rates", "stock", "japan", "opec", "gold", "coffee", "wheat", "tax", "debt", "sugar"]
KEYNESS_TARGET = {"source": "Atlantic Record"}  # an outlet with a tenth of the articles
TREND_PAIRS = [("crude", "oil"), ("interest", "rates"), ("trade", "deficit"), ("stock", "exchange"),
               ("oil", "prices"), ("central", "bank"), ("dollar", "yen"), ("wheat", "grain"),
               ("shares", "stock"), ("gold", "mining")]
COOC_TERMS, COOC_WINDOW = 200, 5
COLLOCATE_NODE = "oil"


def analysis_corpus(m: Million):
    """The corpus as a notebook reopens it (default options): built once by from_parquet, n_jobs=2."""
    import corpus_tools as ct

    use_cache(STREAM_CACHE)
    return ct.Corpus.from_parquet(m.parquet, n_jobs=2, progress=False)


def _quiet(fn, *args, **kwargs):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "more than 1,000 matches" and the like
        return fn(*args, **kwargs)


def read_texts(m: Million):
    import pandas as pd

    return pd.read_parquet(m.parquet, columns=["doc_id", "text"]).set_index("doc_id")["text"]


def kwic_word(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = _quiet(ct.kwic, corpus, "oil", window=5)
    return [len(out), out.attrs["n_matches"]]


def kwic_phrase(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = _quiet(ct.kwic, corpus, "crude oil", window=5)
    return [len(out), out.attrs["n_matches"]]


def _pandas_kwic(texts, phrase: str, window: int = 5, max_rows: int = 1000) -> list:
    """A user's KWIC on the texts: count every match with str.count, show the first max_rows."""
    import re

    rx = r"\b" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"\b"
    counts = texts.str.count(re.compile(rx, re.IGNORECASE))
    compiled, rows = re.compile(rx, re.IGNORECASE), []
    for doc_id, text in texts[counts > 0].items():
        for found in compiled.finditer(text):
            rows.append((doc_id, " ".join(text[: found.start()].split()[-window:]), found.group(),
                         " ".join(text[found.end():].split()[:window])))
            if len(rows) == max_rows:
                break
        if len(rows) == max_rows:
            break
    return [len(rows), int(counts.sum())]


def pandas_kwic_word(m: Million, texts) -> list:
    return _pandas_kwic(texts, "oil")


def pandas_kwic_phrase(m: Million, texts) -> list:
    return _pandas_kwic(texts, "crude oil")


def term_trends(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = _quiet(ct.term_trends, corpus, TREND_TERMS, freq="MS")
    return [len(out), int(out["n_docs_with"].sum()), int(out["count"].sum())]


def _month_rows(corpus):
    """Period of every document (months from the first dated one; -1 undated) and the number of months."""
    import numpy as np

    dates = corpus.dates
    month = dates.dt.year.to_numpy() * 12 + dates.dt.month.to_numpy() - 1  # NaN where undated
    first = np.nanmin(month)
    period = np.where(np.isnan(month), -1, month - first).astype(np.int64)
    return period, int(period.max()) + 1


def numpy_trends(m: Million, corpus) -> list:
    """Per month: occurrences, documents mentioning, documents, tokens, share and Wilson interval."""
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    from corpus_tools.analyses.intervals import wilson_interval

    period, n_periods = _month_rows(corpus)
    dated = period >= 0
    ids = corpus.vocab.get_indexer(TREND_TERMS)
    onehot = sp.csr_matrix((np.ones(int(dated.sum())), (period[dated], np.flatnonzero(dated))),
                           shape=(n_periods, corpus.n_docs))
    sub = corpus.dtm[:, ids]
    count = (onehot @ sub).toarray()
    with_term = (onehot @ (sub > 0).astype(np.float64)).toarray()
    n_docs = np.bincount(period[dated], minlength=n_periods)
    n_tokens = np.bincount(period[dated], weights=corpus.doc_lengths[dated], minlength=n_periods)
    value = with_term / n_docs[:, None]
    low, high = wilson_interval(with_term, n_docs[:, None])
    out = pd.DataFrame({"period": np.repeat(np.arange(n_periods), len(ids)), "term": np.tile(TREND_TERMS, n_periods),
                        "count": count.ravel(), "n_docs_with": with_term.ravel(),
                        "n_docs": np.repeat(n_docs, len(ids)), "n_tokens": np.repeat(n_tokens, len(ids)),
                        "value": value.ravel(), "ci_low": low.ravel(), "ci_high": high.ravel()})
    return [len(out), int(out["n_docs_with"].sum()), int(out["count"].sum())]


def keyness(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = ct.keyness(corpus, KEYNESS_TARGET, measure="g2")
    return [len(out)] + out["term"].head(3).tolist()


def numpy_keyness(m: Million, corpus) -> list:
    """Counts in target and reference with one sparse product each, the package's own G² formula."""
    import numpy as np
    import pandas as pd

    from corpus_tools.analyses.keyness import keyness_scores

    column, value = next(iter(KEYNESS_TARGET.items()))
    target = (corpus.docs[column] == value).to_numpy()
    a = np.asarray(corpus.dtm.T @ target.astype(np.float64)).ravel()
    b = np.asarray(corpus.dtm.T @ (~target).astype(np.float64)).ravel()
    keep = a + b >= 5
    scores = keyness_scores(a[keep], b[keep], a.sum(), b.sum(), "g2")
    out = pd.DataFrame({"term": corpus.vocab[keep], "target_count": a[keep], "reference_count": b[keep], **scores})
    out = out.sort_values(["score", "term"], ascending=[False, True], kind="stable")
    return [len(out)] + out["term"].head(3).tolist()


def term_frequencies(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = ct.term_frequencies(corpus)
    return [len(out), int(out["count"].sum())] + out["term"].head(3).tolist()


def numpy_frequencies(m: Million, corpus) -> list:
    """Occurrences and documents per term: two bincounts over the matrix's entries, one sort."""
    import numpy as np
    import pandas as pd

    dtm = corpus.dtm
    count = np.bincount(dtm.indices, weights=dtm.data, minlength=corpus.n_terms).astype(np.int64)
    doc_count = np.bincount(dtm.indices, minlength=corpus.n_terms)
    used = np.flatnonzero(count)
    order = used[np.lexsort((used, -count[used]))]
    out = pd.DataFrame({"term": corpus.vocab[order], "count": count[order], "doc_count": doc_count[order],
                        "share": count[order] / count.sum()})
    return [len(out), int(out["count"].sum())] + out["term"].head(3).tolist()


def cooccurrence(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = ct.cooccurrence(corpus, terms=COOC_TERMS, window=COOC_WINDOW, measure="npmi")
    return [len(out), int(out["count"].sum())]


def _top_ids(corpus, n: int):
    """The n most frequent terms, ties by term id (as cooccurrence's terms=n)."""
    import numpy as np

    cf = np.bincount(corpus.ids, minlength=corpus.n_terms)
    return np.sort(np.lexsort((np.arange(corpus.n_terms), -cf))[:n])


def numpy_cooccurrence(m: Million, corpus) -> list:
    """Window pairs of the top terms: for each distance 1..k, the token pairs in one document,
    counted with one bincount; marginals (ordered pairs each term opens) and npmi likewise."""
    import numpy as np
    import pandas as pd

    k, sel = COOC_WINDOW, _top_ids(corpus, COOC_TERMS)
    n = len(sel)
    local = np.full(corpus.n_terms, -1, dtype=np.int32)
    local[sel] = np.arange(n, dtype=np.int32)
    lid = local[corpus.ids]
    doc = corpus.token_doc_rows()
    joint, f, n_pairs = np.zeros(n * n, dtype=np.int64), np.zeros(n, dtype=np.int64), 0
    for d in range(1, k + 1):
        same = doc[:-d] == doc[d:]
        a, b = lid[:-d], lid[d:]
        n_pairs += 2 * int(same.sum())
        f += np.bincount(a[same & (a >= 0)], minlength=n) + np.bincount(b[same & (b >= 0)], minlength=n)
        both = same & (a >= 0) & (b >= 0) & (a != b)
        joint += np.bincount(np.minimum(a[both], b[both]) * n + np.maximum(a[both], b[both]), minlength=n * n)
    i, j = np.divmod(np.flatnonzero(joint >= 2), n)
    count = joint[i * n + j]
    pmi = np.log2(count * n_pairs / (f[i] * f[j]))
    out = pd.DataFrame({"term1": corpus.vocab[sel[i]], "term2": corpus.vocab[sel[j]], "count": count,
                        "value": pmi / -np.log2(count / n_pairs)}).sort_values("value", ascending=False)
    return [len(out), int(out["count"].sum())]


def collocates(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = ct.collocates(corpus, COLLOCATE_NODE, window=5)
    return [len(out)] + out["collocate"].head(3).tolist()


def numpy_collocates(m: Million, corpus) -> list:
    """Neighbours of the node within 5 tokens of the same document, counted with bincount; the
    marginals of every term as in numpy_cooccurrence; log-Dice, top 20."""
    import numpy as np
    import pandas as pd

    k, node = 5, corpus.term_id(COLLOCATE_NODE)
    ids, doc = corpus.ids, corpus.token_doc_rows()
    at = np.flatnonzero(ids == node)
    joint = np.zeros(corpus.n_terms, dtype=np.int64)
    for d in [*range(-k, 0), *range(1, k + 1)]:
        other = at + d
        ok = (other >= 0) & (other < len(ids))
        ok[ok] = doc[other[ok]] == doc[at[ok]]
        joint += np.bincount(ids[other[ok]], minlength=corpus.n_terms)
    f = np.zeros(corpus.n_terms, dtype=np.int64)
    for d in range(1, k + 1):
        same = doc[:-d] == doc[d:]
        f += np.bincount(ids[:-d][same], minlength=corpus.n_terms)
        f += np.bincount(ids[d:][same], minlength=corpus.n_terms)
    joint[node] = 0
    found = np.flatnonzero(joint >= 3)
    value = 14 + np.log2(2 * joint[found] / (f[node] + f[found]))
    out = pd.DataFrame({"collocate": corpus.vocab[found], "count": joint[found], "value": value})
    out = out.sort_values(["value", "count"], ascending=False, kind="stable").head(20)
    return [len(out)] + out["collocate"].head(3).tolist()


def cooccurrence_trends(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = ct.cooccurrence_trends(corpus, TREND_PAIRS, freq="MS")
    return [len(out), int(out["count"].sum())]


def numpy_cooccurrence_trends(m: Million, corpus) -> list:
    """Per month and pair: documents holding both terms (two matrix columns), share, Wilson interval."""
    import numpy as np
    import pandas as pd

    from corpus_tools.analyses.intervals import wilson_interval

    period, n_periods = _month_rows(corpus)
    n_docs = np.bincount(period[period >= 0], minlength=n_periods)
    frames = []
    for t1, t2 in TREND_PAIRS:
        cols = (corpus.dtm[:, [corpus.term_id(t1), corpus.term_id(t2)]] > 0).toarray()
        per = period[cols.all(axis=1)]
        count = np.bincount(per[per >= 0], minlength=n_periods)
        low, high = wilson_interval(count, n_docs)
        frames.append(pd.DataFrame({"term1": t1, "term2": t2, "count": count, "n_docs": n_docs,
                                    "value": count / n_docs, "ci_low": low, "ci_high": high}))
    out = pd.concat(frames, ignore_index=True)
    return [len(out), int(out["count"].sum())]


def keyness_table(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = ct.keyness_table(corpus, "source", top=20)
    return [len(out), out["group"].nunique()]


def numpy_keyness_table(m: Million, corpus) -> list:
    """Each outlet against the others: counts per outlet in one sparse product, then the package's
    G² formula outlet by outlet."""
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    from corpus_tools.analyses.keyness import keyness_scores

    codes, outlets = pd.factorize(corpus.docs["source"], sort=True)
    member = sp.csr_matrix((np.ones(corpus.n_docs), (codes, np.arange(corpus.n_docs))),
                           shape=(len(outlets), corpus.n_docs))
    counts = (member @ corpus.dtm).toarray()
    total = counts.sum(axis=0)
    frames = []
    for g, outlet in enumerate(outlets):
        a, b = counts[g], total - counts[g]
        keep = a + b >= 5
        scores = keyness_scores(a[keep], b[keep], a.sum(), b.sum(), "g2")
        frame = pd.DataFrame({"group": outlet, "term": corpus.vocab[keep], **scores})
        frames.append(frame.sort_values(["score", "term"], ascending=[False, True], kind="stable").head(20))
    out = pd.concat(frames, ignore_index=True)
    return [len(out), out["group"].nunique()]


def _beside(m: Million, suffix: str) -> Path:
    """A file or folder next to the corpus's Parquet file, named after it."""
    return m.parquet.with_name(m.parquet.stem + suffix)


def model_and_corpus(m: Million):
    """The reopened corpus and its k=20 topic model, fitted once (untimed) and saved beside the data."""
    import corpus_tools as ct

    corpus, folder = analysis_corpus(m), _beside(m, "-topic-model-k20-seed0")
    if not (folder / "topic_model.json").exists():
        ct.TopicModel(20, random_state=0).fit(corpus).save(folder)
    return corpus, ct.TopicModel.load(folder, corpus=corpus)


def topic_trends(m: Million, prepared) -> list:
    out = _quiet(prepared[1].topic_trends, freq="MS")
    return [len(out), round(float(out["value"].sum()), 3)]


def pandas_topic_trends(m: Million, prepared) -> list:
    """Mean topic shares per month with groupby, every month present, documents per month."""
    import numpy as np
    import pandas as pd

    corpus, model = prepared
    period, n_periods = _month_rows(corpus)
    shares = pd.DataFrame(model.doc_topics_)
    means = shares[period >= 0].groupby(period[period >= 0]).mean().reindex(range(n_periods))
    n_docs = np.bincount(period[period >= 0], minlength=n_periods)
    out = means.stack(future_stack=True).rename("value").reset_index()
    out["n_docs"] = np.repeat(n_docs, model.n_topics)
    return [len(out), round(float(out["value"].sum()), 3)]


def representative_docs(m: Million, prepared) -> list:
    model = prepared[1]
    out = [model.representative_docs(topic, n=5) for topic in range(model.n_topics)]
    return [sum(map(len, out)), out[0]["doc_id"].iloc[0]]


def numpy_representative_docs(m: Million, prepared) -> list:
    """For each topic the 5 largest shares (argpartition, then a sort of those), their titles and
    the first 200 characters of their texts read back with corpus.texts."""
    import numpy as np

    corpus, model = prepared
    shares, out = model.doc_topics_, []
    for topic in range(model.n_topics):
        column = shares[:, topic]
        rows = np.argpartition(-column, 5)[:5]
        rows = rows[np.lexsort((rows, -column[rows]))]
        ids = corpus.docs.index[rows]
        snippets = corpus.texts(ids).str.split().str.join(" ").str.slice(0, 200)
        out.append((ids, corpus.docs["title"].iloc[rows], snippets))
    return [sum(len(ids) for ids, _, _ in out), out[0][0][0]]


def near_duplicates(m: Million, corpus) -> list:
    import corpus_tools as ct

    out = ct.near_duplicates(corpus)
    return [out.attrs["n_groups"], out.attrs["n_duplicates"]]


def copy_groups_and_corpus(m: Million):
    """The copy groups of the reopened corpus, found once (untimed) and saved beside the data."""
    import pandas as pd

    import corpus_tools as ct

    corpus, path = analysis_corpus(m), _beside(m, "-copy-groups.parquet")
    if not path.exists():
        ct.near_duplicates(corpus).to_parquet(path)
    return corpus, pd.read_parquet(path)


def syndication_trend(m: Million, prepared) -> list:
    import corpus_tools as ct

    corpus, groups = prepared
    out = ct.syndication_trend(groups, corpus, freq="MS")
    return [len(out), int(out["n_copies"].sum())]


def pandas_syndication_trend(m: Million, prepared) -> list:
    """Documents and copies per month with value_counts, every month present, Wilson interval."""
    import pandas as pd

    from corpus_tools.analyses.intervals import wilson_interval

    corpus, groups = prepared
    month = corpus.docs["date"].dt.to_period("M")
    months = pd.period_range(month.min(), month.max(), freq="M")
    n_docs = month.value_counts().reindex(months, fill_value=0)
    copies = groups.loc[groups["kind"] != "first", "doc_id"]
    n_copies = month.reindex(copies).value_counts().reindex(months, fill_value=0)
    low, high = wilson_interval(n_copies.to_numpy(), n_docs.to_numpy())
    out = pd.DataFrame({"n_docs": n_docs, "n_copies": n_copies, "share": n_copies / n_docs, "ci_low": low,
                        "ci_high": high})
    return [len(out), int(out["n_copies"].sum())]


def _rss_file_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("RssFile:"))


def read_every_page(m: Million):
    """The reopened corpus after a pass over all its arrays (untimed): every page resident."""
    corpus = analysis_corpus(m)
    m_ = corpus.dtm
    for a in (corpus.ids, corpus.doc_offsets, corpus.sent_offsets, m_.data, m_.indices, m_.indptr):
        int(a.sum(dtype="int64"))
    return corpus


def release_pages(m: Million, corpus) -> list:
    before = _rss_file_mb()
    corpus.release_pages()
    return [before, _rss_file_mb()]


def _analysis(name, run, alternative="", alternative_run=None, *, prepare=analysis_corpus,
              alternative_prepare=None, note=""):
    return Step(name, run, prepare=prepare, alternative=alternative, alternative_run=alternative_run,
                alternative_prepare=(alternative_prepare or prepare) if alternative_run else None, note=note)


STEPS += [
    _analysis('kwic(corpus, "oil")', kwic_word, 'texts.str.count + re.finditer for the first 1,000 lines',
              pandas_kwic_word, alternative_prepare=read_texts,
              note="first 1,000 lines; result: lines, all matches; the alternative holds the texts, read "
                   "with pd.read_parquet before its clock starts"),
    _analysis('kwic(corpus, "crude oil")', kwic_phrase, 'texts.str.count + re.finditer for the first 1,000 lines',
              pandas_kwic_phrase, alternative_prepare=read_texts, note="a phrase"),
    _analysis("term_trends, 20 terms, monthly", term_trends, "scipy: month x document product with the 20 columns",
              numpy_trends, note="result: rows, documents mentioning, occurrences"),
    _analysis(f"keyness({KEYNESS_TARGET})", keyness, "scipy: two matrix-vector products, the same G² formula",
              numpy_keyness, note="result: terms, top 3"),
    _analysis("term_frequencies, every term", term_frequencies, "numpy: two bincounts over the matrix entries",
              numpy_frequencies, note="result: terms, occurrences, top 3"),
    _analysis(f"cooccurrence, top {COOC_TERMS} terms, window {COOC_WINDOW}, npmi", cooccurrence,
              "numpy: per distance, a bincount of the token pairs in one document", numpy_cooccurrence,
              note="result: pairs (count >= 2), their counts"),
    _analysis(f'collocates(corpus, "{COLLOCATE_NODE}"), window 5', collocates,
              "numpy: neighbours of the node's positions, marginals per distance", numpy_collocates,
              note="result: collocates, top 3"),
    _analysis("cooccurrence_trends, 10 pairs, monthly", cooccurrence_trends,
              "numpy: the two columns of each pair, bincount by month", numpy_cooccurrence_trends,
              note="result: rows, documents holding both"),
    _analysis('keyness_table(corpus, "source"), top 20', keyness_table,
              "scipy: outlet x document product, the same G² formula per outlet", numpy_keyness_table,
              note="result: rows, outlets"),
    _analysis("model.topic_trends, monthly", topic_trends, "pandas: groupby(month).mean() of the document topics",
              pandas_topic_trends, prepare=model_and_corpus,
              note="k=20 model fitted once and saved beside the data (untimed); result: rows, sum of values"),
    _analysis("model.representative_docs, 5 of each of 20 topics", representative_docs,
              "numpy: argpartition per topic, corpus.texts for the snippets", numpy_representative_docs,
              prepare=model_and_corpus, note="result: rows, the first document"),
    _analysis("corpus.release_pages() after a pass over every array", release_pages, prepare=read_every_page,
              note="result: the process's file pages (RssFile, MB) before and after"),
    _analysis("near_duplicates", near_duplicates, note="defaults (1 thread); result: groups, copies; "
              "datasketch on the same shingles: see Near duplicates"),
    _analysis("syndication_trend, monthly", syndication_trend,
              "pandas: value_counts by month of the documents and of the copies", pandas_syndication_trend,
              prepare=copy_groups_and_corpus,
              note="copy groups found once and saved beside the data (untimed); result: months, copies"),
]


# -- the report ----------------------------------------------------------------------------

REPORT_CACHE = Path(__file__).resolve().parent / ".data" / "million-report-cache"
REPORT_OUT = Path(__file__).resolve().parent / "out" / "million-report"


def report_open_corpus(m: Million, _: Any = None) -> int:
    """The report's main corpus, with its default options."""
    from corpus_tools.report import open_corpus

    return open_corpus(m.parquet, extra_stopwords="news").n_tokens


def report_topic_corpus(m: Million, _: Any = None) -> int:
    """The report's lemmatised corpus for the topics, with its default options."""
    from corpus_tools.report import topic_corpus

    return topic_corpus(m.parquet, n_topics=5, extra_stopwords="news")[0].n_tokens


def fresh_report_cache(m: Million) -> str:
    use_cache(REPORT_CACHE, empty=True)
    return "cold"


def report_cache(m: Million) -> str:
    """The corpora the report reads, built (untimed) with its default parameters when not cached."""
    use_cache(REPORT_CACHE)
    report_open_corpus(m)
    report_topic_corpus(m)
    return "cached"


# the steps of the report's two corpora alone, in a cache of their own (the report's is kept for its cached run)
OPEN_CACHE = Path(__file__).resolve().parent / ".data" / "million-open-cache"


def fresh_open_cache(m: Million) -> None:
    use_cache(OPEN_CACHE, empty=True)


def open_cache(m: Million) -> None:
    """That cache, with the report's two corpora built in it (untimed) when they are not there."""
    use_cache(OPEN_CACHE)
    report_open_corpus(m)
    report_topic_corpus(m)


STEPS += [
    Step("report.open_corpus, cold cache", report_open_corpus, prepare=fresh_open_cache,
         note="the report's main corpus, with its default options; result: tokens"),
    Step("report.open_corpus, reopened", report_open_corpus, prepare=open_cache, note="found in the cache"),
    Step("report.topic_corpus, cold cache", report_topic_corpus, prepare=fresh_open_cache,
         note="the report's lemmatised corpus for the topics; result: tokens"),
    Step("report.topic_corpus, reopened", report_topic_corpus, prepare=open_cache, note="found in the cache"),
]


def corpus_tools_report(m: Million, cache: str) -> str:
    """``corpus-tools report <parquet>``, as a user types it, into ``REPORT_OUT``. Its progress
    lines (one per cell, naming the section) go to ``million-report-<cache>.log`` beside it, each
    after the seconds since the start and the largest RSS of the process tree (all of it, then
    without file pages) since the line before: the memory of each section."""
    command = [str(Path(sys.executable).with_name("corpus-tools")), "report", str(m.parquet), "-o", str(REPORT_OUT)]
    REPORT_OUT.parent.mkdir(parents=True, exist_ok=True)
    sections, t0 = _TreePeak(), time.perf_counter()
    log_path = REPORT_OUT.with_name(f"{REPORT_OUT.name}-{cache}.log")
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy()) as run:
        log.write("seconds | peak RSS MB | without file pages MB | line\n")
        for line in run.stdout:
            rss, anonymous = sections.window()
            log.write(f"{time.perf_counter() - t0:.1f} | {rss / 2**20:.0f} | {anonymous / 2**20:.0f} | {line}")
            log.flush()
    sections.stop()
    if run.returncode:
        raise RuntimeError(f"{' '.join(command)} failed; see {log_path}")
    return f"{json.loads((REPORT_OUT / 'manifest.json').read_text('utf-8'))['choices']['n_topics']} topics"


STEPS += [
    Step("corpus-tools report, cold cache", corpus_tools_report, prepare=fresh_report_cache, tree=True,
         note="both corpora built (main, and lemmatised for the topics); peak RSS: the command and its kernel "
              "together; result: number of topics, peak RSS without file pages (the mapped corpus arrays)"),
    Step("corpus-tools report, corpora cached", corpus_tools_report, prepare=report_cache, tree=True,
         note="corpora reopened from the cache"),
]


# -- running -------------------------------------------------------------------------------

def _child(index: int, which: str, n: int, seed: int) -> None:
    import corpus_tools as ct  # noqa: F401  (both contenders start from the same imports)
    import corpus_tools.io  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    parquet, jsonl = million_files(n, seed)
    m = Million(n, seed, parquet, jsonl)
    step = STEPS[index]
    prepare, run = (step.prepare, step.run) if which == "main" else (step.alternative_prepare, step.alternative_run)
    prepared = prepare(m) if prepare is not None else None
    tree = _TreePeak() if step.tree else None
    cpu0, t0 = _cpu_seconds(), time.perf_counter()
    result = run(m, prepared) if prepare is not None else run(m)
    seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if tree is not None:
        peak_mb = tree.stop() / 2**20
        result = [result, f"without file pages at most {tree.anonymous_peak / 2**20:.0f} MB"]
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "result": result}, default=str))


def _cpu_seconds() -> float:
    """User and system time of this process, all threads, and of its waited-for children (a
    report's kernel, build workers): steady on a busy machine, where wall time depends on what
    else runs."""
    usages = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usages)


class _TreePeak:
    """The largest sum of RSS over the descendants of this process, sampled every 0.2 s in a
    thread. Pages shared between processes count once per process, so this is an upper bound.
    ``anonymous_peak`` is the same without file pages (RSS less RssFile and RssShmem): the
    mapped corpus arrays, which the system can drop and read again, are left out."""

    def __init__(self, interval: float = 0.2):
        import threading

        import psutil

        self._me, self._interval, self.peak, self.anonymous_peak = psutil.Process(), interval, 0, 0
        self._window = [0, 0]
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        import psutil

        while not self._done.is_set():
            total = anonymous = 0
            for proc in self._me.children(recursive=True):
                try:
                    memory = proc.memory_info()
                except psutil.Error:  # ended between the listing and the reading
                    continue
                total += memory.rss
                anonymous += memory.rss - memory.shared
            self.peak, self.anonymous_peak = max(self.peak, total), max(self.anonymous_peak, anonymous)
            self._window = [max(self._window[0], total), max(self._window[1], anonymous)]
            self._done.wait(self._interval)

    def window(self) -> tuple[int, int]:
        """The peaks (RSS, without file pages) since the last call, and a new window from now."""
        window, self._window = self._window, [0, 0]
        return window[0], window[1]

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak


def _measure(index: int, which: str, n: int, seed: int) -> dict:
    load_before = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(index), which, "--n", str(n), "--seed", str(seed)],
        capture_output=True, text=True, env=os.environ.copy(),
    )
    if out.returncode:
        raise RuntimeError(f"step {STEPS[index].name!r} ({which}) failed:\n{out.stderr}")
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    measured["load"] = (load_before, os.getloadavg()[0])
    return measured


def _result(value: Any) -> str:
    """What a step returned, short enough for a table cell ("|" would split it)."""
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text.replace("|", "/")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", nargs="*", help="run only the steps whose name holds one of these words")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each step and alternative, taken in turn; the fastest of each is shown")
    parser.add_argument("--child", nargs=2, metavar=("INDEX", "WHICH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(int(args.child[0]), args.child[1], args.n, args.seed)
        return

    parquet, jsonl = million_files(args.n, args.seed)  # generated once, before any clock runs
    print(f"# {args.n:,} articles: {parquet} ({parquet.stat().st_size / 1e6:.0f} MB), "
          f"{jsonl} ({jsonl.stat().st_size / 1e6:.0f} MB); {machine()}; load average at start "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    rows = [
        "| step | wall s | peak RSS MB | alternative | alternative s | alternative MB | time ratio | RSS ratio | CPU s (ratio) | load avg | result (ours / alternative) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|---|---|",
    ]
    for index, step in enumerate(STEPS):
        if args.steps and not any(word.lower() in step.name.lower() for word in args.steps):
            continue
        ours_runs, theirs_runs = [], []
        for _ in range(args.repeat):  # alternately, so that both meet the same load
            ours_runs.append(_measure(index, "main", args.n, args.seed))
            if step.alternative_run:
                theirs_runs.append(_measure(index, "alternative", args.n, args.seed))
        ours = min(ours_runs, key=lambda r: r["seconds"])
        theirs = min(theirs_runs, key=lambda r: r["seconds"]) if theirs_runs else None
        loads = [r["load"] for r in ours_runs + theirs_runs]
        load = "–".join(f"{x:.1f}" for x in (min(min(p) for p in loads), max(max(p) for p in loads)))
        cells = [step.name + (f"; {step.note}" if step.note else ""), f"{ours['seconds']:.1f}", f"{ours['peak_mb']:.0f}"]
        if theirs:
            cells += [f"`{step.alternative}`", f"{theirs['seconds']:.1f}", f"{theirs['peak_mb']:.0f}",
                      _ratio(ours["seconds"], theirs["seconds"]), _ratio(ours["peak_mb"], theirs["peak_mb"]),
                      f"{ours['cpu']:.1f} / {theirs['cpu']:.1f} ({_ratio(ours['cpu'], theirs['cpu'])})"]
        else:
            cells += ["", "", "", "", "", f"{ours['cpu']:.1f}"]
        result = _result(ours["result"]) + (f" / {_result(theirs['result'])}" if theirs else "")
        rows.append("| " + " | ".join(cells + [load, result]) + " |")
        print(rows[-1], flush=True)
    table = "\n".join(rows)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_million.md").write_text(table + "\n", "utf-8")
    print(table)


if __name__ == "__main__":
    main()
