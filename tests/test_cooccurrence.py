"""Co-occurrence, association measures, collocates, graphs and trends."""
from __future__ import annotations

import math
import re
import weakref
from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

import corpus_tools as ct
from corpus_tools import _storage
from corpus_tools.analyses import _cooc_counts
from corpus_tools.analyses.association import MEASURES, association
from corpus_tools.analyses.cooccurrence import _by_count, pair_matrix
from corpus_tools.corpus import Corpus

# ---------------------------------------------------------------------- a corpus small enough to count by hand
#   d1: [apple banana cherry] [apple date]     (two sentences)
#   d2: [banana cherry] [banana]
#   d3: [apple cherry date]
#   d4: [egg]
TEXTS = {"d1": "apple banana cherry. apple date.", "d2": "banana cherry. banana",
         "d3": "apple cherry date", "d4": "egg"}


def _docs(texts=TEXTS, dates=None):
    docs = pd.DataFrame({"text": list(texts.values())}, index=pd.Index(list(texts), name="doc_id"))
    if dates is not None:
        docs["date"] = pd.to_datetime(dates)
    return docs


@pytest.fixture
def fruit():
    return Corpus.from_docs(_docs(), stopwords=None, min_length=1, cache=False, progress=False)


def _table(result):
    """{(term1, term2): row} of a cooccurrence result."""
    return {(r.term1, r.term2): r for r in result.itertuples(index=False)}


# Hand counts, unit by unit (see the comment above TEXTS).
# Documents: N = 4; document frequencies apple 2 (d1 d3), banana 2 (d1 d2), cherry 3, date 2.
DOC_N = 4
DOC_F = {"apple": 2, "banana": 2, "cherry": 3, "date": 2, "egg": 1}
DOC_A = {("apple", "banana"): 1, ("apple", "cherry"): 2, ("apple", "date"): 2,
         ("banana", "cherry"): 2, ("banana", "date"): 1, ("cherry", "date"): 2}
# Sentences: s1 [apple banana cherry] s2 [apple date] s3 [banana cherry] s4 [banana] s5 [apple cherry date] s6 [egg]
SENT_N = 6
SENT_F = {"apple": 3, "banana": 3, "cherry": 3, "date": 2, "egg": 1}
SENT_A = {("apple", "banana"): 1, ("apple", "cherry"): 2, ("apple", "date"): 2,
          ("banana", "cherry"): 2, ("cherry", "date"): 1}
# Window 2: ordered pairs of positions at most 2 apart. d1 (5 tokens): 4 + 3 = 7 unordered pairs,
# d2: 3, d3: 3 -> 13 unordered, N = 26 ordered.
# d1 a0 b1 c2 a3 d4: (a,b)(a,c)(b,c)(b,a)(c,a)(c,d)(a,d); d2 b0 c1 b2: (b,c)(b,b)(c,b); d3 a0 c1 d2: (a,c)(a,d)(c,d)
WIN_N = 2 * (7 + 3 + 3)
WIN_A = {("apple", "banana"): 2, ("apple", "cherry"): 2 + 1, ("apple", "date"): 1 + 1,
         ("banana", "cherry"): 1 + 2, ("cherry", "date"): 1 + 1}
# ordered pairs with the term first = its positions' neighbours within 2:
# apple a0 2 + a3 3 in d1, 2 in d3; banana 3 in d1, b0 2 + b2 2 in d2 (b,b counts once for each b);
# cherry 4 + 2 + 2; date 2 + 2
WIN_F = {"apple": 5 + 2, "banana": 3 + 4, "cherry": 4 + 2 + 2, "date": 2 + 2, "egg": 0}


def test_document_counts_and_marginals_by_hand(fruit):
    result = ct.cooccurrence(fruit, measure="count", min_count=1)
    assert {k: r.count for k, r in _table(result).items()} == DOC_A
    for (t1, t2), row in _table(result).items():
        assert (row.freq1, row.freq2) == (DOC_F[t1], DOC_F[t2])
        assert row.value == DOC_A[(t1, t2)]
    assert result.attrs == {"measure": "count", "window": None, "unit": "documents", "n_units": DOC_N}
    assert list(result.columns) == ["term1", "term2", "count", "freq1", "freq2", "value"]
    # best first, ties: higher count then alphabetical
    assert list(zip(result.term1, result.term2))[:4] == [
        ("apple", "cherry"), ("apple", "date"), ("banana", "cherry"), ("cherry", "date")]


def test_sentence_and_window_counts_by_hand(fruit):
    sent = ct.cooccurrence(fruit, window="sentence", measure="count", min_count=1)
    assert {k: r.count for k, r in _table(sent).items()} == SENT_A
    assert all((r.freq1, r.freq2) == (SENT_F[a], SENT_F[b]) for (a, b), r in _table(sent).items())
    assert sent.attrs["n_units"] == SENT_N and sent.attrs["unit"] == "sentences"

    win = ct.cooccurrence(fruit, window=2, measure="count", min_count=1)
    assert {k: r.count for k, r in _table(win).items()} == WIN_A
    assert all((r.freq1, r.freq2) == (WIN_F[a], WIN_F[b]) for (a, b), r in _table(win).items())
    assert win.attrs["n_units"] == WIN_N and win.attrs["unit"] == "window pairs"


def _g2_by_hand(a, f1, f2, n):
    cells = [(a, f1 * f2 / n), (f1 - a, f1 * (n - f2) / n), (f2 - a, (n - f1) * f2 / n),
             (n - f1 - f2 + a, (n - f1) * (n - f2) / n)]
    g2 = 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)
    return g2 if a * n >= f1 * f2 else -g2


@pytest.mark.parametrize("window,n,f,joint", [
    (None, DOC_N, DOC_F, DOC_A), ("sentence", SENT_N, SENT_F, SENT_A), (2, WIN_N, WIN_F, WIN_A)])
def test_every_measure_by_hand(fruit, window, n, f, joint):
    tables = {m: _table(ct.cooccurrence(fruit, window=window, measure=m, min_count=1)) for m in MEASURES}
    for (t1, t2), a in joint.items():
        f1, f2 = f[t1], f[t2]
        pmi = math.log2(a * n / (f1 * f2))
        expected = {
            "count": a,
            "pmi": pmi,
            "npmi": pmi / -math.log2(a / n),
            "ppmi": max(pmi, 0.0),
            "log_dice": 14 + math.log2(2 * a / (f1 + f2)),
            "g2": _g2_by_hand(a, f1, f2, n),
            "jaccard": a / (f1 + f2 - a),
            "t_score": (a - f1 * f2 / n) / math.sqrt(a),
        }
        for m, value in expected.items():
            assert tables[m][(t1, t2)].value == pytest.approx(value, rel=1e-12, abs=1e-12), (m, t1, t2)


def test_document_measures_spelled_out(fruit):
    # apple & cherry: in 2 of 4 documents; apple in 2, cherry in 3
    row = _table(ct.cooccurrence(fruit, measure="pmi", min_count=1))[("apple", "cherry")]
    assert row.value == pytest.approx(math.log2((2 / 4) / ((2 / 4) * (3 / 4))))
    # banana & date: 1 of 4 documents, each in 2: p(x,y) = 1/4 = p(x) p(y) -> independent
    row = _table(ct.cooccurrence(fruit, measure="npmi", min_count=1))[("banana", "date")]
    assert row.value == pytest.approx(0.0, abs=1e-15)
    # cherry & date: expected 3 * 2 / 4 = 1.5 documents, observed 2
    row = _table(ct.cooccurrence(fruit, measure="t_score", min_count=1))[("cherry", "date")]
    assert row.value == pytest.approx((2 - 1.5) / math.sqrt(2))


