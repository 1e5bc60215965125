"""Building a sharded corpus: the tasks that run on the workers and the merge on the client.

:meth:`corpus_tools.shards.ShardedCorpus.build` runs two passes of tasks, one task per partition,
on a Dask cluster (or one after another in this process):

1. :func:`tokenize_part` reads a partition, tokenises it with the single-machine pipeline
   (:func:`corpus_tools._build._tokenize_all`, no frequency limits) and writes it, with its own
   sorted vocabulary and each term's document frequency and number of occurrences, to a
   temporary part folder;
2. on the client, :func:`merge_vocabularies` joins the parts' vocabularies into one sorted
   vocabulary, adds up the frequencies and applies the frequency limits with the function the
   single-machine build uses (:func:`corpus_tools._build._kept_terms`);
3. :func:`write_shard` maps each part's term ids to the global ones, dropping the tokens of the
   removed terms exactly as the single-machine build does (:func:`corpus_tools._build._map_chunk`),
   and writes the shard folder under a temporary name, then renames it.

Every task is idempotent: its output depends on its input only and appears under its final name
by a rename, so that a task that Dask runs again on another worker (because the first worker
died) writes the same files, and a half-written folder never carries a final name.

A folder at a URL (:class:`RemoteFolder`, read and written with fsspec) cannot rename folders,
and a worker cannot map a file there: each task downloads its inputs into a local temporary
folder, runs as above in it, and uploads what it wrote, the same bytes at every run. The client
uploads the manifest after every shard is uploaded, so shards uploaded in part are never read.
"""
from __future__ import annotations

import errno
import glob
import io
import json
import os
import re
import shutil
import time
import uuid
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from ._memory import give_back_memory
from ._storage import FORMAT_VERSION, CorpusFolderError, doc_ids_checksum, replace_with, write_folder

MANIFEST = "shards.json"
MANIFEST_FORMAT = "corpus_tools.shards"
MANIFEST_VERSION = 1
TERM_TOTALS = "term_totals.npy"
DOC_LENGTHS = "doc_lengths.npy"
LOAD_REPORT = "load_report.json"
_SHARD_NAME = re.compile(r"shard-\d{5,}")
# what a build writes into its folder; only these are ever removed from it
_OURS = re.compile(r"shards\.json|vocab\.(txt|json)|term_totals\.npy|doc_lengths\.npy|load_report\.json"
                   r"|shard-\d{5,}|\..+\.tmp")
# rows per row group of a shard's docs.parquet: reading back the text of one document (KWIC)
# decodes its row group only
DOCS_ROW_GROUP = 1000
# Seconds each task sleeps before it starts: tests set it on the workers (with client.run) to
# have a task under way when they kill a worker. Nothing else sets it.
_TASK_DELAY = 0.0


def shard_name(k: int) -> str:
    return f"shard-{k:05d}"


# ---------------------------------------------------------------------- sources
@dataclass(frozen=True)
class PieceFile:
    """Rows of a pandas frame that the client wrote to ``path`` as the shard's docs.parquet will hold them."""
    path: str | RemoteFolder


@dataclass(frozen=True)
class ParquetSlice:
    """Rows ``start:stop`` of the Parquet file ``path``; ``first_id`` is the global row number of
    ``start`` (the doc id when the files give none); ``id`` the column of doc ids, if any."""
    path: str
    start: int
    stop: int
    first_id: int
    id: str | None
    row_numbers: bool


def parquet_files(source) -> list[Path]:
    """The Parquet files of a path: a file, a folder (its ``*.parquet`` files, recursively, without
    hidden ones and ``_metadata``) or a glob pattern; in sorted order."""
    path = Path(os.fspath(source))
    if path.is_file():
        return [path]
    if path.is_dir():
        files = [p for p in path.rglob("*.parquet")
                 if not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)]
    else:
        files = [Path(p) for p in glob.glob(os.fspath(source), recursive=True) if Path(p).is_file()]
    if not files:
        raise FileNotFoundError(f"no Parquet files at {source}; give a Parquet file, a folder of *.parquet "
                                "files, a glob pattern such as 'data/*.parquet', or a DataFrame.")
    return sorted(files)


