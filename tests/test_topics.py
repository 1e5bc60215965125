"""Tests of corpus_tools.analyses.topics on a hand-made corpus with two obvious themes."""
from __future__ import annotations

import copy
import json
import logging
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpus_tools as ct
from corpus_tools.analyses.topic_selection import match_topics, topic_stability, topic_sweep
from corpus_tools.analyses.topics import TopicModel, token_texts
from corpus_tools.corpus import Corpus
from corpus_tools.errors import NotFittedError

SPORT = "match goal striker keeper league coach referee stadium penalty midfield".split()
MONEY = "bank shares market investor bond inflation dividend profit stock currency".split()
N_DOCS = 24


def _theme_docs(seed: int = 7) -> pd.DataFrame:
    """Even rows: 30 words drawn from SPORT; odd rows: from MONEY.

    Dates: rows 0-7 in January 2021, rows 8-15 in February, rows 16-22 in April (March is
    empty), row 23 undated. Sources alternate a, a, b, b, ...
    """
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(SPORT if i % 2 == 0 else MONEY, 30)) + "." for i in range(N_DOCS)]
    days = [f"2021-01-{d:02d}" for d in range(2, 10)] + [f"2021-02-{d:02d}" for d in range(1, 9)] + \
           [f"2021-04-{d:02d}" for d in range(1, 8)] + [None]
    return pd.DataFrame(
        {"text": texts, "title": [f"Title {i}" for i in range(N_DOCS)], "date": pd.to_datetime(days),
         "source": ["a", "a", "b", "b"] * (N_DOCS // 4)},
        index=pd.Index([f"d{i:02d}" for i in range(N_DOCS)], name="doc_id"),
    )


@pytest.fixture(scope="module")
def docs() -> pd.DataFrame:
    return _theme_docs()


@pytest.fixture(scope="module")
def corpus(docs) -> Corpus:
    return Corpus.from_docs(docs, cache=False, progress=False)


@pytest.fixture(scope="module")
def model(corpus) -> TopicModel:
    return TopicModel(2, random_state=0).fit(corpus)


def _theme_of_topic(model) -> dict[int, str]:
    top = model.top_terms(10)
    return {t: ("sport" if set(g["term"]) <= set(SPORT) else "money") for t, g in top.groupby("topic")}


# ---------------------------------------------------------------------- the model finds the themes
def test_each_topic_is_one_theme(model):
    top = model.top_terms(10)
    sets = [set(g["term"]) for _, g in top.groupby("topic")]
    # 10 words per theme, 20 terms in all: the top 10 of each topic is exactly one theme
    assert sorted(map(sorted, sets)) == sorted([sorted(MONEY), sorted(SPORT)])


def test_dominant_topics_split_by_theme(model):
    dom = model.dominant_topic()
    theme = _theme_of_topic(model)
    expected = ["sport" if i % 2 == 0 else "money" for i in range(N_DOCS)]
    assert [theme[t] for t in dom["topic"]] == expected
    assert (dom["share"] > 0.9).all()


def test_nmf_finds_the_themes_too(corpus):
    nmf = TopicModel(2, method="nmf", random_state=0).fit(corpus)
    sets = sorted(sorted(g["term"]) for _, g in nmf.top_terms(10).groupby("topic"))
    assert sets == sorted([sorted(MONEY), sorted(SPORT)])
    assert np.allclose(nmf.doc_topics().sum(axis=1), 1.0)
    with pytest.raises(ValueError, match=r"^perplexity is defined for method='lda' only; NMF has no likelihood\.$"):
        nmf.perplexity()


def test_nmf_document_topics_are_the_least_squares_weights(corpus):
    import scipy.optimize

    nmf = TopicModel(3, method="nmf", random_state=0).fit(corpus)
    W = nmf.model_.get_topics(normalize=False).T  # the fitted topics, unnormalised
    rows = corpus.dtm.toarray().astype(float)
    best = np.array([scipy.optimize.nnls(W, x)[0] for x in rows])
    sums = best.sum(axis=1, keepdims=True)
    expected = np.divide(best, sums, out=np.full_like(best, 1 / 3), where=sums > 0)
    np.testing.assert_allclose(nmf.doc_topics().to_numpy(), expected, atol=1e-5)
    # unseen documents go through the same solver
    np.testing.assert_allclose(nmf.transform(corpus).to_numpy(), expected, atol=1e-5)


# ---------------------------------------------------------------------- tables
def test_top_terms_table(model):
    top = model.top_terms(3)
    assert list(top.columns) == ["topic", "rank", "term", "weight"]
    assert top["topic"].tolist() == [0, 0, 0, 1, 1, 1]
    assert top["rank"].tolist() == [0, 1, 2, 0, 1, 2]
    matrix = model.topic_term_matrix()
    ids = model.vocab_.get_indexer(top["term"])
    assert np.array_equal(top["weight"].to_numpy(), matrix[top["topic"].to_numpy(), ids])
    # the weights are the largest of each topic, heaviest first
    for t, g in top.groupby("topic"):
        assert np.all(np.diff(g["weight"].to_numpy()) <= 0)
        assert g["weight"].iloc[-1] >= np.sort(matrix[t])[-3]
    assert np.allclose(matrix.sum(axis=1), 1.0)
    # more terms than the vocabulary holds: every term once
    assert len(model.top_terms(50)) == 2 * 20


def test_topic_labels_join_the_top_three_terms(model):
    labels = model.topic_labels()
    top = model.top_terms(3)
    assert labels.index.name == "topic" and labels.name == "label"
    for t in (0, 1):
        assert labels[t] == " · ".join(top.loc[top["topic"] == t, "term"])


def test_doc_topics_rows_are_complete_and_sum_to_one(model, corpus):
    frame = model.doc_topics()
    assert frame.shape == (N_DOCS, 2)
    assert frame.index.name == "doc_id" and frame.index.equals(corpus.docs.index)
    assert frame.columns.tolist() == [0, 1] and frame.columns.name == "topic"
    assert np.allclose(frame.sum(axis=1), 1.0)
    assert (frame.to_numpy() > 0).all()  # no share dropped by a minimum probability
    assert frame.attrs["labels"] == model.topic_labels().to_dict()
    # a copy: changing it does not change the model
    frame.iloc[0, 0] = -1
    assert model.doc_topics().iloc[0, 0] > 0


def test_dominant_topic_columns(model):
    dom = model.dominant_topic()
    frame = model.doc_topics()
    assert list(dom.columns) == ["doc_id", "topic", "share", "label"]
    assert dom["doc_id"].tolist() == frame.index.tolist()
    assert np.array_equal(dom["share"].to_numpy(), frame.max(axis=1).to_numpy())
    assert dom["label"].tolist() == model.topic_labels()[dom["topic"]].tolist()


def test_representative_docs(model, docs):
    theme = _theme_of_topic(model)
    sport_topic = [t for t, name in theme.items() if name == "sport"][0]
    rep = model.representative_docs(sport_topic, n=3)
    assert list(rep.columns) == ["doc_id", "title", "share", "snippet"]
    assert len(rep) == 3
    assert all(int(d[1:]) % 2 == 0 for d in rep["doc_id"])  # sport docs are the even rows
    first = rep["doc_id"].iloc[0]
    assert rep["title"].iloc[0] == f"Title {int(first[1:])}"
    assert rep["snippet"].iloc[0] == " ".join(docs.loc[first, "text"].split())[:200]
    assert np.all(np.diff(rep["share"].to_numpy()) <= 0)
    shares = model.doc_topics()[sport_topic]
    assert rep["share"].iloc[0] == shares.max()


def test_representative_docs_without_titles():
    d = _theme_docs().drop(columns=["title"])
    m = TopicModel(2).fit(Corpus.from_docs(d, cache=False, progress=False))
    assert m.representative_docs(0, n=2)["title"].tolist() == ["", ""]


def test_token_texts_are_the_documents_tokens(corpus):
    assert token_texts(corpus) == [corpus.tokens(d) for d in corpus.docs.index]


# ---------------------------------------------------------------------- scores
def _u_mass_by_hand(dtm, vocab, terms):
    """gensim's u_mass: mean over pairs (w_i, w_j), j < i, of log((D(w_i, w_j)/N + 1e-12) / (D(w_j)/N))."""
    present = (dtm > 0).toarray()
    n = present.shape[0]
    cols = [vocab.get_loc(t) for t in terms]
    scores = []
    for i in range(1, len(cols)):
        for j in range(i):
            both = np.sum(present[:, cols[i]] & present[:, cols[j]])
            scores.append(np.log((both / n + 1e-12) / (present[:, cols[j]].sum() / n)))
    return float(np.mean(scores))


def test_u_mass_matches_a_computation_by_hand():
    # small documents, so that words are often absent and the counts differ between pairs
    rng = np.random.default_rng(3)
    texts = [" ".join(rng.choice(SPORT if i % 2 == 0 else MONEY, 4)) for i in range(20)]
    d = pd.DataFrame({"text": texts}, index=pd.Index([f"s{i}" for i in range(20)], name="doc_id"))
    c = Corpus.from_docs(d, cache=False, progress=False)
    m = TopicModel(2).fit(c)
    per_topic = m.coherence("u_mass", per_topic=True, topn=5)
    top = m.top_terms(5)
    for t in (0, 1):
        expected = _u_mass_by_hand(c.dtm, c.vocab, top.loc[top["topic"] == t, "term"].tolist())
        assert per_topic.loc[t, "coherence"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert m.coherence("u_mass", topn=5) == pytest.approx(per_topic["coherence"].mean())


def test_coherence_of_clean_themes_is_high_and_reproducible(model):
    per_topic = model.coherence("c_v", per_topic=True)
    assert list(per_topic.columns) == ["topic", "label", "coherence"]
    assert per_topic["label"].tolist() == model.topic_labels().tolist()
    # every top term of a topic co-occurs with the others in every window of its theme's documents
    assert model.coherence("c_v") > 0.9
    assert model.coherence("c_v") == model.coherence("c_v")
    assert model.coherence("c_npmi") > 0.1


def test_diversity_by_hand(model):
    # top 10 of each topic are two disjoint themes: 20 distinct terms of 20
    assert model.diversity(10) == 1.0
    # the vocabulary has 20 terms, so each topic's "top 25" is all 20 terms: 20 distinct of 40
    assert model.diversity() == 0.5


def test_perplexity(model, corpus):
    train = model.perplexity()
    # at most the vocabulary size for a model better than uniform, at least 1
    assert 1.0 < train < corpus.n_terms
    assert model.perplexity() == train
    heldout = Corpus.from_docs(_theme_docs(seed=99), cache=False, progress=False)
    assert 1.0 < model.perplexity(heldout) < corpus.n_terms


# ---------------------------------------------------------------------- over time
def test_topic_trends_values_and_denominators(model, corpus):
    with pytest.warns(UserWarning, match=r"^1 of 24 documents have no date and are left out of the topic trends "
                                         r"\(counted in result.attrs\['n_undated'\]\)\.$"):
        trends = model.topic_trends("MS")
    assert list(trends.columns) == ["period", "topic", "label", "value", "n_docs", "partial"]
    assert trends.attrs["n_undated"] == 1
    months = ["2021-01-01", "2021-02-01", "2021-03-01", "2021-04-01"]
    assert trends["period"].tolist() == list(np.repeat(pd.to_datetime(months), 2))
    assert trends["n_docs"].tolist() == [8, 8, 8, 8, 0, 0, 7, 7]
    # first data day Jan 2 and last Apr 7: both ends are partial months
    assert trends["partial"].tolist() == [True, True, False, False, False, False, True, True]
    shares = model.doc_topics()
    expected_jan = shares.iloc[0:8].mean()
    expected_apr = shares.iloc[16:23].mean()
    got = trends.set_index(["period", "topic"])["value"]
    for t in (0, 1):
        assert got[(pd.Timestamp("2021-01-01"), t)] == pytest.approx(expected_jan[t])
        assert got[(pd.Timestamp("2021-04-01"), t)] == pytest.approx(expected_apr[t])
        assert np.isnan(got[(pd.Timestamp("2021-03-01"), t)])
    assert trends["label"].tolist()[:2] == model.topic_labels().tolist()


def test_topic_trends_by_group(model):
    with pytest.warns(UserWarning):
        trends = model.topic_trends("MS", by="source")
    assert list(trends.columns) == ["period", "source", "topic", "label", "value", "n_docs", "partial"]
    a = trends[(trends["source"] == "a") & (trends["period"] == "2021-01-01")]
    # January holds rows 0-7; source a is rows 0, 1, 4, 5
    assert a["n_docs"].tolist() == [4, 4]
    expected = model.doc_topics().iloc[[0, 1, 4, 5]].mean()
    assert a["value"].to_numpy() == pytest.approx(expected.to_numpy())
    # every period is present for every group
    assert trends.groupby("source").size().tolist() == [8, 8]


def test_topic_trends_by_a_list_column_counts_each_section(model, corpus):
    # a document in two sections counts in both, as in term_trends
    docs = corpus.docs.assign(sections=[["x", "y"] if i % 2 == 0 else ["y"] for i in range(corpus.n_docs)])
    sectioned = Corpus(docs, corpus.vocab, corpus.ids, corpus.doc_offsets, corpus.sent_offsets, dtm=corpus.dtm,
                       params=corpus.params)
    fitted = TopicModel(2, random_state=0).fit(sectioned)
    with pytest.warns(UserWarning, match="have no date"):
        trends = fitted.topic_trends("MS", by="sections")
    jan = trends[trends["period"] == "2021-01-01"].set_index(["sections", "topic"])
    assert jan.loc[("x", 0), "n_docs"] == 4 and jan.loc[("y", 0), "n_docs"] == 8
    expected_x = fitted.doc_topics().iloc[[0, 2, 4, 6]].mean()
    assert jan.loc[("x", 0), "value"] == pytest.approx(expected_x.iloc[0])


def test_topic_trends_errors(model):
    with pytest.raises(KeyError, match=r"`by`='outlet' is not a docs column; the columns are \["):
        model.topic_trends(by="outlet")
    with pytest.raises(ValueError, match=r"^`freq` must be one of \["):
        model.topic_trends(freq="fortnight")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.none(), st.integers(0, 400)), min_size=N_DOCS, max_size=N_DOCS))
