"""near_duplicates and Corpus.drop_duplicates: hand-checked groups, MinHash properties, errors."""
from __future__ import annotations

import re
import sys
import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus_tools as ct
import corpus_tools.analyses.duplicates as dup
from corpus_tools.analyses.duplicates import exact_overlap, minhash_signatures

WIRE = ("Oil prices rose sharply on Monday after the strike at the northern refinery ended. "
        "Traders said supplies would recover within two weeks. "
        "The government welcomed the agreement between unions and management. "
        "Analysts expect petrol prices to fall before the holiday season. "
        "Shipping companies reported long queues of tankers waiting outside the port since early March.")
LOCAL = (" Our reporter visited the refinery gate and spoke to workers about their long wait for unpaid wages."
         " Several families in the town said they had borrowed money from relatives to pay the rent.")
FLOOD = ("Heavy rain flooded the coastal villages overnight and forced hundreds of families from their homes. "
         "Rescue teams used boats to reach stranded residents near the river mouth. "
         "Forecasters warned that more storms would arrive from the west during the coming days.")

DOCS = pd.DataFrame(
    {"text": [WIRE,                                         # w1: the wire story
              FLOOD,                                        # f1: another story, earlier
              WIRE + LOCAL,                                 # w2: wire + a local paragraph
              WIRE,                                         # w3: the same text under another title
              "A city council approved the new budget.",    # x: unrelated
              WIRE.split(" Analysts")[0],                   # w4: the first half
              FLOOD.replace("days", "week"),                # f2: the last word changed
              "",                                           # e: empty
              WIRE.replace("season", "weekend")],          # w5, undated
     "title": ["Oil up", "Floods", "Oil up (local)", "OIL PRICES SOAR", "Budget", "Oil", "Floods 2", "", "Oil"],
     "date": pd.to_datetime(["2024-03-02", "2024-03-01", "2024-03-03", "2024-03-02", "2024-03-01",
                             "2024-03-04", "2024-03-05", "2024-03-01", None]),
     "source": ["Reuters", "AP", "Gazette", "Herald", "Gazette", "Herald", "Post", "AP", "Blog"]},
    index=pd.Index(["w1", "f1", "w2", "w3", "x", "w4", "f2", "e", "w5"], name="doc_id"),
)


@pytest.fixture(scope="module")
def corpus():
    return ct.Corpus.from_docs(DOCS, cache=False, progress=False)


def test_groups_hand_checked(corpus):
    out = ct.near_duplicates(corpus)
    assert list(out.columns) == ["group", "doc_id", "kind", "similarity", "containment", "n_tokens", "date",
                                 "source", "group_size", "first_date", "last_date", "n_sources"]
    # groups numbered by their earliest member's date: the floods (1 March) before the oil story (2 March);
    # w1 and w3 share a date, w1 comes first in the corpus; the undated w5 comes last
    assert out[["group", "doc_id", "kind"]].values.tolist() == [
        [0, "f1", "first"], [0, "f2", "near"],
        [1, "w1", "first"], [1, "w3", "exact"], [1, "w2", "contained"], [1, "w4", "contained"], [1, "w5", "near"],
    ]
    assert out.loc[out["kind"].isin(["first", "exact"]), ["similarity", "containment"]].eq(1.0).all().all()
    w2 = out.set_index("doc_id").loc["w2"]
    assert w2["similarity"] < 0.8 and w2["containment"] >= 0.8
    assert out.loc[out["group"] == 1, "group_size"].eq(5).all()
    assert out.loc[out["group"] == 1, "n_sources"].eq(4).all()
    assert out.loc[out["group"] == 1, "first_date"].eq(pd.Timestamp("2024-03-02")).all()
    assert out.loc[out["group"] == 1, "last_date"].eq(pd.Timestamp("2024-03-04")).all()
    assert out.attrs["n_empty"] == 1 and out.attrs["n_groups"] == 2 and out.attrs["n_duplicates"] == 5
    assert out.attrs["bands"] == 64 and out.attrs["rows_per_band"] == 2


def test_without_containment_the_partial_copies_stay_apart(corpus):
    out = ct.near_duplicates(corpus, containment=False)
    assert sorted(out["doc_id"]) == ["f1", "f2", "w1", "w3", "w5"]
    assert out.attrs["n_checked_exactly"] == 0


def test_short_documents_are_one_shingle():
    docs = pd.DataFrame({"text": ["Oil rose.", "Oil rose.", "Gold fell sharply."]})
    out = ct.near_duplicates(ct.Corpus.from_docs(docs, cache=False, progress=False))
    assert out["doc_id"].tolist() == [0, 1] and out["kind"].tolist() == ["first", "exact"]
    assert out.attrs["n_short"] == 3


def test_drop_duplicates(corpus):
    groups = ct.near_duplicates(corpus)
    assert corpus.drop_duplicates(groups).docs.index.tolist() == ["w1", "f1", "x", "e"]
    assert corpus.drop_duplicates(groups, keep="last").docs.index.tolist() == ["x", "f2", "e", "w5"]
    kept = corpus.drop_duplicates(groups, keep=False)
    assert kept.docs.index.tolist() == ["x", "e"]
    assert kept.n_tokens == corpus.select(["x", "e"]).n_tokens and kept.dtm.shape[0] == 2
    # a group whose earliest member was already dropped keeps its earliest remaining member
    sub = corpus.select(["w2", "w3", "x"])
    assert sub.drop_duplicates(groups).docs.index.tolist() == ["w3", "x"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"threshold": 0}, "`threshold` must be a number in (0, 1]; got 0."),
    ({"threshold": 1.5}, "`threshold` must be a number in (0, 1]; got 1.5."),
    ({"threshold": "0.8"}, "`threshold` must be a number in (0, 1]; got '0.8'."),
    ({"shingle": 0}, "`shingle` must be a positive integer; got 0."),
    ({"num_perm": 2.5}, "`num_perm` must be a positive integer; got 2.5."),
    ({"num_perm": 16, "bands": 32}, "`bands` must be at most `num_perm` (16); got 32."),
])
def test_errors(corpus, kwargs, message):
    with pytest.raises(ValueError) as err:
        ct.near_duplicates(corpus, **kwargs)
    assert str(err.value) == message


