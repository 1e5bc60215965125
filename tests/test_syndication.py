"""syndication_trend and syndication_matrix: exact hand-checked counts, undated and sourceless
documents, groups that share a document, errors, an independent loop, and the plots of copies
(what they draw)."""
from __future__ import annotations

import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus_tools as ct
from corpus_tools.analyses._dedupe import kept_mask, merge_overlapping
from _hand_stories import earliest_first, hand_stories

# Ten documents; j is in no group, h has no source, g no date.
#   a 2024-01-01 Wire     group 0 first        d 2024-02-10 Daily   group 2 first
#   b 2024-01-15 Daily    group 0 exact        i 2024-02-20 Daily   group 2 exact
#   c 2024-01-31 Herald   group 0 near         j 2024-02-25 Herald  -
#   f 2024-03-31 Daily    group 0 contained    e 2024-03-05 Wire    group 1 first
#   g undated    Herald   group 1 near         h 2024-03-20 (none)  group 1 exact
# January and March are covered whole (1st to 31st): no period is partial.
DOCS = pd.DataFrame(
    {"date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-31", "2024-02-10", "2024-02-20", "2024-03-05",
                             "2024-03-20", "2024-03-31", None, "2024-02-25"]),
     "source": ["Wire", "Daily", "Herald", "Daily", "Daily", "Wire", None, "Daily", "Herald", "Herald"],
     "title": [f"headline {c}" for c in "abcdiehfgj"]},
    index=pd.Index(list("abcdiehfgj"), name="doc_id"),
)
GROUPS = pd.DataFrame({
    "group": [0, 0, 0, 0, 1, 1, 1, 2, 2],
    "doc_id": ["a", "b", "c", "f", "e", "h", "g", "d", "i"],
    "kind": ["first", "exact", "near", "contained", "first", "exact", "near", "first", "exact"],
})


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# ------------------------------------------------------------------------------ syndication_trend
def test_trend_counts_copies_per_period_over_all_documents():
    with pytest.warns(UserWarning, match=re.escape("syndication_trend: 1 undated copy is left out of the periods")):
        trend = ct.syndication_trend(GROUPS, DOCS)
    assert list(trend.columns) == ["period", "n_docs", "n_copies", "share", "ci_low", "ci_high", "n_originals",
                                   "n_exact", "n_near", "n_contained", "partial"]
    assert trend["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    assert trend["n_docs"].tolist() == [3, 3, 3]          # g (undated) is in no period
    assert trend["n_copies"].tolist() == [2, 1, 2]        # b c | i | h f
    assert trend["share"].tolist() == pytest.approx([2 / 3, 1 / 3, 2 / 3])
    assert trend["n_originals"].tolist() == [1, 1, 1]     # a | d | e
    assert trend["n_exact"].tolist() == [1, 1, 1] and trend["n_near"].tolist() == [1, 0, 0]
    assert trend["n_contained"].tolist() == [0, 0, 1]
    assert trend["partial"].tolist() == [False, False, False]
    low, high = wilson(1, 3)
    assert trend.loc[1, ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high])
    assert trend.attrs == {"freq": "MS", "ci": 0.95, "n_docs": 10, "n_copies": 6, "n_undated": 1,
                           "n_undated_copies": 1, "n_not_found": 0}


def test_trend_keeps_empty_periods_and_other_frequencies():
    docs = DOCS.drop(index=["d", "i", "j"])               # nothing left in February
    trend = quiet(ct.syndication_trend, GROUPS[~GROUPS["doc_id"].isin(["d", "i"])], docs, ci=None)
    assert trend["n_docs"].tolist() == [3, 0, 3]
    assert trend["share"].isna().tolist() == [False, True, False]
    assert trend["ci_low"].isna().all()
    yearly = quiet(ct.syndication_trend, GROUPS, DOCS, freq="YS")
    assert yearly[["n_docs", "n_copies"]].values.tolist() == [[9, 5]]
    assert yearly["partial"].tolist() == [True]


