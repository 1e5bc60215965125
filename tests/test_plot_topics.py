"""Tests of corpus_tools.plot.topics: what is drawn (panels, lines, labels, texts), not pixels."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import corpus_tools as ct  # noqa: E402
from corpus_tools.analyses.topics import TopicModel  # noqa: E402
from corpus_tools.corpus import Corpus  # noqa: E402

SPORT = "match goal striker keeper league coach referee stadium penalty midfield".split()
MONEY = "bank shares market investor bond inflation dividend profit stock currency".split()
NEWS = "vote election party ballot senate campaign candidate poll governor mayor".split()


@pytest.fixture(scope="module")
def model() -> TopicModel:
    rng = np.random.default_rng(1)
    themes = [SPORT, MONEY, NEWS]
    texts = [" ".join(rng.choice(themes[i % 3], 25)) for i in range(18)]
    dates = pd.to_datetime([f"2022-{1 + i // 6:02d}-{1 + i % 6 * 4:02d}" for i in range(18)])
    docs = pd.DataFrame({"text": texts, "date": dates, "source": ["x", "y"] * 9},
                        index=pd.Index([f"p{i:02d}" for i in range(18)], name="doc_id"))
    return TopicModel(3, random_state=0).fit(Corpus.from_docs(docs, cache=False, progress=False))


def test_public_names():
    for name in ("topic_terms", "topic_trends", "doc_topics", "topic_sweep", "topic_stability"):
        assert callable(getattr(ct.plot, name))


def test_topic_terms_one_panel_per_topic(model):
    fig = ct.plot.topic_terms(model, n=5, ncols=2)
    assert isinstance(fig, Figure)
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == 3 and len(fig.axes) == 4  # a 2x2 grid, the spare panel hidden
    labels = model.topic_labels()
    assert [a.get_title() for a in visible] == [f"{t}: {labels[t]}" for t in range(3)]
    top = model.top_terms(5)
    first = visible[0]
    assert [t.get_text() for t in first.get_yticklabels()] == top.loc[top["topic"] == 0, "term"].tolist()
    widths = [p.get_width() for p in first.patches]
    assert widths == pytest.approx(top.loc[top["topic"] == 0, "weight"].tolist())


def test_topic_terms_refuses_ax(model):
    _, ax = plt.subplots()
    with pytest.raises(TypeError, match=r"^topic_terms draws one panel per topic and returns a Figure; "
                                        r"it does not take `ax`\.$"):
        ct.plot.topic_terms(model, ax=ax)


def test_topic_trends_area(model):
    trends = model.topic_trends("MS")
    ax = ct.plot.topic_trends(trends)
    stacks = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(stacks) == 3
    labels = model.topic_labels()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"{t}: {labels[t]}" for t in range(3)]
    assert ax.get_ylabel() == "mean topic share of documents"
    # legend outside the axes, on the right
    assert ax.get_legend().get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1


def test_topic_trends_lines_mark_partial_periods(model):
    trends = model.topic_trends("MS")
    _, ax = plt.subplots()
    assert ct.plot.topic_trends(trends, kind="lines", topics=[0, 2], ax=ax) is ax
    lines = ax.get_lines()
    # one line per topic, plus hollow markers over the partial periods of each
    assert len(lines) == 4
    assert np.array_equal(lines[0].get_ydata(), trends.loc[trends["topic"] == 0, "value"].to_numpy())
    n_partial = int(trends.drop_duplicates("period")["partial"].sum())
    assert len(lines[1].get_xdata()) == n_partial


def test_topic_trends_errors(model):
    with pytest.raises(ValueError, match=r"^`kind` must be one of \['area', 'lines'\]; got 'bars'\.$"):
        ct.plot.topic_trends(model.topic_trends(), kind="bars")
    grouped = model.topic_trends(by="source")
    with pytest.raises(ValueError, match=r"^the table has one series per 'source' \(2 groups\); draw one group at a "
                                         r"time"):
        ct.plot.topic_trends(grouped)
    ax = ct.plot.topic_trends(grouped[grouped["source"] == "x"], kind="lines")
    assert len([line for line in ax.get_lines() if line.get_label().startswith(("0:", "1:", "2:"))]) == 3
    with pytest.raises(KeyError, match=r"topic_trends: the frame has no column\(s\) \['label'\]; its columns are "):
        ct.plot.topic_trends(model.topic_trends().drop(columns="label"))


def test_doc_topics_heatmap(model):
    ax = ct.plot.doc_topics(model, docs=["p03", "p01"])
    image = ax.get_images()[0]
    expected = model.doc_topics().loc[["p03", "p01"]].to_numpy()
    assert np.array_equal(image.get_array(), expected)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["p03", "p01"]
    labels = model.topic_labels()
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"{t}: {labels[t]}" for t in range(3)]


def test_doc_topics_from_a_frame(model):
    frame = model.doc_topics()
    ax = ct.plot.doc_topics(frame)
    assert ax.get_images()[0].get_array().shape == (18, 3)
    assert ax.get_xticklabels()[1].get_text() == f"1: {model.topic_labels()[1]}"
    with pytest.raises(KeyError, match=r"doc ids not in the topic table: \['nope'\]"):
        ct.plot.doc_topics(frame, docs=["p00", "nope"])


def test_topic_sweep_plot_marks_the_best_k():
    sweep = pd.DataFrame({"k": [10, 5, 15], "c_v": [0.55, 0.40, 0.50], "c_npmi": [0.02, 0.01, 0.03],
                          "u_mass": [-2.0, -1.0, -3.0], "diversity": [0.8, 0.9, 0.6]})
    ax = ct.plot.topic_sweep(sweep)
    coherence = ax.get_lines()[0]
    assert coherence.get_xdata().tolist() == [5, 10, 15]  # sorted by k
    assert coherence.get_ydata().tolist() == [0.40, 0.55, 0.50]
    assert ax.right_ax.get_lines()[0].get_ydata().tolist() == [0.9, 0.8, 0.6]
    assert [t.get_text() for t in ax.texts] == ["best k = 10"]
    assert ax.get_xlabel() == "number of topics (k)" and ax.get_ylabel() == "coherence (c_v)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["coherence (c_v)", "diversity"]
    ax2 = ct.plot.topic_sweep(sweep, measure="c_npmi", ax=plt.figure().gca())
    assert [t.get_text() for t in ax2.texts] == ["best k = 15"]


@pytest.mark.parametrize("best", [0, 1, 2])
def test_topic_sweep_best_k_label_stays_inside_clear_of_the_data(best):
    coherence = [0.4, 0.4, 0.4]
    coherence[best] = 0.6
    sweep = pd.DataFrame({"k": [2, 10, 40], "c_v": coherence, "diversity": [1.0, 0.95, 0.9]})
    ax = ct.plot.topic_sweep(sweep)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (label,) = ax.texts
    box = label.get_window_extent(renderer)
    frame = ax.get_window_extent(renderer)
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    # no marker of either curve under the label
    for line in ax.get_lines()[:1] + ax.right_ax.get_lines():
        points = line.get_transform().transform(line.get_xydata())
        assert not box.count_contains(points)


def test_topic_sweep_plot_errors():
    with pytest.raises(ValueError, match=r"^`measure` must be one of \['c_v', 'c_npmi', 'u_mass'\]; got 'cv'\.$"):
        ct.plot.topic_sweep(pd.DataFrame({"k": [2]}), measure="cv")
    with pytest.raises(KeyError, match=r"topic_sweep: the frame has no column\(s\) \['diversity'\]; its columns are "):
        ct.plot.topic_sweep(pd.DataFrame({"k": [2], "c_v": [0.5]}))
    with pytest.raises(TypeError, match=r"^topic_sweep takes a DataFrame; got list\.$"):
        ct.plot.topic_sweep([1, 2])


def test_topic_stability_plot():
    stab = pd.DataFrame({"topic": [0, 1, 2], "label": ["a · b · c", "d · e · f", "g · h · i"],
                         "stability": [0.5, 1.0, 0.8], "min_similarity": [0.2, 1.0, 0.6]})
    ax = ct.plot.topic_stability(stab)
    assert [p.get_width() for p in ax.patches] == [1.0, 0.8, 0.5]  # most stable on top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1: d · e · f", "2: g · h · i", "0: a · b · c"]
    assert ax.get_lines()[0].get_xdata().tolist() == [1.0, 0.6, 0.2]


def test_topic_trends_area_draws_a_period_alone_between_empty_ones():
    periods = pd.date_range("1987-02-01", periods=5, freq="MS")
    shares = {0: [0.5, 0.3, 0.2], 1: [0.5, 0.3, 0.2], 3: [0.6, 0.2, 0.2]}  # February-March, then May alone
    rows = [{"period": p, "topic": t, "label": f"t{t}", "value": shares[i][t] if i in shares else np.nan,
             "partial": False} for i, p in enumerate(periods) for t in range(3)]
    ax = ct.plot.topic_trends(pd.DataFrame(rows), kind="area")
    bars = [patch for patch in ax.patches if patch.get_height() > 0]
    assert len(bars) == 3  # May: one stacked bar per topic
    assert [round(b.get_height(), 2) for b in bars] == [0.6, 0.2, 0.2]
    assert [round(b.get_y(), 2) for b in bars] == [0.0, 0.6, 0.8]
    may = mdates.date2num(pd.Timestamp("1987-05-01"))
    assert all(abs(b.get_x() + b.get_width() / 2 - may) < 1 for b in bars)
    assert len(ax.collections) == 3  # the February-March run: one stacked area per topic
    assert ax.get_legend_handles_labels()[1] == ["0: t0", "1: t1", "2: t2"]
