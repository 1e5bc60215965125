"""Building a corpus's arrays from texts: the tokenising pipeline.

Texts are tokenised chunk by chunk (in worker processes with ``n_jobs > 1``); each distinct
surface string is normalised once per process (:class:`_TypeTable`); the chunks' provisional term
numbers are merged into one sorted vocabulary, the frequency limits are applied, and the chunks
are assembled into the flat arrays a :class:`~corpus_tools.corpus.Corpus` holds: term ids,
document offsets, sentence offsets and the document-term matrix.

The texts come from a pandas Series (:func:`_tokenize_all`) or arrive as a stream of Arrow
arrays read from disk (:func:`tokenize_stream`). Given a folder, the chunks' results wait in a
temporary file there and the arrays are assembled into the folder's ``arrays.bin`` and mapped
from it, so that memory does not grow with the corpus.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import fields

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._storage import ArrayFile, map_written
from .errors import check_n_jobs, check_positive_int
from .text.normalize import BOUNDARY, Normalizer, is_non_final_abbreviation
from .text.tokenizer import new_encoder, tokenize_chunk

TOKENIZERS = ("words",)
CHUNK_CHARS = 8_000_000        # text per chunk in one process
MIN_CHUNK_CHARS = 100_000      # smallest chunk handed to a worker
PARALLEL_MIN_CHARS = 4_000_000  # below this much text, workers cost more than they save
# from this much text on, a corpus is assembled on disk and mapped (see tokenize_stream): below,
# its arrays are small and files would only cost time
DISK_MIN_CHARS = 32_000_000
# the rules that turn texts into tokens, in the cache key: a cache entry built under other rules
# is not the corpus these texts give now (2: "İ" lowercases to "i")
TOKEN_RULES = 2
# the build options and their defaults, as Corpus.from_docs takes them; ct.cache.info shows
# the options of a cached corpus that differ from these
DEFAULTS = {"text": "text", "lowercase": True, "tokenizer": "words", "stopwords": "english",
            "extra_stopwords": None, "min_length": 2, "numbers": False, "lemmatize": False, "stem": False,
            "phrases": False, "min_df": 1, "max_df": 1.0, "max_terms": None, "keep": None}


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


def _limits_filter(min_df, max_df, max_terms) -> bool:
    """Whether the limits can remove a term. The type matters, not only the value: ``min_df=1.0``
    (a float) keeps only the terms of every document and ``max_df=1`` (an int) only the terms
    of one document, although ``1.0 == 1``."""
    no_min = isinstance(min_df, (int, np.integer)) and min_df <= 1
    no_max = isinstance(max_df, (float, np.floating)) and max_df >= 1.0
    return not (no_min and no_max and max_terms is None)


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
    target = _chunk_target(total, n_jobs)
    ends = np.searchsorted(np.cumsum(sizes), np.arange(target, total, target), side="right") + 1
    cuts = np.unique(np.concatenate([[0], np.minimum(ends, len(texts)), [len(texts)]]))
    return list(zip(cuts[:-1].tolist(), cuts[1:].tolist()))


def _chunk_target(total_chars: int, n_jobs: int) -> int:
    """Characters per chunk for ``total_chars`` of text and ``n_jobs`` processes."""
    if n_jobs == 1:
        return CHUNK_CHARS
    return max(min(CHUNK_CHARS, total_chars // (4 * n_jobs)), MIN_CHUNK_CHARS)


def _process_chunk(texts: list[str], lowercase: bool, table: _TypeTable):
    """Everything one chunk needs, in table's term numbering: ids, tokens per document,
    sentence starts and the chunk's document-term counts (a csr matrix)."""
    codes, new, lengths = tokenize_chunk(texts, lowercase, table.encoder)
    table.add(new)
    ids, per_doc, sent_starts = _chunk_result(codes, lengths, table)
    del codes
    counts = _build_dtm(ids, np.concatenate([[0], np.cumsum(per_doc)]), len(table.terms))
    return ids, per_doc, sent_starts, counts


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


