"""Corpus.from_parquet: the streamed build equals the in-memory one; texts read back on demand;
the cache found again by the file alone."""
from __future__ import annotations

import hashlib
import os
import re

import numpy as np
import pandas as pd
import pytest

from corpus_tools import Corpus, _build, _text_source
from corpus_tools import cache as cache_module
from corpus_tools._text_source import ParquetTexts, SourceChangedError

TEXTS = [
    "Mr. Li said troops drilled near the river. Officials met in Beijing.",
    "",
    None,
    "Drills ended; the troops left. İstanbul hosted talks on 10,000 jets.",
    "Ärzte warnten. Die Truppen zogen ab!\n\nNew paragraph about the river",
    "Troops drilled near the river.",                       # a copy of a sentence of the first
    "The the the and of",                                    # stopwords only: no tokens
    "U.S. troops and J-20 jets drilled. Mr. Smith spoke.",
    None,
    "Officials met; officials left. Talks ended in Beijing.",
    "river river river",
]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    # a cache of this test's own: the tests look at what is (and is not) left in it
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(tmp_path / "cache"))
    # these small corpora are assembled on disk, as large ones are
    monkeypatch.setattr(_build, "DISK_MIN_CHARS", 0)


def make_docs(texts=TEXTS) -> pd.DataFrame:
    n = len(texts)
    index = pd.Index([f"d{i:02d}" for i in range(n)], name="doc_id")
    return pd.DataFrame({
        "text": pd.Series(texts, index=index, dtype=object),
        "title": [f"Title {i}" if i % 3 else None for i in range(n)],
        "date": pd.to_datetime(["2020-01-05", None, "2020-02-01", "2020-02-03", "2020-03-01", "2020-03-02",
                                "2020-03-09", None, "2020-04-01", "2020-04-02", "2020-05-05"][:n]),
        "source": ["A", "B"] * (n // 2) + ["A"] * (n % 2),
    }, index=index)


def write(docs: pd.DataFrame, path, rows_per_group: int = 3):
    docs.to_parquet(path, row_group_size=rows_per_group)
    return path


def assert_same_corpus(streamed: Corpus, whole: Corpus) -> None:
    assert streamed.docs.index.equals(whole.docs.index)
    assert list(streamed.vocab) == list(whole.vocab)
    for name in ("ids", "doc_offsets", "sent_offsets"):
        a, b = getattr(streamed, name), getattr(whole, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    for name in ("data", "indices", "indptr"):
        a, b = getattr(streamed.dtm, name), getattr(whole.dtm, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert streamed.dtm.shape == whole.dtm.shape and streamed.params == whole.params
    # and the matrix is the count of the tokens, summed the plain way
    recount = _build._build_dtm(streamed.ids, streamed.doc_offsets, streamed.n_terms)
    assert (recount != streamed.dtm).nnz == 0 and recount.indices.dtype == streamed.dtm.indices.dtype


@pytest.fixture
def parquet(tmp_path):
    return write(make_docs(), tmp_path / "news.parquet")


def whole_build(path, **kwargs) -> Corpus:
    """The in-memory build of what pd.read_parquet reads: what the streamed build must equal."""
    with pytest.warns(UserWarning, match="2 documents have no 'text'"), pytest.MonkeyPatch.context() as mp:
        mp.setattr(_build, "DISK_MIN_CHARS", 10**12)
        return Corpus.from_docs(pd.read_parquet(path), cache=False, progress=False, **kwargs)


def scratch_left() -> list:
    scratch = cache_module.path().parent / "scratch"
    return list(scratch.iterdir()) if scratch.exists() else []


def stream_build(path, **kwargs) -> Corpus:
    kwargs.setdefault("cache", False)
    with pytest.warns(UserWarning, match="2 documents have no 'text'"):
        return Corpus.from_parquet(path, progress=False, **kwargs)


# ---------------------------------------------------------------- exact expectations
def test_tiny_file_exact_tokens_docs_and_texts(tmp_path):
    docs = make_docs(["Troops drilled near the river.", None, "Drills ended"])
    path = write(docs, tmp_path / "tiny.parquet", rows_per_group=2)
    with pytest.warns(UserWarning, match="1 documents have no 'text'"):
        c = Corpus.from_parquet(path, cache=False, progress=False)
    assert list(c.vocab) == ["drilled", "drills", "ended", "near", "river", "troops"]
    assert c.dtm.toarray().tolist() == [[1, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0]]
    assert c.tokens("d02") == ["drills", "ended"] and c.doc_lengths.tolist() == [4, 0, 2]
    assert list(c.docs.columns) == ["title", "date", "source"] and c.docs.index.tolist() == ["d00", "d01", "d02"]
    assert c.texts(["d02", "d01", "d00"]).tolist() == ["Drills ended", "", "Troops drilled near the river."]
    assert c.texts(["d02"]).index.tolist() == ["d02"] and c.texts().name == "text"
    source = c.docs.attrs["text_source"]
    assert (source["path"], source["text"], source["rows"], source["copy"]) == (str(path), "text", 3, None)
    assert source["size"] == os.stat(path).st_size and source["mtime_ns"] == os.stat(path).st_mtime_ns


# ---------------------------------------------------------------- the same corpus as in memory
def test_streamed_build_equals_in_memory_build(parquet):
    streamed, whole = stream_build(parquet), whole_build(parquet)
    assert_same_corpus(streamed, whole)
    assert streamed.docs.equals(whole.docs.drop(columns="text"))
    assert streamed.texts().tolist() == whole.docs["text"].fillna("").tolist()


@pytest.mark.parametrize("options", [{"min_df": 2}, {"max_df": 0.3, "keep": ["river"]}, {"max_terms": 5},
                                     {"lemmatize": True, "numbers": True}, {"phrases": {"min_count": 2}}],
                         ids=["min_df", "max_df+keep", "max_terms", "lemmas+numbers", "phrases"])
def test_streamed_build_equals_in_memory_build_with_options(parquet, options):
    assert_same_corpus(stream_build(parquet, **options), whole_build(parquet, **options))


def test_chunks_across_row_groups_and_workers_change_nothing(parquet, monkeypatch):
    whole = whole_build(parquet, min_df=2)
    monkeypatch.setattr(_build, "CHUNK_CHARS", 70)        # a chunk ends inside a row group
    monkeypatch.setattr(_build, "MIN_CHUNK_CHARS", 70)
    monkeypatch.setattr(_build, "PARALLEL_MIN_CHARS", 0)
    chunks, calls = [], []
    process, renumber = _build._process_chunk, _build._renumber
    monkeypatch.setattr(_build, "_process_chunk", lambda texts, *a: chunks.append(len(texts)) or process(texts, *a))
    assert_same_corpus(stream_build(parquet, min_df=2), whole)
    ends = np.cumsum(chunks)
    assert len(chunks) > 2 and ends[-1] == len(TEXTS) and (ends % 3).any()  # some end inside a row group of 3
    monkeypatch.setattr(_build, "_renumber", lambda *a: calls.append(1) or renumber(*a))
    assert_same_corpus(stream_build(parquet, min_df=2, n_jobs=2), whole)
    assert len(calls) > 2  # chunks came back from the workers


def test_spawned_workers_give_the_same_corpus(parquet, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(_build, "CHUNK_CHARS", 100)
    monkeypatch.setattr(_build, "MIN_CHUNK_CHARS", 100)
    monkeypatch.setattr(_build, "PARALLEL_MIN_CHARS", 0)
    assert_same_corpus(stream_build(parquet, n_jobs=2, min_df=2), whole_build(parquet, min_df=2))


def test_small_corpora_are_assembled_in_memory(parquet, monkeypatch):
    monkeypatch.setattr(_build, "DISK_MIN_CHARS", 1000)  # more than the 373 characters of TEXTS
    streamed = stream_build(parquet, cache=True)
    assert_same_corpus(streamed, whole_build(parquet))
    assert not isinstance(streamed.ids.base, memoryview)  # not mapped from a file
    assert streamed.texts(["d04"]).tolist() == [TEXTS[4]]  # from the copy in the cache
    assert streamed.docs.attrs["text_source"]["copy"] is not None
    assert_same_corpus(Corpus.from_parquet(parquet, cache=True, progress=False), streamed)


@pytest.mark.parametrize("cache", [False, True], ids=["scratch", "cache"])
def test_from_docs_assembled_on_disk_equals_in_memory(parquet, monkeypatch, cache):
    docs = pd.read_parquet(parquet)
    with pytest.warns(UserWarning, match="2 documents have no 'text'"):
        on_disk = Corpus.from_docs(docs, cache=cache, progress=False, min_df=2)
    assert isinstance(on_disk.ids.base, memoryview)  # mapped from the file it was assembled in
    assert_same_corpus(on_disk, whole_build(parquet, min_df=2))
    if cache:
        with pytest.warns(UserWarning, match="2 documents have no 'text'"):
            again = Corpus.from_docs(docs, cache=True, progress=False, min_df=2)
        assert_same_corpus(again, on_disk)
    assert scratch_left() == []


def test_built_in_memory_where_nothing_can_be_written(parquet, monkeypatch):
    def no_folder():
        raise PermissionError("read-only")

    monkeypatch.setattr(cache_module, "scratch", no_folder)
    streamed = stream_build(parquet)
    assert_same_corpus(streamed, whole_build(parquet))
    assert not isinstance(streamed.ids.base, memoryview)  # not mapped from a file


def test_a_full_disk_while_assembling_falls_back_to_memory(parquet, monkeypatch):
    from corpus_tools import _storage

    def full(self, name, part):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_storage.ArrayFile, "write", full)
    with pytest.warns(UserWarning, match="could not be assembled in .*No space left on device.*building it in memory"):
        streamed = stream_build(parquet)
    assert_same_corpus(streamed, whole_build(parquet))
    assert scratch_left() == []  # nothing left behind


def test_scratch_folder_is_removed_and_arrays_stay_readable(parquet):
    streamed = stream_build(parquet)
    assert scratch_left() == []
    assert streamed.dtm.sum() == streamed.n_tokens  # the mapped arrays outlive their removed files


# ---------------------------------------------------------------- doc ids and columns
def test_doc_ids_from_the_stored_index_a_column_or_the_row_numbers(tmp_path):
    docs = make_docs(["Troops drilled.", "Jets flew."])
    write(docs, tmp_path / "index.parquet")                                 # pandas stored the index
    write(docs.reset_index(), tmp_path / "column.parquet")                  # a doc_id column
    write(docs.reset_index(drop=True), tmp_path / "rows.parquet")           # no ids at all
    write(docs.reset_index().rename(columns={"doc_id": "uid"}), tmp_path / "uid.parquet")
    for name, kwargs in (("index", {}), ("column", {}), ("uid", {"id": "uid"}), ("index", {"id": "doc_id"})):
        c = Corpus.from_parquet(tmp_path / f"{name}.parquet", cache=False, progress=False, **kwargs)
        assert c.docs.index.tolist() == ["d00", "d01"] and c.docs.index.name == "doc_id", name
        assert c.texts(["d01"]).tolist() == ["Jets flew."]
    c = Corpus.from_parquet(tmp_path / "rows.parquet", cache=False, progress=False)
    assert c.docs.index.equals(pd.read_parquet(tmp_path / "rows.parquet").index)
    assert c.texts([1, 0]).tolist() == ["Jets flew.", "Troops drilled."]


def test_columns_renamed_as_ct_load_names_them(tmp_path):
    docs = make_docs(["Troops drilled.", "Jets flew."]).rename(columns={"text": "body", "title": "headline",
                                                                        "source": "outlet"})
    path = write(docs, tmp_path / "renamed.parquet")
    c = Corpus.from_parquet(path, text="body", title="headline", source="outlet", cache=False, progress=False)
    assert list(c.docs.columns) == ["title", "date", "source"] and c.params["text"] == "body"
    assert c.docs["title"].isna().tolist() == [True, False] and c.docs.loc["d01", "title"] == "Title 1"
    assert c.texts(["d00"]).tolist() == ["Troops drilled."]


def test_a_categorical_text_column_is_read_as_strings(tmp_path):
    docs = make_docs(["Troops drilled.", "Jets flew.", "Troops drilled."])
    docs["text"] = docs["text"].astype("category")
    c = Corpus.from_parquet(write(docs, tmp_path / "cat.parquet"), cache=False, progress=False)
    assert c.tokens("d02") == ["troops", "drilled"] and c.texts(["d01"]).tolist() == ["Jets flew."]


# ---------------------------------------------------------------- texts on demand
def test_texts_of_a_selection_read_from_the_file(parquet):
    streamed = stream_build(parquet)
    sub = streamed.select(streamed.docs["source"] == "B")
    assert sub.docs.index.tolist() == ["d01", "d03", "d05", "d07", "d09"]
    assert sub.texts().tolist() == ["", TEXTS[3], TEXTS[5], TEXTS[7], TEXTS[9]]
    # the same doc twice, out of order, across row groups
    assert streamed.texts(["d10", "d00", "d10"]).tolist() == [TEXTS[10], TEXTS[0], TEXTS[10]]
    # and with the ids read back from the file (as for a corpus loaded in a new session)
    _text_source._IDS.clear()
    assert sub.texts(["d09", "d01"]).tolist() == [TEXTS[9], ""]
    with pytest.raises(KeyError, match=r"doc ids not in this corpus: \['nope'\]"):
        streamed.texts(["nope"])


def test_texts_of_a_corpus_built_in_memory(parquet):
    whole = whole_build(parquet)
    assert whole.texts(["d02", "d00"]).tolist() == ["", TEXTS[0]]
    without = Corpus(whole.docs.drop(columns="text"), whole.vocab, whole.ids, whole.doc_offsets, whole.sent_offsets,
                     params=whole.params)
    with pytest.raises(KeyError, match="no text column 'text' and name no file to read the texts from"):
        without.texts(["d00"])


def test_a_changed_or_moved_file_is_named_not_misread(parquet, tmp_path):
    streamed = stream_build(parquet)
    write(make_docs([t.upper() if t else t for t in TEXTS]), parquet, rows_per_group=4)
    with pytest.raises(SourceChangedError, match=re.escape(f"read from {parquet}, which has changed since the corpus "
                                                           "was built")):
        streamed.texts(["d00"])
    parquet.rename(tmp_path / "elsewhere.parquet")
    with pytest.raises(SourceChangedError, match=re.escape(f"{parquet}")):
        streamed.texts(["d00"])


def test_save_and_load_keep_reading_the_texts_from_the_file(parquet, tmp_path):
    streamed = stream_build(parquet)
    streamed.save(tmp_path / "saved")
    back = Corpus.load(tmp_path / "saved")
    assert_same_corpus(back, streamed)
    assert back.texts(["d03"]).tolist() == [TEXTS[3]]
    # and docs written by the user keep the (JSON) description too
    streamed.docs.to_parquet(tmp_path / "docs.parquet")
    assert pd.read_parquet(tmp_path / "docs.parquet").attrs["text_source"] == streamed.docs.attrs["text_source"]


# ---------------------------------------------------------------- the cache
def test_reopening_reads_no_text(parquet, monkeypatch):
    first = stream_build(parquet, cache=True, min_df=2)

    def no_texts(*args, **kwargs):
        raise AssertionError("the texts were read again")

    monkeypatch.setattr(ParquetTexts, "chunks", no_texts)
    again = Corpus.from_parquet(parquet, cache=True, min_df=2, progress=False)
    assert_same_corpus(again, first)
    assert again.docs.equals(first.docs) and again.docs.attrs == first.docs.attrs
    assert again.texts(["d09"]).tolist() == [TEXTS[9]]
    assert cache_module.info()["options"].tolist() == ["min_df=2"]
    # other options, or the file rewritten (other size and time): built again
    with pytest.raises(AssertionError, match="read again"):
        Corpus.from_parquet(parquet, cache=True, min_df=3, progress=False)
    write(make_docs(), parquet, rows_per_group=5)
    with pytest.raises(AssertionError, match="read again"):
        Corpus.from_parquet(parquet, cache=True, min_df=2, progress=False)


def test_texts_come_from_the_cached_copy_while_it_is_there(parquet, tmp_path):
    import pyarrow.parquet as pq

    built = stream_build(parquet, cache=True)
    copy = built.docs.attrs["text_source"]["copy"]
    (entry,) = [p for p in cache_module.path().iterdir() if p.is_dir()]
    assert copy["path"] == str(entry / "texts.parquet")
    stored = pq.read_table(copy["path"])
    assert stored.column("doc_id").to_pylist() == built.docs.index.tolist()
    assert stored.column("text").to_pylist() == [t or "" for t in TEXTS]
    assert max(pq.ParquetFile(copy["path"]).metadata.row_group(g).num_rows
               for g in range(pq.ParquetFile(copy["path"]).metadata.num_row_groups)) <= 256
    # the source rewritten: the copy still gives the texts the corpus was built from
    write(make_docs([t.upper() if t else t for t in TEXTS]), parquet)
    assert built.texts(["d03", "d00"]).tolist() == [TEXTS[3], TEXTS[0]]
    _text_source._IDS.clear()  # the ids read back from the copy
    assert built.texts(["d07", "d02"]).tolist() == [TEXTS[7], ""]
    parquet.unlink()
    assert built.select(["d09"]).texts().tolist() == [TEXTS[9]]
    # the cache cleared and the source gone: an error naming the source
    cache_module.clear()
    with pytest.raises(SourceChangedError, match=re.escape(f"read from {parquet}, which is gone")):
        built.texts(["d00"])


def test_without_the_copy_texts_come_from_the_source(parquet):
    built = stream_build(parquet, cache=True)
    cache_module.clear()
    assert built.texts(["d10", "d04"]).tolist() == [TEXTS[10], TEXTS[4]]


def test_a_copy_that_cannot_be_written_is_given_up_with_a_warning(parquet, monkeypatch):
    import pyarrow.parquet as pq

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "ParquetWriter", full)
    with pytest.warns(UserWarning, match=r"no copy of the texts could be written to .*texts.parquet \(\[Errno 28\] "
                                         r"No space left on device\); corpus.texts\(\) reads them from"):
        built = stream_build(parquet, cache=True)
    assert_same_corpus(built, whole_build(parquet))
    assert built.docs.attrs["text_source"]["copy"] is None and built.texts(["d03"]).tolist() == [TEXTS[3]]
    (entry,) = [p for p in cache_module.path().iterdir() if p.is_dir()]
    assert sorted(f.name for f in entry.iterdir()) == ["arrays.bin", "meta.json", "vocab.txt"]


def test_a_damaged_cache_entry_is_built_again(parquet):
    first = stream_build(parquet, cache=True)
    (entry,) = [p for p in cache_module.path().iterdir() if p.is_dir()]
    data = bytearray((entry / "arrays.bin").read_bytes())
    data[-1] ^= 0xFF
    # a new file in its place: the corpus built first maps the old one, as the cache's own writes leave it
    (entry / "new").write_bytes(bytes(data))
    os.replace(entry / "new", entry / "arrays.bin")
    with pytest.warns(UserWarning, match="is damaged or unreadable .*dtm_indptr in arrays.bin does not match"):
        again = stream_build(parquet, cache=True)
    assert_same_corpus(again, first)
    assert_same_corpus(Corpus.from_parquet(parquet, cache=True, progress=False), first)  # and it is whole now


def test_content_hash_covers_ids_and_texts_not_row_groups(tmp_path):
    docs = make_docs()
    digests = []
    for name, frame, rows in (("a", docs, 3), ("b", docs, 5), ("c", docs.assign(text=docs["text"].replace("", " ")), 3),
                              ("d", docs.rename(index={"d00": "x00"}), 3)):
        with pytest.warns(UserWarning, match="have no 'text'"):
            c = Corpus.from_parquet(write(frame, tmp_path / f"{name}.parquet", rows), cache=False, progress=False)
        digests.append(c.docs.attrs["text_source"]["sha256"])
    assert digests[0] == digests[1] and len(set(digests)) == 3
    assert re.fullmatch("[0-9a-f]{64}", digests[0])
    # the texts part: each text's UTF-8 length (-1 when missing), then all the bytes
    lengths = np.array([-1 if t is None else len(t.encode()) for t in TEXTS], dtype="<i8").tobytes()
    data = "".join(t or "" for t in TEXTS).encode()
    ids = hashlib.sha256()
    cache_module._hash_strings(ids, docs.index)
    expected = hashlib.sha256(ids.digest() + hashlib.sha256(lengths).digest() + hashlib.sha256(data).digest())
    assert digests[0] == expected.hexdigest()


# ---------------------------------------------------------------- errors
def test_error_messages_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(f"{tmp_path / 'none.parquet'} is not a file")):
        Corpus.from_parquet(tmp_path / "none.parquet")
    (tmp_path / "notes.csv").write_text("text\nhello\n")
    with pytest.raises(ValueError, match=re.escape(f"{tmp_path / 'notes.csv'} cannot be read as Parquet")):
        Corpus.from_parquet(tmp_path / "notes.csv")
    path = write(make_docs(["Troops drilled.", "Jets flew."]), tmp_path / "ok.parquet")
    with pytest.raises(ValueError, match=r"has no text column 'body'; its columns: \['text', 'title', 'date', "
                                         r"'source'\]. Pass text='<column>'."):
        Corpus.from_parquet(path, text="body")
    with pytest.raises(TypeError, match=r"column 'date' of .*ok.parquet must hold strings; it holds timestamp"):
        Corpus.from_parquet(path, text="date")
    with pytest.raises(ValueError, match=r"has no id column 'uid'"):
        Corpus.from_parquet(path, id="uid")
    with pytest.raises(ValueError, match=r"has no column 'headline'"):
        Corpus.from_parquet(path, title="headline")
    with pytest.raises(ValueError, match=r"has a column 'title' already"):
        Corpus.from_parquet(path, title="source")
    with pytest.raises(ValueError, match="`tokenizer` must be one of"):
        Corpus.from_parquet(path, tokenizer="spaces")
    dup = write(make_docs(["a b", "c d"]).rename(index={"d01": "d00"}), tmp_path / "dup.parquet")
    with pytest.raises(ValueError, match=r"doc ids must be unique; duplicated: \['d00'\]"):
        Corpus.from_parquet(dup, cache=False, progress=False)
    empty = write(make_docs([]), tmp_path / "empty.parquet")
    with pytest.raises(ValueError, match="the corpus is empty: .*empty.parquet has no rows"):
        Corpus.from_parquet(empty)
    stop = write(make_docs(["the and of", "a the"]), tmp_path / "stop.parquet")
    with pytest.raises(ValueError, match="no terms are left in any of the 2 documents"):
        Corpus.from_parquet(stop, cache=True, progress=False)
    assert cache_module.info().empty  # no incomplete entry left behind


# ---------------------------------------------------------------- analyses that show text
def test_kwic_on_a_streamed_corpus_equals_the_in_memory_one(parquet):
    import corpus_tools as ct

    streamed, whole = stream_build(parquet), whole_build(parquet)
    term = streamed.vocab[int(np.argmax(np.asarray(streamed.dtm.sum(axis=0)).ravel()))]
    a, b = ct.kwic(streamed, term, window=3), ct.kwic(whole, term, window=3)
    assert len(a) > 1 and a.attrs["n_matches"] == b.attrs["n_matches"]
    pd.testing.assert_frame_equal(a, b)
    # the regex path reads every text back
    pd.testing.assert_frame_equal(ct.kwic(streamed, term, regex=True), ct.kwic(whole, term, regex=True))


def test_representative_docs_on_a_streamed_corpus_show_the_texts(parquet):
    import corpus_tools as ct

    streamed, whole = stream_build(parquet), whole_build(parquet)
    a = ct.TopicModel(2, random_state=0).fit(streamed).representative_docs(0, n=3)
    b = ct.TopicModel(2, random_state=0).fit(whole).representative_docs(0, n=3)
    assert (a["snippet"].str.len() > 0).sum() >= 2  # the fixture holds empty texts too
    pd.testing.assert_frame_equal(a, b)
