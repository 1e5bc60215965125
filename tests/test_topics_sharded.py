"""Topic models on a corpus held as shards: inference and the fit equal the in-memory ones, to the bit.

The bundled Wikinews corpus (171 articles) is cut into shards of 37 rows, so that every shard
boundary falls inside the blocks the inference and the fit work in; the fit's blocks are made
small (a few rows) where the test is about adding them up across shards.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.analyses import _lda_estep, topics
from corpus_tools.analyses._lda_estep import TreeSum, estep_weights, tree_cover, tree_height, tree_value
from corpus_tools.analyses._nnls import nnls_rows

pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")


@pytest.fixture(scope="module")
def docs() -> pd.DataFrame:
    return ct.datasets.load("wikinews")


@pytest.fixture(scope="module")
def corpus(docs):
    return ct.Corpus.from_docs(docs, cache=False, progress=False)


@pytest.fixture(scope="module")
def sharded(docs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("topics") / "shards"
    built = ct.ShardedCorpus.build(docs, folder, rows_per_shard=37, progress=False)
    assert built.shard_rows.tolist() == [0, 37, 74, 111, 148, 171]
    return built


@pytest.fixture(scope="module", params=["lda", "nmf"])
def model(request, corpus):
    return ct.TopicModel(4, method=request.param, random_state=2, passes=2).fit(corpus)


def _streamed(monkeypatch) -> None:
    """The in-memory fit takes the path of large corpora (which the sharded fit always takes);
    the fit sums its statistics over blocks of 8 rows, so that shards hold whole blocks and cut others."""
    monkeypatch.setattr(topics, "STREAMED_MIN_DOCS", 1)
    monkeypatch.setattr(_lda_estep, "SSTATS_BLOCK", 8)


@pytest.fixture
def streamed(monkeypatch):
    _streamed(monkeypatch)


@pytest.fixture(scope="module")
def fitted(corpus, sharded):
    """The same LDA fitted on the corpus in memory and on its shards."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _streamed(monkeypatch)
        return (ct.TopicModel(3, random_state=6, passes=1).fit(corpus),
                ct.TopicModel(3, random_state=6, passes=1).fit(sharded))


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got.attrs == expected.attrs


def assert_same_model(got, expected) -> None:
    np.testing.assert_array_equal(got.model_.state.sstats, expected.model_.state.sstats)
    np.testing.assert_array_equal(got.model_.alpha, expected.model_.alpha)
    np.testing.assert_array_equal(got.topic_term_matrix(), expected.topic_term_matrix())
    assert_same(got.doc_topics(), expected.doc_topics())


# ---------------------------------------------------------------------- inference
def test_transform_of_uneven_shards_is_exact(model, corpus, sharded):
    expected = model.transform(corpus)
    assert_same(model.transform(sharded), expected)
    pd.testing.assert_frame_equal(expected, model.doc_topics(), check_exact=True)
    # a model of other documents: terms matched by their string, unknown ones counted
    other = ct.Corpus.from_docs(ct.datasets.load("wikinews").iloc[40:110], cache=False, progress=False)
    small = ct.TopicModel(3, method=model.method, random_state=5, passes=1).fit(other)
    expected = small.transform(corpus)
    assert expected.attrs["unknown_tokens"] > 0
    assert_same(small.transform(sharded), expected)


def test_each_documents_estep_depends_on_its_row_alone(corpus):
    rng = np.random.default_rng(0)
    k, dtm = 5, corpus.dtm
    beta = rng.gamma(0.3, 1.0, (k, corpus.n_terms)).astype(np.float32)
    start = rng.gamma(100.0, 0.01, (corpus.n_docs, k)).astype(np.float32)
    alpha = np.full(k, 0.1, dtype=np.float32)
    whole = estep_weights(beta, alpha, dtm, start, iterations=50, gamma_threshold=1e-3)
    for lo, hi in ((0, 1), (1, 38), (38, 40), (40, 171), (17, 150)):
        gamma, weights, etheta = estep_weights(beta, alpha, dtm[lo:hi], start[lo:hi], iterations=50,
                                               gamma_threshold=1e-3)
        np.testing.assert_array_equal(gamma, whole[0][lo:hi])
        np.testing.assert_array_equal(etheta, whole[2][lo:hi])
        assert (weights != whole[1][lo:hi]).nnz == 0
    # ... and of the order the documents come in
    order = rng.permutation(corpus.n_docs)
    gamma, _, _ = estep_weights(beta, alpha, dtm[order], start[order], iterations=50, gamma_threshold=1e-3)
    np.testing.assert_array_equal(gamma, whole[0][order])