def test_the_original_is_the_earliest_member_present_whatever_the_order():
    shuffled = GROUPS.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(quiet(ct.syndication_trend, shuffled, DOCS),
                                  quiet(ct.syndication_trend, GROUPS, DOCS))
    # groups found on a larger corpus: without a, b (January 15th) is group 0's original
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trend = ct.syndication_trend(GROUPS, DOCS.drop(index="a"))
    assert [str(w.message) for w in caught] == [
        "syndication_trend: 1 of the 9 rows of `groups` name a doc_id that is not in `corpus_or_docs` and are left "
        "out (result.attrs['n_not_found']).",
        "syndication_trend: 1 undated copy is left out of the periods (result.attrs['n_undated_copies']).",
    ]
    assert trend["n_copies"].tolist() == [1, 1, 2] and trend["n_originals"].tolist() == [1, 1, 1]
    assert trend.attrs["n_not_found"] == 1
    # b's kind in the table is "exact", but b is now the original; c stays a near copy
    assert trend["n_exact"].tolist() == [0, 1, 1] and trend["n_near"].tolist() == [1, 0, 0]


def test_trend_without_a_kind_column_counts_copies_only():
    trend = quiet(ct.syndication_trend, GROUPS[["group", "doc_id"]], DOCS)
    assert "n_exact" not in trend.columns and trend["n_copies"].tolist() == [2, 1, 2]


def test_trend_with_no_copies():
    empty = GROUPS.iloc[:0]
    trend = ct.syndication_trend(empty, DOCS)
    assert trend["n_copies"].tolist() == [0, 0, 0] and trend["share"].tolist() == [0.0, 0.0, 0.0]
    assert trend.attrs["n_copies"] == 0


def test_trend_errors():
    with pytest.raises(ValueError, match=re.escape(
            "syndication_trend counts copies per period, but `corpus_or_docs` has no `date` column; load the "
            "corpus with date='<column>' or set docs['date']. ct.syndication_matrix needs no dates.")):
        ct.syndication_trend(GROUPS, DOCS.drop(columns="date"))
    with pytest.raises(ValueError, match=re.escape("`corpus_or_docs` has no date in any of its 10 documents")):
        ct.syndication_trend(GROUPS, DOCS.assign(date=pd.NaT))
    with pytest.raises(ValueError, match=re.escape("`freq` must be one of")):
        ct.syndication_trend(GROUPS, DOCS, freq="month")
    with pytest.raises(ValueError, match=re.escape("`ci` must be a confidence level between 0 and 1")):
        ct.syndication_trend(GROUPS, DOCS, ci=95)
    with pytest.raises(TypeError, match=re.escape(
            "`corpus_or_docs` must be the Corpus the groups were found in, or its docs DataFrame (index doc_id); "
            "got list.")):
        ct.syndication_trend(GROUPS, ["a", "b"])
    with pytest.raises(TypeError, match=re.escape(
            "`groups` must be the DataFrame ct.near_duplicates returns; got dict.")):
        ct.syndication_trend({"group": [0]}, DOCS)
    with pytest.raises(ValueError, match=re.escape("`groups` must have the columns 'group' and 'doc_id'")):
        ct.syndication_trend(GROUPS.rename(columns={"doc_id": "id"}), DOCS)
    with pytest.raises(ValueError, match=re.escape(
            "syndication_trend: none of the 9 doc_id of `groups` is in `corpus_or_docs`; pass the corpus (or docs) "
            "the groups were found in.")):
        ct.syndication_trend(GROUPS, DOCS.set_axis([f"x{i}" for i in range(10)]))


# ------------------------------------------------------------------------------ syndication_matrix
def test_matrix_counts_who_carries_whose_stories():
    with pytest.warns(UserWarning, match=re.escape("syndication_matrix: 1 copy is left out because it or its original "
                                                   "has no 'source'")):
        matrix = ct.syndication_matrix(GROUPS, DOCS)
    assert matrix.to_dict("list") == {
        "source_from": ["Wire", "Wire", "Daily"],
        "source_to": ["Daily", "Herald", "Daily"],
        "n_copies": [2, 2, 1],            # b f | c g | i
        "n_groups": [1, 2, 1],
        "n_docs_to": [4, 3, 4],           # Daily: b d i f; Herald: c g j
        "share_of_to": [0.5, 2 / 3, 0.25],
    }
    assert matrix.attrs == {"n_copies": 5, "n_without_source": 1, "n_sources": 3, "n_not_found": 0,
                            "source": "source"}