def plan_parquet(files: list[Path], text: str, id: str | None, rows_per_shard: int) -> list[ParquetSlice]:
    """Slices of the files of about ``rows_per_shard`` rows each, in file order."""
    import pyarrow.parquet as pq

    from ._text_source import ParquetTexts

    out, first_id, resolved = [], 0, None
    for path in files:
        described = ParquetTexts(path, text, id)  # checks the text and id columns, names the file
        kind = (described.id, not described.index_columns and described.id is None)
        if resolved is not None and kind != resolved:
            raise ValueError(f"{path} gives its doc ids otherwise than {files[0]} (id column {kind[0]!r} against "
                             f"{resolved[0]!r}); pass id='<column>' naming the column of doc ids in every file.")
        resolved = kind
        meta = pq.ParquetFile(path).metadata
        sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
        for a, b in row_ranges(sizes, rows_per_shard):
            out.append(ParquetSlice(str(described.path), a, b, first_id + a, described.id, kind[1]))
        first_id += meta.num_rows
    return out


def row_ranges(sizes: list[int], rows_per_shard: int) -> list[tuple[int, int]]:
    """Row ranges of at most ``rows_per_shard`` rows over row groups of ``sizes`` rows: whole row
    groups where they are smaller (as many as fit), else equal parts of one row group.

    >>> row_ranges([30, 30, 30, 100], 70)
    [(0, 60), (60, 90), (90, 140), (140, 190)]
    """
    ranges, start, end = [], 0, 0
    for n in sizes:
        if n > rows_per_shard:
            if end > start:
                ranges.append((start, end))
            k = -(-n // rows_per_shard)
            cuts = np.linspace(end, end + n, k + 1).round().astype(np.int64).tolist()
            ranges.extend(zip(cuts[:-1], cuts[1:]))
            start = end = end + n
        elif end - start + n > rows_per_shard:
            ranges.append((start, end))
            start, end = end, end + n
        else:
            end += n
    if end > start:
        ranges.append((start, end))
    return ranges


def read_parquet_slice(spec: ParquetSlice) -> pd.DataFrame:
    """The rows of ``spec`` as ``pd.read_parquet`` would give them, doc ids as the index."""
    import pyarrow as pa

    from ._text_source import _parquet_file

    f = _parquet_file(spec.path)
    meta = f.metadata
    tables, row = [], 0
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        lo, hi = max(spec.start, row), min(spec.stop, row + n)
        if lo < hi:
            if lo == row and hi == row + n:
                tables.append(f.read_row_group(g))
            else:  # part of a row group: streamed, keeping only the rows wanted
                at = row
                for batch in f.iter_batches(batch_size=4096, row_groups=[g]):
                    a, b = max(lo - at, 0), min(hi - at, batch.num_rows)
                    if a < b:
                        tables.append(pa.Table.from_batches([batch.slice(a, b - a)], schema=f.schema_arrow))
                    at += batch.num_rows
                    if at >= hi:
                        break
        row += n
        if row >= spec.stop:
            break
    table = pa.concat_tables(tables) if tables else f.schema_arrow.empty_table()
    docs = table.to_pandas()
    if spec.id is not None:
        docs = docs.set_index(spec.id)
        docs.index.name = "doc_id"
    elif spec.row_numbers:
        docs.index = pd.RangeIndex(spec.first_id, spec.first_id + len(docs))
    return docs


def docs_bytes(docs: pd.DataFrame) -> tuple[bytes, bool]:
    """A shard's docs.parquet, as ``Corpus.save`` writes it (no attrs; lone surrogates as U+FFFD)
    but in row groups of :data:`DOCS_ROW_GROUP` rows, and whether surrogates were replaced."""
    from .corpus import _without_surrogates

    docs = docs.copy(deep=False)
    docs.attrs = {}
    try:
        return docs.to_parquet(row_group_size=DOCS_ROW_GROUP), False
    except UnicodeEncodeError:  # lone surrogates, which Parquet (UTF-8) cannot hold
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the client warns once for all partitions
            docs = _without_surrogates(docs, Path("docs.parquet"))
        return docs.to_parquet(row_group_size=DOCS_ROW_GROUP), True


# ---------------------------------------------------------------------- pass 1
def tokenize_part(source, build_dir: str, index: int, text: str, id: str | None, options: dict) -> dict:
    """Tokenise one partition into the part folder ``build_dir/part-<index>``; what the client needs of it.

    ``source`` is a DataFrame (a partition), a :class:`PieceFile` or a :class:`ParquetSlice`.
    Returns ``n_docs`` (0 for an empty partition, which writes nothing), the doc ids, their
    checksum, the number of missing texts, whether lone surrogates were replaced, and the
    earliest and latest date with the number of undated documents.
    """
    try:
        if isinstance(build_dir, RemoteFolder):
            return _tokenize_part_remote(source, build_dir, index, text, id, options)
        return _tokenize_part(source, build_dir, index, text, id, options)
    finally:
        # Arrow's pool and the freed heap: a worker's memory limit counts them, and a worker
        # above Dask's pause threshold between tasks takes no more
        give_back_memory(arrow=True)


def _tokenize_part_remote(source, build_dir: RemoteFolder, index: int, text: str, id: str | None,
                          options: dict) -> dict:
    """:func:`_tokenize_part` into a local temporary folder, then the part folder uploaded to ``build_dir``."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="corpus_tools-part-", dir=scratch_dir()) as tmp:
        tmp = Path(tmp)
        if isinstance(source, PieceFile):  # written by the client at the URL
            source.path.parent.download([source.path.name], tmp)
            source = PieceFile(str(tmp / source.path.name))
        stats = _tokenize_part(source, str(tmp), index, text, id, options)
        if stats["n_docs"]:
            name = f"part-{index:05d}"
            (build_dir / name).upload(tmp / name, last="terms.parquet")
    return stats


def _tokenize_part(source, build_dir: str, index: int, text: str, id: str | None, options: dict) -> dict:
    from . import _build
    from .corpus import _build_options, _texts

    if _TASK_DELAY:
        time.sleep(_TASK_DELAY)
    data = piece = None
    if isinstance(source, PieceFile):
        piece = Path(source.path)
        docs = pd.read_parquet(piece)
    elif isinstance(source, ParquetSlice):
        docs = read_parquet_slice(source)
    else:
        docs = source
        if id is not None:
            _check_column(docs, id, "id", index)
            docs = docs.set_index(id)
            docs.index.name = "doc_id"
    if len(docs) == 0:
        return {"index": index, "n_docs": 0}
    _check_column(docs, text, "text", index)
    normalizer, _, _ = _build_options(**options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing texts: the client warns once, with the total
        texts = _texts(docs, text)
    n_missing = int(docs[text].isna().sum())
    ids, doc_offsets, sent_offsets, dtm, vocab, _ = _build._tokenize_all(texts, normalizer, n_jobs=1,
                                                                         progress=False)
    del texts
    stats = {"index": index, "n_docs": len(docs), "ids": docs.index, "n_missing": n_missing, "surrogates": False,
             "dates": _date_stats(docs)}
    if piece is None:
        data, stats["surrogates"] = docs_bytes(docs)
        if stats["surrogates"]:
            stats["ids"] = pd.read_parquet(io.BytesIO(data), columns=[]).index  # the ids as written
    del docs
    stats["doc_ids_crc32"] = doc_ids_checksum(stats["ids"])
    df = np.bincount(dtm.indices, minlength=len(vocab)).astype(np.int64)
    cf = np.bincount(ids, minlength=len(vocab)).astype(np.int64)

    import pyarrow as pa
    import pyarrow.parquet as pq

    final = Path(build_dir) / f"part-{index:05d}"
    # no parents=True: a build that was given up has removed build_dir, and a task still under
    # way then fails here instead of leaving files behind
    tmp = Path(build_dir) / f".part-{index:05d}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp"
    tmp.mkdir()
    try:
        if piece is not None:  # written by the client as docs.parquet is to be
            _link_or_copy(piece, tmp / "docs.parquet")
        else:
            (tmp / "docs.parquet").write_bytes(data)
        for name, a in (("ids", ids), ("doc_offsets", doc_offsets), ("sent_offsets", sent_offsets),
                        ("dtm_data", dtm.data), ("dtm_indices", dtm.indices), ("dtm_indptr", dtm.indptr)):
            np.save(tmp / f"{name}.npy", np.asarray(a))
        pq.write_table(pa.table({"term": pa.array(vocab, pa.large_string()), "df": df, "cf": cf}),
                       tmp / "terms.parquet", compression="none")
        _rename_dir(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return stats


def _check_column(docs, column: str, what: str, index: int) -> None:
    if column not in docs.columns:
        raise ValueError(f"partition {index} has no {what} column {column!r}; its columns: {list(docs.columns)}. "
                         f"Pass {what}='<column>'.")


def _date_stats(docs: pd.DataFrame) -> list | None:
    """[earliest, latest (ISO strings or None), undated documents], as ``Corpus.dates`` reads the dates."""
    if "date" not in docs.columns:
        return None
    dates = pd.to_datetime(docs["date"], errors="coerce")
    present = dates.dropna()
    if present.empty:
        return [None, None, len(docs)]
    return [present.min().isoformat(), present.max().isoformat(), int(len(docs) - len(present))]


def _rename_dir(tmp: Path, final: Path) -> None:
    """Rename the finished folder ``tmp`` to ``final``. Where ``final`` is there already, the same
    task has run before (Dask runs a task again when its worker died after finishing it): its
    output is the same, and ``tmp`` is dropped."""
    try:
        os.rename(tmp, final)
    except OSError as err:
        if err.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not final.is_dir():
            raise
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------- the merge, on the client
def merge_vocabularies(part_dirs: list[Path], n_docs: int, limits) -> tuple[list[str], list, np.ndarray]:
    """One sorted vocabulary for all parts, with the frequency limits applied as the
    single-machine build applies them.

    Returns the kept terms, for each part its map from part term ids to global term ids (-1 for
    a removed term), and the (document frequency, occurrences) of the kept terms, shape
    (2, n_terms).

    The terms are sorted by Arrow, whose string order (by UTF-8 bytes) is the order of code points,
    which is Python's (and so :func:`corpus_tools._build._collect`'s) order of strings.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ._build import _kept_terms, _limits_filter

    tables = [pq.read_table(d / "terms.parquet") for d in part_dirs]
    everything = pa.chunked_array([t["term"] for t in tables], type=pa.large_string())
    terms = pc.unique(everything)
    terms = terms.take(pc.sort_indices(terms))
    where = pc.index_in(everything, value_set=terms).to_numpy()  # every part term's global id
    df = np.zeros(len(terms), dtype=np.int64)
    cf = np.zeros(len(terms), dtype=np.int64)
    starts = np.cumsum([0] + [len(t) for t in tables])
    for t, a, b in zip(tables, starts[:-1], starts[1:]):
        # a part holds each of its terms once, so plain fancy-index addition is exact
        df[where[a:b]] += t["df"].to_numpy()
        cf[where[a:b]] += t["cf"].to_numpy()
    vocab = terms.to_pylist()
    kept = np.ones(len(vocab), dtype=bool)
    min_df, max_df, max_terms, keep = limits
    if _limits_filter(min_df, max_df, max_terms):  # as _build._collect decides whether to filter
        kept = _kept_terms(df, cf, n_docs, vocab, min_df, max_df, max_terms, keep)
    final = np.full(len(vocab), -1, dtype=np.int32)
    final[kept] = np.arange(int(kept.sum()), dtype=np.int32)
    maps = [final[where[a:b]] for a, b in zip(starts[:-1], starts[1:])]
    kept_terms = [t for t, k in zip(vocab, kept) if k] if not kept.all() else vocab
    return kept_terms, maps, np.stack([df[kept], cf[kept]])


