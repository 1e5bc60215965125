"""The tokenized corpus: vocabulary, token sequences and document-term matrix, aligned with ``docs``."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import warnings
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import __version__
from . import cache as _cache
from ._storage import (CorpusFolderError, check_arrays, doc_ids_checksum, incomplete, read_folder, replace_with,
                       write_folder)
from .errors import check_n_jobs, check_option, check_positive_int
from .text.normalize import BOUNDARY, Normalizer, is_non_final_abbreviation
from .text.phrases import join_phrases, phrase_options
from .text.tokenizer import new_encoder, tokenize_chunk

TOKENIZERS = ("words",)
CHUNK_CHARS = 8_000_000        # text per chunk in one process
MIN_CHUNK_CHARS = 100_000      # smallest chunk handed to a worker
PARALLEL_MIN_CHARS = 4_000_000  # below this much text, workers cost more than they save
_FORMAT_VERSION = 2  # 2: one arrays.bin and vocab.txt; 1: one .npy per array (or npz), vocab.json
# the rules that turn texts into tokens, in the cache key: a cache entry built under other rules
# is not the corpus these texts give now (2: "İ" lowercases to "i")
_TOKEN_RULES = 2
_READABLE_FORMATS = (1, 2)


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
            removes it.
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
        check_option("tokenizer", tokenizer, TOKENIZERS)
        phrase_opts = phrase_options(phrases)
        normalizer = Normalizer(
            lowercase=lowercase,
            stopwords=stopwords,
            extra_stopwords=extra_stopwords,
            min_length=min_length,
            numbers=numbers,
            lemmatize=lemmatize,
            stem=stem,
        )
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

        key = _cache_key(docs.index, texts, params) if cache else None
        entry = None
        if key is not None:
            try:
                entry = _cache_path(key)
            except OSError as err:  # the cache folder cannot be made (no permission, a full disk)
                warnings.warn(f"the corpus cache cannot be used ({err}); building without it.", stacklevel=2)
        if entry is not None and (entry / "meta.json").exists():
            try:
                corpus = cls._load_arrays(entry, docs, map_arrays=True, docs_label="the docs given")
            except (OSError, ValueError, KeyError, TypeError) as err:
                problem = err.problem if isinstance(err, CorpusFolderError) else f"{type(err).__name__}: {err}"
                warnings.warn(f"the cached corpus in {entry} is damaged or unreadable ({problem}); "
                              "building it again.", stacklevel=2)
            else:
                _cache.touch(entry)  # what ct.cache.clear(older_than=...) goes by
                return corpus

        # checked only when building: a cache entry exists only for ids that were unique
        _check_unique_ids(docs)
        limits = None if phrase_opts is not None else (min_df, max_df, max_terms, keep)
        ids, doc_offsets, sent_offsets, vocab = _tokenize_all(
            texts, normalizer, n_jobs=n_jobs, progress=progress, limits=limits
        )
        if len(ids) == 0:
            raise ValueError(
                f"no terms are left in any of the {len(docs)} documents after tokenising "
                f"(stopwords={stopwords!r}, min_length={min_length}, numbers={numbers}); "
                "check the text column or relax these options."
            )
        if phrase_opts is not None:
            sentences = join_phrases(ids, sent_offsets, vocab, phrase_opts)
            ids, doc_offsets, sent_offsets, vocab = _encode_sentences(sentences, sent_offsets, doc_offsets)
        corpus = cls(docs, vocab, ids, doc_offsets, sent_offsets, params=params)
        if phrase_opts is not None and (min_df, max_df, max_terms) != (1, 1.0, None):
            corpus = corpus.filter_terms(min_df=min_df, max_df=max_df, max_terms=max_terms, keep=keep)
        if entry is not None:
            corpus._cache_in(entry)
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
        if "date" in self.docs.columns:
            return pd.to_datetime(self.docs["date"], errors="coerce")
        return pd.Series(pd.NaT, index=self.docs.index, dtype="datetime64[ns]", name="date")

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
        lengths = ends - starts
        is_start = np.zeros(self.n_tokens + 1, dtype=bool)
        is_start[self.sent_offsets[:-1]] = True
        new_starts = np.flatnonzero(is_start[take])
        new_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return Corpus(
            self.docs.iloc[rows],
            self.vocab,
            self.ids[take],
            new_offsets,
            np.concatenate([new_starts, [len(take)]]).astype(np.int64),
            dtm=self.dtm[rows],
            params=self.params,
        )

    def drop_duplicates(self, groups: pd.DataFrame, keep="first") -> Corpus:
        """A new Corpus without the copies listed in ``groups``.

        Parameters
        ----------
        groups : DataFrame
            Columns ``group`` and ``doc_id``, as returned by :func:`corpus_tools.near_duplicates`;
            documents of ``groups`` not in this corpus are ignored.
        keep : {"first", "last", False}
            Which member of each group stays: the earliest (by ``date``, undated last, then
            position in this corpus), the latest, or none.

        Returns
        -------
        Corpus
            The remaining documents, in their order (see :meth:`select`).

        Raises
        ------
        ValueError
            For another ``keep``, or ``groups`` without the columns ``group`` and ``doc_id``.

        Examples
        --------
        >>> groups = ct.near_duplicates(corpus)  # doctest: +SKIP
        >>> corpus.drop_duplicates(groups, keep="first")  # doctest: +SKIP
        """
        from .errors import option_error

        if keep is not False and (not isinstance(keep, str) or keep not in ("first", "last")):
            raise option_error("keep", keep, ["first", "last", False])
        if not isinstance(groups, pd.DataFrame) or not {"group", "doc_id"} <= set(groups.columns):
            raise ValueError("`groups` must be a DataFrame with the columns 'group' and 'doc_id', "
                             "as ct.near_duplicates returns.")
        rows = self.docs.index.get_indexer(groups["doc_id"])
        found = rows >= 0
        rows, group = rows[found].astype(np.int64), groups["group"].to_numpy()[found]
        drop = np.zeros(self.n_docs, dtype=bool)
        drop[rows] = True
        if keep is not False and len(rows):
            date = self.dates.to_numpy().astype("datetime64[ns]")
            key = date.view(np.int64).copy()
            key[np.isnat(date)] = np.iinfo(np.int64).max  # undated last
            order = np.lexsort((rows, key[rows], group))
            g = group[order]
            if keep == "first":
                kept = order[np.r_[True, g[1:] != g[:-1]]]
            else:
                kept = order[np.r_[g[1:] != g[:-1], True]]
            drop[rows[kept]] = False
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
        """Documents holding each term, and its occurrences, read from the stored matrix entries."""
        m = self.dtm
        present = m.data > 0
        df = np.bincount(m.indices[present], minlength=self.n_terms)
        cf = np.bincount(m.indices, weights=m.data, minlength=self.n_terms).astype(np.int64)
        return df, cf

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
        from gensim.corpora import Dictionary
        from gensim.matutils import Sparse2Corpus

        dictionary = Dictionary()
        dictionary.token2id = {t: i for i, t in enumerate(self.vocab)}
        df, cf = self._term_totals()
        dictionary.dfs = {i: int(v) for i, v in enumerate(df)}
        dictionary.cfs = {i: int(v) for i, v in enumerate(cf)}
        dictionary.num_docs = self.n_docs
        dictionary.num_pos = self.n_tokens
        dictionary.num_nnz = int(self.dtm.nnz)
        return dictionary, Sparse2Corpus(self.dtm, documents_columns=False)

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
        # the ids as written (surrogates replaced): what load compares docs.parquet's with
        self._save_arrays(path, files={"docs.parquet": data}, doc_ids=docs.index)
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
        return cls._from_folder(path, docs, meta, vocab, arrays)

    def _save_arrays(self, path: Path, files: dict[str, bytes] | None = None, doc_ids=None) -> None:
        arrays = {"ids": self.ids, "doc_offsets": self.doc_offsets, "sent_offsets": self.sent_offsets,
                  "dtm_data": self.dtm.data, "dtm_indices": self.dtm.indices, "dtm_indptr": self.dtm.indptr}
        meta = {"format": _FORMAT_VERSION, "corpus_tools": __version__, "params": self.params,
                "n_docs": self.n_docs, "n_tokens": self.n_tokens, "n_terms": self.n_terms}
        if doc_ids is not None:
            meta["doc_ids_crc32"] = doc_ids_checksum(doc_ids)
        write_folder(path, arrays, self.vocab.tolist(), meta, files)

    def _cache_in(self, entry: Path) -> None:
        """Write the corpus to cache folder ``entry``; a failure (a full disk, no permission) only warns."""
        try:
            self._save_arrays(entry)
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
        if meta.get("format") not in _READABLE_FORMATS:
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


def _string_dtype(dtype) -> bool:
    """True for dtypes that can hold only strings: pandas' string dtypes and Arrow strings."""
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    return False


