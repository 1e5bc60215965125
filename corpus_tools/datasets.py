"""Named news corpora: where they live, where they come from, and how to load them.

The registry (``data/registry.json``) records for each dataset its description, canonical
download URL, the sha256 of the downloaded file (``null`` where it could not be recorded),
licence, citation, expected document count and a loader spec: which files to read and with
which :func:`corpus_tools.load` arguments.

A dataset is looked up in the data folders (``$CORPUS_TOOLS_DATA`` first, then the checkout's
``data/``, then the per-user folder) under its folder name, e.g. ``bbc/`` or
``reuters21578/``. When it is in none of them, :func:`load` and :func:`path` download it from
its URL into the first writable data folder, check its sha256 and unpack archives there.

>>> import corpus_tools as ct
>>> ct.datasets.list()[["name", "n_docs", "present"]]      # doctest: +SKIP
>>> docs = ct.datasets.load("lee")                          # doctest: +SKIP
"""
from __future__ import annotations

import builtins
import copy
import hashlib
import importlib.util
import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus_tools import _paths
from corpus_tools.errors import CorpusToolsError, DatasetNotFoundError, check_option, option_error

__all__ = ["ChecksumError", "available", "download", "info", "list", "load", "path", "registry"]

#: Seconds without any data before a download gives up.
TIMEOUT = 30
_CHUNK = 1 << 16
_LOADER_KINDS = ("load", "lines", "bundled")
_ARCHIVES = (None, "zip", "tar.gz")
_SCHEMES = ("http", "https", "file")


class ChecksumError(CorpusToolsError, ValueError):
    """A downloaded file does not have the sha256 the registry records."""


def registry() -> dict[str, dict[str, Any]]:
    """The dataset registry as a dict of name -> entry (a fresh copy on every call).

    Returns
    -------
    dict
        ``{name: entry}``; each entry has the keys ``name``, ``title``, ``description``,
        ``homepage``, ``url``, ``filename``, ``sha256``, ``archive`` (``None``, ``"zip"`` or
        ``"tar.gz"``), ``folder``, ``licence``, ``citation``, ``loader`` and ``n_docs``.

    Examples
    --------
    >>> sorted(registry())[:3]
    ['abcnews', 'bbc', 'lee']
    """
    source = _paths.resource("registry.json")
    with open(source, encoding="utf-8") as f:
        raw = json.load(f)
    return {name: _normalise_entry({**entry, "name": name}) for name, entry in raw.items()}


