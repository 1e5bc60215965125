"""ShardedCorpus at an fsspec URL: built, opened and analysed as from a local folder, with the same tables.

``memory://`` runs in this process only (its files live in this process); the cluster reads and
writes a ``file://`` URL, which goes through fsspec and the local copies exactly as ``s3://``
would, unlike a plain local path.
"""
from __future__ import annotations

import importlib.util
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools import Corpus, ShardedCorpus
from corpus_tools import _shard_build
from corpus_tools._storage import CorpusFolderError

import distributed  # noqa: E402  (a dependency of the package: a missing one is a failure)
from fsspec.core import url_to_fs  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")

OPTIONS = dict(min_df=2, extra_stopwords=["said"])


@pytest.fixture(scope="module")
def docs() -> pd.DataFrame:
    return ct.datasets.load("wikinews")


@pytest.fixture(scope="module")
def want(docs) -> Corpus:
    return Corpus.from_docs(docs, cache=False, progress=False, **OPTIONS)


@pytest.fixture(autouse=True)
def cache_root(tmp_path, monkeypatch):
    """The local copies of shards read from a URL go to this test's folder, not the system's."""
    root = tmp_path / "shard-cache"
    monkeypatch.setattr(_shard_build, "_CACHE_ROOT", str(root))
    return root


@pytest.fixture
def url():
    """A folder of the in-memory file system of its own, removed afterwards."""
    where = f"memory://corpus-tools-{uuid.uuid4().hex[:8]}"
    yield f"{where}/shards"
    fs, path = url_to_fs(where)
    if fs.exists(path):
        fs.rm(path, recursive=True)


def set_cache_root(path: str) -> None:
    """Run on the workers: where they keep their copies of shards."""
    _shard_build._CACHE_ROOT = path


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cache = tmp_path_factory.mktemp("worker-cache")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        client.run(set_cache_root, str(cache))
        yield client


def build(source, folder, **kwargs) -> ShardedCorpus:
    return ShardedCorpus.build(source, folder, progress=False, rows_per_shard=40, **OPTIONS, **kwargs)


def second_half(corpus) -> np.ndarray:
    return (corpus.dates >= corpus.dates.median()).to_numpy()


ANALYSES = {
    "term_frequencies": lambda c: ct.term_frequencies(c),
    "term_frequencies by source": lambda c: ct.term_frequencies(c, by="source", top=10),
    "keyness": lambda c: ct.keyness(c, second_half(c)),
    "kwic": lambda c: ct.kwic(c, "prime minister", max_rows=None),
}


def assert_same_tables(got_corpus, want_corpus) -> None:
    for name, analysis in ANALYSES.items():
        got, expected = analysis(got_corpus), analysis(want_corpus)
        assert len(expected) > 0, name
        pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=name)


def stored(url: str) -> list[str]:
    fs, path = url_to_fs(url)
    return sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(path, detail=False))


def flip_a_byte(url: str, offset: int = 100) -> None:
    fs, path = url_to_fs(url)
    data = bytearray(fs.cat_file(path))
    data[offset] ^= 1
    fs.pipe_file(path, bytes(data))


# ---------------------------------------------------------------------- in this process: memory://
def test_built_at_a_url_equals_the_local_build(docs, want, url, tmp_path, cache_root):
    local = build(docs, tmp_path / "local")
    sharded = build(docs, url)
    assert sharded.folder == url and sharded.shard_path(1) == f"{url}/shard-00001"
    assert repr(sharded).endswith(f"folder={url!r})")
    assert stored(url) == ["doc_lengths.npy", "shard-00000", "shard-00001", "shard-00002", "shard-00003",
                           "shard-00004", "shards.json", "term_totals.npy", "vocab.txt"]
    assert stored(f"{url}/shard-00000") == ["arrays.bin", "docs.parquet", "meta.json", "vocab.txt"]
    # the same files as the local build, byte for byte
    fs, path = url_to_fs(url)
    for name in ("shards.json", "vocab.txt", "term_totals.npy", "shard-00003/arrays.bin", "shard-00003/meta.json",
                 "shard-00003/docs.parquet"):
        assert fs.cat_file(f"{path}/{name}") == (local.folder / name).read_bytes(), name

    opened = ShardedCorpus.open(url)
    assert_same_tables(opened, want)
    assert_same_tables(opened, local)
    pd.testing.assert_frame_equal(opened.docs, local.docs)
    assert opened.shard(2).texts(opened.shard(2).docs.index[:2]).tolist() == docs["text"].iloc[80:82].tolist()
    # each shard was copied here once, into a folder named by the checksum of its meta.json
    copies = sorted(p.relative_to(cache_root).parts[1:] for p in cache_root.glob("*/*/shard-*"))
    crcs = [f"{s['meta_crc32']:08x}" for s in opened._manifest["shards"]]
    assert copies == sorted(zip(crcs, opened.shard_names))