def _check_limits(min_df, max_df, max_terms) -> None:
    for name, value in (("min_df", min_df), ("max_df", max_df)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"`{name}` must be an int (documents) or a float (share of documents); got {value!r}.")
        if isinstance(value, (float, np.floating)) and not 0.0 <= value <= 1.0:
            raise ValueError(f"`{name}` as a float is a share of documents and must lie in [0, 1]; got {value!r}.")
        if value < 0:
            raise ValueError(f"`{name}` must not be negative; got {value!r}.")
    check_positive_int("max_terms", max_terms, allow_none=True)


def _kept_terms(df, cf, n_docs, vocab, min_df, max_df, max_terms, keep) -> np.ndarray:
    """Boolean mask over the (sorted) vocabulary of the terms within the frequency limits."""
    lo = min_df if isinstance(min_df, (int, np.integer)) else min_df * n_docs
    hi = max_df if isinstance(max_df, (int, np.integer)) else max_df * n_docs
    kept = (df >= lo) & (df <= hi) & (df > 0)
    if max_terms is not None and kept.sum() > max_terms:
        order = np.lexsort((np.arange(len(df)), -cf))  # most frequent first, ties in term order
        order = order[kept[order]][:max_terms]
        kept = np.zeros(len(df), dtype=bool)
        kept[order] = True
    if keep is not None:
        kept |= pd.Index(vocab).isin(list(keep)) & (df > 0)
    if not kept.any():
        present = df[df > 0]
        raise ValueError(
            f"min_df={min_df!r} and max_df={max_df!r} remove every term: document frequencies "
            f"range from {present.min() if len(present) else 0} to {df.max() if len(df) else 0} over {n_docs} "
            "documents; lower min_df or raise max_df."
        )
    return kept