def test_matrix_of_groups_from_a_larger_corpus_and_no_copies():
    matrix = quiet(ct.syndication_matrix, GROUPS, DOCS.drop(index="a"))
    # group 0's original is now b (Daily): c to Herald, f to Daily
    assert matrix[["source_from", "source_to", "n_copies"]].values.tolist() == [
        ["Daily", "Daily", 2], ["Daily", "Herald", 1], ["Wire", "Herald", 1]]
    empty = ct.syndication_matrix(GROUPS.iloc[:0], DOCS)
    assert empty.empty and list(empty.columns) == ["source_from", "source_to", "n_copies", "n_groups", "n_docs_to",
                                                   "share_of_to"]


def test_matrix_errors():
    with pytest.raises(KeyError, match=re.escape(
            "syndication_matrix needs the documents' source: `corpus_or_docs` has no 'source' column (its columns "
            "are ['date', 'title']); load with source='<column>' or set docs['source'].")):
        ct.syndication_matrix(GROUPS, DOCS.drop(columns="source"))
    with pytest.raises(ValueError, match=re.escape(
            "syndication_matrix needs the documents' source, but the 'source' column is empty in all 10 documents")):
        ct.syndication_matrix(GROUPS, DOCS.assign(source=None))
    matrix = quiet(ct.syndication_matrix, GROUPS, DOCS.rename(columns={"source": "outlet"}), source="outlet")
    assert matrix["n_copies"].tolist() == [2, 2, 1]


# ------------------------------------------------------------------------------ groups sharing a document
# Three tables' worth of groups that chain a, b, c and f (b listed twice in group 0), plus d and i:
# one story a (Wire, Jan 1) -> b (Daily, Jan 15), c (Herald, Jan 31), f (Daily, Mar 31); d -> i.
# Taken group by group, b and c would each be an original and a copy at once.
OVERLAP = pd.DataFrame({"group": [0, 0, 0, 5, 5, 7, 7, 2, 2],
                        "doc_id": ["a", "b", "b", "b", "c", "c", "f", "d", "i"]})


def test_merge_overlapping_makes_groups_sharing_a_document_one():
    merged = merge_overlapping(OVERLAP)
    assert merged.index.tolist() == [0, 1, 4, 6, 7, 8]     # repeated listings of b and c dropped
    assert merged["group"].tolist() == [0, 0, 0, 0, 2, 2]
    assert merged["doc_id"].tolist() == ["a", "b", "c", "f", "d", "i"]
    assert merge_overlapping(GROUPS) is GROUPS                # nothing shared: the table itself
    with pytest.raises(ValueError, match=re.escape(
            "`groups` has 1 rows without a `group` (doc_id ['c']); give each row a group, or drop those rows "
            "with groups.dropna(subset=['group']).")):
        merge_overlapping(pd.DataFrame({"group": [0, 0, None], "doc_id": ["a", "b", "c"]}))


def test_groups_sharing_a_document_count_each_copy_once():
    trend = quiet(ct.syndication_trend, OVERLAP, DOCS)
    assert trend["n_copies"].tolist() == [2, 1, 1]            # b c | i | f
    assert trend["n_originals"].tolist() == [1, 1, 0]         # a | d | -
    assert trend.attrs["n_copies"] == 4
    matrix = ct.syndication_matrix(OVERLAP, DOCS)
    # a (Wire) is the original of b, c and f: no Daily -> Herald, no Herald -> Daily
    assert matrix[["source_from", "source_to", "n_copies", "n_groups"]].values.tolist() == [
        ["Wire", "Daily", 2, 1], ["Daily", "Daily", 1, 1], ["Wire", "Herald", 1, 1]]
    corpus = ct.Corpus.from_docs(DOCS.assign(text=[f"word{i}" for i in range(len(DOCS))]), cache=False,
                                 progress=False)
    mask, _ = kept_mask(corpus, OVERLAP)
    assert DOCS.index[mask].tolist() == ["a", "d", "e", "h", "g", "j"]
    assert corpus.drop_duplicates(merge_overlapping(OVERLAP)).docs.index.tolist() == ["a", "d", "e", "h", "g", "j"]


