"""A corpus too large for one machine: shards with one vocabulary, built and read on a Dask cluster.

:meth:`ShardedCorpus.build` tokenises a corpus partition by partition on the workers of a
``distributed`` cluster (a ``LocalCluster`` on a laptop, or any scheduler) and writes a folder::

    shards.json          the manifest, written last: the folder is a corpus only once it is there
    vocab.txt            the global vocabulary, sorted (vocab.json when a term holds a line break)
    term_totals.npy      documents holding each term and its occurrences, shape (2, n_terms)
    doc_lengths.npy      kept tokens per document, all shards in order
    shard-00000/ ...     one Corpus folder per partition, as Corpus.save writes them: docs.parquet
                         (with the texts), arrays.bin, vocab.txt (a hard link to the one above),
                         meta.json with the checksums

Each shard is a valid corpus on its own (``Corpus.load(folder / "shard-00000")``) whose term ids
are the global ones, so counts from different shards add up column by column, and the shards
concatenated are exactly ``Corpus.from_docs`` of all documents with the same options.

The folder may be a local path (a shared disk for a cluster of several machines) or a URL that
fsspec opens (``s3://bucket/news-shards``, ``gs://...``, ``file:///shared/news-shards``). At a URL
each task writes its files in a local temporary folder and uploads them; the manifest is
uploaded last, after every shard. A shard's arrays are mapped into memory, which needs a local
file: a process that opens a shard at a URL copies it first into a folder of its machine
(``corpus_tools-shards`` in Dask's ``temporary-directory``, else the system's temporary folder),
checks it against the checksums, and reuses the copy for every later task and session until the
corpus at the URL changes. :attr:`ShardedCorpus.docs` needs no arrays: it reads each shard's
docs.parquet and meta.json from the URL, verified, and copies nothing. Local paths are read where
they are, without copies.
"""
from __future__ import annotations

import io
import json
import operator
import os
import shutil
import sys
import threading
import uuid
import warnings
import zlib
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import _shard_build as _sb
from . import _storage
from ._memory import give_back_memory
from ._storage import CorpusFolderError, doc_ids_checksum, read_folder
from .errors import check_positive_int


