"""term_trends: exact per-period counts, denominators, intervals, smoothing, groups, and errors."""
from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import corpus_tools as ct
from corpus_tools.analyses.intervals import poisson_interval, wilson_interval

# Six short articles. Kept tokens (English stopwords removed), checked in test_fixture_tokens:
#   d1 2021-01-03 A  troops crossed border | troops returned                   (5 tokens)
#   d2 2021-01-20 B  defense minister praised troops                           (4)
#   d3 2021-01-31 A  markets rallied                                           (2)
#   -- no document in February --
#   d4 2021-03-10 B  defense | minister resigned   (a sentence ends between)   (3)
#   d5 2021-03-15 A  military drills near border militants fled                (6)
#   d6 undated    B  troops everywhere                                         (2)
# January starts on the 3rd and March ends on the 15th: both are partial.
TEXTS = {
    "d1": ("Troops crossed the border. Troops returned.", "2021-01-03", "A"),
    "d2": ("The defense minister praised troops.", "2021-01-20", "B"),
    "d3": ("Markets rallied.", "2021-01-31", "A"),
    "d4": ("Defense. Minister resigned.", "2021-03-10", "B"),
    "d5": ("Military drills near the border; militants fled.", "2021-03-15", "A"),
    "d6": ("Troops everywhere.", None, "B"),
}
Z95 = stats.norm.ppf(0.975)


def make_docs(texts=TEXTS):
    return pd.DataFrame(
        {"text": [t for t, _, _ in texts.values()],
         "date": pd.to_datetime([d for _, d, _ in texts.values()]),
         "source": [s for _, _, s in texts.values()]},
        index=pd.Index(list(texts), name="doc_id"),
    )


@pytest.fixture(scope="module")
def corpus():
    return ct.Corpus.from_docs(make_docs(), cache=False, progress=False)


