"""keyness and keyness_table: every measure against hand formulas on the 2x2 table, selections, errors."""
from __future__ import annotations

import math
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.stats import chi2_contingency

import corpus_tools as ct
from corpus_tools.analyses.frequencies import holds_lists as _holds_lists
from corpus_tools.analyses.keyness import _column_sums, keyness_scores

# Kept tokens:
#   t1 A 2021-01-10 [world]         troops troops troops border   (4)
#   t2 A 2021-01-20 [world, asia]   troops march                  (2)
#   r1 B 2021-02-05 [asia]          markets border rally          (3)
#   r2 B 2021-02-10 []              markets troops fall           (3)
#   r3 C 2021-02-11 []              markets rise                  (2)
# Source A against the rest: c = 6 target tokens, d = 8 reference tokens;
# troops a=4 b=1, markets a=0 b=3, border 1/1, march 1/0, rally, fall, rise 0/1.
DOCS = pd.DataFrame(
    {"text": ["Troops, troops, troops at the border.", "Troops march.", "Markets border rally.",
              "Markets: troops fall.", "Markets rise."],
     "date": pd.to_datetime(["2021-01-10", "2021-01-20", "2021-02-05", "2021-02-10", "2021-02-11"]),
     "source": ["A", "A", "B", "B", "C"],
     "sections": [["world"], ["world", "asia"], ["asia"], [], []]},
    index=pd.Index(["t1", "t2", "r1", "r2", "r3"], name="doc_id"),
)
C, D = 6, 8


@pytest.fixture(scope="module")
def corpus():
    return ct.Corpus.from_docs(DOCS, cache=False, progress=False)


def cell_g2(a, b, c, d):
    n = c + d
    cells = [(a, (a + b) * c / n), (b, (a + b) * d / n), (c - a, (n - a - b) * c / n), (d - b, (n - a - b) * d / n)]
    return 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)


def yates_chi2(a, b, c, d):
    # textbook 2x2 form: N (|AD - BC| - N/2)^2 / (R1 R2 C1 C2)
    A, B, Cc, Dd = a, b, c - a, d - b
    n = A + B + Cc + Dd
    return n * max(abs(A * Dd - B * Cc) - n / 2, 0) ** 2 / ((A + B) * (Cc + Dd) * (A + Cc) * (B + Dd))


def row(table, term):
    return table.set_index("term").loc[term]


def test_fixture_tokens(corpus):
    assert [corpus.tokens(d) for d in DOCS.index] == [
        ["troops", "troops", "troops", "border"], ["troops", "march"], ["markets", "border", "rally"],
        ["markets", "troops", "fall"], ["markets", "rise"]]


def test_g2_signed_with_p_value_and_effect(corpus):
    out = ct.keyness(corpus, {"source": "A"}, min_count=1)
    assert list(out.columns) == ["term", "target_count", "reference_count", "target_share", "reference_share",
                                 "score", "p_value", "effect"]
    troops = row(out, "troops")
    assert (troops["target_count"], troops["reference_count"]) == (4, 1)
    assert (troops["target_share"], troops["reference_share"]) == (pytest.approx(4 / 6), pytest.approx(1 / 8))
    g2 = cell_g2(4, 1, C, D)
    assert troops["score"] == pytest.approx(g2)
    assert troops["p_value"] == pytest.approx(stats.chi2.sf(g2, 1))
    assert troops["effect"] == pytest.approx(math.log2((4 / 6) / (1 / 8)))
    markets = row(out, "markets")
    assert markets["score"] == pytest.approx(-cell_g2(0, 3, C, D))    # reference side: negative
    assert markets["effect"] == pytest.approx(math.log2((0.5 / 6) / (3 / 8)))  # zero count -> 0.5
    assert out["term"].iloc[0] == "troops"
    assert out["score"].is_monotonic_decreasing
    assert out.attrs["target"] == "source=A" and out.attrs["reference"] == "rest of the corpus"
    assert (out.attrs["target_tokens"], out.attrs["reference_tokens"]) == (6, 8)
    # the same statistic as scipy's G-test on the full table
    g, p, _, _ = chi2_contingency([[4, 1], [2, 7]], correction=False, lambda_="log-likelihood")
    assert troops["score"] == pytest.approx(g) and troops["p_value"] == pytest.approx(p)