class ShardedCorpus:
    """A corpus stored as shards with one global vocabulary, for analyses as map-reduce on Dask.

    Build one with :meth:`build`, open one with :meth:`open`. Row ``r`` of the corpus is row
    ``r - shard_rows[i]`` of shard ``i`` where ``shard_rows[i] <= r < shard_rows[i + 1]``; term id
    ``j`` is ``vocab[j]`` in every shard.

    Attributes
    ----------
    folder : Path or str
        The folder of the shards, or its URL.
    vocab : pd.Index
        The terms, sorted, named ``"term"`` (as :attr:`Corpus.vocab`).
    params : dict
        The build options, as :attr:`Corpus.params` records them.
    n_docs, n_terms, n_tokens, n_sentences, n_shards : int
    shard_rows : int64 array, shape (n_shards + 1,)
        The first global row of each shard, and the number of documents last.
    shard_names : list of str
        The shards' folders in ``folder``, in order.
    docs : DataFrame
        Every document's metadata without the texts (read on first use).
    client : distributed.Client or None
        Where :meth:`map_shards` runs.

    Examples
    --------
    >>> sharded = ct.ShardedCorpus.build(docs, "data/news-shards", rows_per_shard=50_000)  # doctest: +SKIP
    >>> sharded.map_shards(lambda shard, rows: shard.dtm.sum(axis=0))                      # doctest: +SKIP
    """

    def __init__(self, folder, manifest: dict, vocab: list[str], client=None):
        self._root = folder  # a Path, or a RemoteFolder for a URL
        self._manifest = manifest
        self.vocab = pd.Index(vocab, dtype=object, name="term")
        self.params = dict(manifest["params"])
        self.n_docs = int(manifest["n_docs"])
        self.n_tokens = int(manifest["n_tokens"])
        self.n_sentences = int(manifest["n_sentences"])
        self.shard_names = [s["name"] for s in manifest["shards"]]
        self.shard_rows = np.concatenate([[0], np.cumsum([s["n_docs"] for s in manifest["shards"]])]).astype(np.int64)
        self.client = client

    def __getstate__(self) -> dict:
        # a client cannot be pickled; the documents are read again where they are needed
        state = self.__dict__.copy()
        state["client"] = None
        state.pop("docs", None)
        state.pop("_normalizer_cached", None)
        return state

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        source,
        folder: str | os.PathLike,
        *,
        client=None,
        text: str = "text",
        id: str | None = None,
        rows_per_shard: int = 50_000,
        overwrite: bool = False,
        progress: bool = True,
        storage_options: dict | None = None,
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
    ) -> ShardedCorpus:
        """Tokenise a corpus partition by partition into a folder of shards with one vocabulary.

        Two passes of tasks, one task per partition, run on the Dask cluster (else one after
        another in this process). The first tokenises each partition into a temporary folder
        with its own vocabulary and each term's document frequency and occurrences. On the
        client the vocabularies are merged into one sorted vocabulary, the frequencies added
        up and the limits (``min_df``, ``max_df``, ``max_terms``, ``keep``) applied by the
        function :meth:`Corpus.from_docs` applies them with. The second pass maps each
        partition's term ids to the global ones, drops the tokens of removed terms, and writes
        the shard. The shards together therefore equal ``Corpus.from_docs`` of all documents
        with the same options, to the last id and offset.

        Mapping the partitions' own ids afterwards costs a fraction of tokenising; a hashed id
        space would spare the merge but not a second pass (the single-machine vocabulary is
        sorted, and ``min_df``/``max_terms`` need the counts of the whole corpus first), and it
        would have to deal with collisions; so the texts are tokenised once and renumbered.

        Each task writes under a temporary name and renames when done, and writes the same
        files whenever it runs: when a worker dies, Dask runs its tasks again elsewhere, and the
        build completes (or, when workers keep dying on one task, fails with an error that says
        so). The manifest ``shards.json`` is written last, so that :meth:`open` refuses a folder
        whose build did not finish. Temporary files are removed at the end, also after a failure.
        Run one build at a time into a folder.
        Each task holds one partition in memory: a worker with a memory limit far below the
        corpus's size builds it, given partitions that fit.

        Parameters
        ----------
        source : DataFrame, dask DataFrame, or path
            A pandas DataFrame of documents (as from :func:`corpus_tools.load`), cut into shards of
            ``rows_per_shard`` rows; a ``dask.dataframe.DataFrame``, one shard per partition; or
            a Parquet file, a folder of ``*.parquet`` files or a glob pattern, read by the
            workers in slices of about ``rows_per_shard`` rows (whole row groups where they are
            smaller). Partitions without rows are skipped. The workers must be able to read the
            files and write ``folder`` (a local disk for a ``LocalCluster``, a shared one or a URL
            else). A pandas frame is written to temporary Parquet files in ``folder`` for the
            workers to read, so that a worker that dies loses nothing.
        folder : path-like or str
            Where the shards go: a new or empty folder, or one holding a sharded corpus (with
            ``overwrite=True``). A folder holding anything else is left alone (an error). A
            string with ``://`` is a URL that fsspec opens (``s3://bucket/news-shards``,
            ``gs://...``, ``file:///shared/news-shards``): each task writes its files in a local
            temporary folder (in Dask's ``temporary-directory``) and uploads them.
        client : distributed.Client, optional
            The cluster to run on; default the current client (``distributed.default_client()``)
            if there is one, else this process, one partition after another. No cluster is
            started here.
        text : str
            The column holding the texts.
        id : str, optional
            The column holding the doc ids. Default: the frame's index; for Parquet files, the
            index pandas stored with them, else a ``doc_id`` column, else the row numbers
            (counted across the files in order).
        rows_per_shard : int
            Documents per shard for a pandas frame or Parquet files.
        overwrite : bool
            Replace the sharded corpus in ``folder``.
        progress : bool
            Show Dask's progress bar (``distributed.progress``; ``dask.diagnostics.ProgressBar``
            without a cluster).
        storage_options : dict, optional
            For a URL ``folder``: options of its fsspec file system (credentials, an endpoint),
            as ``pandas.read_parquet`` takes them. They travel to the workers with the tasks.
        lowercase, tokenizer, stopwords, extra_stopwords, min_length, numbers, lemmatize, stem
            As for :meth:`Corpus.from_docs`.
        min_df, max_df, max_terms, keep
            As for :meth:`Corpus.from_docs`: limits over the whole corpus.
        phrases : bool
            Not available: phrase detection needs the statistics of the whole corpus before
            the tokens are written. ``True`` raises a ValueError.

        Returns
        -------
        ShardedCorpus
            Opened with :meth:`open`, holding on to ``client`` for :meth:`map_shards`.

        Raises
        ------
        ValueError
            ``phrases`` was asked for, an option is unknown, a text or id column is missing,
            doc ids repeat (the message names some), no document has a term left, the
            limits remove every term, or fsspec knows no file system for the URL ``folder``.
        ImportError
            The package fsspec needs for the URL ``folder`` (s3fs for ``s3://``, say) is not installed.
        TypeError
            ``source`` is none of the above, or a text column holds non-strings.
        FileExistsError
            ``folder`` holds a corpus (without ``overwrite``) or other files.
        RuntimeError
            Workers kept dying on a task (out of memory, say); nothing in ``folder`` opens.

        Examples
        --------
        >>> from distributed import Client                                    # doctest: +SKIP
        >>> client = Client()                      # a LocalCluster, one worker per core  # doctest: +SKIP
        >>> sharded = ct.ShardedCorpus.build("news/*.parquet", "data/news-shards", min_df=2)  # doctest: +SKIP
        >>> sharded.shard(0)                                                  # doctest: +SKIP
        Corpus(50,000 docs, ...)
        >>> ct.ShardedCorpus.build("news/*.parquet", "s3://my-bucket/news-shards")  # doctest: +SKIP
        """
        if phrases:
            raise ValueError("`phrases` cannot be used with ShardedCorpus.build: joining phrases needs the "
                             "statistics of the whole corpus before any shard is written. Build the corpus in "
                             "memory with Corpus.from_docs(docs, phrases=True), or leave phrases out.")
        from .corpus import _build_options, _options_in

        options = {**_options_in(locals()), "phrases": False}
        _, _, params = _build_options(**options)  # every option checked before any work
        rows_per_shard = check_positive_int("rows_per_shard", rows_per_shard)
        client = _client(client)
        folder = _sb.location(folder, storage_options)
        kind = _source_kind(source)
        if kind == "pandas":
            _check_frame(source, text, id)
        elif kind == "dask":
            missing = [(what, c) for what, c in (("text", text), ("id", id))
                       if c is not None and c not in source.columns]
            if missing:
                what, col = missing[0]
                raise ValueError(f"the dask DataFrame has no {what} column {col!r}; its columns: "
                                 f"{list(source.columns)}. Pass {what}='<column>'.")
        else:
            slices = _sb.plan_parquet(_sb.parquet_files(source), text, id, rows_per_shard)

        created = _sb.prepare_folder(folder, overwrite)
        build_dir = folder / f".build-{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp"
        build_dir.mkdir()
        token = uuid.uuid4().hex[:8]  # task names of their own, so results of another build are never reused
        finished = False
        try:
            tasks = _pass1_tasks(kind, source, slices if kind == "parquet" else None, build_dir, client, text, id,
                                 rows_per_shard, options, token)
            parts = _run(tasks, client, progress, folder)
            corpus = _finish_build(folder, build_dir, parts, params, options, client, progress, token,
                                   source.attrs.get("load_report") if kind == "pandas" else None)
            finished = True
        finally:
            _sb.remove_temporary(folder)  # the build folder and what killed tasks left
            if not finished:
                _sb.clear_folder(folder)
                if created:
                    try:
                        if isinstance(folder, Path):
                            folder.rmdir()
                        elif not list(folder.iterdir()):
                            folder.remove()
                    except OSError:  # a straggling task wrote into it meanwhile
                        pass
        corpus.client = client
        return corpus

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, folder: str | os.PathLike, *, client=None, storage_options: dict | None = None) -> ShardedCorpus:
        """Open a sharded corpus that :meth:`build` wrote.

        The manifest ``shards.json`` is verified (its checksum, that of the vocabulary and of
        each shard's ``meta.json``, which holds the checksums of the shard's files); the arrays
        of a shard are verified when :meth:`shard` opens it. Folders and files the manifest does
        not name (a shard being written, a temporary folder a killed task left) are ignored.

        A corpus at a URL is read with fsspec. Each process that opens one of its shards (the
        workers in :meth:`map_shards`, this one in :meth:`shard`) copies the
        shard once into a local folder (``corpus_tools-shards`` in Dask's ``temporary-directory``,
        else the system's temporary folder), verifies the copy and maps it; later tasks, and
        later sessions on the same machine, reuse it. A copy found damaged is copied again; the
        folder may be deleted whenever no analysis runs. :attr:`docs` reads only each shard's
        docs.parquet and meta.json from the URL, and copies nothing.

        Parameters
        ----------
        folder : path-like or str
            The folder, or its URL (``s3://bucket/news-shards``, ``file:///shared/news-shards``).
        client : distributed.Client, optional
            The cluster :meth:`map_shards` runs on; default the current client, if any.
        storage_options : dict, optional
            For a URL: options of its fsspec file system (credentials, an endpoint).

        Raises
        ------
        FileNotFoundError
            ``folder`` is not a folder (at a URL: nothing is stored there).
        ImportError
            The package fsspec needs for the URL (s3fs for ``s3://``, say) is not installed.
        ValueError
            fsspec knows no file system for the URL.
        corpus_tools.errors.CorpusFolderError
            (a ValueError) The manifest is missing (a build that did not finish), damaged or edited,
            or a shard or the vocabulary is missing or not the one the manifest lists.

        Examples
        --------
        >>> sharded = ct.ShardedCorpus.open("data/news-shards")  # doctest: +SKIP
        >>> sharded = ct.ShardedCorpus.open("s3://my-bucket/news-shards",            # doctest: +SKIP
        ...                                 storage_options={"anon": True})
        """
        folder = _sb.location(folder, storage_options)
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is not a folder; build a sharded corpus there with "
                                    "ShardedCorpus.build(source, folder).")
        manifest = _read_manifest(folder)
        vocab_info = manifest["vocab"]
        try:
            raw = (folder / vocab_info["name"]).read_bytes()
        except OSError:
            raise _sb.damaged(folder, f"{vocab_info['name']} is missing or unreadable") from None
        if zlib.crc32(raw) != vocab_info["crc32"]:
            raise _sb.damaged(folder, f"{vocab_info['name']} does not match its checksum in {_sb.MANIFEST} "
                                      "(it was edited or damaged)")
        vocab = raw.decode("utf-8").split("\n") if vocab_info["name"].endswith(".txt") else json.loads(raw)
        del raw
        metas = _sb.read_files(folder, [f"{shard['name']}/meta.json" for shard in manifest["shards"]])
        for shard, raw in zip(manifest["shards"], metas):
            _check_meta(folder / shard["name"], raw, shard["meta_crc32"])
        return cls(folder, manifest, vocab, client=client)

    # ------------------------------------------------------------------ sizes and documents
    @property
    def folder(self) -> Path | str:
        """The folder of the shards (an absolute Path), or its URL (a str)."""
        return self._root if isinstance(self._root, Path) else self._root.url

    @property
    def n_terms(self) -> int:
        """Size of the vocabulary."""
        return len(self.vocab)

    @property
    def n_shards(self) -> int:
        return len(self.shard_names)

    def __len__(self) -> int:
        return self.n_docs

    @cached_property
    def docs(self) -> pd.DataFrame:
        """Every document's metadata (all columns but the text), index ``doc_id``, shard after shard.

        Read from the shards' docs.parquet on first use, then kept. Each shard's meta.json is
        verified against the manifest and its docs.parquet against meta.json; at a URL they are
        read from this machine's copy of the shard where an analysis made one, else only these
        two files of each shard are fetched (its arrays are not needed, and nothing is copied to
        this machine's folder of shards).
        """
        text = self.params.get("text", "text")
        frames = []
        for i in range(self.n_shards):
            path, meta_crc32 = self._locate(i)
            raw, meta = None, None
            if not isinstance(path, Path):
                # this machine's verified copy of the shard, when an analysis made one: no download
                local = _sb.cache_folder(path, meta_crc32)
                try:
                    raw, meta = _verified_docs_bytes(local, meta_crc32) if local.is_dir() else (None, None)
                except CorpusFolderError:  # a damaged or partly removed copy: read the URL instead
                    raw, meta = None, None
            if raw is None:
                raw, meta = _verified_docs_bytes(path, meta_crc32)
            frame = _read_docs(raw, text, with_text=False)
            del raw  # with its texts: one shard's at a time
            if doc_ids_checksum(frame.index) != meta.get("doc_ids_crc32"):
                raise _sb.damaged(path, "docs.parquet holds other documents than the arrays")
            frames.append(frame)
        docs = pd.concat(frames) if len(frames) > 1 else frames[0]
        report = self._load_report()
        if report is not None:
            docs.attrs["load_report"] = report
        return docs

    @property
    def dates(self) -> pd.Series:
        """The ``date`` column as datetime64 (all NaT when the docs have no dates), as :attr:`Corpus.dates`."""
        if "date" in self.docs.columns:
            return pd.to_datetime(self.docs["date"], errors="coerce")
        return pd.Series(pd.NaT, index=self.docs.index, dtype="datetime64[ns]", name="date")

    @cached_property
    def doc_lengths(self) -> np.ndarray:
        """Kept tokens per document (int64), all shards in order."""
        return self._array(_sb.DOC_LENGTHS)

    def _term_totals(self) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding each term, and its occurrences (int64 arrays), as :meth:`Corpus._term_totals`."""
        totals = self._array(_sb.TERM_TOTALS)
        return totals[0].copy(), totals[1].copy()

    def term_id(self, term: str) -> int:
        """Column of ``term`` in every shard's matrix; a KeyError names close matches when it is absent."""
        from .corpus import Corpus

        return Corpus.term_id(self, term)

    def analyze(self, text: str) -> list[str]:
        """Tokenize and normalise a query as the shards were built (see :meth:`Corpus.analyze`).

        >>> sharded.analyze("Defense Ministers")  # doctest: +SKIP
        ['defense', 'ministers']
        """
        from .corpus import Corpus

        return Corpus.analyze(self, text)

    def _normalizer(self):
        from .corpus import Corpus

        return Corpus._normalizer(self)

    def _make_normalizer(self):
        from .corpus import Corpus

        return Corpus._make_normalizer(self)

    def _array(self, name: str) -> np.ndarray:
        try:
            raw = (self._root / name).read_bytes()
        except OSError:
            raise _sb.damaged(self._root, f"{name} is missing or unreadable") from None
        if zlib.crc32(raw) != self._manifest["files"].get(name):
            raise _sb.damaged(self._root, f"{name} does not match its checksum in {_sb.MANIFEST}")
        return np.load(io.BytesIO(raw), allow_pickle=False)

    def _load_report(self) -> dict | None:
        path = self._root / _sb.LOAD_REPORT
        if _sb.LOAD_REPORT not in self._manifest["files"] or not path.exists():
            return None
        raw = path.read_bytes()
        if zlib.crc32(raw) != self._manifest["files"][_sb.LOAD_REPORT]:
            raise _sb.damaged(self._root, f"{_sb.LOAD_REPORT} does not match its checksum in {_sb.MANIFEST}")
        return json.loads(raw)

    # ------------------------------------------------------------------ shards
    def _locate(self, i: int):
        """(folder, meta_crc32) of shard ``i``: its folder (a Path, or a :class:`_sb.RemoteFolder` at
        a URL) and the checksum the manifest lists for its meta.json. ``i`` counts from the end
        when negative, as a list's index does."""
        n = self.n_shards
        try:
            if isinstance(i, (bool, np.bool_)):  # True is 1 to operator.index, not a shard's number
                raise TypeError
            k = operator.index(i)
        except TypeError:
            raise TypeError(f"`i` must be an integer, a shard's number from 0 to {n - 1}; "
                            f"got {type(i).__name__}.") from None
        if not -n <= k < n:
            raise IndexError(f"shard {i} does not exist; this corpus has {n} shards (0..{n - 1}).")
        k %= n
        return self._root / self.shard_names[k], self._manifest["shards"][k]["meta_crc32"]

    def shard_path(self, i: int) -> Path | str:
        """The folder of shard ``i`` (its URL for a corpus at a URL); ``-1`` is the last.

        Raises
        ------
        IndexError
            ``i`` is not one of the shards' numbers.
        TypeError
            ``i`` is not an integer.

        Examples
        --------
        >>> sharded.shard_path(0)  # doctest: +SKIP
        PosixPath('/data/news-shards/shard-00000')
        """
        path, _ = self._locate(i)
        return path if isinstance(path, Path) else path.url

    def shard(self, i: int, *, text: bool = False):
        """Shard ``i`` as a :class:`~corpus_tools.corpus.Corpus`, its arrays mapped from the files
        (from this machine's copy of them, for a corpus at a URL: see :meth:`open`).

        Parameters
        ----------
        i : int
            0 to ``n_shards - 1``, or counted from the end when negative (``-1`` is the last).
        text : bool
            Read the text column into ``docs``. Without it (the default, which spares memory),
            ``corpus.texts(...)`` and :func:`corpus_tools.kwic` read the texts of the documents
            they need from the shard's docs.parquet.

        Raises
        ------
        IndexError
            ``i`` is not one of the shards' numbers.
        TypeError
            ``i`` is not an integer.
        corpus_tools.errors.CorpusFolderError
            A file of the shard is damaged or not the one the manifest lists.
        """
        path, crc = self._locate(i)
        if isinstance(path, Path):
            return open_shard(str(path), crc, text)
        return _cached(path, crc, lambda local: open_shard(local, crc, text))

    def map_shards(self, fn, *args, **kwargs) -> list:
        """``fn(shard, rows, *args, **kwargs)`` for every shard, on the cluster; the results in shard order.

        ``shard`` is :meth:`shard` ``(i)`` (opened by the worker from its folder, or from its
        local copy of a shard at a URL: no corpus is sent over the network) and ``rows`` the
        ``slice`` of global rows it holds. ``fn``, ``args`` and ``kwargs`` are pickled
        (cloudpickle) and sent to every worker once (``client.scatter``), whatever the number
        of shards: an array of the whole corpus's rows is fine, ``rows`` picks a shard's part.

        Runs on the client given to :meth:`build` or :meth:`open`, else on the current client
        (``distributed.default_client()``), else here, one shard after another. No cluster is
        started here.

        Examples
        --------
        >>> sizes = sharded.map_shards(lambda shard, rows: shard.n_tokens)  # doctest: +SKIP
        >>> sum(sizes) == sharded.n_tokens                                 # doctest: +SKIP
        True
        """
        if not callable(fn):
            raise TypeError(f"`fn` must be a function of (shard, rows, ...); got {type(fn).__name__}.")
        jobs = []
        for i in range(self.n_shards):
            path, crc = self._locate(i)
            jobs.append((_sb._task_folder(path), crc, slice(int(self.shard_rows[i]), int(self.shard_rows[i + 1]))))
        client = _client(self.client)
        if client is None:
            return [run_on_shard(path, crc, rows, fn, args, kwargs) for path, crc, rows in jobs]
        name = getattr(fn, "__name__", "fn").strip("<>")
        token = uuid.uuid4().hex[:8]
        # the function and its arguments go to each worker once, not with each of its tasks: an
        # analysis's plan may hold an array per document (5M periods, a target mask), and the
        # tasks of a worker wait in its memory together
        [payload] = client.scatter([(fn, args, kwargs)], broadcast=True, hash=False)
        futures = [client.submit(_run_payload, path, crc, rows, payload, pure=False,
                                 key=f"{name}-{self.shard_names[i]}-{token}")
                   for i, (path, crc, rows) in enumerate(jobs)]
        try:
            return client.gather(futures)
        finally:
            client.cancel(futures + [payload])  # released on the workers, also when one failed

    def to_corpus(self):
        """All shards in one in-memory :class:`~corpus_tools.corpus.Corpus`, texts included.

        For small corpora and tests: it equals ``Corpus.from_docs`` of the same documents with the
        same options (docs as read back from Parquet).
        """
        import scipy.sparse as sp

        from .corpus import Corpus

        shards = [self.shard(i, text=True) for i in range(self.n_shards)]
        ids = np.concatenate([s.ids for s in shards]).astype(np.int32, copy=False)
        token_starts = np.cumsum([0] + [s.n_tokens for s in shards])
        doc_offsets = np.concatenate([[0]] + [s.doc_offsets[1:] + p for s, p in zip(shards, token_starts)])
        sent_offsets = np.concatenate([s.sent_offsets[:-1] + p for s, p in zip(shards, token_starts)]
                                      + [[token_starts[-1]]])
        idx = shards[0].dtm.indices.dtype
        nnz = np.cumsum([0] + [s.dtm.nnz for s in shards])
        indptr = np.concatenate([[0]] + [s.dtm.indptr[1:].astype(np.int64) + p for s, p in zip(shards, nnz)])
        dtm = sp.csr_matrix((np.concatenate([s.dtm.data for s in shards]),
                             np.concatenate([s.dtm.indices for s in shards]).astype(idx, copy=False),
                             indptr.astype(idx)), shape=(self.n_docs, self.n_terms))
        dtm.has_canonical_format = True
        docs = pd.concat([s.docs for s in shards]) if len(shards) > 1 else shards[0].docs
        docs.attrs = {}
        report = self._load_report()
        if report is not None:
            docs.attrs["load_report"] = report
        return Corpus(docs, self.vocab, ids, doc_offsets.astype(np.int64), sent_offsets.astype(np.int64), dtm=dtm,
                      params=self.params)

    # ------------------------------------------------------------------ display
    def _date_range(self) -> str:
        from .corpus import _iso_day

        first, last, undated = self._manifest.get("dates") or (None, None, self.n_docs)
        if first is None:
            return "undated"
        extra = f", {undated:,} undated" if undated else ""
        return f"{_iso_day(pd.Timestamp(first))}..{_iso_day(pd.Timestamp(last))}{extra}"

    def __repr__(self) -> str:
        return (f"ShardedCorpus({self.n_docs:,} docs in {self.n_shards:,} shards, {self.n_tokens:,} tokens, "
                f"{self.n_terms:,} terms, {self._date_range()}, folder={str(self.folder)!r})")

    def _repr_html_(self) -> str:
        from html import escape

        rows = [("documents", f"{self.n_docs:,}"), ("shards", f"{self.n_shards:,}"), ("tokens", f"{self.n_tokens:,}"),
                ("terms", f"{self.n_terms:,}"), ("sentences", f"{self.n_sentences:,}"),
                ("dates", self._date_range()), ("folder", str(self.folder))]
        body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        return f"<table><caption>ShardedCorpus</caption>{body}</table>"


