"""Plots of frequencies, trends and keyness: what is drawn (bars, lines, bands, labels), not pixels."""
from __future__ import annotations

import warnings

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

import corpus_tools as ct
from corpus_tools.plot._common import format_date_axis, get_ax, legend_outside

DOCS = pd.DataFrame(
    {"text": ["Troops crossed the border. Troops returned.", "The defense minister praised troops.",
              "Markets rallied.", "Defense ministers met.", "Military drills near the border."],
     "date": pd.to_datetime(["2021-01-03", "2021-01-20", "2021-01-31", "2021-03-10", "2021-03-15"]),
     "source": ["A", "B", "A", "B", "A"]},
    index=pd.Index(["d1", "d2", "d3", "d4", "d5"], name="doc_id"),
)


@pytest.fixture(scope="module")
def corpus():
    return ct.Corpus.from_docs(DOCS, cache=False, progress=False)


def labelled_lines(ax):
    return [line for line in ax.lines if not line.get_label().startswith("_")]


def test_top_terms_largest_on_top(corpus):
    freqs = ct.term_frequencies(corpus)
    fig, ax = plt.subplots()
    out = ct.plot.top_terms(freqs, n=3, ax=ax)
    assert out is ax
    assert len(ax.patches) == 3
    labels = [t.get_text() for t in ax.get_yticklabels()]
    widths = [p.get_width() for p in ax.patches]
    # barh draws bottom-up: the last bar (top of the chart) is the largest
    assert labels[::-1] == freqs["term"].head(3).tolist()
    assert widths[::-1] == freqs["count"].head(3).tolist()
    assert ax.get_xlabel() == "occurrences"


def test_top_terms_other_columns_and_a_new_figure(corpus):
    own = pd.DataFrame({"word": ["a", "b", "c"], "n": [1.0, 5.0, 3.0]})
    before = plt.figure().gca()
    ax = ct.plot.top_terms(own, x="n", y="word")
    # ax=None draws on a figure of its own, never over the current Axes
    assert ax is not before and ax.figure is not before.figure and not before.has_data()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c", "b"]
    assert ax.get_xlabel() == "n"


def test_top_terms_errors(corpus):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grouped = ct.term_frequencies(corpus, by="source")
    with pytest.raises(ValueError, match=r"top_terms draws one bar per 'term', but some appear in several rows "
                                         r"\(one per `source`\); select one: freqs\[freqs\['source'\] == \.\.\.\]"):
        ct.plot.top_terms(grouped)
    with pytest.raises(KeyError, match=r"top_terms: the frame has no column\(s\) \['shares'\]"):
        ct.plot.top_terms(grouped, x="shares")


def test_trends_lines_bands_partial_and_legend(corpus):
    trends = ct.term_trends(corpus, ["troops", "border"])
    fig, ax = plt.subplots()
    out = ct.plot.trends(trends, ax=ax)
    assert out is ax
    lines = labelled_lines(ax)
    assert [line.get_label() for line in lines] == ["troops", "border"]
    # complete periods only on the labelled line: Jan and Mar are partial, Feb is empty
    assert np.isnan(lines[0].get_ydata()).all()
    # every period with data stands alone (partial, or beside the empty February): no band can
    # reach it, so each gets an error bar, two per term
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert [len(bars.lines[2][0].get_segments()) for bars in ax.containers] == [2, 2]
    # partial periods: hollow markers and dashed links, one set per term
    hollow = [ln for ln in ax.lines if ln.get_label() == "_partial" and ln.get_markerfacecolor() == "white"]
    dashed = [ln for ln in ax.lines if ln.get_label() == "_partial" and ln.get_linestyle() == "--"]
    assert len(hollow) == 2 and len(dashed) == 4
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["troops", "border", "partial period"]
    assert legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1   # outside the data
    assert ax.get_ylabel() == "share of documents mentioning"
    assert ax.get_xlabel() == "period"


def test_trends_draw_the_interval_of_a_period_no_band_reaches():
    # January and July are partial; May is complete but alone between empty months
    periods = pd.date_range("2021-01-01", periods=7, freq="MS")
    value = np.array([0.2, 0.3, 0.4, np.nan, 0.5, np.nan, 0.6])
    table = pd.DataFrame({"period": periods, "term": "x", "value": value, "ci_low": value - 0.1,
                          "ci_high": value + 0.2, "partial": [True] + [False] * 5 + [True]})
    ax = ct.plot.trends(table)
    # the band joins February and March only
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    xs = band.get_paths()[0].vertices[:, 0]
    assert xs.min() == mdates.date2num(periods[1]) and xs.max() == mdates.date2num(periods[2])
    # the other three periods get an error bar from ci_low to ci_high
    (bars,) = ax.containers
    segments = bars.lines[2][0].get_segments()
    assert [mdates.num2date(seg[0][0]).month for seg in segments] == [1, 5, 7]
    assert [(round(seg[0][1], 2), round(seg[1][1], 2)) for seg in segments] == [(0.1, 0.4), (0.4, 0.7), (0.5, 0.8)]
    assert [len(cap.get_xdata()) for cap in bars.lines[1]] == [3, 3]   # capped
    # May is a marker on the labelled line; the partial ends are hollow markers
    (line,) = labelled_lines(ax)
    assert line.get_marker() == "o" and line.get_ydata()[4] == 0.5
    hollow = [ln for ln in ax.lines if ln.get_label() == "_partial" and ln.get_markerfacecolor() == "white"]
    assert [mdates.num2date(x).month for x in mdates.date2num(hollow[0].get_xdata())] == [1, 7]


