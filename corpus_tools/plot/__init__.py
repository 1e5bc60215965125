"""Matplotlib drawings of the tidy tables the analyses return.

Axes-level functions take ``ax=None`` and return the Axes; figure-level ones (several panels)
return the Figure. Nothing here calls ``plt.show()`` or saves files.
"""
# Imported eagerly: several functions share their module's name (network, trends, keyness), and
# binding the functions here keeps ``ct.plot.network`` the function however the modules were
# imported. Asking for ``ct.plot`` means matplotlib is wanted anyway.
from .duplicates import syndication_matrix, syndication_over_time, trend_with_without_copies
from .frequencies import top_terms
from .keyness import keyness
from .network import heatmap, network
from .topics import doc_topics, topic_stability, topic_sweep, topic_terms, topic_trends
from .trends import trends

__all__ = ["doc_topics", "heatmap", "keyness", "network", "syndication_matrix", "syndication_over_time",
           "top_terms", "topic_stability", "topic_sweep", "topic_terms", "topic_trends", "trend_with_without_copies",
           "trends"]