def test_topic_trends_equal_a_groupby_mean(model, offsets):
    days = [None if o is None else pd.Timestamp("2020-01-01") + pd.Timedelta(days=o) for o in offsets]
    if all(d is None for d in days):
        days[0] = pd.Timestamp("2020-01-01")
    other = copy.copy(model)
    base = model.corpus_
    new_docs = base.docs.assign(date=pd.to_datetime(days))
    other.corpus_ = Corpus(new_docs, base.vocab, base.ids, base.doc_offsets, base.sent_offsets, dtm=base.dtm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trends = other.topic_trends("MS")
    shares = model.doc_topics().assign(period=new_docs["date"].dt.to_period("M").dt.start_time).dropna()
    expected = shares.groupby("period").mean()
    got = trends.dropna(subset=["value"]).pivot(index="period", columns="topic", values="value")
    assert np.allclose(got.to_numpy(), expected.to_numpy())
    # empty periods: NaN value, zero documents; the counts add up to the dated documents
    assert trends.loc[trends["n_docs"] == 0, "value"].isna().all()
    assert trends.drop_duplicates("period")["n_docs"].sum() == sum(d is not None for d in days)


# ---------------------------------------------------------------------- unseen documents
def test_transform_of_the_fitted_corpus_equals_doc_topics(model, corpus):
    assert model.transform(corpus).equals(model.doc_topics())


def test_transform_maps_terms_by_string_and_ignores_unknown_ones(model):
    new = pd.DataFrame({"text": ["striker goal penalty zeppelin zeppelin", "dividend bond stock",
                                 "zeppelin blimp"]}, index=pd.Index(["n1", "n2", "n3"], name="doc_id"))
    other = Corpus.from_docs(new, cache=False, progress=False)
    assert list(other.vocab) != list(model.vocab_)  # different term ids
    shares = model.transform(other)
    theme = _theme_of_topic(model)
    assert shares.index.tolist() == ["n1", "n2", "n3"]
    assert theme[int(shares.loc["n1"].idxmax())] == "sport"
    assert theme[int(shares.loc["n2"].idxmax())] == "money"
    # no known term: no evidence, equal shares
    assert shares.loc["n3"].tolist() == [0.5, 0.5]
    assert shares.attrs["unknown_tokens"] == 4  # zeppelin x3, blimp
    assert np.allclose(shares.sum(axis=1), 1.0)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(SPORT + MONEY + ["unknownword", "otherword"]), max_size=15),
                min_size=1, max_size=6))