def _cache_key(index: pd.Index, texts: pd.Series, params: dict) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({"v": __version__, "format": _FORMAT_VERSION, "rules": _TOKEN_RULES, "params": params},
                        sort_keys=True,
                        default=str).encode())
    _hash_strings(h, index)
    _hash_strings(h, texts)
    return h.hexdigest()[:32]


def _hash_strings(h, values: pd.Series | pd.Index) -> None:
    """Feed the content of a column of strings to hash ``h``: lengths, characters and missing places.

    Reads the Arrow buffers behind the column instead of visiting each string, so that finding
    a cached corpus costs a few milliseconds even for 50,000 headlines, and copies no text.
    Equal strings give equal bytes whatever the column's chunking or dtype.
    """
    import pyarrow as pa

    try:
        if _string_dtype(values.dtype) and getattr(values.dtype, "storage", "pyarrow") == "pyarrow":
            arr = pa.chunked_array(pa.array(values))
        else:
            # None, NaN and pd.NA are all "missing", as in the Arrow columns
            missing = lambda v: v is None or v is pd.NA or (isinstance(v, float) and v != v)  # noqa: E731
            items = [v if isinstance(v, str) else None if missing(v) else str(v) for v in values]
            arr = pa.chunked_array([pa.array(items, type=pa.large_string())])
    except (pa.ArrowException, UnicodeError):  # e.g. lone surrogates, which Arrow cannot hold
        # one value at a time, each with its length (a separator could occur in a text); a
        # missing value has the length -1
        h.update(b"surrogates")
        for v in values:
            data = v.encode("utf-8", "surrogatepass") if isinstance(v, str) else None
            if data is None and not (v is None or v is pd.NA or (isinstance(v, float) and v != v)):
                data = str(v).encode("utf-8", "surrogatepass")
            h.update((-1 if data is None else len(data)).to_bytes(8, "little", signed=True))
            h.update(data or b"")
        return
    spans, nulls, total, start = [], [], 0, 0
    h.update(len(arr).to_bytes(8, "little"))
    for chunk in arr.chunks:  # string ends, counted from the start of the whole column
        _, offsets, data = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        off = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        if width is np.int64 and total == 0 and off[0] == 0:
            h.update(off[1:])  # already the bytes the general case makes: no copies
        else:
            off = off.astype(np.int64)
            h.update((off[1:] - off[0] + total).tobytes())
        total += int(off[-1] - off[0])
        spans.append((data, int(off[0]), int(off[-1])))
        if chunk.null_count:
            nulls.append(np.flatnonzero(chunk.is_null().to_numpy(zero_copy_only=False)) + start)
        start += len(chunk)
    for data, first, last in spans:
        if data is not None and last > first:
            h.update(memoryview(data)[first:last])
    if nulls:
        h.update(b"nulls")
        h.update(np.concatenate(nulls).astype(np.int64).tobytes())


