"""Choosing the number of topics and checking that topics are stable across seeds.

:func:`topic_sweep` fits one :class:`~corpus_tools.analyses.topics.TopicModel` per ``k`` and
scores them side by side; :func:`topic_stability` refits with several seeds and matches the
topics of every run to the first run's (Hungarian matching on top-term overlap).
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import check_n_jobs, check_option, check_positive_int
from .topics import MEASURES, METHODS, TopicModel, _check_corpus


def _fit_and_score(corpus, k: int, method: str, random_state, params: dict) -> dict:
    t0 = time.perf_counter()
    model = TopicModel(k, method=method, random_state=random_state, **params).fit(corpus)
    seconds = time.perf_counter() - t0
    row = {"k": k}
    for measure in MEASURES:
        row[measure] = model.coherence(measure)
    row["diversity"] = model.diversity()
    row["perplexity"] = model.perplexity() if method == "lda" else np.nan
    # how the corpus is shared out: one catch-all topic holding most of it is a sign of too few k
    row["largest_share"] = float(model.doc_topics_.mean(axis=0).max())
    row["seconds"] = seconds
    return row


# The corpus handed to forked workers without pickling it (set just before the pool starts).
_WORKER_CORPUS = None


def _sweep_worker(args):
    k, method, random_state, params = args
    return _fit_and_score(_WORKER_CORPUS, k, method, random_state, params)


def _stability_worker(args):
    k, method, seed, params, topn = args
    model = TopicModel(k, method=method, random_state=seed, **params).fit(_WORKER_CORPUS)
    return _run_summary(model, topn)


def _run_summary(model: TopicModel, topn: int) -> dict:
    return {"top": model._top_ids(topn), "labels": model.topic_labels().to_numpy(),
            "shares": model.doc_topics_.mean(axis=0), "dominant": np.bincount(model.doc_topics_.argmax(axis=1),
                                                                                minlength=model.n_topics)}


def _one_blas_thread() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _map_jobs(fn, jobs: list, n_jobs: int, corpus) -> list:
    """``[fn(job) for job in jobs]``, in forked worker processes when ``n_jobs > 1``."""
    global _WORKER_CORPUS
    n_jobs = min(check_n_jobs(n_jobs), len(jobs))
    _WORKER_CORPUS = corpus
    try:
        if n_jobs <= 1:
            return [fn(job) for job in jobs]
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # fork shares the corpus with the workers without pickling it and needs no __main__ guard,
        # so it works from a script and a Jupyter kernel alike
        if "fork" not in mp.get_all_start_methods():
            return [fn(job) for job in jobs]
        # each worker fits on one core: BLAS threads of their own would compete for the same cores
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context("fork"),
                                 initializer=_one_blas_thread) as pool:
            return list(pool.map(fn, jobs))
    finally:
        _WORKER_CORPUS = None


def topic_sweep(corpus, ks: Iterable[int], *, method: str = "lda", random_state: int = 0, n_jobs: int = 1,
                **params) -> pd.DataFrame:
    """Fit one model per number of topics and score each, to choose ``k``.

    No single score decides ``k``: coherence (how often a topic's top terms occur together
    in the corpus) tends to favour few broad topics or many narrow ones depending on the
    measure, and diversity (share of distinct top terms) falls when topics start to repeat
    each other. Look for a ``k`` where coherence is high *and* diversity has not dropped;
    :func:`corpus_tools.plot.topic_sweep` draws them together.

    Parameters
    ----------
    corpus : Corpus
    ks : iterable of int
        Numbers of topics, each at least 2.
    method : {"lda", "nmf"}
    random_state : int
        Seed of every model (the same for each ``k``).
    n_jobs : int
        Worker processes, one ``k`` each (``-1``: one per core). The table is the same as
        with ``n_jobs=1`` (except ``seconds``).
    **params
        Other :class:`TopicModel` settings (``passes``, ``iterations``, ``alpha``, ...).

    Returns
    -------
    DataFrame
        One row per ``k`` (in the order given): ``k``, ``c_v``, ``c_npmi``, ``u_mass`` (mean
        coherence over topics, top 10 terms), ``diversity`` (top 25 terms), ``perplexity``
        (LDA per-word bound on the fitted corpus; NaN for NMF), ``largest_share`` (the mean
        share of the largest topic over the documents: near 1, one catch-all topic), ``seconds``
        (fitting time).

    Raises
    ------
    ValueError
        ``ks`` is empty or holds a number below 2 or above the number of documents.

    Examples
    --------
    >>> sweep = ct.topic_sweep(corpus, [5, 10, 15, 20], n_jobs=2)   # doctest: +SKIP
    >>> ct.plot.topic_sweep(sweep)                                 # doctest: +SKIP
    """
    _check_corpus(corpus, "topic_sweep")
    check_option("method", method, METHODS)
    ks = _check_ks(ks, corpus)
    for name in ("n_topics", "method", "random_state"):
        if name in params:
            raise TypeError(f"topic_sweep() sets `{name}` itself; pass ks=, method= and random_state= instead.")
    # check the settings once, before starting workers
    TopicModel(ks[0], method=method, random_state=random_state, **params)._settings()
    rows = _map_jobs(_sweep_worker, [(k, method, random_state, params) for k in ks], n_jobs, corpus)
    return pd.DataFrame(rows, columns=["k", *MEASURES, "diversity", "perplexity", "largest_share", "seconds"])


def topic_stability(corpus, k: int, *, seeds: Sequence[int] = (0, 1, 2, 3, 4), method: str = "lda", topn: int = 10,
                    n_jobs: int = 1, **params) -> pd.DataFrame:
    """How much each topic survives refitting with other seeds.

    One model is fitted per seed. The topics of every later run are matched one-to-one to
    those of the first run (Hungarian matching, ``scipy.optimize.linear_sum_assignment``)
    by the Jaccard overlap of their ``topn`` top terms. A topic whose top terms come back in
    every run is a property of the corpus; one that changes with the seed is not.

    Parameters
    ----------
    corpus : Corpus
    k : int
        Number of topics.
    seeds : sequence of int
        At least two distinct seeds; the first run is the reference.
    method : {"lda", "nmf"}
    topn : int
        Top terms compared.
    n_jobs : int
        Worker processes, one seed each; the result does not depend on it.
    **params
        Other :class:`TopicModel` settings.

    Returns
    -------
    DataFrame
        One row per topic of the first run: ``topic``, ``label``, ``stability`` (mean
        Jaccard similarity of its matches in the other runs, 0..1), ``min_similarity``,
        ``share`` (its mean share of the documents in the first run), ``n_docs``
        (documents where it is the dominant topic in the first run); most stable first.
        ``attrs["matches"]``: the long matching table with columns ``seed``, ``topic``
        (of the first run), ``matched_topic`` (of that seed's run), ``matched_label``,
        ``similarity``.

    Raises
    ------
    ValueError
        Fewer than two or repeated seeds, or a bad ``k``.

    Examples
    --------
    >>> stab = ct.topic_stability(corpus, 20, seeds=range(5))   # doctest: +SKIP
    >>> stab[["label", "stability"]].head()                     # doctest: +SKIP
    """
    _check_corpus(corpus, "topic_stability")
    check_option("method", method, METHODS)
    (k,) = _check_ks([k], corpus)
    check_positive_int("topn", topn)
    seeds = list(seeds)
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"`seeds` must hold at least two distinct seeds; got {seeds!r}.")
    TopicModel(k, method=method, random_state=seeds[0], **params)._settings()
    runs = _map_jobs(_stability_worker, [(k, method, s, params, topn) for s in seeds], n_jobs, corpus)
    ref = runs[0]
    matches = []
    sims = np.zeros((len(seeds) - 1, k))
    for r, (seed, run) in enumerate(zip(seeds[1:], runs[1:])):
        cols, sims[r] = match_topics(ref["top"], run["top"])
        matches.extend({"seed": seed, "topic": i, "matched_topic": int(j), "matched_label": run["labels"][j],
                        "similarity": float(sims[r, i])} for i, j in enumerate(cols))
    frame = pd.DataFrame({
        "topic": np.arange(k), "label": ref["labels"], "stability": sims.mean(axis=0),
        "min_similarity": sims.min(axis=0), "share": ref["shares"], "n_docs": ref["dominant"],
    })
    frame = frame.sort_values(["stability", "topic"], ascending=[False, True], kind="stable").reset_index(drop=True)
    frame.attrs["matches"] = pd.DataFrame(matches, columns=["seed", "topic", "matched_topic", "matched_label",
                                                            "similarity"])
    frame.attrs.update({"seeds": seeds, "topn": topn, "k": k})
    return frame


def match_topics(reference, other) -> tuple[np.ndarray, np.ndarray]:
    """Match the topics of two runs one-to-one by the Jaccard overlap of their top terms.

    The Hungarian method (``scipy.optimize.linear_sum_assignment``) maximises the total
    overlap, so a topic is not taken by a greedy earlier match that fits it less well.

    Parameters
    ----------
    reference, other : sequences of n_topics collections of terms (or term ids)

    Returns
    -------
    matched : int array, for each reference topic the topic of ``other`` matched to it
    similarity : float array, the Jaccard overlap of each matched pair

    Examples
    --------
    >>> match_topics([["oil", "opec"], ["bank", "rate"]], [["rate", "bank"], ["oil", "gas"]])
    (array([1, 0]), array([0.33333333, 1.        ]))
    """
    from scipy.optimize import linear_sum_assignment

    ref_sets = [set(np.asarray(t).tolist()) for t in reference]
    other_sets = [set(np.asarray(t).tolist()) for t in other]
    if len(ref_sets) != len(other_sets):
        raise ValueError(f"both runs must have the same number of topics; got {len(ref_sets)} and {len(other_sets)}.")
    jac = np.array([[len(a & b) / len(a | b) if a | b else 1.0 for b in other_sets] for a in ref_sets])
    rows, cols = linear_sum_assignment(jac, maximize=True)
    matched = np.empty(len(ref_sets), dtype=np.int64)
    matched[rows] = cols
    return matched, jac[np.arange(len(ref_sets)), matched]


# ---------------------------------------------------------------------- helpers


def _check_ks(ks, corpus) -> list[int]:
    ks = [ks] if isinstance(ks, (int, np.integer)) else list(ks)
    if not ks:
        raise ValueError("`ks` is empty; give the numbers of topics to try, e.g. range(5, 31, 5).")
    for k in ks:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
            raise ValueError(f"every number of topics must be an integer of at least 2; got {k!r}.")
        if k > corpus.n_docs:
            raise ValueError(f"n_topics={k} is more than the {corpus.n_docs} documents of the corpus; "
                             "choose at most as many topics as documents.")
    return [int(k) for k in ks]


__all__ = ["match_topics", "topic_stability", "topic_sweep"]
