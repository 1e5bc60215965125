"""Drawings of topic models: top terms per topic, prevalence over time, document mixtures,
the choice of the number of topics and topic stability.

Every plot labels topics with the model's labels ("oil · crude · opec"), taken from the
``label`` column of the table or from ``attrs["labels"]`` of a ``doc_topics`` frame.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import check_option
from ._common import check_columns, format_date_axis, get_ax, legend_outside

TREND_KINDS = ("area", "lines")
SWEEP_MEASURES = ("c_v", "c_npmi", "u_mass")
_FROM_ANALYSIS = "Pass the table returned by the matching analysis."


def topic_terms(model, *, n: int = 10, ncols: int = 4, ax=None):
    """One small bar chart per topic: its ``n`` heaviest terms, titled with the topic label.

    A figure-level plot (several panels): returns the Figure and refuses ``ax=``.

    Parameters
    ----------
    model : TopicModel, fitted
    n : int
        Terms per topic.
    ncols : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        ``ax`` was given.

    Examples
    --------
    >>> fig = ct.plot.topic_terms(model, n=8)  # doctest: +SKIP
    """
    if ax is not None:
        raise TypeError("topic_terms draws one panel per topic and returns a Figure; it does not take `ax`.")
    terms = model.top_terms(n)
    labels = model.topic_labels()
    k = len(labels)
    ncols = max(1, min(ncols, k))
    nrows = math.ceil(k / ncols)
    n_shown = int(terms.groupby("topic").size().max())
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 0.28 * n_shown * nrows + 1.0 * nrows),
                                squeeze=False)
    for topic, panel in zip(range(k), axes.flat):
        rows = terms[terms["topic"] == topic].sort_values("rank")
        y = np.arange(len(rows))
        panel.barh(y, rows["weight"].to_numpy(), color=f"C{topic % 10}")
        panel.set_yticks(y, rows["term"].tolist())
        panel.invert_yaxis()  # heaviest term on top
        panel.set_title(f"{topic}: {labels[topic]}", fontsize="medium")
        panel.set_xlabel("p(term | topic)")
    for panel in axes.flat[k:]:
        panel.set_visible(False)
    fig.tight_layout()
    return fig


def _stacked_areas(ax, x, values: np.ndarray, labels: list[str], colors: list[str]) -> None:
    """Stack the shares of each run of consecutive non-empty periods; a period alone between
    empty ones becomes a stacked bar (an area of one point would not show)."""
    present = ~np.isnan(values).all(axis=1)
    values = np.nan_to_num(values)
    spacing = float(np.median(np.diff(x.to_numpy()).astype("timedelta64[s]").astype(float))) if len(x) > 1 else 1.7e6
    width = pd.to_timedelta(spacing * 0.5, unit="s")
    starts = np.flatnonzero(present & ~np.r_[False, present[:-1]])
    ends = np.flatnonzero(present & ~np.r_[present[1:], False]) + 1
    for n, (a, b) in enumerate(zip(starts, ends)):
        names = labels if n == 0 else [None] * len(labels)  # one legend entry per topic
        if b - a > 1:
            ax.stackplot(x[a:b], values[a:b].T, colors=colors, alpha=0.85, labels=names)
        else:
            bottom = np.r_[0.0, np.cumsum(values[a])[:-1]]
            for t, (height, base) in enumerate(zip(values[a], bottom)):
                ax.bar(x[a:b], [height], bottom=[base], width=width, color=colors[t], alpha=0.85,
                       label=names[t] if names[t] else "_nolegend_")
    ax.set_ylim(0, max(1.0, float(values.sum(axis=1).max(initial=0))))


def topic_trends(trends_df: pd.DataFrame, *, kind: str = "area", topics=None, ax=None):
    """Topic prevalence over time, as a stacked area or as one line per topic.

    Parameters
    ----------
    trends_df : DataFrame
        From :meth:`TopicModel.topic_trends`: columns ``period``, ``topic``, ``label``,
        ``value`` (and ``partial``). With a ``by`` group column, select one group first.
    kind : {"area", "lines"}
        ``"area"`` stacks the mean shares (they sum to 1 in each period); empty periods are
        gaps. ``"lines"`` draws one line per topic; partial periods are drawn hollow.
    topics : list of int, optional
        Topics drawn (default: all).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    KeyError
        A column is missing.
    ValueError
        An unknown ``kind``, or several groups in the table.

    Examples
    --------
    >>> ct.plot.topic_trends(model.topic_trends("MS"), kind="lines")  # doctest: +SKIP
    """
    check_option("kind", kind, TREND_KINDS)
    check_columns(trends_df, ["period", "topic", "label", "value"], "topic_trends", hint=_FROM_ANALYSIS)
    by = trends_df.attrs.get("by")
    if by and by in trends_df.columns and trends_df[by].nunique() > 1:
        raise ValueError(f"the table has one series per {by!r} ({trends_df[by].nunique()} groups); "
                         f"draw one group at a time, e.g. trends_df[trends_df[{by!r}] == ...].")
    frame = trends_df if topics is None else trends_df[trends_df["topic"].isin(list(topics))]
    if frame.empty:
        raise ValueError("no rows to draw (check `topics`).")
    wide = frame.pivot(index="period", columns="topic", values="value")
    labels = frame.drop_duplicates("topic").set_index("topic")["label"]
    ax = get_ax(ax)
    x = pd.to_datetime(wide.index)
    if kind == "area":
        _stacked_areas(ax, x, wide.to_numpy(dtype=float), [f"{t}: {labels[t]}" for t in wide.columns],
                       [f"C{t % 10}" for t in wide.columns])
    else:
        partial = (frame.drop_duplicates("period").set_index("period")["partial"].reindex(wide.index, fill_value=False)
                   .to_numpy(dtype=bool) if "partial" in frame.columns else np.zeros(len(wide), dtype=bool))
        for t in wide.columns:
            y = wide[t].to_numpy(dtype=float)
            (line,) = ax.plot(x, y, marker="o", markersize=3, color=f"C{t % 10}", label=f"{t}: {labels[t]}")
            if partial.any():
                ax.plot(x[partial], y[partial], linestyle="none", marker="o", markersize=6,
                        markerfacecolor="white", color=line.get_color())
    ax.set_xlabel("period")
    ax.set_ylabel("mean topic share of documents")
    format_date_axis(ax)
    legend_outside(ax, fontsize="small")
    return ax


def doc_topics(model_or_frame, *, docs=None, ax=None, cmap: str = "viridis"):
    """Heatmap of the topic shares of some documents (rows) by topic (columns).

    Parameters
    ----------
    model_or_frame : TopicModel or DataFrame
        A fitted model, or a frame from :meth:`TopicModel.doc_topics` / ``transform``.
    docs : list of doc ids, optional
        Documents shown, in this order (default: the first 30).
    ax : matplotlib Axes, optional
    cmap : str

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    KeyError
        A doc id in ``docs`` is not in the frame.

    Examples
    --------
    >>> ct.plot.doc_topics(model, docs=["d01", "d07"])  # doctest: +SKIP
    """
    if isinstance(model_or_frame, pd.DataFrame):
        frame = model_or_frame
        labels = dict(frame.attrs.get("labels", {}))
    else:
        frame = model_or_frame.doc_topics()
        labels = model_or_frame.topic_labels().to_dict()
    if docs is None:
        frame = frame.iloc[:30]
    else:
        docs = [docs] if isinstance(docs, str) else list(docs)
        missing = [d for d in docs if d not in frame.index]
        if missing:
            raise KeyError(f"doc ids not in the topic table: {missing[:5]}")
        frame = frame.loc[docs]
    ax = get_ax(ax)
    image = ax.imshow(frame.to_numpy(dtype=float), aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0,
                      interpolation="nearest")
    ax.set_xticks(np.arange(frame.shape[1]),
                  [f"{t}: {labels[t]}" if t in labels else str(t) for t in frame.columns], rotation=45, ha="right")
    ax.set_yticks(np.arange(frame.shape[0]), [str(d) for d in frame.index])
    ax.set_xlabel("topic")
    ax.set_ylabel("document")
    ax.figure.colorbar(image, ax=ax, label="topic share")
    return ax


def topic_sweep(sweep_df: pd.DataFrame, *, measure: str = "c_v", ax=None):
    """Coherence and diversity against the number of topics, the best ``k`` marked.

    Coherence (left axis, solid) and diversity (right axis, dashed) share the x axis; the
    ``k`` with the highest coherence is marked with a vertical line and labelled.

    Parameters
    ----------
    sweep_df : DataFrame
        From :func:`corpus_tools.topic_sweep`: columns ``k``, ``diversity`` and ``measure``.
    measure : {"c_v", "c_npmi", "u_mass"}
        The coherence drawn.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        The coherence axes (the diversity axes is its twin, ``ax.right_ax``).

    Examples
    --------
    >>> ct.plot.topic_sweep(ct.topic_sweep(corpus, range(5, 31, 5)))  # doctest: +SKIP
    """
    check_option("measure", measure, SWEEP_MEASURES)
    check_columns(sweep_df, ["k", measure, "diversity"], "topic_sweep", hint=_FROM_ANALYSIS)
    frame = sweep_df.sort_values("k")
    ax = get_ax(ax)
    k = frame["k"].to_numpy()
    ax.plot(k, frame[measure].to_numpy(dtype=float), marker="o", color="C0", label=f"coherence ({measure})")
    ax.set_xlabel("number of topics (k)")
    ax.set_ylabel(f"coherence ({measure})", color="C0")
    right = ax.twinx()
    right.plot(k, frame["diversity"].to_numpy(dtype=float), marker="s", linestyle="--", color="C1",
               label="diversity")
    right.set_ylabel("topic diversity", color="C1")
    # headroom above both curves: the best k's label sits in the top strip, clear of the data
    # (the peak of coherence is right under it)
    right.set_ylim(0, 1.3)
    coherence = frame[measure].to_numpy(dtype=float)
    coherence = coherence[np.isfinite(coherence)]
    if coherence.size:
        low, high = float(coherence.min()), float(coherence.max())
        span = high - low or abs(high) or 1.0
        ax.set_ylim(low - 0.08 * span, high + 0.3 * span)
    best = int(frame.loc[frame[measure].idxmax(), "k"])
    ax.axvline(best, color="0.4", linestyle=":", linewidth=1)
    # beside the line, on the side with more room, so that it stays inside the Axes
    left, right_end = ax.get_xlim()
    on_left = best > (left + right_end) / 2
    ax.annotate(f"best k = {best}", xy=(best, 1.0), xycoords=("data", "axes fraction"),
                xytext=(-4 if on_left else 4, -4), textcoords="offset points", fontsize="small",
                ha="right" if on_left else "left", va="top")
    handles = ax.get_lines()[:1] + right.get_lines()[:1]
    ax.legend(handles, [h.get_label() for h in handles], loc="lower left", fontsize="small")
    ax.right_ax = right
    return ax


def topic_stability(stability_df: pd.DataFrame, *, ax=None):
    """Per-topic stability across seeds: mean matched similarity (bar) and the minimum (tick).

    Parameters
    ----------
    stability_df : DataFrame
        From :func:`corpus_tools.topic_stability`: columns ``topic``, ``label``,
        ``stability``, ``min_similarity``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ct.plot.topic_stability(ct.topic_stability(corpus, 10))  # doctest: +SKIP
    """
    check_columns(stability_df, ["topic", "label", "stability", "min_similarity"], "topic_stability", hint=_FROM_ANALYSIS)
    frame = stability_df.sort_values(["stability", "topic"], ascending=[False, True])
    ax = get_ax(ax)
    y = np.arange(len(frame))
    ax.barh(y, frame["stability"].to_numpy(dtype=float), color="C0", label="mean similarity")
    ax.plot(frame["min_similarity"].to_numpy(dtype=float), y, linestyle="none", marker="|", markersize=12,
            color="k", label="lowest similarity")
    ax.set_yticks(y, [f"{t}: {lab}" for t, lab in zip(frame["topic"], frame["label"])])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("similarity of matched topics across seeds (Jaccard of top terms)")
    ax.legend(loc="lower right", fontsize="small")
    return ax