def test_chi2_with_yates(corpus):
    out = ct.keyness(corpus, {"source": "A"}, measure="chi2", min_count=1)
    assert row(out, "troops")["score"] == pytest.approx(yates_chi2(4, 1, C, D))   # 361 * 14 / 2160
    assert row(out, "troops")["score"] == pytest.approx(361 * 14 / 2160)
    assert row(out, "troops")["p_value"] == pytest.approx(stats.chi2.sf(361 * 14 / 2160, 1))
    assert row(out, "markets")["score"] == pytest.approx(-yates_chi2(0, 3, C, D))
    chi, p, _, _ = chi2_contingency([[0, 3], [6, 5]])
    assert row(out, "markets")["score"] == pytest.approx(-chi)


def test_log_ratio(corpus):
    out = ct.keyness(corpus, {"source": "A"}, measure="log_ratio", min_count=1)
    assert row(out, "march")["score"] == pytest.approx(math.log2((1 / 6) / (0.5 / 8)))
    assert row(out, "border")["score"] == pytest.approx(math.log2(8 / 6))
    assert row(out, "border")["p_value"] == pytest.approx(stats.chi2.sf(cell_g2(1, 1, C, D), 1))
    assert (out["score"] == out["effect"]).all()


def test_log_odds_with_informative_prior(corpus):
    out = ct.keyness(corpus, {"source": "A"}, measure="log_odds", min_count=1, alpha0=10.0)

    def z(a, b):
        alpha = 10.0 * (a + b) / (C + D)
        delta = math.log((a + alpha) / (C + 10.0 - a - alpha)) - math.log((b + alpha) / (D + 10.0 - b - alpha))
        return delta / math.sqrt(1 / (a + alpha) + 1 / (b + alpha))

    assert row(out, "troops")["score"] == pytest.approx(z(4, 1))
    assert row(out, "markets")["score"] == pytest.approx(z(0, 3))
    assert row(out, "markets")["score"] < 0
    assert row(out, "troops")["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z(4, 1))))
    assert row(out, "troops")["effect"] == pytest.approx(math.log2((4 / 6) / (1 / 8)))


def test_min_count_and_top(corpus):
    assert ct.keyness(corpus, {"source": "A"})["term"].tolist() == ["troops"]   # default min_count=5
    top = ct.keyness(corpus, {"source": "A"}, min_count=1, top=1)
    assert top["term"].tolist() == ["troops", "markets"]


def test_selections(corpus):
    mask = DOCS["source"].eq("A").to_numpy()
    by_mask = ct.keyness(corpus, mask, min_count=1)
    pd.testing.assert_frame_equal(by_mask, ct.keyness(corpus, {"source": "A"}, min_count=1))
    assert by_mask.attrs["target"] == "target selection"
    # a Series mask aligned by doc id, in another order
    series = pd.Series(mask, index=DOCS.index)[::-1]
    pd.testing.assert_frame_equal(ct.keyness(corpus, series, min_count=1), by_mask)
    # January is the same documents as source A
    january = ct.keyness(corpus, "2021-01", min_count=1)
    assert january[["term", "score"]].equals(by_mask[["term", "score"]])
    assert january.attrs["reference"] == "other dates"
    # both ends included; a string end covers its whole day
    span = ct.keyness(corpus, ("2021-01-20", "2021-02-05"), min_count=1)
    assert span.attrs["target_docs"] == 2 and span.attrs["target_tokens"] == 5
    # list column: contains; a list of values: any of them
    asia = ct.keyness(corpus, {"sections": "asia"}, min_count=1)
    assert asia.attrs["target_docs"] == 2 and row(asia, "border")["target_count"] == 1
    ab = ct.keyness(corpus, {"source": ["A", "C"]}, min_count=1)
    assert ab.attrs["target_docs"] == 3
    # explicit reference: B only (C is left out)
    vs_b = ct.keyness(corpus, {"source": "A"}, reference={"source": "B"}, min_count=1)
    assert row(vs_b, "markets")["reference_count"] == 2 and vs_b.attrs["reference_tokens"] == 6


def test_period_target_leaves_undated_out_of_the_reference():
    docs = DOCS.copy()
    docs.loc["r3", "date"] = pd.NaT
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    with pytest.warns(UserWarning, match=r"^1 undated documents are left out of the reference"):
        out = ct.keyness(corpus, "2021-01", min_count=1)
    assert out.attrs["reference_docs"] == 2 and row(out, "markets")["reference_count"] == 2


def test_errors(corpus):
    with pytest.raises(ValueError, match=r"^`measure` must be one of \['g2', 'chi2', 'log_ratio', 'log_odds'\]; "
                                         r"got 'll'\.$"):
        ct.keyness(corpus, {"source": "A"}, measure="ll")
    with pytest.raises(ValueError, match=r"^the target \(source=Z\) holds 0 documents and 0 tokens; keyness needs"):
        ct.keyness(corpus, {"source": "Z"})
    with pytest.raises(ValueError, match=r"^target and reference share 2 documents"):
        ct.keyness(corpus, {"source": "A"}, reference={"sections": "world"})
    with pytest.raises(KeyError, match=r"no docs column 'outlet' for the condition \{'outlet': 'A'\}"):
        ct.keyness(corpus, {"outlet": "A"})
    with pytest.raises(TypeError, match=r"^`target` must be a boolean mask over the documents"):
        ct.keyness(corpus, 3)
    with pytest.raises(ValueError, match=r"^the `target` mask must have one value per document \(5\); got shape"):
        ct.keyness(corpus, np.array([True, False]))
    with pytest.raises(ValueError, match=r"^cannot read the date 'March'; write e.g. '2003-03'"):
        ct.keyness(corpus, "March")
    with pytest.raises(ValueError, match=r"^the target period \('2021-02', '2021-01'\) ends before it starts\.$"):
        ct.keyness(corpus, ("2021-02", "2021-01"))
    with pytest.raises(ValueError, match=r"^`min_count` must be a non-negative integer; got -1\.$"):
        ct.keyness(corpus, {"source": "A"}, min_count=-1)


def test_keyness_table_each_group_against_the_others(corpus):
    out = ct.keyness_table(corpus, by="source", top=None, min_count=1)
    assert list(out.columns) == ["group", "term", "target_count", "reference_count", "target_share",
                                 "reference_share", "score", "p_value", "effect"]
    assert out["group"].unique().tolist() == ["A", "B", "C"]
    for group in ["A", "B", "C"]:
        alone = ct.keyness(corpus, {"source": group}, min_count=1).reset_index(drop=True)
        part = out[out["group"] == group].drop(columns="group").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone, check_like=False)
    b = out[out["group"] == "B"].set_index("term")
    # B: markets border rally markets troops fall (6 tokens) against A + C (8 tokens)
    assert (b.loc["markets", "target_count"], b.loc["markets", "reference_count"]) == (2, 1)
    assert b.loc["markets", "score"] == pytest.approx(cell_g2(2, 1, 6, 8))
    top = ct.keyness_table(corpus, by="source", top=1, min_count=1)
    # in B, fall (1 vs 0: G2 1.80) beats markets (2 vs 1: G2 0.88); fall and rally tie, term order decides
    assert cell_g2(1, 0, 6, 8) > cell_g2(2, 1, 6, 8)
    assert top["term"].tolist() == ["troops", "fall", "rise"]


