"""The files of a saved or cached corpus: arrays, vocabulary and a JSON description.

A corpus folder holds

- ``arrays.bin``: the integer arrays back to back, little-endian, each starting at a multiple of
  64 bytes; ``meta.json`` lists each one's NumPy dtype, byte offset and length, so any reader
  can take them out with ``numpy.fromfile(path, dtype, count, offset=offset)``;
- ``vocab.txt``: the terms, one per line, UTF-8 (``vocab.json``, a JSON list, when a term holds
  a line break);
- ``meta.json``, written last, so that its presence marks a complete folder.

A cached corpus maps ``arrays.bin`` into memory copy-on-write instead of copying it: it is ready
at once, its pages are read when first used, and changing an array never changes the file. The
library writes cache files only by renaming a finished new file over the old one, and
``ct.cache.clear`` unlinks them, so a corpus that has the old file mapped keeps reading it.
Mapping is used only where that holds: on Linux, on a file system of this machine (on NFS or SMB
another machine's clear or rebuild would pull pages from under the mapping and stop the
process), and for at most 64 corpora at a time (each mapping keeps a file open). A folder of the
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
import sys
import uuid
import weakref
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ARRAY_NAMES = ("ids", "doc_offsets", "sent_offsets", "dtm_data", "dtm_indices", "dtm_indptr")
_ALIGN = 64
_MAP = sys.platform.startswith("linux")  # where the file system type can be read (/proc)
_MAX_MAPS = 64
_LIVE_MAPS: weakref.WeakSet = weakref.WeakSet()
# file systems on this machine's own disks or memory; anything else (nfs, cifs, fuse, ...) is read
_LOCAL_FS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "f2fs", "jfs", "bcachefs"})


def write_folder(path: Path, arrays: dict[str, np.ndarray], vocab: list[str], meta: dict) -> None:
    """Write ``arrays`` (named as :data:`ARRAY_NAMES`), ``vocab`` and ``meta`` into folder ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "meta.json").unlink(missing_ok=True)  # the folder is incomplete until meta.json is back
    layout, parts, offset = {}, [], 0
    for name in ARRAY_NAMES:
        a = np.ascontiguousarray(arrays[name])
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        pad = -offset % _ALIGN
        parts.append(bytes(pad))
        offset += pad
        layout[name] = [a.dtype.str, offset, len(a)]
        parts.append(memoryview(a).cast("B") if a.size else b"")
        offset += a.nbytes
    _replace(path / "arrays.bin", parts)
    text = "\n".join(vocab)
    if vocab and text.count("\n") == len(vocab) - 1 and "" not in vocab:
        _replace(path / "vocab.txt", [text.encode("utf-8")])
        (path / "vocab.json").unlink(missing_ok=True)
    else:
        _replace(path / "vocab.json", [json.dumps(list(vocab), ensure_ascii=False).encode("utf-8")])
        (path / "vocab.txt").unlink(missing_ok=True)
    for old in ("tokens.npz", "dtm.npz", *(f"{n}.npy" for n in ARRAY_NAMES)):  # earlier layouts
        (path / old).unlink(missing_ok=True)
    _replace(path / "meta.json", [json.dumps({**meta, "arrays": layout}, default=str).encode("utf-8")])


def read_folder(path: Path, *, map_arrays: bool = False) -> tuple[dict, list[str], dict[str, np.ndarray]]:
    """(meta, vocab, arrays) of a folder written by :func:`write_folder` or an earlier version.

    ``map_arrays`` maps ``arrays.bin`` instead of reading it; only for folders that are replaced
    by renaming, never rewritten in place (the cache).
    """
    meta = json.loads((path / "meta.json").read_bytes())
    if (path / "vocab.txt").exists():
        vocab = (path / "vocab.txt").read_bytes().decode("utf-8").split("\n")
    else:
        vocab = json.loads((path / "vocab.json").read_bytes())
    if "arrays" in meta:
        arrays = _read_blob(path / "arrays.bin", meta["arrays"], map_arrays)
    elif (path / "tokens.npz").exists():
        with np.load(path / "tokens.npz", allow_pickle=False) as z:
            arrays = {name: z[name] for name in ("ids", "doc_offsets", "sent_offsets")}
        dtm = sp.load_npz(path / "dtm.npz").tocsr()
        arrays.update(dtm_data=dtm.data, dtm_indices=dtm.indices, dtm_indptr=dtm.indptr)
    else:
        arrays = {name: np.load(path / f"{name}.npy", allow_pickle=False) for name in ARRAY_NAMES}
    return meta, vocab, arrays


def _read_blob(file: Path, layout: dict, map_arrays: bool) -> dict[str, np.ndarray]:
    with open(file, "rb") as f:
        buf = None
        if map_arrays and _can_map(f):
            try:
                buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
                _LIVE_MAPS.add(buf)
            except (OSError, ValueError):  # an empty file, or a file system that cannot map
                buf = None
        if buf is None:
            buf = np.fromfile(f, dtype=np.uint8)
    if len(buf) < max(off + n * np.dtype(dt).itemsize for dt, off, n in layout.values()):
        raise ValueError(f"{file} is shorter than {file.parent / 'meta.json'} says")
    return {name: np.frombuffer(buf, dtype=dt, count=n, offset=off) for name, (dt, off, n) in layout.items()}


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
    # a name of its own for every writer, even threads of one process; the usual permissions
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "xb") as f:
            for part in parts:
                f.write(part)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