def test_drop_duplicates_errors(corpus):
    groups = ct.near_duplicates(corpus)
    with pytest.raises(ValueError, match=r"`keep` must be one of \['first', 'last', False\]; got 'middle'."):
        corpus.drop_duplicates(groups, keep="middle")
    with pytest.raises(ValueError, match="got True"):
        corpus.drop_duplicates(groups, keep=True)
    with pytest.raises(ValueError, match="columns 'group' and 'doc_id'"):
        corpus.drop_duplicates(groups[["doc_id"]])


# ---------------------------------------------------------------------- properties
def make_corpus(docs: list[list[list[int]]], n_terms: int = 12, dates=None, texts=None) -> ct.Corpus:
    """A Corpus straight from token ids: one list of sentences (lists of term ids) per document;
    its texts (read for their numbers only) are empty unless given."""
    ids = [t for d in docs for s in d for t in s]
    lengths = [sum(map(len, d)) for d in docs]
    sent_lengths = [len(s) for d in docs for s in d if s]
    doc_offsets = np.concatenate([[0], np.cumsum(lengths)])
    sent_offsets = np.concatenate([[0], np.cumsum(sent_lengths)])
    frame = pd.DataFrame({"text": texts if texts is not None else [""] * len(docs)},
                         index=pd.Index([f"d{i}" for i in range(len(docs))], name="doc_id"))
    if dates is not None:
        frame["date"] = dates
    return ct.Corpus(frame, [f"t{i:02d}" for i in range(n_terms)], np.array(ids, dtype=np.int32), doc_offsets,
                     sent_offsets)


sentence = st.lists(st.integers(0, 11), min_size=1, max_size=12)
document = st.lists(sentence, min_size=0, max_size=4)


def group_sets(out: pd.DataFrame) -> set:
    return {frozenset(g) for g in out.groupby("group")["doc_id"].apply(frozenset)}


@settings(max_examples=25, deadline=None)
@given(st.lists(document, min_size=1, max_size=6), st.integers(0, 5))
def test_a_repeated_document_is_its_own_exact_duplicate(docs, which):
    which %= len(docs)
    if not any(docs[which]):
        docs[which] = [[1, 2, 3]]
    corpus = make_corpus(docs + [docs[which]])
    out = ct.near_duplicates(corpus).set_index("doc_id")
    copy, original = out.loc[f"d{len(docs)}"], out.loc[f"d{which}"]
    assert copy["group"] == original["group"]
    if original["kind"] == "first":
        assert (copy["kind"], copy["similarity"], copy["containment"]) == ("exact", 1.0, 1.0)
    else:  # the group starts with another document: the copy matches it just as the original does
        assert tuple(copy[["kind", "similarity", "containment"]]) == tuple(original[["kind", "similarity", "containment"]])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 199), min_size=30, max_size=80), st.data(), st.integers(0, 2**32 - 1))
def test_minhash_estimate_within_its_error_bound(base, data, seed):
    # a copy with some tokens replaced, so that the true similarity covers the whole range
    copy = list(base)
    for i in data.draw(st.lists(st.integers(0, len(base) - 1), max_size=len(base))):
        copy[i] = data.draw(st.integers(0, 199))
    corpus = make_corpus([[base], [copy]], n_terms=200)
    num_perm = 128
    sig, _ = minhash_signatures(corpus, np.array([0, 1]), num_perm=num_perm, random_state=seed)
    size_a, size_b, common = exact_overlap(corpus, np.array([[0, 1]]))
    jaccard = common[0] / (size_a[0] + size_b[0] - common[0])
    assert abs((sig[0] == sig[1]).mean() - jaccard) <= 3 / np.sqrt(num_perm)


