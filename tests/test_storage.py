"""The files of a saved or cached corpus: layout, earlier layouts, mapped arrays, damaged folders."""
from __future__ import annotations

import gc
import json
import mmap
import os
import sys

import numpy as np
import pandas as pd
import pytest

import corpus_tools.corpus as corpus_module
from corpus_tools import Corpus
from corpus_tools import _storage


def make_docs(texts) -> pd.DataFrame:
    return pd.DataFrame({"text": texts}, index=pd.Index([f"d{i}" for i in range(len(texts))], name="doc_id"))


def build(texts, **kwargs) -> Corpus:
    return Corpus.from_docs(make_docs(texts), cache=False, progress=False, **kwargs)


MMAP = mmap.mmap  # the type, kept before a test replaces it


linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="cache files are mapped on Linux only")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(tmp_path / "cache"))
    # as on a local disk, wherever the test's temporary folder is
    monkeypatch.setattr(_storage, "_fs_type", lambda device: "ext4")
    return tmp_path / "cache" / "corpus"


def cached(texts) -> Corpus:
    return Corpus.from_docs(make_docs(texts), progress=False)


def is_mapped(values: np.ndarray) -> bool:
    while isinstance(values.base, np.ndarray):
        values = values.base
    base = values.base.obj if isinstance(values.base, memoryview) else values.base
    return isinstance(base, MMAP)


def same(a: Corpus, b: Corpus) -> bool:
    return (a.vocab.equals(b.vocab) and np.array_equal(a.ids, b.ids) and np.array_equal(a.doc_offsets, b.doc_offsets)
            and np.array_equal(a.sent_offsets, b.sent_offsets) and (a.dtm != b.dtm).nnz == 0)


def test_arrays_file_is_described_in_meta_and_readable_without_the_package(tmp_path):
    c = build(["apple banana. cherry", "banana cherry cherry"])
    c.save(tmp_path / "saved")
    meta = json.loads((tmp_path / "saved" / "meta.json").read_text())
    assert meta["format"] == 2 and list(meta["arrays"]) == list(_storage.ARRAY_NAMES)
    for name, (dtype, offset, length) in meta["arrays"].items():
        assert offset % 64 == 0
        plain = np.fromfile(tmp_path / "saved" / "arrays.bin", dtype=dtype, count=length, offset=offset)
        expected = {"dtm_data": c.dtm.data, "dtm_indices": c.dtm.indices, "dtm_indptr": c.dtm.indptr}.get(name)
        assert np.array_equal(plain, getattr(c, name) if expected is None else expected)
    assert (tmp_path / "saved" / "vocab.txt").read_text(encoding="utf-8") == "apple\nbanana\ncherry"


@linux
def test_a_cached_corpus_is_mapped_and_its_changes_stay_its_own(cache):
    first = cached(["apple banana. cherry", "banana cherry cherry"])
    again = cached(["apple banana. cherry", "banana cherry cherry"])
    assert not is_mapped(first.ids) and is_mapped(again.ids) and is_mapped(again.dtm.data)
    again.ids[:] = 0
    again.dtm.data[:] = 7
    assert same(cached(["apple banana. cherry", "banana cherry cherry"]), first)


@linux
def test_rewriting_a_cache_entry_leaves_a_mapped_corpus_whole(cache):
    first = cached(["apple banana. cherry", "banana cherry cherry"])
    mapped = cached(["apple banana. cherry", "banana cherry cherry"])
    (entry,) = cache.iterdir()
    other = build(["date elderberry fig", "fig fig grape"])
    other._save_arrays(entry)  # what a rebuild of a damaged entry does
    assert is_mapped(mapped.ids) and same(mapped, first)


def test_a_saved_folder_is_read_so_copying_over_it_is_harmless(tmp_path):
    c = build(["apple banana. cherry", "banana cherry cherry"])
    c.save(tmp_path / "saved")
    back = Corpus.load(tmp_path / "saved")
    assert not is_mapped(back.ids)
    (tmp_path / "saved" / "arrays.bin").write_bytes(b"")  # as `cp` over the folder would truncate it
    assert same(back, c)
    back.ids[:] = 0  # the loaded arrays are the corpus's own


def test_saving_over_a_loaded_corpus_leaves_it_whole(tmp_path):
    first = build(["apple banana. cherry", "banana cherry cherry"])
    first.save(tmp_path / "saved")
    loaded = Corpus.load(tmp_path / "saved")
    second = build(["date elderberry fig", "fig fig grape"])
    second.save(tmp_path / "saved")
    assert same(loaded, first) and same(Corpus.load(tmp_path / "saved"), second)
    assert not [f.name for f in (tmp_path / "saved").iterdir() if f.name.endswith(".tmp")]


