"""The counting analyses as map-reduce over shards: the same tables as on the whole corpus, to the bit.

A corpus is cut into uneven row ranges with ``Corpus.select`` (which keeps the vocabulary), one
of them empty and one a single document. Each analysis is then run as a sharded corpus runs it:
``prepare`` on the whole corpus, the plan pickled (as it travels to a shard), ``parts`` on every
piece, the parts pickled back, ``combine`` and ``finish``; the table must equal the public
function's on the whole corpus exactly, ``attrs`` included. A stand-in for the sharded corpus
(``map_shards`` over the same pieces, without the texts in its docs) checks
:func:`corpus_tools.analyses._mapreduce.run` and the public functions on it.
"""
from __future__ import annotations

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.analyses import _mapreduce, cooccurrence, frequencies, keyness, kwic, topics, trends

# piece boundaries: [0, 37) [37, 37) empty [37, 38) one document [38, 120) [120, n)
BOUNDS = (0, 37, 37, 38, 120)
REUTERS_BOUNDS = (0, 5000, 5000, 5001, 13000)


def _wikinews_docs() -> pd.DataFrame:
    """Wikinews 2019 with metadata to group by: three outlets (two documents without one), list
    sections (a document in none, one or two), and three undated documents."""
    docs = ct.datasets.load("wikinews").copy()
    n = len(docs)
    outlets = np.array(["Alpha", "Beta", "Gamma"], dtype=object)[np.arange(n) * 7 % 3]
    outlets[[4, 90]] = None
    docs["outlet"] = outlets
    names = ["politics", "world", "science", "sport"]
    docs["sections"] = [[names[i % 4]] + ([names[(i + 1) % 4]] if i % 5 == 0 else []) if i % 11 else []
                        for i in range(n)]
    docs.loc[docs.index[[3, 60, 150]], "date"] = pd.NaT
    return docs


@pytest.fixture(scope="module")
def wikinews():
    return ct.Corpus.from_docs(_wikinews_docs(), cache=False, progress=False)


_BUILT: dict = {}


@pytest.fixture
def reuters(corpora):
    # built once per test session: loading and tokenising take a few seconds
    if "reuters" not in _BUILT:
        docs = ct.load(corpora / "reuters21578", errors="skip")
        _BUILT["reuters"] = ct.Corpus.from_docs(docs, cache=False, progress=False)
    return _BUILT["reuters"]


def pieces(corpus, bounds=BOUNDS):
    """``(shard, rows)`` for each row range: a Corpus of those documents, and their slice."""
    edges = [*bounds, corpus.n_docs]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = np.zeros(corpus.n_docs, dtype=bool)
        mask[lo:hi] = True
        out.append((corpus.select(mask), slice(lo, hi)))
    return out


def roundtrip(value):
    return pickle.loads(pickle.dumps(value))


def by_shards(corpus, steps, *args, bounds=BOUNDS, **kwargs) -> pd.DataFrame:
    """The analysis ``steps`` (prepare, parts, combine, finish) over the pieces of ``corpus``."""
    prepare, parts, combine, finish = steps
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = prepare(corpus, *args, **kwargs)
        shipped = roundtrip(plan)
        found = [roundtrip(parts(shard, rows, shipped)) for shard, rows in pieces(corpus, bounds)]
        return finish(combine(found), plan)


