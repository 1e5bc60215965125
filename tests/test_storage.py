"""The files of a saved or cached corpus: layout, earlier layouts, mapped arrays, damaged folders."""
from __future__ import annotations

import errno
import gc
import io
import json
import mmap
import warnings
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corpus_tools import Corpus
from corpus_tools import _storage
from corpus_tools._storage import CorpusFolderError


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


def test_array_file_written_part_by_part_equals_the_whole_write(tmp_path):
    c = build(["apple banana. cherry", "banana cherry cherry", "", "date apple. apple"])
    arrays = {"ids": c.ids, "doc_offsets": c.doc_offsets, "sent_offsets": c.sent_offsets,
              "dtm_data": c.dtm.data, "dtm_indices": c.dtm.indices, "dtm_indptr": c.dtm.indptr}
    _storage.write_folder(tmp_path / "whole", arrays, c.vocab.tolist(), {"format": 2})
    (tmp_path / "parts").mkdir()
    f = _storage.ArrayFile(tmp_path / "parts", {name: (a.dtype, len(a)) for name, a in arrays.items()})
    for start in range(0, max(map(len, arrays.values())), 3):  # three values at a time, arrays interleaved
        for name in reversed(_storage.ARRAY_NAMES):
            if start < len(arrays[name]):
                f.write(name, arrays[name][start : start + 3])
    with pytest.raises(ValueError, match=r"ids: more than the 9 values announced"):  # 3 + 3 + 0 + 3 tokens
        f.write("ids", [1])
    _storage.write_folder(tmp_path / "parts", None, c.vocab.tolist(), {"format": 2}, written=f.close())
    for name in ("arrays.bin", "vocab.txt", "meta.json"):
        assert (tmp_path / "parts" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert [p.name for p in (tmp_path / "parts").iterdir() if p.name.endswith(".tmp")] == []
    short = _storage.ArrayFile(tmp_path / "parts", {name: (a.dtype, len(a)) for name, a in arrays.items()})
    short.write("ids", c.ids[:2])
    with pytest.raises(ValueError, match="arrays not written whole"):
        short.close()
    short.discard()
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == ["arrays.bin", "meta.json", "vocab.txt"]


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
def test_a_cached_corpus_is_mapped_read_only(cache):
    first = cached(["apple banana. cherry", "banana cherry cherry"])
    again = cached(["apple banana. cherry", "banana cherry cherry"])
    assert not is_mapped(first.ids) and is_mapped(again.ids) and is_mapped(again.dtm.data)
    # mapped arrays are read-only: a change in place would be undone when their pages go back
    with pytest.raises(ValueError, match="read-only"):
        again.ids[:] = 0
    with pytest.raises(ValueError, match="read-only"):
        again.dtm.data[:] = 7
    assert same(cached(["apple banana. cherry", "banana cherry cherry"]), first) and same(again, first)


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
    del meta["arrays"], meta["crc32"]  # earlier versions wrote no checksums
    (folder / "meta.json").write_text(json.dumps({**meta, "format": 1}))
    assert same(Corpus.load(folder), c)


def test_reads_the_npz_layout_of_earlier_versions_and_checks_it(tmp_path):
    import scipy.sparse as sp

    c = build(["apple banana. cherry", "banana cherry"])
    folder = c.save(tmp_path / "saved")
    np.savez(folder / "tokens.npz", ids=c.ids, doc_offsets=c.doc_offsets, sent_offsets=c.sent_offsets)
    sp.save_npz(folder / "dtm.npz", c.dtm, compressed=False)
    (folder / "arrays.bin").unlink()
    meta = json.loads((folder / "meta.json").read_text())
    del meta["arrays"], meta["crc32"]
    (folder / "meta.json").write_text(json.dumps({**meta, "format": 1}))
    assert same(Corpus.load(folder), c)
    bad = c.dtm.copy()
    bad.indices[:] = -1
    sp.save_npz(folder / "dtm.npz", bad, compressed=False)
    with pytest.raises(CorpusFolderError, match=re.escape(f"{folder}: dtm_indices holds values outside 0..n_terms-1")):
        Corpus.load(folder)
    sp.save_npz(folder / "dtm.npz", c.dtm.tocsc(), compressed=False)
    with pytest.raises(CorpusFolderError, match=re.escape(f"{folder}: dtm.npz holds a csc matrix, not CSR;")):
        Corpus.load(folder)


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
    with pytest.warns(UserWarning, match=re.escape(f"the cached corpus in {entry} is damaged or unreadable "
                                                   "(arrays.bin is shorter than meta.json says); building it again.")):
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
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # read from the cache, not found damaged and built again
        unmappable = cached(["apple banana. cherry", "banana cherry cherry"])
    for c in (windows, unmappable):
        assert same(c, first) and not is_mapped(c.ids)
        c.ids[:] = 0  # read into memory: the arrays are the corpus's own, writable


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



# ---------------------------------------------------------------------- damaged, edited, incomplete
TEXTS = ["apple banana. cherry", "banana cherry cherry", "date apple. fig"]  # 9 tokens, 5 terms
ADVICE = "; the folder is damaged — rebuild it with Corpus.from_docs(...).save(...)"


def saved_folder(tmp_path) -> tuple[Corpus, Path]:
    c = build(TEXTS)
    return c, c.save(tmp_path / "saved")


def flip(file: Path, offset: int) -> None:
    """Flip the lowest bit of one byte, as a new file (the library never changes its files in place)."""
    data = bytearray(file.read_bytes())
    data[offset] ^= 1
    (file.parent / "flipped").write_bytes(bytes(data))
    os.replace(file.parent / "flipped", file)


def strip_checksums(folder: Path) -> None:
    """Make ``folder`` look written by a version without checksums."""
    meta = json.loads((folder / "meta.json").read_text())
    del meta["crc32"]
    (folder / "meta.json").write_text(json.dumps(meta))


def raises_damaged(folder: Path, problem: str):
    return pytest.raises(CorpusFolderError, match=re.escape(f"{folder}: {problem}{ADVICE}") + "$")


@pytest.mark.parametrize("name", _storage.ARRAY_NAMES)
def test_a_flipped_bit_in_any_saved_array_is_named(tmp_path, name):
    _, folder = saved_folder(tmp_path)
    _, offset, length = json.loads((folder / "meta.json").read_text())["arrays"][name]
    assert length > 0
    flip(folder / "arrays.bin", offset)
    with raises_damaged(folder, f"{name} in arrays.bin does not match its checksum (the file was changed or damaged)"):
        Corpus.load(folder)


@pytest.mark.parametrize("name", _storage.ARRAY_NAMES)
def test_a_flipped_bit_in_a_cached_array_warns_and_builds_again(cache, name):
    first = cached(TEXTS)
    (entry,) = cache.iterdir()
    _, offset, _ = json.loads((entry / "meta.json").read_text())["arrays"][name]
    flip(entry / "arrays.bin", offset)
    problem = f"{name} in arrays.bin does not match its checksum (the file was changed or damaged)"
    with pytest.warns(UserWarning, match=re.escape(f"the cached corpus in {entry} is damaged or unreadable "
                                                   f"({problem}); building it again.")):
        again = cached(TEXTS)
    assert same(again, first)
    back = cached(TEXTS)  # the entry was written again, whole
    assert same(back, first)


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("cherry", "cherri"),  # a term changed
    lambda text: text.replace("cherry\n", ""),  # a line removed
    lambda text: text.replace("date\nfig", "fig\ndate"),  # two terms swapped: the same terms, other ids
])
def test_an_edited_vocabulary_is_named(tmp_path, edit):
    _, folder = saved_folder(tmp_path)
    text = (folder / "vocab.txt").read_text(encoding="utf-8")
    assert edit(text) != text
    (folder / "vocab.txt").write_text(edit(text), encoding="utf-8")
    with raises_damaged(folder, "vocab.txt does not match its checksum (it was edited or damaged)"):
        Corpus.load(folder)