def test_npmi_is_one_for_pairs_in_every_unit():
    # a == n makes -log p(x,y) zero; perfect co-occurrence is 1 by convention
    assert association("npmi", 3, 3, 3, 3).tolist() == [1.0]
    assert association("npmi", 1, 1, 1, 2).tolist() == [1.0]


def test_g2_sign_follows_observed_vs_expected():
    assert association("g2", 1, 2, 2, 4).tolist() == [0.0]        # 1 == 2 * 2 / 4
    assert association("g2", 2, 2, 2, 4)[0] > 0
    assert association("g2", 1, 3, 3, 4)[0] < 0                   # expected 2.25


def test_min_count_and_top(fruit):
    result = ct.cooccurrence(fruit, measure="count", min_count=2)
    assert set(zip(result.term1, result.term2)) == {k for k, v in DOC_A.items() if v >= 2}
    assert len(ct.cooccurrence(fruit, measure="count", min_count=1, top=2)) == 2
    assert ct.cooccurrence(fruit, min_count=5).empty


def test_terms_restricts_pairs_but_not_marginals(fruit):
    result = ct.cooccurrence(fruit, terms=["date", "apple", "cherry"], window=2, measure="count", min_count=1)
    assert set(zip(result.term1, result.term2)) == {("apple", "cherry"), ("apple", "date"), ("cherry", "date")}
    # marginals still count every window pair of the corpus, not only pairs among the chosen terms
    assert _table(result)[("apple", "cherry")].freq1 == WIN_F["apple"]
    # an int picks the most frequent terms: cherry (4 tokens), then apple and banana (3 each)
    top3 = ct.cooccurrence(fruit, terms=3, measure="count", min_count=1)
    assert set(top3.term1) | set(top3.term2) == {"apple", "banana", "cherry"}


def test_terms_errors(fruit):
    with pytest.raises(KeyError, match=re.escape("2 of the requested terms are not in the vocabulary (5 terms): "
                                                 "['Apple', 'kiwi']")):
        ct.cooccurrence(fruit, terms=["Apple", "kiwi", "date"])
    with pytest.raises(KeyError, match=re.escape("close terms: 'Apple' -> ['apple']")):
        ct.cooccurrence(fruit, terms=["Apple"])
    with pytest.raises(TypeError, match=re.escape("For the neighbours of one term use ct.collocates(corpus, 'apple')")):
        ct.cooccurrence(fruit, terms="apple")


def test_option_errors(fruit):
    with pytest.raises(ValueError, match=re.escape(
            "`measure` must be one of ['count', 'pmi', 'npmi', 'ppmi', 'log_dice', 'g2', 'jaccard', 't_score']; "
            "got 'mi'.")):
        ct.cooccurrence(fruit, measure="mi")
    with pytest.raises(ValueError, match=re.escape(
            "`window` must be None (documents), 'sentence' or a positive int (tokens); got 0.")):
        ct.cooccurrence(fruit, window=0)
    with pytest.raises(ValueError, match=re.escape("got 'paragraph'")):
        ct.cooccurrence(fruit, window="paragraph")
    with pytest.raises(ValueError, match=re.escape("`min_count` must be an integer >= 1; got 0.")):
        ct.cooccurrence(fruit, min_count=0)
    with pytest.raises(ValueError, match=re.escape("`top` must be None or an integer >= 1; got 2.5.")):
        ct.cooccurrence(fruit, top=2.5)


# ---------------------------------------------------------------------- collocates
def test_collocates_window_by_hand(fruit):
    # apple at d1:0, d1:3, d3:0; within 2: d1:0 -> banana(R) cherry(R); d1:3 -> banana(L) cherry(L) date(R);
    # d3:0 -> cherry(R) date(R)
    result = ct.collocates(fruit, "apple", window=2, measure="count", min_count=1)
    assert list(result.columns) == ["node", "collocate", "count", "left", "right", "collocate_freq", "value"]
    rows = {r.collocate: r for r in result.itertuples(index=False)}
    assert {c: (r.count, r.left, r.right) for c, r in rows.items()} == {
        "cherry": (3, 1, 2), "banana": (2, 1, 1), "date": (2, 0, 2)}
    assert {c: r.collocate_freq for c, r in rows.items()} == {c: WIN_F[c] for c in rows}
    assert result.attrs["node_freq"] == WIN_F["apple"] and result.attrs["n_units"] == WIN_N
    assert list(result.collocate) == ["cherry", "banana", "date"]


def test_collocates_window_by_hand_in_blocks_of_tokens(fruit, monkeypatch):
    # the node's positions found a block of 1, 2 and 3 tokens at a time: the same sides
    from corpus_tools import _storage

    expected = ct.collocates(fruit, "apple", window=2, measure="count", min_count=1)
    for tokens in (1, 2, 3):
        monkeypatch.setattr(_storage, "_BLOCK_BYTES", 4 * tokens)
        pd.testing.assert_frame_equal(ct.collocates(fruit, "apple", window=2, measure="count", min_count=1), expected)


def test_collocates_agree_with_cooccurrence(fruit):
    for window in (None, "sentence", 1, 2, 3):
        for measure in ("npmi", "g2", "log_dice"):
            col = ct.collocates(fruit, "cherry", window=window, measure=measure, min_count=1, top=None)
            pairs = ct.cooccurrence(fruit, window=window, measure=measure, min_count=1)
            mine = pairs[(pairs.term1 == "cherry") | (pairs.term2 == "cherry")]
            expected = {(r.term2 if r.term1 == "cherry" else r.term1): (r.count, r.value) for r in mine.itertuples()}
            got = {r.collocate: (r.count, r.value) for r in col.itertuples()}
            assert got.keys() == expected.keys()
            for term, (count, value) in expected.items():
                assert got[term][0] == count and got[term][1] == pytest.approx(value)


def test_collocates_sentence_has_no_sides(fruit):
    result = ct.collocates(fruit, "apple", window="sentence", measure="count", min_count=1)
    assert result.left.isna().all() and result.right.isna().all()
    assert dict(zip(result.collocate, result["count"])) == {"cherry": 2, "date": 2, "banana": 1}


def test_collocates_errors(fruit):
    with pytest.raises(KeyError, match=re.escape("term 'aple' is not in the vocabulary (5 terms); close terms: ['apple']")):
        ct.collocates(fruit, "aple")
    with pytest.raises(TypeError, match=re.escape("`node` must be one term (a string); got list ['apple']")):
        ct.collocates(fruit, ["apple"])
    with pytest.raises(ValueError, match=re.escape("`window` must be None (documents), 'sentence' or a positive int")):
        ct.collocates(fruit, "apple", window=-1)


