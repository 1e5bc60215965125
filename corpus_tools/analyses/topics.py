"""Topic models: fit, choose the number of topics, inspect, follow over time, check stability.

:class:`TopicModel` wraps gensim's ``LdaModel`` (``LdaMulticore`` with ``workers > 1``) and
``Nmf`` behind a scikit-learn style estimator that reads a :class:`~corpus_tools.Corpus`
directly (its document-term matrix; nothing is tokenised again). Choosing the number of
topics and checking their stability across seeds live in
:mod:`corpus_tools.analyses.topic_selection`.

gensim's LDA E-step (each document's topic shares given the topics) runs vectorised
(:mod:`corpus_tools.analyses._lda_estep`: the same updates and stopping rule, many documents at
once) wherever documents are inferred: ``doc_topics``, ``transform``, ``perplexity``, and the
fit of a large corpus (see :class:`TopicModel`, "Large corpora"). A
:class:`~corpus_tools.ShardedCorpus` is fitted and inferred as map-reduce over its shards
(:mod:`corpus_tools.analyses._topic_shards`), with the results of the same documents in one
Corpus, to the bit (see :class:`TopicModel`, "Sharded corpora").

Reproducibility: fitting, document inference (``doc_topics``, ``transform``, ``perplexity``)
and coherence all start from ``random_state``, so the same corpus, parameters and seed give
identical tables in any process and under any ``PYTHONHASHSEED``. gensim's ``LdaMulticore``
(``workers > 1``) is the exception: the order in which its worker processes return their
updates varies from run to run.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import __version__
from .._threads import blas_threads_for
from ..errors import NotFittedError, check_option, check_positive_int
from ._mapreduce import Plan, is_sharded, run
from ._nnls import nnls_rows
from .frequencies import group_documents, warn_left_out
from .periods import assign_periods

METHODS = ("lda", "nmf")
MEASURES = ("c_v", "c_npmi", "u_mass")
MDS = ("pcoa", "mmds", "tsne")

# Settings of gensim's LdaModel chosen by measurement (benchmarks/bench_topics.py, see
# benchmarks/RESULTS.md "Topic models"): batch variational EM (one chunk holding every
# document, each pass replacing the topics rather than blending them in with a decaying step)
# with sparse priors; small online chunks and gensim's tutorial settings (online updates,
# alpha=1/k) stay far below. Starting from NMF topics (init="nmf") instead of gensim's nearly
# uniform random ones gives clearly more coherent topics (c_v, c_npmi). From there the c_v of
# the top terms falls slowly with every further pass while the likelihood bound still rises;
# 3 passes keep most of the coherence in a fifth of the time of the 20 passes a random start
# needs. Where the likelihood matters more than readable topics, more passes fit it better.
LDA_DEFAULTS = {"passes": 3, "iterations": 50, "alpha": 0.1, "eta": 0.05, "chunksize": None, "init": "nmf"}
LDA_RANDOM_START_PASSES = 20
NMF_DEFAULTS = {"passes": 20, "iterations": 50, "alpha": None, "eta": None, "chunksize": None, "init": None}
INITS = ("nmf", "random")
# Corpora of at least this many documents are fitted by the streamed path (see TopicModel):
# gensim's LdaModel.update loops over documents in Python and reads each one as a list of
# tuples, about 10 minutes per pass over a million news articles; below this size that loop
# takes seconds and is kept, so that the model is exactly gensim's own.
STREAMED_MIN_DOCS = 50_000
# documents factorised for the NMF start on the streamed path: on 1M articles a start from
# 200,000 gave more coherent topics than one from 50,000 (c_v 0.681 against 0.627, seed 0), and on
# 100,000 articles one from 50,000 more than one from 5,000 (0.701 against 0.670, seeds 0-2)
NMF_START_SAMPLE = 200_000
# documents per chunk when inferring topic shares (bounds memory on large corpora); NMF solves
# each chunk's documents together
_INFER_CHUNK = 4096
# documents per block of LDA's E-step (model_estep's blocks): each block draws its documents'
# starting points in turn, and a shard draws those of its rows from the same blocks
_INFER_BLOCK = 16_384
_SNIPPET_CHARS = 200
_FORMAT_VERSION = 1


class TopicModel:
    """A topic model of a Corpus (LDA or NMF, by gensim), scikit-learn style.

    ``__init__`` only stores the settings; :meth:`fit` learns from a Corpus and sets the
    attributes ending in ``_``.

    Parameters
    ----------
    n_topics : int
        Number of topics, at least 2 and at most the number of documents.
    method : {"lda", "nmf"}
        ``"lda"``: gensim ``LdaModel`` (variational Bayes); ``"nmf"``: gensim ``Nmf``.
    random_state : int
        Seed of every random step (fitting and document inference).
    passes : int, optional
        Passes over the corpus. Default: LDA 3 from ``init="nmf"``, 20 from
        ``init="random"``; NMF 20.
    iterations : int, optional
        LDA: most variational iterations per document and pass (default 50);
        NMF: most sweeps of the per-document solver, in fitting and when the document
        topics are solved (non-negative least squares against the fitted topics; default 50).
    alpha : float, array of n_topics floats, "symmetric", "asymmetric" or "auto", optional
        LDA document-topic prior (default 0.1 for every topic). Not used by NMF.
    eta : float, "symmetric" or "auto", optional
        LDA topic-term prior (default 0.05). Not used by NMF.
    init : {"nmf", "random"}, optional
        LDA only: where the topics start. ``"nmf"`` (default): from a non-negative
        factorisation of the tf-idf counts (60 multiplicative updates, seeded by
        ``random_state``), as if an earlier pass had found them; the benchmark found these
        topics more coherent (c_v and c_npmi) after 3 passes than gensim's own start after
        20, in a fifth of the time. Further passes raise the likelihood bound (see
        :meth:`perplexity`) but lower the coherence slowly: choose more passes where the
        fit of the likelihood matters more than readable topics. ``"random"``: gensim's
        own start (nearly uniform topics drawn from ``random_state``), i.e. a plain
        ``LdaModel(corpus, ...)``.
    chunksize : int, optional
        Documents per update. Default: all documents, i.e. batch variational EM (each pass
        replaces the topics), which the benchmark found far more coherent than gensim's
        online updates over small chunks. A smaller chunk uses gensim's online updates
        (decay 0.5). Memory does not depend on it on a large corpus, whose documents are read
        in blocks whatever the chunk.
    workers : int, optional
        ``None`` or 1: single-process ``LdaModel`` (reproducible). More than 1: gensim
        ``LdaMulticore`` with that many worker processes, which share the chunks of each pass
        between them, so it only helps with a ``chunksize`` smaller than the corpus. It is
        **not reproducible**: with several chunks, two runs with the same seed give different
        topics (tested; a warning says so). It always uses gensim's own loop over documents,
        even on a large corpus.

    Attributes
    ----------
    model_ : gensim LdaModel, LdaMulticore or Nmf
    dictionary_ : gensim Dictionary (ids are the corpus's term ids)
    vocab_ : pd.Index, the terms of the model
    corpus_ : Corpus or None, the fitted corpus (a reference, not a copy; ``None`` after
        :meth:`load` without ``corpus=``)
    doc_topics_ : ndarray, shape (n_docs, n_topics), topic shares of every document of the
        corpus given to :meth:`fit` (copies left out of the fit included)
    doc_ids_ : pd.Index, the documents of that corpus
    copies_ : pd.Index, the documents left out of the fit as copies (``fit(dedupe=...)``; empty
        without it)
    copy_groups_ : DataFrame or None, the copy groups used (``None`` after :meth:`load`)

    Notes
    -----
    **Large corpora.** A corpus of at least ``STREAMED_MIN_DOCS`` documents (50,000; a module
    constant) is fitted by the same algorithm through another path, because gensim's
    ``LdaModel.update`` loops over documents in Python and reads each as a list of tuples:
    on one million news articles the old fit took about 50 minutes (a 12 s NMF update 60 times,
    then about 10 minutes per pass). On the large path

    - the NMF start factorises ``NMF_START_SAMPLE`` (200,000) documents drawn with
      ``random_state`` (all terms; idf and token totals from every document) in float32;
    - the E-step of each pass is :func:`~corpus_tools.analyses._lda_estep.estep`: gensim's
      updates and stopping rule for blocks of documents of similar length, read straight from
      the document-term matrix (its memory bounded by the block), then gensim's own
      M-step (``do_mstep``), so ``model_`` is an ordinary gensim ``LdaModel``; the defaults
      (batch EM, 3 passes) and the meaning of ``chunksize`` are unchanged.

    Measured (``benchmarks/bench_topics.py --million``, RESULTS.md "Topic models at one million
    articles"): on one million news articles (90M tokens) ``TopicModel(20).fit`` with every
    document's topics took 4.3 minutes on a 2-core machine shared with other work (gensim's own
    loop: about 50 minutes), with c_v 0.681 against tomotopy's 0.658 after 10 minutes of training
    (one seed each). On the Lee and Reuters corpora (below the threshold) the topics are exactly
    gensim's, as before. The vectorised E-step gives gensim's results up to float32 rounding
    (tested against gensim's ``inference``; document shares within about 1e-3) and was about 6
    times faster on Reuters, so document topics and :meth:`perplexity` use it at every size.

    **Sharded corpora.** ``fit`` and ``transform`` also take a
    :class:`~corpus_tools.ShardedCorpus` and do their document work where the shards lie (on its
    Dask cluster, else shard after shard here). Each document's inference depends on its own row
    and starting point alone, so the shares are those of the same documents in one Corpus to the
    last bit, wherever the shard boundaries fall. A sharded fit always takes the large-corpus path
    above (LDA only): it equals the fit of the same documents in one Corpus of at least
    ``STREAMED_MIN_DOCS`` documents, to the bit (see :meth:`fit`).

    Examples
    --------
    >>> model = TopicModel(20, random_state=0).fit(corpus)          # doctest: +SKIP
    >>> model.top_terms(5).head(3)                                   # doctest: +SKIP
       topic  rank   term    weight
    0      0     0    oil  0.061...
    >>> model.topic_labels()[0]                                      # doctest: +SKIP
    'oil · crude · opec'
    """

    def __init__(self, n_topics: int = 10, *, method: str = "lda", random_state: int | None = 0,
                 passes: int | None = None, iterations: int | None = None, alpha=None, eta=None,
                 init: str | None = None, chunksize: int | None = None, workers: int | None = None):
        self.n_topics = n_topics
        self.method = method
        self.random_state = random_state
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.init = init
        self.chunksize = chunksize
        self.workers = workers

    # ------------------------------------------------------------------ settings
    def get_params(self) -> dict:
        """The constructor arguments as a dict (``None`` where the default applies)."""
        return {name: getattr(self, name) for name in
                ("n_topics", "method", "random_state", "passes", "iterations", "alpha", "eta", "init",
                 "chunksize", "workers")}

    def _settings(self) -> dict:
        """The arguments with defaults filled in, checked."""
        k = self.n_topics
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
            raise ValueError(f"`n_topics` must be an integer of at least 2; got {k!r}.")
        check_option("method", self.method, METHODS)
        rs = self.random_state
        if rs is not None and (isinstance(rs, bool) or not isinstance(rs, (int, np.integer)) or rs < 0):
            raise ValueError(f"`random_state` must be a non-negative integer (or None); got {rs!r}.")
        defaults = LDA_DEFAULTS if self.method == "lda" else NMF_DEFAULTS
        out = {name: defaults[name] if getattr(self, name) is None else getattr(self, name) for name in defaults}
        if self.method == "lda":
            check_option("init", out["init"], INITS)
            if out["init"] == "random" and self.passes is None:
                out["passes"] = LDA_RANDOM_START_PASSES
        for name in ("passes", "iterations", "chunksize"):
            if out[name] is not None:
                check_positive_int(name, out[name])
        w = check_positive_int("workers", self.workers, allow_none=True)
        if self.method == "nmf":
            for name in ("alpha", "eta"):
                if getattr(self, name) is not None:
                    raise ValueError(f"`{name}` is a prior of LDA; method='nmf' does not use it (leave it None).")
            if self.init is not None:
                raise ValueError("`init` chooses the starting topics of LDA; method='nmf' does not use it "
                                 "(leave it None).")
            if w not in (None, 1):
                raise ValueError("`workers` applies to method='lda' only; gensim's Nmf runs in one process.")
        elif w not in (None, 1) and "auto" in (out["alpha"], out["eta"]):
            raise ValueError("alpha='auto' and eta='auto' need workers=None: gensim's LdaMulticore cannot learn "
                             "the priors; give fixed priors or drop workers.")
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={v!r}" for n, v in self.get_params().items() if n == "n_topics" or v is not None)
        return f"TopicModel({args})"

    # ------------------------------------------------------------------ fitting
    def fit(self, corpus, *, dedupe=None) -> TopicModel:
        """Learn the topics of ``corpus``.

        Parameters
        ----------
        corpus : Corpus or ShardedCorpus
            Its document-term matrix is the model's input; its vocabulary, the model's terms.
            A :class:`~corpus_tools.ShardedCorpus` is fitted by the streamed path of large
            corpora (class notes), as map-reduce over its shards: the NMF start factorises the
            rows the single-machine start draws (``NMF_START_SAMPLE`` of them, or all), gathered
            from the shards; in each chunk's E-step every shard infers its rows and adds up the
            M-step's statistics of its blocks of 16,384 rows, and the client adds those up and
            takes the M-step. Starting points, per-document results and the order of every
            addition are those of one machine, so the model equals, to the bit, the fit of the
            same documents in one Corpus when that takes the streamed path (always from
            ``STREAMED_MIN_DOCS`` documents; below it, the in-memory fit is gensim's own loop,
            which the sharded fit equals only up to float32 rounding). LDA only, without
            ``workers`` or ``dedupe``. The model reads its sharded corpus for :meth:`topic_trends`
            and :meth:`representative_docs` (the texts are read back from the shards);
            :meth:`coherence`, :meth:`perplexity` and the topic map need the tokens in memory and
            say how to attach them.
        dedupe : None, False, True or DataFrame
            Leave copies out of the fit (syndicated articles would otherwise weigh as many times
            as they were printed). ``True``: the groups of :func:`corpus_tools.near_duplicates`
            at its defaults; a DataFrame: groups found before (its output, perhaps filtered).
            The earliest member of each group is fitted; the others are listed in ``copies_``.
            Every document still gets its topic shares (:meth:`doc_topics`,
            :meth:`dominant_topic`: the copies inferred from the fitted topics), while the
            summaries of the corpus count each article once: :meth:`topic_trends`,
            :meth:`representative_docs`, :meth:`coherence`, :meth:`perplexity` and the topic
            map read the fitted documents only.

        Returns
        -------
        TopicModel
            ``self``, fitted.

        Raises
        ------
        TypeError
            ``corpus`` is not a Corpus, or ``dedupe`` is none of the above.
        ValueError
            Fewer than 2 topics, more topics than documents, an empty corpus, or a bad setting;
            on a sharded corpus, ``method="nmf"``, ``workers`` or ``dedupe``.

        Examples
        --------
        >>> model = TopicModel(2, random_state=0).fit(corpus)  # doctest: +SKIP
        >>> model = TopicModel(2, random_state=0).fit(corpus, dedupe=True)  # doctest: +SKIP
        >>> model.copies_  # doctest: +SKIP
        Index(['d07'], dtype='object', name='doc_id')
        >>> sharded = ct.ShardedCorpus.open("data/news-shards", client=client)  # doctest: +SKIP
        >>> model = TopicModel(20, random_state=0).fit(sharded)  # doctest: +SKIP
        """
        settings = self._settings()
        if is_sharded(corpus):
            return self._fit_sharded(corpus, settings, dedupe)
        _check_corpus(corpus, "TopicModel.fit")
        from ._dedupe import without_copies

        fitted, copy_groups = without_copies(corpus, dedupe)
        if fitted.n_docs == 0:
            raise ValueError("the corpus is empty: it has no documents to fit topics to.")
        if fitted.n_tokens == 0 or fitted.dtm.nnz == 0:
            raise ValueError(f"the corpus is empty: its {fitted.n_docs} documents have no tokens left "
                             "(check the stopwords and frequency limits of Corpus.from_docs).")
        if self.n_topics > fitted.n_docs:
            left = "" if fitted.n_docs == corpus.n_docs else " left after dropping copies"
            raise ValueError(f"n_topics={self.n_topics} is more than the {fitted.n_docs} documents of the "
                             f"corpus{left}; choose at most as many topics as documents.")
        dictionary, _ = fitted.to_gensim()
        self.model_ = self._fit_gensim(fitted, settings, dictionary)
        self.dictionary_ = dictionary
        self.vocab_ = corpus.vocab
        self.corpus_ = corpus
        self.doc_ids_ = corpus.docs.index
        self.copy_groups_ = copy_groups
        self.copies_ = (corpus.docs.index[:0] if fitted is corpus
                        else corpus.docs.index[~corpus.docs.index.isin(fitted.docs.index)])
        self._fitted_corpus_cache = fitted
        # every document gets its shares, the copies too (from the topics the others gave)
        self.doc_topics_ = self._infer(corpus.dtm)
        if corpus.n_docs >= STREAMED_MIN_DOCS:
            # passes over a large corpus leave its mapped pages and the E-step threads' freed
            # heap counted in this process's memory: hand both back (see corpus_tools._memory)
            from .._memory import give_back_memory

            corpus.release_pages()
            give_back_memory()
        return self

    def _chunks(self, settings: dict, n_docs: int) -> tuple[int, float]:
        """Documents per update, and gensim's ``decay`` for them."""
        chunksize = min(settings["chunksize"] or n_docs, n_docs)
        # one chunk of every document: plain batch EM, each pass's M-step taken whole (step 1)
        return int(chunksize), 0.0 if chunksize >= n_docs else 0.5

    def _lda_settings(self, settings: dict, dictionary, n_docs: int) -> dict:
        """The arguments of gensim's ``LdaModel``."""
        chunksize, decay = self._chunks(settings, n_docs)
        return dict(num_topics=int(self.n_topics), id2word=dictionary, chunksize=chunksize,
                    passes=int(settings["passes"]), iterations=int(settings["iterations"]),
                    alpha=settings["alpha"], eta=settings["eta"], decay=decay, eval_every=None,
                    random_state=self.random_state)

    def _fit_sharded(self, corpus, settings: dict, dedupe) -> TopicModel:
        """:meth:`fit` of a corpus held as shards: the streamed fit, its document work done on the shards."""
        from gensim.models import LdaModel

        from ._lda_estep import SSTATS_BLOCK, train_chunks
        from ._mapreduce import refuse_sharded
        from ..corpus import gensim_dictionary
        from ._topic_shards import ShardedEstep, nmf_start

        if self.method != "lda":
            refuse_sharded(corpus, "method='nmf'", "gensim's Nmf reads every document in one process. Fit it on "
                           "a Corpus in memory (sharded.to_corpus(), or some of the shards: sharded.shard(i)), "
                           "then infer every document with model.transform(sharded); or fit method='lda'.")
        if self.workers not in (None, 1):
            refuse_sharded(corpus, "workers > 1", "the shards are already inferred in parallel on the cluster; "
                           "leave workers=None.")
        if dedupe is not None and dedupe is not False:
            refuse_sharded(corpus, "dedupe", "drop the copies before building the shards (the groups of "
                           "ct.near_duplicates), then fit without dedupe.")
        if corpus.n_tokens == 0:
            raise ValueError(f"the corpus is empty: its {corpus.n_docs} documents have no tokens left "
                             "(check the stopwords and frequency limits of the build).")
        if self.n_topics > corpus.n_docs:
            raise ValueError(f"n_topics={self.n_topics} is more than the {corpus.n_docs} documents of the corpus; "
                             "choose at most as many topics as documents.")
        vocab = gensim_dictionary(corpus)
        common = self._lda_settings(settings, vocab, corpus.n_docs)
        model = LdaModel(**common)
        with blas_threads_for(0):
            if settings["init"] == "nmf":
                model.state.sstats[...] = nmf_start(corpus, int(self.n_topics), self.random_state, NMF_START_SAMPLE)
                model.sync_state()
            train_chunks(model, corpus.n_docs, ShardedEstep(corpus, model, SSTATS_BLOCK),
                         passes=common["passes"], chunksize=common["chunksize"], decay=common["decay"])
        self.model_ = model
        self.dictionary_ = vocab
        self.vocab_ = corpus.vocab
        self.corpus_ = corpus
        self.doc_ids_ = corpus.docs.index
        self.copy_groups_ = None
        self.copies_ = corpus.docs.index[:0]
        self._fitted_corpus_cache = corpus
        self.doc_topics_ = self.transform(corpus).to_numpy()
        return self

    def _fit_gensim(self, corpus, settings: dict, dictionary):
        """The gensim model, trained on the documents of ``corpus``.

        gensim works document by document or chunk by chunk: many small products, where a second
        spinning BLAS thread only slows a busy machine down, so its training runs on one.
        """
        bow = _BowRows(corpus.dtm)
        chunksize, decay = self._chunks(settings, corpus.n_docs)
        if self.method == "lda":
            from gensim.models import LdaModel, LdaMulticore

            common = self._lda_settings(settings, dictionary, corpus.n_docs)
            if self.workers not in (None, 1):
                warnings.warn("workers > 1 uses gensim's LdaMulticore, whose results differ from run to run even "
                              "with the same random_state; use workers=None for reproducible topics.", stacklevel=3)
                model = LdaMulticore(workers=int(self.workers), **common)
            else:
                model = LdaModel(**common)
            large = corpus.n_docs >= STREAMED_MIN_DOCS
            streamed = large and self.workers in (None, 1)
            # built without a corpus, the model holds gensim's random start; update() then trains
            # it exactly as LdaModel(corpus, ...) would, from this start or from the NMF topics
            if settings["init"] == "nmf":
                from ._topic_init import nmf_start

                model.state.sstats[...] = nmf_start(corpus.dtm, int(self.n_topics), self.random_state,
                                                    sample=NMF_START_SAMPLE if large else None)
                model.sync_state()
            if streamed:
                from ._lda_estep import streamed_update

                with blas_threads_for(0):
                    streamed_update(model, corpus.dtm, passes=int(settings["passes"]), chunksize=int(chunksize),
                                    decay=decay)
            else:
                # gensim warns "too few updates, training might not converge" below 10 updates,
                # a rule made for its random start; the few passes from the NMF start are chosen
                nmf = settings["init"] == "nmf"
                with _without_gensim_log("too few updates") if nmf else contextlib.nullcontext(), blas_threads_for(0):
                    model.update(bow)
        else:
            from gensim.models.nmf import Nmf

            with blas_threads_for(0):
                model = Nmf(bow, num_topics=int(self.n_topics), id2word=dictionary, chunksize=int(chunksize),
                            passes=int(settings["passes"]), h_max_iter=int(settings["iterations"]),
                            eval_every=None, normalize=True, random_state=self.random_state)
        return model

    def _check_fitted(self, what: str) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(f"this TopicModel is not fitted yet; call fit(corpus) before {what}().")

    def _check_corpus_attached(self, what: str):
        self._check_fitted(what)
        if self.corpus_ is None:
            raise ValueError(f"{what}() needs the documents, but this model was loaded without its corpus; "
                             "use TopicModel.load(path, corpus=corpus).")
        return self.corpus_

    def _fitted_rows(self) -> np.ndarray:
        """Positions in ``doc_ids_`` of the documents fitted (all but the ``copies_``)."""
        return np.flatnonzero(~self.doc_ids_.isin(self.copies_))

    def _fitted_corpus(self, what: str):
        """The attached corpus without the copies left out of the fit."""
        corpus = self._check_corpus_attached(what)
        if len(self.copies_) == 0:
            return corpus
        cached = getattr(self, "_fitted_corpus_cache", None)
        if cached is None or cached.n_docs != corpus.n_docs - len(self.copies_):
            cached = self._fitted_corpus_cache = corpus.select(~corpus.docs.index.isin(self.copies_))
        return cached

    def _tokens_in_memory(self, what: str):
        """The fitted corpus, which must hold its tokens in memory (not shards)."""
        corpus = self._fitted_corpus(what)
        if is_sharded(corpus):
            raise ValueError(f"{what}() reads every document's tokens in memory, and this model was fitted on a "
                             "corpus held as shards. For a corpus that fits in memory, attach it whole: "
                             "model.save(path), then TopicModel.load(path, corpus=sharded.to_corpus()).")
        return corpus

    def _fitted_doc_topics(self) -> np.ndarray:
        """Rows of ``doc_topics_`` of the fitted documents (each article once)."""
        return self.doc_topics_ if len(self.copies_) == 0 else self.doc_topics_[self._fitted_rows()]

    # ------------------------------------------------------------------ inference
    def _inference(self) -> SimpleNamespace:
        """What inferring documents needs of the fitted model, without its corpus (to send to shards)."""
        model = self.model_
        k = int(self.n_topics)
        seed = self.random_state
        if seed is None:
            # drawn once, so that every shard starts from the same stream
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        if self.method == "lda":
            # what model_estep reads of a gensim LdaModel
            estep = SimpleNamespace(num_topics=k, expElogbeta=model.expElogbeta, alpha=model.alpha,
                                    iterations=model.iterations, gamma_threshold=model.gamma_threshold)
            return SimpleNamespace(method="lda", k=k, seed=seed, estep=estep, block=_INFER_BLOCK)
        W = np.ascontiguousarray(model.get_topics(normalize=False).T, dtype=np.float64)
        # computed once here: every shard then solves against the very same numbers
        WtW = W.T @ W
        return SimpleNamespace(method="nmf", k=k, W=W, WtW=WtW, iterations=int(self._settings()["iterations"]),
                               block=_INFER_CHUNK)

    def _infer(self, dtm: sp.csr_matrix) -> np.ndarray:
        """Topic shares of the rows of ``dtm`` (columns = model term ids); rows sum to 1."""
        return _infer_rows(self._inference(), dtm, 0, dtm.shape[0])

    def _map_to_model(self, corpus) -> tuple[sp.csr_matrix, int]:
        """``corpus.dtm`` with its columns moved onto the model's terms (by term string)."""
        return _mapped(corpus.dtm, self._model_columns(corpus), len(self.vocab_))

    def _model_columns(self, corpus) -> np.ndarray | None:
        """The model's term id of each term of ``corpus`` (-1: unknown); None when the vocabularies are equal."""
        if corpus.vocab.equals(self.vocab_):
            # the same terms in the same order: nothing to move (and no copy of a large matrix)
            return None
        return self.vocab_.get_indexer(corpus.vocab)

    def transform(self, corpus) -> pd.DataFrame:
        """Topic shares of other (unseen) documents.

        Terms are matched to the model's by their string; terms the model does not know are
        ignored, and a document with no known term gets equal shares.

        Parameters
        ----------
        corpus : Corpus or ShardedCorpus
            Built like the fitted corpus (same options), so that its terms look the same. The
            shards of a sharded corpus are inferred where they lie; the shares equal those of
            the same documents in one Corpus exactly.

        Returns
        -------
        DataFrame
            Index ``doc_id`` (the documents of ``corpus``), one column per topic (0 ..
            n_topics - 1); rows sum to 1. ``attrs["unknown_tokens"]``: tokens ignored.

        Examples
        --------
        >>> model.transform(ct.Corpus.from_docs(new_docs))  # doctest: +SKIP
        """
        return run(corpus, _transform_prepare, _transform_parts, _transform_combine, _transform_finish, self)

    def perplexity(self, corpus=None) -> float:
        """Per-word perplexity bound of LDA on ``corpus`` (default: the fitted corpus).

        ``exp(-ELBO / tokens)``: gensim's variational lower bound of the log likelihood, per
        token, so an upper bound of the perplexity (lower is better). On the fitted corpus it
        measures fit, not generalisation; pass held-out documents for that.

        Raises
        ------
        ValueError
            For NMF (no likelihood), or when the corpus has no tokens the model knows.
        """
        self._check_fitted("perplexity")
        if self.method != "lda":
            raise ValueError("perplexity is defined for method='lda' only; NMF has no likelihood.")
        if corpus is None:
            dtm = self._tokens_in_memory("perplexity").dtm
        else:
            _check_corpus(corpus, "TopicModel.perplexity")
            dtm, _ = self._map_to_model(corpus)
        n_words = float(dtm.sum())
        if n_words == 0:
            raise ValueError("perplexity needs tokens the model knows; this corpus has none.")
        from ._lda_estep import bound, model_estep

        # gensim's bound infers each document in turn, drawing its start from model.random_state;
        # model_estep draws the same numbers for all documents at once
        self.model_.random_state = np.random.RandomState(self.random_state)
        with blas_threads_for(0):
            gamma, _ = model_estep(self.model_, dtm)
            return float(np.exp(-bound(self.model_, dtm, gamma) / n_words))

    # ------------------------------------------------------------------ topics
    def topic_term_matrix(self) -> np.ndarray:
        """p(term | topic) as an array of shape (n_topics, n_terms); rows sum to 1."""
        self._check_fitted("topic_term_matrix")
        topics = np.asarray(self.model_.get_topics(), dtype=np.float64)
        sums = topics.sum(axis=1, keepdims=True)
        return np.divide(topics, sums, out=np.zeros_like(topics), where=sums > 0)

    def _top_ids(self, n: int) -> np.ndarray:
        """Term ids of each topic's ``n`` heaviest terms, shape (n_topics, n); ties by term order."""
        topics = self.topic_term_matrix()
        n = min(n, topics.shape[1])
        order = np.lexsort((np.broadcast_to(np.arange(topics.shape[1]), topics.shape), -topics), axis=1)
        return order[:, :n]

    def top_terms(self, n: int = 10) -> pd.DataFrame:
        """The heaviest terms of every topic.

        Parameters
        ----------
        n : int
            Terms per topic (fewer when the vocabulary is smaller).

        Returns
        -------
        DataFrame
            Columns ``topic`` (0 .. n_topics - 1), ``rank`` (0 = heaviest), ``term``,
            ``weight`` (p(term | topic)); ties are broken by term order.

        Examples
        --------
        >>> model.top_terms(3)  # doctest: +SKIP
           topic  rank    term    weight
        0      0     0   match  0.081...
        """
        self._check_fitted("top_terms")
        check_positive_int("n", n)
        top = self._top_ids(n)
        weights = np.take_along_axis(self.topic_term_matrix(), top, axis=1)
        k, m = top.shape
        return pd.DataFrame({
            "topic": np.repeat(np.arange(k), m),
            "rank": np.tile(np.arange(m), k),
            "term": np.asarray(self.vocab_, dtype=object)[top.ravel()],
            "weight": weights.ravel(),
        })

    def topic_labels(self, n: int = 3) -> pd.Series:
        """A short name for every topic: its ``n`` top terms joined by " · ".

        Returns
        -------
        Series
            Index ``topic``, values like ``"oil · crude · opec"``.
        """
        self._check_fitted("topic_labels")
        terms = np.asarray(self.vocab_, dtype=object)[self._top_ids(n)]
        labels = [" · ".join(row) for row in terms]
        return pd.Series(labels, index=pd.RangeIndex(len(labels), name="topic"), name="label", dtype=object)

    def diversity(self, topn: int = 25) -> float:
        """Topic diversity: the share of distinct terms among all topics' ``topn`` top terms.

        1.0 means no two topics share a top term; values near ``1 / n_topics`` mean the
        topics repeat each other (Dieng et al. 2020).
        """
        self._check_fitted("diversity")
        check_positive_int("topn", topn)
        top = self._top_ids(topn)
        return float(len(np.unique(top)) / top.size)

    def coherence(self, measure: str = "c_v", *, per_topic: bool = False, topn: int = 10):
        """Topic coherence by gensim's ``CoherenceModel`` on the corpus's own token sequences.

        Parameters
        ----------
        measure : {"c_v", "c_npmi", "u_mass"}
            ``c_v`` and ``c_npmi`` count co-occurrence in sliding windows over the documents'
            kept tokens (in one process, so the result is reproducible); ``u_mass`` counts
            co-document frequency.
        per_topic : bool
            Return one value per topic instead of the mean.
        topn : int
            Top terms of each topic that are scored.

        Returns
        -------
        float, or DataFrame with columns ``topic``, ``label``, ``coherence`` when ``per_topic``.

        Examples
        --------
        >>> model.coherence("c_npmi")  # doctest: +SKIP
        0.0412...
        """
        corpus = self._tokens_in_memory("coherence")
        check_option("measure", measure, MEASURES)
        check_positive_int("topn", topn)
        values = _coherence(self, corpus, measure, topn)
        if not per_topic:
            return float(np.mean(values))
        return pd.DataFrame({"topic": np.arange(len(values)), "label": self.topic_labels().to_numpy(),
                             "coherence": np.asarray(values, dtype=float)})

    # ------------------------------------------------------------------ documents
    def _frame(self, shares: np.ndarray, index: pd.Index) -> pd.DataFrame:
        return _shares_frame(shares, index, self.topic_labels().to_dict())

    def doc_topics(self) -> pd.DataFrame:
        """Topic shares of the fitted documents.

        Every topic of every document is present (no minimum probability), so each row sums
        to 1. The shares are inferred once, at fit time, from ``random_state``.

        Returns
        -------
        DataFrame
            Index ``doc_id``, one column per topic (0 .. n_topics - 1);
            ``attrs["labels"]`` maps topics to :meth:`topic_labels`.

        Examples
        --------
        >>> model.doc_topics().round(2).head(2)  # doctest: +SKIP
        topic      0     1
        doc_id
        a       0.97  0.03
        """
        self._check_fitted("doc_topics")
        return self._frame(self.doc_topics_.copy(), self.doc_ids_)

    def dominant_topic(self) -> pd.DataFrame:
        """The topic with the largest share in each document.

        Returns
        -------
        DataFrame
            Columns ``doc_id``, ``topic``, ``share`` (its share of the document), ``label``;
            one row per document, in corpus order (ties go to the lower topic number).
        """
        self._check_fitted("dominant_topic")
        top = self.doc_topics_.argmax(axis=1)
        labels = self.topic_labels().to_numpy()
        return pd.DataFrame({
            "doc_id": np.asarray(self.doc_ids_, dtype=object),
            "topic": top,
            "share": self.doc_topics_[np.arange(len(top)), top],
            "label": labels[top],
        })

    def representative_docs(self, topic: int, n: int = 5) -> pd.DataFrame:
        """The documents in which ``topic`` has the largest share.

        Parameters
        ----------
        topic : int
            A topic number, 0 .. n_topics - 1.
        n : int
            Documents returned.

        Returns
        -------
        DataFrame
            Columns ``doc_id``, ``title`` (empty when the docs have no title column),
            ``share``, ``snippet`` (the first 200 characters of the text, whitespace collapsed),
            largest share first (ties in corpus order).
        """
        corpus = self._fitted_corpus("representative_docs")
        if isinstance(topic, bool) or not isinstance(topic, (int, np.integer)) or not 0 <= topic < self.n_topics:
            raise ValueError(f"`topic` must be a topic number from 0 to {self.n_topics - 1}; got {topic!r}.")
        check_positive_int("n", n)
        shares = self._fitted_doc_topics()[:, topic]
        rows = _largest(shares, n)
        docs = corpus.docs.iloc[rows]
        text_col = corpus.params.get("text", "text")
        if text_col in docs.columns:
            text = docs[text_col]
        elif is_sharded(corpus):  # each shard reads its rows back from its folder
            shard_of = np.searchsorted(corpus.shard_rows, rows, side="right") - 1
            found = [corpus.shard(int(i)).texts(docs.index[shard_of == i]) for i in np.unique(shard_of)]
            text = pd.concat(found).loc[docs.index]
        elif "text_source" in docs.attrs:  # built by Corpus.from_parquet: read these rows back
            text = corpus.texts(docs.index)
        else:
            text = pd.Series("", index=docs.index)
        snippet = text.fillna("").astype(str).str.split().str.join(" ").str.slice(0, _SNIPPET_CHARS)
        title = docs["title"].fillna("").astype(str) if "title" in docs.columns else pd.Series("", index=docs.index)
        return pd.DataFrame({"doc_id": np.asarray(docs.index, dtype=object), "title": title.to_numpy(dtype=object),
                             "share": shares[rows], "snippet": snippet.to_numpy(dtype=object)})

    # ------------------------------------------------------------------ over time
    def topic_trends(self, freq: str = "MS", by: str | None = None) -> pd.DataFrame:
        """Topic prevalence per calendar period: the mean topic share of the period's documents.

        Each period's value is divided by that period's own number of documents (of that
        group), so a busy month does not look like a rise. Every period from the first to the
        last date is present; an empty period has value NaN and ``n_docs`` 0. Partial first or
        last periods are flagged. Undated documents are left out with a warning and counted in
        ``attrs["n_undated"]``.

        Parameters
        ----------
        freq : {"D", "W", "MS", "QS", "YS"}
            Calendar periods (see :func:`corpus_tools.analyses.periods.assign_periods`).
        by : str, optional
            A column of ``docs`` (e.g. ``"source"``): one series per value; a document in several
            ``sections`` counts in each.

        Returns
        -------
        DataFrame
            Columns ``period`` (first day), [the ``by`` column], ``topic``, ``label``,
            ``value`` (mean share, 0..1), ``n_docs`` (documents in the period and group),
            ``partial``; sorted by [group,] period, topic.

        Raises
        ------
        ValueError
            No document has a date, or ``freq`` is unknown.
        KeyError
            ``by`` is not a docs column.

        Examples
        --------
        >>> model.topic_trends("MS").head(2)  # doctest: +SKIP
              period  topic           label  value  n_docs  partial
        0 2021-01-01      0  match · goal ...   0.75       2    False
        """
        corpus = self._fitted_corpus("topic_trends")
        doc_topics = self._fitted_doc_topics()
        periods = assign_periods(corpus.dates, freq)
        doc_period = periods.doc_period
        n_periods, k = len(periods.starts), int(self.n_topics)
        if by is None:
            rows, codes, groups = np.arange(corpus.n_docs), np.zeros(corpus.n_docs, dtype=np.int64), [None]
        else:
            # the same grouping as term_trends: list cells (sections) count in each of their groups
            found = group_documents(corpus, by, allow_freq=False)
            warn_left_out(found, corpus.n_docs, stacklevel=2)
            rows, codes, groups = found.doc_rows, found.codes, list(found.labels)
        periods.warn_undated("topic trends")
        use = doc_period[rows] >= 0
        rows, cell = rows[use], codes[use] * n_periods + doc_period[rows][use]
        n_cells = len(groups) * n_periods
        onehot = sp.csr_matrix((np.ones(len(cell)), (cell, np.arange(len(cell)))), shape=(n_cells, len(cell)))
        sums = np.asarray(onehot @ doc_topics[rows])
        counts = np.bincount(cell, minlength=n_cells)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / counts[:, None]
        means[counts == 0] = np.nan
        labels = self.topic_labels().to_numpy()
        out = {"period": np.repeat(np.tile(periods.starts.to_numpy(), len(groups)), k)}
        if by is not None:
            out[by] = np.repeat(np.asarray(groups, dtype=object), n_periods * k)
        out.update({
            "topic": np.tile(np.arange(k), n_cells),
            "label": np.tile(labels, n_cells),
            "value": means.ravel(),
            "n_docs": np.repeat(counts, k),
            "partial": np.repeat(np.tile(periods.partial, len(groups)), k),
        })
        frame = pd.DataFrame(out)
        frame.attrs.update({"freq": freq, "by": by, "n_undated": periods.n_undated, "n_copies": len(self.copies_)})
        return frame

    # ------------------------------------------------------------------ topic map
    def to_ldavis_data(self, *, R: int = 30, mds: str = "pcoa"):
        """The pyLDAvis prepared data of this model (topic numbers as ours: 0-based, unsorted).

        Parameters
        ----------
        R : int
            Terms shown per topic.
        mds : {"pcoa", "mmds", "tsne"}
            How topic distances are projected to 2-D (all computed locally).

        Returns
        -------
        pyLDAvis.PreparedData
        """
        corpus = self._tokens_in_memory("to_ldavis_data")
        check_option("mds", mds, MDS)
        import pyLDAvis

        term_frequency = corpus._term_totals()[1].astype(float)
        # pyLDAvis reads the documents only for each topic's share of all tokens, the sum of
        # theta_dk x length_d, which it computes in frames as large as the documents (several
        # copies of 1M x k): that sum, given as one document holding every token, is the same
        lengths = corpus.doc_lengths.astype(float)  # the row sums of the matrix
        total = float(lengths.sum())  # a fitted corpus has tokens
        return pyLDAvis.prepare(
            topic_term_dists=self.topic_term_matrix(),
            doc_topic_dists=(self._fitted_doc_topics().T @ lengths / total)[None, :],
            doc_lengths=np.array([total]),
            vocab=list(self.vocab_),
            term_frequency=term_frequency,
            R=R, mds=mds, n_jobs=1, sort_topics=False, start_index=0,
        )

    def to_ldavis_html(self, path: str | os.PathLike, *, R: int = 30, mds: str = "pcoa",
                       title: str = "Topic map") -> Path:
        """Write the pyLDAvis topic map as one HTML file that works offline.

        d3, ldavis.js and the stylesheet are embedded (read from the pyLDAvis package), so the
        file opens with no network, e.g. attached to a report.

        Returns
        -------
        Path
            ``path``.

        Examples
        --------
        >>> model.to_ldavis_html("topics.html")  # doctest: +SKIP
        """
        from ._topic_ldavis import ldavis_html

        path = Path(path)
        html = ldavis_html(self.to_ldavis_data(R=R, mds=mds), title=title)
        path.write_text(html, encoding="utf-8")
        return path

    # ------------------------------------------------------------------ saving
    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted model to a folder: gensim's own files plus JSON metadata.

        The folder holds ``model.gensim*`` (gensim's ``save``), ``topic_model.json``
        (settings, vocabulary, document ids, versions) and ``doc_topics.npy``.

        Returns
        -------
        Path
            The folder.

        Examples
        --------
        >>> model.save("models/reuters-20")  # doctest: +SKIP
        >>> TopicModel.load("models/reuters-20", corpus=corpus)  # doctest: +SKIP
        """
        self._check_fitted("save")
        import gensim

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model_.save(str(path / "model.gensim"))
        np.save(path / "doc_topics.npy", self.doc_topics_, allow_pickle=False)
        params = {n: (v.tolist() if isinstance(v, np.ndarray) else v) for n, v in self.get_params().items()}
        meta = {
            "format": _FORMAT_VERSION, "corpus_tools": __version__, "gensim": gensim.__version__,
            "params": params, "gensim_class": type(self.model_).__name__,
            "vocab": self.vocab_.tolist(), "doc_ids": [str(d) for d in self.doc_ids_],
            "copies": [str(d) for d in self.copies_],
        }
        (path / "topic_model.json").write_text(json.dumps(meta, ensure_ascii=False, default=_json_default))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, *, corpus=None) -> TopicModel:
        """Read a model written by :meth:`save`.

        Parameters
        ----------
        path : str or Path
            The folder.
        corpus : Corpus or ShardedCorpus, optional
            The fitted corpus, for the methods that need the documents (coherence,
            topic_trends, representative_docs, the topic map); it must have the same
            documents and terms. A sharded corpus serves topic_trends and
            representative_docs; ``sharded.to_corpus()`` (all of it in memory) serves all.

        Raises
        ------
        FileNotFoundError
            ``path`` holds no saved model.
        ValueError
            ``corpus`` is not the corpus the model was fitted on.
        """
        path = Path(path)
        meta_path = path / "topic_model.json"
        if not meta_path.exists():
            raise FileNotFoundError(f"{path} does not hold a saved TopicModel (no topic_model.json); "
                                    "write one with model.save(path).")
        meta = json.loads(meta_path.read_text())
        if meta.get("format") != _FORMAT_VERSION:
            raise ValueError(f"{path} was saved in format {meta.get('format')!r}; this version reads {_FORMAT_VERSION}.")
        from gensim.models import LdaModel, LdaMulticore
        from gensim.models.nmf import Nmf

        classes = {"LdaModel": LdaModel, "LdaMulticore": LdaMulticore, "Nmf": Nmf}
        params = dict(meta["params"])
        if isinstance(params.get("alpha"), list):
            params["alpha"] = np.asarray(params["alpha"])
        model = cls(**params)
        model.model_ = classes[meta["gensim_class"]].load(str(path / "model.gensim"))
        model.dictionary_ = model.model_.id2word
        model.vocab_ = pd.Index(meta["vocab"], dtype=object, name="term")
        model.doc_topics_ = np.load(path / "doc_topics.npy", allow_pickle=False)
        model.doc_ids_ = pd.Index(meta["doc_ids"], dtype=object, name="doc_id")
        model.copies_ = pd.Index(meta.get("copies", []), dtype=object, name="doc_id")
        model.copy_groups_ = None
        model.corpus_ = None
        if corpus is not None:
            if not is_sharded(corpus):
                _check_corpus(corpus, "TopicModel.load")
            if [str(d) for d in corpus.docs.index] != meta["doc_ids"] or not corpus.vocab.equals(model.vocab_):
                raise ValueError(f"the corpus given is not the one the model in {path} was fitted on "
                                 f"({corpus.n_docs} docs and {corpus.n_terms} terms vs {len(meta['doc_ids'])} "
                                 f"and {len(meta['vocab'])}).")
            model.corpus_ = corpus
            model.doc_ids_ = corpus.docs.index
            model.copies_ = corpus.docs.index[corpus.docs.index.astype(str).isin(model.copies_)]
        return model


def _shares_frame(shares: np.ndarray, index: pd.Index, labels: dict) -> pd.DataFrame:
    frame = pd.DataFrame(shares, index=index.rename("doc_id"), columns=pd.RangeIndex(shares.shape[1], name="topic"))
    frame.attrs["labels"] = labels
    return frame


# ---------------------------------------------------------------------- inference, shard by shard
def _mapped(dtm: sp.csr_matrix, cols: np.ndarray | None, n_model_terms: int) -> tuple[sp.csr_matrix, int]:
    """``dtm`` with its columns moved onto the model's terms, and the tokens of unknown terms."""
    if cols is None:
        return dtm, 0
    known = np.flatnonzero(cols >= 0)
    mapping = sp.csr_matrix((np.ones(len(known)), (known, cols[known])), shape=(dtm.shape[1], n_model_terms))
    mapped = (dtm @ mapping).tocsr()
    return mapped, int(dtm.sum()) - int(mapped.sum())


def _infer_rows(inference: SimpleNamespace, dtm: sp.csr_matrix, first: int, n_total: int,
                states: list | None = None) -> np.ndarray:
    """Topic shares of the rows ``first .. first + len(dtm)`` of a corpus of ``n_total`` documents.

    LDA's documents draw their starting points from the seed in the blocks of rows the whole
    corpus is inferred in (``first`` is where they lie in it; ``states``: the generator's state
    at the start of every block, else it is wound on from the seed), so every document starts
    where it starts in the whole corpus. Each document's result depends on its own row and
    starting point alone (the E-step pads it to the width of its length class, the NMF solver
    works elementwise), so any rows of a corpus, a shard cut anywhere, get exactly the shares
    the whole corpus's inference gives them.
    """
    k, block = inference.k, inference.block
    n = dtm.shape[0]
    if inference.method == "lda":
        gamma = _lda_gamma(inference, dtm, first, n_total, states)
        out = np.empty(gamma.shape, dtype=np.float64)
        for start in range(0, len(gamma), _INFER_CHUNK):
            part = gamma[start : start + _INFER_CHUNK].astype(np.float64)
            out[start : start + len(part)] = _normalised(part, k)
        return out
    # all documents of a chunk solved together, each to convergence: gensim's
    # get_document_topics solves one document at a time and stops after a sweep or two
    out = np.empty((n, k), dtype=np.float64)
    # the solver's products are k x k x rows per chunk
    with blas_threads_for(k * k * min(n_total, block)):
        for lo, hi in _block_runs(first, first + n, block, whole_blocks=False):
            chunk = dtm[lo - first : hi - first].astype(np.float64)
            out[lo - first : hi - first] = _normalised(nnls_rows(inference.W, chunk, max_iter=inference.iterations,
                                                                      WtW=inference.WtW), k)
    return out


def _block_runs(start: int, stop: int, block: int, *, whole_blocks: bool):
    """Runs of rows ``[lo, hi)`` covering ``start .. stop`` that never cross a multiple of ``block``;
    with ``whole_blocks``, every run from a multiple of ``block`` on goes to ``stop`` at once."""
    lo = start
    while lo < stop:
        boundary = (lo // block + 1) * block
        hi = stop if whole_blocks and lo % block == 0 else min(stop, boundary)
        yield lo, hi
        lo = hi


def _lda_gamma(inference: SimpleNamespace, dtm: sp.csr_matrix, first: int, n_total: int,
               states: list | None) -> np.ndarray:
    """gensim's E-step of the rows of ``dtm`` (rows ``first ..`` of the corpus), block by block of the corpus."""
    from ._lda_estep import model_estep

    block = inference.block
    gamma = np.empty((dtm.shape[0], inference.k), dtype=np.float32)
    with blas_threads_for(0):
        # from a block boundary on, model_estep's own blocks are the corpus's blocks
        for lo, hi in _block_runs(first, first + dtm.shape[0], block, whole_blocks=True):
            b = lo // block
            starts = _BlockStarts(_generator_at(inference, b, n_total, states), skip=lo - b * block)
            model = SimpleNamespace(**vars(inference.estep), random_state=starts)
            # a slice of a CSR matrix is a copy: the whole matrix (one run from row 0) goes as it is
            rows = dtm if hi - lo == dtm.shape[0] else dtm[lo - first : hi - first]
            gamma[lo - first : hi - first] = model_estep(model, rows, block_docs=block)[0]
    return gamma


def _block_sizes(n_total: int, block: int):
    return [min(block, n_total - start) for start in range(0, n_total, block)]


def _generator_at(inference: SimpleNamespace, b: int, n_total: int, states: list | None) -> np.random.RandomState:
    """The random generator as the inference of the whole corpus leaves it at the start of block ``b``."""
    rs = np.random.RandomState(inference.seed)
    if states is not None:
        rs.set_state(states[b])
        return rs
    for rows in _block_sizes(n_total, inference.block)[:b]:
        rs.gamma(100.0, 1.0 / 100.0, (rows, inference.k))  # model_estep's draws for that block
    return rs


def _block_states(inference: SimpleNamespace, n_total: int) -> list:
    """The generator's state at the start of every block of the corpus (drawn once, for all shards)."""
    rs = np.random.RandomState(inference.seed)
    states = []
    for rows in _block_sizes(n_total, inference.block):
        states.append(rs.get_state())
        rs.gamma(100.0, 1.0 / 100.0, (rows, inference.k))
    return states


class _BlockStarts:
    """Stands in for the model's random generator in ``model_estep``: hands out the starting
    points that the inference of the whole corpus draws for the same rows (``skip``: rows of the
    first block before the shard's first row)."""

    def __init__(self, generator: np.random.RandomState, skip: int = 0):
        self.generator, self.skip = generator, skip

    def gamma(self, shape: float, scale: float, size: tuple[int, int]) -> np.ndarray:
        rows, k = size
        drawn = self.generator.gamma(shape, scale, (self.skip + rows, k))[self.skip :]
        self.skip = 0
        return drawn


def _transform_prepare(corpus, model: TopicModel) -> Plan:
    model._check_fitted("transform")
    if not is_sharded(corpus):
        _check_corpus(corpus, "TopicModel.transform")
    inference = model._inference()
    # shards far from the start would each wind the generator on from the seed: draw it once here
    states = _block_states(inference, corpus.n_docs) if inference.method == "lda" and is_sharded(corpus) else None
    return Plan(inference=inference, cols=model._model_columns(corpus), n_model_terms=len(model.vocab_),
                n_docs=corpus.n_docs, states=states, labels=model.topic_labels().to_dict(), client_only=("labels",))


def _transform_parts(corpus, rows: slice, plan: Plan) -> dict:
    """Topic shares of one shard's documents, and its tokens of terms the model does not know."""
    mapped, unknown = _mapped(corpus.dtm, plan.cols, plan.n_model_terms)
    shares = _infer_rows(plan.inference, mapped, rows.start, plan.n_docs, plan.states)
    return {"shares": shares, "index": corpus.docs.index, "unknown": unknown}


def _transform_combine(parts: list[dict]) -> dict:
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    # a shard without documents adds nothing (and its empty index could change the index's type)
    shown = [p for p in parts if len(p["index"])] or parts[:1]
    return {"shares": np.concatenate([p["shares"] for p in shown]),
            "index": shown[0]["index"].append([p["index"] for p in shown[1:]]),
            "unknown": sum(p["unknown"] for p in parts)}


def _transform_finish(parts: dict, plan: Plan) -> pd.DataFrame:
    frame = _shares_frame(parts["shares"], parts["index"], plan.labels)
    frame.attrs["unknown_tokens"] = parts["unknown"]
    return frame


def _normalised(shares: np.ndarray, k: int) -> np.ndarray:
    sums = shares.sum(axis=1, keepdims=True)
    # a document without known terms has no evidence: equal shares
    return np.divide(shares, sums, out=np.full_like(shares, 1.0 / k), where=sums > 0)


@contextlib.contextmanager
def _without_gensim_log(prefix: str):
    """Drop the log records of gensim's LdaModel and LdaMulticore that start with ``prefix``."""
    loggers = [logging.getLogger(f"gensim.models.{name}") for name in ("ldamodel", "ldamulticore")]

    def keep(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(prefix)

    for logger in loggers:
        logger.addFilter(keep)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(keep)


class _BowRows:
    """The rows of a CSR matrix as gensim bag-of-words lists (re-iterable, with a length)."""

    def __init__(self, dtm: sp.csr_matrix):
        self.dtm = dtm.tocsr()

    def __len__(self) -> int:
        return self.dtm.shape[0]

    def __iter__(self):
        indptr, indices, data = self.dtm.indptr, self.dtm.indices, self.dtm.data
        for start, end in zip(indptr[:-1].tolist(), indptr[1:].tolist()):
            yield list(zip(indices[start:end].tolist(), data[start:end].tolist()))


def token_texts(corpus) -> list[list[str]]:
    """Each document's kept tokens as a list of strings (for gensim), built from the ids at once."""
    words = np.asarray(corpus.vocab, dtype=object)[corpus.ids]
    return [part.tolist() for part in np.split(words, corpus.doc_offsets[1:-1])]


def _coherence(model: TopicModel, corpus, measure: str, topn: int) -> list[float]:
    from gensim.models import CoherenceModel

    topics = np.asarray(model.vocab_, dtype=object)[model._top_ids(topn)].tolist()
    if measure == "u_mass":
        source = {"corpus": _BowRows(model._map_to_model(corpus)[0])}
    else:
        source = {"texts": token_texts(corpus)}
    cm = CoherenceModel(topics=topics, dictionary=model.dictionary_, coherence=measure, topn=topn, processes=1,
                        **source)
    return [float(v) for v in cm.get_coherence_per_topic()]


def _check_corpus(corpus, where: str) -> None:
    from ..corpus import Corpus

    if not isinstance(corpus, Corpus):
        raise TypeError(f"{where} expects a ct.Corpus; got {type(corpus).__name__}. "
                        "Build one with ct.Corpus.from_docs(docs).")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in the model's metadata")


__all__ = ["TopicModel", "token_texts"]


def _largest(values: np.ndarray, n: int) -> np.ndarray:
    """Rows of the ``n`` largest values, largest first, ties in row order: the first ``n`` of a
    stable descending sort, without sorting a million shares to show five of them."""
    if n >= len(values) or np.isnan(values).any():  # NaN sorts last in the full sort: keep it simple
        return np.argsort(-values, kind="stable")[:n]
    nth = np.partition(values, len(values) - n)[len(values) - n]  # the n-th largest
    candidates = np.flatnonzero(values >= nth)  # every tie of the n-th largest, in row order
    return candidates[np.argsort(-values[candidates], kind="stable")[:n]]