def _start_stream_worker(normalizer_args: dict, lowercase: bool) -> None:
    """Set up a worker that receives its chunks as Arrow string arrays (a streamed build)."""
    global _WORKER_STATE, _WORKER_TABLE
    _WORKER_STATE = (None, Normalizer(**normalizer_args), lowercase)
    _WORKER_TABLE = None  # a forked worker inherits the parent's: start its own


def _streamed_chunk(texts):
    """A chunk of a streamed build in a worker: ``texts`` is an Arrow string array without nulls."""
    global _WORKER_STATE
    _, normalizer, lowercase = _WORKER_STATE
    _WORKER_STATE = (texts.to_pylist(), normalizer, lowercase)
    try:
        return _worker_chunk((0, len(texts)))
    finally:
        _WORKER_STATE = (None, normalizer, lowercase)


def _normalizer_args(normalizer: Normalizer) -> dict:
    return {f.name: getattr(normalizer, f.name) for f in fields(normalizer) if f.init}


def _progress_bar(total: int, progress: bool):
    # no bar object at all without progress: tqdm's notebook bar warns when ipywidgets is missing
    if not progress:
        return None
    from tqdm.auto import tqdm  # imported only when asked for: it pulls in asyncio

    return tqdm(total=total, desc="tokenizing", unit="doc", delay=1.0)


def _pool(n_jobs: int, **kwargs):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the texts with the workers for free and needs no `if __name__ ==
    # "__main__"` guard, so it works the same from a script and a Jupyter kernel
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context(method), **kwargs), method


def _tokenize_all(texts: pd.Series, normalizer: Normalizer, *, n_jobs: int, progress: bool, limits=None,
                  folder=None):
    """Tokenise every text and assemble ids, document and sentence offsets, the document-term
    matrix and the sorted vocabulary, and (with ``folder``) what :func:`tokenize_stream` says.

    Works chunk by chunk so that memory stays near the size of the result (with ``folder``,
    far below it): the texts are turned into Python strings one chunk at a time, and the
    frequency limits (``limits``: min_df, max_df, max_terms, keep) are applied while the chunks
    are assembled, not on a full-size copy. With ``n_jobs > 1`` each worker processes whole
    chunks and the main process only merges their term numbering.
    """
    global _WORKER_STATE
    n_jobs = check_n_jobs(n_jobs)
    if n_jobs > 1 and int(texts.str.len().sum()) < PARALLEL_MIN_CHARS:
        n_jobs = 1
    bounds = _chunk_bounds(texts, n_jobs)
    n_jobs = min(n_jobs, len(bounds))
    lowercase = normalizer.lowercase_text
    table = _TypeTable(normalizer)
    executor = None
    store = _SpilledChunks(folder) if folder is not None else _Chunks()
    try:
        if n_jobs > 1:
            executor, method = _pool(n_jobs)
            if method == "fork":
                _WORKER_STATE = (texts, normalizer, lowercase)
                results = executor.map(_worker_chunk, bounds)
            else:
                results = executor.map(_spawned_chunk, [texts.iloc[a:b].tolist() for a, b in bounds],
                                       [_normalizer_args(normalizer)] * len(bounds), [lowercase] * len(bounds))
            mappings: dict[int, np.ndarray] = {}  # per worker: its term numbers -> the shared ones
            results = (_renumber(table, mappings, *result) for result in results)
        else:
            results = (_process_chunk(texts.iloc[a:b].tolist(), lowercase, table) for a, b in bounds)
        return _collect(results, table, len(texts), limits, progress, store, folder)
    finally:
        _WORKER_STATE = ()
        store.close()
        if executor is not None:
            executor.shutdown()