def test_transform_rows_are_distributions(model, token_lists):
    vocab = sorted(set(SPORT + MONEY + ["unknownword", "otherword"]))
    ids = np.array([vocab.index(t) for doc in token_lists for t in doc], dtype=np.int32)
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in token_lists])])
    docs = pd.DataFrame({"text": [" ".join(d) for d in token_lists]},
                        index=pd.Index([f"h{i}" for i in range(len(token_lists))], name="doc_id"))
    other = Corpus(docs, vocab, ids, offsets, np.unique(offsets))
    shares = model.transform(other)
    assert shares.shape == (len(token_lists), 2)
    assert np.allclose(shares.sum(axis=1), 1.0) and (shares.to_numpy() >= 0).all()
    assert shares.attrs["unknown_tokens"] == sum(t in ("unknownword", "otherword") for d in token_lists for t in d)
    # the same documents give the same shares every time
    assert model.transform(other).equals(shares)


# ---------------------------------------------------------------------- saving and the topic map
def test_save_and_load(model, corpus, tmp_path):
    folder = model.save(tmp_path / "m")
    meta = json.loads((folder / "topic_model.json").read_text())
    assert meta["params"]["n_topics"] == 2 and meta["vocab"] == list(corpus.vocab)
    loaded = TopicModel.load(folder)
    assert loaded.top_terms().equals(model.top_terms())
    assert loaded.doc_topics().equals(model.doc_topics())
    assert loaded.transform(corpus).equals(model.transform(corpus))
    with pytest.raises(ValueError, match=r"^coherence\(\) needs the documents, but this model was loaded without its "
                                         r"corpus; use TopicModel\.load\(path, corpus=corpus\)\.$"):
        loaded.coherence()
    attached = TopicModel.load(folder, corpus=corpus)
    assert attached.coherence("u_mass") == model.coherence("u_mass")
    other = corpus.select(["d00", "d01"])
    with pytest.raises(ValueError, match=r"^the corpus given is not the one the model in .* was fitted on"):
        TopicModel.load(folder, corpus=other)


def test_load_from_a_folder_without_a_model(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"does not hold a saved TopicModel \(no topic_model\.json\); "
                                                r"write one with model\.save\(path\)\.$"):
        TopicModel.load(tmp_path)


def test_ldavis_html_is_self_contained(model, tmp_path):
    path = model.to_ldavis_html(tmp_path / "map.html")
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, flags=re.I)
    assert "<script src" not in html and "<link" not in html
    assert "d3js.org v5" in html                  # d3 embedded
    assert "LDAvis = function" in html or "var LDAvis" in html  # ldavis.js embedded
    assert 'new LDAvis("#ldavis_topics"' in html
    data = model.to_ldavis_data()
    # our numbering: topics 0 and 1, in our order
    assert sorted(data.topic_coordinates["topics"].tolist()) == [0, 1]
    assert data.topic_order == [0, 1]  # not re-sorted by size
    with pytest.raises(ValueError, match=r"^`mds` must be one of \['pcoa', 'mmds', 'tsne'\]; got 'pca'\.$"):
        model.to_ldavis_data(mds="pca")


