"""The cache of tokenized corpora: where it is, what it holds, and clearing it.

``Corpus.from_docs(..., cache=True)`` keeps every corpus it builds in a folder named by a hash
of the doc ids, the texts and every build option, and loads it from there when the same call
comes again. The folder is ``$CORPUS_TOOLS_CACHE``, else ``data/cache`` in a checkout, else
``~/.cache/corpus_tools/cache``. A corpus of a million news articles takes several hundred
megabytes there, so on a shared or small disk look at it now and then and clear what is old.

Examples
--------
>>> import corpus_tools as ct
>>> ct.cache.info()                        # doctest: +SKIP
>>> ct.cache.clear(older_than="30D")       # doctest: +SKIP
"""
from __future__ import annotations

import inspect
import json
import numbers
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ._paths import cache_dir
from ._storage import STALE_TEMP_SECONDS, remove_stale_temp

COLUMNS = ["key", "last_used", "docs", "tokens", "terms", "mb", "options", "corpus_tools"]


def path() -> Path:
    """The folder that holds one sub-folder per cached corpus."""
    return cache_dir() / "corpus"


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
    return table.loc[gone].reset_index(drop=True)


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
    from .corpus import Corpus

    defaults = {name: p.default for name, p in inspect.signature(Corpus.from_docs).parameters.items()}
    # the cache key stores the phrase options resolved: None for phrases=False
    shown = {k: v for k, v in params.items() if k in defaults and v != defaults[k]
             and not (k == "phrases" and v is None)}
    return ", ".join(f"{k}={v!r}" for k, v in shown.items())