@settings(max_examples=25, deadline=None)
@given(st.lists(document, min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_groups_do_not_depend_on_document_order(docs, rnd):
    # few distinct terms and sentences, so that groups of every kind occur
    docs = docs + [d[:1] + d for d in docs[:2] if d] + docs[:1]
    order = list(range(len(docs)))
    rnd.shuffle(order)
    a = ct.near_duplicates(make_corpus(docs), threshold=0.6, num_perm=32)
    b = ct.near_duplicates(make_corpus([docs[i] for i in order]), threshold=0.6, num_perm=32)
    rename = {f"d{j}": f"d{i}" for j, i in enumerate(order)}
    assert group_sets(a) == group_sets(b.assign(doc_id=b["doc_id"].map(rename)))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(document, st.lists(st.sampled_from(["1", "2", "3.5", "40"]), max_size=3)),
                min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_groups_with_numbers_do_not_depend_on_document_order(docs, rnd):
    # repeated token sequences with few distinct numbers: exact classes split by their numbers,
    # near pairs refused or not
    docs = docs + docs[:2] + [(d, n[::-1]) for d, n in docs[:2]]
    texts = [" ".join(n) for _, n in docs]
    order = list(range(len(docs)))
    rnd.shuffle(order)
    a = ct.near_duplicates(make_corpus([d for d, _ in docs], texts=texts), threshold=0.6, num_perm=32)
    b = ct.near_duplicates(make_corpus([docs[i][0] for i in order], texts=[texts[i] for i in order]),
                           threshold=0.6, num_perm=32)
    rename = {f"d{j}": f"d{i}" for j, i in enumerate(order)}
    assert group_sets(a) == group_sets(b.assign(doc_id=b["doc_id"].map(rename)))


@settings(max_examples=10, deadline=None)
@given(st.lists(document, min_size=2, max_size=8), st.integers(0, 1000))
def test_same_seed_same_table(docs, seed):
    corpus = make_corpus(docs + docs[:1])
    pd.testing.assert_frame_equal(ct.near_duplicates(corpus, random_state=seed),
                                  ct.near_duplicates(corpus, random_state=seed))


def test_signatures_of_an_empty_document_are_refused(corpus):
    # the compiled and the numpy forms would disagree on it (no shingle has a minimum)
    empty = int(np.flatnonzero(corpus.doc_lengths == 0)[0])
    with pytest.raises(ValueError, match=rf"`rows` must be documents holding at least one token; rows \[{empty}\] "
                                         "hold none"):
        minhash_signatures(corpus, [0, empty])


def test_exact_overlap_hand_checked(corpus):
    # w1 has sentences of 9, 8, 5, 7 and 12 kept tokens: 5 + 4 + 1 + 3 + 8 = 21 shingles of 5;
    # w4, its first three sentences, holds 10 of them
    rows = corpus.docs.index.get_indexer(["w1", "w4"])
    assert [x.tolist() for x in exact_overlap(corpus, rows[None, :])] == [[21], [10], [10]]


def test_a_single_line_is_not_a_copy_of_the_articles_holding_it():
    docs = pd.DataFrame({"text": [WIRE, WIRE.split(". Traders")[0] + "."]})
    out = ct.near_duplicates(ct.Corpus.from_docs(docs, cache=False, progress=False))
    assert out.empty and out.attrs["n_groups"] == 0


def test_independent_documents_form_no_group():
    # the null: 1,500 documents of words drawn independently from a Zipf-shaped vocabulary of
    # 5,000 words share no 5-word shingle by more than chance; neither the near-copy test
    # nor the containment test may group any of them
    rng = np.random.default_rng(0)
    vocab = np.array([f"w{i}" for i in range(5000)])
    weights = 1.0 / np.arange(1, 5001)
    weights /= weights.sum()
    texts = []
    for length in rng.integers(40, 400, size=1500):
        words = rng.choice(vocab, size=length, p=weights)
        texts.append(". ".join(" ".join(words[i : i + 12]) for i in range(0, length, 12)))
    docs = pd.DataFrame({"text": texts}, index=pd.Index([f"d{i}" for i in range(1500)], name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, stopwords=None, cache=False, progress=False)
    for containment in (True, False):
        groups = ct.near_duplicates(corpus, containment=containment)
        assert len(groups) == 0, groups.head()


# ---------------------------------------------------------------------- the fast paths against plain Python
def python_shingles(doc: list[list[int]], k: int) -> set:
    """Within-sentence shingles, the plain way: k-tuples, or the whole of a shorter sentence."""
    out = set()
    for s in doc:
        if len(s) < k:
            out.add(tuple(s))
        else:
            out.update(tuple(s[i : i + k]) for i in range(len(s) - k + 1))
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(sentence, min_size=1, max_size=4), min_size=2, max_size=8), st.integers(1, 6), st.data())
def test_exact_overlap_matches_python_sets(docs, k, data):
    corpus = make_corpus(docs)
    pairs = np.array(data.draw(st.lists(st.tuples(st.integers(0, len(docs) - 1), st.integers(0, len(docs) - 1)),
                                        min_size=1, max_size=12)))
    sets = [python_shingles(d, k) for d in docs]
    # the compiled merge, then the numpy form that serves where it was not built
    for compiled in (dup._intersect_counts, None):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(dup, "_intersect_counts", compiled)
            size_a, size_b, common = exact_overlap(corpus, pairs, shingle=k, n_jobs=2)
        assert size_a.tolist() == [len(sets[i]) for i, _ in pairs]
        assert size_b.tolist() == [len(sets[j]) for _, j in pairs]
        assert common.tolist() == [len(sets[i] & sets[j]) for i, j in pairs]


compiled = pytest.mark.skipif(dup._intersect_counts is None, reason="the C extension _csets was not built "
                              "(no C compiler at install); the numpy form is tested instead")


@compiled
@settings(max_examples=60, deadline=None)
@given(st.lists(st.sets(st.integers(0, 2**32 - 1) | st.integers(0, 12), max_size=40), min_size=1, max_size=10),
       st.data())
def test_compiled_intersections_match_python_sets_and_numpy(sets, data):
    # sorted distinct uint32 sets one after another, empty ones and the extreme values included;
    # pairs in any order, a set with itself too, in blocks of a few pairs on two threads
    values = np.array([v for s in sets for v in sorted(s)], dtype=np.uint32)
    size = np.array([len(s) for s in sets], dtype=np.int64)
    start = np.cumsum(size) - size
    index = st.integers(0, len(sets) - 1)
    pairs = np.array(data.draw(st.lists(st.tuples(index, index), min_size=1, max_size=30)))
    x, y = pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.int32)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dup, "_OVERLAP_PAIRS", 4)
        size_x, size_y, common = dup._overlap(values, start, size, x, y, n_jobs=2)
    assert common.tolist() == [len(sets[i] & sets[j]) for i, j in pairs]
    assert size_x.tolist() == [len(sets[i]) for i in x] and size_y.tolist() == [len(sets[j]) for j in y]
    both = size_x + size_y > 0  # the numpy form takes pairs holding at least one value
    if both.any():
        assert common[both].tolist() == dup._overlap_numpy(values, start, size, x[both], y[both])[2].tolist()


@compiled
def test_compiled_intersections_refuse_what_they_cannot_read():
    values, start, size = np.array([1, 5, 9], dtype=np.uint32), np.array([0, 2]), np.array([2, 1])
    out = np.zeros(1, dtype=np.int64)
    dup._intersect_counts(values, start, size, np.array([0]), np.array([1]), out)
    assert out.tolist() == [0]
    with pytest.raises(IndexError, match=r"pair 1 names a set outside values \(sets 0 and 2 of 2\)"):
        dup._intersect_counts(values, start, size, np.array([0, 0]), np.array([1, 2]), np.zeros(2, dtype=np.int64))
    with pytest.raises(IndexError, match="pair 0 names a set outside values"):  # a set running past the values
        dup._intersect_counts(values, start, np.array([2, 5]), np.array([0]), np.array([1]), out)
    with pytest.raises(TypeError, match="values: expected a contiguous array of 4-byte integers, got 8-byte items"):
        dup._intersect_counts(values.astype(np.int64), start, size, np.array([0]), np.array([1]), out)
    with pytest.raises(TypeError, match="values: expected a contiguous array of 4-byte integers, got 4-byte items "
                                        "of format 'f'"):
        dup._intersect_counts(values.astype(np.float32), start, size, np.array([0]), np.array([1]), out)
    # a start and a size that each lie within the values but overflow when added
    with pytest.raises(IndexError, match="pair 0 names a set outside values"):
        dup._intersect_counts(values, np.array([0, 2**62 + 2**30]), np.array([3, 2**62 + 2**31 - 2**30]),
                              np.array([0]), np.array([1]), out)
    with pytest.raises(ValueError, match="x, y and out, must have the same lengths"):
        dup._intersect_counts(values, start, size, np.array([0]), np.array([1]), np.zeros(2, dtype=np.int64))