@pytest.mark.parametrize("edit", [
    lambda meta: meta["params"].update(lowercase=False),
    lambda meta: meta.update(n_docs=2),
    lambda meta: meta["arrays"]["ids"].__setitem__(2, 3),  # fewer tokens
])
def test_an_edited_meta_json_is_named(tmp_path, edit):
    _, folder = saved_folder(tmp_path)
    meta = json.loads((folder / "meta.json").read_text())
    edit(meta)
    (folder / "meta.json").write_text(json.dumps(meta, indent=2))
    with raises_damaged(folder, "meta.json does not match its checksum (it was edited or damaged)"):
        Corpus.load(folder)


def test_an_edited_checksum_is_named(tmp_path):
    _, folder = saved_folder(tmp_path)
    meta = json.loads((folder / "meta.json").read_text())
    meta["crc32"]["ids"] ^= 1
    (folder / "meta.json").write_text(json.dumps(meta))
    with raises_damaged(folder, "ids in arrays.bin does not match its checksum (the file was changed or damaged)"):
        Corpus.load(folder)


def test_unreadable_meta_json_and_vocabulary_are_named(tmp_path):
    _, folder = saved_folder(tmp_path)
    good = (folder / "meta.json").read_bytes()
    (folder / "meta.json").write_bytes(good[:-5])
    with raises_damaged(folder, "meta.json is not valid JSON"):
        Corpus.load(folder)
    meta = json.loads(good)
    meta["arrays"]["ids"][0] = "no such dtype"
    del meta["crc32"]
    (folder / "meta.json").write_text(json.dumps(meta))
    with raises_damaged(folder, "meta.json's list of arrays is not readable"):
        Corpus.load(folder)
    (folder / "meta.json").write_bytes(good)
    strip_checksums(folder)
    (folder / "vocab.txt").write_bytes(b"apple\n\xff\xfe")
    with raises_damaged(folder, "vocab.txt is not valid UTF-8"):
        Corpus.load(folder)
    (folder / "vocab.txt").unlink()
    with raises_damaged(folder, "vocab.txt (or vocab.json) is missing"):
        Corpus.load(folder)


