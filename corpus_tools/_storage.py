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
library writes cache files only by renaming a finished new file over the old one, so a corpus
that has the old file mapped keeps reading the old content. A folder of the user's own
(``Corpus.save``/``Corpus.load``) is read into memory instead: it may be copied over in place
(``cp``, an unzip), which would take the pages from under a mapping and stop the process. On
Windows, or on a file system that cannot map files, cache files are read too.
Folders written by earlier versions (one ``.npy``
per array, or ``tokens.npz`` and ``dtm.npz``) are still read.
"""
from __future__ import annotations

import json
import mmap
import os
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ARRAY_NAMES = ("ids", "doc_offsets", "sent_offsets", "dtm_data", "dtm_indices", "dtm_indptr")
_ALIGN = 64
# Windows cannot rename a file over one that is mapped, so arrays are copied into memory there
_MAP = os.name != "nt"


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
        arrays = _read_blob(path / "arrays.bin", meta["arrays"], map_arrays and _MAP)
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
        if map_arrays:
            try:
                buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
            except (OSError, ValueError):  # an empty file, or a file system that cannot map
                buf = None
        if buf is None:
            buf = np.fromfile(f, dtype=np.uint8)
    if len(buf) < max(off + n * np.dtype(dt).itemsize for dt, off, n in layout.values()):
        raise ValueError(f"{file} is shorter than {file.parent / 'meta.json'} says")
    return {name: np.frombuffer(buf, dtype=dt, count=n, offset=off) for name, (dt, off, n) in layout.items()}


def _replace(target: Path, parts: list) -> None:
    """Write ``parts`` to a new file and rename it over ``target``."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            for part in parts:
                f.write(part)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