# ---------------------------------------------------------------------- reproducibility
def test_same_seed_same_tables(corpus, model):
    again = TopicModel(2, random_state=0).fit(corpus)
    assert again.top_terms().equals(model.top_terms())
    assert again.doc_topics().equals(model.doc_topics())


_CHILD = """
import json, sys
import pandas as pd
sys.path.insert(0, {tests!r})
from test_topics import _theme_docs
from corpus_tools.corpus import Corpus
from corpus_tools.analyses.topics import TopicModel
m = TopicModel(2, random_state=0).fit(Corpus.from_docs(_theme_docs(), cache=False, progress=False))
print(json.dumps({{"top": m.top_terms().to_json(double_precision=15),
                  "shares": m.doc_topics().to_numpy().tobytes().hex()}}))
"""


@pytest.mark.parametrize("hashseed", ["0", "12345"])
def test_fresh_process_gives_identical_tables(model, hashseed):
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    code = _CHILD.format(tests=os.path.dirname(__file__))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    child = json.loads(out.stdout.strip().splitlines()[-1])
    assert child["top"] == model.top_terms().to_json(double_precision=15)
    assert child["shares"] == model.doc_topics().to_numpy().tobytes().hex()


def test_multicore_is_not_reproducible():
    # Lee's 300 articles in chunks of 50: the workers' updates arrive in varying order
    docs = ct.datasets.load("lee")
    lee = Corpus.from_docs(docs, min_df=3, cache=False, progress=False)
    def multicore():
        with pytest.warns(UserWarning, match="LdaMulticore"):
            return TopicModel(10, workers=2, passes=2, chunksize=50).fit(lee).doc_topics()

    # on a busy machine the updates now and then arrive in the same order twice: a few more runs
    # then tell
    first = multicore()
    assert any(not first.equals(multicore()) for _ in range(4))
    single = [TopicModel(10, passes=2, chunksize=50).fit(lee).doc_topics() for _ in range(2)]
    assert single[0].equals(single[1])


def test_multicore_warns_that_it_is_not_reproducible(corpus):
    with pytest.warns(UserWarning, match=r"^workers > 1 uses gensim's LdaMulticore, whose results differ from run to "
                                         r"run even with the same random_state"):
        m = TopicModel(2, workers=2, passes=2).fit(corpus)
    assert np.allclose(m.doc_topics().sum(axis=1), 1.0)


# ---------------------------------------------------------------------- choosing k, stability
def test_topic_sweep(corpus, model):
    sweep = topic_sweep(corpus, [3, 2])
    assert list(sweep.columns) == ["k", "c_v", "c_npmi", "u_mass", "diversity", "perplexity", "largest_share",
                                   "seconds"]
    assert sweep["k"].tolist() == [3, 2]
    row = sweep.set_index("k").loc[2]
    assert row["c_v"] == model.coherence("c_v")
    assert row["u_mass"] == model.coherence("u_mass")
    assert row["diversity"] == model.diversity()
    assert row["perplexity"] == model.perplexity()
    assert row["largest_share"] == model.doc_topics().mean().max()
    assert (sweep["seconds"] > 0).all()
    # two clean themes: k=2 is the most coherent
    assert sweep["c_v"].idxmax() == 1
    parallel = topic_sweep(corpus, [3, 2], n_jobs=2)
    assert parallel.drop(columns="seconds").equals(sweep.drop(columns="seconds"))


def test_topic_sweep_nmf_has_no_perplexity(corpus):
    sweep = topic_sweep(corpus, [2], method="nmf", passes=5)
    assert np.isnan(sweep.loc[0, "perplexity"]) and sweep.loc[0, "c_v"] > 0.9


def test_topic_sweep_errors(corpus):
    with pytest.raises(ValueError, match=r"^`ks` is empty; give the numbers of topics to try"):
        topic_sweep(corpus, [])
    with pytest.raises(ValueError, match=r"^every number of topics must be an integer of at least 2; got 1\.$"):
        topic_sweep(corpus, [1, 2])
    with pytest.raises(ValueError, match=r"^n_topics=30 is more than the 24 documents of the corpus"):
        topic_sweep(corpus, [2, 30])
    with pytest.raises(TypeError, match=r"^topic_sweep\(\) sets `n_topics` itself"):
        topic_sweep(corpus, [2], n_topics=3)
    with pytest.raises(ValueError, match=r"^`n_jobs` must be a positive integer or -1 \(all cores\); got 0\.$"):
        topic_sweep(corpus, [2], n_jobs=0)
    with pytest.raises(ValueError, match=r"^`passes` must be a positive integer; got 0\.$"):
        topic_sweep(corpus, [2], passes=0)


def test_topic_stability(corpus):
    stab = topic_stability(corpus, 2, seeds=(0, 1, 2))
    assert list(stab.columns) == ["topic", "label", "stability", "min_similarity", "share", "n_docs"]
    assert stab["stability"].tolist() == [1.0, 1.0] and stab["min_similarity"].tolist() == [1.0, 1.0]
    assert sorted(stab["n_docs"].tolist()) == [12, 12]
    matches = stab.attrs["matches"]
    assert list(matches.columns) == ["seed", "topic", "matched_topic", "matched_label", "similarity"]
    assert matches["seed"].tolist() == [1, 1, 2, 2]
    # a matched topic is the same theme: same top-10 set (labels may order ties differently)
    labels = stab.set_index("topic")["label"]
    for row in matches.itertuples():
        assert set(row.matched_label.split(" · ")) <= (set(SPORT) if labels[row.topic].split(" · ")[0] in SPORT
                                                       else set(MONEY))


def test_match_topics_by_hand():
    ref = [["a", "b", "c", "d"], ["e", "f", "g", "h"], ["i", "j", "k", "l"]]
    run = [["e", "f", "g", "x"], ["i", "j", "y", "z"], ["a", "b", "c", "d"]]
    matched, sim = match_topics(ref, run)
    assert matched.tolist() == [2, 0, 1]
    # |{e,f,g}| / |{e,f,g,h,x}| = 3/5; |{i,j}| / |{i,j,k,l,y,z}| = 2/6
    assert sim.tolist() == [1.0, 3 / 5, 2 / 6]