@compiled
def test_compiled_minhash_hand_checked_and_refuses_what_it_cannot_read():
    hashes, a = np.array([4, 7, 2**32 - 1], dtype=np.uint32), np.array([3, 2**31 + 1], dtype=np.uint32)
    out = np.zeros((3, 2), dtype=np.uint32)
    dup._minhash(hashes, np.array([0, 2, 2, 3]), a, out)
    # document 0: shingles 5 (4 made odd) and 7: 3 * 5 = 15, 3 * 7 = 21; (2**31 + 1) * 5 mod 2**32 =
    # 2**31 + 5, (2**31 + 1) * 7 = 2**31 + 7; document 1 has none; document 2: 3 (2**32 - 1) mod
    # 2**32 = 2**32 - 3, (2**31 + 1)(2**32 - 1) mod 2**32 = 2**31 - 1
    assert out.tolist() == [[15, 2**31 + 5], [2**32 - 1, 2**32 - 1], [2**32 - 3, 2**31 - 1]]
    with pytest.raises(ValueError, match=r"offsets must rise from 0 to at most len\(hashes\) = 3; document 1 has 2:4"):
        dup._minhash(hashes, np.array([0, 2, 4, 3]), a, out)
    with pytest.raises(ValueError, match=r"out must hold len\(offsets\) - 1 rows of len\(a\) = 2 values"):
        dup._minhash(hashes, np.array([0, 3]), a, out)
    with pytest.raises(TypeError, match="out: expected a contiguous array of 4-byte integers, got 8-byte items"):
        dup._minhash(hashes, np.array([0, 3]), a, np.zeros((1, 2), dtype=np.int64))


@compiled
def test_compiled_band_partners_hand_checked_and_refuse_what_they_cannot_read():
    # labels in the lowest 2 bits: bucket 1 holds labels 0, 2, 3, bucket 2 label 1 (sorted packed keys)
    packed = np.array([1 << 2 | 0, 1 << 2 | 2, 1 << 2 | 3, 2 << 2 | 1], dtype=np.uint64)
    for dtype in (np.int32, np.int64):
        first, previous = np.zeros(4, dtype=dtype), np.zeros(4, dtype=dtype)
        dup._band_partners_c(packed, 2, first, previous)
        assert first.tolist() == [0, 1, 0, 0] and previous.tolist() == [0, 1, 0, 2]
    with pytest.raises(TypeError, match="first: expected a contiguous array of 4- or 8-byte integers, got 8-byte "
                                        "items of format 'd'"):
        dup._band_partners_c(packed, 2, np.zeros(4), np.zeros(4, dtype=np.int64))
    with pytest.raises(ValueError, match="first and previous must be int32 or int64 arrays of len"):
        dup._band_partners_c(packed, 2, np.zeros(4, dtype=np.int32), np.zeros(4, dtype=np.int64))
    with pytest.raises(ValueError, match="a label is not below len"):
        dup._band_partners_c(packed[:3], 2, np.zeros(3, dtype=np.int32), np.zeros(3, dtype=np.int32))


@compiled
def test_compiled_digests_refuse_what_they_cannot_read():
    ids, docs = np.array([0, 1, 0, 1, 1], dtype=np.int32), np.array([0, 2, 5])
    tables = [np.arange(1, 3, dtype=np.uint64)] * 2 + [np.arange(1, 4, dtype=np.uint64)] * 3
    out = np.zeros((2, 3), dtype=np.uint64)
    dup._digests_c(ids, docs, np.array([0, 2, 5]), *tables, 0, 2, out)
    # document 0: terms 0, 1 (values 1, 2) at places 0, 1 (1, 2): 1 + 4; a sentence at place 0
    assert out.tolist() == [[5, 5, 1], [1 * 1 + 2 * 2 + 2 * 3] * 2 + [1]]
    with pytest.raises(ValueError, match="digests: sent_offsets must rise"):
        dup._digests_c(ids, docs, np.array([0, 2, 3, -2**40, 5]), *tables, 0, 2, out)
    with pytest.raises(ValueError, match="digests: a token id is outside the term tables"):
        dup._digests_c(ids + 5, docs, np.array([0, 2, 5]), *tables, 0, 2, out)
    with pytest.raises(ValueError, match=r"document 1 \(tokens 2:5\) is outside the tokens or longer than"):
        dup._digests_c(ids, docs, np.array([0, 2, 5]), *tables[:2], *[t[:2] for t in tables[2:]], 0, 2, out)