def _set(name, index, value):
    def change(arrays, vocab, meta):
        arrays[name] = arrays[name].copy()
        arrays[name][index] = value
    return change


def _replace_array(name, make):
    def change(arrays, vocab, meta):
        arrays[name] = make(arrays[name])
    return change


def _drop_last_term(adjust_meta):
    def change(arrays, vocab, meta):
        vocab.pop()
        if adjust_meta:
            meta["n_terms"] = len(vocab)
    return change


# each: a folder whose checksums are right (or absent) but whose parts do not fit together, as a
# damaged or hostile writer could make it; scipy would index outside its arrays with most of them
INCONSISTENT = {
    "indices -1": (_replace_array("dtm_indices", lambda a: np.full_like(a, -1)),
                   "dtm_indices holds values outside 0..n_terms-1 (n_terms = 5)"),
    "indices huge": (_set("dtm_indices", 0, 2**31 - 1), "dtm_indices holds values outside 0..n_terms-1 (n_terms = 5)"),
    "id too large": (_set("ids", 3, 5), "ids holds values outside 0..n_terms-1 (n_terms = 5)"),
    "id negative": (_set("ids", 0, -7), "ids holds values outside 0..n_terms-1 (n_terms = 5)"),
    "vocab line removed": (_drop_last_term(False), "vocab.txt holds 4 terms but meta.json says 5"),
    "vocab line removed, meta too": (_drop_last_term(True), "ids holds values outside 0..n_terms-1 (n_terms = 4)"),
    "doc offsets decrease": (_set("doc_offsets", 1, 7), "doc_offsets decreases somewhere; offsets must never decrease"),
    "doc offsets overrun": (_set("doc_offsets", -1, 10),
                            "doc_offsets runs from 0 to 10, not from 0 to 9 (the number of tokens)"),
    "doc offsets short": (_replace_array("doc_offsets", lambda a: a[:-1]),
                          "doc_offsets has 3 entries, not 4 (one more than the documents)"),
    "sentence offsets": (_set("sent_offsets", 0, 1),
                         "sent_offsets runs from 1 to 9, not from 0 to 9 (the number of tokens)"),
    "sentence offsets decrease": (_set("sent_offsets", 1, 8),
                                  "sent_offsets decreases somewhere; offsets must never decrease"),
    "indptr overrun": (_set("dtm_indptr", -1, 100),
                       "dtm_indptr runs from 0 to 100, not from 0 to 8 (the length of dtm_indices)"),
    "indptr decrease": (_set("dtm_indptr", 1, 7), "dtm_indptr decreases somewhere; offsets must never decrease"),
    "data short": (_replace_array("dtm_data", lambda a: a[:-1]), "dtm_data holds 7 values but dtm_indices 8"),
    "float ids": (_replace_array("ids", lambda a: a.astype(np.float64)),
                  "ids has dtype float64 and shape (9,); it must be a one-dimensional array of integers"),
    "tokens": (lambda arrays, vocab, meta: meta.update(n_tokens=8), "ids holds 9 tokens but meta.json says 8"),
    "documents": (lambda arrays, vocab, meta: meta.update(n_docs=2),
                  "meta.json describes 2 documents but there are 3 in docs.parquet"),
    "float16 counts": (_replace_array("dtm_data", lambda a: a.astype(np.float16)),
                       "dtm_data has dtype float16 and shape (8,); it must be a one-dimensional array of integers "
                       "or 32- or 64-bit floats"),
    "negative count": (_set("dtm_data", 0, -1), "dtm_data holds negative (or NaN) counts"),
    "NaN count": (_replace_array("dtm_data", lambda a: np.r_[a[:-1], np.nan]),
                  "dtm_data holds negative (or NaN) counts"),
    "term twice": (lambda arrays, vocab, meta: vocab.__setitem__(4, "date"), "vocab.txt holds the term 'date' twice"),
    "text param": (lambda arrays, vocab, meta: meta.update(params={**meta["params"], "text": 5}),
                   "meta.json's params give text=5; it must be a string"),
    "lowercase param": (lambda arrays, vocab, meta: meta.update(params={**meta["params"], "lowercase": "no"}),
                        'meta.json\'s params give lowercase="no"; it must be true or false'),
    "min_df param": (lambda arrays, vocab, meta: meta.update(params={**meta["params"], "min_df": True}),
                     "meta.json's params give min_df=true; it must be a number"),
    "keep param": (lambda arrays, vocab, meta: meta.update(params={**meta["params"], "keep": ["a", 1]}),
                   "meta.json's params give keep a list that holds other things than strings"),
}


