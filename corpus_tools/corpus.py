"""The tokenized corpus: vocabulary, token sequences and document-term matrix, aligned with ``docs``.

The tokenising pipeline that builds the arrays is in :mod:`corpus_tools._build`; the folder
format in :mod:`corpus_tools._storage`; the cache and its keys in :mod:`corpus_tools.cache`.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import __version__
from . import _build
from . import cache as _cache
# _ranges and _build_dtm are also used by the analyses
from ._build import (TOKENIZERS, _build_dtm, _check_limits, _encode_sentences, _kept_terms, _limits_filter, _ranges,
                     _string_dtype)
from ._storage import (FORMAT_VERSION, READABLE_FORMATS, CorpusFolderError, check_arrays, doc_ids_checksum,
                       incomplete, read_folder, replace_with, write_folder)
from .errors import check_option
from .text.normalize import Normalizer
from .text.phrases import join_phrases, phrase_options
from .text.tokenizer import tokenize_chunk


class Corpus:
    """Tokens, vocabulary and document-term matrix of a collection of documents.

    Build one with :meth:`Corpus.from_docs`. Every part is aligned with ``docs``: row ``i`` of
    :attr:`dtm` and the token slice ``ids[doc_offsets[i]:doc_offsets[i + 1]]`` belong to
    ``docs.index[i]``; column ``j`` of :attr:`dtm` and term id ``j`` are ``vocab[j]``.

    Attributes
    ----------
    docs : DataFrame
        The documents (index ``doc_id``), as given; :meth:`from_docs` keeps a frame of its own,
        so assigning to it leaves the caller's frame alone.
    vocab : pd.Index
        The terms, sorted.
    ids : int32 array
        Term ids of every kept token, document after document.
    doc_offsets : int64 array, shape (n_docs + 1,)
        Where each document's tokens start in ``ids``.
    sent_offsets : int64 array, shape (n_sentences + 1,)
        Where each sentence's tokens start in ``ids``; every document starts a sentence.
    dtm : scipy.sparse.csr_matrix, shape (n_docs, n_terms)
        Raw integer counts.
    params : dict
        The arguments the corpus was built with.
    """

    def __init__(self, docs, vocab, ids, doc_offsets, sent_offsets, *, dtm=None, params=None):
        self.docs = docs
        self.vocab = pd.Index(vocab, dtype=object, name="term")
        self.ids = np.asarray(ids, dtype=np.int32)
        self.doc_offsets = np.asarray(doc_offsets, dtype=np.int64)
        self.sent_offsets = np.asarray(sent_offsets, dtype=np.int64)
        self.params = dict(params or {})
        self.dtm = _build_dtm(self.ids, self.doc_offsets, len(self.vocab)) if dtm is None else dtm.tocsr()
        if self.dtm.shape != (len(docs), len(self.vocab)) or len(self.doc_offsets) != len(docs) + 1:
            raise ValueError(
                f"misaligned corpus: {len(docs)} docs, {len(self.vocab)} terms, "
                f"dtm {self.dtm.shape}, {len(self.doc_offsets) - 1} token ranges"
            )

    # ------------------------------------------------------------------ building
    @classmethod
    def from_docs(
        cls,
        docs: pd.DataFrame,
        *,
        text: str = "text",
        lowercase: bool = True,
        tokenizer: str = "words",
        stopwords="english",
        extra_stopwords: Iterable[str] | None = None,
        min_length: int = 2,
        numbers: bool = False,
        lemmatize=False,
        stem=False,
        phrases=False,
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_terms: int | None = None,
        keep: Iterable[str] | None = None,
        n_jobs: int = 1,
        cache: bool = True,
        progress: bool = True,
    ) -> Corpus:
        """Tokenize ``docs[text]`` into a Corpus.

        Parameters
        ----------
        docs : DataFrame
            One row per document, e.g. from :func:`corpus_tools.load`; its index names the documents.
        text : str
            The column holding the text.
        lowercase : bool
            Lowercase every term.
        tokenizer : {"words"}
            Unicode words that keep news words whole: ``anti-terror``, ``J-20``, ``U.S.``;
            ``Russia's`` becomes ``russia``; ``10,000`` is one number token. Sentence ends are kept.
        stopwords : {"english", "nltk", "gensim"}, collection of str or None
            Words left out (see :func:`corpus_tools.text.stopwords.resolve_stopwords`); works offline.
        extra_stopwords : collection of str or "news", optional
            Words left out in addition, e.g. ``["said"]``; ``"news"``: reporting verbs, titles and
            wire-copy abbreviations (``said``, ``mr``, ``mln``, ``pct`` ...).
        min_length : int
            Shortest term kept, in characters.
        numbers : bool
            Keep number tokens (``2021``, ``10,000``).
        lemmatize : bool or {"simplemma", "wordnet"}
            ``True`` uses simplemma (offline): ``troops -> troop``, ``concluded -> conclude``.
            ``"wordnet"`` needs NLTK's WordNet data. Words with digits (``J-20``, ``2-1``)
            keep their form.
        stem : False or {"snowball", "porter"}
            NLTK stemmers (no data needed).
        phrases : bool or dict
            Join multi-word expressions found by gensim's ``Phrases`` with npmi scoring
            (``defense_minister``). A dict sets ``min_count`` (5), ``threshold`` (0.5),
            ``passes`` (2) and ``delimiter`` ("_").
        min_df, max_df : int or float
            Keep terms in at least ``min_df`` and at most ``max_df`` documents; a float is a share
            of the documents.
        max_terms : int, optional
            Keep only the most frequent terms.
        keep : collection of str, optional
            Terms kept whatever their frequency.
        n_jobs : int
            Worker processes for tokenising (``-1``: one per core). Works from a Jupyter kernel.
            Corpora of less than 4 million characters are tokenised in one process, where
            starting workers would cost more than it saves.
        cache : bool
            Reuse a corpus built before from the same texts and parameters (``$CORPUS_TOOLS_CACHE``,
            else ``data/cache``); ``ct.cache.info()`` lists what is kept, ``ct.cache.clear()``
            removes it. A corpus of more than 32 million characters is assembled on disk there
            (with ``cache=False`` in a scratch folder, removed at once) and its arrays are mapped
            from the files, so that building it takes little memory beyond the texts.
        progress : bool
            Show a progress bar on long work.

        Returns
        -------
        Corpus

        Raises
        ------
        TypeError
            ``docs`` is not a DataFrame, or the text column holds non-strings.
        ValueError
            The corpus is empty, the text column is missing, an option is unknown, or the
            frequency limits remove every term.

        Examples
        --------
        >>> docs = pd.DataFrame({"text": ["Russia's troops drill.", "China's J-20 jets drill."]},
        ...                     index=pd.Index(["a", "b"], name="doc_id"))
        >>> corpus = Corpus.from_docs(docs, cache=False, progress=False)
        >>> corpus.tokens("b")
        ['china', 'j-20', 'jets', 'drill']
        >>> corpus.dtm.toarray().tolist(), list(corpus.vocab)
        ([[0, 1, 0, 0, 1, 1], [1, 1, 1, 1, 0, 0]], ['china', 'drill', 'j-20', 'jets', 'russia', 'troops'])
        """
        texts = _texts(docs, text)
        # a frame of its own, so that changing corpus.docs never changes the caller's; shallow
        # (copy-on-write shares the columns until one side changes them), so it costs nothing
        docs = docs.copy(deep=False)
        normalizer, phrase_opts, params = _build_options(**_options_in(locals()))

        entry = _cache_entry(lambda: _cache.build_key(docs.index, texts, params)) if cache else None
        if entry is not None and (entry / "meta.json").exists():
            try:
                corpus = cls._load_arrays(entry, docs, map_arrays=True, docs_label="the docs given")
            except (OSError, ValueError, KeyError, TypeError) as err:
                _warn_damaged(entry, err)
            else:
                _cache.touch(entry)  # what ct.cache.clear(older_than=...) goes by
                return corpus

        # checked only when building: a cache entry exists only for ids that were unique
        _check_unique_ids(docs)
        limits = None if phrase_opts is not None else (min_df, max_df, max_terms, keep)
        built, folder, scratch = _run_build(
            lambda folder: _build._tokenize_all(texts, normalizer, n_jobs=n_jobs, progress=progress, limits=limits,
                                                folder=folder),
            entry, int(texts.str.len().sum()))
        return cls._finish(docs, built, params, phrase_opts, entry, folder, scratch)

    @classmethod
    def from_parquet(
        cls,
        path: str | os.PathLike,
        *,
        text: str = "text",
        id: str | None = None,
        title: str | None = None,
        date: str | None = None,
        source: str | None = None,
        lowercase: bool = True,
        tokenizer: str = "words",
        stopwords="english",
        extra_stopwords: Iterable[str] | None = None,
        min_length: int = 2,
        numbers: bool = False,
        lemmatize=False,
        stem=False,
        phrases=False,
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_terms: int | None = None,
        keep: Iterable[str] | None = None,
        n_jobs: int = 1,
        cache: bool = True,
        progress: bool = True,
    ) -> Corpus:
        """Tokenize the texts of a Parquet file into a Corpus without holding them in memory.

        The texts are read a batch at a time and tokenised as they come (in worker processes with
        ``n_jobs``); ``docs`` gets every other column, and :meth:`texts` reads texts back when
        they are needed. The result equals ``Corpus.from_docs(pd.read_parquet(path))`` (with the
        file's ``doc_id`` column as its index, if it has one): the same ids, offsets, matrix and
        vocabulary, in a fraction of the memory. The arrays of a large corpus are assembled on
        disk and mapped from there, so building from a million news articles takes about half a
        gigabyte, whatever their size.

        A cached corpus is found again by the file's path, size and modification time, without
        reading a single text, so reopening a large corpus in a new session takes seconds. The
        cache also keeps a compressed copy of the texts in small row groups, from which
        :meth:`texts` reads a text in about a millisecond however the file was written; without
        the cache, texts are read from the file itself, a whole row group at a time.

        Parameters
        ----------
        path : path-like
            A Parquet file, one row per document.
        text : str
            The column holding the texts.
        id : str, optional
            The column holding the doc ids. Default: the index pandas stored with the file,
            else a ``doc_id`` column, else the row numbers.
        title, date, source : str, optional
            Columns to rename to ``title``, ``date`` and ``source`` in ``docs``; their values are
            kept as stored (``Corpus.dates`` reads date strings too).
        lowercase, tokenizer, stopwords, extra_stopwords, min_length, numbers, lemmatize, stem
            As for :meth:`from_docs`.
        phrases, min_df, max_df, max_terms, keep, n_jobs, progress
            As for :meth:`from_docs`.
        cache : bool
            Reuse the corpus built before from this file (unchanged since) with these
            parameters; ``ct.cache`` lists and clears what is kept.

        Returns
        -------
        Corpus
            Its ``docs`` has no text column; ``docs.attrs["text_source"]`` names the file, its
            size, modification time and a SHA-256 of the doc ids and texts.

        Raises
        ------
        FileNotFoundError
            ``path`` is not a file.
        TypeError
            The text column does not hold strings.
        ValueError
            The file is not Parquet, has no such column or no rows, the doc ids repeat, an
            option is unknown, or no term is left.

        Examples
        --------
        >>> corpus = Corpus.from_parquet("news.parquet", n_jobs=2)  # doctest: +SKIP
        >>> corpus.texts(corpus.docs.index[:2])  # doctest: +SKIP
        """
        from ._text_source import ContentHash, ParquetTexts, TextCopy, prefetched, remember_ids

        normalizer, phrase_opts, params = _build_options(**_options_in(locals()))
        renames = {col: name for name, col in (("title", title), ("date", date), ("source", source))
                   if col is not None}
        texts = ParquetTexts(path, text, id)
        if texts.n_rows == 0:
            raise ValueError(f"the corpus is empty: {texts.path} has no rows.")
        docs = texts.metadata(renames)
        identity = {**texts.identity(), "renames": renames}

        entry = _cache_entry(lambda: _cache.source_key(identity, params)) if cache else None
        if entry is not None and (entry / "meta.json").exists():
            try:
                meta, vocab, arrays = read_folder(entry, map_arrays=True)
                described = meta.get("source") or {}
                if {k: described.get(k) for k in identity} != identity:
                    raise CorpusFolderError(entry, "it was built from another file")
                if meta.get("doc_ids_crc32") != doc_ids_checksum(docs.index):
                    raise CorpusFolderError(entry, f"its document ids are not those of {texts.path}")
                docs.attrs["text_source"] = texts.describe(described.get("sha256"), described.get("copy"))
                corpus = cls._from_folder(entry, docs, meta, vocab, arrays, docs_label=str(texts.path))
                remember_ids(docs.attrs["text_source"], docs.index)
            except (OSError, ValueError, KeyError, TypeError) as err:
                _warn_damaged(entry, err)
            else:
                _cache.touch(entry)
                return corpus

        _check_unique_ids(docs)
        limits = None if phrase_opts is not None else (min_df, max_df, max_terms, keep)
        target = _build.chunk_chars(texts.text_bytes, n_jobs)

        attempts = []

        def stream(folder):
            digest = ContentHash()
            digest.ids(docs.index)
            # with the cache, a copy of the texts quick to read back (see corpus_tools._text_source);
            # not again after the first attempt failed to write there
            copy = TextCopy(entry / "texts.parquet", docs.index) if entry is not None and not attempts else None
            attempts.append(folder)
            try:
                built = _build.tokenize_stream(prefetched(texts.chunks(target, digest, copy)), texts.n_rows,
                                               texts.text_bytes, normalizer, n_jobs=n_jobs, progress=progress,
                                               limits=limits, folder=folder)
            except BaseException:
                if copy is not None:
                    copy.discard()
                raise
            described = texts.describe(digest.hexdigest(), copy.close() if copy is not None else None)
            if copy is not None and copy.error is not None:
                warnings.warn(f"no copy of the texts could be written to {copy.path} ({copy.error}); "
                              f"corpus.texts() reads them from {texts.path}, which is slower.", stacklevel=3)
            return built, described

        (built, docs.attrs["text_source"]), folder, scratch = _run_build(stream, entry, texts.text_bytes)
        if texts.n_missing:
            warnings.warn(f"{texts.n_missing} documents have no {text!r} (missing values are read as empty texts).",
                          stacklevel=2)
        extra = {"source": {**docs.attrs["text_source"], "renames": renames},
                 "doc_ids_crc32": doc_ids_checksum(docs.index)}
        corpus = cls._finish(docs, built, params, phrase_opts, entry, folder, scratch, extra)
        remember_ids(docs.attrs["text_source"], corpus.docs.index)
        return corpus

    @classmethod
    def _finish(cls, docs, built, params, phrase_opts, entry, folder, scratch, extra=None) -> Corpus:
        """The corpus from what the pipeline built (in ``folder``, if not in memory), written to the
        cache ``entry`` (if any); a scratch folder is removed."""
        try:
            corpus = cls._from_built(docs, built, params, phrase_opts)
        except BaseException:
            if folder is not None:
                _discard_build(folder, scratch)
            raise
        if entry is not None:
            # with the arrays in the entry already, only meta.json and vocab.txt are written; phrases
            # made new arrays, in memory
            written = built[-1] if folder == entry and phrase_opts is None else None
            corpus._cache_in(entry, extra, written=written)
        elif folder is not None:
            # mapped arrays stay readable after their files are removed (where they are not
            # mapped, they were read into memory)
            _discard_build(folder, scratch=True)
        return corpus

    @classmethod
    def _from_built(cls, docs: pd.DataFrame, built: tuple, params: dict, phrase_opts) -> Corpus:
        """The corpus from what the tokenising pipeline returned: phrases joined, limits applied."""
        ids, doc_offsets, sent_offsets, dtm, vocab, _ = built
        if len(ids) == 0:
            raise ValueError(
                f"no terms are left in any of the {len(docs)} documents after tokenising "
                f"(stopwords={params['stopwords']!r}, min_length={params['min_length']}, "
                f"numbers={params['numbers']}); check the text column or relax these options."
            )
        if phrase_opts is not None:
            sentences = join_phrases(ids, sent_offsets, vocab, phrase_opts)
            del ids, dtm
            ids, doc_offsets, sent_offsets, vocab = _encode_sentences(sentences, sent_offsets, doc_offsets)
            dtm = None
        corpus = cls(docs, vocab, ids, doc_offsets, sent_offsets, dtm=dtm, params=params)
        limits = (params["min_df"], params["max_df"], params["max_terms"])
        if phrase_opts is not None and _limits_filter(*limits):
            corpus = corpus.filter_terms(min_df=limits[0], max_df=limits[1], max_terms=limits[2], keep=params["keep"])
        return corpus

    # ------------------------------------------------------------------ sizes
    @property
    def n_docs(self) -> int:
        """Number of documents."""
        return len(self.docs)

    @property
    def n_tokens(self) -> int:
        """Number of kept tokens (the sum of :attr:`dtm`)."""
        return int(len(self.ids))

    @property
    def n_terms(self) -> int:
        """Size of the vocabulary."""
        return len(self.vocab)

    @property
    def n_sentences(self) -> int:
        """Number of non-empty sentences."""
        return len(self.sent_offsets) - 1

    @property
    def doc_lengths(self) -> np.ndarray:
        """Kept tokens per document."""
        return np.diff(self.doc_offsets)

    @property
    def dates(self) -> pd.Series:
        """The ``date`` column as datetime64 (all NaT when the docs have no dates)."""
        from ._groups import doc_dates

        return doc_dates(self.docs)

    # ------------------------------------------------------------------ access
    def _row(self, doc_id) -> int:
        try:
            row = self.docs.index.get_loc(doc_id)
        except KeyError:
            raise KeyError(f"no document with doc_id {doc_id!r} in this corpus") from None
        if not isinstance(row, (int, np.integer)):
            raise KeyError(f"doc_id {doc_id!r} is not unique in this corpus")
        return int(row)

    def tokens(self, doc_id) -> list[str]:
        """The terms of one document, in order.

        >>> corpus.tokens("000_bb0baf8a7e2ae5bc")[:3]  # doctest: +SKIP
        ['news', 'china', 'russia']
        """
        row = self._row(doc_id)
        return self.vocab[self.ids[self.doc_offsets[row] : self.doc_offsets[row + 1]]].tolist()

    def sentences(self, doc_id) -> list[list[str]]:
        """The terms of one document, sentence by sentence."""
        row = self._row(doc_id)
        start, end = self.doc_offsets[row], self.doc_offsets[row + 1]
        lo, hi = np.searchsorted(self.sent_offsets, [start, end])
        bounds = self.sent_offsets[lo : hi + 1]
        return [self.vocab[self.ids[s:e]].tolist() for s, e in zip(bounds[:-1], bounds[1:])]

    def texts(self, docs=None) -> pd.Series:
        """The texts of some or all documents, from ``docs`` or, for a corpus built by
        :meth:`from_parquet`, read back from its file.

        Parameters
        ----------
        docs : boolean array or Series aligned with ``docs``, or a list/Index of doc ids, optional
            Which documents, as for :meth:`select`; default all (which, for a corpus read from
            a file, holds every text in memory at once: prefer the documents you need).

        Returns
        -------
        Series
            The texts (missing ones as ``""``), indexed by doc id, in the order asked for.

        Raises
        ------
        KeyError
            A doc id is not in this corpus, or the documents have no text and no file to read
            it from.
        corpus_tools._text_source.SourceChangedError
            The file the texts are read from has changed or gone since the corpus was built.

        Examples
        --------
        >>> docs = pd.DataFrame({"text": ["Troops drilled.", "Jets flew."]}, index=pd.Index(["a", "b"], name="doc_id"))
        >>> corpus = Corpus.from_docs(docs, cache=False, progress=False)
        >>> corpus.texts(["b", "a"]).tolist()
        ['Jets flew.', 'Troops drilled.']
        """
        rows = np.arange(self.n_docs) if docs is None else self._rows(docs)
        index = self.docs.index[rows]
        column = self.params.get("text", "text")
        if column in self.docs.columns:
            values = self.docs[column].iloc[rows]
            return values.where(values.notna(), "")
        described = self.docs.attrs.get("text_source")
        if not isinstance(described, dict):
            raise KeyError(f"the corpus documents have no text column {column!r} and name no file to read the "
                           "texts from; build the corpus from docs with texts (Corpus.from_docs) or from a file "
                           "(Corpus.from_parquet).")
        from ._text_source import read_texts

        return pd.Series(read_texts(described, index), index=index, name=column, dtype=object)

    def token_doc_rows(self) -> np.ndarray:
        """Row of the document each token belongs to (int32, aligned with :attr:`ids`)."""
        return np.repeat(np.arange(self.n_docs, dtype=np.int32), self.doc_lengths)

    def term_id(self, term: str) -> int:
        """Column of ``term`` in :attr:`dtm`; a KeyError names close matches when it is absent."""
        loc = self.vocab.get_indexer([term])[0]
        if loc < 0:
            import difflib

            close = difflib.get_close_matches(term, self.vocab.tolist(), n=5)
            hint = f"; close terms: {close}" if close else ""
            raise KeyError(f"term {term!r} is not in the vocabulary ({self.n_terms} terms){hint}")
        return int(loc)

    def analyze(self, text: str) -> list[str]:
        """Tokenize and normalise a query the way this corpus was built (without phrase joining).

        >>> corpus.analyze("Defense Ministers")  # doctest: +SKIP
        ['defense', 'ministers']
        """
        codes, types, _ = tokenize_chunk([text], self._normalizer().lowercase_text)
        terms: list[str] = []
        kinds = self._normalizer().classify(types, {}, terms)
        return [terms[kinds[c]] for c in codes if kinds[c] >= 0]

    def _normalizer(self) -> Normalizer:
        # built once per corpus: analyses normalise many queries
        if getattr(self, "_normalizer_cached", None) is None:
            self._normalizer_cached = self._make_normalizer()
        return self._normalizer_cached

    def _make_normalizer(self) -> Normalizer:
        p = self.params
        return Normalizer(
            lowercase=p.get("lowercase", True),
            stopwords=p.get("stopwords", "english"),
            extra_stopwords=p.get("extra_stopwords"),
            min_length=p.get("min_length", 2),
            numbers=p.get("numbers", False),
            lemmatize=p.get("lemmatize", False),
            stem=p.get("stem", False),
        )

    # ------------------------------------------------------------------ subsets
    def select(self, mask_or_ids) -> Corpus:
        """A new Corpus with some documents, in the order given.

        Parameters
        ----------
        mask_or_ids : boolean array or Series aligned with ``docs``, or a list/Index of doc ids

        Returns
        -------
        Corpus
            Same vocabulary (terms absent from the selection keep a zero column, so results of
            different selections line up); call :meth:`filter_terms` to drop them.

        Examples
        --------
        >>> corpus.select(corpus.docs["source"] == "Press TV")  # doctest: +SKIP
        """
        rows = self._rows(mask_or_ids)
        starts, ends = self.doc_offsets[rows], self.doc_offsets[rows + 1]
        take = _ranges(starts, ends)
        new_offsets = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
        # the sentences starting inside each document, moved to its new place; found by binary
        # search, so that a few documents of a million read a few pages of the arrays, not all
        s_lo = np.searchsorted(self.sent_offsets, starts, side="left")
        s_hi = np.searchsorted(self.sent_offsets, ends, side="left")
        doc_of = np.repeat(np.arange(len(rows)), s_hi - s_lo)
        new_starts = self.sent_offsets[_ranges(s_lo, s_hi)] - starts[doc_of] + new_offsets[doc_of]
        new_starts = new_starts[np.r_[True, new_starts[1:] > new_starts[:-1]]] if len(new_starts) else new_starts
        # the matrix's rows the same way (a scipy row index reads every page of a mapped matrix)
        m = self.dtm
        lo, hi = m.indptr[rows], m.indptr[rows + 1]
        entries = _ranges(lo, hi)
        dtm = sp.csr_matrix((m.data[entries], m.indices[entries], np.concatenate([[0], np.cumsum(hi - lo)])),
                            shape=(len(rows), self.n_terms))
        ids = self.ids[take]
        # every part is a copy now; reading scattered rows of mapped arrays maps their
        # neighbourhoods too (the system maps pages around each one read): hand them back
        self.release_pages()
        return Corpus(
            self.docs.iloc[rows],
            self.vocab,
            ids,
            new_offsets,
            np.concatenate([new_starts, [len(take)]]).astype(np.int64),
            dtm=dtm,
            params=self.params,
        )

    def drop_duplicates(self, groups: pd.DataFrame, keep="first") -> Corpus:
        """A new Corpus without the copies listed in ``groups``.

        Groups that share a document are one story and are merged first (a table concatenated
        from two runs of :func:`corpus_tools.near_duplicates`, or edited by hand, may list a
        document in two groups), so that a document is a copy or an original, never both. With
        ``keep="first"`` the documents kept are those the ``dedupe=groups`` option of the
        analyses counts.

        Parameters
        ----------
        groups : DataFrame
            Columns ``group`` and ``doc_id``, as returned by :func:`corpus_tools.near_duplicates`;
            documents of ``groups`` not in this corpus are ignored (groups found on a larger
            corpus apply to a part of it).
        keep : {"first", "last", False}
            Which member of each group stays: the earliest in this corpus (by ``date``, undated
            last, then position), the latest, or none.

        Returns
        -------
        Corpus
            The remaining documents, in their order (see :meth:`select`).

        Raises
        ------
        ValueError
            For another ``keep``, ``groups`` without the columns ``group`` and ``doc_id``, or a
            row of ``groups`` without a ``group``.
        TypeError
            ``groups`` is not a DataFrame.

        Examples
        --------
        >>> docs = pd.DataFrame({"text": ["Oil rose.", "Oil rose again.", "Gold fell.", "Gold fell again."]},
        ...                     index=pd.Index(["a", "b", "c", "d"], name="doc_id"))
        >>> corpus = Corpus.from_docs(docs, cache=False, progress=False)
        >>> groups = pd.DataFrame({"group": [0, 0, 1, 1, 2, 2], "doc_id": ["a", "b", "b", "c", "x", "d"]})
        >>> corpus.drop_duplicates(groups).docs.index.tolist()  # a, b and c are one story; x is elsewhere
        ['a', 'd']
        >>> corpus.drop_duplicates(groups, keep="last").docs.index.tolist()
        ['c', 'd']
        """
        from ._groups import check_groups, group_members
        from .errors import option_error

        if keep is not False and (not isinstance(keep, str) or keep not in ("first", "last")):
            raise option_error("keep", keep, ["first", "last", False])
        check_groups(groups)
        members = group_members(self.docs, groups)
        drop = np.zeros(self.n_docs, dtype=bool)
        drop[members.rows] = True
        if keep is not False:
            drop[members.rows[members.is_first if keep == "first" else members.is_last]] = False
        return self.select(~drop)

    def _rows(self, mask_or_ids) -> np.ndarray:
        if isinstance(mask_or_ids, pd.Series) and mask_or_ids.dtype == bool:
            if not mask_or_ids.index.equals(self.docs.index):
                mask_or_ids = mask_or_ids.reindex(self.docs.index, fill_value=False)
            return np.flatnonzero(mask_or_ids.to_numpy())
        arr = np.asarray(mask_or_ids)
        if arr.dtype == bool:
            if arr.shape != (self.n_docs,):
                raise ValueError(f"a boolean mask must have one value per document ({self.n_docs}); got shape {arr.shape}")
            return np.flatnonzero(arr)
        if isinstance(mask_or_ids, str):
            mask_or_ids = [mask_or_ids]
        rows = self.docs.index.get_indexer(list(mask_or_ids))
        if (rows < 0).any():
            missing = [d for d, r in zip(mask_or_ids, rows) if r < 0][:5]
            raise KeyError(f"doc ids not in this corpus: {missing}")
        return rows.astype(np.int64)

    def _term_totals(self) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding each term, and its occurrences, read from the stored matrix entries.

        Counted a block of entries at a time: ``np.bincount`` casts its input to int64 and its
        weights to float64, which for the whole matrix of a million articles (70M entries) made
        1.2 GB of temporaries.
        """
        from ._storage import release_part

        m = self.dtm
        df = np.zeros(self.n_terms, dtype=np.int64)
        cf = np.zeros(self.n_terms, dtype=np.int64)
        for lo in range(0, len(m.indices), _TOTALS_BLOCK):
            idx, data = m.indices[lo:lo + _TOTALS_BLOCK], m.data[lo:lo + _TOTALS_BLOCK]
            df += np.bincount(idx[data > 0], minlength=self.n_terms)
            # counts are integers: a float64 sum of a block is exact, as is its cast back
            cf += np.bincount(idx, weights=data, minlength=self.n_terms).astype(np.int64)
            release_part(idx)  # a mapped matrix: its pages go once read (see release_pages)
            release_part(data)
        return df, cf

    def release_pages(self) -> Corpus:
        """Let go of the memory pages of the corpus arrays mapped from the cache or a saved folder.

        A corpus reopened from the cache (or :meth:`load`) reads its token ids, offsets and
        matrix from the files as they are used, and every page read stays in the process's
        resident memory until the system needs it elsewhere: after a pass over a million
        articles, about 1 GB that tools watching the memory (a notebook's resource monitor,
        a Dask worker's memory limit) count as used. This hands those pages back; they stay in
        the system's file cache and the next analysis reads them again from there, with no
        disk access while the cache holds them. A corpus built in memory is left as it is.
        Large analyses (the topic fit, ``near_duplicates``, term totals, co-occurrence of
        listed terms) hand back the pages they read as they go.

        The arrays of a mapped corpus are read-only, since handing back a changed page would
        undo the change; :meth:`select` and :meth:`filter_terms` make new arrays.

        Returns
        -------
        Corpus
            This corpus, unchanged, so that the call can be chained.

        Examples
        --------
        >>> corpus = ct.Corpus.from_parquet("articles.parquet")  # doctest: +SKIP
        >>> ct.near_duplicates(corpus)  # doctest: +SKIP
        >>> corpus.release_pages()  # doctest: +SKIP
        """
        from ._storage import release_pages

        m = self.dtm
        release_pages(self.ids, self.doc_offsets, self.sent_offsets, m.data, m.indices, m.indptr)
        return self

    def filter_terms(self, *, min_df: int | float = 1, max_df: int | float = 1.0, max_terms: int | None = None,
                     keep: Iterable[str] | None = None) -> Corpus:
        """A new Corpus keeping only terms within the given document-frequency limits.

        Tokens of removed terms are removed from the sequences too, so window co-occurrence
        counts positions among the kept terms.

        Parameters
        ----------
        min_df, max_df : int or float
            Least and most documents a term may appear in; a float is a share of the documents.
        max_terms : int, optional
            Keep at most this many terms, the most frequent first (ties in term order).
        keep : collection of str, optional
            Terms kept regardless of the limits.

        Raises
        ------
        ValueError
            When the limits remove every term; the message gives the range of document frequencies.

        Examples
        --------
        >>> corpus.filter_terms(min_df=2, max_df=0.9)  # doctest: +SKIP
        """
        _check_limits(min_df, max_df, max_terms)
        df, cf = self._term_totals()
        kept = _kept_terms(df, cf, self.n_docs, self.vocab, min_df, max_df, max_terms, keep)
        remap = np.full(self.n_terms, -1, dtype=np.int32)
        remap[kept] = np.arange(int(kept.sum()), dtype=np.int32)
        new = remap[self.ids]
        keep_tok = new >= 0
        before = np.concatenate([[0], np.cumsum(keep_tok)])
        doc_offsets = before[self.doc_offsets]
        sent = np.unique(before[self.sent_offsets])
        params = {**self.params, "min_df": min_df, "max_df": max_df, "max_terms": max_terms,
                  "keep": sorted(keep) if keep else self.params.get("keep")}
        return Corpus(self.docs, self.vocab[kept], new[keep_tok], doc_offsets, sent,
                      dtm=self.dtm[:, np.flatnonzero(kept)], params=params)

    # ------------------------------------------------------------------ gensim
    def to_gensim(self):
        """The vocabulary as a gensim ``Dictionary`` and the counts as a bag-of-words corpus.

        Nothing is re-tokenised: the Dictionary's ids are this corpus's term ids and the
        bag-of-words stream reads :attr:`dtm` (gensim ``Sparse2Corpus``).

        Returns
        -------
        dictionary : gensim.corpora.Dictionary
        bow : iterable of list of (term_id, count), one per document

        Examples
        --------
        >>> dictionary, bow = corpus.to_gensim()  # doctest: +SKIP
        >>> gensim.models.LdaModel(bow, id2word=dictionary, num_topics=5)  # doctest: +SKIP
        """
        from gensim.matutils import Sparse2Corpus

        return gensim_dictionary(self), Sparse2Corpus(self.dtm, documents_columns=False)

    # ------------------------------------------------------------------ saving
    def save(self, path: str | os.PathLike) -> Path:
        """Write the corpus to a folder in open formats; no pickle.

        The folder holds ``docs.parquet``; ``arrays.bin``, the token ids, offsets and matrix as
        raw little-endian integers, whose dtypes, byte offsets and lengths ``meta.json`` lists;
        ``vocab.txt``, one term per line; and ``meta.json`` with the build parameters and a
        CRC-32 checksum of each of the other files' parts, which :meth:`load` verifies. Every
        file is written under a temporary name and renamed, ``meta.json`` last: a save that fails
        (a full disk) leaves a folder that :meth:`load` refuses as incomplete.

        >>> corpus.save("data/my-corpus")  # doctest: +SKIP
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        # written last: a folder without it is incomplete, and Corpus.load refuses it
        (path / "meta.json").unlink(missing_ok=True)
        docs = self.docs.copy()
        docs.attrs = {}
        # each file is written under a temporary name and renamed: an interrupted save (a full
        # disk) leaves no partial file under a real name
        try:
            data = docs.to_parquet()  # the bytes, to checksum them without reading the file back
        except UnicodeEncodeError:  # lone surrogates, which Parquet (UTF-8) cannot hold
            docs = _without_surrogates(docs, path / "docs.parquet")
            data = docs.to_parquet()
        replace_with(path / "docs.parquet", lambda tmp: tmp.write_bytes(data))
        report = self.docs.attrs.get("load_report")
        if report:
            text = json.dumps(report, default=str, indent=1)  # ASCII: escapes any surrogate
            replace_with(path / "load_report.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
        else:
            (path / "load_report.json").unlink(missing_ok=True)  # an earlier save's
        # a corpus built by from_parquet keeps reading its texts from that file
        source = self.docs.attrs.get("text_source")
        extra = {"text_source": source} if source else None
        # the ids as written (surrogates replaced): what load compares docs.parquet's with
        self._save_arrays(path, files={"docs.parquet": data}, doc_ids=docs.index, extra=extra)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Corpus:
        """Read a corpus written by :meth:`save`.

        Every part is checked before it is used: the checksums written with it, docs.parquet's
        included (folders saved by earlier versions have none), that docs.parquet holds the
        documents saved with the arrays, in their order, and that the arrays fit together and
        with the documents.

        Raises
        ------
        FileNotFoundError
            ``path`` holds no saved corpus.
        CorpusFolderError
            (a ValueError) The folder is incomplete (an interrupted save), damaged or edited;
            the message names the folder and what is wrong.
        """
        path = Path(path)
        if not (path / "docs.parquet").exists():
            raise FileNotFoundError(f"{path} does not hold a saved Corpus (no docs.parquet); use Corpus.save(path) first.")
        if not (path / "meta.json").exists():  # checked before reading the (perhaps partial) docs
            raise incomplete(path)
        try:
            raw = (path / "docs.parquet").read_bytes()
        except IsADirectoryError:
            raise CorpusFolderError(path, "docs.parquet is not a file") from None
        # checksums first: a damaged docs.parquet may parse and fail only later, in pandas or arrow
        meta, vocab, arrays = read_folder(path, files={"docs.parquet": raw})
        try:
            docs = pd.read_parquet(io.BytesIO(raw))
        except (OSError, ValueError) as err:  # pyarrow's errors are both
            raise CorpusFolderError(path, f"docs.parquet cannot be read ({err})") from None
        del raw
        if "doc_ids_crc32" in meta and doc_ids_checksum(docs.index) != meta["doc_ids_crc32"]:
            raise CorpusFolderError(path, "docs.parquet holds other documents or another order than the arrays "
                                    "(its document ids are not those saved with them)")
        if (path / "load_report.json").exists():
            try:
                docs.attrs["load_report"] = json.loads((path / "load_report.json").read_text(encoding="utf-8"))
            except ValueError:  # a report that cannot be read is left out: the corpus is whole
                warnings.warn(f"{path / 'load_report.json'} is not valid JSON; the load report is left out.",
                              stacklevel=2)
        if isinstance(meta.get("text_source"), dict):
            docs.attrs["text_source"] = meta["text_source"]
        return cls._from_folder(path, docs, meta, vocab, arrays)

    def _save_arrays(self, path: Path, files: dict[str, bytes] | None = None, doc_ids=None,
                     extra: dict | None = None, written: tuple | None = None) -> None:
        arrays = {"ids": self.ids, "doc_offsets": self.doc_offsets, "sent_offsets": self.sent_offsets,
                  "dtm_data": self.dtm.data, "dtm_indices": self.dtm.indices, "dtm_indptr": self.dtm.indptr}
        meta = {"format": FORMAT_VERSION, "corpus_tools": __version__, "params": self.params,
                "n_docs": self.n_docs, "n_tokens": self.n_tokens, "n_terms": self.n_terms, **(extra or {})}
        if doc_ids is not None:
            meta["doc_ids_crc32"] = doc_ids_checksum(doc_ids)
        write_folder(path, None if written else arrays, self.vocab.tolist(), meta, files, written=written)

    def _cache_in(self, entry: Path, extra: dict | None = None, written: tuple | None = None) -> None:
        """Write the corpus to cache folder ``entry`` (with ``extra`` entries in its meta.json; with
        ``written``, its arrays.bin is there already); a failure (a full disk, no permission) only warns."""
        try:
            self._save_arrays(entry, extra=extra, written=written)
        except OSError as err:
            # what the failed write left is an incomplete entry: freed at once, as space may be short
            if not (entry / "meta.json").exists():
                shutil.rmtree(entry, ignore_errors=True)
            warnings.warn(f"the corpus could not be written to the cache at {entry} ({err}); it is returned "
                          "but will be built again next time. Free space there or set CORPUS_TOOLS_CACHE "
                          "to another folder.", stacklevel=3)

    @classmethod
    def _load_arrays(cls, path: Path, docs: pd.DataFrame, *, map_arrays: bool = False,
                     docs_label: str = "docs.parquet") -> Corpus:
        meta, vocab, a = read_folder(path, map_arrays=map_arrays)
        return cls._from_folder(path, docs, meta, vocab, a, docs_label)

    @classmethod
    def _from_folder(cls, path: Path, docs: pd.DataFrame, meta: dict, vocab: list[str], a: dict,
                     docs_label: str = "docs.parquet") -> Corpus:
        if meta.get("format") not in READABLE_FORMATS:
            raise CorpusFolderError(
                path, f"meta.json gives format {meta.get('format')!r}, which corpus_tools {__version__} cannot "
                "read", f"it was written by corpus_tools {meta.get('corpus_tools')}: read it with that version")
        if not isinstance(meta.get("params", {}), dict):
            raise CorpusFolderError(path, "meta.json's params are not a JSON object")
        # cache entries are keyed by a hash of the doc ids and texts; saved corpora carry their docs
        check_arrays(path, meta, vocab, a, len(docs), docs_label)
        dtm = sp.csr_matrix((a["dtm_data"], a["dtm_indices"], a["dtm_indptr"]), shape=(len(docs), len(vocab)))
        return cls(docs, vocab, a["ids"], a["doc_offsets"], a["sent_offsets"], dtm=dtm, params=meta.get("params"))

    # ------------------------------------------------------------------ display
    def _date_range(self) -> str:
        dates = self.dates.dropna()
        if dates.empty:
            return "undated"
        undated = self.n_docs - len(dates)
        extra = f", {undated:,} undated" if undated else ""
        return f"{_iso_day(dates.min())}..{_iso_day(dates.max())}{extra}"

    def __repr__(self) -> str:
        return (f"Corpus({self.n_docs:,} docs, {self.n_tokens:,} tokens, {self.n_terms:,} terms, "
                f"{self._date_range()})")

    def _repr_html_(self) -> str:
        rows = [("documents", f"{self.n_docs:,}"), ("tokens", f"{self.n_tokens:,}"),
                ("terms", f"{self.n_terms:,}"), ("sentences", f"{self.n_sentences:,}"),
                ("dates", self._date_range())]
        from html import escape  # the date range is built from the data

        body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        return f"<table><caption>Corpus</caption>{body}</table>"

    def __len__(self) -> int:
        return self.n_docs


# ---------------------------------------------------------------------- helpers
_TOTALS_BLOCK = 1 << 22  # matrix entries per block of _term_totals: about 100 MB of temporaries


def gensim_dictionary(corpus):
    """A gensim ``Dictionary`` of a corpus's vocabulary and term totals (a Corpus or a
    ShardedCorpus: anything with ``vocab``, ``_term_totals()``, ``n_docs`` and ``n_tokens``)."""
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(corpus.vocab)}
    df, cf = corpus._term_totals()
    dictionary.dfs = {i: int(v) for i, v in enumerate(df)}
    dictionary.cfs = {i: int(v) for i, v in enumerate(cf)}
    dictionary.num_docs = corpus.n_docs
    dictionary.num_pos = corpus.n_tokens
    dictionary.num_nnz = int(df.sum())  # the stored non-zero counts, one per document and term
    return dictionary


#: The tokenising options every build takes (``Corpus.from_docs``, ``Corpus.from_parquet``,
#: ``ShardedCorpus.build``), recorded in ``params``; :func:`_build_options` reads them.
BUILD_OPTIONS = ("text", "lowercase", "tokenizer", "stopwords", "extra_stopwords", "min_length", "numbers", "lemmatize",
                 "stem", "phrases", "min_df", "max_df", "max_terms", "keep")


def _build_options(*, text, lowercase, tokenizer, stopwords, extra_stopwords, min_length, numbers, lemmatize, stem,
                   phrases, min_df, max_df, max_terms, keep) -> tuple[Normalizer, dict | None, dict]:
    """The normaliser, the phrase options and the ``params`` a corpus records, from the build
    options (:data:`BUILD_OPTIONS`; a build passes them as ``**_options_in(locals())``); every
    option is checked here, before any text is read."""
    check_option("tokenizer", tokenizer, TOKENIZERS)
    phrase_opts = phrase_options(phrases)
    normalizer = Normalizer(lowercase=lowercase, stopwords=stopwords, extra_stopwords=extra_stopwords,
                            min_length=min_length, numbers=numbers, lemmatize=lemmatize, stem=stem)
    params = {
        "text": text,
        "lowercase": lowercase,
        "tokenizer": tokenizer,
        "stopwords": sorted(stopwords) if not (stopwords is None or isinstance(stopwords, str)) else stopwords,
        "extra_stopwords": extra_stopwords if isinstance(extra_stopwords, str) else
        (sorted(extra_stopwords) if extra_stopwords else None),
        "min_length": min_length,
        "numbers": numbers,
        "lemmatize": lemmatize,
        "stem": stem,
        "phrases": phrase_opts,
        "min_df": min_df,
        "max_df": max_df,
        "max_terms": max_terms,
        "keep": sorted(keep) if keep else None,
    }
    _check_limits(min_df, max_df, max_terms)
    return normalizer, phrase_opts, params


def _options_in(names: dict) -> dict:
    """The build options among a build method's arguments (its ``locals()``)."""
    return {name: names[name] for name in BUILD_OPTIONS}