def test_estep_warns_for_non_finite_weights_and_for_nothing_else():
    import warnings

    import scipy.sparse as sp

    beta = np.array([[0.9, 0.1], [0.1, 0.9]], dtype=np.float32)
    alpha, start = np.full(2, 0.1, dtype=np.float32), np.ones((3, 2), dtype=np.float32)
    dtm = sp.csr_matrix(np.array([[5, 0], [0, 5], [2, 3]], dtype=np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # finite counts: no warning, whatever the flags of the products
        gamma, _, _ = estep_weights(beta, alpha, dtm, start, iterations=50, gamma_threshold=1e-3)
    assert np.isfinite(gamma).all() and gamma[:2].argmax(axis=1).tolist() == [0, 1]
    dtm.data[0] = np.nan  # a NaN count in the first document
    with pytest.warns(RuntimeWarning, match=r"^the E-step gave non-finite topic weights for 1 of 3 documents"):
        gamma, _, _ = estep_weights(beta, alpha, dtm, start, iterations=50, gamma_threshold=1e-3)
    assert not np.isfinite(gamma[0]).all() and np.isfinite(gamma[1:]).all()


def test_nnls_rows_depend_on_their_row_alone(corpus):
    rng = np.random.default_rng(1)
    W = rng.gamma(0.3, 1.0, (corpus.n_terms, 12))
    whole = nnls_rows(W, corpus.dtm)
    for lo, hi in ((0, 1), (1, 38), (38, 40), (17, 150)):
        np.testing.assert_array_equal(nnls_rows(W, corpus.dtm[lo:hi]), whole[lo:hi])
    np.testing.assert_array_equal(nnls_rows(W, corpus.dtm[::-1]), whole[::-1])


# ---------------------------------------------------------------------- the tree that adds up blocks
def test_tree_sum_by_hand():
    total = TreeSum()
    for leaf in (1.0, 2.0, 3.0, 4.0, 5.0):
        total.push(np.array([leaf]))
    assert total.result().tolist() == [15.0]
    assert tree_height(1) == 0 and tree_height(2) == 1 and tree_height(5) == 3
    # leaves 0..4: node (2, 0) holds 0-3, (0, 4) the last; leaves 1..3 are (0, 1) and (1, 1)
    assert tree_cover(0, 5, 5) == [(3, 0)]
    assert tree_cover(1, 4, 5) == [(0, 1), (1, 1)]
    assert tree_cover(4, 5, 5) == [(2, 1)]  # the node of the last leaf alone
    assert tree_cover(2, 2, 5) == []


@pytest.mark.parametrize("m", [1, 2, 5, 8, 13])
def test_a_tree_cut_anywhere_adds_up_as_one(m):
    rng = np.random.default_rng(m)
    leaves = rng.standard_normal((m, 50)).astype(np.float32) * 10.0 ** rng.integers(-6, 6, (m, 1))
    total = TreeSum()
    for leaf in leaves:
        total.push(leaf)
    whole = total.result()
    assert np.array_equal(whole, tree_value(tree_height(m), 0, m, lambda level, i: leaves[i] if level == 0 else None))
    for _ in range(5):
        cuts = np.unique(np.r_[0, rng.integers(0, m + 1, 3), m])
        known = {}
        for a, b in zip(cuts[:-1], cuts[1:]):
            for level, i in tree_cover(int(a), int(b), m):
                known[(level, i)] = tree_value(level, i, m, lambda lv, j: leaves[j] if lv == 0 else None)
        assert np.array_equal(tree_value(tree_height(m), 0, m, lambda level, i: known.get((level, i))), whole)


# ---------------------------------------------------------------------- fitting
@pytest.mark.parametrize("options", [
    {"passes": 2},
    {"chunksize": 50, "passes": 2},
    {"init": "random", "alpha": "auto", "eta": "auto", "passes": 1},
], ids=["nmf-start", "online-chunks", "random-start-auto-priors"])
def test_sharded_fit_is_the_streamed_fit(corpus, sharded, streamed, monkeypatch, options):
    if options.get("chunksize"):
        monkeypatch.setattr(topics, "NMF_START_SAMPLE", 60)  # the start factorises a sample
    expected = ct.TopicModel(3, random_state=6, **options).fit(corpus)
    got = ct.TopicModel(3, random_state=6, **options).fit(sharded)
    assert_same_model(got, expected)
    assert got.top_terms().equals(expected.top_terms())
    assert got.model_.num_updates == expected.model_.num_updates == corpus.n_docs


def test_sharded_fit_with_blocks_of_the_default_size(corpus, sharded, monkeypatch):
    # one block of 16,384 rows, which every shard cuts: the client sums it from the documents' weights
    monkeypatch.setattr(topics, "STREAMED_MIN_DOCS", 1)
    expected = ct.TopicModel(3, random_state=0, passes=1).fit(corpus)
    got = ct.TopicModel(3, random_state=0, passes=1).fit(sharded)
    assert_same_model(got, expected)
    assert got.corpus_ is sharded and got.doc_ids_.equals(sharded.docs.index)
    assert got.copies_.tolist() == [] and got.vocab_.equals(sharded.vocab)


def test_summaries_of_a_sharded_fit(corpus, fitted):
    expected, got = fitted
    assert_same(got.topic_trends("QS"), expected.topic_trends("QS"))
    assert_same(got.dominant_topic(), expected.dominant_topic())
    # the snippets are read back from the shards that hold the documents
    rep = got.representative_docs(1, n=6)
    assert_same(rep, expected.representative_docs(1, n=6))
    assert rep["snippet"].str.len().gt(0).all()
    assert rep["snippet"].tolist() == [" ".join(corpus.docs.loc[d, "text"].split())[:200] for d in rep["doc_id"]]


def test_what_a_sharded_fit_refuses(sharded, fitted, tmp_path):
    in_memory, model = fitted
    hint = (r"\(\) reads every document's tokens in memory, and this model was fitted on a corpus held as "
            r"shards\. For a corpus that fits in memory, attach it whole: model\.save\(path\), then "
            r"TopicModel\.load\(path, corpus=sharded\.to_corpus\(\)\)\.$")
    for name, call in (("coherence", lambda: model.coherence()), ("perplexity", lambda: model.perplexity()),
                       ("to_ldavis_data", lambda: model.to_ldavis_data())):
        with pytest.raises(ValueError, match="^" + name + hint):
            call()
    # ... and that way works
    attached = ct.TopicModel.load(model.save(tmp_path / "m"), corpus=sharded.to_corpus())
    assert attached.coherence("u_mass") == in_memory.coherence("u_mass")
    # a saved model opens with its sharded corpus too
    reopened = ct.TopicModel.load(tmp_path / "m", corpus=sharded)
    assert_same(reopened.representative_docs(0, n=3), model.representative_docs(0, n=3))
    with pytest.raises(ValueError, match=r"^method='nmf' needs the whole corpus in memory and this corpus is held "
                                         r"as shards; gensim's Nmf reads every document in one process\. Fit it on "
                                         r"a Corpus in memory .* then infer every document with "
                                         r"model\.transform\(sharded\); or fit method='lda'\.$"):
        ct.TopicModel(3, method="nmf").fit(sharded)
    with pytest.raises(ValueError, match=r"^workers > 1 needs the whole corpus in memory .* leave workers=None\.$"):
        ct.TopicModel(3, workers=2).fit(sharded)
    with pytest.raises(ValueError, match=r"^dedupe needs the whole corpus in memory .* drop the copies before "
                                         r"building the shards"):
        ct.TopicModel(3).fit(sharded, dedupe=True)
    with pytest.raises(ValueError, match=r"^n_topics=200 is more than the 171 documents of the corpus; "):
        ct.TopicModel(200).fit(sharded)


# ---------------------------------------------------------------------- on a cluster
def test_on_a_two_worker_cluster(corpus, sharded, fitted, streamed):
    import distributed

    lda = fitted[0]
    nmf = ct.TopicModel(3, method="nmf", random_state=2, passes=2).fit(corpus)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        remote = ct.ShardedCorpus.open(sharded.folder, client=client)
        assert_same(lda.transform(remote), lda.transform(corpus))
        assert_same(nmf.transform(remote), nmf.transform(corpus))
        assert_same_model(ct.TopicModel(3, random_state=6, passes=1).fit(remote), lda)