# ---------------------------------------------------------------------- properties on random corpora
def _random_corpus(seqs, sentence_breaks, n_terms, vocab=None):
    lengths = [len(s) for s in seqs]
    ids = np.array([t for s in seqs for t in s], dtype=np.int32)
    doc_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    starts = set(doc_offsets[:-1].tolist())
    starts |= {int(doc_offsets[d]) + b for d, (seq, breaks) in enumerate(zip(seqs, sentence_breaks))
               for b in breaks if 0 < b < len(seq)}
    starts = sorted(s for s in starts if s < len(ids))
    sent_offsets = np.array(starts + [len(ids)], dtype=np.int64)
    docs = pd.DataFrame({"text": [""] * len(seqs)}, index=pd.Index([f"d{i}" for i in range(len(seqs))], name="doc_id"))
    vocab = [f"t{j:02d}" for j in range(n_terms)] if vocab is None else vocab
    return Corpus(docs, vocab, ids, doc_offsets, sent_offsets)


@st.composite
def random_corpora(draw, shuffled_vocab=False):
    """Small random corpora; ``shuffled_vocab``: term ids not in alphabetical order (a vocabulary built elsewhere)."""
    n_terms = draw(st.integers(2, 8))
    n_docs = draw(st.integers(1, 6))
    seqs = [draw(st.lists(st.integers(0, n_terms - 1), min_size=1, max_size=14)) for _ in range(n_docs)]
    breaks = [draw(st.lists(st.integers(1, 13), max_size=3)) for _ in range(n_docs)]
    vocab = draw(st.permutations([f"t{j:02d}" for j in range(n_terms)])) if shuffled_vocab else None
    return _random_corpus(seqs, breaks, n_terms, vocab)


def _window_counter(corpus, k):
    """The tutorial way: a Counter over pairs in a double loop, one document at a time."""
    counter = Counter()
    for d in range(corpus.n_docs):
        seq = corpus.ids[corpus.doc_offsets[d]:corpus.doc_offsets[d + 1]].tolist()
        for i in range(len(seq)):
            for j in range(i + 1, min(i + k + 1, len(seq))):
                if seq[i] != seq[j]:
                    counter[(min(seq[i], seq[j]), max(seq[i], seq[j]))] += 1
    return counter


@settings(max_examples=60, deadline=None)
@given(random_corpora())
def test_document_cooccurrence_properties(corpus):
    binary = (corpus.dtm > 0).astype(np.int64)
    full = (binary.T @ binary).toarray()
    assert (full == full.T).all()
    df = np.asarray(binary.sum(axis=0)).ravel()
    assert (np.diag(full) == df).all()
    result = ct.cooccurrence(corpus, measure="count", min_count=1)
    got = np.zeros_like(full)
    for r in result.itertuples():
        i, j = corpus.term_id(r.term1), corpus.term_id(r.term2)
        assert i < j
        assert (r.freq1, r.freq2) == (df[i], df[j])
        got[i, j] = got[j, i] = r.count
    np.fill_diagonal(full, 0)
    assert (got == full).all()
    assert ((result["count"] >= 1) & (result["count"] <= corpus.n_docs)).all()
    # the dense table built from the pairs is symmetric with a blank diagonal
    mat = pair_matrix(result, value="count").to_numpy()
    assert np.array_equal(np.isnan(mat), np.isnan(mat.T)) and np.isnan(np.diag(mat)).all()
    assert np.array_equal(np.nan_to_num(mat), np.nan_to_num(mat.T))


@settings(max_examples=60, deadline=None)
@given(random_corpora(), st.integers(1, 4))
def test_window_counts_match_a_python_loop(corpus, k):
    result = ct.cooccurrence(corpus, window=k, measure="count", min_count=1)
    got = {(corpus.term_id(r.term1), corpus.term_id(r.term2)): r.count for r in result.itertuples()}
    assert got == dict(_window_counter(corpus, k))
    cf = np.asarray(corpus.dtm.sum(axis=0)).ravel()
    n_units = result.attrs["n_units"]
    # every pair of positions within k of each other, counted once with each first
    assert n_units == 2 * sum(max(0, L - d) for L in corpus.doc_lengths for d in range(1, k + 1))
    assert result["count"].sum() <= n_units
    for (i, j), count in got.items():
        # each occurrence of a term has at most 2k neighbours; a count never exceeds the positions it needs
        assert count <= 2 * k * min(cf[i], cf[j])


@settings(max_examples=60, deadline=None)
@given(random_corpora(), st.sampled_from([None, "sentence", 1, 3]))
def test_npmi_within_bounds_and_marginals_consistent(corpus, window):
    result = ct.cooccurrence(corpus, window=window, measure="npmi", min_count=1)
    assert ((result.value >= -1) & (result.value <= 1)).all()
    n = result.attrs["n_units"]
    # a valid 2x2 table: a <= f1, f2 <= n and f1 + f2 - a <= n
    assert (result["count"] <= result[["freq1", "freq2"]].min(axis=1)).all()
    assert (result.freq1 + result.freq2 - result["count"] <= n).all()


@settings(max_examples=40, deadline=None)
@given(random_corpora(), st.integers(1, 3))
def test_window_marginals_match_enumeration(corpus, k):
    f, n = _cooc_counts.window_marginals(corpus, k)
    expected = np.zeros(corpus.n_terms, dtype=np.int64)
    total = 0
    for d in range(corpus.n_docs):
        seq = corpus.ids[corpus.doc_offsets[d]:corpus.doc_offsets[d + 1]].tolist()
        for i in range(len(seq)):
            for j in range(i + 1, min(i + k + 1, len(seq))):
                total += 2  # (i, j) and (j, i)
                expected[seq[i]] += 1
                expected[seq[j]] += 1
    assert n == total
    assert f.tolist() == expected.tolist()


def _scipy_window_counts(corpus, k, sel):
    """{(id1, id2): count} of the terms ``sel`` (ids, id1 < id2) the plain scipy way: a sparse
    matrix of the ordered position pairs at each distance 1..k within a document, summed and folded."""
    local = np.full(corpus.n_terms, -1)
    local[sel] = np.arange(len(sel))
    rows = corpus.token_doc_rows()
    ids = local[corpus.ids]
    total = sp.csr_matrix((len(sel), len(sel)), dtype=np.int64)
    for d in range(1, k + 1):
        keep = (rows[:-d] == rows[d:]) & (ids[:-d] >= 0) & (ids[d:] >= 0)
        first, second = ids[:-d][keep], ids[d:][keep]
        total = total + sp.csr_matrix((np.ones(len(first), dtype=np.int64), (first, second)), shape=total.shape)
    upper = sp.triu(total + total.T, k=1).tocoo()  # (a, b) and (b, a) are one pair; a term with itself is none
    return {(int(sel[i]), int(sel[j])): int(v) for i, j, v in zip(upper.row, upper.col, upper.data)}


@st.composite
def corpora_with_short_documents(draw):
    """Small random corpora whose documents may be empty or shorter than the window."""
    n_terms = draw(st.integers(2, 6))
    seqs = draw(st.lists(st.lists(st.integers(0, n_terms - 1), max_size=9), min_size=1, max_size=7))
    return _random_corpus(seqs, [[] for _ in seqs], n_terms)


def _window_loop(corpus, k, sel):
    """({(id1, id2): joint count}, {id: ordered pairs it opens}, ordered pairs) of the selected
    terms, by a double loop over the token positions of each document."""
    joint, opens, n = Counter(), Counter(), 0
    for d in range(corpus.n_docs):
        seq = corpus.ids[corpus.doc_offsets[d]:corpus.doc_offsets[d + 1]].tolist()
        for p in range(len(seq)):
            for q in range(len(seq)):
                if p == q or abs(p - q) > k:
                    continue
                n += 1
                opens[seq[p]] += 1
                if p < q and seq[p] != seq[q] and seq[p] in sel and seq[q] in sel:
                    joint[(min(seq[p], seq[q]), max(seq[p], seq[q]))] += 1
    return joint, opens, n