def test_terms_with_line_breaks_are_kept_in_json(tmp_path):
    c = build(["apple banana", "banana cherry"])
    odd = Corpus(c.docs, ["apple", "ban\nana", "cherry"], c.ids, c.doc_offsets, c.sent_offsets)
    odd.save(tmp_path / "saved")
    assert not (tmp_path / "saved" / "vocab.txt").exists()
    assert Corpus.load(tmp_path / "saved").vocab.tolist() == ["apple", "ban\nana", "cherry"]
    c.save(tmp_path / "saved")  # a plain vocabulary again: the JSON file goes
    assert sorted(f.name for f in (tmp_path / "saved").iterdir()) == ["arrays.bin", "docs.parquet", "meta.json", "vocab.txt"]


def test_reads_the_one_file_per_array_layout_of_earlier_versions(tmp_path):
    c = build(["apple banana. cherry", "banana cherry"])
    c.save(tmp_path / "saved")
    folder = tmp_path / "saved"
    arrays = {"ids": c.ids, "doc_offsets": c.doc_offsets, "sent_offsets": c.sent_offsets,
              "dtm_data": c.dtm.data, "dtm_indices": c.dtm.indices, "dtm_indptr": c.dtm.indptr}
    for name, values in arrays.items():
        np.save(folder / f"{name}.npy", values)
    (folder / "arrays.bin").unlink()
    (folder / "vocab.txt").unlink()
    (folder / "vocab.json").write_text(json.dumps(c.vocab.tolist()))
    meta = json.loads((folder / "meta.json").read_text())
    del meta["arrays"]
    (folder / "meta.json").write_text(json.dumps({**meta, "format": 1}))
    assert same(Corpus.load(folder), c)


def test_a_short_arrays_file_is_named(tmp_path):
    c = build(["apple banana. cherry", "banana cherry"])
    c.save(tmp_path / "saved")
    data = (tmp_path / "saved" / "arrays.bin").read_bytes()
    (tmp_path / "saved" / "arrays.bin").write_bytes(data[:-8])
    with pytest.raises(ValueError, match=r"arrays\.bin is shorter than .*meta\.json says"):
        Corpus.load(tmp_path / "saved")


@linux
def test_a_damaged_cache_entry_is_built_again(cache):
    first = cached(["Troops drilled near the river", "Drills ended"])
    (entry,) = cache.iterdir()
    # damaged as a new file: truncating the file in place would pull the pages from under a
    # corpus that maps it (the library never writes cache files in place)
    (entry / "broken").write_bytes(b"")
    os.replace(entry / "broken", entry / "arrays.bin")
    again = cached(["Troops drilled near the river", "Drills ended"])
    assert same(again, first) and not is_mapped(again.ids) and (entry / "arrays.bin").stat().st_size > 0
    assert is_mapped(cached(["Troops drilled near the river", "Drills ended"]).ids)


@linux
def test_cache_files_are_read_where_they_cannot_be_mapped(cache, monkeypatch):
    first = cached(["apple banana. cherry", "banana cherry cherry"])
    monkeypatch.setattr(_storage, "_MAP", False)  # Windows
    windows = cached(["apple banana. cherry", "banana cherry cherry"])
    monkeypatch.setattr(_storage, "_MAP", True)

    def refuse(*args, **kwargs):
        raise OSError("mmap not supported on this file system")

    monkeypatch.setattr(_storage.mmap, "mmap", refuse)
    unmappable = cached(["apple banana. cherry", "banana cherry cherry"])
    for c in (windows, unmappable):
        assert same(c, first) and not is_mapped(c.ids)
        c.ids[:] = 0


@linux
def test_cache_files_on_a_network_file_system_are_read(cache, monkeypatch):
    first = cached(["apple banana. cherry", "banana cherry cherry"])
    monkeypatch.setattr(_storage, "_fs_type", lambda device: "nfs4")
    again = cached(["apple banana. cherry", "banana cherry cherry"])
    assert same(again, first) and not is_mapped(again.ids)


@linux
def test_at_most_so_many_corpora_are_mapped_at_once(cache, monkeypatch):
    gc.collect()  # mappings other tests left unreferenced
    monkeypatch.setattr(_storage, "_MAX_MAPS", len(_storage._LIVE_MAPS) + 2)
    cached(["apple banana. cherry", "banana cherry cherry"])
    held = [cached(["apple banana. cherry", "banana cherry cherry"]) for _ in range(3)]
    assert [is_mapped(c.ids) for c in held] == [True, True, False]
    del held[0]
    gc.collect()
    assert is_mapped(cached(["apple banana. cherry", "banana cherry cherry"]).ids)


@linux
def test_file_system_type_is_read_from_the_mount_table(tmp_path):
    kind = _storage._fs_type.__wrapped__(os.stat(tmp_path).st_dev)
    assert isinstance(kind, str) and kind
    assert _storage._fs_type.__wrapped__(os.makedev(4095, 1048575)) is None  # no such device
