"""The files of a saved or cached corpus: arrays, vocabulary and a JSON description.

A corpus folder holds

- ``arrays.bin``: the integer arrays back to back, little-endian, each starting at a multiple of
  64 bytes; ``meta.json`` lists each one's NumPy dtype, byte offset and length, so any reader
  can take them out with ``numpy.fromfile(path, dtype, count, offset=offset)``;
- ``vocab.txt``: the terms, one per line, UTF-8 (``vocab.json``, a JSON list, when a term holds
  a line break);
- ``meta.json``, written last, so that its presence marks a complete folder. Its ``crc32`` entry
  holds the CRC-32 (``zlib.crc32``) of each array's bytes, of the vocabulary file, of other files
  written with the folder (a saved corpus's ``docs.parquet``) and of meta.json's own other
  entries (as compact JSON with sorted keys). A saved corpus's meta.json also holds
  ``doc_ids_crc32`` (see :func:`doc_ids_checksum`): a docs.parquet that is whole but holds other
  documents, or the same in another order, would attach every row of the arrays to the wrong
  document.

A corpus too large to hold twice in memory is assembled straight into ``arrays.bin``, part by part
(:class:`ArrayFile`), with the same layout and checksums.

Reading checks every checksum and that the arrays fit together (dtypes, lengths, offsets, term
ids within the vocabulary) before any of them is used, so that a damaged or edited folder gives
a :class:`CorpusFolderError` naming the folder and what is wrong, never a corpus whose matrix
points outside its own memory. Folders written before checksums existed get the same
consistency checks. The checksums cost one pass over the bytes: CRC-32 runs at several GB/s
here, much faster than blake2b, and finds every flipped bit or burst of up to 32 bits.

A cached corpus maps ``arrays.bin`` into memory instead of copying it, copy-on-write with its
arrays read-only: the checksum reads each page once (from the page cache, which the mapping then
shares instead of copying), and nothing can change the file through it. The checks go through a mapped array a block at a
time and let go of each block's pages when done (``madvise(MADV_DONTNEED)``; nothing has been
written to them yet, and the page cache keeps them), so that opening a corpus of several
gigabytes does not make them all resident in the process: they come back, from the page cache,
as an analysis reads them. Large analyses let go of the pages of the blocks they have read in
the same way (:func:`release_part`, :func:`release_rows`, ``Corpus.release_pages``); a change
made in place to a mapped array would be undone by that, so the arrays of a mapped corpus are
read-only (the library makes new arrays for a changed corpus). The
library writes cache files only by renaming a finished new file over the old one, and
``ct.cache.clear`` unlinks them, so a corpus that has the old file mapped keeps reading it.
Mapping is used only where that holds: on Linux, on a file system of this machine (on NFS or SMB
another machine's clear or rebuild would pull pages from under the mapping and stop the
process), and for at most 64-1,024 corpora at a time (each mapping keeps a file open: a quarter
of the process's limit of open files). A folder of the
user's own (``Corpus.save``/``Corpus.load``) is always read into memory: it may be copied over in
place (``cp``, an unzip), which would stop a process that maps it. Elsewhere files are read too.
Folders written by earlier versions (one ``.npy``
per array, or ``tokens.npz`` and ``dtm.npz``) are still read.
"""
from __future__ import annotations

import functools
import json
import mmap
import os
import re
import sys
import time
import uuid
import weakref
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import CorpusToolsError

ARRAY_NAMES = ("ids", "doc_offsets", "sent_offsets", "dtm_data", "dtm_indices", "dtm_indptr")
FORMAT_VERSION = 2  # 2: one arrays.bin and vocab.txt; 1: one .npy per array (or npz), vocab.json
READABLE_FORMATS = (1, 2)
_ALIGN = 64
_MAP = sys.platform.startswith("linux")  # where the file system type can be read (/proc)