def vocab_file(vocab: list[str]) -> tuple[str, bytes]:
    """The name and bytes of the vocabulary file, as :func:`corpus_tools._storage.write_folder` writes it."""
    text = "\n".join(vocab)
    if vocab and text.count("\n") == len(vocab) - 1 and "" not in vocab:
        return "vocab.txt", text.encode("utf-8")
    return "vocab.json", json.dumps(list(vocab), ensure_ascii=False).encode("utf-8")


def read_vocab(path: Path) -> list[str]:
    raw = path.read_bytes()
    return raw.decode("utf-8").split("\n") if path.suffix == ".txt" else json.loads(raw)


# ---------------------------------------------------------------------- pass 2
def write_shard(part_dir: str, remap: str, folder: str, k: int, first_row: int, vocab_name: str, vocab_crc: int,
                index_dtype: str, params: dict, doc_ids_crc32: int) -> dict:
    """Write shard ``k`` from a part folder: term ids mapped to the global vocabulary through the
    array in file ``remap``, tokens of removed terms dropped. Returns the shard's name, sizes, the
    CRC-32 of its meta.json and the kept tokens of each of its documents."""
    try:
        if isinstance(folder, RemoteFolder):
            return _write_shard_remote(part_dir, remap, folder, k, first_row, vocab_name, vocab_crc, index_dtype,
                                       params, doc_ids_crc32)
        return _write_shard(part_dir, remap, folder, k, first_row, vocab_name, vocab_crc, index_dtype, params,
                            doc_ids_crc32)
    finally:
        # Arrow's pool and the freed heap: a worker's memory limit counts them, and a worker
        # above Dask's pause threshold between tasks takes no more
        give_back_memory(arrow=True)