def trends(corpus, terms, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ct.term_trends(corpus, terms, **kwargs)


def hand_wilson(k, n, z=Z95):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_fixture_tokens(corpus):
    assert corpus.tokens("d1") == ["troops", "crossed", "border", "troops", "returned"]
    assert corpus.sentences("d4") == [["defense"], ["minister", "resigned"]]
    assert corpus.doc_lengths.tolist() == [5, 4, 2, 3, 6, 2]


def test_doc_share_of_a_term_with_empty_month_partial_months_and_undated(corpus):
    with pytest.warns(UserWarning, match=r"1 of 6 documents have no date"):
        out = ct.term_trends(corpus, "troops")
    assert list(out.columns) == ["period", "term", "count", "n_docs_with", "n_docs", "n_tokens", "value",
                                 "ci_low", "ci_high", "partial"]
    assert out["period"].tolist() == list(pd.to_datetime(["2021-01-01", "2021-02-01", "2021-03-01"]))
    assert out["term"].tolist() == ["troops"] * 3
    assert out["count"].tolist() == [3, 0, 0]          # d1 twice, d2 once; d6 is undated
    assert out["n_docs_with"].tolist() == [2, 0, 0]
    assert out["n_docs"].tolist() == [3, 0, 2]
    assert out["n_tokens"].tolist() == [11, 0, 9]
    assert out["partial"].tolist() == [True, False, True]
    assert out["value"].iloc[0] == pytest.approx(2 / 3)
    assert np.isnan(out["value"].iloc[1]) and np.isnan(out["ci_low"].iloc[1]) and np.isnan(out["ci_high"].iloc[1])
    assert out["value"].iloc[2] == 0.0
    lo, hi = hand_wilson(2, 3)
    assert (out["ci_low"].iloc[0], out["ci_high"].iloc[0]) == (pytest.approx(lo), pytest.approx(hi))
    lo0, hi0 = hand_wilson(0, 2)
    assert out["ci_low"].iloc[2] == pytest.approx(0.0, abs=1e-12)
    assert out["ci_high"].iloc[2] == pytest.approx(hi0) == pytest.approx(Z95**2 / (2 + Z95**2))
    assert out.attrs["n_undated"] == 1
    assert out.attrs["measure"] == "doc_share"


def test_count_and_rate_use_exact_poisson_intervals(corpus):
    counts = trends(corpus, "troops", measure="count")
    assert counts["value"].tolist() == [3.0, 0.0, 0.0]   # an empty month has 0 occurrences ...
    assert np.isnan(counts["ci_low"].iloc[1])            # ... but no interval: nothing could occur
    lo = stats.chi2.ppf(0.025, 2 * 3) / 2
    hi = stats.chi2.ppf(0.975, 2 * 3 + 2) / 2
    assert counts["ci_low"].iloc[0] == pytest.approx(lo)
    assert counts["ci_high"].iloc[0] == pytest.approx(hi)
    # published exact 95% limits for 3 events (Garwood): 0.619 .. 8.767
    assert (round(lo, 3), round(hi, 3)) == (0.619, 8.767)
    assert counts["ci_low"].iloc[2] == 0.0
    assert counts["ci_high"].iloc[2] == pytest.approx(stats.chi2.ppf(0.975, 2) / 2) == pytest.approx(math.log(40))

    rate = trends(corpus, "troops", measure="per_10k_tokens")
    assert rate["value"].iloc[0] == pytest.approx(3 / 11 * 10_000)
    assert rate["ci_low"].iloc[0] == pytest.approx(lo / 11 * 10_000)
    assert rate["ci_high"].iloc[0] == pytest.approx(hi / 11 * 10_000)
    assert np.isnan(rate["value"].iloc[1])
    assert rate["value"].iloc[2] == 0.0


def test_phrase_stays_within_a_sentence(corpus):
    out = trends(corpus, "Defense Minister", measure="count")
    assert out["term"].unique().tolist() == ["Defense Minister"]
    assert out["count"].tolist() == [1, 0, 0]   # d2; in d4 a sentence ends between the words


def test_glob_and_named_group(corpus):
    with pytest.warns(UserWarning) as record:
        out = ct.term_trends(corpus, ["milit*", {"Army": ["troops", "military", "navy"]}], measure="count")
    assert "group 'Army': term 'navy' is not in the vocabulary (16 terms); it counts as zero." in [
        str(w.message) for w in record]
    glob = out[out["term"] == "milit*"]
    assert glob["count"].tolist() == [0, 0, 2]          # military + militants in d5
    assert glob["n_docs_with"].tolist() == [0, 0, 1]
    army = out[out["term"] == "Army"]
    assert army["count"].tolist() == [3, 0, 1]
    assert army["n_docs_with"].tolist() == [2, 0, 1]    # d5 mentions the group once as a document
    assert out["term"].tolist() == ["milit*"] * 3 + ["Army"] * 3


def test_glob_without_match_warns_and_counts_zero(corpus):
    with pytest.warns(UserWarning) as record:
        out = ct.term_trends(corpus, "navy*", measure="count")
    assert "glob: 'navy*' matches no term of the vocabulary; it counts as zero." in [str(w.message) for w in record]
    assert out["count"].tolist() == [0, 0, 0]


def test_smoothing_pools_the_window(corpus):
    share = trends(corpus, "troops", smooth=3)
    # windows: [Jan, Feb], [Jan, Feb, Mar], [Feb, Mar]; documents mentioning / documents
    assert share["value"].tolist() == pytest.approx([2 / 3, 2 / 5, 0 / 2])
    lo, hi = hand_wilson(2, 5)
    assert (share["ci_low"].iloc[1], share["ci_high"].iloc[1]) == (pytest.approx(lo), pytest.approx(hi))
    assert share["count"].tolist() == [3, 0, 0]    # the raw columns stay per period
    count = trends(corpus, "troops", measure="count", smooth=3)
    assert count["value"].tolist() == pytest.approx([3 / 2, 3 / 3, 0 / 2])
    assert count["ci_high"].iloc[1] == pytest.approx(stats.chi2.ppf(0.975, 8) / 2 / 3)


def test_by_source_shares_the_period_range(corpus):
    with pytest.warns(UserWarning, match="no date"):
        out = ct.term_trends(corpus, "troops", by="source")
    assert list(out.columns[:3]) == ["period", "source", "term"]
    a = out[out["source"] == "A"]
    b = out[out["source"] == "B"]
    assert len(a) == len(b) == 3
    assert a["n_docs"].tolist() == [2, 0, 1] and b["n_docs"].tolist() == [1, 0, 1]
    assert a["value"].tolist()[0] == 0.5 and a["value"].tolist()[2] == 0.0
    assert b["value"].tolist()[0] == 1.0 and b["value"].tolist()[2] == 0.0
    assert out["partial"].tolist() == [True, False, True] * 2
    assert out.attrs["by"] == "source"


def test_list_column_counts_a_document_in_each_section():
    docs = make_docs()
    docs["sections"] = [["world", "asia"], ["world"], [], ["asia"], ["world"], []]
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    with pytest.warns(UserWarning) as record:
        out = ct.term_trends(corpus, "troops", by="sections", measure="count")
    assert ("2 of 6 documents have no `sections` value and are left out (counted in result.attrs['n_left_out'])."
            in [str(w.message) for w in record])
    asia = out[out["sections"] == "asia"]
    world = out[out["sections"] == "world"]
    assert asia["count"].tolist() == [2, 0, 0] and asia["n_docs"].tolist() == [1, 0, 1]
    assert world["count"].tolist() == [3, 0, 0] and world["n_docs"].tolist() == [2, 0, 1]
    assert out.attrs["n_left_out"] == 2


def test_query_is_normalised_like_a_lemmatised_corpus():
    corpus = ct.Corpus.from_docs(make_docs(), lemmatize=True, cache=False, progress=False)
    assert "troop" in corpus.vocab and "troops" not in corpus.vocab
    out = trends(corpus, "Troops", measure="count")
    assert out["term"].iloc[0] == "Troops"
    assert out["count"].tolist() == [3, 0, 0]


def test_phrase_in_a_corpus_with_joined_phrases_counts_both_forms():
    built = ct.Corpus.from_docs(make_docs(), cache=False, progress=False)
    # d2 as the phrase detector would store it (one joined term), d4 as two separate words
    vocab = ["defense", "defense_minister", "minister", "praised", "resigned", "troops"]
    ids = [1, 3, 5, 0, 2, 4, 0, 2]
    docs = pd.DataFrame({"text": ["defense minister praised troops", "defense minister resigned",
                                  "defense minister"],
                         "date": pd.to_datetime(["2021-01-05", "2021-01-06", "2021-02-01"])},
                        index=pd.Index(["x", "y", "z"], name="doc_id"))
    corpus = ct.Corpus(docs, vocab, ids, [0, 3, 6, 8], [0, 3, 6, 8],
                       params={**built.params, "phrases": {"delimiter": "_"}})
    out = trends(corpus, "defense minister", measure="count")
    assert out["count"].tolist() == [2, 1]
    joined = trends(corpus, "defense_minister", measure="count")
    assert joined["count"].tolist() == [1, 0]


def test_repeated_phrase_matches_do_not_overlap():
    docs = pd.DataFrame({"text": ["Very very very good.", "Very very."], "date": pd.to_datetime(["2021-01-01"] * 2)},
                        index=pd.Index(["a", "b"], name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, stopwords=None, cache=False, progress=False)
    out = trends(corpus, "very very", measure="count")
    assert out["count"].tolist() == [2]


def test_ci_none_keeps_nan_columns(corpus):
    out = trends(corpus, "troops", ci=None)
    assert out["ci_low"].isna().all() and out["ci_high"].isna().all()
    assert out["value"].iloc[0] == pytest.approx(2 / 3)


def test_ci_level_changes_width(corpus):
    narrow = trends(corpus, "troops", ci=0.5)
    lo, hi = hand_wilson(2, 3, z=stats.norm.ppf(0.75))
    assert (narrow["ci_low"].iloc[0], narrow["ci_high"].iloc[0]) == (pytest.approx(lo), pytest.approx(hi))


def test_yearly_periods(corpus):
    out = trends(corpus, "troops", freq="YS", measure="count")
    assert out["period"].tolist() == [pd.Timestamp("2021-01-01")]
    assert out["count"].tolist() == [3] and out["n_docs"].tolist() == [5]
    assert out["partial"].tolist() == [True]


# ---------------------------------------------------------------------- errors
def test_absent_term_names_close_matches(corpus):
    with pytest.raises(KeyError, match=r"^\"term 'troopz' is not in the vocabulary \(16 terms\); "
                                       r"close terms: \['troops'\]\"$"):
        ct.term_trends(corpus, "troopz")


def test_stopword_query_explains(corpus):
    with pytest.raises(KeyError, match=r"'the' leaves no term after normalising it"):
        ct.term_trends(corpus, "the")


def test_option_errors(corpus):
    with pytest.raises(ValueError, match=r"^`measure` must be one of \['doc_share', 'count', 'per_10k_tokens'\]; "
                                         r"got 'share'\.$"):
        ct.term_trends(corpus, "troops", measure="share")
    with pytest.raises(ValueError, match=r"^`freq` must be one of \['D', 'W', 'MS'.*got 'month'\.$"):
        ct.term_trends(corpus, "troops", freq="month")
    with pytest.raises(ValueError, match=r"`smooth` must be a positive number of periods or None; got 0\."):
        ct.term_trends(corpus, "troops", smooth=0)
    with pytest.raises(ValueError, match=r"`ci` must be a confidence level between 0 and 1 .*got 95"):
        ct.term_trends(corpus, "troops", ci=95)
    with pytest.raises(KeyError, match=r"`by`='outlet' is not a docs column; the columns are \['text', 'date', "
                                       r"'source'\]"):
        trends(corpus, "troops", by="outlet")
    with pytest.raises(ValueError, match=r"each term or group may be asked for once; repeated: \['troops'\]"):
        ct.term_trends(corpus, ["troops", "troops"])
    with pytest.raises(TypeError, match=r"`terms` must be a term, a list"):
        ct.term_trends(corpus, 42)


def test_undated_corpus_explains():
    docs = make_docs()
    docs["date"] = pd.NaT
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    with pytest.raises(ValueError, match=r"no document has a date.*`date` column"):
        trends(corpus, "troops")


# ---------------------------------------------------------------------- properties
WORDS = ["alpha", "bravo", "charlie", "delta", "echo"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8),
                          st.one_of(st.none(), st.integers(0, 120))), min_size=2, max_size=12))
