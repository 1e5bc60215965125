"""Texts read back from a corpus's file as Arrow arrays: in the order asked for, several small
row groups to a call, a large row group a slice at a time."""
from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_streaming import TEXTS, _own_cache, make_docs, stream_build, write  # noqa: F401  (_own_cache: autouse)

from corpus_tools import _text_source as ts
from corpus_tools import cache as cache_module
from corpus_tools._text_source import SourceChangedError, TextFile, read_texts_arrow


@pytest.fixture
def calls(monkeypatch):
    """The row groups of each read call: ("groups", [...]) for several, ("group", g) for one."""
    seen = []
    many, one = pq.ParquetFile.read_row_groups, pq.ParquetFile.read_row_group
    monkeypatch.setattr(pq.ParquetFile, "read_row_groups",
                        lambda self, gs, *a, **k: seen.append(("groups", list(gs))) or many(self, gs, *a, **k))
    monkeypatch.setattr(pq.ParquetFile, "read_row_group",
                        lambda self, g, *a, **k: seen.append(("group", g)) or one(self, g, *a, **k))
    return seen


def reader_of(path) -> TextFile:
    stat = os.stat(path)
    return TextFile(path, "text", None, stat.st_size, stat.st_mtime_ns)


# ---------------------------------------------------------------- read_texts_arrow
def test_order_repeats_and_missing_texts_as_nulls(tmp_path):
    path = write(make_docs(), tmp_path / "news.parquet")  # row groups of 3 rows
    c = stream_build(path)
    source = c.docs.attrs["text_source"]
    texts = read_texts_arrow(source, c.docs.index, np.array([10, 0, 2, 10, 3, 0]))
    assert texts.type == pa.large_string() and isinstance(texts, pa.Array)
    assert texts.to_pylist() == [TEXTS[10], TEXTS[0], None, TEXTS[10], TEXTS[3], TEXTS[0]]
    assert texts.null_count == 1 and texts.to_pylist()[2] is None
    # the bytes and offsets straight from the buffers
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset : texts.offset + len(texts) + 1]
    data = texts.buffers()[2].to_pybytes()
    assert data[offsets[0] : offsets[1]].decode() == TEXTS[10] and offsets[3] == offsets[2]
    assert read_texts_arrow(source, c.docs.index, [8, 1]).to_pylist() == [None, ""]  # missing and empty
    assert read_texts_arrow(source, c.docs.index, []).equals(pa.array([], type=pa.large_string()))
    # in the same order as Corpus.texts, which gives "" for a missing text
    everything = read_texts_arrow(source, c.docs.index, np.arange(c.n_docs)[::-1])
    assert everything.fill_null("").to_pylist() == c.texts().tolist()[::-1]


def test_the_corpus_own_ids_and_ids_looked_up_give_the_same_texts(tmp_path, monkeypatch):
    c = stream_build(write(make_docs(), tmp_path / "news.parquet"))
    source, index = c.docs.attrs["text_source"], c.docs.index
    rows = np.array([9, 4, 4, 0, 7])
    expected = [TEXTS[9], TEXTS[4], TEXTS[4], TEXTS[0], TEXTS[7]]
    with monkeypatch.context() as m:  # the corpus's own index: no id is looked up
        m.setattr(ts, "_rows_in", lambda *a: pytest.fail("doc ids were looked up"))
        m.setattr(pd.Index, "get_indexer", lambda *a, **k: pytest.fail("doc ids were looked up"))
        assert read_texts_arrow(source, index, rows).to_pylist() == expected
    # an equal index that is another object: through the ids the corpus remembered
    assert ts._IDS.get(ts._ids_key(source)) is index
    assert read_texts_arrow(source, index.copy(), rows).to_pylist() == expected
    # and through the ids read back from the file, as in a new session
    ts._IDS.clear()
    assert read_texts_arrow(source, index, rows).to_pylist() == expected


def test_rows_of_a_selection_are_positions_in_its_own_index(tmp_path):
    c = stream_build(write(make_docs(), tmp_path / "news.parquet"))
    sub = c.select(c.docs["source"] == "B")
    assert sub.docs.index.tolist() == ["d01", "d03", "d05", "d07", "d09"]
    texts = read_texts_arrow(sub.docs.attrs["text_source"], sub.docs.index, [4, 0, 2])
    assert texts.to_pylist() == [TEXTS[9], "", TEXTS[5]]
    assert texts.to_pylist() == sub.texts(["d09", "d01", "d05"]).tolist()