PART_ARRAYS = ("ids", "doc_offsets", "sent_offsets", "dtm_data", "dtm_indices", "dtm_indptr")


def _write_shard_remote(part_dir: RemoteFolder, remap: RemoteFolder, folder: RemoteFolder, k, first_row, vocab_name,
                        vocab_crc, index_dtype, params, doc_ids_crc32) -> dict:
    """:func:`_write_shard` in a local temporary folder from downloaded inputs, then the shard
    uploaded to ``folder`` (its meta.json last). The manifest, written after every shard is
    uploaded, is what makes the shards a corpus: a shard uploaded in part is never read."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="corpus_tools-shard-", dir=scratch_dir()) as tmp:
        tmp = Path(tmp)
        part_dir.download([f"{a}.npy" for a in PART_ARRAYS] + ["docs.parquet"], tmp / "part")
        remap.parent.download([remap.name], tmp)
        folder.download([vocab_name], tmp / "out")
        out = _write_shard(str(tmp / "part"), str(tmp / remap.name), str(tmp / "out"), k, first_row, vocab_name,
                           vocab_crc, index_dtype, params, doc_ids_crc32)
        (folder / out["name"]).upload(tmp / "out" / out["name"])
    return out


def _write_shard(part_dir, remap, folder, k, first_row, vocab_name, vocab_crc, index_dtype, params, doc_ids_crc32):
    import scipy.sparse as sp

    from ._build import _map_chunk

    if _TASK_DELAY:
        time.sleep(_TASK_DELAY)
    part, folder = Path(part_dir), Path(folder)
    a = {name: np.load(part / f"{name}.npy", mmap_mode="r") for name in PART_ARRAYS}
    final = np.load(remap)
    n_docs = len(a["doc_offsets"]) - 1
    counts = sp.csr_matrix((a["dtm_data"], a["dtm_indices"], a["dtm_indptr"]), shape=(n_docs, len(final)))
    vocab = read_vocab(folder / vocab_name)
    chunk = (np.asarray(a["ids"]), np.diff(a["doc_offsets"]), np.asarray(a["sent_offsets"][:-1]), counts)
    ids, doc_counts, sentences, dtm = _map_chunk(chunk, final, len(vocab))
    del chunk, counts, a
    idx = np.dtype(index_dtype)  # as the single-machine build chooses it, from the corpus's token count
    arrays = {"ids": ids.astype(np.int32, copy=False),
              "doc_offsets": np.concatenate([[0], np.cumsum(doc_counts)]).astype(np.int64),
              "sent_offsets": np.concatenate([sentences, [len(ids)]]).astype(np.int64),
              "dtm_data": dtm.data.astype(np.int32, copy=False), "dtm_indices": dtm.indices.astype(idx, copy=False),
              "dtm_indptr": dtm.indptr.astype(idx, copy=False)}
    meta = {"format": FORMAT_VERSION, "corpus_tools": __version__, "params": params, "n_docs": n_docs,
            "n_tokens": len(ids), "n_terms": len(vocab), "doc_ids_crc32": doc_ids_crc32,
            "shard": {"index": k, "first_row": first_row}}

    name = shard_name(k)
    tmp = folder / f".{name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp"
    tmp.mkdir()
    try:
        _link_or_copy(part / "docs.parquet", tmp / "docs.parquet")
        data = (tmp / "docs.parquet").read_bytes()
        write_folder(tmp, arrays, vocab, meta, files={"docs.parquet": data})
        del data
        written = json.loads((tmp / "meta.json").read_bytes())
        if written["crc32"].get("vocab") == vocab_crc:
            # the same bytes as the folder's own vocabulary: one file on disk for every shard
            try:
                link = tmp / f".{vocab_name}.link.tmp"
                os.link(folder / vocab_name, link)
                os.replace(link, tmp / vocab_name)
            except OSError:  # no hard links here: the shard keeps its copy
                pass
        for f in tmp.iterdir():
            fsync(f)
        fsync(tmp)
        _rename_dir(tmp, folder / name)
        fsync(folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    meta_crc = zlib.crc32((folder / name / "meta.json").read_bytes())
    return {"name": name, "n_docs": n_docs, "n_tokens": int(len(ids)), "n_sentences": len(sentences),
            "meta_crc32": meta_crc, "doc_lengths": np.diff(arrays["doc_offsets"])}


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def fsync(path: Path) -> None:
    """Flush a file or folder to disk (where the system allows it for folders; nothing at a URL)."""
    if isinstance(path, RemoteFolder):
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # folders cannot be synced on some systems
        pass
    finally:
        os.close(fd)


def write_durably(target: Path, data: bytes) -> None:
    """``data`` to ``target`` under a temporary name, flushed to disk, then renamed (at a URL: written)."""
    if isinstance(target, RemoteFolder):
        target.write_bytes(data)
        return

    def write(tmp: Path) -> None:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    replace_with(target, write)
    fsync(target.parent)


def npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


# ---------------------------------------------------------------------- the folder
def prepare_folder(folder: Path, overwrite: bool) -> bool:
    """Make ``folder`` ready for a build; returns whether it was created. A folder that holds
    other files than a sharded corpus's is never emptied."""
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} is a file; give ShardedCorpus.build a folder to write the shards to.")
    if not folder.exists():
        folder.mkdir(parents=True)
        return True
    entries = list(folder.iterdir())
    if not entries:
        return False
    others = [e.name for e in entries if not _OURS.fullmatch(e.name)]
    if others:
        raise FileExistsError(f"{folder} holds files that are not part of a sharded corpus ({others[:3]}); "
                              "build into a new or empty folder.")
    if not overwrite:
        raise FileExistsError(f"{folder} holds a sharded corpus (or what a build left) already; pass "
                              "overwrite=True to replace it, or build into another folder.")
    (folder / MANIFEST).unlink(missing_ok=True)  # from here on the folder is no valid corpus
    fsync(folder)
    clear_folder(folder)
    return False