def test_totals_match_the_document_term_matrix(rows):
    if all(day is None for _, day in rows):
        rows = [(rows[0][0], 0), *rows[1:]]
    docs = pd.DataFrame(
        {"text": [" ".join(words) for words, _ in rows],
         "date": [pd.Timestamp("2020-01-01") + pd.Timedelta(days=d) if d is not None else pd.NaT for _, d in rows]},
        index=pd.Index([f"d{i}" for i in range(len(rows))], name="doc_id"),
    )
    corpus = ct.Corpus.from_docs(docs, stopwords=None, cache=False, progress=False)
    out = trends(corpus, list(corpus.vocab), measure="count")
    dated = corpus.dates.notna().to_numpy()
    for term, series in out.groupby("term", sort=False):
        column = corpus.dtm[:, corpus.term_id(term)].toarray().ravel()
        assert series["count"].sum() == column[dated].sum()
        assert series["n_docs_with"].sum() == (column[dated] > 0).sum()
        assert (series["n_docs_with"] <= series["n_docs"]).all()
        assert ((series["ci_low"] <= series["value"]) | series["ci_low"].isna()).all()
        assert ((series["value"] <= series["ci_high"]) | series["ci_high"].isna()).all()
    first = out[out["term"] == out["term"].iloc[0]]
    assert first["n_docs"].sum() == dated.sum()
    assert first["n_tokens"].sum() == corpus.doc_lengths[dated].sum()
    assert out.attrs["n_undated"] == (~dated).sum()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 500), st.integers(1, 500), st.floats(0.5, 0.999))
