"""ShardedCorpus: built on a Dask cluster (or here), equal to the in-memory corpus; failures and damage."""
from __future__ import annotations

import mmap
import os
import pathlib
import re
import shutil
import signal
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools import Corpus, ShardedCorpus
from corpus_tools import _storage
from corpus_tools.errors import CorpusToolsError
from corpus_tools._storage import CorpusFolderError

import dask.dataframe as dd  # noqa: E402  (dependencies of the package: a missing one is a failure)
import distributed  # noqa: E402

# another cluster on this machine may hold the dashboard's port; the HTTP server then takes another one
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")


@pytest.fixture(scope="module")
def docs() -> pd.DataFrame:
    return ct.datasets.load("wikinews")


@pytest.fixture(scope="module")
def client():
    """Two worker processes with a thread each; not the default client, so that the other tests
    run here, in this process, unless they pass it."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


def in_memory(docs, **options) -> Corpus:
    return Corpus.from_docs(docs, cache=False, progress=False, **options)


def roundtrip(docs: pd.DataFrame) -> pd.DataFrame:
    """``docs`` as Parquet gives them back (lists become arrays), as a shard stores them."""
    import io

    docs = docs.copy()
    docs.attrs = {}
    return pd.read_parquet(io.BytesIO(docs.to_parquet()))


def assert_same(got: Corpus, want: Corpus, docs: bool = True) -> None:
    """Equal to the last id, offset and dtype."""
    assert got.vocab.equals(want.vocab)
    for name in ("ids", "doc_offsets", "sent_offsets"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    for name in ("data", "indices", "indptr"):
        a, b = getattr(got.dtm, name), getattr(want.dtm, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), f"dtm.{name}"
    assert got.dtm.shape == want.dtm.shape
    assert got.params == want.params
    if docs:
        pd.testing.assert_frame_equal(got.docs, roundtrip(want.docs))


def build(source, folder, **options) -> ShardedCorpus:
    return ShardedCorpus.build(source, folder, progress=False, **options)


def tie_at_cut(docs) -> int:
    """A ``max_terms`` whose cut falls between terms of equal frequency (so that term order decides)."""
    cf = np.sort(in_memory(docs)._term_totals()[1])[::-1]
    return next(k for k in range(300, len(cf)) if cf[k - 1] == cf[k] and cf[k] > 1)


OPTION_SETS = [
    {},
    {"min_df": 2},
    {"max_df": 0.5},
    {"max_terms": "tie"},
    {"lemmatize": True, "min_df": 3, "max_df": 40, "keep": ["iran", "not-a-term"]},
]


# ---------------------------------------------------------------------- equal to the in-memory corpus
@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: ",".join(o) or "defaults")
def test_shards_together_equal_the_in_memory_corpus(docs, tmp_path, options):
    if options.get("max_terms") == "tie":
        options = {"max_terms": tie_at_cut(docs)}
    sharded = build(docs, tmp_path / "shards", rows_per_shard=40, **options)
    want = in_memory(docs, **options)
    if "max_terms" in options:  # terms of one frequency are both kept and removed
        every = in_memory(docs)
        cf = pd.Series(every._term_totals()[1], index=every.vocab)
        assert cf[want.vocab].min() == cf.drop(want.vocab).max()
    assert sharded.n_shards == 5 and sharded.shard_rows.tolist() == [0, 40, 80, 120, 160, 171]
    assert_same(sharded.to_corpus(), want)
    df, cf = sharded._term_totals()
    want_df, want_cf = want._term_totals()
    assert df.dtype == want_df.dtype and np.array_equal(df, want_df) and np.array_equal(cf, want_cf)
    assert np.array_equal(sharded.doc_lengths, want.doc_lengths)
    assert (sharded.n_docs, sharded.n_terms, sharded.n_tokens, sharded.n_sentences) == \
        (want.n_docs, want.n_terms, want.n_tokens, want.n_sentences)


def is_mapped(values: np.ndarray) -> bool:
    while isinstance(values.base, np.ndarray):
        values = values.base
    base = values.base.obj if isinstance(values.base, memoryview) else values.base
    return isinstance(base, mmap.mmap)


def test_terms_are_ordered_as_python_orders_strings(tmp_path):
    """The vocabulary is merged by Arrow (UTF-8 byte order): the same order as the in-memory build's."""
    texts = ["Zebra zebra éclair", "ßtraße Ölbaum apple", "日本 ｚｅｎ zen", "Éclair Zebra ﬁne", "apple Apple 𝔘nicode"]
    docs = pd.DataFrame({"text": texts}, index=pd.Index([f"d{i}" for i in range(5)], name="doc_id"))
    sharded = build(docs, tmp_path / "s", rows_per_shard=2, lowercase=False, stopwords=None)
    want = in_memory(docs, lowercase=False, stopwords=None)
    assert sharded.vocab.tolist() == sorted(want.vocab.tolist()) == want.vocab.tolist()
    assert "Zebra" in want.vocab and "ﬁne" in want.vocab  # upper case and ligatures, before and after ASCII
    assert_same(sharded.to_corpus(), want)


