"""The cache of tokenized corpora: where it is, what it holds, and clearing it.

``Corpus.from_docs(..., cache=True)`` keeps every corpus it builds in a folder named by a hash
of the doc ids, the texts and every build option, and loads it from there when the same call
comes again. ``Corpus.from_parquet`` names the folder by the file instead (its path, size,
modification time and columns, with the options), so that it finds the corpus again without
reading a text; that folder also records a hash of the ids and texts the corpus was built from
and keeps a compressed copy of them for ``corpus.texts()``.

The cache is ``$CORPUS_TOOLS_CACHE``, else ``data/cache`` in a checkout, else
``~/.cache/corpus_tools/cache``. A corpus of a million news articles takes one to two gigabytes
there (its token arrays, and with ``from_parquet`` the copy of its texts), so on a shared or
small disk look at it now and then and clear what is old. Large corpora are also assembled there
while they are built (in ``scratch/`` when they are not to be cached).

Examples
--------
>>> import corpus_tools as ct
>>> ct.cache.info()                        # doctest: +SKIP
>>> ct.cache.clear(older_than="30D")       # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import json
import numbers
import os
import shutil
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from ._build import DEFAULTS, TOKEN_RULES, _string_dtype
from ._paths import cache_dir
from ._storage import FORMAT_VERSION, STALE_TEMP_SECONDS, remove_stale_temp

COLUMNS = ["key", "last_used", "docs", "tokens", "terms", "mb", "options", "corpus_tools"]


def path() -> Path:
    """The folder that holds one sub-folder per cached corpus."""
    return cache_dir() / "corpus"


def scratch() -> Path:
    """A new folder of its own for a corpus being assembled on disk (removed when it is done;
    :func:`clear` removes those a killed process left)."""
    import tempfile

    base = cache_dir() / "scratch"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))


def info() -> pd.DataFrame:
    """One row per cached corpus, most recently used first.

    Returns
    -------
    DataFrame
        ``key`` (the folder name), ``last_used`` (when it was built or last loaded, UTC),
        ``docs``, ``tokens``, ``terms``, ``mb`` (its size on disk), ``options`` (the build
        options that differ from ``Corpus.from_docs``'s defaults) and ``corpus_tools`` (the
        version that wrote it). A folder left incomplete by an interrupted build has no counts.

    Examples
    --------
    >>> table = info()
    >>> list(table.columns)
    ['key', 'last_used', 'docs', 'tokens', 'terms', 'mb', 'options', 'corpus_tools']
    """
    folder = path()
    rows = [_describe(entry) for entry in (folder.iterdir() if folder.exists() else ()) if entry.is_dir()]
    rows = [row for row in rows if row is not None]
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["last_used"] = pd.to_datetime(table["last_used"], unit="s")
    for col in ("docs", "tokens", "terms"):
        table[col] = table[col].astype("Int64")
    return table.sort_values("last_used", ascending=False, kind="stable").reset_index(drop=True)


def clear(older_than: str | pd.Timedelta | None = None) -> pd.DataFrame:
    """Remove cached corpora: all of them, or those not used for longer than ``older_than``.

    Parameters
    ----------
    older_than : str or Timedelta, optional
        Keep what was built or loaded more recently, e.g. ``"30D"`` or ``"12h"`` (any
        ``pandas.Timedelta``). Default: remove every cached corpus.

    Returns
    -------
    DataFrame
        The rows of :func:`info` for the corpora removed. Folders that could not be
        removed (no permission) are named in a warning. In the folders kept, temporary files
        older than an hour (left by a build that was killed while writing) are removed too.

    Examples
    --------
    >>> clear(older_than="last week")
    Traceback (most recent call last):
    ...
    ValueError: `older_than` must be a duration such as "30D" or "12h"; got 'last week'.
    """
    table = info()
    if older_than is not None:
        table = table[table["last_used"] < pd.Timestamp.now("UTC").tz_localize(None) - _age(older_than)]
    gone = np.zeros(len(table), dtype=bool)
    for i, key in enumerate(table["key"]):
        # a corpus that has the folder's arrays mapped keeps reading them: a removed file stays
        # in place for whoever has it open
        shutil.rmtree(path() / key, ignore_errors=True)
        gone[i] = not (path() / key).exists()
    if not gone.all():
        kept = table["key"].to_numpy()[~gone].tolist()
        warnings.warn(f"{len(kept)} cached corpora could not be removed (no permission?): {kept[:3]}", stacklevel=2)
    for entry in (path().iterdir() if path().exists() else ()):
        if entry.is_dir():
            remove_stale_temp(entry, STALE_TEMP_SECONDS)
    _clear_scratch()
    return table.loc[gone].reset_index(drop=True)


def _clear_scratch() -> None:
    """Remove the scratch folders of builds that were killed (none of their files changed for an hour)."""
    base = cache_dir() / "scratch"
    for folder in (base.iterdir() if base.exists() else ()):
        try:
            newest = max([f.stat().st_mtime for f in folder.iterdir()] + [folder.stat().st_mtime])
        except OSError:  # gone meanwhile
            continue
        if time.time() - newest > STALE_TEMP_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)


def _age(older_than) -> pd.Timedelta:
    # a bare number would be read as nanoseconds, and a negative age would take everything
    age = None
    if not isinstance(older_than, numbers.Number):
        try:
            age = pd.Timedelta(older_than)
        except ValueError:
            pass
    if age is None or pd.isna(age) or age < pd.Timedelta(0):
        raise ValueError(f'`older_than` must be a duration such as "30D" or "12h"; got {older_than!r}.')
    return age


def touch(entry: Path) -> None:
    """Record that a cached corpus was just used (its ``meta.json`` time), where the folder allows."""
    try:
        os.utime(entry / "meta.json")
    except OSError:  # a read-only cache still serves
        pass


def _describe(entry: Path) -> dict | None:
    """A row of :func:`info`; None for a folder that went away meanwhile (another process)."""
    try:
        stats = {f.name: f.stat() for f in entry.iterdir() if f.is_file()}
    except OSError:
        return None
    row = {"key": entry.name, "mb": sum(st.st_size for st in stats.values()) / 2**20,
           "last_used": max((st.st_mtime for st in stats.values()), default=0.0)}
    try:
        meta = json.loads((entry / "meta.json").read_bytes())
        row["last_used"] = stats["meta.json"].st_mtime
    except (OSError, ValueError, KeyError):  # an interrupted build, or one under way
        return row
    row.update(docs=meta.get("n_docs"), tokens=meta.get("n_tokens"), terms=meta.get("n_terms"),
               corpus_tools=meta.get("corpus_tools"), options=_options(meta.get("params") or {}))
    return row


def _options(params: dict) -> str:
    """``"lemmatize=True, min_df=2"``: the build options that differ from the defaults."""
    # the cache key stores the phrase options resolved: None for phrases=False
    shown = {k: v for k, v in params.items() if k in DEFAULTS and v != DEFAULTS[k]
             and not (k == "phrases" and v is None)}
    return ", ".join(f"{k}={v!r}" for k, v in shown.items())


# ---------------------------------------------------------------------- keys
def entry_path(key: str) -> Path:
    """The folder of the cached corpus with ``key`` (it may not exist yet)."""
    return path() / key


def build_key(index: pd.Index, texts: pd.Series, params: dict) -> str:
    """The cache key of a corpus built with ``params`` from these doc ids and texts.

    The key covers this version of corpus_tools, the storage format and the tokenising rules,
    so that an entry written under other rules is never taken for the corpus these texts give now.
    """
    h = hashlib.sha256()
    h.update(json.dumps({"v": __version__, "format": FORMAT_VERSION, "rules": TOKEN_RULES, "params": params},
                        sort_keys=True,
                        default=str).encode())
    _hash_strings(h, index)
    _hash_strings(h, texts)
    return h.hexdigest()[:32]


def source_key(source: dict, params: dict) -> str:
    """The cache key of a corpus built with ``params`` from the file ``source`` describes (its
    path, size, modification time and columns), so that it is found again without reading a text.
    """
    h = hashlib.sha256()
    h.update(json.dumps({"v": __version__, "format": FORMAT_VERSION, "rules": TOKEN_RULES, "params": params,
                         "source": source}, sort_keys=True, default=str).encode())
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