def _cache_entry(make_key) -> Path | None:
    """The cache folder for the key ``make_key()`` gives; None (with a warning) where the cache
    folder cannot be made (no permission, a full disk)."""
    try:
        return _cache.entry_path(make_key())
    except OSError as err:
        warnings.warn(f"the corpus cache cannot be used ({err}); building without it.", stacklevel=3)
        return None


def _run_build(build, entry: Path | None, total_chars: int):
    """``build(folder)``, with ``folder`` where the arrays are assembled: the cache ``entry``, else
    a scratch folder, or None (in memory) for less than ``_build.DISK_MIN_CHARS`` of text or where
    no folder can be made. Returns (what build returned, folder, whether it is a scratch folder).

    A folder that cannot be written to (a full disk) is given up with a warning and the build
    run again in memory; whatever fails, nothing is left behind.
    """
    folder, scratch = None, False
    if total_chars >= _build.DISK_MIN_CHARS:
        try:
            if entry is not None:
                folder = entry
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "meta.json").unlink(missing_ok=True)  # a damaged entry's: built again
            else:
                folder, scratch = _cache.scratch(), True
        except OSError:
            folder, scratch = None, False
    try:
        try:
            return build(folder), folder, scratch
        except OSError as err:
            # a file that cannot be written (a full disk, no permission) has its errno; reading
            # a Parquet file fails otherwise, and would fail again in memory
            if folder is None or err.errno is None:
                raise
            _discard_build(folder, scratch)
            warnings.warn(f"the corpus could not be assembled in {folder} ({err}); building it in memory "
                          "instead. Free space there or set CORPUS_TOOLS_CACHE to another folder.", stacklevel=4)
            folder, scratch = None, False
            return build(None), folder, scratch
    except BaseException:
        if folder is not None:
            _discard_build(folder, scratch)
        raise