def _normalise_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Fill defaults and check the fields a registry entry (or a user's entry) must have."""
    if "name" not in entry or "loader" not in entry:
        raise ValueError(
            f"a dataset entry needs at least the keys 'name' and 'loader'; got {sorted(entry)!r}."
        )
    out: dict[str, Any] = {
        "title": None, "description": None, "homepage": None, "url": None, "filename": None,
        "sha256": None, "archive": None, "folder": entry["name"], "licence": None,
        "citation": None, "n_docs": None,
    }
    out.update(copy.deepcopy(dict(entry)))
    loader = out["loader"]
    check_option("loader kind", loader.get("kind"), _LOADER_KINDS)
    check_option("archive", out["archive"], _ARCHIVES)
    if out["url"] and not out["filename"]:
        # The last part of the URL path names the cached download.
        out["filename"] = Path(urllib.parse.urlparse(out["url"]).path).name or f"{out['name']}.download"
    return out


def _entry(name: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(name, Mapping):
        return _normalise_entry(name)
    if not isinstance(name, str):
        raise TypeError(f"a dataset is named by a string or given as a registry entry (dict); got {type(name).__name__}.")
    entries = registry()
    if name not in entries:
        raise option_error("name", name, sorted(entries))
    return entries[name]


# --- where a dataset is on disk --------------------------------------------------------------


def _gensim_test_data(filename: str) -> Path | None:
    # Found through the import system so that listing datasets does not import gensim.
    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        return None
    candidate = Path(spec.origin).parent / "test" / "test_data" / filename
    return candidate if candidate.is_file() else None


def _expected_files(entry: Mapping[str, Any]) -> builtins.list[str]:
    """The loader's file patterns, relative to the dataset folder."""
    loader = entry["loader"]
    if loader["kind"] == "load":
        files = loader.get("files", ".")
        return [files] if isinstance(files, str) else [*files]
    if entry.get("filename"):
        return [entry["filename"]]
    return ["."]


def _is_complete(folder: Path, entry: Mapping[str, Any]) -> bool:
    if not folder.is_dir():
        return False
    return all(any(folder.glob(pattern)) if pattern != "." else any(folder.iterdir())
               for pattern in _expected_files(entry))


def _locate(entry: Mapping[str, Any]) -> Path | None:
    """The local folder (or file, for ``lines`` datasets) of a dataset, or None."""
    loader = entry["loader"]
    if loader["kind"] == "bundled":
        try:
            return _paths.resource(loader["resource"])
        except FileNotFoundError:
            return None
    for d in _paths.data_dirs():
        candidate = d / entry["folder"]
        if _is_complete(candidate, entry):
            return candidate
    if entry.get("bundled"):  # an openly licensed copy inside the package: there offline too
        candidate = _paths.PACKAGE_DIR / entry["bundled"]
        if _is_complete(candidate, entry):
            return candidate
    if loader["kind"] == "lines" and loader.get("gensim_test_data"):
        return _gensim_test_data(loader["gensim_test_data"])
    return None


def _not_found_message(entry: Mapping[str, Any], reason: str) -> str:
    folder = entry["folder"]
    searched = "\n".join(f"  {d}" for d in _paths.data_dirs())
    lines = [
        f"dataset {entry['name']!r} is not on this machine and {reason}.",
        f"Put the folder '{folder}/' (with {', '.join(_expected_files(entry))}) into one of the folders searched:",
        searched,
    ]
    if entry.get("url"):
        how = "unpack it there as" if entry.get("archive") else "save it in"
        lines.append(f"To fetch it by hand, download {entry['url']} and {how} '{folder}/'.")
    lines.append(f"Or set CORPUS_TOOLS_DATA to the folder that holds '{folder}/'.")
    return "\n".join(lines)


def path(name: str | Mapping[str, Any], *, download: bool = True, progress: bool = True) -> Path:
    """Where a dataset is on this machine, downloading it first when needed.

    Parameters
    ----------
    name : str or dict
        A registered name (see :func:`available`) or a registry entry of your own.
    download : bool, default True
        Fetch the dataset from its URL when it is in none of the data folders.
    progress : bool, default True
        Show a tqdm progress bar while downloading.

    Returns
    -------
    pathlib.Path
        The dataset's folder (for ``lee``, the gensim test file; for ``seeds``, the project's
        ``seeds/`` folder).

    Raises
    ------
    ValueError
        If ``name`` is not registered; the message lists the known names.
    DatasetNotFoundError
        If the dataset is absent and cannot be downloaded (``download=False``, no URL, or no
        network); the message lists the folders searched, the expected folder name, the URL
        to fetch by hand and ``CORPUS_TOOLS_DATA``.

    Examples
    --------
    >>> path("seeds").name
    'seeds'
    """
    entry = _entry(name)
    found = _locate(entry)
    if found is not None:
        return found
    if not download:
        raise DatasetNotFoundError(_not_found_message(entry, "download=False was given"))
    return _download(entry, url=None, progress=progress, force=False)


# --- downloading -------------------------------------------------------------------------------


def download(
    name: str | Mapping[str, Any],
    *,
    url: str | None = None,
    progress: bool = True,
    force: bool = False,
) -> Path:
    """Download a dataset into the first writable data folder and unpack it.

    The file is streamed to a temporary file beside its destination (with a tqdm progress
    bar), its sha256 is compared with the registry's, then it is renamed into place, so an
    interrupted download never leaves a file that looks complete. Archives (``.zip``,
    ``.tar.gz``) are kept as a cache and unpacked into the dataset's folder name; a single
    top-level folder inside the archive is unwrapped.

    Parameters
    ----------
    name : str or dict
        A registered name or a registry entry (a dict with at least ``name`` and ``loader``;
        see ``data/README.md`` for the fields).
    url : str, optional
        Fetch from this address instead of the registry's (a mirror, or a local server).
    progress : bool, default True
        Show a progress bar on stderr.
    force : bool, default False
        Download again and replace the local copy. Without it, a dataset already in the
        download folder is returned as is, and a cached archive is unpacked without a request.

    Returns
    -------
    pathlib.Path
        The dataset folder, ``<download_dir>/<folder>``.

    Raises
    ------
    DatasetNotFoundError
        If the server cannot be reached or answers with an error, or the entry has no URL.
    ChecksumError
        If the file's sha256 differs from the recorded one; the file is deleted.
    CorpusToolsError
        If the destination folder exists without the expected files.

    Warns
    -----
    UserWarning
        "checksum not recorded" when the registry has no sha256 for the file; the warning
        gives the sha256 of what was downloaded, so it can be recorded.

    Examples
    --------
    >>> download("bbc", progress=False)          # doctest: +SKIP
    PosixPath('.../data/bbc')
    """
    return _download(_entry(name), url=url, progress=progress, force=force)


def _download(entry: Mapping[str, Any], *, url: str | None, progress: bool, force: bool) -> Path:
    url = url or entry.get("url")
    if not url:
        raise DatasetNotFoundError(_not_found_message(entry, "the registry gives no URL to download it from"))
    check_option("URL scheme", urllib.parse.urlparse(url).scheme, _SCHEMES)
    root = _paths.download_dir()
    target = root / entry["folder"]
    complete = _is_complete(target, entry)
    if complete and not force:
        return target
    if target.exists() and any(target.iterdir()) and not complete:
        raise CorpusToolsError(
            f"{target} exists but lacks the files of dataset {entry['name']!r} "
            f"({', '.join(_expected_files(entry))}); complete it or remove it, then try again."
        )
    if entry.get("archive"):
        archive = root / entry["filename"]
        if force or not archive.exists():
            _fetch(url, archive, entry, progress=progress)
        _unpack(archive, entry["archive"], target)
    else:
        created = not target.exists()
        target.mkdir(parents=True, exist_ok=True)
        try:
            _fetch(url, target / entry["filename"], entry, progress=progress)
        except BaseException:
            if created:
                target.rmdir()  # leave no empty folder behind a failed download
            raise
    return target


def _fetch(url: str, dest: Path, entry: Mapping[str, Any], *, progress: bool) -> None:
    """Stream ``url`` to ``dest`` atomically, checking the sha256 on the way."""
    from tqdm.auto import tqdm

    request = urllib.request.Request(url, headers={"User-Agent": "corpus_tools"})
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        raise DatasetNotFoundError(
            _not_found_message(entry, f"the server answered {exc.code} {exc.reason} for {url}")
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DatasetNotFoundError(
            _not_found_message(entry, f"downloading {url} failed ({reason})")
        ) from exc
    digest = hashlib.sha256()
    tmp = tempfile.NamedTemporaryFile(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part", delete=False)
    tmp_path = Path(tmp.name)
    try:
        with response, tmp:
            total = response.headers.get("Content-Length")
            with tqdm(total=int(total) if total else None, unit="B", unit_scale=True, unit_divisor=1024,
                      desc=f"{entry['name']}: {dest.name}", disable=not progress) as bar:
                while chunk := response.read(_CHUNK):
                    tmp.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        got = digest.hexdigest()
        expected = entry.get("sha256")
        if expected and got != expected.lower():
            raise ChecksumError(
                f"the file downloaded from {url} has sha256 {got}, but the registry expects {expected} "
                f"for dataset {entry['name']!r}; the file was deleted. The server may serve a different "
                "version; download it by hand and compare, or update the registry entry."
            )
        if not expected:
            warnings.warn(
                f"checksum not recorded for dataset {entry['name']!r}: cannot verify {url}; "
                f"the downloaded file has sha256 {got}.",
                UserWarning,
                stacklevel=3,
            )
        os.replace(tmp_path, dest)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _unpack(archive: Path, kind: str, target: Path) -> None:
    """Extract ``archive`` into ``target``, unwrapping one top-level folder."""
    workdir = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".unpack"))
    try:
        try:
            if kind == "zip":
                with zipfile.ZipFile(archive) as zf:
                    for member in zf.namelist():
                        # Refuse absolute paths and '..' (zip slip).
                        resolved = (workdir / member).resolve()
                        if not resolved.is_relative_to(workdir.resolve()):
                            raise CorpusToolsError(f"{archive} holds an unsafe path {member!r}; not unpacked.")
                    zf.extractall(workdir)
            else:
                with tarfile.open(archive, "r:gz") as tf:
                    tf.extractall(workdir, filter="data")
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
            raise CorpusToolsError(
                f"{archive} is not a readable {kind} archive ({exc}); delete it, or download again "
                "with force=True."
            ) from exc
        content = workdir
        children = [p for p in workdir.iterdir() if p.name != "__MACOSX"]
        if len(children) == 1 and children[0].is_dir():
            content = children[0]
        if target.exists():
            # Only an empty folder or a complete copy being replaced (force=True) gets here;
            # move it aside first so that the new copy appears in one rename.
            old = workdir.with_name(workdir.name + ".old")
            os.replace(target, old)
            os.replace(content, target)
            shutil.rmtree(old)
        else:
            os.replace(content, target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- listing and loading -----------------------------------------------------------------------


def available() -> pd.DataFrame:
    """The registry as a table, with whether each dataset is on this machine.

    Also available as ``ct.datasets.list()``.

    Returns
    -------
    pandas.DataFrame
        One row per dataset, columns ``name``, ``title``, ``n_docs`` (expected documents),
        ``present`` (bool: found locally, no download needed), ``path`` (local folder or
        file, NaN when absent), ``licence``, ``url``, ``sha256``, ``citation``,
        ``description``.

    Examples
    --------
    >>> table = available()
    >>> table.set_index("name").loc["lee", "n_docs"]
    np.int64(300)
    """
    rows = []
    for entry in registry().values():
        where = _locate(entry)
        rows.append({
            "name": entry["name"], "title": entry["title"], "n_docs": entry["n_docs"],
            "present": where is not None, "path": str(where) if where is not None else np.nan,
            "licence": entry["licence"], "url": entry["url"], "sha256": entry["sha256"],
            "citation": entry["citation"], "description": entry["description"],
        })
    table = pd.DataFrame(rows)
    table["n_docs"] = table["n_docs"].astype("Int64")
    return table


#: ``ct.datasets.list()``, the name users expect; an alias of :func:`available`.
list = available  # noqa: A001 - deliberately shadows the builtin inside this module's namespace


def info(name: str | Mapping[str, Any]) -> dict[str, Any]:
    """Everything the registry knows about one dataset, plus where it is locally.

    Parameters
    ----------
    name : str or dict
        A registered name or a registry entry.

    Returns
    -------
    dict
        The registry entry (see :func:`registry`) with ``present`` (bool) and ``path``
        (str or None) added.

    Raises
    ------
    ValueError
        If ``name`` is not registered; the message lists the known names.

    Examples
    --------
    >>> info("lee")["n_docs"]
    300
    """
    entry = _entry(name)
    where = _locate(entry)
    return {**entry, "present": where is not None, "path": str(where) if where is not None else None}


def load(
    name: str | Mapping[str, Any],
    *,
    download: bool = True,
    progress: bool = True,
    **load_kwargs: Any,
) -> pd.DataFrame:
    """Load a named dataset as a ``docs`` DataFrame.

    Parameters
    ----------
    name : str or dict
        ``"lee"``, ``"seeds"``, ``"reuters21578"``, ``"bbc"``, ``"abcnews"``, ``"wikinews"``,
        ``"news100"`` (see :func:`available`), or a registry entry of your own.
    download : bool, default True
        Fetch the dataset when it is not on this machine.
    progress : bool, default True
        Show a progress bar while downloading.
    **load_kwargs
        Passed to :func:`corpus_tools.load`, overriding the registry's loader arguments
        (e.g. ``errors="raise"``). Not accepted by ``lee``, which is read line by line.

    Returns
    -------
    pandas.DataFrame
        The ``docs`` table (index ``doc_id``; columns ``text``, ``title``, ``date``,
        ``source``, ``sections``, ``url``, ``path`` and the dataset's own metadata).
        ``docs.attrs["dataset"]`` holds the dataset name. ``lee`` gives 300 rows with ids
        ``lee-000`` .. ``lee-299``, text = the line without surrounding whitespace, no
        titles or dates, and a ``line`` column (1-based line number).

    Raises
    ------
    ValueError
        If ``name`` is not registered; the message lists the known names.
    DatasetNotFoundError
        If the dataset is absent and cannot be downloaded.
    TypeError
        If ``load_kwargs`` are given for a dataset read line by line.

    Warns
    -----
    UserWarning
        When the number of documents loaded differs from the registry's ``n_docs``.

    Examples
    --------
    >>> docs = load("lee")
    >>> len(docs), docs.index[0]
    (300, 'lee-000')
    """
    entry = _entry(name)
    where = path(entry, download=download, progress=progress)
    loader = entry["loader"]
    if loader["kind"] == "lines":
        if load_kwargs:
            raise TypeError(
                f"dataset {entry['name']!r} is read one document per line and takes no load arguments; "
                f"got {sorted(load_kwargs)!r}."
            )
        file = where / entry["filename"] if where.is_dir() else where
        docs = _read_lines(file, prefix=loader.get("doc_prefix", entry["name"]), source=loader.get("source"))
    else:
        import corpus_tools as ct

        args = {**loader.get("args", {}), **load_kwargs}
        if loader["kind"] == "bundled":
            inputs: Any = str(where)
        else:
            inputs = [str(where / pattern) if pattern != "." else str(where) for pattern in _expected_files(entry)]
            inputs = inputs[0] if len(inputs) == 1 else inputs
        docs = ct.load(inputs, **args)
    docs.attrs["dataset"] = entry["name"]
    expected = entry.get("n_docs")
    if expected is not None and len(docs) != expected:
        warnings.warn(
            f"dataset {entry['name']!r}: loaded {len(docs)} documents from {where}, the registry expects "
            f"{expected}; the local copy may be incomplete or different (see ct.load_report(docs)).",
            UserWarning,
            stacklevel=2,
        )
    return docs


def _read_lines(file: Path, *, prefix: str, source: str | None) -> pd.DataFrame:
    """One document per non-empty line, in the ``docs`` schema."""
    with open(file, encoding="utf-8") as f:
        numbered = [(i, line.strip()) for i, line in enumerate(f, start=1)]
    numbered = [(i, text) for i, text in numbered if text]
    n = len(numbered)
    width = max(3, len(str(n - 1)))
    index = pd.Index([f"{prefix}-{k:0{width}d}" for k in range(n)], name="doc_id", dtype="str")
    missing = pd.Series(np.nan, index=index, dtype="str")
    return pd.DataFrame(
        {
            "text": pd.Series([text for _, text in numbered], index=index, dtype="str"),
            "title": missing,
            "date": pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"),
            "source": pd.Series(source, index=index, dtype="str"),
            "sections": pd.Series([[] for _ in range(n)], index=index, dtype=object),
            "url": missing.copy(),
            "path": pd.Series(str(file), index=index, dtype="str"),
            "line": pd.Series([i for i, _ in numbered], index=index, dtype="int64"),
        },
        index=index,
    )