@settings(max_examples=80, deadline=None)
@given(corpora_with_short_documents(), st.integers(1, 5), st.data())
def test_window_counts_in_blocks_of_documents_match_a_double_loop(corpus, k, data):
    block = data.draw(st.sampled_from([1, 2, 3, 7, 10**6]), label="TOKEN_CHUNK")
    terms = data.draw(st.one_of(st.integers(1, corpus.n_terms + 1),
                                st.lists(st.sampled_from(list(corpus.vocab)), min_size=1, unique=True)), label="terms")
    measure = data.draw(st.sampled_from(MEASURES), label="measure")
    min_count = data.draw(st.integers(1, 3), label="min_count")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_cooc_counts, "TOKEN_CHUNK", block)
        patch.setattr(_cooc_counts, "DENSE_CELLS", data.draw(st.sampled_from([1 << 24, 0]), label="DENSE_CELLS"))
        result = ct.cooccurrence(corpus, terms=terms, window=k, measure=measure, min_count=min_count)
    cf = np.bincount(corpus.ids, minlength=corpus.n_terms)
    if isinstance(terms, int):  # the most frequent, ties by term
        sel = set(sorted(range(corpus.n_terms), key=lambda t: (-cf[t], t))[:terms])
    else:
        sel = {corpus.term_id(t) for t in terms}
    joint, opens, n = _window_loop(corpus, k, sel)
    ids = [(corpus.term_id(a), corpus.term_id(b)) for a, b in zip(result.term1, result.term2)]
    assert dict(zip(ids, result["count"].tolist())) == {p: c for p, c in joint.items() if c >= min_count}
    assert result.freq1.tolist() == [opens[a] for a, _ in ids]
    assert result.freq2.tolist() == [opens[b] for _, b in ids]
    assert result.attrs["n_units"] == n
    expected = association(measure, result["count"].to_numpy(), result.freq1.to_numpy(), result.freq2.to_numpy(), n)
    assert np.array_equal(result.value.to_numpy(), expected)


def test_document_blocks_cut_where_documents_start():
    # documents of 3, 0, 7, 2, 0 and 1 tokens in blocks of 4: the 7 tokens are a block of their own
    offsets = np.array([0, 3, 3, 10, 12, 12, 13])
    assert list(_cooc_counts._document_blocks(offsets, 4)) == [(0, 2), (2, 3), (3, 6)]
    assert list(_cooc_counts._document_blocks(offsets, 1)) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 6)]
    assert list(_cooc_counts._document_blocks(np.array([0, 0, 0]), 1)) == [(0, 2)]
    assert list(_cooc_counts._document_blocks(np.array([0]), 4)) == []


class _SliceLog(np.ndarray):
    """A token array that records the length of every slice read from it."""

    def __getitem__(self, key):
        out = super().__getitem__(key)
        if isinstance(key, slice):
            self.read.append((key.start, key.stop))
        return out


def test_window_pairs_read_the_tokens_a_block_at_a_time(monkeypatch):
    # documents of 3, 0, 7, 2 and 1 tokens: no read holds more than 4 tokens or one longer document
    seqs = [[0, 1, 2], [], [1, 0, 1, 2, 2, 0, 1], [2, 0], [1]]
    corpus = _random_corpus(seqs, [[] for _ in seqs], 3)
    monkeypatch.setattr(_cooc_counts, "TOKEN_CHUNK", 4)
    ids = corpus.ids.view(_SliceLog)
    ids.read = []
    i, j, a, f, n = _cooc_counts.window_pairs(ids, corpus.doc_offsets, 2, np.arange(3, dtype=np.int32), 3, 1)
    assert ids.read == [(0, 3), (3, 10), (10, 13)]
    # by hand, k = 2: (0, 1) once in the first document and 3 times in the third; (0, 2) 1 + 3 + 1;
    # (1, 2) 1 + 3. Ordered pairs: 2 * (3 + 11 + 1); each term opens 9, 10 and 11 of them
    assert (i.tolist(), j.tolist(), a.tolist()) == ([0, 0, 1], [1, 2, 2], [4, 5, 4])
    assert f.tolist() == [9, 10, 11] and n == 30


def _marginals_by_position(corpus, k):
    """([ordered pairs each term opens], ordered pairs), a token position at a time: position p
    opens a pair with every other position of its document at most k away."""
    f, n = [0] * corpus.n_terms, 0
    for d in range(corpus.n_docs):
        seq = corpus.ids[corpus.doc_offsets[d]:corpus.doc_offsets[d + 1]].tolist()
        for p, term in enumerate(seq):
            partners = sum(1 for q in range(len(seq)) if q != p and abs(q - p) <= k)
            f[term] += partners
            n += partners
    return f, n


@settings(max_examples=80, deadline=None)
@given(corpora_with_short_documents(), st.integers(1, 6), st.sampled_from([1, 2, 3, 7, 10**6]))
def test_window_marginals_in_blocks_of_documents_match_a_loop_over_positions(corpus, k, block):
    # empty documents, documents shorter than the window, documents longer than a block
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_cooc_counts, "TOKEN_CHUNK", block)
        f, n = _cooc_counts.window_marginals(corpus, k)
    expected_f, expected_n = _marginals_by_position(corpus, k)
    assert f.dtype == np.int64 and f.tolist() == expected_f
    assert n == expected_n


class _Tokens:
    """The parts of a corpus window_marginals reads."""

    def __init__(self, ids, doc_offsets, n_terms):
        self.ids, self.doc_offsets, self.n_terms = ids, doc_offsets, n_terms


def test_window_marginals_read_the_tokens_a_block_at_a_time(monkeypatch):
    # the documents of the window_pairs test above, in blocks of 4 tokens; each block's tokens are
    # let go of once counted
    seqs = [[0, 1, 2], [], [1, 0, 1, 2, 2, 0, 1], [2, 0], [1]]
    corpus = _random_corpus(seqs, [[] for _ in seqs], 3)
    monkeypatch.setattr(_cooc_counts, "TOKEN_CHUNK", 4)
    released = []
    monkeypatch.setattr(_cooc_counts, "release_part", lambda part: released.append(part.tolist()))
    ids = corpus.ids.view(_SliceLog)
    ids.read = []
    f, n = _cooc_counts.window_marginals(_Tokens(ids, corpus.doc_offsets, 3), 2)
    assert ids.read == [(0, 3), (3, 10), (10, 13)]
    assert released == [[0, 1, 2], [1, 0, 1, 2, 2, 0, 1], [2, 0, 1]]
    # by hand, k = 2: the positions open 2 2 2 | 2 3 4 4 4 3 2 | 1 1 | 0 pairs
    assert f.tolist() == [9, 10, 11] and n == 30


def _assert_best_first_by_count(result):
    rows = list(zip(result["count"], result.term1, result.term2))
    assert all(t1 < t2 for _, t1, t2 in rows)
    assert rows == sorted(rows, key=lambda r: (-r[0], r[1], r[2]))