@compiled
def test_compiled_shingles_hand_checked_and_refuse_what_they_cannot_read():
    # two documents: sentences [5 6 7] and [8]; [9 10]; shingles of 2 tokens
    ids, docs, sentences = np.array([5, 6, 7, 8, 9, 10], dtype=np.int32), np.array([0, 4, 6]), np.array([0, 3, 4, 6])
    out, offsets = np.zeros(6, dtype=np.uint32), np.zeros(3, dtype=np.int64)
    assert dup._shingles_c(ids, docs, sentences, np.array([1, 0]), 2, out, offsets) == 4
    poly, tag = int(dup._POLY), lambda width: width << 56

    def hashed(h):
        return int(dup._mix(np.array([h % 2**64], dtype=np.uint64))[0]) >> 32

    assert out[:4].tolist() == [hashed((9 * poly + 10) ^ tag(2)), hashed((5 * poly + 6) ^ tag(2)),
                                hashed((6 * poly + 7) ^ tag(2)), hashed(8 ^ tag(1))]
    assert offsets.tolist() == [0, 1, 4]
    with pytest.raises(IndexError, match=r"rows\[0\] = 2 is not a document of doc_offsets"):
        dup._shingles_c(ids, docs, sentences, np.array([2]), 2, out, offsets[:2])
    with pytest.raises(ValueError, match="out holds 3 values; the documents have 4 tokens"):
        dup._shingles_c(ids, docs, sentences, np.array([0]), 2, out[:3], offsets[:2])
    with pytest.raises(ValueError, match="the sentences of document rows\\[0\\] run past its end"):
        dup._shingles_c(ids, docs, np.array([0, 5, 6]), np.array([0]), 2, out, offsets[:2])


@settings(max_examples=40, deadline=None)
@given(st.lists(document.filter(any), min_size=1, max_size=8), st.integers(1, 6), st.data())
def test_compiled_shingles_are_those_of_numpy(docs, k, data):
    # sentences shorter and longer than a shingle, any rows in any order
    corpus = make_corpus(docs)
    rows = np.array(data.draw(st.lists(st.integers(0, len(docs) - 1), min_size=1, max_size=10)))
    compiled = dup._shingles(corpus, rows, k)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dup, "_shingles_c", None)
        plain = dup._shingles(corpus, rows, k)
    assert compiled[0].dtype == plain[0].dtype == np.uint32
    assert compiled[0].tolist() == plain[0].tolist() and compiled[1].tolist() == plain[1].tolist()
    # one hash per shingle of the definition (python_shingles), document after document
    assert np.diff(compiled[1]).tolist() == [sum(max(1, len(s) - k + 1) for s in docs[r] if s) for r in rows]


@settings(max_examples=25, deadline=None)
@given(st.lists(document.filter(any), min_size=1, max_size=10), st.integers(0, 2**32 - 1))
def test_signatures_do_not_depend_on_the_blocks(docs, seed):
    # many chunks and blocks of every length (one token per chunk), on two threads, give each
    # document the signature it has on its own
    corpus = make_corpus(docs)
    rows = np.arange(len(docs))[::-1]
    alone = np.vstack([minhash_signatures(corpus, [r], num_perm=16, random_state=seed)[0] for r in rows])
    chunk = dup._CHUNK_TOKENS
    try:
        dup._CHUNK_TOKENS = 1
        together, n_shingles = minhash_signatures(corpus, rows, num_perm=16, random_state=seed, n_jobs=2)
    finally:
        dup._CHUNK_TOKENS = chunk
    assert np.array_equal(together, alone)
    assert n_shingles.tolist() == [sum(max(1, len(s) - 4) for s in docs[r] if s) for r in rows]
    # the numpy form (where the compiled one was not built), in blocks of every length
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dup, "_minhash", None)
        patch.setattr(dup, "_CHUNK_TOKENS", 1)
        assert np.array_equal(minhash_signatures(corpus, rows, num_perm=16, random_state=seed, n_jobs=2)[0], together)
    # and the definition: the least a x mod 2**32 over the document's shingle hashes made odd
    multipliers = [int(m) for m in dup._perm_params(16, seed)]
    for i, r in enumerate(rows):
        hashes = [int(x) | 1 for x in dup._shingles(corpus, np.array([r]), 5)[0]]
        assert together[i].tolist() == [min(m * x % 2**32 for x in hashes) for m in multipliers]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 3), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_lsh_candidates_match_the_plain_definition(n, bands, rows_per_band, n_values, seed):
    # few distinct values, so that buckets of every size occur; the signatures are stored in a
    # shuffled order (row i holds document label[i])
    rng = np.random.default_rng(seed)
    signature = rng.integers(0, n_values, size=(n, bands * rows_per_band)).astype(np.uint32)
    label = rng.permutation(n)
    expected = set()
    for band in range(bands):
        values = [tuple(s) for s in signature[:, band * rows_per_band : (band + 1) * rows_per_band].tolist()]
        for v in set(values):
            members = [d for d in range(n) if values[d] == v]
            expected.update((members[0], m) for m in members[1:])   # with the bucket's first
            expected.update(zip(members[1:-1], members[2:]))         # with the member before
    codes = dup._candidates(signature[label], label, bands, rows_per_band, n_jobs=2)
    # ordered by the higher label, then the lower
    assert codes.tolist() == [lo * n + hi for lo, hi in sorted(expected, key=lambda pair: pair[::-1])]
    # the numpy form of the keys and partners (where the compiled one was not built); the
    # signatures as a view of wider ones, as near_duplicates passes the columns its bands use
    wider = np.hstack([signature[label], np.zeros((n, 3), dtype=np.uint32)])[:, : bands * rows_per_band]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dup, "_band_keys_c", None)
        assert dup._candidates(wider, label, bands, rows_per_band, n_jobs=2).tolist() == codes.tolist()
    assert dup._candidates(wider, label, bands, rows_per_band).tolist() == codes.tolist()
    # the partners held in column blocks of a few documents (freed one by one) give the same pairs
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dup, "_PARTNER_COLUMNS", 3)
        patch.setattr(dup, "_CACHE_SHINGLES", 4 * bands)
        assert dup._candidates(signature[label], label, bands, rows_per_band, n_jobs=2).tolist() == codes.tolist()


@settings(max_examples=40, deadline=None)
@given(st.lists(document, min_size=1, max_size=10))
def test_compiled_digests_are_those_of_numpy(docs):
    # empty documents among the others, one document per chunk, on two threads
    corpus = make_corpus(docs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dup, "_CHUNK_TOKENS", 4)
        compiled = dup._exact_hashes(corpus, n_jobs=2)
        patch.setattr(dup, "_digests_c", None)
        plain = dup._exact_hashes(corpus, n_jobs=2)
    assert compiled.tolist() == plain.tolist()
    # and the definition of the first digest, in Python integers
    terms = [int(v) for v in dup._mix(np.arange(12, dtype=np.uint64) ^ dup._DIGEST_SEEDS[0])]
    for d, doc in enumerate(docs):
        tokens = [t for sent in doc for t in sent]
        places = [int(v) | 1 for v in dup._mix(np.arange(len(tokens), dtype=np.uint64) + dup._DIGEST_SEEDS[0])]
        assert int(compiled[d, 0]) == sum(terms[t] * p for t, p in zip(tokens, places)) % 2**64


