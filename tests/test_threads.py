"""BLAS threads: small products run on one thread, large ones keep them all."""
from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from corpus_tools._threads import SMALL_PRODUCT, blas_threads_for


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_small_products_use_one_thread_and_the_limit_is_lifted_after():
    np.ones((2, 2)) @ np.ones(2)  # numpy's BLAS is loaded
    before = _blas_threads()
    if max(before, default=1) == 1:
        pytest.skip("numpy's BLAS runs one thread here: the limit cannot be told apart")
    with blas_threads_for(SMALL_PRODUCT - 1):
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before
    with blas_threads_for(SMALL_PRODUCT):
        assert _blas_threads() == before


def test_topic_models_fit_the_same_with_the_limit(monkeypatch):
    if max(_blas_threads(), default=1) == 1:
        pytest.skip("numpy's BLAS runs one thread here: the limit cannot be told apart")
    import corpus_tools as ct
    from corpus_tools import _threads

    docs = ct.datasets.load("lee").iloc[:60]
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    limited = ct.TopicModel(4, random_state=0).fit(corpus).doc_topics()
    monkeypatch.setattr(_threads, "SMALL_PRODUCT", 0)  # every product keeps every thread
    free = ct.TopicModel(4, random_state=0).fit(corpus).doc_topics()
    np.testing.assert_allclose(limited.to_numpy(), free.to_numpy(), atol=1e-9)