def _max_maps() -> int:
    """Corpora mapped at once: each mapping keeps a file open, so a quarter of the process's
    limit of open files, between 64 and 1,024 (256 where the limit is the usual 1,024). A
    worker of a sharded corpus keeps up to 256 shards open; beyond this number they are read
    into memory instead (100 MB for a shard of 50,000 articles)."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):  # not Unix
        return 64
    if soft == resource.RLIM_INFINITY:
        return 1024
    return max(64, min(1024, soft // 4))


_MAX_MAPS = _max_maps()
_LIVE_MAPS: weakref.WeakSet = weakref.WeakSet()
# file systems on this machine's own disks or memory; anything else (nfs, cifs, fuse, ...) is read
_LOCAL_FS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "f2fs", "jfs", "bcachefs"})
# the temporary files of _replace: ".<target>.<pid>.<12 hex digits>.tmp"
_TEMP_NAME = re.compile(r"\..+\.\d+\.[0-9a-f]{12}\.tmp")
STALE_TEMP_SECONDS = 3600  # no writer takes this long over one file: what is older was left behind
_VERIFY_CHECKSUMS = True  # False skips the checksums (not the consistency checks): the benchmark's baseline
_DAMAGED = "the folder is damaged — rebuild it with Corpus.from_docs(...).save(...)"
# what each array may hold: signed or unsigned integers (counts may also be floats), at most 64 bits
_KINDS = {"ids": "iu", "doc_offsets": "iu", "sent_offsets": "iu", "dtm_data": "iuf", "dtm_indices": "iu",
          "dtm_indptr": "iu"}
# float counts only in the sizes scipy's sparse matrices take (not float16)
_FLOAT_SIZES = (4, 8)
# the types of the build parameters meta.json records; what the corpus and its analyses read back
_STR = (str,)
_PARAM_TYPES = {
    "text": (_STR, "a string"),
    "lowercase": ((bool,), "true or false"),
    "tokenizer": (_STR, "a string"),
    "stopwords": ((str, list, type(None)), "a string, a list of words or null"),
    "extra_stopwords": ((str, list, type(None)), "a string, a list of words or null"),
    "min_length": ((int,), "an integer"),
    "numbers": ((bool,), "true or false"),
    "lemmatize": ((bool, str), "true, false or a string"),
    "stem": ((bool, str), "false or a string"),
    "phrases": ((dict, type(None)), "an object of options or null"),
    "min_df": ((int, float), "a number"),
    "max_df": ((int, float), "a number"),
    "max_terms": ((int, type(None)), "an integer or null"),
    "keep": ((list, type(None)), "a list of terms or null"),
}


class CorpusFolderError(CorpusToolsError, ValueError):
    """A corpus folder whose files are damaged, edited or incomplete.

    ``folder`` and ``problem`` (what is wrong, without the folder) are kept as attributes, so
    that the cache can name the problem when it builds the corpus again.
    """

    def __init__(self, folder: Path, problem: str, advice: str = _DAMAGED):
        self.folder, self.problem = folder, problem
        super().__init__(f"{folder}: {problem}; {advice}")


def incomplete(path: Path) -> CorpusFolderError:
    """The error for a folder without meta.json: a save or build that was interrupted."""
    return CorpusFolderError(path, "meta.json is missing, so the folder is incomplete (a save or build was "
                             "interrupted)", "save the corpus again with Corpus.save(path)")


def doc_ids_checksum(index) -> int:
    """CRC-32 of a corpus's document ids: their ``str`` joined with line breaks, UTF-8.

    Lone surrogates are encoded as they are (``surrogatepass``), so that any id can be hashed.
    """
    text = "\n".join(map(str, index.tolist()))
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def write_folder(path: Path, arrays: dict[str, np.ndarray] | None, vocab: list[str], meta: dict,
                 files: dict[str, bytes] | None = None, *, written: tuple[dict, dict] | None = None) -> None:
    """Write ``arrays`` (named as :data:`ARRAY_NAMES`), ``vocab`` and ``meta`` into folder ``path``.

    ``files`` maps the names of other files already written into the folder to their bytes;
    their checksums are kept with the others, for :func:`read_folder` to verify. ``written``
    instead of ``arrays``: the (layout, checksums) of an ``arrays.bin`` that :class:`ArrayFile`
    has put in place.
    """
    path.mkdir(parents=True, exist_ok=True)
    (path / "meta.json").unlink(missing_ok=True)  # the folder is incomplete until meta.json is back
    remove_stale_temp(path)
    if written is not None:
        layout, sums = dict(written[0]), dict(written[1])
    else:
        layout, sums, parts, offset = {}, {}, [], 0
        for name in ARRAY_NAMES:
            a = np.ascontiguousarray(arrays[name])
            a = a.astype(a.dtype.newbyteorder("<"), copy=False)
            pad = -offset % _ALIGN
            parts.append(bytes(pad))
            offset += pad
            layout[name] = [a.dtype.str, offset, len(a)]
            data = memoryview(a).cast("B") if a.size else b""
            sums[name] = zlib.crc32(data)
            parts.append(data)
            offset += a.nbytes
        _replace(path / "arrays.bin", parts)
    text = "\n".join(vocab)
    if vocab and text.count("\n") == len(vocab) - 1 and "" not in vocab:
        data = text.encode("utf-8")
        _replace(path / "vocab.txt", [data])
        (path / "vocab.json").unlink(missing_ok=True)
    else:
        data = json.dumps(list(vocab), ensure_ascii=False).encode("utf-8")
        _replace(path / "vocab.json", [data])
        (path / "vocab.txt").unlink(missing_ok=True)
    sums["vocab"] = zlib.crc32(data)
    for name, data in (files or {}).items():
        sums[name] = zlib.crc32(data)
    for old in ("tokens.npz", "dtm.npz", *(f"{n}.npy" for n in ARRAY_NAMES)):  # earlier layouts
        (path / old).unlink(missing_ok=True)
    # the checksum covers meta as a reader will see it: after a JSON round trip (tuples become
    # lists, other objects their str)
    meta = json.loads(json.dumps({**meta, "arrays": layout}, default=str))
    sums["meta"] = zlib.crc32(_canonical(meta))
    _replace(path / "meta.json", [json.dumps({**meta, "crc32": sums}).encode("utf-8")])


def read_folder(path: Path, *, map_arrays: bool = False,
                files: dict[str, bytes] | None = None) -> tuple[dict, list[str], dict[str, np.ndarray]]:
    """(meta, vocab, arrays) of a folder written by :func:`write_folder` or an earlier version.

    ``map_arrays`` maps ``arrays.bin`` instead of reading it; only for folders that are replaced
    by renaming, never rewritten in place (the cache). Checksums are verified where the folder
    has them, also of ``files`` (name to bytes, as read by the caller); :func:`check_arrays`
    checks that the parts fit together.

    Raises
    ------
    CorpusFolderError
        A file is missing, unreadable as what it should hold, or does not match its checksum.
    """
    def damaged(problem: str, advice: str = _DAMAGED):
        return CorpusFolderError(path, problem, advice)

    try:
        raw = (path / "meta.json").read_bytes()
    except FileNotFoundError:
        raise incomplete(path) from None
    except IsADirectoryError:
        raise damaged("meta.json is not a file") from None
    try:
        meta = json.loads(raw)
    except ValueError:  # not UTF-8 or not JSON
        raise damaged("meta.json is not valid JSON") from None
    if not isinstance(meta, dict):
        raise damaged("meta.json does not hold a JSON object")
    sums = meta.pop("crc32", None)
    if not _VERIFY_CHECKSUMS:
        sums = None
    if sums is not None and (not isinstance(sums, dict) or sums.get("meta") != zlib.crc32(_canonical(meta))):
        raise damaged("meta.json does not match its checksum (it was edited or damaged)")
    sums = sums or {}
    for name, data in (files or {}).items():
        if name in sums and zlib.crc32(data) != sums[name]:
            raise damaged(f"{name} does not match its checksum (it was edited or damaged)")

    vocab_file = path / ("vocab.txt" if (path / "vocab.txt").exists() else "vocab.json")
    try:
        raw = vocab_file.read_bytes()
    except FileNotFoundError:
        raise damaged("vocab.txt (or vocab.json) is missing") from None
    except IsADirectoryError:
        raise damaged(f"{vocab_file.name} is not a file") from None
    if "vocab" in sums and zlib.crc32(raw) != sums["vocab"]:
        raise damaged(f"{vocab_file.name} does not match its checksum (it was edited or damaged)")
    try:
        vocab = raw.decode("utf-8").split("\n") if vocab_file.suffix == ".txt" else json.loads(raw)
    except ValueError:
        raise damaged(f"{vocab_file.name} is not valid {'UTF-8' if vocab_file.suffix == '.txt' else 'JSON'}") from None
    if not isinstance(vocab, list) or not all(isinstance(t, str) for t in vocab):
        raise damaged(f"{vocab_file.name} does not hold a list of terms")
    if len(set(vocab)) != len(vocab):
        # two columns of one term would split its counts, and lookups would find only one of them
        seen = set()
        twice = next(t for t in vocab if t in seen or seen.add(t))
        raise damaged(f"{vocab_file.name} holds the term {twice!r} twice")

    if "arrays" in meta:
        arrays = _read_blob(path, meta["arrays"], map_arrays)
        for name, a in arrays.items():
            if name in sums and _crc32(a) != sums[name]:
                raise damaged(f"{name} in arrays.bin does not match its checksum (the file was changed or damaged)")
    else:
        arrays = _read_earlier_layout(path)
    return meta, vocab, arrays


class ArrayFile:
    """``arrays.bin`` written part by part: each array's dtype and length are known first, and its
    parts come in order (the arrays may interleave). The checksums are computed as the parts
    pass, so a corpus can be assembled into the file without ever being whole in memory.

    The file is written under a temporary name; :meth:`close` renames it to ``arrays.bin``
    and returns what :func:`write_folder` takes as ``written``. Its layout is the one
    :func:`write_folder` gives the same arrays.
    """

    def __init__(self, folder: Path, sizes: dict[str, tuple]):
        self.folder = folder
        self.layout, offset = {}, 0
        for name in ARRAY_NAMES:
            dtype, n = np.dtype(sizes[name][0]).newbyteorder("<"), int(sizes[name][1])
            offset += -offset % _ALIGN
            self.layout[name] = [dtype.str, offset, n]
            offset += n * dtype.itemsize
        self.sums = dict.fromkeys(ARRAY_NAMES, 0)
        self.done = dict.fromkeys(ARRAY_NAMES, 0)
        self.tmp = folder / f".arrays.bin.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp"
        self._file = open(self.tmp, "xb")
        self._file.truncate(offset)  # the padding between arrays stays zero, as write_folder writes it

    def write(self, name: str, part) -> None:
        """Append ``part`` to array ``name``."""
        dtype, offset, n = self.layout[name]
        a = np.ascontiguousarray(part, dtype=np.dtype(dtype))
        if self.done[name] + len(a) > n:
            raise ValueError(f"{name}: more than the {n} values announced")
        self._file.seek(offset + self.done[name] * a.itemsize)
        data = memoryview(a).cast("B") if a.size else b""
        self._file.write(data)
        self.sums[name] = zlib.crc32(data, self.sums[name])
        self.done[name] += len(a)

    def close(self) -> tuple[dict, dict]:
        """Put the file in place as ``arrays.bin``; returns (layout, checksums)."""
        short = [name for name, (_, _, n) in self.layout.items() if self.done[name] != n]
        if short:
            raise ValueError(f"arrays not written whole: {short}")
        self._file.close()
        os.replace(self.tmp, self.folder / "arrays.bin")
        return self.layout, self.sums

    def discard(self) -> None:
        self._file.close()
        self.tmp.unlink(missing_ok=True)


def map_written(path: Path, layout: dict) -> dict[str, np.ndarray]:
    """The arrays of an ``arrays.bin`` this process has just written (:class:`ArrayFile`), mapped
    where mapping is safe, else read; unverified, since nothing else has touched them."""
    return _read_blob(path, layout, True)


def check_arrays(path: Path, meta: dict, vocab: list[str], arrays: dict[str, np.ndarray], n_docs: int,
                 docs_label: str = "docs.parquet") -> None:
    """Check that the arrays of a folder describe a corpus of ``n_docs`` documents and ``vocab``.

    Whole-array minima, maxima and comparisons only, one pass or two over each array (1.5 ms for
    the 1.3 million tokens of Reuters-21578).
    A matrix whose indices point outside its shape would make scipy read and write outside its
    buffers, so nothing is built from the arrays before this passes.

    Raises
    ------
    CorpusFolderError
        Naming the folder and the first thing that does not fit.
    """
    def bad(problem: str):
        raise CorpusFolderError(path, problem)

    n_terms = len(vocab)
    vocab_name = "vocab.json" if (path / "vocab.json").exists() and not (path / "vocab.txt").exists() else "vocab.txt"
    if meta.get("n_terms", n_terms) != n_terms:
        bad(f"{vocab_name} holds {n_terms} terms but meta.json says {meta['n_terms']}")
    if meta.get("n_docs") != n_docs:
        bad(f"meta.json describes {meta.get('n_docs')} documents but there are {n_docs} in {docs_label}")
    missing = [name for name in ARRAY_NAMES if name not in arrays]
    if missing:
        bad(f"the arrays {missing} are missing")
    for name in ARRAY_NAMES:
        a = arrays[name]
        if (a.ndim != 1 or a.dtype.kind not in _KINDS[name] or a.dtype.itemsize > 8
                or (a.dtype.kind == "f" and a.dtype.itemsize not in _FLOAT_SIZES)):
            kind = "integers or 32- or 64-bit floats" if "f" in _KINDS[name] else "integers"
            bad(f"{name} has dtype {a.dtype} and shape {a.shape}; it must be a one-dimensional array of {kind}")
    ids = arrays["ids"]
    if meta.get("n_tokens", len(ids)) != len(ids):
        bad(f"ids holds {len(ids)} tokens but meta.json says {meta['n_tokens']}")
    _check_range(bad, "ids", ids, n_terms)
    _check_offsets(bad, "doc_offsets", arrays["doc_offsets"], n_docs + 1, len(ids), "the number of tokens")
    _check_offsets(bad, "sent_offsets", arrays["sent_offsets"], None, len(ids), "the number of tokens")
    indices = arrays["dtm_indices"]
    if len(arrays["dtm_data"]) != len(indices):
        bad(f"dtm_data holds {len(arrays['dtm_data'])} values but dtm_indices {len(indices)}")
    _check_offsets(bad, "dtm_indptr", arrays["dtm_indptr"], n_docs + 1, len(indices), "the length of dtm_indices")
    _check_range(bad, "dtm_indices", indices, n_terms)
    data = arrays["dtm_data"]
    # "not >= 0" also catches NaN
    if len(data) and data.dtype.kind != "u" and not min(part.min() for part in _blocks(data)) >= 0:
        bad("dtm_data holds negative (or NaN) counts")
    _check_params(bad, meta.get("params", {}))


def _check_params(bad, params) -> None:
    """The build parameters meta.json records have the types the corpus reads them as."""
    if not isinstance(params, dict):
        bad("meta.json's params are not a JSON object")
    for name, (types, what) in _PARAM_TYPES.items():
        if name not in params:  # written before this parameter existed
            continue
        value = params[name]
        # true/false is an int to Python, but not a number of documents or characters
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            bad(f"meta.json's params give {name}={json.dumps(value)}; it must be {what}")
    for name in ("stopwords", "extra_stopwords", "keep"):
        if isinstance(params.get(name), list) and not all(isinstance(t, str) for t in params[name]):
            bad(f"meta.json's params give {name} a list that holds other things than strings")


def _check_range(bad, name: str, values: np.ndarray, n_terms: int) -> None:
    if len(values) and any(part.min() < 0 or part.max() >= n_terms for part in _blocks(values)):
        bad(f"{name} holds values outside 0..n_terms-1 (n_terms = {n_terms})")


def _check_offsets(bad, name: str, offsets: np.ndarray, length: int | None, end: int, end_label: str) -> None:
    """Offsets start at 0, never decrease and end at ``end``; ``length`` entries when given."""
    if length is not None and len(offsets) != length:
        bad(f"{name} has {len(offsets)} entries, not {length} (one more than the documents)")
    if not len(offsets):
        bad(f"{name} is empty")
    if offsets[0] != 0 or offsets[-1] != end:
        bad(f"{name} runs from {offsets[0]} to {offsets[-1]}, not from 0 to {end} ({end_label})")
    # compared, not np.diff: no wrap-around for unsigned dtypes, and a 1-byte temporary; block by
    # block, each block's first value against the one before it
    previous = offsets[0]
    for part in _blocks(offsets):
        if part[0] < previous or (part[1:] < part[:-1]).any():
            bad(f"{name} decreases somewhere; offsets must never decrease")
        previous = part[-1]


_BLOCK_BYTES = 1 << 24
_PAGE = mmap.PAGESIZE


def _blocks(a: np.ndarray):
    """``a`` in parts of about 16 MB (``a`` itself when it is no larger); where ``a`` is mapped
    from a file, the pages of each part are let go of once the caller is done with it (see the
    module's notes)."""
    step = max(1, _BLOCK_BYTES // max(a.itemsize, 1))
    if len(a) <= step:
        yield a
        release_part(a)
        return
    for start in range(0, len(a), step):
        part = a[start : start + step]
        yield part
        release_part(part)


def _mapping(a: np.ndarray):
    """(the mmap ``a`` is a view of, the address where it starts), or None for an array in memory."""
    base = a
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    if not isinstance(base, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED") or len(base) == 0:
        return None
    return base, np.frombuffer(base, dtype=np.uint8, count=1).ctypes.data


def release_part(part: np.ndarray) -> None:
    """Let go of the resident pages wholly inside ``part``, a slice of an array mapped from a
    file, once the caller has read it (nothing for an array in memory): a pass over a large
    mapped array then holds a block's pages at a time, not the whole array's."""
    mapped = _mapping(part) if isinstance(part, np.ndarray) and part.nbytes >= _PAGE else None
    if mapped is None:
        return
    buf, address = mapped
    first = -(-(part.ctypes.data - address) // _PAGE) * _PAGE  # whole pages inside the part only
    end = (part.ctypes.data - address + part.nbytes) // _PAGE * _PAGE
    if end > first:
        try:
            buf.madvise(mmap.MADV_DONTNEED, first, end - first)
        except (OSError, ValueError):  # closed, or not supported here: the pages stay
            pass


def release_rows(m, lo: int, hi: int) -> None:
    """:func:`release_part` of the entries of rows ``lo .. hi`` of a CSR matrix ``m`` whose
    arrays are mapped from a file (a block of rows an analysis has copied out and is done with)."""
    start, stop = int(m.indptr[lo]), int(m.indptr[hi])
    release_part(m.data[start:stop])
    release_part(m.indices[start:stop])


def release_pages(*arrays: np.ndarray) -> int:
    """Let go of the resident pages of the arrays that are mapped from a file; return how many
    distinct mappings were advised.

    The pages stay in the system's file cache and come back on the next read (a minor fault,
    no disk read while the cache holds them). Arrays in memory are left alone.
    """
    seen = set()
    for a in arrays:
        mapped = _mapping(a) if isinstance(a, np.ndarray) else None
        if mapped is not None and id(mapped[0]) not in seen:
            seen.add(id(mapped[0]))
            try:
                mapped[0].madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):  # closed, or not supported here: the pages stay
                pass
    return len(seen)


def _crc32(a: np.ndarray) -> int:
    crc = 0
    for part in _blocks(a):
        crc = zlib.crc32(part, crc)
    return crc


def _canonical(meta: dict) -> bytes:
    """The bytes meta.json's own checksum covers: compact JSON with sorted keys."""
    return json.dumps(meta, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _read_blob(path: Path, layout, map_arrays: bool) -> dict[str, np.ndarray]:
    file = path / "arrays.bin"
    try:
        spans = {name: (np.dtype(dt), int(off), int(n)) for name, (dt, off, n) in layout.items()}
    except (TypeError, ValueError, AttributeError):  # not a mapping of [dtype, offset, length]
        raise CorpusFolderError(path, "meta.json's list of arrays is not readable") from None
    for name, (dt, off, n) in spans.items():
        if off < 0 or n < 0 or dt.hasobject or dt.itemsize == 0:
            raise CorpusFolderError(path, f"meta.json gives {name} an impossible place in arrays.bin")
    try:
        f = open(file, "rb")
    except FileNotFoundError:
        raise CorpusFolderError(path, "arrays.bin is missing") from None
    except IsADirectoryError:
        raise CorpusFolderError(path, "arrays.bin is not a file") from None
    with f:
        buf, mapped = None, False
        if map_arrays and _can_map(f):
            try:
                buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
                _LIVE_MAPS.add(buf)
                mapped = True
            except (OSError, ValueError):  # an empty file, or a file system that cannot map
                buf = None
        if buf is None:
            buf = np.fromfile(f, dtype=np.uint8)
    if len(buf) < max((off + n * dt.itemsize for dt, off, n in spans.values()), default=0):
        raise CorpusFolderError(path, "arrays.bin is shorter than meta.json says")
    arrays = {name: np.frombuffer(buf, dtype=dt, count=n, offset=off) for name, (dt, off, n) in spans.items()}
    if mapped:
        # read-only: handing pages back (release_pages) would silently undo a change made in
        # place, so a change raises instead (select and filter_terms make new arrays)
        for a in arrays.values():
            a.flags.writeable = False
    return arrays


def _read_earlier_layout(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a folder from before arrays.bin: ``tokens.npz`` and ``dtm.npz``, or one ``.npy`` each."""
    try:
        if (path / "tokens.npz").exists():
            with np.load(path / "tokens.npz", allow_pickle=False) as z:
                arrays = {name: z[name] for name in ("ids", "doc_offsets", "sent_offsets")}
            with np.load(path / "dtm.npz", allow_pickle=False) as z:
                # the matrix's three arrays as stored: building a matrix before they are checked
                # would let scipy index outside them
                kind = z["format"].item()
                kind = kind.decode("ascii", "replace") if isinstance(kind, bytes) else str(kind)
                if kind != "csr":
                    raise CorpusFolderError(path, f"dtm.npz holds a {kind} matrix, not CSR")
                arrays.update(dtm_data=z["data"], dtm_indices=z["indices"], dtm_indptr=z["indptr"])
            return arrays
        return {name: np.load(path / f"{name}.npy", allow_pickle=False) for name in ARRAY_NAMES}
    except CorpusFolderError:
        raise
    except FileNotFoundError as err:
        raise CorpusFolderError(path, f"{Path(err.filename or '').name or 'an array file'} is missing") from None
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise CorpusFolderError(path, f"an array file cannot be read ({err})") from None


def remove_stale_temp(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the temporary files a killed writer left in ``folder``; returns those removed.

    Only files named as :func:`_replace` names them and not changed for ``older_than`` seconds:
    a younger one may belong to a writer at work.
    """
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        try:
            if _TEMP_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False) \
                    and now - entry.stat(follow_symlinks=False).st_mtime > older_than:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone meanwhile, or not ours to remove
            pass
    return removed


def _can_map(f) -> bool:
    """Whether mapping the open file ``f`` is safe here (see the module's notes)."""
    return _MAP and len(_LIVE_MAPS) < _MAX_MAPS and _fs_type(os.fstat(f.fileno()).st_dev) in _LOCAL_FS


@functools.lru_cache(maxsize=32)
def _fs_type(device: int) -> str | None:
    """The file system type of a device number, from /proc/self/mountinfo (None if unknown)."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    wanted = f"{os.major(device)}:{os.minor(device)}"
    for line in lines:
        left, _, right = line.partition(" - ")
        fields = left.split()
        if len(fields) > 2 and fields[2] == wanted and right:
            return right.split()[0]
    return None


def _replace(target: Path, parts: list) -> None:
    """Write ``parts`` to a new file and rename it over ``target``."""
    def write(tmp: Path) -> None:
        with open(tmp, "xb") as f:
            for part in parts:
                f.write(part)

    replace_with(target, write)


def replace_with(target: Path, write) -> None:
    """Call ``write(tmp)`` to make a new file ``tmp`` beside ``target``, then rename it over ``target``.

    A failed or interrupted write never leaves a partial file under the name ``target``; a
    failed one leaves no file at all.
    """
    # a name of its own for every writer, even threads of one process; the usual permissions
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