@pytest.mark.parametrize("checksums", [True, False], ids=["with checksums", "earlier version"])
@pytest.mark.parametrize("case", list(INCONSISTENT))
def test_parts_that_do_not_fit_together_are_named_never_a_crash(tmp_path, case, checksums):
    c, folder = saved_folder(tmp_path)
    arrays = {"ids": c.ids, "doc_offsets": c.doc_offsets, "sent_offsets": c.sent_offsets,
              "dtm_data": c.dtm.data, "dtm_indices": c.dtm.indices, "dtm_indptr": c.dtm.indptr}
    vocab = c.vocab.tolist()
    meta = {"format": 2, "corpus_tools": "0", "params": c.params, "n_docs": 3, "n_tokens": 9, "n_terms": 5}
    assert (len(c.ids), len(vocab), c.dtm.nnz) == (9, 5, 8)
    change, problem = INCONSISTENT[case]
    change(arrays, vocab, meta)
    _storage.write_folder(folder, arrays, vocab, meta)  # right checksums for what is wrong
    if not checksums:
        strip_checksums(folder)
    with raises_damaged(folder, problem):
        Corpus.load(folder)


def test_an_inconsistent_cache_entry_warns_and_builds_again(cache):
    first = cached(TEXTS)
    (entry,) = cache.iterdir()
    arrays = {"ids": first.ids, "doc_offsets": first.doc_offsets, "sent_offsets": first.sent_offsets,
              "dtm_data": first.dtm.data, "dtm_indices": np.full_like(first.dtm.indices, -1),
              "dtm_indptr": first.dtm.indptr}
    meta = json.loads((entry / "meta.json").read_text())
    _storage.write_folder(entry, arrays, first.vocab.tolist(), {k: v for k, v in meta.items() if k != "crc32"})
    with pytest.warns(UserWarning, match=re.escape(
            f"the cached corpus in {entry} is damaged or unreadable (dtm_indices holds values outside "
            "0..n_terms-1 (n_terms = 5)); building it again.")):
        assert same(cached(TEXTS), first)


@pytest.mark.parametrize("name", ["arrays.bin", "docs.parquet", "vocab.txt", "meta.json"])
def test_a_folder_in_place_of_a_file_is_named(tmp_path, name):
    _, folder = saved_folder(tmp_path)
    (folder / name).unlink()
    (folder / name).mkdir()
    with raises_damaged(folder, f"{name} is not a file"):
        Corpus.load(folder)


def test_damaged_or_reordered_docs_are_named(tmp_path):
    c, folder = saved_folder(tmp_path)
    docs_file = folder / "docs.parquet"
    original = docs_file.read_bytes()
    damaged = bytearray(original)
    damaged[100:108] = bytes(b ^ 0xFF for b in damaged[100:108])
    docs_file.write_bytes(bytes(damaged))
    with raises_damaged(folder, "docs.parquet does not match its checksum (it was edited or damaged)"):
        Corpus.load(folder)
    reordered = pd.read_parquet(io.BytesIO(original)).iloc[::-1]
    reordered.to_parquet(docs_file)
    with raises_damaged(folder, "docs.parquet does not match its checksum (it was edited or damaged)"):
        Corpus.load(folder)
    # without the file checksums (written before they existed, or removed) the ids still tell
    strip_checksums(folder)
    swapped = "docs.parquet holds other documents or another order than the arrays (its document ids are not those " \
              "saved with them)"
    with raises_damaged(folder, swapped):
        Corpus.load(folder)
    reordered.rename(index={"d0": "x0"}).iloc[::-1].to_parquet(docs_file)
    with raises_damaged(folder, swapped):
        Corpus.load(folder)
    # a folder from before either check loads
    docs_file.write_bytes(original)
    meta = json.loads((folder / "meta.json").read_text())
    del meta["doc_ids_crc32"]
    (folder / "meta.json").write_text(json.dumps(meta))
    assert same(Corpus.load(folder), c)