def clear_folder(folder: Path) -> None:
    """Remove what a build writes into ``folder``, the manifest first."""
    (folder / MANIFEST).unlink(missing_ok=True)
    for entry in list(folder.iterdir()) if folder.is_dir() else ():
        if _OURS.fullmatch(entry.name):
            _remove(entry)


def remove_temporary(folder: Path) -> None:
    """Remove the temporary files and folders of a build (those a killed task left included)."""
    for entry in list(folder.iterdir()) if folder.is_dir() else ():
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            _remove(entry)


def _remove(entry) -> None:
    if isinstance(entry, RemoteFolder):
        entry.remove()
    elif entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def manifest_checksum(manifest: dict) -> int:
    from ._storage import _canonical

    return zlib.crc32(_canonical(manifest))


def damaged(folder: Path, problem: str) -> CorpusFolderError:
    return CorpusFolderError(folder, problem, "build it again with ShardedCorpus.build(source, folder, overwrite=True)")


# ---------------------------------------------------------------------- folders at a URL
# Where tests put the local copies of shards read from a URL (set on the workers with client.run);
# None: the "corpus_tools-shards" folder in Dask's temporary directory.
_CACHE_ROOT: str | None = None


def location(folder, storage_options: dict | None):
    """``folder`` as the build and the reader address it: an absolute :class:`Path`, or a
    :class:`RemoteFolder` for a URL (a string with ``://``, ``file://`` included)."""
    if isinstance(folder, RemoteFolder):
        return folder
    if isinstance(folder, str) and "://" in folder:
        remote = RemoteFolder(folder.rstrip("/"), dict(storage_options or {}))
        remote.fs()  # a missing protocol library is named now, before any work
        return remote
    if storage_options:
        raise ValueError(f"`storage_options` apply to a folder given as a URL (s3://..., gs://...); {folder} is a "
                         "local path. Leave storage_options out.")
    return Path(os.path.abspath(folder))  # the workers may run in another folder