def test_lone_surrogates_are_stored_as_replacement_characters(tmp_path):
    # object columns: Arrow strings cannot hold lone surrogates
    index = pd.Index(["a", "b\udc80", "c"], name="doc_id", dtype=object)
    docs = pd.DataFrame({"text": pd.Series(["Troops \ud800drill at dawn.", "Jets flew.", "Ships sailed \udc80 home."],
                                           index=index, dtype=object)})
    with pytest.warns(UserWarning, match="some documents hold lone surrogates .* stores them as U\\+FFFD"):
        sharded = build(docs, tmp_path / "s", rows_per_shard=2)
    got, want = sharded.to_corpus(), in_memory(docs)
    assert np.array_equal(got.ids, want.ids) and got.vocab.equals(want.vocab)  # the tokens are unchanged
    assert got.docs.index.tolist() == ["a", "b\ufffd", "c"] == sharded.docs.index.tolist()
    assert got.docs["text"].tolist() == ["Troops \ufffddrill at dawn.", "Jets flew.", "Ships sailed \ufffd home."]


def test_a_sharded_corpus_pickles_without_its_client(docs, tmp_path):
    import pickle

    sharded = build(docs.iloc[:20], tmp_path / "s")
    sharded.client = object()  # stands for a client, which cannot be pickled
    again = pickle.loads(pickle.dumps(sharded))
    assert again.client is None and again.vocab.equals(sharded.vocab) and again.docs.index.equals(sharded.docs.index)


def test_each_shard_is_a_corpus_of_its_rows(docs, tmp_path, monkeypatch):
    monkeypatch.setattr(_storage, "_fs_type", lambda device: "ext4")  # as on a local disk, wherever tmp_path is
    sharded = build(docs, tmp_path / "s", rows_per_shard=50, min_df=2)
    want = in_memory(docs, min_df=2)
    for i in range(sharded.n_shards):
        rows = np.arange(sharded.shard_rows[i], sharded.shard_rows[i + 1])
        loaded = Corpus.load(sharded.shard_path(i))  # texts included, every checksum verified
        assert loaded.vocab.equals(sharded.vocab)
        part = want.select(np.isin(np.arange(want.n_docs), rows))
        assert np.array_equal(loaded.ids, part.ids) and np.array_equal(loaded.doc_offsets, part.doc_offsets)
        assert np.array_equal(loaded.sent_offsets, part.sent_offsets) and (loaded.dtm != part.dtm).nnz == 0
        assert loaded.docs["text"].equals(docs["text"].iloc[rows])
        opened = sharded.shard(i)  # mapped, without the text column: texts read back from the shard
        assert "text" not in opened.docs.columns
        assert opened.texts(opened.docs.index[[0, -1]]).tolist() == docs["text"].iloc[rows[[0, -1]]].tolist()
        assert is_mapped(opened.ids) == sys.platform.startswith("linux") and not is_mapped(loaded.ids)
    # the vocabulary is one file on disk for all shards (a hard link), where links can be made
    assert os.stat(sharded.folder / "vocab.txt").st_nlink == sharded.n_shards + 1


def test_attributes_of_the_whole(docs, tmp_path):
    sharded = build(docs, tmp_path / "s", rows_per_shard=100)
    want = in_memory(docs)
    assert sharded.vocab.name == "term" and sharded.vocab.equals(want.vocab)
    pd.testing.assert_frame_equal(sharded.docs, roundtrip(docs).drop(columns="text"))
    pd.testing.assert_series_equal(sharded.dates, want.dates)
    assert sharded.shard_rows.dtype == np.int64 and sharded.shard_rows.tolist() == [0, 100, 171]
    assert sharded.term_id("iran") == want.term_id("iran")
    with pytest.raises(KeyError, match="'irna' is not in the vocabulary .* close terms: .*'iran'"):
        sharded.term_id("irna")
    assert sharded.params == want.params
    assert repr(sharded) == (f"ShardedCorpus(171 docs in 2 shards, {want.n_tokens:,} tokens, {want.n_terms:,} terms, "
                             f"2019-01-04..2019-12-30, folder={str(sharded.folder)!r})")
    assert len(sharded) == 171