# ---------------------------------------------------------------------- on the workers
def open_shard(path: str, meta_crc32: int | None = None, text: bool = False):
    """The Corpus in shard folder ``path``, arrays mapped, every file verified; ``meta_crc32``:
    the checksum the manifest lists for its meta.json."""
    from .corpus import Corpus

    path = Path(path)
    try:
        raw_meta = (path / "meta.json").read_bytes()
    except OSError as err:
        raw_meta = err  # without meta_crc32, read_folder says what is wrong
    if meta_crc32 is not None:
        _check_meta(path, raw_meta, meta_crc32)
    try:
        raw = (path / "docs.parquet").read_bytes()
    except OSError:
        raise CorpusFolderError(path, "docs.parquet is missing or unreadable") from None
    meta, vocab, arrays = read_folder(path, map_arrays=True, files={"docs.parquet": raw})
    column = (meta.get("params") or {}).get("text", "text")
    docs = _read_docs(raw, column, with_text=text)
    del raw
    if "doc_ids_crc32" in meta and doc_ids_checksum(docs.index) != meta["doc_ids_crc32"]:
        raise CorpusFolderError(path, "docs.parquet holds other documents or another order than the arrays")
    corpus = Corpus._from_folder(path, docs, meta, vocab, arrays)
    del vocab
    # read_folder verified the vocabulary's file against this checksum: it needs no second read
    corpus.vocab = _one_vocabulary(corpus.vocab, _listed_checksum(raw_meta, "vocab"))
    if not text:
        from ._text_source import remember_ids

        stat = (path / "docs.parquet").stat()
        docs.attrs["text_source"] = {"format": "parquet", "path": str((path / "docs.parquet").resolve()),
                                     "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "text": column, "id": None,
                                     "rows": len(docs), "sha256": None, "copy": None}
        remember_ids(docs.attrs["text_source"], docs.index)
    return corpus


