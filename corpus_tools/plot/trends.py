"""Line chart of term trends: one line per term, interval bands (error bars where a band cannot reach),
partial periods drawn hollow and dashed."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import check_columns, format_date_axis, get_ax, legend_outside

_MEASURE_LABELS = {"doc_share": "share of documents mentioning", "count": "occurrences",
                   "per_10k_tokens": "occurrences per 10,000 tokens"}


def _y_label(data, y):
    if y == "value" and data.attrs.get("measure") in _MEASURE_LABELS:
        label = _MEASURE_LABELS[data.attrs["measure"]]
        if data.attrs.get("smooth"):
            label += f" ({data.attrs['smooth']}-period window)"
        return label
    return y


def _draw(ax, data, x, y, hue, ci, partial, colors):
    for name, rows in data.groupby(hue, sort=False):
        rows = rows.sort_values(x)
        xs = rows[x].to_numpy()
        ys = rows[y].to_numpy(dtype=float)
        part = rows[partial].to_numpy(dtype=bool) if partial else np.zeros(len(rows), dtype=bool)
        color = colors.setdefault(name, f"C{len(colors) % 10}")
        # the labelled line joins the complete periods; partial ones get a dashed link and a hollow marker
        solid = np.where(part, np.nan, ys)
        ax.plot(xs, solid, color=color, marker="o", markersize=3, label=str(name))
        if part.any():
            for i in np.flatnonzero(part):
                lo, hi = max(i - 1, 0), min(i + 2, len(rows))
                ax.plot(xs[lo:hi], ys[lo:hi], color=color, linestyle="--", linewidth=1, label="_partial")
            ax.plot(xs[part], ys[part], color=color, linestyle="none", marker="o", markersize=5,
                    markerfacecolor="white", label="_partial")
        if ci:
            _intervals(ax, xs, ys, rows[ci[0]].to_numpy(dtype=float), rows[ci[1]].to_numpy(dtype=float),
                       part, color)


def _intervals(ax, xs, ys, low, high, part, color):
    """A band joins the intervals of neighbouring complete periods; a period the band cannot
    reach gets an error bar instead: a partial period (drawn apart from the line) or a complete
    one whose neighbours are empty, where a band would be a vertical line of no width."""
    has_ci = np.isfinite(low) & np.isfinite(high) & np.isfinite(ys)
    complete = has_ci & ~part
    joined = complete & (np.r_[False, complete[:-1]] | np.r_[complete[1:], False])
    if joined.any():
        ax.fill_between(xs, np.where(joined, low, np.nan), np.where(joined, high, np.nan), color=color,
                        alpha=0.2, linewidth=0, label="_ci")
    alone = has_ci & ~joined
    if alone.any():
        # clipped at 0: a value drawn outside its own interval would give a negative bar length
        below = np.clip(ys[alone] - low[alone], 0, None)
        above = np.clip(high[alone] - ys[alone], 0, None)
        ax.errorbar(xs[alone], ys[alone], yerr=[below, above], fmt="none", ecolor=color, elinewidth=1.2,
                    capsize=3, alpha=0.8, label="_ci")


def trends(data, *, x: str = "period", y: str = "value", hue: str = "term", facet: str | None = None,
           ci: tuple[str, str] | None = ("ci_low", "ci_high"), partial: str | None = "partial", ax=None,
           title: str | None = None):
    """One line per term over time, with interval bands; partial periods drawn distinct.

    Parameters
    ----------
    data : DataFrame
        E.g. from :func:`corpus_tools.term_trends`: one row per period and term.
    x, y, hue : str
        Columns of the dates, the values and the line names.
    facet : str, optional
        Column giving one panel per value. Defaults to the ``by`` column of a
        :func:`~corpus_tools.term_trends` result (``data.attrs["by"]``) when it holds several
        groups. With panels this is a
        figure-level function: it returns the Figure and refuses ``ax``.
    ci : (str, str) or None
        Columns of the interval's bounds: a band across neighbouring complete periods, an error bar
        on a partial period and on a period alone between empty ones; ``None``: no intervals.
        Columns that are absent or all NaN draw nothing.
    partial : str or None
        Boolean column of periods the data does not cover whole: drawn as hollow markers joined
        by dashed segments, and named in the legend.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes, or the Figure when there are panels

    Raises
    ------
    KeyError
        A named column is missing.
    ValueError
        ``ax`` is given for a faceted plot.

    Examples
    --------
    >>> ax = ct.plot.trends(ct.term_trends(corpus, ["iraq", "war"]))                   # doctest: +SKIP
    >>> fig = ct.plot.trends(ct.term_trends(corpus, "iraq", by="source"))              # doctest: +SKIP
    """
    if facet is None:
        by = data.attrs.get("by") if isinstance(data, pd.DataFrame) else None
        # a single group (selected by hand) draws into one Axes
        facet = by if by is not None and by in data.columns and data[by].nunique() > 1 else None
    ci_cols = tuple(ci) if ci is not None and all(c in data.columns for c in ci) else None
    check_columns(data, [x, y, hue, facet, partial], "trends")
    if facet is None:
        ax = get_ax(ax)
        _draw(ax, data, x, y, hue, ci_cols, partial, {})
        _finish(ax, data, x, y, title, partial)
        legend_outside(ax, handles=_legend_handles(ax, data, partial))
        return ax

    if ax is not None:
        raise ValueError(f"trends draws one panel per `{facet}`, so it makes its own figure and returns it; "
                         f"drop ax=, or select one group (data[data[{facet!r}] == ...]) to draw into an Axes.")
    import matplotlib.pyplot as plt

    groups = list(pd.unique(data[facet]))
    ncols = min(3, len(groups))
    nrows = -(-len(groups) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.5 * ncols, 3.2 * nrows), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")
    colors: dict = {}
    for i, (panel, group) in enumerate(zip(axes.flat, groups)):
        _draw(panel, data[data[facet] == group], x, y, hue, ci_cols, partial, colors)
        _finish(panel, data, x, y, str(group), partial)
        # shared axes: label the outer panels only
        if i % ncols:
            panel.set_ylabel("")
        if i + ncols < len(groups):
            panel.set_xlabel("")
    for panel in list(axes.flat)[len(groups):]:
        panel.set_visible(False)
    first = axes.flat[0]
    handles = _legend_handles(first, data, partial, colors)
    fig.legend(handles=handles, loc="outside right upper", frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def _finish(ax, data, x, y, title, partial):
    ax.set_ylabel(_y_label(data, y))
    ax.set_xlabel(x)
    if pd.api.types.is_datetime64_any_dtype(data[x]):
        format_date_axis(ax)
    if title:
        ax.set_title(title)
    if data.attrs.get("measure") in ("doc_share", "count", "per_10k_tokens") or (data[y].dropna() >= 0).all():
        ax.set_ylim(bottom=0)


def _legend_handles(ax, data, partial, colors=None):
    from matplotlib.lines import Line2D

    if colors is None:
        handles = ax.get_legend_handles_labels()[0]
    else:
        handles = [Line2D([], [], color=c, marker="o", markersize=3, label=str(name)) for name, c in colors.items()]
    if partial and data[partial].any():
        handles.append(Line2D([], [], color="grey", linestyle="--", marker="o", markerfacecolor="white",
                              label="partial period"))
    return handles


__all__ = ["trends"]