def test_html_shows_the_folder_escaped(docs, tmp_path):
    sharded = build(docs.iloc[:10], tmp_path / "<b>news&co")
    html = sharded._repr_html_()
    assert "&lt;b&gt;news&amp;co" in html and "<b>news" not in html
    assert "<th style='text-align:left'>shards</th><td>1</td>" in html


def test_a_dask_frame_with_an_empty_partition_and_a_parquet_folder(docs, tmp_path):
    want = in_memory(docs, max_df=0.5)
    frame = dd.concat([dd.from_pandas(docs.iloc[:50], npartitions=1, sort=False),
                       dd.from_pandas(docs.iloc[:0], npartitions=1, sort=False),
                       dd.from_pandas(docs.iloc[50:], npartitions=3, sort=False)])
    sharded = build(frame, tmp_path / "from-dask", max_df=0.5)
    assert sharded.n_shards == 4  # the empty partition is skipped
    # dask gives the string columns its own dtype: the docs are those of the frame
    assert_same(sharded.to_corpus(), in_memory(frame.compute(), max_df=0.5))
    assert_same(sharded.to_corpus(), want, docs=False)

    files = tmp_path / "parquet"
    files.mkdir()
    docs.iloc[:100].reset_index().to_parquet(files / "a.parquet", row_group_size=30)
    docs.iloc[100:].reset_index().to_parquet(files / "b.parquet", row_group_size=100)
    sharded = build(files, tmp_path / "from-parquet", rows_per_shard=50, max_df=0.5)
    # a.parquet: row groups of 30, 30, 30, 10 (at most 50 rows together); b.parquet: one row group of
    # 71 rows, cut in two
    assert sharded.shard_rows.tolist() == [0, 30, 60, 100, 136, 171]
    assert_same(sharded.to_corpus(), want)


# ---------------------------------------------------------------------- on the cluster
def test_built_on_the_cluster_equals_the_in_memory_corpus(docs, tmp_path, client):
    options = {"min_df": 2, "max_terms": tie_at_cut(docs)}
    want = in_memory(docs, **options)
    path = tmp_path / "news.parquet"
    docs.to_parquet(path, row_group_size=20)
    sources = [("pandas", docs), ("dask", dd.from_pandas(docs, npartitions=3, sort=False)), ("parquet", path)]
    for name, source in sources:
        sharded = ShardedCorpus.build(source, tmp_path / name, client=client, rows_per_shard=60, progress=False,
                                      **options)
        assert_same(sharded.to_corpus(), want, docs=name != "dask")  # dask has string dtypes of its own
        assert sorted(p.name for p in sharded.folder.iterdir()) == sorted(
            [f"shard-{i:05d}" for i in range(sharded.n_shards)] + ["doc_lengths.npy", "shards.json", "term_totals.npy",
                                                                   "vocab.txt"])


def count_terms(shard, rows, term_id, *, times=1):
    return rows.start, shard.n_docs, int(shard.dtm[:, term_id].sum()) * times, os.getpid()


def test_map_shards_runs_on_the_workers_in_shard_order(docs, tmp_path, client):
    sharded = build(docs, tmp_path / "s", rows_per_shard=50)
    iran = sharded.term_id("iran")
    here = sharded.map_shards(count_terms, iran, times=2)  # no client given and none current: here
    assert [r[:2] for r in here] == [(0, 50), (50, 50), (100, 50), (150, 21)]
    assert sum(r[2] for r in here) == 2 * sharded._term_totals()[1][iran]
    assert {r[3] for r in here} == {os.getpid()}

    on_cluster = ShardedCorpus.open(sharded.folder, client=client).map_shards(count_terms, iran, times=2)
    assert [r[:3] for r in on_cluster] == [r[:3] for r in here]
    workers = set(client.run(os.getpid).values())
    assert {r[3] for r in on_cluster} <= workers
    with client.as_current():  # the current client is picked up
        current = sharded.map_shards(count_terms, iran)
    assert {r[3] for r in current} <= workers


