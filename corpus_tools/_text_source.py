"""Texts that stay on disk: a corpus built by ``Corpus.from_parquet`` reads them back on demand.

:meth:`Corpus.from_parquet <corpus_tools.corpus.Corpus.from_parquet>` reads a file's texts a
batch at a time to tokenise them and keeps only the other columns in ``docs``. What it needs to
find the texts again is a small JSON-able description, kept in ``docs.attrs["text_source"]`` (so
it follows ``docs`` through ``select``, ``iloc`` and boolean filters, and survives
``docs.to_parquet``)::

    {"format": "parquet", "path": "/abs/path/news.parquet", "size": 558123456,
     "mtime_ns": 1700000000000000000, "text": "text", "id": "doc_id", "rows": 1000000,
     "sha256": "...", "copy": {"path": ".../cache/corpus/<key>/texts.parquet", "size": ..., "mtime_ns": ...}}

``sha256`` is a hash of the documents' ids and texts, computed while they were streamed: a
record of exactly which texts the corpus was built from. ``copy`` (with the cache) is a copy of
the ids and texts written while streaming, zstd-compressed in row groups of a few hundred rows,
so that a text costs a millisecond to read back however the source file was written (pandas
writes up to 1,048,576 rows as one row group, which would have to be decoded whole for one text).
Texts are read from the copy while it is there and unchanged, else from the source file; a file
that has changed since (another size or modification time) gives an error rather than another
document's text.
"""
from __future__ import annotations

import hashlib
import os
import uuid
import weakref
from pathlib import Path

import numpy as np
import pandas as pd

# rows decoded at a time when texts are read back: bounds memory however large the row groups
_READ_ROWS = 4096
# small row groups (a copy's hold 256 rows) are read several to a call, up to this many rows and
# this many bytes of text (uncompressed) a call: few calls, memory of tens of MB whatever the file
_RUN_ROWS = 8 * _READ_ROWS
_RUN_BYTES = 1 << 25
# read a column chunk through a buffer of this many bytes instead of whole: a file written as one
# huge row group would otherwise be held compressed in memory while it is streamed
_BUFFER_BYTES = 1 << 22


class SourceChangedError(RuntimeError):
    """The file a corpus reads its texts from has changed (or gone) since the corpus was built."""


def _parquet_file(path, verify: bool = False):
    import pyarrow.parquet as pq

    # no pre-buffering: pyarrow would keep every column chunk read so far until the file is closed
    return pq.ParquetFile(path, buffer_size=_BUFFER_BYTES, pre_buffer=False, page_checksum_verification=verify)