@settings(max_examples=60, deadline=None)
@given(random_corpora(shuffled_vocab=True), st.integers(1, 4), st.data())
def test_window_counts_of_a_selection_match_scipy_on_both_paths(corpus, k, data):
    chosen = data.draw(st.lists(st.sampled_from(list(corpus.vocab)), min_size=1, unique=True), label="terms")
    chunk = data.draw(st.sampled_from([1, 3, 1000]), label="TOKEN_CHUNK")
    frames = []
    # the dense bincount of pair cells and the sparse coo -> csr sum; int32 and int64 positions
    for dense_cells, int32_positions in ((1 << 24, 2**31 - 1), (0, 2**31 - 1), (1 << 24, 0)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_cooc_counts, "DENSE_CELLS", dense_cells)
            patch.setattr(_cooc_counts, "TOKEN_CHUNK", chunk)
            patch.setattr(_cooc_counts, "INT32_POSITIONS", int32_positions)
            frames.append(ct.cooccurrence(corpus, terms=chosen, window=k, measure="count", min_count=1))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])
    result = frames[0]
    sel = np.sort(corpus.vocab.get_indexer(chosen))
    ids = [(corpus.term_id(a), corpus.term_id(b)) for a, b in zip(result.term1, result.term2)]
    got = {(min(p), max(p)): c for p, c in zip(ids, result["count"].tolist())}
    assert got == _scipy_window_counts(corpus, k, sel)
    # the marginals of the selected terms are those of the whole corpus
    f, n = _cooc_counts.window_marginals(corpus, k)
    assert result.freq1.tolist() == [f[a] for a, _ in ids] and result.freq2.tolist() == [f[b] for _, b in ids]
    assert result.attrs["n_units"] == n
    assert (result.value == result["count"]).all()
    _assert_best_first_by_count(result)


@settings(max_examples=40, deadline=None)
@given(random_corpora(shuffled_vocab=True), st.sampled_from([None, "sentence", 1, 3]))
def test_pairs_follow_the_text_order_whatever_the_term_ids(corpus, window):
    by_count = ct.cooccurrence(corpus, window=window, measure="count", min_count=1)
    _assert_best_first_by_count(by_count)
    npmi = ct.cooccurrence(corpus, window=window, measure="npmi", min_count=1)
    rows = list(zip(npmi.value, npmi["count"], npmi.term1, npmi.term2))
    assert all(t1 < t2 for *_, t1, t2 in rows)
    assert rows == sorted(rows, key=lambda r: (-r[0], -r[1], r[2], r[3]))
    # the same pairs and counts under both measures
    assert dict(zip(zip(npmi.term1, npmi.term2), npmi["count"])) == dict(
        zip(zip(by_count.term1, by_count.term2), by_count["count"]))


@settings(max_examples=60, deadline=None)
@given(random_corpora(), st.integers(1, 9))
def test_int_terms_are_the_most_frequent_ties_by_term(corpus, n):
    pairs = ct.cooccurrence(corpus, terms=n, window=1, measure="count", min_count=1)
    cf = np.bincount(corpus.ids, minlength=corpus.n_terms)
    top = set(corpus.vocab[np.argsort(-cf, kind="stable")[:n]])
    assert set(pairs.term1) | set(pairs.term2) <= top
    # terms that meet inside the selection make a pair
    expected = {(corpus.vocab[i], corpus.vocab[j]) for i, j in _window_counter(corpus, 1)}
    assert set(zip(pairs.term1, pairs.term2)) == {p for p in expected if set(p) <= top}


def test_count_order_when_counts_overflow_the_packed_key():
    # count desc, then i and j asc; counts of 2**60 do not fit one int64 key with i and j
    a = np.array([1, 3, 3, 2, 3])
    i = np.array([0, 1, 0, 1, 2])
    j = np.array([1, 2, 3, 3, 3])
    expected = [(3, 0, 3), (3, 1, 2), (3, 2, 3), (2, 1, 3), (1, 0, 1)]
    for scale in (1, 2**60):
        got_a, got_i, got_j = _by_count(a * scale, i, j, 4)
        assert list(zip((got_a // scale).tolist(), got_i.tolist(), got_j.tolist())) == expected


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 50), st.integers(1, 50), st.integers(1, 50), st.integers(0, 60))
def test_association_bounds(a, extra1, extra2, extra_n):
    f1, f2 = a + extra1 - 1, a + extra2 - 1
    n = f1 + f2 - a + extra_n
    assert -1 <= association("npmi", a, f1, f2, n)[0] <= 1
    assert 0 <= association("jaccard", a, f1, f2, n)[0] <= 1
    assert association("log_dice", a, f1, f2, n)[0] <= 14
    assert association("ppmi", a, f1, f2, n)[0] >= 0


@pytest.mark.parametrize("dense_cells", [1 << 24, 0])
def test_chunked_and_sparse_counting_agree(monkeypatch, fruit, dense_cells):
    # small blocks and the sparse path (coo -> csr) give the counts of the one-block dense path
    expected = {w: ct.cooccurrence(fruit, window=w, measure="npmi", min_count=1) for w in (None, "sentence", 1, 2, 3)}
    monkeypatch.setattr(_cooc_counts, "DENSE_CELLS", dense_cells)
    monkeypatch.setattr(_cooc_counts, "TOKEN_CHUNK", 2)
    monkeypatch.setattr(_storage, "_BLOCK_BYTES", 8)  # blocks of 2 int32 tokens
    monkeypatch.setattr(_cooc_counts, "TERM_BLOCK", 2)
    for window, frame in expected.items():
        pd.testing.assert_frame_equal(ct.cooccurrence(fruit, window=window, measure="npmi", min_count=1), frame)


def test_listed_terms_are_counted_from_their_own_columns(monkeypatch, fruit):
    # the unit matrix of the listed terms alone, read in blocks of 2 tokens (sentences straddle
    # them) and multiplied in blocks of 2 terms. Documents: apple in d1 d3, cherry in d1 d2 d3,
    # date in d1 d3; sentences: apple in s1 s2 s5, cherry in s1 s3 s5, date in s2 s5
    monkeypatch.setattr(_storage, "_BLOCK_BYTES", 8)  # blocks of 2 int32 tokens
    monkeypatch.setattr(_cooc_counts, "TERM_BLOCK", 2)
    expected = {
        None: ([("apple", "cherry", 2), ("apple", "date", 2), ("cherry", "date", 2)],
               {"apple": 2, "cherry": 3, "date": 2}, 4),
        "sentence": ([("apple", "cherry", 2), ("apple", "date", 2), ("cherry", "date", 1)],
                     {"apple": 3, "cherry": 3, "date": 2}, 6),
    }
    for window, (pairs, freq, n_units) in expected.items():
        got = ct.cooccurrence(fruit, terms=["date", "apple", "cherry"], window=window, measure="count", min_count=1)
        assert list(zip(got.term1, got.term2, got["count"])) == pairs
        assert [freq[t] for t in got.term1] == got.freq1.tolist()
        assert [freq[t] for t in got.term2] == got.freq2.tolist()
        assert got.attrs["n_units"] == n_units


def test_most_frequent_terms_counted_in_chunks(monkeypatch, fruit):
    from corpus_tools.analyses.cooccurrence import _select_terms, _token_counts

    monkeypatch.setattr(_storage, "_BLOCK_BYTES", 12)  # blocks of 3 int32 tokens
    counts = _token_counts(fruit.ids, fruit.n_terms)
    assert dict(zip(fruit.vocab, counts.tolist())) == {"apple": 3, "banana": 3, "cherry": 3, "date": 2, "egg": 1}
    # three terms tie at 3: the first two in term order
    assert fruit.vocab[_select_terms(fruit, 2)].tolist() == ["apple", "banana"]


# ---------------------------------------------------------------------- dense matrix
def test_pair_matrix_and_memory_error(fruit):
    pairs = ct.cooccurrence(fruit, measure="count", min_count=1)
    mat = pair_matrix(pairs, terms=["cherry", "apple", "banana"])
    assert list(mat.index) == ["cherry", "apple", "banana"]
    assert mat.loc["apple", "cherry"] == mat.loc["cherry", "apple"] == 2
    assert np.isnan(mat.loc["apple", "apple"])
    # most frequent first by default (cherry in 3 documents)
    assert pair_matrix(pairs).index[0] == "cherry"
    with pytest.raises(MemoryError, match=re.escape(
            "a dense 4 x 4 term matrix needs 0.00 GiB, more than the 0.00 GiB allowed; shrink it with terms=")):
        pair_matrix(pairs, max_bytes=100)
    with pytest.raises(MemoryError, match=re.escape("a higher min_count= or top= in ct.cooccurrence")):
        pair_matrix(pairs, max_bytes=100)


# ---------------------------------------------------------------------- graph
def test_graph_attributes_and_export(fruit, tmp_path):
    pairs = ct.cooccurrence(fruit, measure="npmi", min_count=1)
    graph = ct.cooccurrence_graph(pairs, top=3)
    assert graph.number_of_edges() == 3
    best = pairs.head(3)
    for r in best.itertuples():
        edge = graph.edges[r.term1, r.term2]
        assert edge == {"weight": pytest.approx(r.value), "count": r.count}
    assert {n: graph.nodes[n]["freq"] for n in graph} == {n: DOC_F[n] for n in graph}
    assert graph.graph == {"measure": "npmi", "unit": "documents"}
    for writer, reader, name in ((nx.write_gexf, nx.read_gexf, "g.gexf"), (nx.write_graphml, nx.read_graphml, "g.graphml")):
        writer(graph, tmp_path / name)
        back = reader(tmp_path / name)
        assert set(back.nodes) == set(graph.nodes)
        assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in graph.edges}
        for u, v, data in graph.edges(data=True):
            assert float(back.edges[u, v]["weight"]) == pytest.approx(data["weight"])
            assert int(back.edges[u, v]["count"]) == data["count"]
        for n in graph:
            assert int(back.nodes[n]["freq"]) == graph.nodes[n]["freq"]