def test_groups_naming_no_document_or_some_other_ones():
    with pytest.raises(ValueError, match=re.escape(
            "syndication_matrix: none of the 2 doc_id of `groups` is in `corpus_or_docs`; pass the corpus (or docs) "
            "the groups were found in.")):
        ct.syndication_matrix(pd.DataFrame({"group": [0, 0], "doc_id": ["x1", "x2"]}), DOCS)
    with pytest.raises(ValueError, match=re.escape("`groups` has 1 rows without a `group` (doc_id ['b'])")):
        ct.syndication_trend(pd.DataFrame({"group": [0, np.nan], "doc_id": ["a", "b"]}), DOCS)


# ------------------------------------------------------------------------------ on a Corpus
STORY = ("Workers at the northern refinery ended their strike on Monday after three weeks. "
         "The refinery will restart its two crude units within ten days, the company said. "
         "Fuel prices in the region had climbed sharply during the stoppage. "
         "Union leaders said the agreement raised wages and improved safety rules.")


@pytest.fixture(scope="module")
def syndicated():
    docs = pd.DataFrame({
        "text": [STORY, STORY, STORY + " Our correspondent met families waiting at the gates for the first wages "
                 "in a month.", "Farmers protested about water rights outside the council building.",
                 "A fire broke out at the coastal refinery late on Friday; nobody was hurt."],
        "date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-10", "2024-02-15"]),
        "source": ["Wire", "Daily", "Herald", "Daily", "Daily"],
    }, index=pd.Index(["w1", "d1", "h1", "x1", "x4"], name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    return corpus, ct.near_duplicates(corpus)


def test_on_a_corpus_with_near_duplicates(syndicated):
    corpus, groups = syndicated
    assert groups["doc_id"].tolist() == ["w1", "d1", "h1"] and groups["kind"].tolist() == ["first", "exact", "near"]
    trend = ct.syndication_trend(groups, corpus)
    assert trend[["n_docs", "n_copies", "n_exact", "n_near"]].values.tolist() == [[4, 2, 1, 1], [1, 0, 0, 0]]
    assert trend.attrs["n_copies"] == corpus.n_docs - corpus.drop_duplicates(groups).n_docs
    pd.testing.assert_frame_equal(trend, ct.syndication_trend(groups, corpus.docs))
    matrix = ct.syndication_matrix(groups, corpus)
    assert matrix[["source_from", "source_to", "n_copies", "n_docs_to"]].values.tolist() == [
        ["Wire", "Daily", 1, 3], ["Wire", "Herald", 1, 1]]


# ------------------------------------------------------------------------------ an independent loop
@st.composite
def docs_and_groups(draw):
    n = draw(st.integers(1, 25))
    days = draw(st.lists(st.one_of(st.none(), st.integers(0, 120)), min_size=n, max_size=n))
    sources = draw(st.lists(st.sampled_from(["A", "B", "C", None]), min_size=n, max_size=n))
    membership = draw(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=n, max_size=n))
    dates = [None if d is None else pd.Timestamp("2024-01-01") + pd.Timedelta(days=d) for d in days]
    if all(d is None for d in dates):
        dates[0] = pd.Timestamp("2024-01-01")
    docs = pd.DataFrame({"date": pd.to_datetime(dates), "source": sources, "text": ["x"] * n},
                        index=pd.Index([f"d{i}" for i in range(n)], name="doc_id"))
    rows = [(g, f"d{i}") for i, g in enumerate(membership) if g is not None]
    # a document listed again, in its own group or another (tables concatenated, or made by hand)
    extra = draw(st.lists(st.tuples(st.integers(0, 4), st.integers(0, n - 1)), max_size=4))
    rows += [(g, f"d{i}") for g, i in extra]
    groups = pd.DataFrame(rows, columns=["group", "doc_id"]).sample(frac=1, random_state=draw(st.integers(0, 9)))
    return docs, groups