def test_trends_complete_periods_are_solid():
    docs = pd.DataFrame({"text": ["troops", "troops war", "war", "troops"],
                         "date": pd.to_datetime(["2021-01-01", "2021-02-01", "2021-03-01", "2021-04-30"])},
                        index=pd.Index(list("abcd"), name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    trends = ct.term_trends(corpus, "troops", measure="count", ci=None)
    assert not trends["partial"].any()
    ax = ct.plot.trends(trends)
    assert [line.get_label() for line in ax.lines] == ["troops"]
    assert ax.lines[0].get_ydata().tolist() == [1, 1, 0, 1]
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]   # ci=None: no band
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["troops"]
    assert ax.get_ylabel() == "occurrences"


def test_trends_facets_return_a_figure_and_refuse_ax(corpus):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trends = ct.term_trends(corpus, ["troops", "border"], by="source")
    fig = ct.plot.trends(trends)
    assert isinstance(fig, plt.Figure)
    panels = [a for a in fig.axes if a.get_visible()]
    assert [a.get_title() for a in panels] == ["A", "B"]
    for panel in panels:
        assert [line.get_label() for line in labelled_lines(panel)] == ["troops", "border"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["troops", "border", "partial period"]
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"trends draws one panel per `source`, so it makes its own figure and "
                                         r"returns it; drop ax=, or select one group"):
        ct.plot.trends(trends, ax=ax)
    # one group selected by hand draws into the Axes
    one = trends[trends["source"] == "A"]
    assert ct.plot.trends(one, ax=ax) is ax
    assert [line.get_label() for line in labelled_lines(ax)] == ["troops", "border"]


def test_trends_user_table_with_own_columns():
    own = pd.DataFrame({"month": pd.to_datetime(["2021-01-01", "2021-02-01"] * 2),
                        "word": ["x", "x", "y", "y"], "freq": [1.0, 2.0, 3.0, 4.0]})
    ax = ct.plot.trends(own, x="month", y="freq", hue="word", ci=None, partial=None)
    assert [line.get_label() for line in ax.lines] == ["x", "y"]
    assert ax.get_ylabel() == "freq"
    with pytest.raises(KeyError, match=r"trends: the frame has no column\(s\) \['period', 'value', 'term', 'partial'\]; its columns are "
                                       r"\['month', 'word', 'freq'\]\. Name yours with the x=, y=, hue= arguments\."):
        ct.plot.trends(own)


def test_keyness_diverging_bars(corpus):
    key = ct.keyness(corpus, {"source": "A"}, min_count=1)
    fig, ax = plt.subplots()
    out = ct.plot.keyness(key, n=2, ax=ax)
    assert out is ax
    widths = [p.get_width() for p in ax.patches]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(widths) == 4
    positive = key[key["score"] > 0].head(2)
    negative = key[key["score"] < 0].sort_values("score", kind="stable").head(2).iloc[::-1]
    # top to bottom: strongest target term first, strongest reference term last (barh is bottom-up)
    assert labels[::-1] == positive["term"].tolist() + negative["term"].tolist()
    right = [p for p in ax.patches if p.get_width() > 0]
    left = [p for p in ax.patches if p.get_width() < 0]
    assert len(right) == len(left) == 2
    assert right[0].get_facecolor() != left[0].get_facecolor()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["key in source=A", "key in rest of the corpus"]
    assert ax.get_xlabel() == "signed log-likelihood G²"


def test_keyness_plot_errors(corpus):
    table = ct.keyness_table(corpus, by="source", top=None, min_count=1)
    with pytest.raises(ValueError, match=r"keyness draws one bar per 'term', but some appear in several rows "
                                         r"\(a keyness_table: select one group"):
        ct.plot.keyness(table)
    with pytest.raises(ValueError, match=r"^`n` must be a positive integer; got 0\.$"):
        ct.plot.keyness(table[table["group"] == "A"], n=0)


def test_common_helpers():
    fig, ax = plt.subplots()
    assert get_ax(ax) is ax
    new = get_ax()
    assert new is not ax and new.figure is not fig and plt.gcf() is new.figure
    assert legend_outside(ax) is None   # nothing labelled
    ax.plot(pd.to_datetime(["2021-01-01", "2021-06-01"]), [1, 2], label="x")
    legend = legend_outside(ax)
    assert [t.get_text() for t in legend.get_texts()] == ["x"]
    fig.canvas.draw()
    assert legend.get_window_extent().x0 > ax.get_window_extent().x1 - 1  # right of the data
    format_date_axis(ax)
    fig.canvas.draw()
    assert any(t.get_text() for t in ax.get_xticklabels())


def test_trends_draw_dates_at_the_ends_of_the_calendar():
    # year 1 and year 9999 are kept by the loader; autoscale margins must not leave the calendar
    docs = pd.DataFrame({"text": ["oil rose", "oil fell", "bank rates"],
                         "date": pd.to_datetime(["0001-01-01", "9999-12-31", "2020-05-05"], format="%Y-%m-%d").as_unit("us")},
                        index=pd.Index(["a", "b", "c"], name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    assert repr(corpus).endswith("0001-01-01..9999-12-31)")
    ax = ct.plot.trends(ct.term_trends(corpus, ["oil"], freq="YS"))
    ax.figure.canvas.draw()  # raises if a tick falls outside years 1..9999
    low, high = ax.get_xlim()
    assert pd.Timestamp(mdates.num2date(low)).year == 1 and pd.Timestamp(mdates.num2date(high)).year == 9999