# The vocabulary of the shards a process opened, by the checksum of its file: every shard of a
# corpus holds the same terms, and 50 shards open in a worker would otherwise hold 50 copies
# (4 MB each for 62,000 terms).
_VOCABULARIES: dict = {}
_CACHE_LOCK = threading.Lock()  # for _VOCABULARIES and _OPEN_SHARDS


def _one_vocabulary(vocab: pd.Index, crc32: int | None) -> pd.Index:
    """``vocab``, or the equal vocabulary of a shard opened before (one object for all).

    ``crc32`` is the checksum of the shard's vocabulary file, as its meta.json lists it (the file
    was verified against it when read); the key only finds a candidate, which must equal ``vocab``.
    """
    key = (len(vocab), crc32)
    with _CACHE_LOCK:  # a worker may run several tasks at once
        known = _VOCABULARIES.get(key)
        if known is not None and known.equals(vocab):
            return known
        while len(_VOCABULARIES) >= 4:  # corpora open in this process at once
            _VOCABULARIES.pop(next(iter(_VOCABULARIES)))
        _VOCABULARIES[key] = vocab
    return vocab


# Shards a process has opened and verified, by path, meta.json checksum, and the inode, size and
# modification time of its files:
# an analysis maps over every shard, and a notebook runs many; verifying a shard's arrays again
# at every call would read the whole corpus each time. Shards are written by renaming a new
# folder into place, so a replaced shard (other inodes) or an edited file is opened anew.
# The arrays are memory-mapped: a kept shard holds its docs metadata, not its arrays.
_OPEN_SHARDS: dict = {}
# at most as many as can stay mapped (see _storage._max_maps), with room for a few other
# corpora: a shard opened beyond that would be read into memory whole and kept there
_MAX_OPEN_SHARDS = max(8, min(256, _storage._MAX_MAPS - 16))