def test_match_topics_is_optimal_not_greedy():
    # greedy would give A its best overlap (X, 4/6) and leave B with Y (0): total 0.67;
    # the assignment A-Y (3/5), B-X (2/8) has the larger total 0.85
    a, b = ["1", "2", "3", "4"], ["5", "6", "7", "8"]
    x, y = ["1", "2", "3", "4", "5", "6"], ["1", "2", "3", "9"]
    matched, sim = match_topics([a, b], [x, y])
    assert matched.tolist() == [1, 0]
    assert sim.tolist() == [3 / 5, 2 / 8]


def test_match_topics_needs_equal_sizes():
    with pytest.raises(ValueError, match=r"^both runs must have the same number of topics; got 2 and 1\.$"):
        match_topics([["a"], ["b"]], [["a"]])


def test_topic_stability_errors(corpus):
    with pytest.raises(ValueError, match=r"^`seeds` must hold at least two distinct seeds; got \[0\]\.$"):
        topic_stability(corpus, 2, seeds=[0])
    with pytest.raises(ValueError, match=r"^`seeds` must hold at least two distinct seeds; got \[1, 1\]\.$"):
        topic_stability(corpus, 2, seeds=[1, 1])
    with pytest.raises(ValueError, match=r"^`topn` must be a positive integer; got 0\.$"):
        topic_stability(corpus, 2, topn=0)


# ---------------------------------------------------------------------- where LDA starts
def test_default_settings_depend_on_the_start():
    assert TopicModel(2)._settings() == {"passes": 3, "iterations": 50, "alpha": 0.1, "eta": 0.05,
                                         "chunksize": None, "init": "nmf"}
    assert TopicModel(2, init="random")._settings()["passes"] == 20
    assert TopicModel(2, init="random", passes=3)._settings()["passes"] == 3
    assert TopicModel(2, method="nmf")._settings()["init"] is None


def test_random_start_is_gensims_own_lda(corpus):
    from gensim.models import LdaModel

    dictionary, bow = corpus.to_gensim()
    plain = LdaModel(bow, num_topics=2, id2word=dictionary, chunksize=N_DOCS, passes=20, iterations=50,
                     alpha=0.1, eta=0.05, decay=0.0, eval_every=None, random_state=3)
    ours = TopicModel(2, init="random", random_state=3).fit(corpus)
    np.testing.assert_array_equal(ours.model_.state.sstats, plain.state.sstats)


def test_default_start_is_the_nmf_topics(corpus):
    from gensim.models import LdaModel

    from corpus_tools.analyses._topic_init import nmf_start

    dictionary, bow = corpus.to_gensim()
    plain = LdaModel(num_topics=2, id2word=dictionary, chunksize=N_DOCS, passes=3, iterations=50, alpha=0.1,
                     eta=0.05, decay=0.0, eval_every=None, random_state=3)
    plain.state.sstats[...] = nmf_start(corpus.dtm, 2, 3)
    plain.sync_state()
    plain.update(bow)
    ours = TopicModel(2, random_state=3).fit(corpus)
    np.testing.assert_array_equal(ours.model_.state.sstats, plain.state.sstats)
    assert not np.array_equal(TopicModel(2, random_state=3, init="random").fit(corpus).model_.state.sstats,
                              plain.state.sstats)


def test_no_convergence_warning_for_the_few_passes_from_the_nmf_start(corpus, caplog):
    def messages(**settings):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="gensim.models.ldamodel"):
            TopicModel(2, passes=3, **settings).fit(corpus)
        return [r.getMessage() for r in caplog.records if r.name == "gensim.models.ldamodel"]

    from_nmf = messages()
    assert from_nmf and not any(m.startswith("too few updates") for m in from_nmf)
    # from gensim's own random start, gensim's rule of thumb still speaks
    assert any(m.startswith("too few updates") for m in messages(init="random"))


def test_nmf_start_separates_blocks_of_terms():
    import scipy.sparse as sp

    from corpus_tools.analyses._topic_init import nmf_start

    # 20 tokens: terms 0-1 only in documents 0-1, terms 2-3 only in documents 2-3
    dtm = sp.csr_matrix([[3, 2, 0, 0], [2, 3, 0, 0], [0, 0, 2, 3], [0, 0, 3, 2]])
    start = nmf_start(dtm, 2, random_state=0)
    block = start.argmax(axis=1) // 2
    assert sorted(block.tolist()) == [0, 1]
    for topic, b in enumerate(block):
        own, other = start[topic, 2 * b : 2 * b + 2], np.delete(start[topic], [2 * b, 2 * b + 1])
        # 10 tokens per topic on its own block, plus noise of about 1 per cell everywhere
        assert 10 + 2 * 0.5 < own.sum() < 10 + 2 * 1.6 and 2 * 0.5 < other.sum() < 2 * 1.6
    np.testing.assert_array_equal(nmf_start(dtm, 2, random_state=0), start)


def test_nmf_start_without_informative_terms_is_noise_only():
    import scipy.sparse as sp

    from corpus_tools.analyses._topic_init import nmf_start

    # every term in every document: idf 0, nothing to factorise
    start = nmf_start(sp.csr_matrix(np.ones((3, 4))), 2, random_state=0)
    assert start.shape == (2, 4) and ((start > 0.5) & (start < 1.6)).all()


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8).flatmap(lambda n: st.tuples(
           st.lists(st.lists(st.integers(0, 5), min_size=6, max_size=6), min_size=n, max_size=n),
           st.integers(2, 4), st.integers(0, 2**31 - 1))))
def test_nmf_start_properties(case):
    import scipy.sparse as sp

    from corpus_tools.analyses._topic_init import nmf_start

    rows, k, seed = case
    dtm = sp.csr_matrix(np.array(rows))
    start = nmf_start(dtm, k, random_state=seed)
    assert start.shape == (k, 6) and np.isfinite(start).all() and (start > 0).all()
    np.testing.assert_array_equal(nmf_start(dtm, k, random_state=seed), start)
    df = (dtm > 0).sum(axis=0)
    if ((df > 0) & (df < dtm.shape[0])).any():
        # each topic holds an equal share of the tokens, on top of noise of 0.5-1.6 per cell
        sums = start.sum(axis=1)
        share = dtm.sum() / k
        assert ((sums > share + 6 * 0.5) & (sums < share + 6 * 1.6)).all()


# ---------------------------------------------------------------------- errors
def test_public_names():
    assert ct.TopicModel is TopicModel and ct.topic_sweep is topic_sweep and ct.topic_stability is topic_stability


def test_init_only_stores(corpus):
    m = TopicModel(1, method="lsa")  # checked at fit time, as in scikit-learn
    assert m.get_params()["n_topics"] == 1 and not hasattr(m, "model_")
    assert repr(TopicModel(5, passes=3)) == "TopicModel(n_topics=5, method='lda', random_state=0, passes=3)"