def test_errors_name_the_rows_the_ids_and_the_file(tmp_path):
    path = write(make_docs(), tmp_path / "news.parquet")
    c = stream_build(path)
    source = c.docs.attrs["text_source"]
    with pytest.raises(IndexError, match=re.escape("rows must be positions in index (0 to 10); got [11, -1].")):
        read_texts_arrow(source, c.docs.index, [0, 11, -1])
    with pytest.raises(TypeError, match="rows must be integer positions in index; got an array of float64"):
        read_texts_arrow(source, c.docs.index, [0.0])
    with pytest.raises(KeyError, match=re.escape(f"doc ids not in {path}: ['nope']")):
        read_texts_arrow(source, pd.Index(["d00", "nope"]), [0, 1])
    ts._IDS.clear()
    with pytest.raises(KeyError, match=re.escape(f"doc ids not in {path}: ['nope']")):
        read_texts_arrow(source, pd.Index(["d00", "nope"]), [1])


def test_a_changed_or_gone_file_is_named_not_misread(tmp_path):
    path = write(make_docs(), tmp_path / "news.parquet")
    c = stream_build(path)
    source = c.docs.attrs["text_source"]
    assert read_texts_arrow(source, c.docs.index, [3]).to_pylist() == [TEXTS[3]]  # the file is open now
    write(make_docs([t.upper() if t else t for t in TEXTS]), path, rows_per_group=4)
    with pytest.raises(SourceChangedError, match=re.escape(f"the texts of this corpus are read from {path}, which has "
                                                           "changed since the corpus was built")):
        read_texts_arrow(source, c.docs.index, [3])
    path.unlink()
    with pytest.raises(SourceChangedError, match=re.escape(f"read from {path}, which is gone")):
        read_texts_arrow(source, c.docs.index, [3])


def test_the_copy_is_read_while_it_is_there_then_the_source(tmp_path):
    path = write(make_docs(), tmp_path / "news.parquet")
    c = stream_build(path, cache=True)
    source = c.docs.attrs["text_source"]
    # the copy holds a missing text as ""
    assert read_texts_arrow(source, c.docs.index, [3, 2]).to_pylist() == [TEXTS[3], ""]
    cache_module.clear()
    assert read_texts_arrow(source, c.docs.index, [3, 2]).to_pylist() == [TEXTS[3], None]
    path.unlink()
    with pytest.raises(SourceChangedError, match=re.escape(f"read from {path}, which is gone")):
        read_texts_arrow(source, c.docs.index, [3])


# ---------------------------------------------------------------- row groups read together
@pytest.fixture
def small_groups_copy(tmp_path, monkeypatch):
    """A corpus whose copy of the texts is written in row groups of 2 rows (6 of them)."""
    monkeypatch.setattr(ts.TextCopy, "ROWS", 2)
    c = stream_build(write(make_docs(), tmp_path / "news.parquet"), cache=True)
    copy = c.docs.attrs["text_source"]["copy"]["path"]
    meta = pq.ParquetFile(copy).metadata
    assert [meta.row_group(g).num_rows for g in range(meta.num_row_groups)] == [2, 2, 2, 2, 2, 1]
    return c


def test_small_row_groups_are_read_several_to_a_call(small_groups_copy, monkeypatch, calls):
    c = small_groups_copy
    source, index = c.docs.attrs["text_source"], c.docs.index
    expected = pd.read_parquet(source["copy"]["path"])["text"].tolist()
    assert expected == [t or "" for t in TEXTS]
    monkeypatch.setattr(ts, "_RUN_ROWS", 4)
    rows = np.array([10, 0, 5, 5, 9, 1, 2, 3, 4, 6, 7, 8, 0])
    assert read_texts_arrow(source, index, rows).to_pylist() == [expected[r] for r in rows]
    assert calls == [("groups", [0, 1]), ("groups", [2, 3]), ("groups", [4, 5])]
    calls.clear()
    # groups apart are gathered into one call, up to 4 rows; only those holding a row wanted are read
    assert read_texts_arrow(source, index, [10, 1, 9]).to_pylist() == [expected[10], expected[1], expected[9]]
    assert calls == [("groups", [0, 4]), ("groups", [5])]
    calls.clear()
    monkeypatch.setattr(ts, "_RUN_BYTES", 1)  # a group's texts alone are more: one group a call
    assert read_texts_arrow(source, index, [10, 1, 9]).to_pylist() == [expected[10], expected[1], expected[9]]
    assert calls == [("groups", [0]), ("groups", [4]), ("groups", [5])]
    # the list of TextFile.read and Corpus.texts: the same texts through the same reads
    calls.clear()
    assert c.texts(["d10", "d02"]).tolist() == [TEXTS[10], ""] and calls == [("groups", [1]), ("groups", [5])]