def _cache_path(key: str) -> Path:
    return _cache.path() / key


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, e)`` for every pair, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lengths)


def _build_dtm(ids: np.ndarray, doc_offsets: np.ndarray, n_terms: int) -> sp.csr_matrix:
    idx_dtype = np.int32 if len(ids) < np.iinfo(np.int32).max else np.int64
    m = sp.csr_matrix(
        # a copy: sum_duplicates sorts the indices in place, and ids must keep the token order
        (np.ones(len(ids), dtype=np.int32), ids.astype(idx_dtype, copy=True), doc_offsets.astype(idx_dtype)),
        shape=(len(doc_offsets) - 1, n_terms),
    )
    m.sum_duplicates()
    return m


class _TypeTable:
    """Distinct surface strings seen so far, each normalised once, with what the chunks need of them."""

    def __init__(self, normalizer: Normalizer):
        self.normalizer = normalizer
        self.encoder = new_encoder()                 # surface string -> code, across chunks
        self.term_ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.kind = np.zeros(0, dtype=np.int32)      # provisional term id, DROP or BOUNDARY
        self.abbrev = np.zeros(0, dtype=bool)        # "Mr", "Jan": a following "." is no boundary
        self.period = np.zeros(0, dtype=bool)        # exactly "."

    def add(self, new: list[str]) -> None:
        """Normalise the surface strings the encoder has just numbered."""
        if new:
            self.kind = np.concatenate([self.kind, self.normalizer.classify(new, self.term_ids, self.terms)])
            self.abbrev = np.concatenate([self.abbrev, [is_non_final_abbreviation(t) for t in new]])
            self.period = np.concatenate([self.period, [t == "." for t in new]])


def _chunk_result(gidx: np.ndarray, lengths: np.ndarray, table: _TypeTable):
    """Map one chunk's global string codes to provisional term ids, per-document counts and sentence starts."""
    mapped = table.kind[gidx]
    boundary = mapped == BOUNDARY
    if boundary.any():
        # "Mr. Shoigu": a full stop right after a title abbreviation does not end the sentence
        boundary[1:] &= ~(table.period[gidx[1:]] & table.abbrev[gidx[:-1]])
    starts = np.cumsum(lengths) - lengths
    boundary[starts[lengths > 0]] = True
    keep = mapped >= 0
    ids = mapped[keep]
    sent = np.cumsum(boundary)[keep]
    sent_starts = np.flatnonzero(np.r_[True, sent[1:] != sent[:-1]]) if len(sent) else np.zeros(0, np.int64)
    doc_rows = np.repeat(np.arange(len(lengths)), lengths)[keep]
    per_doc = np.bincount(doc_rows, minlength=len(lengths))
    return ids, per_doc, sent_starts