def test_graph_min_value_and_plain_tables():
    table = pd.DataFrame({"term1": ["a", "a", "b"], "term2": ["b", "c", "c"], "value": [0.9, 0.1, 0.5]})
    graph = ct.cooccurrence_graph(table, min_value=0.5)
    assert {frozenset(e) for e in graph.edges} == {frozenset("ab"), frozenset("bc")}
    assert "freq" not in graph.nodes["a"]
    with pytest.raises(ValueError, match=re.escape("`pairs` lacks the columns ['value']; it has ['term1', 'term2']")):
        ct.cooccurrence_graph(table[["term1", "term2"]])
    with pytest.raises(TypeError, match=re.escape("`pairs` must be a DataFrame from ct.cooccurrence")):
        ct.cooccurrence_graph([("a", "b")])


# ---------------------------------------------------------------------- trends
def test_cooccurrence_trends_by_hand():
    dates = ["2021-01-05", "2021-01-20", "2021-03-10", None]
    corpus = Corpus.from_docs(_docs(dates=dates), stopwords=None, min_length=1, cache=False, progress=False)
    with pytest.warns(UserWarning, match=re.escape("1 of 4 documents have no date and are left out")):
        result = ct.cooccurrence_trends(corpus, [("apple", "cherry"), ("banana", "cherry")], freq="MS")
    assert list(result.columns) == ["period", "term1", "term2", "count", "n_docs", "value", "ci_low", "ci_high",
                                    "partial"]
    assert result.attrs["n_undated"] == 1
    ac = result[result.term1 == "apple"]
    # apple & cherry: d1 (January) and d3 (March); January has d1 and d2, February none, March d3
    assert [f"{p:%Y-%m}" for p in ac.period] == ["2021-01", "2021-02", "2021-03"]
    assert ac["count"].tolist() == [1, 0, 1]
    assert ac["n_docs"].tolist() == [2, 0, 1]
    assert ac.value.iloc[0] == 1 / 2 and np.isnan(ac.value.iloc[1]) and ac.value.iloc[2] == 1 / 1
    assert ac.partial.tolist() == [True, False, True]   # data from Jan 5 to Mar 10
    from scipy.stats import binomtest

    ci = binomtest(1, 2).proportion_ci(method="wilson")
    assert (ac.ci_low.iloc[0], ac.ci_high.iloc[0]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert np.isnan(ac.ci_low.iloc[1])
    bc = result[result.term1 == "banana"]
    assert bc["count"].tolist() == [2, 0, 0]   # d1 and d2, both January


def test_cooccurrence_trends_takes_a_pairs_table():
    dates = ["2021-01-05", "2021-01-20", "2021-03-10", "2021-03-11"]
    corpus = Corpus.from_docs(_docs(dates=dates), stopwords=None, min_length=1, cache=False, progress=False)
    pairs = ct.cooccurrence(corpus, measure="count", min_count=2)
    result = ct.cooccurrence_trends(corpus, pairs.head(2), freq="QS")
    assert len(result) == 2 and result.period.nunique() == 1
    assert result["count"].tolist() == pairs["count"].head(2).tolist()


def test_cooccurrence_trends_errors(fruit):
    dated = Corpus.from_docs(_docs(dates=["2021-01-01"] * 4), stopwords=None, min_length=1, cache=False,
                             progress=False)
    with pytest.raises(ValueError, match=re.escape("no document has a date")):
        ct.cooccurrence_trends(fruit, [("apple", "cherry")])
    with pytest.raises(KeyError, match=re.escape("['kiwi']")):
        ct.cooccurrence_trends(dated, [("apple", "kiwi")])
    with pytest.raises(TypeError, match=re.escape("Wrap a single pair in a list: [('china', 'russia')]")):
        ct.cooccurrence_trends(dated, ("apple", "cherry"))
    with pytest.raises(ValueError, match=re.escape("a pair needs two different terms; got [('apple', 'apple')]")):
        ct.cooccurrence_trends(dated, [("apple", "apple")])
    with pytest.raises(ValueError, match=re.escape("`freq` must be one of")):
        ct.cooccurrence_trends(dated, [("apple", "cherry")], freq="fortnight")


# ---------------------------------------------------------------------- the seed article
@pytest.fixture
def seed_docs(seed_path):
    return ct.load(seed_path)


def test_seed_sentence_and_window_collocates_of_china(seed_docs):
    corpus = Corpus.from_docs(seed_docs, cache=False, progress=False)
    sentence = ct.collocates(corpus, "china", window="sentence", min_count=2, top=10)
    assert "russia" in sentence.collocate.tolist()
    assert ct.collocates(corpus, "china", window="sentence", measure="count", top=1).collocate.tolist() == ["russia"]
    window = ct.collocates(corpus, "china", window=5, measure="count", top=3)
    assert "russia" in window.collocate.tolist()


def test_seed_document_collocates_of_china_over_paragraphs(seed_docs):
    # one article is one document; its paragraphs make a document view with something to compare
    paragraphs = [p for p in re.split(r"\n\s*\n", seed_docs["text"].iloc[0]) if p.strip()]
    docs = pd.DataFrame({"text": paragraphs}, index=pd.Index([f"p{i}" for i in range(len(paragraphs))], name="doc_id"))
    corpus = Corpus.from_docs(docs, cache=False, progress=False)
    # china is in 9 of the 15 paragraphs and russia in 8, so chance alone puts them together in ~5;
    # measures of surprise (npmi, g2) prefer rarer neighbours, log-Dice and counts show russia first
    assert ct.collocates(corpus, "china", window=None, measure="log_dice", top=1).collocate.tolist() == ["russia"]
    assert "russia" in ct.collocates(corpus, "china", window=None, measure="count", top=2).collocate.tolist()


# ---------------------------------------------------------------------- Reuters-21578
_BUILT: dict = {}


@pytest.fixture
def reuters(corpora):
    # built once per test session: loading and tokenising take a few seconds
    if "reuters" not in _BUILT:
        docs = ct.load(corpora / "reuters21578", errors="skip")
        _BUILT["reuters"] = Corpus.from_docs(docs, cache=False, progress=False)
    return _BUILT["reuters"]


@pytest.mark.corpora
def test_reuters_crude_collocates_include_oil(corpora, reuters):
    # with the defaults (log-Dice, window 5, min_count 3) the oil vocabulary leads
    result = ct.collocates(reuters, "crude")
    assert result.collocate.tolist()[:4] == ["oil", "barrel", "barrels", "bpd"]
    assert (result.left + result.right == result["count"]).all()
    # npmi too keeps oil among the top 20 (it prefers rarer neighbours: tankcars, postings, ngls)
    assert "oil" in ct.collocates(reuters, "crude", measure="npmi", top=20).collocate.tolist()


@pytest.mark.corpora
def test_reuters_frequent_window_pairs_are_mostly_attracted(corpora, reuters):
    # among the 100 most frequent terms, the best 100 pairs by npmi are all attracted (with the
    # doubled expectation of unordered window pairs, 90% of them scored below 0)
    best = ct.cooccurrence(reuters, terms=100, window=5, measure="npmi", top=100)
    assert (best["value"] > 0).all()
    # and most of the 100 most frequent pairs are more frequent than chance
    pairs = ct.cooccurrence(reuters, terms=100, window=5, measure="count", top=100)
    npmi = _table(ct.cooccurrence(reuters, terms=100, window=5, measure="npmi"))
    values = np.array([npmi[(t1, t2)].value for t1, t2 in zip(pairs.term1, pairs.term2)])
    assert (values < 0).mean() < 0.2 and np.median(values) > 0.05


@pytest.mark.corpora
def test_reuters_top_200_matches_scipy(corpora, reuters):
    result = ct.cooccurrence(reuters, terms=200, measure="count", min_count=1)
    cf = np.asarray(reuters.dtm.sum(axis=0)).ravel()
    top = np.sort(np.lexsort((np.arange(reuters.n_terms), -cf))[:200])
    binary = (reuters.dtm[:, top] > 0).astype(np.int64)
    direct = sp.triu(binary.T @ binary, k=1).tocoo()
    expected = {(reuters.vocab[top[i]], reuters.vocab[top[j]]): int(v)
                for i, j, v in zip(direct.row, direct.col, direct.data)}
    got = dict(zip(zip(result.term1, result.term2), result["count"].tolist()))
    assert got == expected
    df = np.asarray(binary.sum(axis=0)).ravel()
    freq = dict(zip(reuters.vocab[top], df.tolist()))
    assert (result.term1.map(freq) == result.freq1).all() and (result.term2.map(freq) == result.freq2).all()
    npmi = ct.cooccurrence(reuters, terms=200, min_count=1)
    assert len(npmi) == len(result) and npmi.value.between(-1, 1).all()


@pytest.mark.corpora
@pytest.mark.parametrize("unit", ["documents", "sentences"])
def test_reuters_unit_matrix_of_selected_terms_is_their_columns(corpora, reuters, monkeypatch, unit):
    # made from the selected terms alone (tokens read in odd blocks, so that sentences straddle
    # them), it is the selected columns of the matrix of every term
    cf = np.bincount(reuters.ids, minlength=reuters.n_terms)
    sel = np.sort(np.argsort(-cf, kind="stable")[:150])
    expected = _cooc_counts.binary_unit_matrix(reuters, unit)[:, sel]
    expected.sort_indices()
    monkeypatch.setattr(_storage, "_BLOCK_BYTES", 4 * 100_003)  # blocks of 100,003 int32 tokens
    part = _cooc_counts.binary_unit_matrix(reuters, unit, sel)
    part.sort_indices()
    assert part.shape == expected.shape and part.dtype == np.int32
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(part, name), getattr(expected, name)), name