class ParquetTexts:
    """The text column of a Parquet file, with the file's identity (path, size, modification time).

    Parameters
    ----------
    path : path-like
    text : str
        The column holding the texts.
    id : str, optional
        The column holding the doc ids; default: the index pandas stored with the file, else a
        ``doc_id`` column, else the row numbers (as ``pd.read_parquet`` gives them).

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        No such file, not a Parquet file, no such column, or a text column that does not hold
        strings; the message names the file.
    """

    def __init__(self, path, text: str = "text", id: str | None = None):
        import pyarrow as pa

        self.path = Path(os.path.abspath(os.fspath(path)))
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.path} is not a file; Corpus.from_parquet needs a Parquet file.")
        stat = self.path.stat()
        self.size, self.mtime_ns = stat.st_size, stat.st_mtime_ns
        try:
            f = _parquet_file(self.path)
        except (OSError, pa.ArrowException) as err:
            raise ValueError(f"{self.path} cannot be read as Parquet ({err}); Corpus.from_parquet needs a "
                             "Parquet file (for CSV or JSON, use ct.load and Corpus.from_docs).") from None
        schema = f.schema_arrow
        pandas_meta = schema.pandas_metadata or {}
        self.index_columns = [c for c in pandas_meta.get("index_columns", []) if isinstance(c, str)]
        columns = [c for c in schema.names if c not in self.index_columns]
        if text not in columns:
            raise ValueError(f"{self.path} has no text column {text!r}; its columns: {columns}. Pass text='<column>'.")
        kind = schema.field(text).type
        if not (_is_text(kind) or pa.types.is_null(kind)
                or (pa.types.is_dictionary(kind) and _is_text(kind.value_type))):
            raise TypeError(f"column {text!r} of {self.path} must hold strings; it holds {kind}. "
                            "Convert it, or load the file with ct.load and use Corpus.from_docs.")
        if id is not None and id in self.index_columns and len(self.index_columns) == 1:
            id = None  # the index pandas stored: read as pd.read_parquet reads it
        if id is not None and id not in columns:
            raise ValueError(f"{self.path} has no id column {id!r}; its columns: {columns}.")
        if id is None and not self.index_columns and "doc_id" in columns:
            id = "doc_id"
        if id == text:
            raise ValueError(f"the id column and the text column are both {text!r}; name two different columns.")
        self.text, self.id, self.columns = text, id, columns
        meta = f.metadata
        self.n_rows = meta.num_rows
        j = schema.names.index(text)
        # the texts' size in bytes, as stored uncompressed (what chunking goes by; no text is read)
        self.text_bytes = sum(meta.row_group(g).column(j).total_uncompressed_size for g in range(meta.num_row_groups))

    # ------------------------------------------------------------------ identity
    def identity(self) -> dict:
        """What names the file's current content for the cache: path, size, modification time, columns."""
        return {"format": "parquet", "path": str(self.path), "size": self.size, "mtime_ns": self.mtime_ns,
                "text": self.text, "id": self.id, "rows": self.n_rows}

    # ------------------------------------------------------------------ the other columns
    def metadata(self, renames: dict[str, str] | None = None) -> pd.DataFrame:
        """Every column but the texts, as ``pd.read_parquet`` reads them, indexed by the doc ids.

        ``renames`` maps the file's column names to the names ``docs`` should use (``title``,
        ``date``, ``source``).
        """
        columns = [c for c in self.columns if c != self.text]
        docs = pd.read_parquet(self.path, columns=columns)
        if self.id is not None:
            docs = docs.set_index(self.id)
            docs.index.name = "doc_id"
        if renames:
            missing = [c for c in renames if c not in docs.columns]
            if missing:
                raise ValueError(f"{self.path} has no column {missing[0]!r}; its columns: {self.columns}.")
            taken = [name for col, name in renames.items() if name in docs.columns and name != col]
            if taken:
                raise ValueError(f"{self.path} has a column {taken[0]!r} already; renaming another one to it "
                                 "would give docs two of them.")
            docs = docs.rename(columns=renames)
        return docs

    # ------------------------------------------------------------------ streaming
    def chunks(self, target_bytes: int, digest: ContentHash | None = None, copy: TextCopy | None = None):
        """The texts in file order as Arrow string arrays of about ``target_bytes`` each, missing
        texts as ``""``; ``digest`` is fed every text as it passes, and ``copy`` is written.
        ``self.n_missing`` counts the missing texts read so far.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        self.check_unchanged()
        self.n_missing = 0
        per_row = max(self.text_bytes / max(self.n_rows, 1), 1.0)
        batch_rows = int(min(max(target_bytes / per_row / 4, 1), 65536))
        parts, size = [], 0
        for batch in _parquet_file(self.path).iter_batches(batch_size=batch_rows, columns=[self.text]):
            arr = _as_text(batch.column(0))
            if digest is not None:
                digest.texts(arr)
            if arr.null_count:
                self.n_missing += arr.null_count
                arr = pc.fill_null(arr, "")
            if copy is not None:
                copy.write(arr)
            parts.append(arr)
            size += _data_bytes(arr)
            if size >= target_bytes:
                yield _concat(parts)
                parts, size = [], 0
        if parts:
            yield _concat(parts)

    # ------------------------------------------------------------------ description
    def describe(self, sha256: str | None = None, copy: dict | None = None) -> dict:
        """The JSON-able description :func:`read_texts` reads the texts back by."""
        return {**self.identity(), "sha256": sha256, "copy": copy}

    def check_unchanged(self) -> None:
        _check_unchanged(self.path, self.size, self.mtime_ns)


def _check_unchanged(path: Path, size, mtime_ns) -> None:
    try:
        stat = path.stat()
    except OSError:
        raise SourceChangedError(f"the texts of this corpus are read from {path}, which is gone; put it back, or "
                                 "build the corpus again from where the file is now.") from None
    if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
        raise SourceChangedError(
            f"the texts of this corpus are read from {path}, which has changed since the corpus was built "
            "(another size or modification time); build it again with Corpus.from_parquet.")


class TextFile:
    """A Parquet file to read texts back from, as it was when the corpus was built.

    ``id``: the column of doc ids; None for the ids ``pd.read_parquet`` gives the rows (the
    index pandas stored, else the row numbers).
    """

    def __init__(self, path, column: str, id: str | None, size: int, mtime_ns: int):
        self.path, self.column, self.id = Path(path), column, id
        self.size, self.mtime_ns = size, mtime_ns
        self.check_unchanged()
        # kept open: parsing the footer of a copy with thousands of row groups costs tens of ms
        self._file = _parquet_file(self.path, verify=True)  # pages without a checksum are read unchecked
        meta = self._file.metadata
        sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
        self.row_starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        leaf = [j for j in range(meta.num_columns) if meta.schema.column(j).path == column]
        # the text column's bytes per row group, as stored uncompressed (what a run of groups goes by)
        self.group_bytes = np.array([meta.row_group(g).column(leaf[0]).total_uncompressed_size if leaf else 0
                                     for g in range(meta.num_row_groups)], dtype=np.int64)
        self._ids = None

    def check_unchanged(self) -> None:
        _check_unchanged(self.path, self.size, self.mtime_ns)

    def rows_of(self, doc_ids: pd.Index) -> np.ndarray:
        """The file rows of ``doc_ids`` (KeyError for an id the file does not hold)."""
        if self._ids is None:  # read once: a notebook reads one corpus's texts again and again
            if self.id is not None:
                self._ids = pd.Index(pd.read_parquet(self.path, columns=[self.id])[self.id])
            else:
                self._ids = pd.read_parquet(self.path, columns=[]).index
        return _rows_in(self._ids, doc_ids, self.path)

    def read(self, rows: np.ndarray) -> list[str]:
        """The texts of file rows ``rows`` (any order, repeats allowed), missing ones as ``""``."""
        import pyarrow.compute as pc

        texts = self.read_arrow(rows)
        return (pc.fill_null(texts, "") if texts.null_count else texts).to_pylist()

    def read_arrow(self, rows: np.ndarray):
        """The texts of file rows ``rows`` (any order, repeats allowed) as an Arrow ``large_string``
        array, missing ones as nulls.

        Reads only the row groups holding them: small ones several to a call (up to
        ``_RUN_ROWS`` rows and ``_RUN_BYTES`` bytes), keeping the rows wanted of each call; a
        large one ``_READ_ROWS`` rows at a time, stopping after the last row wanted.
        """
        import pyarrow as pa

        self.check_unchanged()
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return pa.array([], type=pa.large_string())
        in_order = bool((rows[1:] >= rows[:-1]).all())
        order = None if in_order else np.argsort(rows, kind="stable")
        wanted = rows if order is None else rows[order]
        groups = np.searchsorted(self.row_starts, wanted, side="right") - 1
        present, first = np.unique(groups, return_index=True)  # the wanted rows are sorted
        bounds = np.append(first, len(wanted))
        sizes = np.diff(self.row_starts)
        parts: list = []
        run: list[int] = []  # positions in ``present`` of the small groups read by the next call
        run_rows = run_bytes = 0
        for i, g in enumerate(present.tolist()):
            if sizes[g] > _READ_ROWS:
                parts.extend(self._read_run(run, present, bounds, wanted))
                run, run_rows, run_bytes = [], 0, 0
                parts.extend(self._read_large(g, wanted[bounds[i] : bounds[i + 1]] - self.row_starts[g]))
                continue
            if run and (run_rows + sizes[g] > _RUN_ROWS or run_bytes + self.group_bytes[g] > _RUN_BYTES):
                parts.extend(self._read_run(run, present, bounds, wanted))
                run, run_rows, run_bytes = [], 0, 0
            run.append(i)
            run_rows += int(sizes[g])
            run_bytes += int(self.group_bytes[g])
        parts.extend(self._read_run(run, present, bounds, wanted))
        texts = _concat([p.cast(pa.large_string()) for p in parts])
        del parts
        if order is not None:  # back to the order asked for
            back = np.empty_like(order)
            back[order] = np.arange(len(order))
            texts = texts.take(back)
        return texts

    def _read_run(self, run: list[int], present: np.ndarray, bounds: np.ndarray, wanted: np.ndarray) -> list:
        """The wanted rows of the small row groups ``present[run]``, read in one call."""
        if not run:
            return []
        groups = present[run]  # ``run`` holds positions one after another: its rows are wanted[lo:hi]
        sizes = self.row_starts[groups + 1] - self.row_starts[groups]
        lo, hi = bounds[run[0]], bounds[run[-1] + 1]
        # each wanted row's place in the groups read, one after another
        shift = np.repeat(np.cumsum(sizes) - sizes - self.row_starts[groups], np.diff(bounds[run[0] : run[-1] + 2]))
        local = wanted[lo:hi] + shift
        table = self._file.read_row_groups(groups.tolist(), columns=[self.column], use_threads=False)
        column = _concat([_as_text(chunk) for chunk in table.column(0).chunks])
        del table
        if (np.diff(local) == 1).all():  # rows one after another (a corpus read in order): no copy
            return [column.slice(int(local[0]), len(local))]
        return [column.take(local)]

    def _read_large(self, g: int, local: np.ndarray) -> list:
        """Rows ``local`` (sorted) of the large row group ``g``, ``_READ_ROWS`` rows decoded at a time."""
        parts, start = [], 0
        for batch in self._file.iter_batches(batch_size=_READ_ROWS, row_groups=[g], columns=[self.column]):
            lo, hi = np.searchsorted(local, [start, start + batch.num_rows])
            if hi > lo:
                parts.append(_as_text(batch.column(0)).take(local[lo:hi] - start))
            start += batch.num_rows
            if hi == len(local):
                break
        return parts


def _rows_in(ids: pd.Index, doc_ids: pd.Index, path) -> np.ndarray:
    """The positions of ``doc_ids`` in ``ids`` (KeyError naming the file for those not there)."""
    rows = ids.get_indexer(doc_ids)
    if (rows < 0).any():
        raise KeyError(f"doc ids not in {path}: {doc_ids[rows < 0][:5].tolist()}")
    return rows


# the doc ids of a file's rows as the corpus built from it (or reopened) holds them, so that
# finding rows needs neither reading the ids back nor a second hash table of them; weak, so that
# they go with the corpus
_IDS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _ids_key(described: dict) -> tuple:
    return tuple(described.get(k) for k in ("path", "size", "mtime_ns", "text", "id", "sha256"))


def remember_ids(described: dict, index: pd.Index) -> None:
    """Note that ``index`` holds the doc ids of the rows of the file(s) ``described``, in order."""
    _IDS[_ids_key(described)] = index


def read_texts(described: dict, doc_ids: pd.Index) -> list[str]:
    """The texts of ``doc_ids`` from the file(s) ``described`` (see the module's notes)."""
    reader = _open(described)
    return reader.read(_file_rows(described, reader, doc_ids))


def read_texts_arrow(described: dict, index: pd.Index, rows: np.ndarray):
    """The texts of ``index[rows]`` from the file(s) ``described``, as an Arrow array.

    Parameters
    ----------
    described : dict
        The description of where the texts are (``docs.attrs["text_source"]``, see the
        module's notes).
    index : pandas.Index
        The doc ids of the corpus (``corpus.docs.index``).
    rows : array of int
        Positions in ``index``, in any order, repeats allowed.

    Returns
    -------
    pyarrow.Array
        ``large_string``, one text per row in the order of ``rows``, missing texts as nulls
        (its UTF-8 bytes and int64 offsets can be read straight from its buffers). The copy
        of the texts in the cache holds a missing text as ``""``: read from it, it is ``""``.

    Raises
    ------
    IndexError
        A row is not a position in ``index``.
    KeyError
        A doc id of ``index[rows]`` is not in the file.
    SourceChangedError
        The file has changed or gone since the corpus was built.

    Examples
    --------
    >>> texts = read_texts_arrow(corpus.docs.attrs["text_source"], corpus.docs.index, [2, 0])  # doctest: +SKIP
    >>> texts.to_pylist()  # doctest: +SKIP
    ['Drills ended', 'Troops drilled near the river.']
    """
    rows = np.asarray(rows)
    if rows.dtype.kind not in "iu" and len(rows):
        raise TypeError(f"rows must be integer positions in index; got an array of {rows.dtype}.")
    rows = rows.astype(np.int64, copy=False)
    if len(rows) and (rows.min() < 0 or rows.max() >= len(index)):
        bad = rows[(rows < 0) | (rows >= len(index))][:5].tolist()
        raise IndexError(f"rows must be positions in index (0 to {len(index) - 1}); got {bad}.")
    reader = _open(described)
    if _IDS.get(_ids_key(described)) is index:  # the corpus's own ids: its rows are the file's
        return reader.read_arrow(rows)
    return reader.read_arrow(_file_rows(described, reader, index[rows]))


def _open(described: dict) -> TextFile:
    """The file to read the texts ``described`` from: the copy while it is there and unchanged,
    else the source file (SourceChangedError when that has changed or gone)."""
    copy = described.get("copy") or None
    if copy:
        try:
            return _reader(copy["path"], "text", "doc_id", copy.get("size"), copy.get("mtime_ns"))
        except SourceChangedError:  # the cache was cleared: the source file is still there
            pass
    try:
        return _reader(described["path"], described["text"], described.get("id"), described.get("size"),
                       described.get("mtime_ns"))
    except (OSError, ValueError) as err:  # not Parquet any more, or unreadable
        if isinstance(err, SourceChangedError):
            raise
        raise SourceChangedError(f"the texts of this corpus cannot be read from {described.get('path')} "
                                 f"({err})") from None


def _file_rows(described: dict, reader: TextFile, doc_ids: pd.Index) -> np.ndarray:
    """The file rows of ``doc_ids``, found in the ids the corpus remembered, else in the file's."""
    ids = _IDS.get(_ids_key(described))
    if ids is None:
        return reader.rows_of(doc_ids)
    return _rows_in(ids, doc_ids, reader.path)


def _reader(path, column, id, size, mtime_ns) -> TextFile:
    key = (str(path), column, id, size, mtime_ns)
    reader = _OPEN.get(key)
    if reader is None:
        reader = TextFile(path, column, id, size, mtime_ns)
        _OPEN.clear()  # one file at a time: each holds its documents' ids
        _OPEN[key] = reader
    else:
        reader.check_unchanged()
    return reader


# the file last read from, with its doc ids
_OPEN: dict = {}


class TextCopy:
    """Writes the copy of the ids and texts that :func:`read_texts` prefers (see the module's notes).

    A copy that cannot be written (a full disk) is given up, not the build: :meth:`close`
    returns None and :attr:`error` says why.
    """

    ROWS = 256  # rows per row group: about a third of a megabyte of news text, a millisecond to read

    def __init__(self, path: Path, index: pd.Index):
        self.path, self.index = path, index
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
        self.start = 0
        self.error: BaseException | None = None
        self._writer = None

    def write(self, texts) -> None:
        """Append the next texts (an Arrow string array without nulls)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.error is not None:
            return
        try:
            ids = pa.array(self.index[self.start : self.start + len(texts)])
            table = pa.table({"doc_id": ids, "text": texts.cast(pa.large_string())})
            if self._writer is None:
                self.tmp.parent.mkdir(parents=True, exist_ok=True)
                self._writer = pq.ParquetWriter(self.tmp, table.schema, compression="zstd", compression_level=1,
                                                use_dictionary=False, write_statistics=False, write_page_checksum=True)
            self._writer.write_table(table.cast(self._writer.schema), row_group_size=self.ROWS)
        except (OSError, pa.ArrowException, TypeError, ValueError) as err:  # ids of mixed types, a full disk
            self.error = err
        self.start += len(texts)

    def close(self) -> dict | None:
        """Put the copy in place; its description, or None when there is none."""
        try:
            if self.error is None and self._writer is not None:
                self._writer.close()
                os.replace(self.tmp, self.path)
                stat = self.path.stat()
                return {"path": str(self.path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        except OSError as err:
            self.error = err
        self.discard()
        return None

    def discard(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except OSError:
                pass
            self._writer = None
        self.tmp.unlink(missing_ok=True)


def prefetched(items, depth: int = 2):
    """The items of iterator ``items``, produced ahead in a thread of its own, at most ``depth``
    waiting: reading, decompressing and hashing the next texts (pyarrow and hashlib let go of
    the GIL) overlaps with tokenising these. An error in ``items`` is raised here; stopping
    early stops the thread."""
    import queue
    import threading

    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((end, None))
        except BaseException as err:  # noqa: BLE001  raised in the consumer
            put((end, err))

    thread = threading.Thread(target=produce, name="corpus-read-texts", daemon=True)
    thread.start()
    try:
        while True:
            item, err = waiting.get()
            if err is not None:
                raise err
            if item is end:
                return
            yield item
    finally:
        stop.set()
        thread.join()


class ContentHash:
    """SHA-256 of doc ids and texts, fed as they stream past; the same whatever the batches."""

    def __init__(self):
        self._ids = hashlib.sha256()
        self._lengths = hashlib.sha256()
        self._data = hashlib.sha256()

    def ids(self, index: pd.Index) -> None:
        from .cache import _hash_strings

        if isinstance(index, pd.RangeIndex):  # row numbers: no need to spell out a million of them
            self._ids.update(f"range({index.start}, {index.stop}, {index.step})".encode())
        else:
            _hash_strings(self._ids, index)

    def texts(self, arr) -> None:
        """Each text's length in bytes (-1 when missing) and its bytes."""
        import pyarrow as pa

        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            _, offsets, data = arr.buffers()
            width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
            off = np.frombuffer(offsets, dtype=width)[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
            if data is not None and off[-1] > off[0]:
                self._data.update(memoryview(data)[off[0] : off[-1]])
            lengths = np.diff(off)
        else:  # string views and the like: one value at a time
            values = arr.to_pylist()
            encoded = [v.encode("utf-8", "surrogatepass") if v is not None else b"" for v in values]
            for b in encoded:
                self._data.update(b)
            lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        if arr.null_count:
            lengths[arr.is_null().to_numpy(zero_copy_only=False)] = -1
        self._lengths.update(lengths.astype("<i8").tobytes())

    def hexdigest(self) -> str:
        return hashlib.sha256(self._ids.digest() + self._lengths.digest() + self._data.digest()).hexdigest()


def _is_text(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or \
        getattr(pa.types, "is_string_view", lambda t: False)(kind)


def _as_text(arr):
    """A text column's values as plain Arrow strings (a column of nulls or a categorical decoded)."""
    import pyarrow as pa

    if pa.types.is_null(arr.type):  # a column with no text at all
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_dictionary(arr.type):
        return arr.dictionary_decode()
    return arr


def _data_bytes(arr) -> int:
    import pyarrow as pa

    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        _, offsets, _ = arr.buffers()
        width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
        off = np.frombuffer(offsets, dtype=width)[arr.offset : arr.offset + len(arr) + 1]
        return int(off[-1] - off[0])
    return int(arr.nbytes)


def _concat(parts):
    import pyarrow as pa

    if len(parts) == 1:
        return parts[0]
    types = {p.type for p in parts}
    if len(types) > 1:
        parts = [p.cast(pa.large_string()) for p in parts]
    return pa.concat_arrays(parts)