def set_task_delay(seconds: float) -> None:
    """Run on the workers: each build task sleeps this long first."""
    from corpus_tools import _shard_build

    _shard_build._TASK_DELAY = seconds


def test_a_worker_killed_while_shards_are_written(docs, tmp_path, client):
    """A worker with shards to write is killed: Dask runs its tasks again on another worker, the
    build completes and equals the in-memory corpus, and nothing temporary is left."""
    path = tmp_path / "news.parquet"
    docs.to_parquet(path, row_group_size=20)
    client.run(set_task_delay, 0.3)  # tasks long enough to be caught under way
    result = {}

    def run():
        try:
            result["corpus"] = ShardedCorpus.build(path, tmp_path / "s", client=client, rows_per_shard=20,
                                                   min_df=2, progress=False)
        except BaseException as err:  # noqa: BLE001  reported below
            result["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        victim = None
        while victim is None and time.monotonic() < deadline and thread.is_alive():
            busy = [w for w, keys in client.processing().items() if any(k.startswith("write-shard") for k in keys)]
            victim = busy[0] if busy else None
            time.sleep(0.02)
        assert victim is not None, "no shard was being written"
        os.kill(client.run(os.getpid)[victim], signal.SIGKILL)
        thread.join(120)
    finally:
        client.run(set_task_delay, 0.0)
    assert not thread.is_alive()
    assert "error" not in result, result.get("error")
    assert_same(result["corpus"].to_corpus(), in_memory(docs, min_df=2))
    assert not [p.name for p in (tmp_path / "s").iterdir() if p.name.endswith(".tmp")]
    assert_same(ShardedCorpus.open(tmp_path / "s").to_corpus(), in_memory(docs, min_df=2))
    client.wait_for_workers(2, timeout=60)


def test_a_worker_with_less_memory_than_the_corpus_builds_it(tmp_path):
    """One worker limited to 300 MB (about twice what it takes before any task) builds a corpus of
    320 MB of text, holding one partition of 8 MB at a time: it is never paused or restarted for
    memory. To keep the test short the texts are long random words (48 letters), which tokenise
    several times faster than news; news text makes more tokens per megabyte, so a partition of
    news takes more memory than one of these (use smaller partitions for a smaller limit)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    words = [bytes(rng.choice(letters, 48)).decode() for _ in range(100)]
    pool = [" ".join(rng.choice(words, 408)) for _ in range(100)]  # 19,991 characters each
    n_docs, per_group = 16_000, 400
    path = tmp_path / "big.parquet"
    with pq.ParquetWriter(path, pa.schema([("doc_id", pa.string()), ("text", pa.string())])) as writer:
        for g in range(n_docs // per_group):
            rows = range(g * per_group, (g + 1) * per_group)
            writer.write_table(pa.table({"doc_id": [f"d{i}" for i in rows], "text": [pool[i % 100] for i in rows]}))
    text_bytes = n_docs * len(pool[0])
    limit = 300_000_000
    assert text_bytes > limit
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  memory_limit=limit) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        pid = client.run(os.getpid)
        result = {}

        def run():
            try:
                result["corpus"] = ShardedCorpus.build(path, tmp_path / "s", client=client, rows_per_shard=per_group,
                                                       progress=False)
            except BaseException as err:  # noqa: BLE001  reported below
                result["error"] = err

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(180)  # a worker paused for memory would wait for ever
        assert not thread.is_alive(), "the build did not finish: the worker was paused for memory"
        assert "error" not in result, result.get("error")
        assert client.run(os.getpid) == pid  # never restarted
    sharded = result["corpus"]
    assert sharded.n_docs == n_docs and sharded.n_shards == n_docs // per_group
    assert sharded.n_tokens == n_docs * 408  # 408 words in every text, none a stopword
    used = {w for text in pool for w in text.split()}
    assert sharded.vocab.tolist() == sorted(used)


# ---------------------------------------------------------------------- failures and damage
@pytest.fixture
def built(docs, tmp_path) -> ShardedCorpus:
    return build(docs, tmp_path / "s", rows_per_shard=60)


def test_a_folder_without_its_manifest_is_refused(built):
    (built.folder / "shards.json").unlink()
    with pytest.raises(CorpusFolderError, match=r"shards\.json is missing, so the folder holds no complete sharded "
                                                r"corpus .* ShardedCorpus\.build\(source, folder, overwrite=True\)"):
        ShardedCorpus.open(built.folder)


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / "shards.json").write_text(
        (f / "shards.json").read_text().replace('"n_docs": 171', '"n_docs": 170')),
     r"shards\.json does not match its checksum"),
    (lambda f: (f / "shards.json").write_text("{"), r"shards\.json is not valid JSON"),
    (lambda f: (f / "shard-00001" / "meta.json").write_text(
        (f / "shard-00001" / "meta.json").read_text().replace('"n_docs": 60', '"n_docs": 61')),
     r"shard-00001/meta\.json is not the one shards\.json lists"),
    (lambda f: shutil.rmtree(f / "shard-00002"), r"the shard shard-00002 is missing or incomplete"),
    (lambda f: (f / "vocab.txt").write_text("edited"), r"vocab\.txt does not match its checksum in shards\.json"),
])
def test_a_damaged_folder_is_refused_naming_what(built, damage, message):
    damage(built.folder)
    with pytest.raises(CorpusFolderError, match=message) as err:
        ShardedCorpus.open(built.folder)
    assert str(built.folder) in str(err.value) and "overwrite=True" in str(err.value)


def test_a_manifest_naming_other_files_is_refused(built):
    import json

    from corpus_tools import _shard_build

    manifest = json.loads((built.folder / "shards.json").read_text())
    del manifest["crc32"]
    manifest["vocab"]["name"] = "../vocab.txt"
    manifest["crc32"] = _shard_build.manifest_checksum(manifest)  # its checksum fits
    (built.folder / "shards.json").write_text(json.dumps(manifest))
    with pytest.raises(CorpusFolderError, match=r"shards\.json does not describe a sharded corpus"):
        ShardedCorpus.open(built.folder)


def test_damaged_docs_are_refused_by_docs(built):
    sharded = ShardedCorpus.open(built.folder)
    docs = built.folder / "shard-00001" / "docs.parquet"
    data = bytearray(docs.read_bytes())
    data[100] ^= 1
    docs.write_bytes(bytes(data))
    where = re.escape(str(built.folder / "shard-00001"))
    with pytest.raises(CorpusFolderError, match=rf"^{where}: docs\.parquet does not match its checksum \(it was "
                                                r"edited or damaged\); build it again with "
                                                r"ShardedCorpus\.build\(source, folder, overwrite=True\)"):
        sharded.docs


def test_each_open_reads_the_vocabulary_once_and_its_shards_share_it(built, monkeypatch):
    reads = []
    read_bytes = pathlib.Path.read_bytes

    def counting(self):
        if self.name in ("vocab.txt", "vocab.json"):
            reads.append(self.relative_to(built.folder).as_posix())
        return read_bytes(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", counting)
    sharded = ShardedCorpus.open(built.folder)
    assert reads == ["vocab.txt"]
    first, last = sharded.shard(0), sharded.shard(-1)
    assert reads == ["vocab.txt", "shard-00000/vocab.txt", "shard-00002/vocab.txt"]
    assert first.vocab is last.vocab and first.vocab.equals(sharded.vocab)


def test_shards_are_numbered_as_a_list_is(built):
    assert built.shard_path(-1) == built.shard_path(2) == built.folder / "shard-00002"
    assert isinstance(built.folder, pathlib.Path) and built.folder == built._root
    assert built.shard(-3).docs.index.equals(built.shard(0).docs.index)
    for call in (built.shard_path, built.shard):
        with pytest.raises(IndexError, match=r"^shard 3 does not exist; this corpus has 3 shards \(0\.\.2\)\.$"):
            call(3)
        with pytest.raises(IndexError, match=r"^shard -4 does not exist; this corpus has 3 shards \(0\.\.2\)\.$"):
            call(-4)
        with pytest.raises(TypeError, match=r"^`i` must be an integer, a shard's number from 0 to 2; got str\.$"):
            call("1")
        with pytest.raises(TypeError, match=r"^`i` must be an integer, a shard's number from 0 to 2; got bool\.$"):
            call(True)


def test_a_damaged_array_is_found_when_the_shard_is_opened(built):
    arrays = built.folder / "shard-00001" / "arrays.bin"
    data = bytearray(arrays.read_bytes())
    data[100] ^= 1
    arrays.write_bytes(bytes(data))
    sharded = ShardedCorpus.open(built.folder)  # only the manifest and the shards' meta.json are read here
    with pytest.raises(CorpusFolderError, match=r"shard-00001: ids in arrays\.bin does not match its checksum"):
        sharded.shard(1)
    with pytest.raises(CorpusFolderError, match=r"ids in arrays\.bin does not match its checksum"):
        Corpus.load(built.folder / "shard-00001")


def test_a_shard_damaged_after_its_first_use_is_found_at_the_next(built):
    # map_shards keeps the shards it opened and verified, keyed by their files' identity
    sharded = ShardedCorpus.open(built.folder)
    assert sum(sharded.map_shards(lambda shard, rows: shard.n_tokens)) == sharded.n_tokens
    assert sum(sharded.map_shards(lambda shard, rows: shard.n_docs)) == sharded.n_docs  # reused
    arrays = built.folder / "shard-00001" / "arrays.bin"
    data = bytearray(arrays.read_bytes())
    data[100] ^= 1
    time.sleep(0.05)  # past the file system's clock tick: the edit gets a new modification time
    arrays.write_bytes(bytes(data))
    with pytest.raises(CorpusFolderError, match=r"shard-00001: ids in arrays\.bin does not match its checksum"):
        sharded.map_shards(lambda shard, rows: shard.n_docs)


def test_folders_the_manifest_does_not_name_are_ignored(built, docs):
    stray = built.folder / ".shard-00001.4242.0123456789ab.tmp"  # what a killed task leaves
    stray.mkdir()
    (stray / "meta.json").write_text("{}")
    shutil.copytree(built.folder / "shard-00000", built.folder / "shard-00009")
    sharded = ShardedCorpus.open(built.folder)
    assert sharded.n_shards == 3 and sharded.shard_names == ["shard-00000", "shard-00001", "shard-00002"]
    assert_same(sharded.to_corpus(), in_memory(docs))


def test_a_failed_build_leaves_nothing_behind(docs, tmp_path):
    bad = docs.copy()
    bad["text"] = bad["text"].astype(object)
    bad.iloc[100, bad.columns.get_loc("text")] = 7
    with pytest.raises(TypeError, match=r"column 'text' must hold strings; doc 'wikinews_2019-101' holds int 7"):
        build(bad, tmp_path / "s", rows_per_shard=60)
    assert not (tmp_path / "s").exists()
    (tmp_path / "kept").mkdir()
    with pytest.raises(TypeError):
        build(bad, tmp_path / "kept", rows_per_shard=60)
    assert list((tmp_path / "kept").iterdir()) == []


def test_doc_ids_repeated_across_partitions_are_named(docs, tmp_path):
    twice = pd.concat([docs.iloc[:30], docs.iloc[25:40]])
    with pytest.raises(ValueError, match=r"doc ids must be unique across all partitions; duplicated: "
                                         r"\['wikinews_2019-26', 'wikinews_2019-27', .*\]\. Pass id="):
        build(twice, tmp_path / "s", rows_per_shard=30)
    assert not (tmp_path / "s").exists()


def test_phrases_cannot_be_sharded(docs, tmp_path):
    with pytest.raises(ValueError, match=r"`phrases` cannot be used with ShardedCorpus\.build: .* Build the corpus "
                                         r"in memory with Corpus\.from_docs\(docs, phrases=True\)"):
        build(docs, tmp_path / "s", phrases=True)
    assert not (tmp_path / "s").exists()


def test_options_are_checked_before_any_work(docs, tmp_path):
    with pytest.raises(ValueError, match=r"`rows_per_shard` must be a positive integer; got 0\."):
        build(docs, tmp_path / "s", rows_per_shard=0)
    with pytest.raises(ValueError, match=r"`max_df` as a float is a share of documents"):
        build(docs, tmp_path / "s", max_df=1.5)
    with pytest.raises(ValueError, match=r"`source` has no text column 'body'"):
        build(docs, tmp_path / "s", text="body")
    with pytest.raises(TypeError, match=r"ShardedCorpus\.build takes a pandas DataFrame, a dask DataFrame or the "
                                        r"path of Parquet files; got list"):
        build(["a text"], tmp_path / "s")
    with pytest.raises(FileNotFoundError, match=r"no Parquet files at"):
        build(str(tmp_path / "none" / "*.parquet"), tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_an_existing_folder_is_replaced_only_when_asked(docs, tmp_path, built):
    with pytest.raises(FileExistsError, match=r"holds a sharded corpus .* pass overwrite=True"):
        build(docs.iloc[:20], built.folder)
    again = build(docs.iloc[:20], built.folder, overwrite=True)
    assert again.n_docs == 20 and [p.name for p in built.folder.glob("shard-*")] == ["shard-00000"]
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError,
                       match=r"holds files that are not part of a sharded corpus \(\['notes\.txt'\]\)"):
        build(docs, other, overwrite=True)
    assert (other / "notes.txt").read_text() == "keep me"


def test_errors_are_of_the_package(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        ShardedCorpus.open(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusToolsError):
        ShardedCorpus.open(tmp_path / "empty")


# -- the analyses on the cluster: the same tables as in memory ----------------------------------


@pytest.fixture(scope="module")
def on_cluster(docs, client, tmp_path_factory):
    """The bundled corpus as 5 shards built on the 2-worker cluster, and the same corpus in memory."""
    folder = tmp_path_factory.mktemp("analyses") / "shards"
    options = dict(min_df=2, extra_stopwords=["said"])
    sharded = build(docs, folder, client=client, rows_per_shard=40, **options)
    return sharded, in_memory(docs, **options)


def _terms(corpus, n=5):
    return ct.term_frequencies(corpus, top=n)["term"].tolist()


def _second_half(corpus):
    return (corpus.dates >= corpus.dates.median()).to_numpy()


ANALYSES = {
    "term_frequencies": lambda c: ct.term_frequencies(c),
    "term_frequencies by source, top": lambda c: ct.term_frequencies(c, by="source", top=10),
    "term_trends monthly": lambda c: ct.term_trends(c, _terms(c), freq="MS"),
    "term_trends quarterly, per 10k tokens": lambda c: ct.term_trends(c, _terms(c, 3), freq="QS",
                                                                   measure="per_10k_tokens"),
    "keyness second half": lambda c: ct.keyness(c, _second_half(c)),
    "keyness with a reference, log ratio": lambda c: ct.keyness(c, _second_half(c), reference=~_second_half(c),
                                                                measure="log_ratio", min_count=2),
    "keyness_table by quarter": lambda c: ct.keyness_table(c, "QS", top=5, min_count=2),
    "cooccurrence documents": lambda c: ct.cooccurrence(c, min_count=3),
    "cooccurrence sentences, top 50": lambda c: ct.cooccurrence(c, window="sentence", terms=50),
    "cooccurrence window 5, log_dice": lambda c: ct.cooccurrence(c, window=5, terms=100, measure="log_dice"),
    "collocates": lambda c: ct.collocates(c, _terms(c)[0], window=4, measure="npmi", min_count=2),
    "kwic word, first 7": lambda c: ct.kwic(c, _terms(c)[1], window=4, max_rows=7),
    "kwic phrase, all": lambda c: ct.kwic(c, "prime minister", max_rows=None),
}


@pytest.mark.filterwarnings("ignore:more than 7 matches")
@pytest.mark.parametrize("name", list(ANALYSES))
def test_analyses_on_the_cluster_equal_the_in_memory_ones(on_cluster, client, name):
    sharded, corpus = on_cluster
    sharded.client = client  # the cluster, not this process
    got, want = ANALYSES[name](sharded), ANALYSES[name](corpus)
    assert len(want) > 0
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs.keys() == want.attrs.keys()
    for key in want.attrs:
        if isinstance(want.attrs[key], pd.DataFrame):
            pd.testing.assert_frame_equal(got.attrs[key], want.attrs[key], check_exact=True)
        else:
            assert str(got.attrs[key]) == str(want.attrs[key]), key


def test_the_analyses_ran_on_the_workers(on_cluster, client):
    sharded, _ = on_cluster
    sharded.client = client
    pids = sharded.map_shards(lambda shard, rows: os.getpid())
    assert len(pids) == sharded.n_shards
    assert set(pids) <= set(client.run(os.getpid).values()) and os.getpid() not in pids


def test_dedupe_true_on_shards_says_to_pass_the_groups(on_cluster):
    sharded, _ = on_cluster
    with pytest.raises(ValueError, match="dedupe=True needs the whole corpus in memory"):
        ct.term_trends(sharded, ["police"], dedupe=True)