def loop_originals(docs, groups):
    """{copy doc_id: original doc_id}: groups sharing a document joined by hand, then each
    story's members sorted by (undated, date, position)."""
    out = {}
    for ids in hand_stories(groups).values():
        ids = earliest_first(docs, ids)
        out.update({d: ids[0] for d in ids[1:]})
    return out


@settings(max_examples=60, deadline=None)
@given(docs_and_groups())
def test_trend_and_matrix_match_a_plain_loop(case):
    docs, groups = case
    originals = loop_originals(docs, groups)
    trend = quiet(ct.syndication_trend, groups, docs)
    month = docs["date"].dt.to_period("M").dt.start_time
    for row in trend.itertuples():
        in_month = docs.index[month == row.period]
        assert row.n_docs == len(in_month)
        assert row.n_copies == sum(d in originals for d in in_month)
        assert row.n_originals == sum(d in set(originals.values()) for d in in_month)
    assert trend.attrs["n_copies"] == len(originals)
    expected: dict = {}
    for copy, original in originals.items():
        pair = (docs.loc[original, "source"], docs.loc[copy, "source"])
        if not any(pd.isna(s) for s in pair):
            expected[pair] = expected.get(pair, 0) + 1
    if docs["source"].notna().any():
        matrix = quiet(ct.syndication_matrix, groups, docs)
        assert dict(zip(zip(matrix["source_from"], matrix["source_to"]), matrix["n_copies"])) == expected


@settings(max_examples=25, deadline=None)
@given(docs_and_groups())
def test_kept_mask_keeps_what_drop_duplicates_keeps_of_the_merged_groups(case):
    docs, groups = case
    docs = docs.assign(text=[f"word{i} other{i}" for i in range(len(docs))])
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    mask, _ = kept_mask(corpus, groups)
    assert docs.index[mask].tolist() == corpus.drop_duplicates(merge_overlapping(groups)).docs.index.tolist()
    assert sorted(docs.index[~mask]) == sorted(loop_originals(docs, groups))


# ------------------------------------------------------------------------------ plots
def test_plot_share_over_time_draws_the_shares():
    trend = quiet(ct.syndication_trend, GROUPS, DOCS)
    ax = ct.plot.syndication_over_time(trend)
    line = ax.get_lines()[0]
    assert line.get_ydata().tolist() == pytest.approx([2 / 3, 1 / 3, 2 / 3])
    assert list(line.get_xdata()) == list(trend["period"])
    assert ax.get_ylabel() == "share of the period's documents that are copies"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["copies"]
    assert len(ax.collections) == 1                      # the interval band
    assert ax.get_ylim()[0] == 0


def test_plot_counts_over_time_stacks_copies_on_the_other_documents():
    trend = quiet(ct.syndication_trend, GROUPS, DOCS)
    fig, ax = plt.subplots()
    assert ct.plot.syndication_over_time(trend, kind="count", ax=ax, title="Copies") is ax
    heights = [p.get_height() for p in ax.patches]
    bottoms = [p.get_y() for p in ax.patches]
    assert heights == [1, 2, 1, 2, 1, 2] and bottoms == [0, 0, 0, 1, 2, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["copies", "other documents"]
    assert ax.get_title() == "Copies"


def test_plot_matrix_draws_counts_with_readable_labels():
    matrix = quiet(ct.syndication_matrix, GROUPS, DOCS)
    ax = ct.plot.syndication_matrix(matrix)
    # sources by copies involved in (as original or carrier): Daily 2+1+1=4... Wire 4, Herald 2
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Daily", "Wire", "Herald"] and [t.get_text() for t in ax.get_xticklabels()] == labels
    image = ax.images[0].get_array()
    assert image.filled(0).tolist() == [[1, 0, 0], [2, 0, 2], [0, 0, 0]]
    assert image.mask.tolist() == [[False, True, True], [False, True, False], [True, True, True]]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "2"]
    assert ax.get_title() == "Who carries whose stories"
    shares = ct.plot.syndication_matrix(matrix, value="share_of_to", top=2, annotate=False, colorbar=False)
    assert shares.images[0].get_array().filled(0).tolist() == [[0.25, 0], [0.5, 0]]
    assert len(shares.texts) == 0
    assert shares.get_title() == "Who carries whose stories (2 most involved sources; 1 more not shown)"