def _opened_shard(path, meta_crc32: int):
    if isinstance(path, _sb.RemoteFolder):
        return _cached(path, meta_crc32, lambda local: _opened_shard(local, meta_crc32))
    try:
        stats = [os.stat(Path(path) / name) for name in ("meta.json", "arrays.bin", "docs.parquet")]
    except OSError:
        return open_shard(path, meta_crc32)  # which says what is missing
    key = (str(path), meta_crc32, *((st.st_ino, st.st_size, st.st_mtime_ns) for st in stats))
    with _CACHE_LOCK:  # a worker may run several tasks at once
        corpus = _OPEN_SHARDS.pop(key, None)
    if corpus is None:
        corpus = open_shard(path, meta_crc32)  # outside the lock: it reads and verifies the files
        # what reading the shard's files left in Arrow's pool and the heap stays otherwise
        # counted against the worker's memory limit
        give_back_memory(arrow=True)
    with _CACHE_LOCK:
        while len(_OPEN_SHARDS) >= _MAX_OPEN_SHARDS:
            _OPEN_SHARDS.pop(next(iter(_OPEN_SHARDS)))
        _OPEN_SHARDS[key] = corpus  # most recently used last
    return corpus


def run_on_shard(path, meta_crc32: int, rows: slice, fn, args: tuple, kwargs: dict):
    """What a worker runs for :meth:`ShardedCorpus.map_shards` (each shard opened and verified
    once per process); ``path`` is the shard's folder, or a :class:`_sb.RemoteFolder`."""
    corpus = _opened_shard(path, meta_crc32)
    try:
        return fn(corpus, rows, *args, **kwargs)
    finally:
        # every page a worker read would otherwise count in its resident memory, which Dask
        # compares with its memory limit; they stay in the system's file cache
        corpus.release_pages()