def test_a_copy_damaged_here_is_copied_again(docs, url, cache_root):
    sharded = build(docs, url)
    n_docs = sharded.shard(1).n_docs  # copied here
    (copy,) = cache_root.glob("*/*/shard-00001")
    arrays = copy / "arrays.bin"
    good = arrays.read_bytes()
    arrays.write_bytes(good[:100] + bytes([good[100] ^ 1]) + good[101:])
    assert sharded.shard(1).n_docs == n_docs  # verified, found damaged, copied again
    assert arrays.read_bytes() == good


def test_a_shard_damaged_at_the_url_is_refused(docs, url, cache_root):
    build(docs, url)
    flip_a_byte(f"{url}/shard-00001/arrays.bin")
    sharded = ShardedCorpus.open(url)  # the manifest and the shards' meta.json are read here
    with pytest.raises(CorpusFolderError, match=rf"^{url}/shard-00001: ids in arrays\.bin does not match its "
                                                r"checksum .*ShardedCorpus\.build\(source, folder, overwrite=True\)"):
        ct.term_frequencies(sharded)
    assert not list(cache_root.glob("*/*/shard-00001"))  # the damaged copy is not kept

    flip_a_byte(f"{url}/shard-00002/meta.json", offset=10)
    with pytest.raises(CorpusFolderError, match=rf"^{url}: shard-00002/meta\.json is not the one shards\.json lists"):
        ShardedCorpus.open(url)


def test_an_interrupted_build_is_not_accepted(docs, url, monkeypatch):
    calls = []

    def fails_at_the_third(*args, **kwargs):
        calls.append(args[3])
        if args[3] == 2:
            raise OSError("connection reset")  # as an upload that failed
        return write_shard(*args, **kwargs)

    write_shard = _shard_build._write_shard_remote
    with monkeypatch.context() as patched:
        patched.setattr(_shard_build, "_write_shard_remote", fails_at_the_third)
        patched.setattr(_shard_build, "clear_folder", lambda folder: None)  # as if the client died before clearing
        with pytest.raises(OSError, match="connection reset"):
            build(docs, url)
    assert calls[-1] == 2 and len(calls) > 1
    assert {f"shard-{k:05d}" for k in calls[:-1]} <= set(stored(url)) and "shards.json" not in stored(url)
    with pytest.raises(CorpusFolderError, match=rf"^{url}: shards\.json is missing, so the folder holds no complete "
                                                r"sharded corpus .*overwrite=True"):
        ShardedCorpus.open(url)
    with pytest.raises(FileExistsError, match="holds a sharded corpus .* pass overwrite=True"):
        build(docs, url)
    again = build(docs.iloc[:30], url, overwrite=True)
    assert again.n_docs == 30 and stored(url) == ["doc_lengths.npy", "shard-00000", "shards.json", "term_totals.npy",
                                                   "vocab.txt"]


def test_a_failed_build_leaves_nothing_at_the_url(docs, url):
    bad = docs.copy()
    bad["text"] = bad["text"].astype(object)
    bad.iloc[100, bad.columns.get_loc("text")] = 7
    with pytest.raises(TypeError, match=r"column 'text' must hold strings"):
        build(bad, url)
    fs, path = url_to_fs(url)
    assert not fs.exists(path) or stored(url) == []


def test_a_rebuilt_corpus_replaces_the_copies_here(docs, url, cache_root):
    first = build(docs, url)
    first.shard(0)
    build(docs.iloc[10:50], url, overwrite=True).shard(0)
    (copy,) = cache_root.glob("*/*/shard-00000")  # the copy of the old shard 0 is gone
    assert ShardedCorpus.open(url).shard(0).docs.index[0] == docs.index[10]


def test_errors_name_the_url_and_what_to_do(tmp_path, url):
    if importlib.util.find_spec("s3fs") is None:
        with pytest.raises(ImportError, match=r"^s3://bucket/news: s3:// URLs need a package .* install it \(s3fs "
                                              r"for s3://"):
            ShardedCorpus.open("s3://bucket/news")
    with pytest.raises(ValueError, match=r"^nosuch://news: fsspec cannot open this URL \(Protocol not known"):
        ShardedCorpus.open("nosuch://news")
    with pytest.raises(FileNotFoundError, match=rf"^{url} is not a folder; build a sharded corpus there"):
        ShardedCorpus.open(url)
    fs, path = url_to_fs(url)
    fs.pipe_file(f"{path}/notes.txt", b"mine")
    with pytest.raises(CorpusFolderError, match=rf"^{url}: shards\.json is missing, so the folder holds no complete "
                                                r"sharded corpus"):
        ShardedCorpus.open(url)
    with pytest.raises(FileExistsError, match=r"holds files that are not part of a sharded corpus "
                                              r"\(\['notes\.txt'\]\)"):
        build(pd.DataFrame({"text": ["a text"]}), url, overwrite=True)
    with pytest.raises(ValueError, match=r"`storage_options` apply to a folder given as a URL"):
        ShardedCorpus.open(tmp_path, storage_options={"anon": True})