def test_an_exact_class_is_hashed_by_content_not_by_position():
    # a and b hold the same tokens, cut into sentences differently: a has the 5-word shingles
    # of c, b none. Which of the two stands for the class must not depend on their order.
    a, b, c = [[1, 2, 3, 4, 5, 6, 7, 8]], [[1, 2, 3, 4], [5, 6, 7, 8]], [[1, 2, 3, 4, 5, 6, 7, 8, 9]]
    first = ct.near_duplicates(make_corpus([a, b, c]), threshold=0.7)
    second = ct.near_duplicates(make_corpus([b, a, c]), threshold=0.7)
    rename = {"d0": "d1", "d1": "d0", "d2": "d2"}
    assert group_sets(first) == group_sets(second.assign(doc_id=second["doc_id"].map(rename)))


# ---------------------------------------------------------------------- numbers of the texts
# Earnings notices: the same words, the numbers dropped by the corpus. acme-2 is acme re-sent
# under another headline; bolt and cog are other companies' notices; acme-fix corrects one of
# acme's ten figures; acme-swap has two of them the other way round.
ACME = ("Shr 12 cts vs 10 cts. Net 1,200,000 vs 1,000,000. Revs 15.6 mln vs 14.2 mln. "
        "Nine mths. Shr 38 cts vs 31 cts. Net 3,800,000 vs 3,100,000.")
BOLT = ("Shr 9 cts vs 10 cts. Net 900,000 vs 1,000,000. Revs 11.1 mln vs 14.2 mln. "
        "Nine mths. Shr 27 cts vs 31 cts. Net 2,700,000 vs 3,100,000.")
COG = ("Shr 55 cts vs 47 cts. Net 5,500,000 vs 4,700,000. Revs 40.1 mln vs 35.9 mln. "
       "Nine mths. Shr 162 cts vs 140 cts. Net 16,200,000 vs 14,000,000.")