def test_interval_properties(k, n, level):
    k = min(k, n)
    lo, hi = wilson_interval(k, n, level)
    assert 0 <= lo <= k / n + 1e-12 and k / n - 1e-12 <= hi <= 1
    plo, phi = poisson_interval(k, level)
    assert plo <= k <= phi
    wider_lo, wider_hi = wilson_interval(k, n, min(level + 0.0005, 0.9995))
    assert wider_lo <= lo + 1e-12 and wider_hi >= hi - 1e-12


# ---------------------------------------------------------------------- real corpus
@pytest.mark.corpora
def test_abc_iraq_headlines_peak_in_march_2003_and_match_an_independent_count(corpora):
    docs = ct.load(corpora / "abcnews_headlines_2003", errors="skip")
    corpus = ct.Corpus.from_docs(docs, progress=False)
    out = trends(corpus, "iraq", measure="doc_share")
    assert out.loc[out["value"].idxmax(), "period"] == pd.Timestamp("2003-03-01")
    assert out["partial"].iloc[0] and out["partial"].iloc[-1] and not out["partial"].iloc[1:-1].any()

    # independently: a word is a run of letters/digits with inner apostrophes or hyphens (so
    # "iraq-based" is another word), and "iraq's" is iraq, as the tokenizer has it
    word_iraq = r"(?<![\w'’-])iraq(?:['’]s?)?(?![\w'’-])"
    per_headline = docs["text"].str.lower().str.count(word_iraq)
    month = docs["date"].dt.to_period("M").dt.start_time
    expected = pd.DataFrame({"occurrences": per_headline.groupby(month).sum(),
                             "headlines": (per_headline > 0).groupby(month).sum(),
                             "all": month.value_counts().sort_index()})
    got = out.set_index("period")
    assert got["count"].tolist() == expected["occurrences"].tolist()
    assert got["n_docs_with"].tolist() == expected["headlines"].tolist()
    assert got["n_docs"].tolist() == expected["all"].tolist()
    assert got["value"].to_numpy() == pytest.approx((expected["headlines"] / expected["all"]).to_numpy())