@pytest.mark.parametrize("k, message", [
    (1, r"^`n_topics` must be an integer of at least 2; got 1\.$"),
    (2.5, r"^`n_topics` must be an integer of at least 2; got 2\.5\.$"),
    (25, r"^n_topics=25 is more than the 24 documents of the corpus; choose at most as many topics as documents\.$"),
])
def test_bad_number_of_topics(corpus, k, message):
    with pytest.raises(ValueError, match=message):
        TopicModel(k).fit(corpus)


def test_empty_corpus(corpus):
    with pytest.raises(ValueError, match=r"^the corpus is empty: it has no documents to fit topics to\.$"):
        TopicModel(2).fit(corpus.select([]))
    d = pd.DataFrame({"text": ["the of and", "goal match", "a an the"]},
                     index=pd.Index(["e1", "e2", "e3"], name="doc_id"))
    c = Corpus.from_docs(d, cache=False, progress=False)
    with pytest.raises(ValueError, match=r"^the corpus is empty: its 2 documents have no tokens left"):
        TopicModel(2).fit(c.select(["e1", "e3"]))


def test_fit_needs_a_corpus(docs):
    with pytest.raises(TypeError, match=r"^TopicModel\.fit expects a ct\.Corpus; got DataFrame\. "
                                        r"Build one with ct\.Corpus\.from_docs\(docs\)\.$"):
        TopicModel(2).fit(docs)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "lsa"}, r"^`method` must be one of \['lda', 'nmf'\]; got 'lsa'\.$"),
    ({"random_state": -1}, r"^`random_state` must be a non-negative integer \(or None\); got -1\.$"),
    ({"workers": 0}, r"^`workers` must be a positive integer or None; got 0\.$"),
    ({"method": "nmf", "alpha": 0.1}, r"^`alpha` is a prior of LDA; method='nmf' does not use it"),
    ({"method": "nmf", "workers": 2}, r"^`workers` applies to method='lda' only"),
    ({"alpha": "auto", "workers": 2}, r"^alpha='auto' and eta='auto' need workers=None"),
    ({"iterations": -3}, r"^`iterations` must be a positive integer; got -3\.$"),
    ({"init": "kmeans"}, r"^`init` must be one of \['nmf', 'random'\]; got 'kmeans'\.$"),
    ({"method": "nmf", "init": "random"},
     r"^`init` chooses the starting topics of LDA; method='nmf' does not use it \(leave it None\)\.$"),
])
def test_bad_settings(corpus, kwargs, message):
    with pytest.raises(ValueError, match=message):
        TopicModel(2, **kwargs).fit(corpus)


@pytest.mark.parametrize("call", [
    lambda m: m.top_terms(), lambda m: m.topic_labels(), lambda m: m.doc_topics(), lambda m: m.dominant_topic(),
    lambda m: m.representative_docs(0), lambda m: m.coherence(), lambda m: m.diversity(),
    lambda m: m.topic_trends(), lambda m: m.transform(None), lambda m: m.perplexity(), lambda m: m.save("x"),
    lambda m: m.to_ldavis_data(),
])
def test_use_before_fit(call):
    with pytest.raises(NotFittedError, match=r"^this TopicModel is not fitted yet; call fit\(corpus\) before \w+\(\)\.$"):
        call(TopicModel(2))


def test_bad_method_arguments(model):
    with pytest.raises(ValueError, match=r"^`topic` must be a topic number from 0 to 1; got 2\.$"):
        model.representative_docs(2)
    with pytest.raises(ValueError, match=r"^`measure` must be one of \['c_v', 'c_npmi', 'u_mass'\]; got 'cv'\.$"):
        model.coherence("cv")
    with pytest.raises(ValueError, match=r"^`n` must be a positive integer; got 0\.$"):
        model.top_terms(0)
    with pytest.raises(TypeError, match=r"^TopicModel\.transform expects a ct\.Corpus; got list\."):
        model.transform(["some text"])


# ---------------------------------------------------------------------- large corpora: the streamed path
@pytest.fixture
def streamed(monkeypatch):
    """Every corpus takes the path of large corpora; the NMF start factorises a sample of 10 docs."""
    from corpus_tools.analyses import topics

    monkeypatch.setattr(topics, "STREAMED_MIN_DOCS", 1)
    monkeypatch.setattr(topics, "NMF_START_SAMPLE", 10)


def test_estep_is_gensims_inference():
    from gensim.models import LdaModel

    from corpus_tools.analyses._lda_estep import estep
    from corpus_tools.analyses.topics import _BowRows

    rng = np.random.default_rng(0)
    # documents of 0 to 60 distinct terms (one without any), a model with uneven topics
    dtm = sp_random_counts(rng, n_docs=40, n_terms=30)
    g = LdaModel(num_topics=3, id2word={i: str(i) for i in range(30)}, alpha=0.1, eta=0.05, random_state=1)
    g.state.sstats[...] = rng.gamma(0.5, 20.0, (3, 30))
    g.sync_state()
    g.random_state = np.random.RandomState(5)
    expected_gamma, expected_sstats = g.inference(list(_BowRows(dtm)), collect_sstats=True)
    start = np.random.RandomState(5).gamma(100.0, 1.0 / 100.0, (40, 3)).astype(np.float32)
    gamma, sstats = estep(g.expElogbeta, g.alpha, dtm, start, iterations=50, gamma_threshold=0.001,
                          collect_sstats=True)
    assert gamma.dtype == np.float32 and sstats.dtype == np.float32
    # the same updates and stopping rule; only rounding differs (float32, another digamma)
    np.testing.assert_allclose(gamma, expected_gamma, rtol=1e-3, atol=2e-3)
    np.testing.assert_allclose(sstats, expected_sstats, rtol=1e-3, atol=1e-3)
    # a document without terms ends at the prior, as in gensim
    assert dtm[0].nnz == 0 and np.allclose(gamma[0], 0.1)


def sp_random_counts(rng, n_docs: int, n_terms: int):
    import scipy.sparse as sp

    lengths = rng.integers(0, n_terms + 1, n_docs)
    lengths[0] = 0
    rows = [rng.choice(n_terms, size=m, replace=False) for m in lengths]
    dense = np.zeros((n_docs, n_terms), dtype=np.int32)
    for d, cols in enumerate(rows):
        dense[d, cols] = rng.integers(1, 6, len(cols))
    return sp.csr_matrix(dense)