@pytest.mark.corpora
def test_reuters_sentence_pairs_of_listed_terms_match_scipy(corpora, reuters):
    terms = ["oil", "crude", "prices", "opec", "barrels", "bank", "rates", "dollar", "yen", "trade"]
    result = ct.cooccurrence(reuters, terms=terms, window="sentence", measure="count", min_count=1)
    # an independent count: the sentence x term matrix of every token, then the listed columns
    n_sent = len(reuters.sent_offsets) - 1
    sentence = np.repeat(np.arange(n_sent), np.diff(reuters.sent_offsets))
    units = sp.csr_matrix((np.ones(len(reuters.ids)), (sentence, reuters.ids)), shape=(n_sent, reuters.n_terms))
    binary = (units[:, reuters.vocab.get_indexer(terms)] > 0).astype(np.int64)
    joint = (binary.T @ binary).toarray()
    expected = {tuple(sorted((terms[i], terms[j]))): int(joint[i, j])
                for i in range(len(terms)) for j in range(i + 1, len(terms)) if joint[i, j] > 0}
    assert dict(zip(zip(result.term1, result.term2), result["count"].tolist())) == expected
    freq = dict(zip(terms, np.diff(binary.tocsc().indptr).tolist()))
    assert (result.term1.map(freq) == result.freq1).all() and (result.term2.map(freq) == result.freq2).all()
    assert result.attrs["n_units"] == n_sent


@pytest.mark.corpora
@pytest.mark.parametrize("dense_cells", [1 << 24, 0])
def test_reuters_window_top_300_matches_scipy(corpora, reuters, monkeypatch, dense_cells):
    monkeypatch.setattr(_cooc_counts, "DENSE_CELLS", dense_cells)  # 0: the sparse coo -> csr path
    result = ct.cooccurrence(reuters, terms=300, window=5, measure="count", min_count=1)
    cf = np.bincount(reuters.ids, minlength=reuters.n_terms)
    top = np.sort(np.argsort(-cf, kind="stable")[:300])
    expected = _scipy_window_counts(reuters, 5, top)
    id1, id2 = reuters.vocab.get_indexer(result.term1), reuters.vocab.get_indexer(result.term2)
    got = dict(zip(zip(id1.tolist(), id2.tolist()), result["count"].tolist()))
    assert got == expected
    f, n = _cooc_counts.window_marginals(reuters, 5)
    freq = dict(zip(reuters.vocab[top], f[top].tolist()))
    assert (result.term1.map(freq) == result.freq1).all() and (result.term2.map(freq) == result.freq2).all()
    assert result.attrs["n_units"] == n
    _assert_best_first_by_count(result)