def quietly(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got.attrs == expected.attrs


FREQUENCIES = (frequencies._frequencies_prepare, frequencies._frequencies_parts, _mapreduce.add,
               frequencies._frequencies_finish)
TRENDS = (trends._trends_prepare, trends._trends_parts, _mapreduce.add, trends._trends_finish)
KEYNESS = (keyness._keyness_prepare, keyness._keyness_parts, _mapreduce.add, keyness._keyness_finish)
KEYNESS_TABLE = (keyness._keyness_table_prepare, keyness._keyness_table_parts, _mapreduce.add,
                 keyness._keyness_table_finish)
COOCCURRENCE = (cooccurrence._cooccurrence_prepare, cooccurrence._cooccurrence_parts,
                cooccurrence._cooccurrence_combine, cooccurrence._cooccurrence_finish)
COLLOCATES = (cooccurrence._collocates_prepare, cooccurrence._collocates_parts, _mapreduce.add,
              cooccurrence._collocates_finish)
KWIC = (kwic._kwic_prepare, kwic._kwic_parts, kwic._kwic_combine, kwic._kwic_finish)


# ---------------------------------------------------------------------- term frequencies, trends
@pytest.mark.parametrize("kwargs", [{}, {"top": 5}, {"by": "outlet"}, {"by": "sections", "top": 3},
                                    {"by": "MS"}, {"by": "W", "top": 2}, {"by": "QS"}])
def test_term_frequencies(wikinews, kwargs):
    expected = quietly(ct.term_frequencies, wikinews, **kwargs)
    assert_same(by_shards(wikinews, FREQUENCIES, **kwargs), expected)


TREND_TERMS = ["president", "united states", "elect*", {"Courts": ["court", "judge", "supreme court"]}]


@pytest.mark.parametrize("kwargs", [
    {"freq": "MS"},
    {"freq": "W", "measure": "count"},
    {"freq": "QS", "measure": "per_10k_tokens", "smooth": 3},
    {"freq": "MS", "by": "outlet", "ci": None},
    {"freq": "MS", "by": "sections", "measure": "per_10k_tokens"},
    {"freq": "D", "smooth": 7, "ci": 0.9},
])
def test_term_trends(wikinews, kwargs):
    expected = quietly(ct.term_trends, wikinews, TREND_TERMS, **kwargs)
    assert expected["count"].sum() > 0
    assert_same(by_shards(wikinews, TRENDS, TREND_TERMS, **kwargs), expected)


def copy_groups(corpus) -> pd.DataFrame:
    """Copy groups made by hand, across the pieces: each group keeps its earliest member."""
    ids = corpus.docs.index
    return pd.DataFrame({"group": [0, 0, 0, 1, 1, 2, 2],
                         "doc_id": [ids[2], ids[37], ids[130], ids[40], ids[41], ids[3], ids[160]]})


def test_term_trends_dedupe(wikinews):
    groups = copy_groups(wikinews)
    for kwargs in ({}, {"by": "outlet"}):
        expected = quietly(ct.term_trends, wikinews, TREND_TERMS, dedupe=groups, **kwargs)
        assert expected.attrs["n_copies_dropped"] == 4
        assert_same(by_shards(wikinews, TRENDS, TREND_TERMS, dedupe=groups, **kwargs), expected)


# ---------------------------------------------------------------------- keyness
def _targets(corpus):
    in_outlet = (corpus.docs["outlet"] == "Alpha").to_numpy()
    chosen = corpus.docs.index[::4]
    return [
        (in_outlet, {}),                                            # a mask
        (pd.Series(corpus.docs.index.isin(chosen), index=corpus.docs.index), {}),  # documents by id
        ({"outlet": "Beta"}, {"reference": {"outlet": ["Alpha", "Gamma"]}}),       # column queries
        ({"sections": "science"}, {"measure": "chi2", "min_count": 1}),
        ("2019-03", {"measure": "log_ratio"}),                      # a period: undated documents left out
        (("2019-01", "2019-04"), {"reference": ("2019-07", "2019-12"), "measure": "log_odds", "top": 10}),
        (in_outlet, {"min_count": 0, "alpha0": 50.0}),
    ]


@pytest.mark.parametrize("case", range(7))
def test_keyness(wikinews, case):
    target, kwargs = _targets(wikinews)[case]
    expected = quietly(ct.keyness, wikinews, target, **kwargs)
    assert len(expected) > 0
    assert_same(by_shards(wikinews, KEYNESS, target, **kwargs), expected)


def test_keyness_dedupe(wikinews):
    groups = copy_groups(wikinews)
    expected = quietly(ct.keyness, wikinews, "2019-03", dedupe=groups)
    assert_same(by_shards(wikinews, KEYNESS, "2019-03", dedupe=groups), expected)


@pytest.mark.parametrize("kwargs", [{"by": "outlet"}, {"by": "sections", "measure": "log_odds", "top": None},
                                    {"by": "QS", "measure": "chi2", "min_count": 1},
                                    {"by": "outlet", "dedupe": "groups"}])
def test_keyness_table(wikinews, kwargs):
    if kwargs.get("dedupe") == "groups":
        kwargs = {**kwargs, "dedupe": copy_groups(wikinews)}
    by = kwargs.pop("by")
    expected = quietly(ct.keyness_table, wikinews, by, **kwargs)
    assert_same(by_shards(wikinews, KEYNESS_TABLE, by, **kwargs), expected)


# ---------------------------------------------------------------------- co-occurrence, collocates
@pytest.mark.parametrize("window", [None, "document", "sentence", 1, 4])
@pytest.mark.parametrize("measure", ["count", "pmi", "npmi", "ppmi", "log_dice", "g2", "jaccard", "t_score"])
def test_cooccurrence_every_unit_and_measure(wikinews, window, measure):
    kwargs = {"terms": 60, "window": window, "measure": measure, "min_count": 2}
    expected = ct.cooccurrence(wikinews, **kwargs)
    assert len(expected) > 10
    assert_same(by_shards(wikinews, COOCCURRENCE, **kwargs), expected)


@pytest.mark.parametrize("kwargs", [
    {"window": 3, "min_count": 1},                                      # every term
    {"terms": 1500, "min_count": 3},
    {"window": "sentence", "min_count": 3, "top": 25},
    {"terms": ["president", "trump", "court", "police", "government", "house"], "window": 5, "min_count": 1},
    {"terms": ["president", "trump", "court", "police", "government", "house"], "measure": "g2", "min_count": 1},
    {"terms": 200, "window": 2, "measure": "count", "top": 40},
])
def test_cooccurrence_terms_and_thresholds(wikinews, kwargs):
    expected = ct.cooccurrence(wikinews, **kwargs)
    assert len(expected) > 0
    assert_same(by_shards(wikinews, COOCCURRENCE, **kwargs), expected)


def test_cooccurrence_min_count_is_applied_to_the_sums(wikinews):
    # a pair counted twice in all documents together but at most once in each piece
    whole = ct.cooccurrence(wikinews, terms=300, window=2, measure="count", min_count=1)
    per_piece = [ct.cooccurrence(shard, terms=300, window=2, measure="count", min_count=1) if shard.n_docs
                 else None for shard, _ in pieces(wikinews)]
    largest = pd.concat([p for p in per_piece if p is not None]).groupby(["term1", "term2"])["count"].max()
    summed = whole.set_index(["term1", "term2"])["count"]
    spread = summed[(summed >= 2) & (largest.reindex(summed.index) < 2)]
    assert len(spread) > 0
    expected = ct.cooccurrence(wikinews, terms=300, window=2, measure="count", min_count=2)
    got = by_shards(wikinews, COOCCURRENCE, terms=300, window=2, measure="count", min_count=2)
    assert_same(got, expected)
    assert set(spread.index) <= set(zip(got["term1"], got["term2"]))


@pytest.mark.parametrize("window", [None, "sentence", 2, 5])
@pytest.mark.parametrize("measure", ["log_dice", "npmi", "g2", "count"])
def test_collocates(wikinews, window, measure):
    kwargs = {"window": window, "measure": measure, "min_count": 1, "top": None}
    expected = ct.collocates(wikinews, "president", **kwargs)
    assert len(expected) > 20
    assert_same(by_shards(wikinews, COLLOCATES, "president", **kwargs), expected)


# ---------------------------------------------------------------------- kwic
@pytest.mark.parametrize("pattern, kwargs, truncated", [
    ("president", {"max_rows": 7}, True),                               # more matches than rows
    ("president", {"max_rows": None, "by": "outlet"}, False),
    ("president", {"max_rows": 40, "sort": "left", "window": 3}, True),
    ("united states", {"max_rows": 5, "sort": "right", "by": ["outlet", "sections"]}, True),
    ("elect*", {"max_rows": 1000, "window": 0}, False),
    (r"supreme\s+court", {"regex": True, "max_rows": 2}, True),
    (r"supreme\s+court", {"regex": True, "max_rows": None, "sort": "left"}, False),
    ("zzyzx*", {}, False),                                              # no match at all
])
def test_kwic(wikinews, pattern, kwargs, truncated):
    expected = quietly(ct.kwic, wikinews, pattern, **kwargs)
    got = by_shards(wikinews, KWIC, pattern, **kwargs)
    assert_same(got, expected)
    assert got.attrs["truncated"] == truncated
    assert (len(got) < got.attrs["n_matches"]) == truncated


# ---------------------------------------------------------------------- topic inference
@pytest.fixture(scope="module", params=["lda", "nmf"])
def model(request):
    # fitted on a corpus of its own (another vocabulary: the terms are matched by their string)
    first = ct.Corpus.from_docs(_wikinews_docs().iloc[:120], cache=False, progress=False)
    return ct.TopicModel(3, method=request.param, random_state=1, passes=2).fit(first)


TRANSFORM = (topics._transform_prepare, topics._transform_parts, topics._transform_combine,
             topics._transform_finish)


def test_transform_of_shards_on_block_boundaries_is_exact(wikinews, model, monkeypatch):
    # the documents the model was fitted on get the shares of fit time
    np.testing.assert_array_equal(model.transform(model.corpus_).to_numpy(), model.doc_topics_)
    # blocks of 10 documents: pieces starting and ending on multiples of 10 (or the corpus's end)
    monkeypatch.setattr(topics, "_INFER_BLOCK", 10)
    monkeypatch.setattr(topics, "_INFER_CHUNK", 10)
    expected = model.transform(wikinews)
    assert expected.shape == (wikinews.n_docs, 3) and expected.attrs["unknown_tokens"] > 0
    got = by_shards(wikinews, TRANSFORM, model, bounds=(0, 40, 40, 170))
    assert_same(got, expected)
    # ... and through a sharded corpus, whose plan carries the generator's state at every block
    assert_same(model.transform(Sharded(wikinews, (0, 40, 40, 170))), expected)


def test_transform_of_other_shards_draws_the_same_starts(wikinews, model):
    # every shard starts each document from the numbers the whole corpus would give it, and a
    # document's result does not depend on the others solved beside it: the shares are the same
    # to the bit across block boundaries
    expected = model.transform(wikinews)
    got = by_shards(wikinews, TRANSFORM, model)
    assert_same(got, expected)
    assert got.attrs == expected.attrs


# ---------------------------------------------------------------------- run(), on a sharded corpus
class Sharded:
    """What a sharded corpus offers the analyses: the whole corpus's metadata (docs without the
    texts) and ``map_shards``, which pickles what goes to and comes back from each shard."""

    def __init__(self, corpus, bounds=BOUNDS):
        self._whole = corpus
        self._pieces = pieces(corpus, bounds)
        self.vocab, self.params = corpus.vocab, corpus.params
        self.docs = corpus.docs.drop(columns=[corpus.params.get("text", "text")])
        self.dates, self.doc_lengths = corpus.dates, corpus.doc_lengths
        self.n_docs, self.n_tokens, self.n_terms = corpus.n_docs, corpus.n_tokens, corpus.n_terms

    def _term_totals(self):
        df, cf = zip(*(shard._term_totals() for shard, _ in self._pieces))
        return np.sum(df, axis=0), np.sum(cf, axis=0)

    def term_id(self, term):
        return self._whole.term_id(term)

    def analyze(self, text):
        return self._whole.analyze(text)

    def map_shards(self, fn, *args, **kwargs):
        args, kwargs = roundtrip((args, kwargs))
        return [roundtrip(fn(shard, rows, *args, **kwargs)) for shard, rows in self._pieces]


@pytest.mark.parametrize("call", [
    lambda c: ct.term_frequencies(c, by="sections", top=4),
    lambda c: ct.term_trends(c, TREND_TERMS, by="outlet", smooth=2),
    lambda c: ct.keyness(c, {"outlet": "Gamma"}, top=15),
    lambda c: ct.keyness_table(c, "MS", top=5),
    lambda c: ct.cooccurrence(c, terms=100, window="sentence", measure="log_dice"),
    lambda c: ct.cooccurrence(c, terms=100, window=3, min_count=1, top=50),
    lambda c: ct.collocates(c, "court", window=4, min_count=1),
    lambda c: ct.kwic(c, "court", max_rows=9, sort="right", by="outlet"),
])
def test_public_functions_on_a_sharded_corpus(wikinews, call):
    assert_same(quietly(call, Sharded(wikinews)), quietly(call, wikinews))


def test_run_maps_parts_over_the_shards(wikinews):
    seen = []

    def parts(shard, rows, plan):
        seen.append((shard.n_docs, rows, plan.top))
        return {"n": np.array([shard.n_docs])}

    def finish(parts, plan):
        return pd.DataFrame({"n": parts["n"], "top": plan.top})

    got = _mapreduce.run(Sharded(wikinews), lambda corpus, top: _mapreduce.Plan(top=top), parts, _mapreduce.add,
                         finish, 3)
    assert seen == [(37, slice(0, 37), 3), (0, slice(37, 37), 3), (1, slice(37, 38), 3), (82, slice(38, 120), 3),
                    (51, slice(120, 171), 3)]
    assert got.to_dict("list") == {"n": [171], "top": [3]}
    seen.clear()
    _mapreduce.run(wikinews, lambda corpus, top: _mapreduce.Plan(top=top), parts, _mapreduce.add, finish, 3)
    assert seen == [(171, slice(0, 171), 3)]


def test_plan_leaves_client_only_fields_out_of_the_shards(wikinews):
    plan = quietly(frequencies._frequencies_prepare, wikinews, by="outlet")
    shipped = roundtrip(plan)
    assert plan.vocab is wikinews.vocab and shipped.vocab is None
    assert shipped.groups.labels.tolist() == ["Alpha", "Beta", "Gamma"]


def test_dedupe_true_needs_the_corpus_in_memory(wikinews):
    message = re.escape("dedupe=True needs the whole corpus in memory and this corpus is held as shards; find the "
                        "copies once and pass them: dedupe=<the groups ct.near_duplicates returned>.")
    sharded = Sharded(wikinews)
    for call in (lambda: ct.term_trends(sharded, "court", dedupe=True),
                 lambda: ct.keyness(sharded, {"outlet": "Alpha"}, dedupe=True),
                 lambda: ct.keyness_table(sharded, "outlet", dedupe=True)):
        with pytest.raises(ValueError, match=message):
            call()


def test_warnings_name_the_callers_line(wikinews):
    # prepare gives the warnings about the whole corpus once, pointing at the user's call
    calls = [lambda: ct.term_frequencies(wikinews, by="outlet"),
             lambda: ct.term_trends(wikinews, ["court", "zzyzx*"], by="outlet"),
             lambda: ct.keyness(wikinews, "2019-03"),
             lambda: ct.keyness_table(wikinews, "outlet"),
             lambda: ct.kwic(wikinews, "court", max_rows=1),
             lambda: ct.kwic(wikinews, "zzyzx*")]
    for call in calls:
        with pytest.warns(UserWarning) as caught:
            call()
        assert {w.filename for w in caught} == {__file__}


# ---------------------------------------------------------------------- Reuters-21578
@pytest.mark.corpora
@pytest.mark.parametrize("steps, args, kwargs", [
    (FREQUENCIES, (), {"by": "MS", "top": 50}),
    (TRENDS, (["oil", "crude oil", "bank*"],), {"freq": "W", "by": "places"}),
    (KEYNESS, ({"places": "japan"},), {"measure": "log_odds"}),
    (COOCCURRENCE, (), {"terms": 500, "window": 5, "measure": "npmi"}),
    (COLLOCATES, ("crude",), {"window": "sentence"}),
    (KWIC, ("crude oil",), {"max_rows": 300, "sort": "left"}),
])
def test_reuters(reuters, steps, args, kwargs):
    public = {FREQUENCIES: ct.term_frequencies, TRENDS: ct.term_trends, KEYNESS: ct.keyness,
              KEYNESS_TABLE: ct.keyness_table, COOCCURRENCE: ct.cooccurrence, COLLOCATES: ct.collocates,
              KWIC: ct.kwic}[steps]
    expected = quietly(public, reuters, *args, **kwargs)
    assert len(expected) > 0
    assert_same(by_shards(reuters, steps, *args, bounds=REUTERS_BOUNDS, **kwargs), expected)