def tokenize_stream(chunks, n_docs: int, total_chars: int, normalizer: Normalizer, *, n_jobs: int,
                    progress: bool, limits=None, folder=None):
    """What :func:`_tokenize_all` returns, for texts that arrive chunk by chunk.

    ``chunks`` yields Arrow string arrays without nulls, of about :func:`chunk_chars` characters
    each (call it with ``total_chars``, the texts' total size, and ``n_jobs``), ``n_docs`` texts
    in all; only a few chunks are held at a time. With workers, each chunk is sent to one
    (Arrow arrays pickle as their buffers) and at most two per worker are under way.

    With ``folder`` (a Path), nothing grows with the corpus in memory: each chunk's arrays go to
    a temporary file there as they come, and the assembled arrays are written to
    ``folder/arrays.bin`` (:class:`~corpus_tools._storage.ArrayFile`) and returned mapped from
    it; the last element of the result is then (layout, checksums) for
    :func:`~corpus_tools._storage.write_folder`, else None.
    """
    n_jobs = check_n_jobs(n_jobs)
    if n_jobs > 1 and total_chars < PARALLEL_MIN_CHARS:
        n_jobs = 1
    lowercase = normalizer.lowercase_text
    table = _TypeTable(normalizer)
    store = _SpilledChunks(folder) if folder is not None else _Chunks()
    try:
        if n_jobs == 1:
            results = (_process_chunk(chunk.to_pylist(), lowercase, table) for chunk in chunks)
            return _collect(results, table, n_docs, limits, progress, store, folder)
        executor, _ = _pool(n_jobs, initializer=_start_stream_worker,
                            initargs=(_normalizer_args(normalizer), lowercase))
        with executor:
            # forked workers start with the first task: let that be before reading the chunks starts
            # another thread here (the texts read ahead), which a fork would catch mid-work
            executor.submit(int).result()
            mappings: dict[int, np.ndarray] = {}
            results = (_renumber(table, mappings, *result) for result in _bounded_map(executor, chunks, 2 * n_jobs))
            return _collect(results, table, n_docs, limits, progress, store, folder)
    finally:
        store.close()


def chunk_chars(total_chars: int, n_jobs: int) -> int:
    """Characters per chunk that :func:`tokenize_stream` wants for ``total_chars`` of text."""
    n_jobs = check_n_jobs(n_jobs)
    return _chunk_target(total_chars, 1 if total_chars < PARALLEL_MIN_CHARS else n_jobs)


def _bounded_map(executor, chunks, ahead: int):
    """Results of :func:`_streamed_chunk` over ``chunks``, in order, with at most ``ahead`` under way,
    so that the chunks are read from disk only as fast as the workers take them."""
    from collections import deque

    pending: deque = deque()
    for chunk in chunks:
        pending.append(executor.submit(_streamed_chunk, chunk))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class _Chunks:
    """The chunks' results, kept in memory until they are assembled."""

    def __init__(self):
        self._chunks: list = []
        self.n_tokens = self.n_sentences = self.nnz = self.n_docs = 0

    def append(self, chunk) -> None:
        ids, per_doc, sent_starts, counts = chunk
        self.n_tokens += len(ids)
        self.n_sentences += len(sent_starts)
        self.nnz += counts.nnz
        self.n_docs += len(per_doc)
        self._store(chunk)

    def _store(self, chunk) -> None:
        self._chunks.append(chunk)

    def each(self):
        yield from self._chunks

    def pop_each(self):
        """Each chunk once, freed as soon as the caller is done with it."""
        self._chunks.reverse()  # popped from the end: no list shifting
        while self._chunks:
            yield self._chunks.pop()

    def close(self) -> None:
        self._chunks = []


