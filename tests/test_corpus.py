"""Corpus: tokens, vocabulary, document-term matrix, subsets, gensim, saving and the cache."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_tools import Corpus, _build
from corpus_tools import cache as cache_module

SEED_FIRST_PARAGRAPH = (
    "Russia and China have wrapped up their five-day joint strategic military drills in Northwest "
    "China involving over 10,000 troops and advanced weaponry as top officials in both countries "
    "vowed further collaborations amid rising US-led provocations in eastern Europe and the pacific."
)


def make_docs(texts, **columns) -> pd.DataFrame:
    index = pd.Index([f"d{i}" for i in range(len(texts))], name="doc_id")
    return pd.DataFrame({"text": texts, **columns}, index=index)


def build(texts, **kwargs) -> Corpus:
    kwargs.setdefault("cache", False)
    kwargs.setdefault("progress", False)
    return Corpus.from_docs(make_docs(texts), **kwargs)


# ---------------------------------------------------------------- exact expectations
def test_tiny_corpus_exact_matrix_and_tokens():
    c = build(["The cat sat. The cat ran!", "A dog ran; the dog sat."])
    assert list(c.vocab) == ["cat", "dog", "ran", "sat"]
    assert c.dtm.toarray().tolist() == [[2, 0, 1, 1], [0, 2, 1, 1]]
    assert c.tokens("d0") == ["cat", "sat", "cat", "ran"]
    assert c.sentences("d0") == [["cat", "sat"], ["cat", "ran"]]
    assert c.sentences("d1") == [["dog", "ran", "dog", "sat"]]
    assert (c.n_docs, c.n_tokens, c.n_terms, c.n_sentences) == (2, 8, 4, 3)
    assert c.doc_offsets.tolist() == [0, 4, 8]
    assert c.sent_offsets.tolist() == [0, 2, 4, 8]
    assert c.ids.dtype == np.int32 and sp.isspmatrix_csr(c.dtm)


def test_news_words_stay_whole():
    c = build(["Russia's J-20 jets joined anti-terror drills in the U.S. with 10,000 troops."], numbers=True)
    assert c.tokens("d0") == ["russia", "j-20", "jets", "joined", "anti-terror", "drills", "u.s.", "10,000", "troops"]


def test_numbers_dropped_by_default_but_mixed_words_kept():
    c = build(["In 2021 some 10,000 troops and 500 J-20 jets"])
    assert c.tokens("d0") == ["troops", "j-20", "jets"]


def test_title_abbreviation_does_not_end_sentence_but_paragraph_does():
    c = build(["Mr. Shoigu spoke. Troops left\n\nNew paragraph here"])
    assert c.sentences("d0") == [["mr", "shoigu", "spoke"], ["troops", "left"], ["new", "paragraph"]]


def test_seed_paragraph_tokens_and_lemmas():
    c = build([SEED_FIRST_PARAGRAPH])
    assert c.tokens("d0")[:12] == [
        "russia", "china", "wrapped", "five-day", "joint", "strategic",
        "military", "drills", "northwest", "china", "involving", "troops",
    ]
    lemmas = build([SEED_FIRST_PARAGRAPH], lemmatize=True).tokens("d0")
    assert {"drill", "troop", "wrap", "country"} <= set(lemmas)
    assert "drills" not in lemmas and "troops" not in lemmas


def test_seed_article_tokens(seed_path):
    text = seed_path.read_text(encoding="utf-8")
    c = build([text])
    tokens = set(c.tokens("d0"))
    assert {"anti-terror", "j-20", "shoigu", "russia", "china"} <= tokens
    lemmas = set(build([text], lemmatize=True).tokens("d0"))
    assert {"drill", "troop", "conclude"} <= lemmas


def test_lemmas_leave_capitalised_names_whole():
    c = build(["Troops of Osama bin Laden left. The United States and the states. Trucks were laden."],
              lemmatize=True)
    assert c.tokens("d0") == ["troop", "osama", "bin", "laden", "left", "united", "states", "state", "truck", "lade"]
    assert c.analyze("Troops of bin Laden") == ["troop", "bin", "laden"]


def test_lemmas_leave_words_with_digits_whole():
    # simplemma alone would give "21" for the score and "nineteen-sixties" for the decade
    c = build(["J-20 jets scored 2-1 in the 1960s; 4th drills"], lemmatize=True)
    assert c.tokens("d0") == ["j-20", "jet", "score", "2-1", "1960s", "4th", "drill"]


def test_stemming_lowercase_and_min_length():
    assert build(["Concluded drills"], stem="snowball").tokens("d0") == ["conclud", "drill"]
    assert build(["Russia ok"], lowercase=False).tokens("d0") == ["Russia", "ok"]
    assert build(["Russia ok"], min_length=3).tokens("d0") == ["russia"]


def test_stopword_options():
    text = ["The troops said the drills were over"]
    assert build(text, stopwords=None).tokens("d0") == ["the", "troops", "said", "the", "drills", "were", "over"]
    assert build(text, extra_stopwords=["said"]).tokens("d0") == ["troops", "drills"]
    assert build(text, stopwords=["troops", "the"]).tokens("d0") == ["said", "drills", "were", "over"]
    assert build(["Profit rose 5 pct to 3 mln dlrs, the company said"], extra_stopwords="news").tokens("d0") == [
        "profit", "rose", "company"]
    with pytest.raises(TypeError, match=r"`extra_stopwords` must be a collection of words or one of \['news'\]; "
                                        r"got the string 'said'"):
        build(text, extra_stopwords="said")
    assert build(["Troops however drilled"]).tokens("d0") == ["troops", "however", "drilled"]
    assert build(["Troops however drilled"], stopwords="gensim").tokens("d0") == ["troops", "drilled"]


def test_phrases_join_frequent_expressions():
    texts = [
        "The joint command system linked the state councilor and the defense minister.",
        "A joint command system was tested; the state councilor praised the defense minister.",
        "The defense minister said the joint command system works, the state councilor agreed.",
        "Officials met the state councilor. The defense minister reviewed the joint command system.",
        "Reporters asked the defense minister about the joint command system and the state councilor.",
        "Weather was calm while observers watched. Engineers repaired trucks near the river.",
    ]
    c = build(texts, phrases={"min_count": 3, "threshold": 0.3})
    assert {"joint_command_system", "state_councilor", "defense_minister"} <= set(c.vocab)
    assert "joint" not in c.vocab
    assert c.dtm.sum() == c.n_tokens
    assert c.tokens("d0") == ["joint_command_system", "linked", "state_councilor", "defense_minister"]


def test_phrases_never_cross_sentences():
    texts = ["Alpha beta. Gamma delta."] * 6
    c = build(texts, phrases={"min_count": 2, "threshold": 0.1, "passes": 1})
    assert "beta_gamma" not in c.vocab
    assert {"alpha_beta", "gamma_delta"} <= set(c.vocab)


# ---------------------------------------------------------------- subsets and filtering
def test_select_by_mask_ids_and_series():
    c = build(["apple banana", "banana cherry", "cherry date"])
    sub = c.select(["d2", "d0"])
    assert list(sub.docs.index) == ["d2", "d0"]
    assert sub.tokens("d2") == ["cherry", "date"] and sub.tokens("d0") == ["apple", "banana"]
    assert list(sub.vocab) == list(c.vocab)
    assert c.select(np.array([False, True, False])).tokens("d1") == ["banana", "cherry"]
    assert c.select(c.docs["text"].str.contains("apple")).n_docs == 1


def test_filter_terms_limits_and_keep():
    c = build(["apple banana", "banana cherry", "cherry banana date"])
    f = c.filter_terms(min_df=2)
    assert list(f.vocab) == ["banana", "cherry"]
    assert f.tokens("d2") == ["cherry", "banana"]
    assert list(c.filter_terms(max_df=0.5).vocab) == ["apple", "date"]
    assert list(c.filter_terms(max_terms=1).vocab) == ["banana"]
    assert list(c.filter_terms(min_df=3, keep=["apple"]).vocab) == ["apple", "banana"]
    assert list(build(["apple banana", "banana cherry", "cherry banana date"], min_df=2).vocab) == ["banana", "cherry"]


def test_filter_terms_that_remove_everything_name_the_values():
    c = build(["apple banana", "cherry date"])
    with pytest.raises(ValueError, match=r"min_df=2 and max_df=1.0 remove every term: document frequencies range from 1 to 1 over 2 documents"):
        c.filter_terms(min_df=2)


# ---------------------------------------------------------------- gensim, saving, display
def test_to_gensim_shares_ids_and_counts():
    c = build(["apple banana apple", "banana cherry"])
    dictionary, bow = c.to_gensim()
    assert dictionary.token2id == {"apple": 0, "banana": 1, "cherry": 2}
    assert [sorted(doc) for doc in bow] == [[(0, 2), (1, 1)], [(1, 1), (2, 1)]]
    assert dictionary.dfs == {0: 1, 1: 2, 2: 1} and dictionary.num_docs == 2 and dictionary.num_pos == 5


def test_save_and_load_round_trip(tmp_path):
    docs = make_docs(["apple banana. cherry", "banana cherry"], date=pd.to_datetime(["2021-01-02", None]),
                     sections=[["a", "b"], []])
    c = Corpus.from_docs(docs, cache=False, progress=False)
    c.save(tmp_path / "saved")
    assert not list((tmp_path / "saved").glob("*.pkl"))
    back = Corpus.load(tmp_path / "saved")
    assert back.vocab.equals(c.vocab) and (back.dtm != c.dtm).nnz == 0
    assert np.array_equal(back.ids, c.ids) and np.array_equal(back.sent_offsets, c.sent_offsets)
    assert back.docs.index.tolist() == ["d0", "d1"] and list(back.docs.loc["d0", "sections"]) == ["a", "b"]
    with pytest.raises(FileNotFoundError, match="does not hold a saved Corpus"):
        Corpus.load(tmp_path / "nothing")


@pytest.mark.parametrize("cache", [False, True], ids=["built", "from the cache"])
def test_changing_corpus_docs_leaves_the_callers_frame_alone(cache):
    docs = make_docs(["apple banana", "banana cherry"])
    Corpus.from_docs(docs, cache=cache, progress=False)
    c = Corpus.from_docs(docs, cache=cache, progress=False)  # the second one read from the cache, if used
    assert c.docs is not docs
    c.docs["text"] = "changed"
    c.docs["extra"] = 1
    c.docs.loc["d0", "text"] = "again"
    assert docs["text"].tolist() == ["apple banana", "banana cherry"] and list(docs.columns) == ["text"]


def test_load_reads_the_npz_layout_of_earlier_versions(tmp_path):
    c = build(["apple banana. cherry", "banana cherry"])
    c.save(tmp_path / "saved")
    folder = tmp_path / "saved"
    np.savez(folder / "tokens.npz", ids=c.ids, doc_offsets=c.doc_offsets, sent_offsets=c.sent_offsets)
    sp.save_npz(folder / "dtm.npz", c.dtm, compressed=False)
    for f in folder.glob("*.npy"):
        f.unlink()
    back = Corpus.load(folder)
    assert (back.dtm != c.dtm).nnz == 0 and np.array_equal(back.ids, c.ids)
    back.save(folder)  # saving again writes the new layout and drops the old files
    assert sorted(f.name for f in folder.iterdir()) == ["arrays.bin", "docs.parquet", "meta.json", "vocab.txt"]
    assert np.array_equal(Corpus.load(folder).sent_offsets, c.sent_offsets)


def test_repr_shows_sizes_and_dates():
    docs = make_docs(["apple banana", "cherry", "date"], date=pd.to_datetime(["2021-01-02", "2021-03-04", None]))
    c = Corpus.from_docs(docs, cache=False, progress=False)
    assert repr(c) == "Corpus(3 docs, 4 tokens, 4 terms, 2021-01-02..2021-03-04, 1 undated)"
    assert "<table>" in c._repr_html_() and "2021-01-02" in c._repr_html_()
    assert repr(build(["apple"])) == "Corpus(1 docs, 1 tokens, 1 terms, undated)"


def test_analyze_and_term_id():
    c = build(["Troops drilled"], lemmatize=True)
    assert c.analyze("The Troops") == ["troop"]
    assert c.term_id("troop") == 1
    with pytest.raises(KeyError, match=r"term 'troops' is not in the vocabulary \(2 terms\); close terms: \['troop'\]"):
        c.term_id("troops")


def test_text_column_of_any_string_dtype(monkeypatch):
    import pyarrow as pa

    texts = ["Troops drilled near the river.", None, "Drills ended"]
    built = []
    for dtype in (object, "str", pd.ArrowDtype(pa.string())):
        docs = make_docs(["", "", ""]).assign(text=pd.Series(texts, dtype=dtype, index=["d0", "d1", "d2"]))
        with pytest.warns(UserWarning, match="1 documents have no 'text'"):
            built.append(Corpus.from_docs(docs, progress=False))
        # the same texts in another dtype have the same cache key: no second tokenising
        monkeypatch.setattr(_build, "_tokenize_all", None)
    for c in built:
        assert list(c.vocab) == ["drilled", "drills", "ended", "near", "river", "troops"]
        assert c.doc_lengths.tolist() == [4, 0, 2]


# ---------------------------------------------------------------- errors
def test_error_messages():
    with pytest.raises(ValueError, match="the corpus is empty"):
        Corpus.from_docs(make_docs([]), cache=False)
    with pytest.raises(ValueError, match=r"`docs` has no text column 'body'; available columns: \['text'\]"):
        Corpus.from_docs(make_docs(["a b"]), text="body", cache=False)
    with pytest.raises(TypeError, match=r"column 'text' must hold strings; doc 'd1' holds int 5"):
        Corpus.from_docs(make_docs(["apple", 5]), cache=False)
    with pytest.raises(TypeError, match="not a string"):
        Corpus.from_docs("apple banana")
    with pytest.raises(TypeError, match="expects a pandas DataFrame"):
        Corpus.from_docs(["apple banana"])
    with pytest.raises(ValueError, match=r"`tokenizer` must be one of \['words'\]; got 'spacy'"):
        build(["apple"], tokenizer="spacy")
    with pytest.raises(ValueError, match=r"`stem` must be one of \[False, 'snowball', 'porter'\]; got 'lancaster'"):
        build(["apple"], stem="lancaster")
    with pytest.raises(ValueError, match=r"`max_df` as a float is a share of documents and must lie in \[0, 1\]; got 1.5"):
        build(["apple"], max_df=1.5)
    with pytest.raises(ValueError, match="no terms are left in any of the 1 documents"):
        build(["the of and"])
    with pytest.raises(ValueError, match=r"`n_jobs` must be a positive integer or -1"):
        build(["apple"], n_jobs=0)
    with pytest.raises(ValueError, match=r"unknown `phrases` option\(s\) \['min'\]"):
        build(["apple"], phrases={"min": 2})


@pytest.mark.parametrize("cache", [False, True])
def test_duplicate_doc_ids_are_named(cache):
    docs = pd.DataFrame({"text": ["apple", "pear", "plum"]}, index=pd.Index(["a", "b", "a"], name="doc_id"))
    with pytest.raises(ValueError, match=r"^doc ids must be unique; duplicated: \['a'\]$"):
        Corpus.from_docs(docs, cache=cache, progress=False)


def test_missing_texts_warn_and_count_as_empty():
    with pytest.warns(UserWarning, match="1 documents have no 'text'"):
        c = Corpus.from_docs(make_docs(["apple", None]), cache=False, progress=False)
    assert c.doc_lengths.tolist() == [1, 0]


def test_runs_offline_without_nltk_data(monkeypatch, tmp_path):
    import socket

    import nltk

    def no_network(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    c = build([SEED_FIRST_PARAGRAPH], lemmatize=True, stem="snowball")
    assert "troop" in c.tokens("d0") and "the" not in c.tokens("d0")
    with pytest.raises(LookupError, match="stopwords='nltk' needs NLTK's stopwords data"):
        build(["apple"], stopwords="nltk")
    with pytest.raises(LookupError, match="lemmatize='wordnet' needs NLTK's WordNet data"):
        build(["apple"], lemmatize="wordnet")


# ---------------------------------------------------------------- parallel and cache
def _small_chunks(monkeypatch):
    """Chunks of a few texts, handed to workers however small the corpus."""
    monkeypatch.setattr(_build, "CHUNK_CHARS", 50)
    monkeypatch.setattr(_build, "MIN_CHUNK_CHARS", 50)
    monkeypatch.setattr(_build, "PARALLEL_MIN_CHARS", 0)


def test_parallel_build_equals_serial(monkeypatch):
    _small_chunks(monkeypatch)
    calls = []
    original = _build._renumber
    monkeypatch.setattr(_build, "_renumber", lambda *a: calls.append(1) or original(*a))
    texts = [f"Doc {i}: troops and drills near river {i % 7}. Officials met." for i in range(60)]
    serial = build(texts, n_jobs=1)
    parallel = build(texts, n_jobs=2)
    assert len(calls) > 1  # several chunks came back from worker processes
    assert list(serial.vocab) == list(parallel.vocab)
    assert np.array_equal(serial.ids, parallel.ids)
    assert np.array_equal(serial.sent_offsets, parallel.sent_offsets)
    assert (serial.dtm != parallel.dtm).nnz == 0


def test_spawned_workers_give_the_same_corpus(monkeypatch):
    # macOS and Windows have no fork: workers are spawned and receive their texts pickled
    import multiprocessing

    _small_chunks(monkeypatch)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    calls = []
    original = _build._renumber
    monkeypatch.setattr(_build, "_renumber", lambda *a: calls.append(1) or original(*a))
    texts = [f"Troops of Mr. Li drilled near river {i % 5}. Officials met." for i in range(12)]
    serial = build(texts, lemmatize=True)
    spawned = build(texts, lemmatize=True, n_jobs=2)
    assert len(calls) > 1
    assert list(serial.vocab) == list(spawned.vocab) and np.array_equal(serial.ids, spawned.ids)
    assert np.array_equal(serial.sent_offsets, spawned.sent_offsets)


def test_cache_reloads_and_never_returns_stale(monkeypatch):
    docs = make_docs(["Troops drilled near the river", "Drills ended"])
    first = Corpus.from_docs(docs, progress=False)

    def fail(*args, **kwargs):
        raise AssertionError("tokenized again although the cache holds this corpus")

    monkeypatch.setattr(_build, "_tokenize_all", fail)
    again = Corpus.from_docs(docs, progress=False)
    assert list(again.vocab) == list(first.vocab) and np.array_equal(again.ids, first.ids)
    assert (again.dtm != first.dtm).nnz == 0 and again.docs.equals(docs)
    with pytest.raises(AssertionError, match="tokenized again"):
        Corpus.from_docs(docs, progress=False, lemmatize=True)  # another parameter: not the cached one
    changed = docs.copy()
    changed.loc["d1", "text"] = "Drills resumed"
    with pytest.raises(AssertionError, match="tokenized again"):
        Corpus.from_docs(changed, progress=False)  # another text: not the cached one


def _digest(values) -> str:
    import hashlib

    h = hashlib.sha256()
    cache_module._hash_strings(h, values)
    return h.hexdigest()


def test_cache_key_reads_content_not_layout():
    arrow = pd.Series(["Troops drilled", "", "Drills ended"], dtype="str")
    chunked = pd.concat([arrow.iloc[:1], arrow.iloc[1:]], ignore_index=True)  # two Arrow chunks
    as_object = pd.Series(["Troops drilled", "", "Drills ended"], dtype=object)
    import pyarrow as pa

    small_offsets = pd.Series(["Troops drilled", "", "Drills ended"], dtype=pd.ArrowDtype(pa.string()))
    assert _digest(arrow) == _digest(chunked) == _digest(as_object) == _digest(small_offsets)
    # a missing value is the same whether None, NaN or pd.NA, in an Arrow or an object column
    holes = [pd.Series(["a", gap], dtype=object) for gap in (None, np.nan, pd.NA)]
    holes.append(pd.Series(["a", None], dtype=pd.ArrowDtype(pa.string())))
    assert len({_digest(h) for h in holes} | {_digest(pd.Series(["a", None], dtype="str"))}) == 1
    assert _digest(holes[0]) != _digest(pd.Series(["a", ""], dtype="str"))
    assert _digest(arrow.iloc[1:]) == _digest(pd.Series(["", "Drills ended"], dtype="str"))  # a sliced column
    # a moved boundary, one changed character, a missing value, another order: all differ
    others = [["Troops drille", "d", "Drills ended"], ["Troops drilled", "", "Drills endeD"],
              ["Troops drilled", None, "Drills ended"], ["", "Troops drilled", "Drills ended"]]
    digests = {_digest(pd.Series(v, dtype="str")) for v in others} | {_digest(arrow)}
    assert len(digests) == 5
    # ids that are not strings are read by their text; lone surrogates fall back to a plain encoding
    assert _digest(pd.Index([1, 2])) == _digest(pd.Index(["1", "2"]))
    assert _digest(pd.Series(["a\udc80"], dtype=object)) != _digest(pd.Series(["a"], dtype=object))


# ---------------------------------------------------------------- properties
WORDS = ["alpha", "beta", "gamma", "delta", "the", "of", "Epsilon's", "J-20", "10,000", "zeta"]
texts_strategy = st.lists(
    st.lists(st.sampled_from(WORDS + [".", "!", "\n\n"]), max_size=25).map(" ".join),
    min_size=1,
    max_size=8,
)


def _recount(c: Corpus, doc_id) -> np.ndarray:
    row = np.zeros(c.n_terms, dtype=np.int64)
    for t in c.tokens(doc_id):
        row[c.vocab.get_loc(t)] += 1
    return row


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=texts_strategy, min_df=st.integers(1, 3), data=st.data())
def test_properties_alignment_and_counts(texts, min_df, data):
    try:
        c = build(texts)
    except ValueError as err:
        assert "no terms are left" in str(err)
        return
    assert c.dtm.sum() == c.n_tokens == c.doc_offsets[-1] == c.sent_offsets[-1]
    assert c.dtm.shape == (len(texts), c.n_terms) and list(c.vocab) == sorted(c.vocab)
    for i, doc_id in enumerate(c.docs.index):
        assert np.array_equal(c.dtm[i].toarray().ravel(), _recount(c, doc_id))
        assert sum(c.sentences(doc_id), []) == c.tokens(doc_id)
    rows = data.draw(st.lists(st.integers(0, len(texts) - 1), unique=True, min_size=1))
    ids = [c.docs.index[r] for r in rows]
    sub = c.select(ids)
    assert list(sub.docs.index) == ids and sub.dtm.sum() == sub.n_tokens
    for doc_id in ids:
        assert sub.tokens(doc_id) == c.tokens(doc_id) and sub.sentences(doc_id) == c.sentences(doc_id)
    try:
        f = c.filter_terms(min_df=min_df)
    except ValueError as err:
        assert "remove every term" in str(err)
        return
    assert f.dtm.sum() == f.n_tokens and f.dtm.shape == (c.n_docs, f.n_terms)
    # building with the limit, in chunks of a few texts, gives the same corpus as filtering afterwards
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_build, "CHUNK_CHARS", 40)
        direct = build(texts, min_df=min_df)
    assert list(direct.vocab) == list(f.vocab) and np.array_equal(direct.ids, f.ids)
    assert np.array_equal(direct.doc_offsets, f.doc_offsets) and np.array_equal(direct.sent_offsets, f.sent_offsets)
    assert (direct.dtm != f.dtm).nnz == 0
    kept = set(f.vocab)
    for i, doc_id in enumerate(c.docs.index):
        assert f.tokens(doc_id) == [t for t in c.tokens(doc_id) if t in kept]
        assert np.array_equal(f.dtm[i].toarray().ravel(), _recount(f, doc_id))
        assert sum(f.sentences(doc_id), []) == f.tokens(doc_id)


@settings(max_examples=20, deadline=None)
@given(texts=texts_strategy)
def test_property_cache_returns_equal_corpus(texts, tmp_path_factory):
    try:
        first = Corpus.from_docs(make_docs(texts), progress=False)
    except ValueError:
        return
    again = Corpus.from_docs(make_docs(texts), progress=False)
    assert list(again.vocab) == list(first.vocab)
    assert np.array_equal(again.ids, first.ids) and np.array_equal(again.sent_offsets, first.sent_offsets)
    assert (again.dtm != first.dtm).nnz == 0 and again.params == first.params


@pytest.mark.parametrize("compiled", [True, False], ids=["C tokeniser", "Python tokeniser"])
def test_lone_surrogates_are_tokenised_cached_and_saved(tmp_path, monkeypatch, compiled):
    from corpus_tools.text import tokenizer

    if compiled and tokenizer._CEncoder is None:
        pytest.skip("the C tokeniser was not built here")
    if not compiled:
        monkeypatch.setattr(tokenizer, "_CEncoder", None)
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(tmp_path / "cache"))
    # object columns: pandas' own str dtype (Arrow, UTF-8) cannot hold a lone surrogate at all
    index = pd.Index(["a", "b\udcff"], dtype=object, name="doc_id")
    docs = pd.DataFrame({"text": pd.Series(["Troops \ud800 drilled", "drilled\udc80rivers"], index=index, dtype=object),
                         "sections": pd.Series([["World \udfff"], []], index=index, dtype=object)})
    first = Corpus.from_docs(docs, progress=False)
    assert first.tokens("a") == ["troops", "drilled"] and first.tokens("b\udcff") == ["drilled", "rivers"]
    again = Corpus.from_docs(docs, progress=False)  # from the cache
    assert np.array_equal(again.ids, first.ids) and again.vocab.equals(first.vocab)
    with pytest.warns(UserWarning, match=re.escape(
            "2 documents hold lone surrogates (characters UTF-8 cannot encode), the first ['a', 'b\\udcff']; "
            f"{tmp_path / 'saved' / 'docs.parquet'} stores them as U+FFFD.")):
        first.save(tmp_path / "saved")
    back = Corpus.load(tmp_path / "saved")
    assert back.docs["text"].tolist() == ["Troops \ufffd drilled", "drilled\ufffdrivers"]
    assert back.docs.index.tolist() == ["a", "b\ufffd"] and list(back.docs["sections"].iloc[0]) == ["World \ufffd"]
    assert np.array_equal(back.ids, first.ids)


def test_surrogates_hash_apart_from_separators():
    import hashlib

    def digest(values):
        h = hashlib.sha256()
        cache_module._hash_strings(h, pd.Index(values, dtype=object))
        return h.hexdigest()

    # values Arrow cannot hold are hashed one by one, each with its length
    assert digest(["a\ud800", "b"]) != digest(["a\ud800\x1db"])
    assert digest(["a\ud800", None]) != digest(["a\ud800", "None"])
    assert digest(["a\ud800", "b"]) == digest(["a\ud800", "b"])


def test_term_totals_counted_in_blocks_equal_the_counts_of_the_tokens(monkeypatch):
    import corpus_tools.corpus as corpus_module

    docs = pd.DataFrame({"text": ["apple banana apple. cherry", "banana cherry cherry cherry", "date", "apple"]},
                        index=pd.Index(list("abcd"), name="doc_id"))
    corpus = Corpus.from_docs(docs, cache=False, progress=False)
    # independent: from the token sequences, not the matrix
    cf = np.bincount(corpus.ids, minlength=corpus.n_terms)
    df = np.zeros(corpus.n_terms, dtype=np.int64)
    for lo, hi in zip(corpus.doc_offsets[:-1], corpus.doc_offsets[1:]):
        df[np.unique(corpus.ids[lo:hi])] += 1
    assert dict(zip(corpus.vocab, cf)) == {"apple": 3, "banana": 2, "cherry": 4, "date": 1}
    for block in (1, 2, 3, 1 << 22):
        monkeypatch.setattr(corpus_module, "_TOTALS_BLOCK", block)
        got_df, got_cf = corpus._term_totals()
        assert got_df.dtype == got_cf.dtype == np.int64
        assert np.array_equal(got_df, df) and np.array_equal(got_cf, cf)


@pytest.mark.parametrize("phrases", [False, True])
def test_limits_of_one_mean_a_share_as_a_float_and_documents_as_an_int(phrases):
    # 1.0 == 1 in Python, but min_df=1.0 is "every document" and max_df=1 is "one document"
    docs = pd.DataFrame({"text": ["apple banana cherry", "apple banana", "apple date"]},
                        index=pd.Index(list("abc"), name="doc_id"))
    opts = dict(cache=False, progress=False, phrases={"min_count": 100} if phrases else False)
    assert Corpus.from_docs(docs, min_df=1.0, **opts).vocab.tolist() == ["apple"]
    assert Corpus.from_docs(docs, max_df=1, **opts).vocab.tolist() == ["cherry", "date"]
    assert Corpus.from_docs(docs, min_df=1, max_df=1.0, **opts).vocab.tolist() == ["apple", "banana", "cherry", "date"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(["alpha beta.", "gamma.", "beta beta gamma delta.", "", "..."]),
                         max_size=4), min_size=1, max_size=8),
       st.data())
def test_select_equals_the_plain_definition(texts, data):
    # the plain definition: a boolean map of sentence starts over every token, and scipy's row index
    docs = pd.DataFrame({"text": [" ".join(t) for t in texts] + ["alpha."]},  # one term at least
                        index=pd.Index([f"d{i}" for i in range(len(texts) + 1)], name="doc_id"))
    corpus = Corpus.from_docs(docs, cache=False, progress=False, min_length=1)
    rows = data.draw(st.lists(st.integers(0, len(texts)), unique=True))
    got = corpus.select(docs.index[rows])
    starts, ends = corpus.doc_offsets[rows], corpus.doc_offsets[np.array(rows, dtype=int) + 1]
    take = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)] + [np.zeros(0, int)]).astype(int)
    is_start = np.zeros(corpus.n_tokens + 1, dtype=bool)
    is_start[corpus.sent_offsets[:-1]] = True
    assert got.sent_offsets.tolist() == np.flatnonzero(is_start[take]).tolist() + [len(take)]
    assert got.ids.tolist() == corpus.ids[take].tolist()
    assert got.doc_offsets.tolist() == [0, *np.cumsum(ends - starts).tolist()]
    assert (got.dtm != corpus.dtm[rows]).nnz == 0 and got.dtm.shape == (len(rows), corpus.n_terms)
    assert got.docs.index.tolist() == docs.index[rows].tolist()