def test_plot_matrix_shortens_long_source_names():
    long_name = "The Sydney Morning Herald and Weekend Edition"
    matrix = pd.DataFrame({"source_from": ["Wire"], "source_to": [long_name], "n_copies": [3]})
    ax = ct.plot.syndication_matrix(matrix)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["The Sydney Morning Herald a…", "Wire"]


def test_plot_trend_with_and_without_copies(syndicated):
    corpus, groups = syndicated
    with_copies = ct.term_trends(corpus, ["refinery", "strike"])
    without = ct.term_trends(corpus, ["refinery", "strike"], dedupe=groups)
    # January 5th to February 15th: both months are partial, drawn as hollow markers off the line
    assert with_copies["partial"].tolist() == [True, True, True, True]
    ax = ct.plot.trend_with_without_copies(with_copies, without)
    lines = ax.get_lines()
    main = [line for line in lines if line.get_markersize() == 3]
    hollow = [line for line in lines if line.get_markerfacecolor() == "white"]
    # per term: solid (all documents), then dashed (copies left out); no complete period to join
    assert [line.get_linestyle() for line in main] == ["-", "--", "-", "--"]
    assert all(np.isnan(line.get_ydata()).all() for line in main)
    assert [y for line in hollow for y in line.get_ydata()] == pytest.approx([
        3 / 4, 1.0,     # refinery: w1 d1 h1 of 4; x4 of 1
        1 / 2, 1.0,     # without copies: w1 of w1, x1
        3 / 4, 0.0,     # strike: w1 d1 h1 of 4; not x4
        1 / 2, 0.0])    # w1 of w1, x1
    assert main[0].get_color() == main[1].get_color() == hollow[0].get_color() != main[2].get_color()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["refinery", "strike", "all documents", "copies left out (2 documents)", "partial period"]
    assert ax.get_ylabel() == "share of documents mentioning"


def _oil(values, partial, **attrs):
    table = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]), "term": "oil",
                          "value": values, "partial": partial})
    table.attrs.update({"measure": "doc_share", "freq": "MS", "smooth": None, **attrs})
    return table


def test_plot_trend_with_and_without_copies_joins_complete_periods_only():
    ax = ct.plot.trend_with_without_copies(_oil([0.2, 0.4, 0.5], [False, False, True]),
                                           _oil([0.1, 0.3, 0.25], [False, False, True], n_copies_dropped=3), ci=False)
    drawn = [(line.get_linestyle(), line.get_ydata().tolist(), line.get_markerfacecolor() == "white")
             for line in ax.get_lines()]
    nan = pytest.approx([0.2, 0.4, np.nan], nan_ok=True)
    assert drawn == [
        ("-", nan, False), (":", [0.4, 0.5], False), ("None", [0.5], True),
        ("--", pytest.approx([0.1, 0.3, np.nan], nan_ok=True), False), (":", [0.3, 0.25], False),
        ("None", [0.25], True)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "oil", "all documents", "copies left out (3 documents)", "partial period"]


def test_plot_trend_with_and_without_copies_needs_the_same_counting():
    plain = _oil([0.2, 0.4, 0.5], [False] * 3)
    for key, other in (("measure", "per_10k_tokens"), ("freq", "W"), ("smooth", 3)):
        with pytest.raises(ValueError, match=re.escape(
                f"`with_copies` and `without_copies` differ in {key} ({plain.attrs[key]!r} and {other!r}), so their "
                "lines cannot be compared; make both with the same ct.term_trends arguments, dedupe= aside.")):
            ct.plot.trend_with_without_copies(plain, _oil([0.1, 0.3, 0.2], [False] * 3, **{key: other}))