# ---------------------------------------------------------------------- on the cluster: file://
def test_built_and_analysed_on_the_cluster_at_a_url(docs, want, tmp_path, client):
    url = f"file://{tmp_path}/shards"
    sharded = build(docs, url, client=client)
    assert sharded.folder == url
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == [
        "doc_lengths.npy", "shard-00000", "shard-00001", "shard-00002", "shard-00003", "shard-00004", "shards.json",
        "term_totals.npy", "vocab.txt"]
    opened = ShardedCorpus.open(url, client=client)
    assert_same_tables(opened, want)
    where = opened.map_shards(lambda shard, rows: (os.getpid(), shard.docs.attrs["text_source"]["path"]))
    assert {pid for pid, _ in where} <= set(client.run(os.getpid).values())
    # the workers read their local copies of the shards, not the folder behind the URL
    (cache,) = set(client.run(lambda: _shard_build._CACHE_ROOT).values())
    for (_, path), name, listed in zip(where, opened.shard_names, opened._manifest["shards"]):
        assert Path(path).relative_to(cache).parts[1:] == (f"{listed['meta_crc32']:08x}", name, "docs.parquet")


def test_docs_at_a_url_read_from_the_copies_here_once_there_are_some(docs, url, tmp_path, cache_root, monkeypatch):
    from fsspec.implementations.memory import MemoryFileSystem

    local = build(docs, tmp_path / "local")
    build(docs, url)
    for i in range(5):  # an analysis copies every shard to this machine
        ShardedCorpus.open(url).shard(i)
    read = []
    cat_file, open_file = MemoryFileSystem.cat_file, MemoryFileSystem._open
    with monkeypatch.context() as patched:
        patched.setattr(MemoryFileSystem, "cat_file", lambda self, path, *a, **k: read.append(path) or
                        cat_file(self, path, *a, **k))
        patched.setattr(MemoryFileSystem, "_open", lambda self, path, mode="rb", *a, **k: read.append(path) or
                        open_file(self, path, mode, *a, **k))
        opened = ShardedCorpus.open(url)  # reads the manifest and the shards' meta.json
        read.clear()
        pd.testing.assert_frame_equal(opened.docs, local.docs, check_exact=True)
    assert read == []  # nothing of the shards fetched again
    # a damaged copy here is passed over: the URL's files are read, verified
    copy = next(cache_root.rglob("shard-00003/docs.parquet"))
    copy.write_bytes(b"not parquet")
    pd.testing.assert_frame_equal(ShardedCorpus.open(url).docs, local.docs, check_exact=True)


def test_docs_at_a_url_fetch_only_docs_and_meta_of_each_shard(docs, url, tmp_path, cache_root, monkeypatch):
    from fsspec.implementations.memory import MemoryFileSystem

    local = build(docs, tmp_path / "local")
    build(docs, url)
    opened = ShardedCorpus.open(url)
    read = []  # every file read from the in-memory file system, however fsspec reads it
    cat_file, open_file = MemoryFileSystem.cat_file, MemoryFileSystem._open

    def counting_cat_file(self, path, *args, **kwargs):
        read.append(path)
        return cat_file(self, path, *args, **kwargs)

    def counting_open(self, path, mode="rb", *args, **kwargs):
        if "r" in mode:
            read.append(path)
        return open_file(self, path, mode, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(MemoryFileSystem, "cat_file", counting_cat_file)
        patched.setattr(MemoryFileSystem, "_open", counting_open)
        pd.testing.assert_frame_equal(opened.docs, local.docs, check_exact=True)
    _, root = url_to_fs(url)
    assert sorted(p.split(root + "/", 1)[-1] for p in read) == sorted(
        f"shard-{k:05d}/{name}" for k in range(5) for name in ("docs.parquet", "meta.json"))
    assert not cache_root.exists() or not list(cache_root.rglob("*.*"))  # no shard was copied here

    flip_a_byte(f"{url}/shard-00001/docs.parquet")
    with pytest.raises(CorpusFolderError, match=rf"^{url}/shard-00001: docs\.parquet does not match its checksum "
                                                r"\(it was edited or damaged\); build it again with "
                                                r"ShardedCorpus\.build\(source, folder, overwrite=True\)"):
        ShardedCorpus.open(url).docs
    flip_a_byte(f"{url}/shard-00001/docs.parquet")  # mended
    fresh = ShardedCorpus.open(url)  # the shards' meta.json are verified here, and again by .docs
    flip_a_byte(f"{url}/shard-00002/meta.json", offset=10)
    with pytest.raises(CorpusFolderError, match=rf"^{url}: shard-00002/meta\.json is not the one shards\.json lists"):
        fresh.docs