@pytest.mark.parametrize("measure", ["g2", "chi2", "log_ratio", "log_odds"])
def test_keyness_table_top_is_the_head_of_each_group(corpus, measure):
    # with top, only the kept rows get their p-values and effects: the same numbers, to the bit
    every = ct.keyness_table(corpus, by="source", top=None, min_count=1, measure=measure)
    top = ct.keyness_table(corpus, by="source", top=2, min_count=1, measure=measure)
    heads = every.groupby("group", sort=False).head(2).reset_index(drop=True)
    pd.testing.assert_frame_equal(top, heads, check_exact=True)
    assert len(top) == 6


def test_condition_on_a_categorical_or_string_column_is_an_equality(corpus):
    # only object columns are looked at for lists; a categorical of tuples is one too
    assert not _holds_lists(DOCS["source"].astype("str"))
    assert not _holds_lists(DOCS["source"].astype("category"))
    assert not _holds_lists(pd.Series(["a", None], dtype=object))
    assert _holds_lists(DOCS["sections"])
    assert _holds_lists(pd.Series([("world",), ("asia",)], dtype="category"))
    docs = DOCS.assign(source=DOCS["source"].astype("category"))
    categorical = ct.Corpus.from_docs(docs, cache=False, progress=False)
    expected = ct.keyness(corpus, {"source": "A"}, min_count=1)
    pd.testing.assert_frame_equal(ct.keyness(categorical, {"source": "A"}, min_count=1), expected, check_exact=True)


