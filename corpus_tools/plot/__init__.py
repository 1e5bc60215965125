"""Matplotlib drawings of the tidy tables the analyses return.

Axes-level functions take ``ax=None`` and return the Axes; figure-level ones (several panels)
return the Figure. Nothing here calls ``plt.show()`` or saves files.
"""
from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "top_terms": "corpus_tools.plot.frequencies",
    "trends": "corpus_tools.plot.trends",
    "keyness": "corpus_tools.plot.keyness",
    "network": "corpus_tools.plot.network",
    "heatmap": "corpus_tools.plot.network",
    "topic_terms": "corpus_tools.plot.topics",
    "topic_trends": "corpus_tools.plot.topics",
    "doc_topics": "corpus_tools.plot.topics",
    "topic_sweep": "corpus_tools.plot.topics",
    "topic_stability": "corpus_tools.plot.topics",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'corpus_tools.plot' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