def test_plot_labels_from_the_data_are_drawn_as_written():
    # two "$" in one label would otherwise be read as math and drawn in italics, the "$" gone
    ax = ct.plot.trend_with_without_copies(_oil([0.2, 0.4, 0.5], [False] * 3).assign(term="$5 to $6"),
                                           _oil([0.1, 0.3, 0.2], [False] * 3).assign(term="$5 to $6"))
    label = ax.get_legend().get_texts()[0]
    assert label.get_text() == r"\$5 to \$6"
    assert label._preprocess_math(label.get_text()) == ("$5 to $6", False)
    matrix = pd.DataFrame({"source_from": ["Wire"], "source_to": ["Rates $ Money $"], "n_copies": [3]})
    ticks = ct.plot.syndication_matrix(matrix).get_xticklabels()
    assert [t._preprocess_math(t.get_text()) for t in ticks] == [("Rates $ Money $", False), ("Wire", False)]


def test_plot_counts_bars_span_their_periods_and_hatch_partial_ones():
    trend = quiet(ct.syndication_trend, GROUPS, DOCS)
    ax = ct.plot.syndication_over_time(trend, kind="count")
    # 85% of each month: January 31 days, February 29 (2024), March 31
    assert [p.get_width() for p in ax.patches] == pytest.approx([0.85 * d for d in (31, 29, 31)] * 2)
    assert [p.get_hatch() for p in ax.patches] == [None] * 6
    # a table without its freq: the gaps between periods (the last as the one before)
    bare = trend.copy()
    bare.attrs = {}
    widths = [p.get_width() for p in ct.plot.syndication_over_time(bare, kind="count").patches]
    assert widths == pytest.approx([0.85 * d for d in (31, 29, 29)] * 2)
    # one period, a year: a bar 85% of 2024's 366 days wide, hatched as the data does not cover it whole
    yearly = quiet(ct.syndication_trend, GROUPS, DOCS, freq="YS")
    ax = ct.plot.syndication_over_time(yearly, kind="count")
    assert [p.get_width() for p in ax.patches] == pytest.approx([0.85 * 366] * 2)
    assert [p.get_hatch() for p in ax.patches] == ["//", "//"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["copies", "other documents", "partial period"]
    # without f (March 31st), March is partial: its two bars hatched
    ended = quiet(ct.syndication_trend, GROUPS, DOCS.drop(index="f"))
    ax = ct.plot.syndication_over_time(ended, kind="count")
    assert [p.get_hatch() for p in ax.patches] == [None, None, "//", None, None, "//"]


def test_plot_errors(syndicated):
    corpus, groups = syndicated
    trend = ct.syndication_trend(groups, corpus)
    with pytest.raises(ValueError, match=re.escape("`kind` must be one of ['share', 'count']; got 'bars'.")):
        ct.plot.syndication_over_time(trend, kind="bars")
    with pytest.raises(KeyError, match="syndication_over_time: the frame has no column"):
        ct.plot.syndication_over_time(trend.drop(columns="share"))
    matrix = ct.syndication_matrix(groups, corpus)
    with pytest.raises(ValueError, match=re.escape("`value` must be one of ['n_copies', 'share_of_to']; got 'share'.")):
        ct.plot.syndication_matrix(matrix, value="share")
    with pytest.raises(ValueError, match=re.escape("`top` must be a positive integer; got 0.")):
        ct.plot.syndication_matrix(matrix, top=0)
    with pytest.raises(ValueError, match=re.escape("syndication_matrix: the table has no copies to draw.")):
        ct.plot.syndication_matrix(matrix.iloc[:0])
    with pytest.raises(ValueError, match=re.escape("`with_copies` and `without_copies` share no term")):
        ct.plot.trend_with_without_copies(ct.term_trends(corpus, "refinery"), ct.term_trends(corpus, "strike"))
    by_source = ct.term_trends(corpus, "refinery", by="source")
    with pytest.raises(ValueError, match=re.escape("`with_copies` has one series per 'source'; select one group")):
        ct.plot.trend_with_without_copies(by_source, by_source)