def test_phrase_whose_words_are_only_in_joined_terms():
    built = ct.Corpus.from_docs(make_docs(), cache=False, progress=False)
    # as the phrase detector stores them when every use of "prime" and "wales" was joined
    vocab = ["met", "new", "new_south_wales", "police", "prime_minister", "south_wales"]
    docs = pd.DataFrame({"text": ["Prime minister met New South Wales police.", "Prime minister met new South Wales.",
                                  "Police met."],
                         "date": pd.to_datetime(["2021-01-05", "2021-01-06", "2021-02-01"])},
                        index=pd.Index(["x", "y", "z"], name="doc_id"))
    corpus = ct.Corpus(docs, vocab, [4, 0, 2, 3, 4, 0, 1, 5, 3, 0], [0, 4, 8, 10], [0, 4, 8, 10],
                       params={**built.params, "phrases": {"delimiter": "_"}})
    out = trends(corpus, ["prime minister", "new south wales", "new south wales police"], measure="count")
    assert out[["term", "count"]].values.tolist() == [
        ["prime minister", 2], ["prime minister", 0], ["new south wales", 2], ["new south wales", 0],
        ["new south wales police", 1], ["new south wales police", 0]]
    with pytest.raises(KeyError, match=r"^\"'prime minister zzzq': the word 'zzzq' is not in the vocabulary\"$"):
        ct.term_trends(corpus, "prime minister zzzq")
    with pytest.raises(KeyError, match=r"^\"'prime police': the word 'prime' is not in the vocabulary"):
        ct.term_trends(corpus, "prime police")


# ------------------------------------------------------------------ dedupe: copies counted once
# One wire story carried by three outlets in January: the wire's own (w1), an exact copy (d1)
# and one with a local paragraph added (h1). In January 5 documents, 3 mention "refinery"
# (w1, d1, h1); without the 2 copies, 1 of 3. In February 1 of 2 either way.
STORY = ("Workers at the northern refinery ended their strike on Monday after three weeks. "
         "The refinery will restart its two crude units within ten days, the company said. "
         "Fuel prices in the region had climbed sharply during the stoppage. "
         "Union leaders said the agreement raised wages and improved safety rules.")