class _SpilledChunks(_Chunks):
    """The chunks' results in a temporary file in ``folder``, read back one at a time."""

    def __init__(self, folder):
        super().__init__()
        self.path = folder / f".chunks.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp"
        self._file = open(self.path, "w+b")
        self._spans: list = []

    def _store(self, chunk) -> None:
        ids, per_doc, sent_starts, counts = chunk
        spans = []
        for a in (ids, per_doc, sent_starts, counts.data, counts.indices, counts.indptr):
            a = np.ascontiguousarray(a)
            spans.append((a.dtype, self._file.tell(), len(a)))
            self._file.write(memoryview(a).cast("B") if a.size else b"")
        self._spans.append((spans, counts.shape))

    def each(self):
        self._file.flush()
        for spans, shape in self._spans:
            ids, per_doc, sent_starts, data, indices, indptr = (self._read(*span) for span in spans)
            yield ids, per_doc, sent_starts, sp.csr_matrix((data, indices, indptr), shape=shape)

    def _read(self, dtype, offset: int, n: int) -> np.ndarray:
        a = np.empty(n, dtype=dtype)
        self._file.seek(offset)
        if n and self._file.readinto(memoryview(a).cast("B")) != a.nbytes:
            raise OSError(f"{self.path} is shorter than what was written to it")
        return a

    def pop_each(self):
        yield from self.each()

    def close(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def _collect(results, table: _TypeTable, n_docs: int, limits, progress: bool, store: _Chunks | None = None,
             folder=None):
    """Gather the chunks' results, number the vocabulary in sorted order, apply the frequency
    limits and assemble (ids, doc_offsets, sent_offsets, dtm, vocab, written) — see
    :func:`tokenize_stream` for ``folder`` and ``written``."""
    store = _Chunks() if store is None else store
    df = np.zeros(0, dtype=np.int64)
    cf = np.zeros(0, dtype=np.int64) if limits is not None and _limits_filter(*limits[:3]) else None
    bar = _progress_bar(n_docs, progress)
    try:
        for ids, per_doc, sent_starts, counts in results:
            # document frequencies: the counts hold each (document, term) pair once
            df = _add_padded(df, np.bincount(counts.indices, minlength=counts.shape[1]))
            if cf is not None:
                cf = _add_padded(cf, np.bincount(ids, minlength=counts.shape[1]))
            store.append((ids, per_doc, sent_starts, counts))
            if bar is not None:
                bar.update(len(per_doc))
            del ids, per_doc, sent_starts, counts
    finally:
        if bar is not None:
            bar.close()

    # sorted vocabulary: the same ids whatever the chunking or number of workers
    terms = np.asarray(table.terms, dtype=object)
    order = np.argsort(terms, kind="stable") if len(terms) else np.zeros(0, np.int64)
    vocab = terms[order].tolist()
    kept = np.ones(len(vocab), dtype=bool)
    if cf is not None and len(vocab):
        df, cf = (_add_padded(a, np.zeros(len(terms), dtype=np.int64)) for a in (df, cf))
        kept = _kept_terms(df[order], cf[order], n_docs, vocab, *limits)
        vocab = [t for t, k in zip(vocab, kept) if k]
    final = np.full(len(terms), -1, dtype=np.int32)  # provisional id -> final id, -1 when dropped
    final[order[kept]] = np.arange(int(kept.sum()), dtype=np.int32)
    ids, doc_offsets, sent_offsets, dtm, written = _assemble(store, final, len(vocab), folder)
    return ids, doc_offsets, sent_offsets, dtm, vocab, written


def _map_chunk(chunk, final: np.ndarray, n_terms: int):
    """One chunk in final term ids, without the removed terms: its ids, tokens per document,
    sentence starts (within the chunk's kept tokens) and counts (each row's columns sorted)."""
    ids, per_doc, sent_starts, counts = chunk
    mapped = final[ids]
    keep = mapped >= 0
    before = np.concatenate([[0], np.cumsum(keep)])
    doc_counts = np.diff(np.concatenate([[0], before[np.cumsum(per_doc)]]))
    starts = before[sent_starts]
    sentences = np.unique(starts[starts < before[-1]])
    ids = mapped[keep]
    del mapped, keep, before
    mapped = final[counts.indices]
    keep = mapped >= 0
    ptr = np.concatenate([[0], np.cumsum(keep)])[counts.indptr]
    part = sp.csr_matrix((counts.data[keep], mapped[keep], ptr), shape=(counts.shape[0], n_terms))
    part.sort_indices()  # final ids are in vocabulary order, provisional ones in order of appearance
    return ids, doc_counts, sentences, part


def _assemble(store: _Chunks, final: np.ndarray, n_terms: int, folder=None):
    """Map every chunk's provisional ids to final ids, drop removed terms, and concatenate the
    tokens and the counts: (ids, doc_offsets, sent_offsets, dtm, written).

    The outputs are allocated empty (or, with ``folder``, written to ``folder/arrays.bin``) and
    filled chunk by chunk while the chunks are freed, so the peak stays near one copy of the
    result (none, with ``folder``). The matrix equals ``_build_dtm`` of the assembled tokens,
    dtypes included, without the full-size temporary arrays that needs.
    """
    n_tokens, n_sentences, nnz = store.n_tokens, store.n_sentences, store.nnz
    if not (final >= 0).all():  # terms were removed: count what stays
        n_tokens = n_sentences = nnz = 0
        for ids, _, sent_starts, counts in store.each():
            keep = final[ids] >= 0
            before = np.concatenate([[0], np.cumsum(keep)])
            starts = before[sent_starts]
            n_tokens += int(before[-1])
            n_sentences += len(np.unique(starts[starts < before[-1]]))
            nnz += int(np.count_nonzero(final[counts.indices] >= 0))
            del keep, before, starts
    idx_dtype = np.int32 if n_tokens < np.iinfo(np.int32).max else np.int64  # as _build_dtm
    sizes = {"ids": (np.int32, n_tokens), "doc_offsets": (np.int64, store.n_docs + 1),
             "sent_offsets": (np.int64, n_sentences + 1), "dtm_data": (np.int32, nnz),
             "dtm_indices": (idx_dtype, nnz), "dtm_indptr": (idx_dtype, store.n_docs + 1)}
    sink = ArrayFile(folder, sizes) if folder is not None else _ArraysInMemory(sizes)
    try:
        sink.write("doc_offsets", [0])
        sink.write("dtm_indptr", [0])
        pos = nz = 0
        for chunk in store.pop_each():
            ids, doc_counts, sentences, part = _map_chunk(chunk, final, n_terms)
            del chunk
            sink.write("ids", ids)
            sink.write("doc_offsets", pos + np.cumsum(doc_counts))
            sink.write("sent_offsets", sentences + pos)
            sink.write("dtm_data", part.data)
            sink.write("dtm_indices", part.indices)
            sink.write("dtm_indptr", part.indptr[1:] + nz)
            pos += len(ids)
            nz += part.nnz
            del ids, doc_counts, sentences, part
        sink.write("sent_offsets", [pos])
        if folder is not None:
            written = sink.close()
            arrays = map_written(folder, written[0])
        else:
            written, arrays = None, sink.arrays
    except BaseException:
        if folder is not None:
            sink.discard()
        raise
    dtm = sp.csr_matrix((arrays["dtm_data"], arrays["dtm_indices"], arrays["dtm_indptr"]),
                        shape=(store.n_docs, n_terms))
    dtm.has_canonical_format = True  # each row's columns sorted and distinct, as sum_duplicates leaves them
    return arrays["ids"], arrays["doc_offsets"], arrays["sent_offsets"], dtm, written


class _ArraysInMemory:
    """The arrays of :func:`_assemble`, filled part by part as :class:`ArrayFile` fills its file."""

    def __init__(self, sizes: dict):
        self.arrays = {name: np.empty(n, dtype=dtype) for name, (dtype, n) in sizes.items()}
        self.done = dict.fromkeys(sizes, 0)

    def write(self, name: str, part) -> None:
        k = self.done[name]
        self.arrays[name][k : k + len(part)] = part
        self.done[name] = k + len(part)


def _renumber(table: _TypeTable, mappings: dict, ids, per_doc, sent_starts, counts, worker: int, new_terms):
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
    # rows keep their entries; within a row the columns are sorted again when assembled
    counts = sp.csr_matrix((counts.data, mapping[counts.indices], counts.indptr), shape=(counts.shape[0], len(terms)))
    return mapping[ids], per_doc, sent_starts, counts


def _add_padded(total: np.ndarray, part: np.ndarray) -> np.ndarray:
    """total + part, where part may be longer (new terms appear chunk after chunk)."""
    if len(part) > len(total):
        total = np.concatenate([total, np.zeros(len(part) - len(total), dtype=total.dtype)])
    total[: len(part)] += part
    return total


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