@dataclass(frozen=True)
class RemoteFolder:
    """A folder (or file) at an fsspec URL, with as much of :class:`Path`'s interface as the build
    and the reader use: ``/``, ``name``, ``parent``, ``read_bytes``, ``write_bytes``, ``exists``,
    ``is_dir``, ``iterdir``, ``unlink``, ``mkdir``. Picklable: tasks take it to the workers."""
    url: str
    storage_options: dict

    def __str__(self) -> str:
        return self.url

    def __truediv__(self, name: str) -> RemoteFolder:
        return RemoteFolder(f"{self.url}/{name}", self.storage_options)

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def parent(self) -> RemoteFolder:
        return RemoteFolder(self.url.rsplit("/", 1)[0], self.storage_options)

    def fs(self):
        """(file system, path) of the URL; fsspec keeps one file system per protocol and options."""
        from fsspec.core import url_to_fs

        protocol = self.url.split("://", 1)[0]
        try:
            return url_to_fs(self.url, **self.storage_options)
        except ImportError as err:
            raise ImportError(f"{self.url}: {protocol}:// URLs need a package that fsspec reads them with ({err}); "
                              "install it (s3fs for s3://, gcsfs for gs://, adlfs for az://), or give a local "
                              "folder.") from None
        except ValueError as err:
            raise ValueError(f"{self.url}: fsspec cannot open this URL ({err}); give a local folder or a URL of a "
                             "file system fsspec knows (s3://, gs://, file://, ...).") from None

    def read_bytes(self) -> bytes:
        fs, path = self.fs()
        return fs.cat_file(path)

    def write_bytes(self, data: bytes) -> None:
        fs, path = self.fs()
        _make_parent(fs, path)
        fs.pipe_file(path, data)

    def exists(self) -> bool:
        fs, path = self.fs()
        return fs.exists(path)

    def is_dir(self) -> bool:
        fs, path = self.fs()
        return fs.isdir(path)

    def is_file(self) -> bool:
        fs, path = self.fs()
        return fs.isfile(path)

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        fs, path = self.fs()
        fs.makedirs(path, exist_ok=True)  # a no-op on object stores, where folders are not stored

    def iterdir(self):
        fs, path = self.fs()
        for entry in fs.ls(path, detail=False):
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            if name and entry.rstrip("/") != path.rstrip("/"):
                yield self / name

    def unlink(self, missing_ok: bool = False) -> None:
        fs, path = self.fs()
        try:
            fs.rm_file(path)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def remove(self) -> None:
        """Remove this file or folder with all it holds; nothing if there is nothing."""
        fs, path = self.fs()
        try:
            fs.rm(path, recursive=True)
        except FileNotFoundError:
            pass

    def upload(self, local: Path, last: str = "meta.json") -> None:
        """The files of the local folder ``local`` into this folder, the file ``last`` after the others."""
        fs, path = self.fs()
        files = sorted(p for p in local.iterdir() if p.is_file())
        first = [p for p in files if p.name != last]
        _make_parent(fs, f"{path}/x")
        if first:
            fs.put([str(p) for p in first], [f"{path}/{p.name}" for p in first])
        for p in files:
            if p.name == last:
                fs.put_file(str(p), f"{path}/{p.name}")

    def download(self, names: list[str], local: Path) -> None:
        """The files ``names`` (relative to this folder) into the local folder ``local``."""
        fs, path = self.fs()
        for name in names:
            (local / name).parent.mkdir(parents=True, exist_ok=True)
        if names:
            fs.get([f"{path}/{n}" for n in names], [str(local / n) for n in names])