def _run_payload(path, meta_crc32: int, rows: slice, payload: tuple):
    """:func:`run_on_shard` with the function and its arguments scattered once (``payload``)."""
    fn, args, kwargs = payload
    return run_on_shard(path, meta_crc32, rows, fn, args, kwargs)


def _cached(shard, meta_crc32: int, use):
    """``use(local)`` of this machine's copy of the shard at a URL (``shard``, a
    :class:`_sb.RemoteFolder`), copied from the URL first when there is none.

    ``use`` opens and so verifies the copy (every file against the checksums in its meta.json,
    meta.json against the manifest's). A copy found damaged is removed: one that was there
    already is copied again (the local disk may have damaged it); one just copied is damaged at
    the URL, and the error names the URL.
    """
    local = _sb.cache_folder(shard, meta_crc32)
    for attempt in range(3):  # a copy another process has just removed may disappear meanwhile
        fetched = not local.is_dir()
        if fetched:
            _sb.fetch_shard(shard, local)
        try:
            return use(str(local))
        except CorpusFolderError as err:
            shutil.rmtree(local, ignore_errors=True)
            if fetched or attempt == 2:  # the error names the URL, not the copy
                raise _sb.damaged(shard if Path(err.folder) == local else shard.parent, err.problem) from None


def _read_docs(raw: bytes, text: str, with_text: bool) -> pd.DataFrame:
    if with_text:
        return pd.read_parquet(io.BytesIO(raw))
    import pyarrow.parquet as pq

    f = pq.ParquetFile(io.BytesIO(raw))
    index_columns = [c for c in (f.schema_arrow.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
    columns = [c for c in f.schema_arrow.names if c != text and c not in index_columns]
    return pd.read_parquet(io.BytesIO(raw), columns=columns)  # the index comes with them


def _check_meta(shard, raw_meta: bytes | OSError, meta_crc32: int) -> None:
    """Refuse a shard's meta.json (its bytes, or the error reading it gave) that is missing or not
    the one the manifest lists; ``shard`` is its folder (a Path, or a :class:`_sb.RemoteFolder`),
    and the error names the corpus's."""
    if isinstance(raw_meta, OSError):
        raise _sb.damaged(shard.parent, f"the shard {shard.name} is missing or incomplete (no meta.json)")
    if zlib.crc32(raw_meta) != meta_crc32:
        raise _sb.damaged(shard.parent, f"{shard.name}/meta.json is not the one {_sb.MANIFEST} lists (the shard "
                                        "was replaced, edited or damaged)")


def _listed_checksum(raw_meta: bytes | OSError, name: str) -> int | None:
    """The checksum a shard's meta.json (its bytes) lists for its file ``name``; None if it lists none."""
    try:
        sums = json.loads(raw_meta).get("crc32")
        return sums.get(name) if isinstance(sums, dict) else None
    except (TypeError, ValueError, AttributeError):
        return None


def _verified_docs_bytes(shard, meta_crc32: int) -> tuple[bytes, dict]:
    """The bytes of a shard's docs.parquet and its meta.json read, nothing else of the shard:
    meta.json verified against the manifest's checksum ``meta_crc32``, docs.parquet against
    meta.json's. ``shard`` is its folder, or a :class:`_sb.RemoteFolder` (both files fetched
    in one batch)."""
    raw, raw_meta = _sb.read_files(shard, ["docs.parquet", "meta.json"])
    _check_meta(shard, raw_meta, meta_crc32)
    if isinstance(raw, OSError):
        raise _sb.damaged(shard, "docs.parquet is missing or unreadable")
    if zlib.crc32(raw) != _listed_checksum(raw_meta, "docs.parquet"):
        raise _sb.damaged(shard, "docs.parquet does not match its checksum (it was edited or damaged)")
    return raw, json.loads(raw_meta)


# ---------------------------------------------------------------------- building, on the client
def _client(client):
    """The client to run on: the one given, else the current one, else None (run here). Never starts a cluster."""
    if client is not None:
        return None if getattr(client, "status", None) in ("closing", "closed") else client
    if "distributed" not in sys.modules:  # never imported, so no client can exist
        return None
    from distributed import default_client

    try:
        return default_client()
    except ValueError:
        return None


def _source_kind(source) -> str:
    if isinstance(source, pd.DataFrame):
        return "pandas"
    if isinstance(source, (str, os.PathLike)):
        return "parquet"
    if "dask" in sys.modules and type(source).__module__.startswith("dask"):
        import dask.dataframe as dd

        if isinstance(source, dd.DataFrame):
            return "dask"
    raise TypeError(f"ShardedCorpus.build takes a pandas DataFrame, a dask DataFrame or the path of Parquet "
                    f"files; got {type(source).__name__}.")


def _check_frame(docs: pd.DataFrame, text: str, id: str | None) -> None:
    if len(docs) == 0:
        raise ValueError("the corpus is empty: `source` has no rows.")
    for what, col in (("text", text), ("id", id)):
        if col is not None and col not in docs.columns:
            raise ValueError(f"`source` has no {what} column {col!r}; available columns: {list(docs.columns)}. "
                             f"Pass {what}='<column>'.")


def _pass1_tasks(kind, source, slices, build_dir: Path, client, text, id, rows_per_shard, options, token) -> list:
    """One delayed call of :func:`_sb.tokenize_part` per partition."""
    import dask

    def task(i, part):
        return dask.delayed(_sb.tokenize_part, pure=False)(part, _sb._task_folder(build_dir), i, text, id, options,
                                                           dask_key_name=f"tokenize-partition-{token}-{i}")

    if kind == "dask":
        return [task(i, part) for i, part in enumerate(source.to_delayed())]
    if kind == "parquet":
        return [task(i, s) for i, s in enumerate(slices)]
    docs = source if id is None else source.set_index(id).rename_axis("doc_id")
    id = None  # set here, once
    pieces = [docs.iloc[a : a + rows_per_shard] for a in range(0, len(docs), rows_per_shard)]
    if client is None:  # here, in this process: the pieces as they are
        return [task(i, piece) for i, piece in enumerate(pieces)]
    # for the workers: files they read (a worker that dies loses nothing the client must send again)
    specs = []
    for i, piece in enumerate(pieces):
        data, _ = _sb.docs_bytes(piece)
        path = build_dir / f"piece-{i:05d}.parquet"
        path.write_bytes(data)
        specs.append(_sb.PieceFile(_sb._task_folder(path)))
    return [task(i, spec) for i, spec in enumerate(specs)]


def _run(tasks: list, client, progress: bool, folder: Path) -> list:
    """Compute delayed ``tasks`` on the client (else here, one after another); their results in order."""
    import dask

    if client is None:
        if progress:
            from dask.diagnostics import ProgressBar

            with ProgressBar(minimum=1.0):  # shown for work that takes more than a second, as from_docs's
                return list(dask.compute(*tasks, scheduler="sync"))
        return list(dask.compute(*tasks, scheduler="sync"))
    from distributed import KilledWorker, progress as show_progress

    futures = client.compute(tasks)
    try:
        if progress:
            show_progress(futures)
        return client.gather(futures)
    except KilledWorker as err:
        raise RuntimeError(f"the build of {folder} failed: the workers running task {err.task!r} died each time "
                           f"(out of memory, perhaps: use smaller partitions, or give the workers more memory). "
                           f"Nothing in {folder} opens as a corpus; build again.") from err
    finally:
        client.cancel(futures)


def _finish_build(folder, build_dir, parts: list, params: dict, options: dict, client, progress: bool,
                  token: str, load_report) -> ShardedCorpus:
    """Merge the vocabularies, write the vocabulary, run the second pass and write the manifest."""
    import dask

    parts = [p for p in parts if p["n_docs"]]
    n_docs = sum(p["n_docs"] for p in parts)
    if n_docs == 0:
        raise ValueError("the corpus is empty: every partition of `source` has no rows.")
    ids = parts[0]["ids"].append([p["ids"] for p in parts[1:]]) if len(parts) > 1 else parts[0]["ids"]
    if not ids.is_unique:
        dup = ids[ids.duplicated()].unique()[:5].tolist()
        raise ValueError(f"doc ids must be unique across all partitions; duplicated: {dup}. Pass id='<column>' "
                         "naming a column of unique ids.")
    del ids
    missing = sum(p["n_missing"] for p in parts)
    if missing:
        warnings.warn(f"{missing} documents have no {params['text']!r} (missing values are read as empty texts).",
                      stacklevel=3)
    if any(p["surrogates"] for p in parts):
        warnings.warn("some documents hold lone surrogates (characters UTF-8 cannot encode); the shards' "
                      "docs.parquet stores them as U+FFFD. The tokens are unchanged: the tokeniser reads them "
                      "as non-word characters.", stacklevel=3)

    part_dirs = [build_dir / f"part-{p['index']:05d}" for p in parts]
    limits = (params["min_df"], params["max_df"], params["max_terms"], options["keep"])
    if isinstance(build_dir, Path):
        vocab, maps, totals = _sb.merge_vocabularies(part_dirs, n_docs, limits)
    else:  # the parts' term lists, copied here
        import tempfile

        with tempfile.TemporaryDirectory(prefix="corpus_tools-merge-", dir=_sb.scratch_dir()) as tmp:
            build_dir.download([f"{d.name}/terms.parquet" for d in part_dirs], Path(tmp))
            vocab, maps, totals = _sb.merge_vocabularies([Path(tmp) / d.name for d in part_dirs], n_docs, limits)
    n_tokens = int(totals[1].sum())
    if n_tokens == 0:  # as Corpus.from_docs says it
        raise ValueError(
            f"no terms are left in any of the {n_docs} documents after tokenising "
            f"(stopwords={params['stopwords']!r}, min_length={params['min_length']}, "
            f"numbers={params['numbers']}); check the text column or relax these options.")
    for p, m in zip(parts, maps):
        (build_dir / f"remap-{p['index']:05d}.npy").write_bytes(_sb.npy_bytes(m))
    vocab_name, vocab_bytes = _sb.vocab_file(vocab)
    _sb.write_durably(folder / vocab_name, vocab_bytes)
    vocab_crc = zlib.crc32(vocab_bytes)
    del vocab_bytes
    index_dtype = "int32" if n_tokens < np.iinfo(np.int32).max else "int64"  # as the single-machine build

    first_rows = np.concatenate([[0], np.cumsum([p["n_docs"] for p in parts])])
    tasks = [dask.delayed(_sb.write_shard, pure=False)(
        _sb._task_folder(d), _sb._task_folder(build_dir / f"remap-{p['index']:05d}.npy"), _sb._task_folder(folder),
        k, int(first_rows[k]), vocab_name,
        vocab_crc, index_dtype, params, p["doc_ids_crc32"], dask_key_name=f"write-shard-{token}-{k}")
        for k, (p, d) in enumerate(zip(parts, part_dirs))]
    shards = _run(tasks, client, progress, folder)

    files = {}
    doc_lengths = np.concatenate([s["doc_lengths"] for s in shards])
    for name, array in ((_sb.TERM_TOTALS, totals), (_sb.DOC_LENGTHS, doc_lengths)):
        data = _sb.npy_bytes(np.ascontiguousarray(array, dtype=np.int64))
        _sb.write_durably(folder / name, data)
        files[name] = zlib.crc32(data)
    if load_report:
        data = json.dumps(load_report, default=str, indent=1).encode("utf-8")
        _sb.write_durably(folder / _sb.LOAD_REPORT, data)
        files[_sb.LOAD_REPORT] = zlib.crc32(data)
    manifest = {
        "format": _sb.MANIFEST_FORMAT, "version": _sb.MANIFEST_VERSION, "corpus_tools": _version(),
        "params": params, "n_docs": n_docs, "n_tokens": n_tokens, "n_terms": len(vocab),
        "n_sentences": int(sum(s["n_sentences"] for s in shards)),
        "vocab": {"name": vocab_name, "crc32": vocab_crc},
        "files": files,
        "shards": [{"name": s["name"], "n_docs": s["n_docs"], "n_tokens": s["n_tokens"], "meta_crc32": s["meta_crc32"]}
                   for s in shards],
        "dates": _merge_dates([p["dates"] for p in parts]),
    }
    manifest = json.loads(json.dumps(manifest, default=str))  # as a reader will see it
    manifest["crc32"] = _sb.manifest_checksum(manifest)
    _sb.write_durably(folder / _sb.MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    return ShardedCorpus(folder, manifest, vocab)


def _merge_dates(stats: list) -> list | None:
    """[earliest, latest, undated] over the partitions' :func:`_sb._date_stats`."""
    if any(s is None for s in stats):
        return None
    present = [s for s in stats if s[0] is not None]
    undated = sum(s[2] for s in stats)
    if not present:
        return [None, None, undated]
    try:
        first = min(pd.Timestamp(s[0]) for s in present)
        last = max(pd.Timestamp(s[1]) for s in present)
    except TypeError:  # time zones that cannot be compared
        return None
    return [first.isoformat(), last.isoformat(), undated]


def _read_manifest(folder: Path) -> dict:
    path = folder / _sb.MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusFolderError(folder, f"{_sb.MANIFEST} is missing, so the folder holds no complete sharded corpus "
                                "(its build was interrupted, failed or is still running)",
                                "build it (again) with ShardedCorpus.build(source, folder, overwrite=True)") from None
    except OSError as err:
        raise _sb.damaged(folder, f"{_sb.MANIFEST} cannot be read ({err})") from None
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise _sb.damaged(folder, f"{_sb.MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict):
        raise _sb.damaged(folder, f"{_sb.MANIFEST} does not hold a JSON object")
    crc = manifest.pop("crc32", None)
    if crc != _sb.manifest_checksum(manifest):
        raise _sb.damaged(folder, f"{_sb.MANIFEST} does not match its checksum (it was edited or damaged)")
    if manifest.get("format") != _sb.MANIFEST_FORMAT or manifest.get("version") != _sb.MANIFEST_VERSION:
        raise CorpusFolderError(folder, f"{_sb.MANIFEST} gives format {manifest.get('format')!r} version "
                                f"{manifest.get('version')!r}, which corpus_tools {_version()} cannot read",
                                f"it was written by corpus_tools {manifest.get('corpus_tools')}: read it with that "
                                "version")
    # a manifest whose checksum fits may still have been written by hand: only names of our own
    # files are followed, and the counts must be numbers
    shards, vocab = manifest.get("shards"), manifest.get("vocab")
    fits = (isinstance(shards, list) and len(shards) > 0 and isinstance(vocab, dict)
            and vocab.get("name") in ("vocab.txt", "vocab.json") and isinstance(manifest.get("files"), dict)
            and isinstance(manifest.get("params"), dict)
            and all(isinstance(manifest.get(k), int) for k in ("n_docs", "n_tokens", "n_terms", "n_sentences"))
            and all(isinstance(s, dict) and isinstance(s.get("name"), str) and _sb._SHARD_NAME.fullmatch(s["name"])
                    and isinstance(s.get("n_docs"), int) and isinstance(s.get("meta_crc32"), int) for s in shards))
    if not fits:
        raise _sb.damaged(folder, f"{_sb.MANIFEST} does not describe a sharded corpus (entries are missing or of "
                                  "the wrong kind)")
    return manifest


def _version() -> str:
    from . import __version__

    return __version__


__all__ = ["ShardedCorpus"]