def test_column_sums_too_large_for_int32_are_exact():
    # counts whose total passes 2**31 - 1 are summed in int64 (an int32 product would wrap around)
    big = 2**30
    dtm = sp.csr_matrix(np.array([[big, 1], [big, 2], [big, 0]], dtype=np.int32))
    sums = _column_sums(SimpleNamespace(dtm=dtm), np.array([True, True, True]), np.array([True, False, True]))
    assert [s.tolist() for s in sums] == [[3 * big, 3], [2 * big, 1]]
    assert all(s.dtype == np.int64 for s in sums)
    small = SimpleNamespace(dtm=sp.csr_matrix(np.array([[5, 1], [2, 2]], dtype=np.int32)))
    assert _column_sums(small, np.array([True, True]))[0].tolist() == [7, 3]
    # a membership weight of 2 (a section listed twice) doubles the largest sum: int64 from half the range
    from corpus_tools.analyses.keyness import _sum_type

    half = sp.csr_matrix(np.array([[2**30]], dtype=np.int32))
    assert _sum_type(half) is np.int32 and _sum_type(half, 2) is np.int64


@pytest.mark.filterwarnings("ignore:invalid value encountered in log2:RuntimeWarning")  # a 2-document corpus
def test_keyness_table_counts_a_section_listed_twice_twice_without_wrapping():
    # near the int32 limit: the document in "world" twice counts twice, summed in int64
    docs = pd.DataFrame({"text": ["oil oil", "grain"], "sections": [["world", "world"], ["asia"]]},
                        index=pd.Index(["a", "b"], name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    corpus.dtm = corpus.dtm.astype(np.int32) * (2**30 // 2)  # oil: 2**30 in a, grain: 2**29 in b
    out = ct.keyness_table(corpus, by="sections", top=None, min_count=1)
    world = out[out["group"] == "world"].set_index("term")
    assert world.loc["oil", "target_count"] == 2 * 2**30


def test_keyness_table_sections_reference_is_other_sections(corpus):
    with pytest.warns(UserWarning, match=r"2 of 5 documents have no `sections` value"):
        out = ct.keyness_table(corpus, by="sections", top=None, min_count=1, measure="log_ratio")
    asia = out[out["group"] == "asia"].set_index("term")
    # asia = t2 + r1 (5 tokens); other sections = world only t1 (4 tokens), since t2 is in asia
    assert (asia.loc["border", "target_count"], asia.loc["border", "reference_count"]) == (1, 1)
    assert asia.loc["troops", "reference_count"] == 3
    assert asia.loc["border", "score"] == pytest.approx(math.log2((1 / 5) / (1 / 4)))


def test_keyness_table_errors(corpus):
    with pytest.raises(ValueError, match=r"^keyness_table needs at least two groups in `only`; found \['x'\]"):
        docs = DOCS.assign(only="x")
        ct.keyness_table(ct.Corpus.from_docs(docs, cache=False, progress=False), by="only")
    with pytest.raises(ValueError, match=r"^`measure` must be one of"):
        ct.keyness_table(corpus, by="source", measure="z")
    with pytest.raises(ValueError, match=re.escape("keyness_table: every document of `sections` is in every group, "
                                                   "so no group has other documents to be compared with.")):
        docs = DOCS.assign(sections=[["world", "asia"]] * 5)
        ct.keyness_table(ct.Corpus.from_docs(docs, cache=False, progress=False), by="sections")


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 200), st.integers(0, 200))
def test_scores_match_scipy_and_flip_sign(a, b, extra_c, extra_d):
    if a + b == 0:
        b = 1
    c, d = a + extra_c + 1, b + extra_d + 1
    for measure in ("g2", "chi2", "log_ratio", "log_odds"):
        here = keyness_scores(np.array([a]), np.array([b]), c, d, measure)
        there = keyness_scores(np.array([b]), np.array([a]), d, c, measure)
        if a / c != b / d:
            assert here["score"][0] == pytest.approx(-there["score"][0], rel=1e-9, abs=1e-9)
        assert here["effect"][0] == pytest.approx(-there["effect"][0])
        assert 0 <= here["p_value"][0] <= 1
        assert np.sign(here["effect"][0]) == np.sign(a / c - b / d) or a == 0 or b == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = [[a, b], [c - a, d - b]]
        g, _, _, _ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
        x2, _, _, _ = chi2_contingency(table)
    assert abs(keyness_scores([a], [b], c, d, "g2")["score"][0]) == pytest.approx(g, abs=1e-9)
    assert abs(keyness_scores([a], [b], c, d, "chi2")["score"][0]) == pytest.approx(x2, abs=1e-9)


@pytest.mark.corpora
def test_bbc_sport_keywords(corpora):
    docs = ct.load(corpora / "bbc", errors="skip")
    corpus = ct.Corpus.from_docs(docs, progress=False)
    out = ct.keyness(corpus, {"sections": "sport"}, top=20)
    top = out["term"].head(20).tolist()
    assert {"match", "coach", "champion"} <= set(top)
    assert (out["score"].head(20) > 0).all() and (out["p_value"].head(20) < 1e-10).all()
    assert out.attrs["target_docs"] == 511
    table = ct.keyness_table(corpus, by="sections", top=20)
    assert sorted(table["group"].unique()) == ["business", "entertainment", "politics", "sport", "tech"]
    assert table[table["group"] == "sport"]["term"].tolist() == top


# ------------------------------------------------------------------ dedupe: copies counted once
def test_dedupe_leaves_the_later_member_of_a_group_out_of_its_side(corpus):
    # t1 (January 10th) and r2 (February 10th) as one story, the later listed first: r2 goes,
    # so the reference is r1 + r3 (5 tokens): troops 4 against 0, markets 0 against 2
    groups = pd.DataFrame({"group": [7, 7], "doc_id": ["r2", "t1"]})
    out = ct.keyness(corpus, {"source": "A"}, min_count=1, dedupe=groups)
    troops, markets = row(out, "troops"), row(out, "markets")
    assert (troops["target_count"], troops["reference_count"]) == (4, 0)
    assert (markets["target_count"], markets["reference_count"]) == (0, 2)
    assert troops["score"] == pytest.approx(cell_g2(4, 0, C, 5))
    assert markets["score"] == pytest.approx(-cell_g2(0, 2, C, 5))
    assert (out.attrs["target_docs"], out.attrs["reference_docs"]) == (2, 2)
    assert (out.attrs["target_tokens"], out.attrs["reference_tokens"]) == (C, 5)
    assert out.attrs["n_copies_dropped"] == 1 and out.attrs["dedupe"] is True
    plain = ct.keyness(corpus, {"source": "A"}, min_count=1)
    assert plain.attrs["n_copies_dropped"] == 0 and row(plain, "troops")["reference_count"] == 1
    # a mask over the whole corpus still lines up: the copy r2 leaves the target r1 + r2
    mask = DOCS["source"].eq("B").to_numpy()
    assert ct.keyness(corpus, mask, min_count=1, dedupe=groups).attrs["target_docs"] == 1


def test_dedupe_true_finds_an_exact_copy_in_the_reference():
    # t1 republished by source B in February: without dedupe it doubles troops in the reference
    copied = pd.concat([DOCS, pd.DataFrame({"text": [DOCS.loc["t1", "text"]], "date": pd.to_datetime(["2021-02-20"]),
                                            "source": ["B"], "sections": [[]]},
                                           index=pd.Index(["t1_copy"], name="doc_id"))])
    corpus = ct.Corpus.from_docs(copied, cache=False, progress=False)
    original = ct.Corpus.from_docs(DOCS, cache=False, progress=False)
    groups = ct.near_duplicates(corpus)
    assert groups["doc_id"].tolist() == ["t1", "t1_copy"]
    assert row(ct.keyness(corpus, {"source": "A"}, min_count=1), "troops")["reference_count"] == 4
    once = ct.keyness(corpus, {"source": "A"}, min_count=1, dedupe=True)
    pd.testing.assert_frame_equal(once, ct.keyness(corpus, {"source": "A"}, min_count=1, dedupe=groups))
    pd.testing.assert_frame_equal(once, ct.keyness(original, {"source": "A"}, min_count=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sources' documents without sections
        table = ct.keyness_table(corpus, "source", top=None, min_count=1, dedupe=True)
        expected = ct.keyness_table(original, "source", top=None, min_count=1)
    pd.testing.assert_frame_equal(table, expected)
    assert table.attrs["n_copies_dropped"] == 1
    by_month = ct.keyness_table(corpus, "MS", top=None, min_count=1, dedupe=groups)
    pd.testing.assert_frame_equal(by_month, ct.keyness_table(original, "MS", top=None, min_count=1))
    february = ct.keyness(corpus, "2021-02", min_count=1, dedupe=groups)
    assert (february.attrs["target_docs"], february.attrs["reference_docs"]) == (3, 2)


# One story in three outlets: first in C (January 1st), then in A and in B; comparing A with B
# leaves C out, so the story counts once, as A's a1, and B's b1 is its copy.
STORY_DOCS = pd.DataFrame({
    "text": ["refinery strike ends after three weeks of talks"] * 3
    + ["farmers protest water rights at the council", "mayor calls early election after budget vote",
       "football team wins the cup final late"],
    "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06"]),
    "source": ["C", "A", "B", "A", "B", "A"]}, index=pd.Index(["c1", "a1", "b1", "a2", "b2", "a3"], name="doc_id"))
STORY_GROUP = pd.DataFrame({"group": [0, 0, 0], "doc_id": ["c1", "a1", "b1"]})


def test_dedupe_keeps_a_story_whose_first_copy_is_in_neither_side():
    corpus = ct.Corpus.from_docs(STORY_DOCS, cache=False, progress=False)
    out = ct.keyness(corpus, {"source": "A"}, reference={"source": "B"}, min_count=1, dedupe=STORY_GROUP)
    assert (out.attrs["target_docs"], out.attrs["reference_docs"]) == (3, 1)        # a1 a2 a3 | b2
    assert out.attrs["n_copies_dropped"] == 1                                        # b1; c1 is not compared
    refinery = row(out, "refinery")
    assert (refinery["target_count"], refinery["reference_count"]) == (1, 0)
    # the same comparison without C in the corpus, and without b1 by hand
    subset = ct.keyness(corpus.select(["a1", "a2", "a3", "b2"]), {"source": "A"}, reference={"source": "B"},
                        min_count=1)
    pd.testing.assert_frame_equal(out, subset)
    # the groups found on the whole corpus, used on the corpus without C: the same table
    with pytest.warns(UserWarning, match=re.escape("keyness: 1 of the 3 rows of `dedupe` name a doc_id that is "
                                                   "not in the corpus and are left out.")):
        without_c = ct.keyness(corpus.select(["a1", "b1", "a2", "b2", "a3"]), {"source": "A"},
                               reference={"source": "B"}, min_count=1, dedupe=STORY_GROUP)
    pd.testing.assert_frame_equal(without_c, out)


def test_keyness_table_dedupe_counts_a_story_in_the_group_of_its_first_member_with_a_value():
    # c1 has no source: the story counts once, as a1 in A; b1 is a copy
    corpus = ct.Corpus.from_docs(STORY_DOCS.assign(source=[None, "A", "B", "A", "B", "A"]), cache=False,
                                 progress=False)
    with pytest.warns(UserWarning, match=re.escape("1 of 5 documents have no `source` value")):
        table = ct.keyness_table(corpus, "source", top=None, min_count=1, dedupe=STORY_GROUP)
    a = table[table["group"] == "A"].set_index("term")
    assert (a.loc["refinery", "target_count"], a.loc["refinery", "reference_count"]) == (1, 0)
    assert table.attrs["n_copies_dropped"] == 1 and table.attrs["n_left_out"] == 1
    by_hand = ct.keyness_table(corpus.select(["a1", "a2", "b2", "a3"]), "source", top=None, min_count=1)
    pd.testing.assert_frame_equal(table, by_hand)


def test_keyness_table_dedupe_leaving_one_group_explains():
    docs = pd.DataFrame({"text": ["oil prices rose sharply today in london"] * 2
                         + ["gold fell as the dollar rose in new york", "rain fell over spain all week long"],
                         "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-05", "2024-02-01"]),
                         "source": ["A", "B", "A", "A"]}, index=pd.Index(list("abcd"), name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    with pytest.raises(ValueError, match=re.escape(
            "keyness_table needs at least two groups in `source`; found ['A'] (['B']: no tokens once the copies are "
            "left out). Use ct.keyness(corpus, target) to compare one selection with the rest.")):
        ct.keyness_table(corpus, "source", min_count=1, dedupe=pd.DataFrame({"group": [0, 0], "doc_id": ["a", "b"]}))


def test_period_keyness_warns_of_undated_documents_that_are_not_copies():
    # t1 again without a date (a copy, left out anyway) and a new undated document u1
    extra = pd.DataFrame({"text": [DOCS.loc["t1", "text"], "Ports reopen."], "date": pd.to_datetime([None, None]),
                          "source": ["B", "C"], "sections": [[], []]}, index=pd.Index(["t1_copy", "u1"], name="doc_id"))
    corpus = ct.Corpus.from_docs(pd.concat([DOCS, extra]), cache=False, progress=False)
    groups = pd.DataFrame({"group": [0, 0], "doc_id": ["t1", "t1_copy"]})
    with pytest.warns(UserWarning, match=r"^2 undated documents are left out of the reference"):
        ct.keyness(corpus, "2021-01", min_count=1)
    with pytest.warns(UserWarning, match=r"^1 undated documents are left out of the reference"):
        out = ct.keyness(corpus, "2021-01", min_count=1, dedupe=groups)
    assert (out.attrs["target_docs"], out.attrs["reference_docs"]) == (2, 3)


def test_dedupe_naming_no_document_of_the_corpus_is_an_error(corpus):
    other = pd.DataFrame({"group": [0, 0], "doc_id": ["x1", "x2"]})
    for call, what in ((lambda: ct.keyness(corpus, {"source": "A"}, dedupe=other), "keyness"),
                       (lambda: ct.keyness_table(corpus, "source", dedupe=other), "keyness_table")):
        with pytest.raises(ValueError, match=re.escape(
                f"{what}: none of the 2 doc_id of `dedupe` is in the corpus; pass the groups ct.near_duplicates "
                "found in this corpus (or in a larger corpus holding its documents).")):
            call()


@pytest.mark.parametrize("call", [lambda c, d: ct.keyness(c, {"source": "A"}, dedupe=d),
                                  lambda c, d: ct.keyness_table(c, "source", dedupe=d)])
def test_bad_dedupe_explains(corpus, call):
    with pytest.raises(TypeError, match=re.escape(
            "`dedupe` must be True, False, None or the DataFrame ct.near_duplicates returns; got list.")):
        call(corpus, ["t1"])
    with pytest.raises(ValueError, match=re.escape(
            "`dedupe` must have the columns 'group' and 'doc_id', as ct.near_duplicates returns; it has no "
            "['doc_id'] (its columns are ['group', 'id']).")):
        call(corpus, pd.DataFrame({"group": [0], "id": ["t1"]}))


def test_keyness_table_reads_a_categorical_list_column_as_keyness_does(corpus):
    # the same test of "holds lists" for both: a categorical column of tuples is a list column
    docs = corpus.docs.assign(sections=corpus.docs["sections"].map(lambda v: tuple(v) if isinstance(v, list) else v)
                              .astype("category"))
    categorical = ct.Corpus(docs, corpus.vocab, corpus.ids, corpus.doc_offsets, corpus.sent_offsets,
                            dtm=corpus.dtm, params=corpus.params)
    with pytest.warns(UserWarning, match="have no `sections` value"):
        want = ct.keyness_table(corpus, by="sections", top=None, min_count=1)
    with pytest.warns(UserWarning, match="have no `sections` value"):
        got = ct.keyness_table(categorical, by="sections", top=None, min_count=1)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