def test_digamma_matches_scipy():
    from scipy.special import psi

    from corpus_tools.analyses._lda_estep import digamma

    x = np.array([1e-4, 0.01, 0.1, 0.5, 1.0, 2.5, 5.9, 6.0, 17.3, 1e3, 1e6], dtype=np.float32)
    np.testing.assert_allclose(digamma(x), psi(x.astype(np.float64)), rtol=2e-6, atol=1e-5)


@pytest.mark.parametrize("chunksize", [None, 8])
def test_streamed_fit_is_gensims_update(corpus, monkeypatch, chunksize):
    """Below the threshold the model is gensim's own update(); the streamed path gives the same topics."""
    from corpus_tools.analyses import topics

    gensim_fit = TopicModel(2, random_state=3, chunksize=chunksize).fit(corpus)
    monkeypatch.setattr(topics, "STREAMED_MIN_DOCS", 1)
    ours = TopicModel(2, random_state=3, chunksize=chunksize).fit(corpus)
    np.testing.assert_allclose(ours.model_.state.sstats, gensim_fit.model_.state.sstats, rtol=2e-3, atol=2e-3)
    # gensim counts the documents of the first pass only (later passes are "extra")
    assert ours.model_.num_updates == gensim_fit.model_.num_updates == N_DOCS
    np.testing.assert_allclose(ours.doc_topics().to_numpy(), gensim_fit.doc_topics().to_numpy(), atol=1e-3)


def test_streamed_fit_is_deterministic(corpus, streamed):
    first = TopicModel(2, random_state=4).fit(corpus)
    again = TopicModel(2, random_state=4).fit(corpus)
    assert again.top_terms().equals(first.top_terms())
    np.testing.assert_array_equal(again.topic_term_matrix(), first.topic_term_matrix())
    assert again.doc_topics().equals(first.doc_topics())
    other = TopicModel(2, random_state=5).fit(corpus)
    assert not np.array_equal(other.topic_term_matrix(), first.topic_term_matrix())


@pytest.mark.parametrize("chunksize", [None, 5, 24, 1000])
def test_streamed_fit_with_any_chunk_size_finds_the_themes(corpus, streamed, chunksize):
    m = TopicModel(2, random_state=0, chunksize=chunksize).fit(corpus)
    sets = sorted(sorted(g["term"]) for _, g in m.top_terms(10).groupby("topic"))
    assert sets == sorted([sorted(MONEY), sorted(SPORT)])
    assert np.allclose(m.topic_term_matrix().sum(axis=1), 1.0)
    shares = m.doc_topics()
    assert shares.shape == (N_DOCS, 2) and np.allclose(shares.sum(axis=1), 1.0)
    theme = _theme_of_topic(m)
    assert [theme[t] for t in m.dominant_topic()["topic"]] == ["sport" if i % 2 == 0 else "money"
                                                                for i in range(N_DOCS)]
    # every document was read once in the first pass, whatever the chunks
    assert m.model_.num_updates == N_DOCS


def _planted_docs(seed: int = 11):
    """300 documents of 60 tokens drawn from 4 planted topics over disjoint sets of 15 pseudo-words.

    Word i of a topic has weight 0.85**i; each document mixes the topics by Dirichlet(0.2).
    Returns the docs and the planted topics' words, heaviest first.
    """
    consonants, vowels = "bdgkpz", "aiou"
    words = [a + b + c + d + e + f for a in consonants for b in vowels for c in consonants for d in vowels
             for e in consonants for f in vowels][:60]
    planted = [words[15 * t : 15 * t + 15] for t in range(4)]
    rng = np.random.default_rng(seed)
    weights = 0.85 ** np.arange(15)
    weights /= weights.sum()
    texts = []
    for _ in range(300):
        mix = rng.dirichlet(np.full(4, 0.2))
        topics_of_tokens = rng.choice(4, size=60, p=mix)
        tokens = [planted[t][rng.choice(15, p=weights)] for t in topics_of_tokens]
        texts.append(" ".join(tokens) + ".")
    docs = pd.DataFrame({"text": texts}, index=pd.Index([f"p{i:03d}" for i in range(300)], name="doc_id"))
    return docs, planted


@pytest.mark.parametrize("path", ["gensim", "streamed"])
def test_planted_topics_are_recovered(path, monkeypatch):
    from corpus_tools.analyses import topics

    if path == "streamed":
        monkeypatch.setattr(topics, "STREAMED_MIN_DOCS", 1)
        monkeypatch.setattr(topics, "NMF_START_SAMPLE", 100)  # the start sees a third of the documents
    docs, planted = _planted_docs()
    c = Corpus.from_docs(docs, cache=False, progress=False)
    assert c.n_terms == 60
    m = TopicModel(4, random_state=0).fit(c)
    fitted = [g["term"].tolist() for _, g in m.top_terms(10).groupby("topic")]
    matched, similarity = match_topics([p[:10] for p in planted], fitted)
    assert sorted(matched.tolist()) == [0, 1, 2, 3]
    for p, f in zip(planted, matched):
        # every top term of the matched topic is a word of the planted topic ...
        assert set(fitted[f]) <= set(p)
    # ... and most of the ten heaviest planted words are among them (sampling noise swaps a few
    # of the lighter ones: the 10th and 11th words differ in weight by 15 %)
    assert similarity.min() >= 7 / 13