@pytest.mark.corpora
def test_reuters_collocates_unchanged_by_the_blocks_of_window_marginals(corpora, reuters, monkeypatch):
    k, v = 5, reuters.n_terms
    # the plain numpy way: at each distance, the pairs of positions in the same document, both ways
    rows = reuters.token_doc_rows()
    expected, n_expected = np.zeros(v, dtype=np.int64), 0
    for d in range(1, k + 1):
        same = rows[:-d] == rows[d:]
        expected += np.bincount(reuters.ids[:-d][same], minlength=v) + np.bincount(reuters.ids[d:][same], minlength=v)
        n_expected += 2 * int(same.sum())
    assert len(reuters.ids) > 10 * 100_003
    frames = []
    for chunk in (_cooc_counts.TOKEN_CHUNK, 100_003):  # one block; blocks of about 100,000 tokens
        monkeypatch.setattr(_cooc_counts, "TOKEN_CHUNK", chunk)
        monkeypatch.setattr(_cooc_counts, "_MARGINS", weakref.WeakKeyDictionary())  # counted afresh
        frames.append(ct.collocates(reuters, "crude", window=k, measure="npmi", min_count=1, top=None))
        f, n = _cooc_counts.window_marginals(reuters, k)
        assert np.array_equal(f, expected) and n == n_expected
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert frames[0].attrs["n_units"] == frames[1].attrs["n_units"] == n_expected


# ---------------------------------------------------------------------- the window statistic's null and its maximum
def _independent_corpus(seed, n_docs, length, n_terms):
    """Documents of words drawn independently and uniformly: no pair is associated."""
    rng = np.random.default_rng(seed)
    seqs = [rng.integers(0, n_terms, length).tolist() for _ in range(n_docs)]
    return _random_corpus(seqs, [[] for _ in seqs], n_terms)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(4, 12))
def test_independent_words_score_zero_in_windows(seed, k, n_terms):
    corpus = _independent_corpus(seed, n_docs=100, length=150, n_terms=n_terms)
    pmi = ct.cooccurrence(corpus, window=k, measure="pmi", min_count=1)
    # each pair is seen hundreds of times or more: its pmi is 0 within sampling error (sd about
    # 1 / (ln 2 sqrt(count)) bits), and the mean over the pairs is near 0: over 150 seeds its sd
    # is 0.0069 at the noisiest setting (4 terms, k=1; largest seen 0.0185), so 0.035 is 5 sd
    assert abs(pmi["value"].mean()) < 0.035
    assert (pmi["value"].abs() < 5 / (math.log(2) * np.sqrt(pmi["count"]))).all()
    # the expected joint count is what was seen, on average: over 150 seeds the ratio's mean is
    # 1.0000 and its sd 0.0048 at the noisiest setting (4 terms, k=1), so 0.025 is over 5 sd
    n = pmi.attrs["n_units"]
    expected = pmi.freq1 * pmi.freq2 / n
    assert pmi["count"].sum() / expected.sum() == pytest.approx(1, abs=0.025)


def test_independent_words_are_significant_at_the_nominal_rate():
    # 30 words, 435 pairs per corpus, 4 corpora: G2 > 3.84 (p < 0.05) for about 5% of pairs
    rates = {}
    for k in (1, 5):
        significant = total = 0
        for seed in range(4):
            corpus = _independent_corpus(seed, n_docs=400, length=200, n_terms=30)
            g2 = ct.cooccurrence(corpus, window=k, measure="g2", min_count=1)
            # the same statistic from scipy on each pair's 2x2 table
            a, f1, f2, n = g2["count"], g2.freq1, g2.freq2, g2.attrs["n_units"]
            for row in g2.head(5).itertuples():
                table = [[row.count, row.freq1 - row.count],
                         [row.freq2 - row.count, n - row.freq1 - row.freq2 + row.count]]
                stat = scipy_stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
                assert abs(row.value) == pytest.approx(stat, rel=1e-9)
            p = scipy_stats.chi2.sf(g2["value"].abs(), 1)
            significant += int((p < 0.05).sum())
            total += len(g2)
            assert (a >= 1).all() and len(g2) == 435
        rates[k] = significant / total
    # binomial sd over 1,740 pairs is 0.005; pairs sharing words are not independent, so allow more
    assert all(0.025 <= r <= 0.08 for r in rates.values()), rates


def _inseparable_corpus(background_seqs, n_pairs, n_background_terms):
    """Background documents plus, per pair, a few documents that hold only the two words."""
    seqs = [list(s) for s in background_seqs]
    for p in range(n_pairs):
        x, y = n_background_terms + 2 * p, n_background_terms + 2 * p + 1
        seqs += [[x, y]] * (p + 1)
    return _random_corpus(seqs, [[] for _ in seqs], n_background_terms + 2 * n_pairs)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=20), min_size=1, max_size=6),
       st.integers(1, 3), st.sampled_from([None, "sentence", 1, 2, 5]))
def test_inseparable_words_score_npmi_one_in_every_unit(background, n_pairs, window):
    corpus = _inseparable_corpus(background, n_pairs, 6)
    result = ct.cooccurrence(corpus, window=window, measure="npmi", min_count=1)
    table = _table(result)
    for p in range(n_pairs):
        x, y = corpus.vocab[6 + 2 * p], corpus.vocab[6 + 2 * p + 1]
        assert table[(x, y)].value == pytest.approx(1.0, abs=1e-12)
        assert table[(x, y)].count == table[(x, y)].freq1 == table[(x, y)].freq2


def test_always_adjacent_words_with_other_neighbours():
    # "f{i}a f{i}b xx yy f{i}c f{i}d": in documents and sentences f0a and f0b are inseparable;
    # at window 1, f0a's only neighbour is f0b but f0b also stands beside xx
    docs = pd.DataFrame({"text": [f"f{i}a f{i}b xx yy f{i}c f{i}d" for i in range(50)]},
                        index=pd.Index([f"d{i}" for i in range(50)], name="doc_id"))
    corpus = Corpus.from_docs(docs, stopwords=None, cache=False, progress=False)
    for window in (None, "sentence"):
        assert _table(ct.cooccurrence(corpus, window=window, min_count=1))[("f0a", "f0b")].value == pytest.approx(1.0)
    row = _table(ct.cooccurrence(corpus, window=1, min_count=1))[("f0a", "f0b")]
    # 50 documents x 5 adjacent pairs x 2 orders = 500 units; f0a opens 1, f0b 2 (with f0a and xx)
    assert (row.count, row.freq1, row.freq2) == (1, 1, 2)
    assert row.value == pytest.approx(math.log2(500 / 2) / math.log2(500))
    # f0b's neighbour is f0a or xx (never beyond): as a collocate of f0a it is the only one
    col = ct.collocates(corpus, "f0a", window=1, min_count=1, measure="npmi")
    assert col.collocate.tolist() == ["f0b"]