NOTICES = pd.DataFrame(
    {"text": [ACME, BOLT, ACME, COG, ACME.replace("1,200,000", "1,210,000"),
              ACME.replace("12 cts vs 10 cts", "10 cts vs 12 cts")],
     "title": ["ACME CORP 3RD QTR NET", "BOLT INC 3RD QTR NET", "ACME <ACM> 3RD QTR", "COG CO 3RD QTR NET",
               "CORRECTED - ACME CORP 3RD QTR NET", "ACME CORP 3RD QTR NET"],
     "date": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-03-02", "2024-03-02", "2024-03-03", "2024-03-04"])},
    index=pd.Index(["acme", "bolt", "acme-2", "cog", "acme-fix", "acme-swap"], name="doc_id"))


@pytest.fixture(scope="module")
def notices():
    return ct.Corpus.from_docs(NOTICES, cache=False, progress=False)


def test_templated_notices_with_other_figures_are_no_copies(notices):
    # the six notices have the same kept words, one short sentence each ("shr cts vs cts", ...):
    # 6 shingles, too few for any of their ten numbers to be missing from a copy
    assert minhash_signatures(notices, np.arange(6))[1].tolist() == [6] * 6
    out = ct.near_duplicates(notices)
    # acme-2 is acme re-sent (same numbers in the same order); acme-swap has the same numbers in
    # another order: a near copy. bolt shares 3 of its 10 numbers with acme, cog none, and
    # acme-fix lacks one of acme's: no copies.
    assert out[["group", "doc_id", "kind", "similarity"]].values.tolist() == [
        [0, "acme", "first", 1.0], [0, "acme-2", "exact", 1.0], [0, "acme-swap", "near", 1.0]]
    assert out.attrs["check_numbers"] is True
    # all six share their words: one exact class, split by the numbers of its members' texts
    assert out.attrs["n_texts_scanned"] == 6
    # the words alone make the six notices one group of exact copies
    words = ct.near_duplicates(notices, check_numbers=False)
    assert words["doc_id"].tolist() == ["acme", "bolt", "acme-2", "cog", "acme-fix", "acme-swap"]
    assert words["kind"].tolist() == ["first"] + ["exact"] * 5
    assert words.attrs["n_texts_scanned"] == 0 and words.attrs["n_refused_numbers"] == 0


STORY = ("Oil prices rose 3 pct on Monday after the strike at the northern refinery ended. "
         "Traders said supplies would recover within 14 days. "
         "The government welcomed the agreement between the 2 unions and management. "
         "Analysts expect petrol prices to fall by 5 cents before the holiday season. "
         "Shipping companies reported long queues of 40 tankers waiting outside the port since early March. "
         "Heavy rain flooded the coastal villages overnight and forced hundreds of families from their homes.")


def test_a_long_story_may_lack_a_number_as_it_may_change_a_word():
    docs = pd.DataFrame({"text": [STORY, STORY.replace("14 days", "15 days"),
                                  STORY.replace("3 pct", "4 pct").replace("40 tankers", "45 tankers")]},
                        index=pd.Index(["story", "one-changed", "two-changed"], name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    n_shingles = minhash_signatures(corpus, np.arange(3))[1]
    # 5 distinct numbers each; (1 - 0.8) * shingles / 5 of them may be missing: 1 for 25 to 49 shingles
    assert (n_shingles == n_shingles[0]).all() and 25 <= n_shingles[0] < 50
    out = ct.near_duplicates(corpus)
    # two-changed lacks 2 of story's numbers and 3 of one-changed's: no copy of either
    assert out[["doc_id", "kind", "similarity"]].values.tolist() == [["story", "first", 1.0],
                                                                     ["one-changed", "near", 1.0]]
    assert out.attrs["n_refused_numbers"] == 2


def test_a_text_sent_again_is_not_scanned_again():
    # one exact class: acme three times, then bolt; the copies of acme follow it and take its numbers
    docs = pd.DataFrame({"text": [ACME, ACME, ACME, BOLT, "Gold fell."]},
                        index=pd.Index(["acme", "acme-2", "acme-3", "bolt", "gold"], name="doc_id"))
    out = ct.near_duplicates(ct.Corpus.from_docs(docs, cache=False, progress=False))
    assert out["doc_id"].tolist() == ["acme", "acme-2", "acme-3"] and out.attrs["n_texts_scanned"] == 2


def test_a_corpus_that_keeps_numbers_compares_them_as_words(notices):
    kept = ct.Corpus.from_docs(NOTICES, numbers=True, cache=False, progress=False)
    out = ct.near_duplicates(kept)
    # the numbers are words here (those of one character too short to keep): acme-fix has 8 of
    # acme's 9 shingles (Jaccard 8/10, a near copy), acme-swap 7 (7/11), bolt and cog fewer
    assert exact_overlap(kept, np.array([[0, 4], [0, 5]]))[2].tolist() == [8, 7]
    assert out[["doc_id", "kind"]].values.tolist() == [["acme", "first"], ["acme-2", "exact"], ["acme-fix", "near"]]
    assert out.attrs["n_texts_scanned"] == 0       # no text is read
    pd.testing.assert_frame_equal(out, ct.near_duplicates(kept, check_numbers=False))
    # nor needed
    no_text = ct.Corpus(kept.docs.drop(columns="text"), kept.vocab, kept.ids, kept.doc_offsets, kept.sent_offsets,
                        params=kept.params)
    assert ct.near_duplicates(no_text)["doc_id"].tolist() == ["acme", "acme-2", "acme-fix"]


def test_numbers_read_back_from_the_file_of_a_streamed_corpus(tmp_path, monkeypatch):
    # two exact classes side by side (the notices, the story and its copy with another figure),
    # read back from the file in batches of three
    story = pd.DataFrame({"text": [STORY, STORY.replace("14 days", "15 days")], "title": ["Oil", "Oil"],
                          "date": pd.to_datetime(["2024-03-01", "2024-03-02"])},
                         index=pd.Index(["story", "story-2"], name="doc_id"))
    docs = pd.concat([NOTICES.iloc[:3], story.iloc[:1], NOTICES.iloc[3:], story.iloc[1:]])
    docs.to_parquet(tmp_path / "docs.parquet")
    streamed = ct.Corpus.from_parquet(tmp_path / "docs.parquet", cache=False, progress=False)
    assert "text" not in streamed.docs.columns
    monkeypatch.setattr(dup, "_TEXT_BATCH", 3)
    from corpus_tools import _text_source

    reads, read = [], _text_source.read_texts_arrow
    monkeypatch.setattr(_text_source, "read_texts_arrow",
                        lambda described, index, rows: reads.append(sorted(map(int, rows))) or read(described, index, rows))
    out = ct.near_duplicates(streamed)
    # the members of the two exact classes (the notices have the same words, and so have the
    # story and its copy) lie between each other in the file: they are read in its order, three
    # rows at a time, each read after the rows of the one before (each row group decoded once)
    assert reads == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert out[["group", "doc_id", "kind"]].values.tolist() == [
        [0, "acme", "first"], [0, "acme-2", "exact"], [0, "acme-swap", "near"], [1, "story", "first"],
        [1, "story-2", "near"]]
    pd.testing.assert_frame_equal(out, ct.near_duplicates(ct.Corpus.from_docs(docs, cache=False, progress=False)),
                                  check_dtype=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text(max_size=5), st.none()), max_size=4), min_size=1, max_size=5),
       st.data())
def test_texts_of_a_chunked_column_are_taken_chunk_by_chunk(chunks, data):
    # a text column read in parts (a corpus loaded from its cache): rows in any order, repeats,
    # empty chunks and missing texts; the same texts as a plain list
    import pyarrow as pa

    column = pa.chunked_array([pa.array(c, type=pa.large_string()) for c in chunks], type=pa.large_string())
    flat = [t for c in chunks for t in c]
    rows = np.array(data.draw(st.lists(st.integers(0, max(len(flat) - 1, 0)), max_size=12 if flat else 0)),
                    dtype=np.int64)
    taken = dup._take_texts(column, rows)
    assert isinstance(taken, pa.Array) and taken.to_pylist() == [flat[r] for r in rows]


def test_numbers_read_from_the_text_column_the_corpus_was_built_from(notices):
    body = ct.Corpus.from_docs(NOTICES.rename(columns={"text": "body"}), text="body", cache=False, progress=False)
    pd.testing.assert_frame_equal(ct.near_duplicates(body), ct.near_duplicates(notices))


def test_texts_read_in_batches_give_the_same_groups(notices, monkeypatch):
    expected = ct.near_duplicates(notices)
    for batch in (1, 2, 4):
        monkeypatch.setattr(dup, "_TEXT_BATCH", batch)
        pd.testing.assert_frame_equal(ct.near_duplicates(notices), expected)


def test_numbers_need_texts():
    no_text = ct.Corpus(NOTICES[["title"]], ["cts", "shr"], np.array([1, 0, 1, 0], dtype=np.int32),
                        np.array([0, 2, 4, 4, 4, 4, 4]), np.array([0, 2, 4]))
    with pytest.raises(ValueError) as err:
        ct.near_duplicates(no_text)
    assert str(err.value) == (
        "near_duplicates compares the numbers of the texts, which this corpus leaves out of its tokens, but it has "
        "no texts to read them from (no text column in its docs, and no file it was built from). Pass "
        "check_numbers=False to compare the words alone, or build the corpus with numbers=True.")
    assert ct.near_duplicates(no_text, check_numbers=False)["doc_id"].tolist() == ["acme", "bolt"]
    with pytest.raises(ValueError, match=re.escape("`check_numbers` must be one of [True, False]; got 'yes'.")):
        ct.near_duplicates(no_text, check_numbers="yes")


NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
text_parts = st.lists(st.sampled_from(["1", "2", "12", "0", "7", ",", ".", " ", "x", "é", "\n", "-", "/"]),
                      max_size=25).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(text_parts, st.none()), min_size=1, max_size=8))
def test_numbers_of_the_texts_match_a_regular_expression(texts):
    # runs of digits with single commas or points between digits, found in the UTF-8 bytes of
    # the texts side by side; the digests and the shared counts against Python sets and lists
    data, offsets = dup._utf8(dup._arrow_texts(pd.Series(texts, dtype=object)))
    sequence, values, size, digest = dup._numbers_in(data, offsets)
    found = [NUMBER.findall(t or "") for t in texts]
    assert size.tolist() == [len(set(f)) for f in found]
    start = np.cumsum(size) - size
    pairs = np.array([(i, j) for i in range(len(texts)) for j in range(len(texts)) if size[i] + size[j]])
    if not len(pairs):
        return
    _, _, common = dup._overlap(values, start, size, pairs[:, 0], pairs[:, 1])
    for (i, j), c in zip(pairs, common):
        assert c == len(set(found[i]) & set(found[j]))
    for i in range(len(texts)):
        for j in range(len(texts)):
            assert (digest[i] == digest[j]) == (set(found[i]) == set(found[j]))
            assert (sequence[i] == sequence[j]) == (found[i] == found[j])


@pytest.fixture
def reuters_2000(corpora):
    """The first 2,000 Reuters-21578 articles: copies, contained copies and templated notices."""
    return ct.Corpus.from_docs(ct.load(str(corpora / "reuters21578" / "reut2-00[01].sgm")), cache=False,
                               progress=False)


def test_verification_in_small_blocks_gives_the_same_table(reuters_2000, monkeypatch, tmp_path):
    # the candidate pairs are verified, their numbers compared and the LSH partners held a block at
    # a time; blocks of a few pairs and documents must find the very same groups and counts
    expected = ct.near_duplicates(reuters_2000)
    # the slice exercises every step: near pairs, exact containment checks, pairs refused for their numbers
    assert expected.attrs["n_candidates"] > 1000 and expected.attrs["n_checked_exactly"] > 50
    assert expected.attrs["n_refused_numbers"] > 20 and set(expected["kind"]) == {"first", "exact", "near", "contained"}
    monkeypatch.setattr(dup, "_VERIFY_BLOCK", 7)
    monkeypatch.setattr(dup, "_PARTNER_COLUMNS", 64)
    # and the signatures wait for the table in a temporary file, which is gone at once
    monkeypatch.setattr(dup, "_SPILL_BYTES", 0)
    monkeypatch.setattr(dup, "_spill_saves_memory", lambda: True)  # whatever file system the test's folder is on
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill))
    spilled = []
    real = dup._spilled
    monkeypatch.setattr(dup, "_spilled", lambda a: spilled.append(real(a)) or spilled[-1])
    for n_jobs in (1, 2):
        got = ct.near_duplicates(reuters_2000, n_jobs=n_jobs)
        pd.testing.assert_frame_equal(got, expected)
        assert {k: v for k, v in got.attrs.items() if k != "seconds"} == \
            {k: v for k, v in expected.attrs.items() if k != "seconds"}
    assert len(spilled) == 2 and all(isinstance(a, np.memmap) for a in spilled)
    assert list(spill.iterdir()) == []


def test_the_numpy_forms_give_the_same_table(reuters_2000, monkeypatch):
    # a build without a C compiler: MinHash and the exact checks in numpy, the same table
    expected = ct.near_duplicates(reuters_2000, n_jobs=2)
    for compiled in ("_digests_c", "_shingles_c", "_minhash", "_band_keys_c", "_band_partners_c", "_intersect_counts"):
        monkeypatch.setattr(dup, compiled, None)
    got = ct.near_duplicates(reuters_2000, n_jobs=2)
    pd.testing.assert_frame_equal(got, expected)
    assert {k: v for k, v in got.attrs.items() if k != "seconds"} == \
        {k: v for k, v in expected.attrs.items() if k != "seconds"}


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 60), st.integers(1, 6), st.integers(0, 2**32 - 1), st.booleans())
def test_best_pair_per_link_matches_the_plain_definition(n_pairs, n_groups, seed, large_labels):
    # scores with ties; group labels near 2**31 take the path of a stable argsort (the packed
    # keys would not fit in 63 bits)
    rng = np.random.default_rng(seed)
    offset = 2**31 - 10 if large_labels else 0
    comp = rng.integers(0, n_groups, size=20).astype(np.int64) + offset
    a, b = rng.integers(0, 20, size=n_pairs), rng.integers(0, 20, size=n_pairs)
    pairs = rng.permutation(n_pairs)[: max(1, n_pairs // 2)]
    score = rng.integers(0, 3, size=len(pairs)) / 2
    best = {}
    for i, p in enumerate(pairs.tolist()):
        link = tuple(sorted((int(comp[a[p]]), int(comp[b[p]]))))
        if link not in best or score[i] > score[best[link]]:
            best[link] = i
    got = dup._best_per_link(comp, a, b, pairs, score, 2**40)
    assert sorted(got.tolist()) == sorted(best.values())


@pytest.mark.parametrize("kind, spills", [("ext4", True), ("tmpfs", False), ("nfs", False), (None, False)])
def test_signatures_are_spilled_only_to_a_local_disk(monkeypatch, kind, spills):
    from corpus_tools import _storage

    monkeypatch.setattr(_storage, "_fs_type", lambda device: kind)
    assert dup._spill_saves_memory() is spills
    monkeypatch.setattr(dup, "_SPILL_BYTES", 0)
    sig = np.arange(24, dtype=np.uint32).reshape(6, 4)
    out = dup._spilled(sig)
    assert isinstance(out, np.memmap) is (spills and sys.platform.startswith("linux")) and np.array_equal(out, sig)