def read_files(folder, names: list[str]) -> list:
    """The bytes of the files ``names`` in ``folder``, or the OSError reading one gave; from a URL
    in one batch (concurrent requests where the file system allows)."""
    if isinstance(folder, RemoteFolder):
        fs, path = folder.fs()
        paths = [f"{path}/{n}" for n in names]
        got = fs.cat(paths, on_error="return") if paths else {}
        out = [got.get(p, None) for p in paths]
        if all(isinstance(v, (bytes, OSError)) for v in out):
            return out
    out = []
    for name in names:  # one by one: a local folder, or a file system that named its results otherwise
        try:
            out.append((folder / name).read_bytes())
        except OSError as err:
            out.append(err)
    return out


def _make_parent(fs, path: str) -> None:
    # object stores need no folders; a local or mounted file system (file://) does
    if "file" in ((fs.protocol,) if isinstance(fs.protocol, str) else fs.protocol):
        fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)


def scratch_dir() -> str:
    """The local folder for temporary files: Dask's ``temporary-directory`` setting, else the system's."""
    import tempfile

    try:
        import dask

        configured = dask.config.get("temporary-directory", None)
    except ImportError:
        configured = None
    return configured or tempfile.gettempdir()


def cache_folder(shard: RemoteFolder, meta_crc32: int) -> Path:
    """Where this machine keeps its copy of the shard at ``shard``: a folder of the shard's name, in
    a folder named by the checksum of its meta.json (which holds those of its files), in one named
    by a hash of the corpus's URL."""
    import hashlib

    root = Path(_CACHE_ROOT) if _CACHE_ROOT else Path(scratch_dir()) / "corpus_tools-shards"
    corpus = hashlib.sha256(shard.parent.url.encode("utf-8")).hexdigest()[:16]
    return root / corpus / f"{meta_crc32:08x}" / shard.name


def fetch_shard(shard: RemoteFolder, local: Path) -> None:
    """Copy the shard folder at ``shard`` to the local folder ``local``: into a temporary folder,
    renamed when complete; copies of the same shard from an earlier build are removed."""
    local.parent.mkdir(parents=True, exist_ok=True)
    try:
        names = [entry.name for entry in shard.iterdir()]
    except FileNotFoundError:
        names = []
    if "meta.json" not in names:
        raise damaged(shard.parent, f"the shard {shard.name} is missing or incomplete (no meta.json)")
    tmp = local.parent / f".{local.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp"
    tmp.mkdir()
    try:
        shard.download(names, tmp)
        _rename_dir(tmp, local)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    for old in local.parent.parent.glob(f"*/{shard.name}"):
        if old != local:
            shutil.rmtree(old, ignore_errors=True)
            try:
                old.parent.rmdir()
            except OSError:  # copies of other shards are in it
                pass


def _task_folder(path):
    """A folder as a task takes it: a string for a local one, the :class:`RemoteFolder` for a URL."""
    return path if isinstance(path, RemoteFolder) else str(path)
