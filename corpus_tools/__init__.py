"""corpus_tools: analyse news corpora with pandas, from Jupyter notebooks.

>>> import corpus_tools as ct
>>> docs = ct.datasets.load("seeds")                 # doctest: +SKIP
>>> corpus = ct.Corpus.from_docs(docs)               # doctest: +SKIP
>>> ct.term_frequencies(corpus, top=10)              # doctest: +SKIP
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public name -> module that defines it. Imported on first use, so that
# `import corpus_tools` stays fast and a notebook pays only for what it calls.
_PUBLIC = {
    "load": "corpus_tools.io",
    "load_report": "corpus_tools.io",
    "Corpus": "corpus_tools.corpus",
    "ShardedCorpus": "corpus_tools.shards",
    "term_frequencies": "corpus_tools.analyses.frequencies",
    "term_trends": "corpus_tools.analyses.trends",
    "keyness": "corpus_tools.analyses.keyness",
    "keyness_table": "corpus_tools.analyses.keyness",
    "kwic": "corpus_tools.analyses.kwic",
    "cooccurrence": "corpus_tools.analyses.cooccurrence",
    "collocates": "corpus_tools.analyses.cooccurrence",
    "cooccurrence_graph": "corpus_tools.analyses.cooccurrence",
    "cooccurrence_trends": "corpus_tools.analyses.cooccurrence",
    "TopicModel": "corpus_tools.analyses.topics",
    "topic_sweep": "corpus_tools.analyses.topic_selection",
    "topic_stability": "corpus_tools.analyses.topic_selection",
    "near_duplicates": "corpus_tools.analyses.duplicates",
    "syndication_trend": "corpus_tools.analyses.syndication",
    "syndication_matrix": "corpus_tools.analyses.syndication",
}
_SUBMODULES = {"datasets", "plot", "errors", "cache"}

__all__ = sorted(_PUBLIC) + sorted(_SUBMODULES) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"corpus_tools.{name}")
    else:
        raise AttributeError(f"module 'corpus_tools' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