def test_nmf_start_on_a_sample():
    import scipy.sparse as sp

    from corpus_tools.analyses._topic_init import nmf_start

    dtm = sp.csr_matrix(np.kron(np.eye(2, dtype=np.int64), np.array([[3, 2], [2, 3]] * 10)))  # 40 docs, 2 blocks
    full = nmf_start(dtm, 2, random_state=0)
    # a sample as large as the corpus is the corpus
    np.testing.assert_array_equal(nmf_start(dtm, 2, random_state=0, sample=40), full)
    part = nmf_start(dtm, 2, random_state=0, sample=6)
    np.testing.assert_array_equal(nmf_start(dtm, 2, random_state=0, sample=6), part)
    assert sorted((part.argmax(axis=1) // 2).tolist()) == [0, 1]
    # the topics still share out the whole corpus's tokens (200), not the sample's
    assert 100 + 2 * 0.5 < part.sum(axis=1).min() and part.sum(axis=1).max() < 100 + 4 * 1.6


# ---------------------------------------------------------------------- copies left out of the fit
def _docs_with_copies() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The theme docs plus copies of d00 (twice) and d03, dated after their originals."""
    docs = _theme_docs()
    copies = docs.loc[["d00", "d00", "d03"]].copy()
    copies.index = pd.Index(["c00a", "c00b", "c03"], name="doc_id")
    copies["date"] = pd.to_datetime(["2021-05-01", "2021-05-02", "2021-05-03"])
    groups = pd.DataFrame({"group": [0, 0, 0, 1, 1], "doc_id": ["d00", "c00a", "c00b", "d03", "c03"]})
    return pd.concat([docs, copies]), groups


def test_fit_without_copies():
    docs, groups = _docs_with_copies()
    c = Corpus.from_docs(docs, cache=False, progress=False)
    m = TopicModel(2, random_state=0).fit(c, dedupe=groups)
    assert m.copies_.tolist() == ["c00a", "c00b", "c03"]
    assert m.copy_groups_ is groups
    # the topics are those of the corpus without the copies
    alone = TopicModel(2, random_state=0).fit(c.select(~c.docs.index.isin(m.copies_)))
    np.testing.assert_array_equal(m.topic_term_matrix(), alone.topic_term_matrix())
    # every document has its shares, the copies those of their originals
    shares = m.doc_topics()
    assert shares.index.tolist() == docs.index.tolist()
    np.testing.assert_array_equal(shares.loc[alone.doc_ids_].to_numpy(), alone.doc_topics().to_numpy())
    for copy, original in (("c00a", "d00"), ("c00b", "d00"), ("c03", "d03")):
        np.testing.assert_allclose(shares.loc[copy], shares.loc[original], atol=1e-3)
    assert len(m.dominant_topic()) == N_DOCS + 3
    # the corpus summaries count each article once
    with pytest.warns(UserWarning, match="1 of 24 documents have no date"):
        trends = m.topic_trends("MS")
    assert trends.attrs["n_copies"] == 3
    assert trends["n_docs"].tolist() == [8, 8, 8, 8, 0, 0, 7, 7]  # no May: the copies are not counted
    rep = m.representative_docs(0, n=N_DOCS)
    assert len(rep) == N_DOCS and not rep["doc_id"].str.startswith("c").any()
    assert m.coherence("u_mass") == alone.coherence("u_mass")
    assert m.perplexity() == alone.perplexity()


def test_fit_without_copies_found_by_near_duplicates():
    docs, _ = _docs_with_copies()
    c = Corpus.from_docs(docs, cache=False, progress=False)
    m = TopicModel(2, random_state=0).fit(c, dedupe=True)
    assert m.copies_.tolist() == ["c00a", "c00b", "c03"]
    assert set(m.copy_groups_["doc_id"]) == {"d00", "c00a", "c00b", "d03", "c03"}
    assert TopicModel(2).fit(c, dedupe=False).copies_.tolist() == []


def test_saved_model_keeps_its_copies(tmp_path):
    docs, groups = _docs_with_copies()
    c = Corpus.from_docs(docs, cache=False, progress=False)
    m = TopicModel(2, random_state=0).fit(c, dedupe=groups)
    loaded = TopicModel.load(m.save(tmp_path / "m"), corpus=c)
    assert loaded.copies_.tolist() == ["c00a", "c00b", "c03"] and loaded.copy_groups_ is None
    assert loaded.doc_topics().equals(m.doc_topics())
    assert loaded.coherence("u_mass") == m.coherence("u_mass")


def test_dedupe_errors():
    docs, groups = _docs_with_copies()
    c = Corpus.from_docs(docs, cache=False, progress=False)
    with pytest.raises(TypeError, match=r"^`dedupe` must be True, False, None or the DataFrame ct\.near_duplicates "
                                        r"returns; got str\.$"):
        TopicModel(2).fit(c, dedupe="yes")
    small = c.select(["d00", "c00a", "c00b"])
    with pytest.raises(ValueError, match=r"^n_topics=2 is more than the 1 documents of the corpus left after "
                                         r"dropping copies; choose at most as many topics as documents\.$"):
        TopicModel(2).fit(small, dedupe=groups[groups["group"] == 0])


def test_perplexity_is_gensims_bound(model, corpus):
    from corpus_tools.analyses.topics import _BowRows

    g = model.model_
    g.random_state = np.random.RandomState(0)
    expected = np.exp(-g.bound(_BowRows(corpus.dtm)) / corpus.n_tokens)
    assert model.perplexity() == pytest.approx(expected, rel=1e-4)
    heldout = Corpus.from_docs(_theme_docs(seed=99), cache=False, progress=False)
    g.random_state = np.random.RandomState(0)
    mapped = model._map_to_model(heldout)[0]
    assert model.perplexity(heldout) == pytest.approx(np.exp(-g.bound(_BowRows(mapped)) / mapped.sum()), rel=1e-4)


def test_estep_blocks_and_threads_do_not_change_the_result(model, corpus):
    from corpus_tools.analyses._lda_estep import model_estep

    g = model.model_
    results = []
    for block_docs, threads in ((1000, 1), (5, 1), (5, 3)):
        g.random_state = np.random.RandomState(7)
        results.append(model_estep(g, corpus.dtm, collect_sstats=True, block_docs=block_docs, threads=threads))
    # the same starting points however the documents are split; statistics added in block order
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[2][0], results[1][0])
    np.testing.assert_array_equal(results[2][1], results[1][1])
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, float("nan")]), min_size=1, max_size=40),
       st.integers(1, 45))
def test_the_largest_shares_are_the_head_of_a_stable_descending_sort(values, n):
    from corpus_tools.analyses.topics import _largest

    shares = np.array(values)
    assert np.array_equal(_largest(shares, n), np.argsort(-shares, kind="stable")[:n])


def test_ldavis_data_equals_pyldavis_given_every_document(model, corpus):
    # the topic map gives pyLDAvis one row of the topic shares of all tokens; pyLDAvis given
    # every document and its length (the matrix's row sums, as gensim's pyLDAvis helper does)
    # gives the same map, to rounding
    import pyLDAvis

    got = model.to_ldavis_data()
    full = pyLDAvis.prepare(topic_term_dists=model.topic_term_matrix(), doc_topic_dists=model.doc_topics().to_numpy(),
                            doc_lengths=np.asarray(corpus.dtm.sum(axis=1)).ravel().astype(float),
                            vocab=list(model.vocab_), term_frequency=np.asarray(corpus.dtm.sum(axis=0)).ravel().astype(float),
                            R=30, mds="pcoa", n_jobs=1, sort_topics=False, start_index=0)
    np.testing.assert_allclose(got.topic_coordinates["Freq"], full.topic_coordinates["Freq"], rtol=1e-12)
    pd.testing.assert_frame_equal(got.topic_info.reset_index(drop=True), full.topic_info.reset_index(drop=True),
                                  check_exact=False, rtol=1e-12)