@pytest.mark.parametrize("checksums", [True, False], ids=["with checksums", "earlier version"])
def test_random_damage_gives_a_named_error_or_a_whole_corpus(tmp_path, checksums):
    c, folder = saved_folder(tmp_path)
    if not checksums:
        strip_checksums(folder)
    originals = {name: (folder / name).read_bytes() for name in ("arrays.bin", "meta.json", "vocab.txt")}
    rng = random.Random(0)
    outcomes = set()
    for _ in range(60):
        name = rng.choice(list(originals))
        data = bytearray(originals[name])
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        (folder / name).write_bytes(bytes(data))
        try:
            back = Corpus._load_arrays(folder, c.docs)
        except CorpusFolderError as err:
            assert str(err).startswith(f"{folder}: ")
            outcomes.add("error")
        else:
            # whatever loaded is safe to use: every index lies within its array
            back.dtm.toarray(), back.tokens("d1")
            if checksums and name != "arrays.bin":
                assert same(back, c)  # an edit of meta.json that changes nothing, e.g. its spacing
            outcomes.add("loaded")
        (folder / name).write_bytes(originals[name])
    assert "error" in outcomes


def test_an_interrupted_save_leaves_a_folder_that_load_refuses(tmp_path, monkeypatch):
    c = build(TEXTS)
    folder = c.save(tmp_path / "saved")
    write = _storage.replace_with

    def full_disk(target, fill):
        if target.name != "arrays.bin":
            return write(target, fill)

        def half(tmp):
            tmp.write_bytes(b"\0" * 10)
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
        return write(target, half)

    monkeypatch.setattr(_storage, "replace_with", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        build(["other words here", "and more"]).save(folder)  # over the earlier save
    assert not (folder / "meta.json").exists()
    assert not [f.name for f in folder.iterdir() if f.name.endswith(".tmp")]
    with pytest.raises(CorpusFolderError, match=re.escape(
            f"{folder}: meta.json is missing, so the folder is incomplete (a save or build was interrupted); "
            "save the corpus again with Corpus.save(path)")):
        Corpus.load(folder)
    monkeypatch.undo()
    c.save(folder)
    assert same(Corpus.load(folder), c)


def test_temporary_files_left_by_a_killed_writer_are_removed_when_writing(tmp_path):
    c, folder = saved_folder(tmp_path)
    old = folder / ".arrays.bin.4242.0123456789ab.tmp"
    young = folder / ".vocab.txt.4243.0123456789ab.tmp"
    mine = folder / ".notes.tmp"  # not a name the library gives
    for f in (old, young, mine):
        f.write_bytes(b"\0" * 100)
    hours_ago = time.time() - 2 * 3600
    for f in (old, mine):
        os.utime(f, (hours_ago, hours_ago))
    c.save(folder)
    assert not old.exists() and young.exists() and mine.exists()  # a young one may be a writer's at work
    assert same(Corpus.load(folder), c)


def _resident_kb(file: Path) -> int:
    """Resident KB of this process's mappings of ``file``, from /proc/self/smaps."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" in head[3]:  # a mapping's first line
            inside = len(head) >= 6 and head[5] == str(file)
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


@linux
def test_release_pages_hands_back_the_pages_of_a_mapped_corpus_and_changes_nothing(cache):
    rng = np.random.default_rng(0)
    words = [f"w{i:03d}" for i in range(500)]
    texts = [" ".join(rng.choice(words, 300)) for _ in range(600)]  # 180,000 tokens: 0.7 MB of ids
    built = cached(texts)
    again = cached(texts)
    blob = next(cache.rglob("arrays.bin"))
    assert is_mapped(again.ids)
    before = again.dtm.sum(axis=0).A1, int(again.ids.astype(np.int64).sum())  # every page read
    assert _resident_kb(blob) >= 700
    assert again.release_pages() is again
    assert _resident_kb(blob) == 0
    # read again from the file cache, the same values
    assert np.array_equal(again.dtm.sum(axis=0).A1, before[0]) and int(again.ids.astype(np.int64).sum()) == before[1]
    assert same(again, built)
    # in memory: nothing to hand back
    assert _storage.release_pages(built.ids, built.dtm.data, built.dtm.indices) == 0
    assert _storage.release_pages(again.ids, again.dtm.data) == 1  # one mapping holds them all