SYNDICATED = {
    "w1": (STORY, "2024-01-05", "Wire"),
    "d1": (STORY, "2024-01-06", "Daily"),
    "h1": (STORY + " Our correspondent visited the gates on Tuesday and met families waiting for the first "
                   "wages in a month.", "2024-01-07", "Herald"),
    "x1": ("Farmers in the valley protested about water rights outside the council building. "
           "They asked for a new reservoir before the summer.", "2024-01-10", "Daily"),
    "x2": ("The mayor announced an early election after the budget vote failed in the city council.",
           "2024-01-20", "Herald"),
    "x3": ("The national football team won the cup final with a late goal from the captain.", "2024-02-03", "Wire"),
    "x4": ("A fire broke out at the coastal refinery late on Friday; nobody was hurt, firefighters said.",
           "2024-02-15", "Daily"),
}


@pytest.fixture(scope="module")
def syndicated():
    corpus = ct.Corpus.from_docs(make_docs(SYNDICATED), cache=False, progress=False)
    return corpus, ct.near_duplicates(corpus)


def test_the_syndicated_fixture_has_one_group_of_three(syndicated):
    _, groups = syndicated
    assert groups["doc_id"].tolist() == ["w1", "d1", "h1"]
    assert groups["kind"].tolist() == ["first", "exact", "contained"]


def test_dedupe_counts_a_syndicated_story_once_with_honest_denominators(syndicated):
    corpus, groups = syndicated
    plain = trends(corpus, "refinery")
    once = trends(corpus, "refinery", dedupe=groups)
    assert plain["n_docs_with"].tolist() == [3, 1] and plain["n_docs"].tolist() == [5, 2]
    assert once["n_docs_with"].tolist() == [1, 1] and once["n_docs"].tolist() == [3, 2]
    assert once["value"].tolist() == pytest.approx([1 / 3, 1 / 2])
    assert plain["value"].tolist() == pytest.approx([3 / 5, 1 / 2])
    assert once[["ci_low", "ci_high"]].iloc[0].tolist() == pytest.approx(list(hand_wilson(1, 3)))
    # "refinery" twice in the story, once in x4; kept tokens of the period shrink by the copies'
    lengths = dict(zip(corpus.docs.index, corpus.doc_lengths))
    assert once["count"].tolist() == [2, 1] and plain["count"].tolist() == [6, 1]
    assert once["n_tokens"].tolist() == [lengths["w1"] + lengths["x1"] + lengths["x2"], lengths["x3"] + lengths["x4"]]
    assert once.attrs["n_copies_dropped"] == 2 and once.attrs["dedupe"] is True
    assert plain.attrs["n_copies_dropped"] == 0 and plain.attrs["dedupe"] is False
    assert once["period"].tolist() == plain["period"].tolist()


def test_dedupe_true_and_groups_from_near_duplicates_agree(syndicated):
    corpus, groups = syndicated
    for kwargs in ({}, {"measure": "per_10k_tokens"}, {"by": "source"}):
        found = trends(corpus, ["refinery", "council"], dedupe=True, **kwargs)
        given_groups = trends(corpus, ["refinery", "council"], dedupe=groups, **kwargs)
        pd.testing.assert_frame_equal(found, given_groups)
        assert found.attrs == given_groups.attrs


def test_dedupe_matches_the_trend_of_the_corpus_without_copies(syndicated):
    # the same numbers by the other route: drop the copies first, then count
    corpus, groups = syndicated
    for kwargs in ({}, {"measure": "count"}, {"by": "source"}, {"smooth": 2}):
        once = trends(corpus, ["refinery", "strike"], dedupe=groups, **kwargs)
        dropped = trends(corpus.drop_duplicates(groups), ["refinery", "strike"], **kwargs)
        pd.testing.assert_frame_equal(once, dropped)