def _discard_build(folder: Path, scratch: bool) -> None:
    """Remove what a streamed build left: a scratch folder, or a cache entry that never got its meta.json."""
    if scratch or not (folder / "meta.json").exists():
        shutil.rmtree(folder, ignore_errors=True)


def _warn_damaged(entry: Path, err: Exception) -> None:
    problem = err.problem if isinstance(err, CorpusFolderError) else f"{type(err).__name__}: {err}"
    warnings.warn(f"the cached corpus in {entry} is damaged or unreadable ({problem}); building it again.",
                  stacklevel=3)


def _iso_day(stamp) -> str:
    """``YYYY-MM-DD`` for any year a date column can hold (strftime refuses some)."""
    return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"


def _check_unique_ids(docs) -> None:
    if not docs.index.is_unique:
        dup = docs.index[docs.index.duplicated()].unique()[:5].tolist()
        raise ValueError(f"doc ids must be unique; duplicated: {dup}")


def _texts(docs, text: str) -> pd.Series:
    if isinstance(docs, (str, bytes)):
        raise TypeError("Corpus.from_docs expects a DataFrame of documents, not a string; "
                        "load texts with ct.load(path) or wrap them: pd.DataFrame({'text': [...]}).")
    if not isinstance(docs, pd.DataFrame):
        raise TypeError(f"Corpus.from_docs expects a pandas DataFrame with a {text!r} column; got "
                        f"{type(docs).__name__}. Build one with ct.load(path) or pd.DataFrame({{'text': texts}}).")
    if len(docs) == 0:
        raise ValueError("the corpus is empty: `docs` has no rows.")
    if text not in docs.columns:
        raise ValueError(f"`docs` has no text column {text!r}; available columns: {list(docs.columns)}. "
                         "Pass text='<column>'.")
    col = docs[text]
    missing = col.isna()
    n_missing = int(missing.sum())
    values = col.where(~missing, "") if n_missing else col
    # a string dtype guarantees strings; object columns are checked value by value
    bad = None if _string_dtype(col.dtype) else ~values.map(lambda v: isinstance(v, str))
    if bad is not None and bad.any():
        first = values.index[bad.to_numpy()][0]
        raise TypeError(f"column {text!r} must hold strings; doc {first!r} holds "
                        f"{type(values[first]).__name__} {values[first]!r}. Convert it with docs[{text!r}].astype(str).")
    if n_missing:
        warnings.warn(f"{n_missing} documents have no {text!r} (missing values are read as empty texts).",
                      stacklevel=3)
    return values.reset_index(drop=True)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(docs: pd.DataFrame, file: Path) -> pd.DataFrame:
    """A copy of ``docs`` with every lone surrogate in its strings (and lists of strings) replaced
    by U+FFFD, and a warning naming the documents that held one and ``file``.

    Lone surrogates come from text decoded with ``errors="surrogateescape"`` or from broken JSON
    escapes; UTF-8, and so Parquet, cannot encode them. The tokens never hold them: the
    tokeniser reads them as non-word characters.
    """
    def has(v) -> bool:
        if isinstance(v, str):
            return _SURROGATE.search(v) is not None
        return isinstance(v, (list, tuple, np.ndarray)) and any(has(x) for x in v)

    def fix(v):
        if isinstance(v, str):
            return _SURROGATE.sub("\ufffd", v)
        return [fix(x) for x in v] if isinstance(v, (list, tuple, np.ndarray)) and has(v) else v

    out = docs.copy()
    hit = np.zeros(len(docs), dtype=bool)
    for col in docs.columns:
        values = docs[col]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            found = np.fromiter(map(has, values), dtype=bool, count=len(values))
            if found.any():
                out[col] = pd.Series([fix(v) for v in values], index=values.index, dtype=values.dtype)
                hit |= found
    if docs.index.dtype == object or isinstance(docs.index.dtype, pd.StringDtype):
        found = np.fromiter(map(has, docs.index), dtype=bool, count=len(docs))
        if found.any():
            out.index = pd.Index([fix(v) for v in docs.index], dtype=object, name=docs.index.name)
            hit |= found
    ids = docs.index[hit].tolist()
    warnings.warn(f"{len(ids)} documents hold lone surrogates (characters UTF-8 cannot encode), the first "
                  f"{ids[:3]!r}; {file} stores them as U+FFFD. The tokens are unchanged: the tokeniser "
                  "reads them as non-word characters.", stacklevel=3)
    return out


__all__ = ["Corpus"]