def test_every_row_of_a_copy_in_many_groups_equals_pd_read_parquet(small_groups_copy, calls):
    c = small_groups_copy
    source = c.docs.attrs["text_source"]
    order = np.random.default_rng(0).permutation(c.n_docs)
    whole = pd.read_parquet(source["copy"]["path"])
    assert read_texts_arrow(source, c.docs.index, order).to_pylist() == whole["text"].iloc[order].tolist()
    assert calls == [("groups", [0, 1, 2, 3, 4, 5])]  # 11 rows: one call


# ---------------------------------------------------------------- large row groups, other columns
def test_a_large_row_group_is_read_a_slice_at_a_time(tmp_path, monkeypatch, calls):
    path = write(make_docs(), tmp_path / "one.parquet", rows_per_group=11)
    monkeypatch.setattr(ts, "_READ_ROWS", 4)
    reader = reader_of(path)
    batches = []
    iter_batches = reader._file.iter_batches
    monkeypatch.setattr(reader._file, "iter_batches", lambda *a, **k: batches.append(k) or iter_batches(*a, **k))
    assert reader.read_arrow([9, 1, 2, 9]).to_pylist() == [TEXTS[9], "", None, TEXTS[9]]
    assert reader.read([2, 0]) == ["", TEXTS[0]]  # the list, missing texts as ""
    assert calls == [] and [(k["batch_size"], k["row_groups"]) for k in batches] == [(4, [0]), (4, [0])]
    assert reader.read_arrow(np.arange(11)).to_pylist() == TEXTS


def test_large_and_small_row_groups_in_one_file(tmp_path, monkeypatch, calls):
    path = write(make_docs(), tmp_path / "mixed.parquet", rows_per_group=5)  # groups of 5, 5 and 1 rows
    monkeypatch.setattr(ts, "_READ_ROWS", 4)
    rows = np.arange(11)[::-1]
    assert reader_of(path).read_arrow(rows).to_pylist() == [TEXTS[r] for r in rows]
    assert calls == [("groups", [2])]  # the two groups of 5 rows a slice at a time


def test_categorical_and_empty_text_columns_read_as_strings(tmp_path):
    docs = make_docs(["Troops drilled.", "Jets flew.", None, "Troops drilled."])
    docs["text"] = docs["text"].astype("category")
    path = write(docs, tmp_path / "cat.parquet", rows_per_group=1)
    assert pa.types.is_dictionary(pq.ParquetFile(path).schema_arrow.field("text").type)
    texts = reader_of(path).read_arrow([3, 2, 1, 0])
    assert texts.type == pa.large_string() and texts.to_pylist() == ["Troops drilled.", None, "Jets flew.",
                                                                      "Troops drilled."]
    nothing = write(pd.DataFrame({"text": [None, None]}), tmp_path / "none.parquet")
    assert pq.ParquetFile(nothing).schema_arrow.field("text").type == pa.null()
    texts = reader_of(nothing).read_arrow([1, 0, 1])
    assert texts.type == pa.large_string() and texts.to_pylist() == [None, None, None]
    assert reader_of(nothing).read([0]) == [""]


def test_corpus_texts_keep_their_type_and_missing_texts_as_empty(tmp_path):
    path = write(make_docs(), tmp_path / "news.parquet")
    c = stream_build(path)
    got = c.texts(["d08", "d04"])
    assert got.dtype == object and got.tolist() == ["", TEXTS[4]] and got.index.tolist() == ["d08", "d04"]
    assert ts.read_texts(c.docs.attrs["text_source"], pd.Index(["d02", "d00"])) == ["", TEXTS[0]]