def test_dedupe_by_source_leaves_the_copies_out_of_their_outlets(syndicated):
    corpus, groups = syndicated
    once = trends(corpus, "refinery", by="source", dedupe=groups)
    january = once[once["period"] == "2024-01-01"].set_index("source")
    # Daily: x1 (d1 is a copy); Herald: x2 (h1 is a copy); Wire: w1
    assert january["n_docs"].to_dict() == {"Daily": 1, "Herald": 1, "Wire": 1}
    assert january["n_docs_with"].to_dict() == {"Daily": 0, "Herald": 0, "Wire": 1}


def test_dedupe_keeps_the_earliest_member_of_a_hand_made_group(syndicated):
    corpus, _ = syndicated
    # listed latest first: x3 (February 3rd) is kept and x4 (February 15th) dropped all the same
    groups = pd.DataFrame({"group": [0, 0], "doc_id": ["x4", "x3"]})
    once = trends(corpus, "refinery", dedupe=groups)
    assert once["n_docs"].tolist() == [5, 1] and once["n_docs_with"].tolist() == [3, 0]
    # a doc_id the corpus does not hold changes nothing, and is said
    other = pd.DataFrame({"group": [0, 0], "doc_id": ["elsewhere", "x4"]})
    with pytest.warns(UserWarning, match=re.escape(
            "term_trends: 1 of the 2 rows of `dedupe` name a doc_id that is not in the corpus and are left out.")):
        assert ct.term_trends(corpus, "refinery", dedupe=other)["n_docs"].tolist() == [5, 2]


def test_dedupe_with_groups_of_another_corpus_is_an_error(syndicated):
    corpus, _ = syndicated
    with pytest.raises(ValueError, match=re.escape(
            "term_trends: none of the 2 doc_id of `dedupe` is in the corpus; pass the groups ct.near_duplicates "
            "found in this corpus (or in a larger corpus holding its documents).")):
        ct.term_trends(corpus, "refinery", dedupe=pd.DataFrame({"group": [0, 0], "doc_id": ["x1_other", "x2_other"]}))


def test_dedupe_merges_groups_that_share_a_document(syndicated):
    corpus, groups = syndicated
    # w1 (Jan 5th) and d1 (Jan 6th) each the earliest of a group holding h1: one story, kept once as w1
    chained = pd.DataFrame({"group": [0, 0, 1, 1], "doc_id": ["w1", "h1", "d1", "h1"]})
    once = trends(corpus, "refinery", dedupe=chained)
    assert once.attrs["n_copies_dropped"] == 2
    assert once["n_docs"].tolist() == [3, 2] and once["n_docs_with"].tolist() == [1, 1]
    pd.testing.assert_frame_equal(once, trends(corpus, "refinery", dedupe=groups))


def test_dedupe_does_not_count_an_undated_copy_as_left_out():
    texts = dict(SYNDICATED, u1=(STORY, None, "Daily"))
    corpus = ct.Corpus.from_docs(make_docs(texts), cache=False, progress=False)
    with pytest.warns(UserWarning, match="1 of 8 documents have no date"):
        assert ct.term_trends(corpus, "refinery").attrs["n_undated"] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the undated document is a copy: nothing is left out unsaid
        once = ct.term_trends(corpus, "refinery", dedupe=True)
    assert once.attrs["n_undated"] == 0 and once.attrs["n_copies_dropped"] == 3
    assert once["n_docs_with"].tolist() == [1, 1]


@pytest.mark.parametrize("bad, error, message", [
    ("yes", TypeError, "`dedupe` must be True, False, None or the DataFrame ct.near_duplicates returns; got str."),
    (1, TypeError, "`dedupe` must be True, False, None or the DataFrame ct.near_duplicates returns; got int."),
    (pd.DataFrame({"doc_id": ["w1"]}), ValueError,
     "`dedupe` must have the columns 'group' and 'doc_id', as ct.near_duplicates returns; it has no ['group'] "
     "(its columns are ['doc_id'])."),
])
def test_bad_dedupe_explains(syndicated, bad, error, message):
    corpus, _ = syndicated
    with pytest.raises(error, match=re.escape(message)):
        ct.term_trends(corpus, "refinery", dedupe=bad)