def _chunk_bounds(texts: pd.Series, n_jobs: int) -> list[tuple[int, int]]:
    """Split the texts into runs of about CHUNK_CHARS characters (smaller when there are workers).

    Large chunks mean fewer distinct strings to look up again in each chunk; with workers, at
    least four chunks per worker keep them all busy.
    """
    sizes = texts.str.len().to_numpy(dtype=np.int64)
    total = int(sizes.sum())
    target = CHUNK_CHARS if n_jobs == 1 else max(min(CHUNK_CHARS, total // (4 * n_jobs)), MIN_CHUNK_CHARS)
    ends = np.searchsorted(np.cumsum(sizes), np.arange(target, total, target), side="right") + 1
    cuts = np.unique(np.concatenate([[0], np.minimum(ends, len(texts)), [len(texts)]]))
    return list(zip(cuts[:-1].tolist(), cuts[1:].tolist()))


def _process_chunk(texts: list[str], lowercase: bool, table: _TypeTable):
    """Everything one chunk needs, in table's term numbering: ids, tokens per document,
    sentence starts and document frequencies."""
    codes, new, lengths = tokenize_chunk(texts, lowercase, table.encoder)
    table.add(new)
    ids, per_doc, sent_starts = _chunk_result(codes, lengths, table)
    del codes
    # document frequencies, from this chunk's distinct (document, term) pairs
    pairs = _build_dtm(ids, np.concatenate([[0], np.cumsum(per_doc)]), len(table.terms))
    df = np.bincount(pairs.indices, minlength=len(table.terms))
    return ids, per_doc, sent_starts, df


# What forked workers read instead of receiving it pickled (set just before the pool starts).
_WORKER_STATE: tuple = ()
# A worker's own table of surface strings and terms, kept across the chunks it processes so that
# each string is normalised once per worker, not once per chunk.
_WORKER_TABLE = None


def _worker_chunk(bounds: tuple[int, int]):
    """A whole chunk in a worker, numbered by the worker's own table.

    Returns what :func:`_process_chunk` does, the worker's process id and the terms its table
    gained with this chunk, in its numbering.
    """
    global _WORKER_TABLE
    texts, normalizer, lowercase = _WORKER_STATE
    if not isinstance(texts, list):
        texts = texts.iloc[bounds[0] : bounds[1]].tolist()
    if _WORKER_TABLE is None:
        _WORKER_TABLE = _TypeTable(normalizer)
    known = len(_WORKER_TABLE.terms)
    result = _process_chunk(texts, lowercase, _WORKER_TABLE)
    return (*result, os.getpid(), _WORKER_TABLE.terms[known:])


def _spawned_chunk(texts: list[str], normalizer_args: dict, lowercase: bool):
    global _WORKER_STATE
    _WORKER_STATE = (texts, Normalizer(**normalizer_args), lowercase)
    return _worker_chunk((0, len(texts)))


def _tokenize_all(texts: pd.Series, normalizer: Normalizer, *, n_jobs: int, progress: bool, limits=None):
    """Tokenise every text and assemble ids, document and sentence offsets, and the sorted vocabulary.

    Works chunk by chunk so that memory stays near the size of the result: the texts are turned
    into Python strings one chunk at a time, and the frequency limits (``limits``: min_df, max_df,
    max_terms, keep) are applied while the chunks are assembled, not on a full-size copy. With
    ``n_jobs > 1`` each worker processes whole chunks and the main process only merges their
    term numbering.
    """
    global _WORKER_STATE
    n_jobs = check_n_jobs(n_jobs)
    if n_jobs > 1 and int(texts.str.len().sum()) < PARALLEL_MIN_CHARS:
        n_jobs = 1
    bounds = _chunk_bounds(texts, n_jobs)
    n_jobs = min(n_jobs, len(bounds))
    lowercase = normalizer.lowercase_text
    table = _TypeTable(normalizer)
    chunks = []  # per chunk: provisional ids, tokens per doc, sentence starts
    df = np.zeros(0, dtype=np.int64)
    # no bar object at all without progress: tqdm's notebook bar warns when ipywidgets is missing
    bar = None
    if progress:
        from tqdm.auto import tqdm  # imported only when asked for: it pulls in asyncio

        bar = tqdm(total=len(texts), desc="tokenizing", unit="doc", delay=1.0)
    executor = None
    try:
        if n_jobs > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            # fork shares the texts with the workers for free and needs no `if __name__ ==
            # "__main__"` guard, so it works the same from a script and a Jupyter kernel
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            executor = ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context(method))
            if method == "fork":
                _WORKER_STATE = (texts, normalizer, lowercase)
                results = executor.map(_worker_chunk, bounds)
            else:
                args = {f.name: getattr(normalizer, f.name) for f in fields(normalizer) if f.init}
                results = executor.map(_spawned_chunk, [texts.iloc[a:b].tolist() for a, b in bounds],
                                       [args] * len(bounds), [lowercase] * len(bounds))
            mappings: dict[int, np.ndarray] = {}  # per worker: its term numbers -> the shared ones
            results = (_renumber(table, mappings, *result) for result in results)
        else:
            results = (_process_chunk(texts.iloc[a:b].tolist(), lowercase, table) for a, b in bounds)
        for (a, b), (ids, per_doc, sent_starts, chunk_df) in zip(bounds, results):
            df = _add_padded(df, chunk_df)
            chunks.append((ids, per_doc, sent_starts))
            if bar is not None:
                bar.update(b - a)
    finally:
        if bar is not None:
            bar.close()
        _WORKER_STATE = ()
        if executor is not None:
            executor.shutdown()

    # sorted vocabulary: the same ids whatever the chunking or number of workers
    terms = np.asarray(table.terms, dtype=object)
    order = np.argsort(terms, kind="stable") if len(terms) else np.zeros(0, np.int64)
    vocab = terms[order].tolist()
    kept = np.ones(len(vocab), dtype=bool)
    if limits is not None and limits[:3] != (1, 1.0, None) and len(vocab):
        cf = np.zeros(len(terms), dtype=np.int64)
        for ids, _, _ in chunks:
            cf += np.bincount(ids, minlength=len(terms))
        kept = _kept_terms(df[order], cf[order], len(texts), vocab, *limits)
        vocab = [t for t, k in zip(vocab, kept) if k]
    final = np.full(len(terms), -1, dtype=np.int32)  # provisional id -> final id, -1 when dropped
    final[order[kept]] = np.arange(int(kept.sum()), dtype=np.int32)
    return (*_assemble(chunks, final), vocab)


def _renumber(table: _TypeTable, mappings: dict, ids, per_doc, sent_starts, df, worker: int, new_terms):
    """Translate a worker's term numbers into the shared table's (adding terms it has not seen).

    A worker's chunks arrive in the order it processed them, so its mapping only grows by the
    terms the chunk added.
    """
    term_ids, terms = table.term_ids, table.terms
    added = np.empty(len(new_terms), dtype=np.int32)
    for i, t in enumerate(new_terms):
        j = term_ids.get(t)
        if j is None:
            j = term_ids[t] = len(terms)
            terms.append(t)
        added[i] = j
    mapping = mappings[worker] = np.concatenate([mappings.get(worker, np.zeros(0, np.int32)), added])
    shared_df = np.zeros(len(terms), dtype=np.int64)
    shared_df[mapping[: len(df)]] = df
    return mapping[ids], per_doc, sent_starts, shared_df


def _add_padded(total: np.ndarray, part: np.ndarray) -> np.ndarray:
    """total + part, where part may be longer (new terms appear chunk after chunk)."""
    if len(part) > len(total):
        total = np.concatenate([total, np.zeros(len(part) - len(total), dtype=total.dtype)])
    total[: len(part)] += part
    return total


def _assemble(chunks: list, final: np.ndarray):
    """Map every chunk's provisional ids to final ids, drop removed terms, and concatenate.

    Frees each chunk as soon as it is copied, so the peak stays near one copy of the result.
    """
    counts = [int(np.count_nonzero(final[ids] >= 0)) for ids, _, _ in chunks]
    out = np.empty(sum(counts), dtype=np.int32)
    doc_counts, sent_parts = [], []
    pos = 0
    while chunks:
        ids, per_doc, sent_starts = chunks.pop(0)
        mapped = final[ids]
        keep = mapped >= 0
        before = np.concatenate([[0], np.cumsum(keep)])
        out[pos : pos + before[-1]] = mapped[keep]
        doc_ends = before[np.cumsum(per_doc)]
        doc_counts.append(np.diff(np.concatenate([[0], doc_ends])))
        sent_parts.append(np.unique(before[sent_starts][before[sent_starts] < before[-1]]) + pos)
        pos += int(before[-1])
        del ids, mapped, keep, before
    counts = np.concatenate(doc_counts) if doc_counts else np.zeros(0, np.int64)
    doc_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    sent_offsets = np.concatenate([*sent_parts, [len(out)]]).astype(np.int64)
    return out, doc_offsets, sent_offsets


def _encode_sentences(sentences: list[list[str]], sent_offsets: np.ndarray, doc_offsets: np.ndarray):
    """Re-encode phrase-joined sentences into ids, document offsets and sentence offsets."""
    sent_lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
    flat = [t for s in sentences for t in s]
    codes, uniques = pd.factorize(np.array(flat, dtype=object), sort=True)
    new_sent_offsets = np.concatenate([[0], np.cumsum(sent_lengths)]).astype(np.int64)
    # each document starts a sentence: its first sentence index maps to the new offset
    first_sentence = np.searchsorted(sent_offsets, doc_offsets)
    new_doc_offsets = new_sent_offsets[first_sentence]
    return codes.astype(np.int32), new_doc_offsets, new_sent_offsets, list(uniques)


__all__ = ["Corpus"]
