"""Drawings of copies: syndication over time, who carries whose stories, a trend with and without copies."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..analyses.periods import FREQS
from ..errors import check_option, check_positive_int
from ._common import check_columns, format_date_axis, get_ax, legend_outside
from .trends import _draw, _intervals, _legend_handles, _y_label

OVER_TIME_KINDS = ("share", "count")
_MATRIX_VALUES = {"n_copies": "copies", "share_of_to": "share of the carrier's documents"}
# longer source names are cut (with "…") so that the heatmap's labels stay readable
_MAX_LABEL = 28
# what trend_with_without_copies compares must have been counted the same way
_SAME_COUNT = ("measure", "freq", "smooth")


def _literal(label: object) -> str:
    """A label from the data drawn as written: matplotlib reads text between two ``$`` as math."""
    return str(label).replace("$", r"\$")


def _period_days(trend: pd.DataFrame, periods: pd.Series) -> np.ndarray:
    """Each period's length in days: from the table's ``freq`` (months of 28 to 31 days), else
    from the gap to the next period (a lone period without ``freq``: one day)."""
    freq = trend.attrs.get("freq")
    if freq in FREQS and len(periods):
        starts = pd.PeriodIndex(periods, freq=FREQS[freq])
        return ((starts + 1).start_time - starts.start_time).total_seconds().to_numpy() / 86400
    steps = np.diff(periods.to_numpy()).astype("timedelta64[s]").astype(float) / 86400
    return np.r_[steps, steps[-1:]] if len(steps) else np.ones(len(periods))


def syndication_over_time(trend: pd.DataFrame, *, kind: str = "share", ax=None, title: str | None = None):
    """Copies per period: their share of the period's documents, or the documents split into copies and others.

    Parameters
    ----------
    trend : DataFrame
        From :func:`corpus_tools.syndication_trend`: ``period``, ``n_docs``, ``n_copies``,
        ``share`` (with ``ci_low``, ``ci_high`` and ``partial`` when present).
    kind : {"share", "count"}
        ``"share"``: one line of ``share`` (copies / documents of the period) with its interval
        band, partial periods drawn hollow. ``"count"``: stacked bars per period, the copies on
        top of the other documents, so the bar's height is the period's number of documents;
        each bar as wide as most of its period (from ``trend.attrs["freq"]``), partial periods
        hatched.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    KeyError
        A column is missing.
    ValueError
        An unknown ``kind``.

    Examples
    --------
    >>> groups = ct.near_duplicates(corpus)                                         # doctest: +SKIP
    >>> ct.plot.syndication_over_time(ct.syndication_trend(groups, corpus))         # doctest: +SKIP
    """
    check_option("kind", kind, OVER_TIME_KINDS)
    check_columns(trend, ["period", "n_docs", "n_copies", "share"], "syndication_over_time",
                  hint="Pass the table of ct.syndication_trend.")
    ax = get_ax(ax)
    if kind == "share":
        data = trend.assign(series="copies")
        ci = ("ci_low", "ci_high") if {"ci_low", "ci_high"} <= set(trend.columns) else None
        partial = "partial" if "partial" in trend.columns else None
        _draw(ax, data, "period", "share", "series", ci, partial, {"copies": "C3"})
        ax.set_ylabel("share of the period's documents that are copies")
        ax.set_ylim(bottom=0)
        handles = _legend_handles(ax, data, partial)
    else:
        periods = pd.to_datetime(trend["period"])
        # each bar covers most of its own period: months differ in length, a lone year is a year wide
        width = 0.85 * _period_days(trend, periods)
        copies = trend["n_copies"].to_numpy(dtype=float)
        others = trend["n_docs"].to_numpy(dtype=float) - copies
        # bars start at the period's first day: aligned left, the bar covers the period
        below = ax.bar(periods, others, width=width, align="edge", color="C0", alpha=0.55, label="other documents")
        above = ax.bar(periods, copies, width=width, align="edge", bottom=others, color="C3", label="copies")
        part = trend["partial"].to_numpy(dtype=bool) if "partial" in trend.columns else np.zeros(len(trend), bool)
        for bars in (below, above):
            for patch in (patch for patch, partial in zip(bars.patches, part) if partial):
                patch.set_hatch("//")
                patch.set_edgecolor("white")
        ax.set_ylabel("documents")
        handles = ax.get_legend_handles_labels()[0][::-1]  # copies first, as they are stacked on top
        if part.any():
            from matplotlib.patches import Patch

            handles.append(Patch(facecolor="0.6", edgecolor="white", hatch="//", label="partial period"))
    ax.set_xlabel("period")
    format_date_axis(ax)
    if title:
        ax.set_title(title)
    legend_outside(ax, handles=handles)
    return ax


def _short(label: object) -> str:
    text = str(label)
    return _literal(text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…")


def syndication_matrix(matrix: pd.DataFrame, *, value: str = "n_copies", top: int = 15, ax=None,
                       annotate: bool | None = None, cmap: str = "Reds", colorbar: bool = True):
    """Who carries whose stories: a source x source heatmap of copies.

    Rows are the source of each group's original (``source_from``), columns the source of a
    copy (``source_to``); a cell is blank where there is no copy.

    Parameters
    ----------
    matrix : DataFrame
        From :func:`corpus_tools.syndication_matrix`.
    value : {"n_copies", "share_of_to"}
        The number of copies, or their share of the carrier's (``source_to``'s) documents.
    top : int
        Draw the ``top`` sources involved in most copies (as original or as carrier); the
        title says how many others were left out.
    ax : matplotlib Axes, optional
    annotate : bool, optional
        Write each cell's value in it; by default when at most 20 sources are drawn.
    cmap : str
    colorbar : bool

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    KeyError
        A column is missing.
    ValueError
        An unknown ``value``, a ``top`` that is not a positive integer, or an empty table.

    Examples
    --------
    >>> ct.plot.syndication_matrix(ct.syndication_matrix(groups, corpus), top=10)   # doctest: +SKIP
    """
    check_option("value", value, list(_MATRIX_VALUES))
    top = check_positive_int("top", top)
    check_columns(matrix, ["source_from", "source_to", value], "syndication_matrix",
                  hint="Pass the table of ct.syndication_matrix.")
    if matrix.empty:
        raise ValueError("syndication_matrix: the table has no copies to draw.")
    involvement = (matrix.groupby("source_from")["n_copies"].sum()
                   .add(matrix.groupby("source_to")["n_copies"].sum(), fill_value=0)
                   if "n_copies" in matrix.columns else
                   pd.concat([matrix["source_from"], matrix["source_to"]]).value_counts())
    # most involved first, ties by name, so that the order does not depend on the table's
    ranked = sorted(involvement.index, key=lambda s: (-involvement[s], str(s)))
    shown = ranked[:top]
    left_out = len(ranked) - len(shown)
    grid = (matrix[matrix["source_from"].isin(shown) & matrix["source_to"].isin(shown)]
            .pivot_table(index="source_from", columns="source_to", values=value, aggfunc="sum")
            .reindex(index=shown, columns=shown))
    data = grid.to_numpy(dtype=float)
    ax = get_ax(ax)
    image = ax.imshow(np.ma.masked_invalid(np.where(data > 0, data, np.nan)), cmap=cmap, vmin=0,
                      interpolation="nearest", aspect="auto")
    n = len(shown)
    size = float(np.clip(200 / max(n, 1), 7, 10))
    labels = [_short(s) for s in shown]
    ax.set_xticks(range(n), labels=labels, rotation=45, ha="right", rotation_mode="anchor", fontsize=size)
    ax.set_yticks(range(n), labels=labels, fontsize=size)
    ax.tick_params(length=0)
    ax.set_xlabel("carried by (source of the copy)")
    ax.set_ylabel("first published by (source of the original)")
    if annotate is None:
        annotate = n <= 20
    if annotate:
        finite = data[np.isfinite(data) & (data > 0)]
        high = float(finite.max()) if finite.size else 0.0
        for i, j in zip(*np.nonzero(np.isfinite(data) & (data > 0))):
            cell = data[i, j]
            text = f"{cell:,.0f}" if value == "n_copies" else f"{cell:.0%}"
            # white on the darker half of the map, black elsewhere
            ax.text(j, i, text, ha="center", va="center", fontsize=size - 1,
                    color="white" if cell > 0.6 * high else "black")
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, label=_MATRIX_VALUES[value], shrink=0.8)
        if value == "n_copies":
            from matplotlib.ticker import MaxNLocator

            bar.locator = MaxNLocator(integer=True)  # counts: no tick at 0.2 copies
            bar.update_ticks()
    title = "Who carries whose stories"
    if left_out:
        title += f" ({n} most involved sources; {left_out} more not shown)"
    ax.set_title(title)
    return ax


def trend_with_without_copies(with_copies: pd.DataFrame, without_copies: pd.DataFrame, *, ax=None,
                              ci: bool = True, title: str | None = None):
    """The same term trend counted with every document (solid) and with the copies left out (dashed).

    Parameters
    ----------
    with_copies, without_copies : DataFrame
        Two :func:`corpus_tools.term_trends` tables of the same terms and measure, the second
        made with ``dedupe=`` (its ``attrs["n_copies_dropped"]`` goes into the legend).
    ax : matplotlib Axes, optional
    ci : bool
        Draw the intervals (``ci_low``, ``ci_high``) of the trend without copies: bands across
        neighbouring complete periods, error bars on a partial period or a period alone (the
        intervals of both would hide the difference between the lines). Partial periods
        (``partial``) are drawn as hollow markers, as :func:`corpus_tools.plot.trends` draws them.
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    KeyError
        A column is missing.
    ValueError
        The two tables share no term, either has several ``by`` groups, or their ``attrs``
        differ in ``measure``, ``freq`` or ``smooth``.

    Examples
    --------
    >>> groups = ct.near_duplicates(corpus)                                         # doctest: +SKIP
    >>> ct.plot.trend_with_without_copies(ct.term_trends(corpus, "oil"),
    ...                                   ct.term_trends(corpus, "oil", dedupe=groups))  # doctest: +SKIP
    """
    for name, table in (("with_copies", with_copies), ("without_copies", without_copies)):
        check_columns(table, ["period", "term", "value"], "trend_with_without_copies",
                      hint="Pass two tables of ct.term_trends.")
        by = table.attrs.get("by")
        if by and by in table.columns and table[by].nunique() > 1:
            raise ValueError(f"`{name}` has one series per {by!r}; select one group first, "
                             f"e.g. table[table[{by!r}] == ...].")
    for key in _SAME_COUNT:
        ours, theirs = with_copies.attrs.get(key), without_copies.attrs.get(key)
        if key in with_copies.attrs and key in without_copies.attrs and ours != theirs:
            raise ValueError(f"`with_copies` and `without_copies` differ in {key} ({ours!r} and {theirs!r}), so "
                             "their lines cannot be compared; make both with the same ct.term_trends arguments, "
                             "dedupe= aside.")
    terms = [t for t in pd.unique(with_copies["term"]) if t in set(without_copies["term"])]
    if not terms:
        raise ValueError("`with_copies` and `without_copies` share no term; make both with the same terms.")
    from matplotlib.lines import Line2D

    ax = get_ax(ax)
    dropped = without_copies.attrs.get("n_copies_dropped")
    styles = (("-", with_copies, "all documents"),
              ("--", without_copies, "copies left out" + (f" ({dropped:,} documents)" if dropped is not None else "")))
    any_partial = False
    for i, term in enumerate(terms):
        color = f"C{i % 10}"
        for style, table, _ in styles:
            rows = table[table["term"] == term].sort_values("period")
            xs, ys = rows["period"].to_numpy(), rows["value"].to_numpy(dtype=float)
            part = (rows["partial"].to_numpy(dtype=bool) if "partial" in rows.columns
                    else np.zeros(len(rows), dtype=bool))
            # as ct.plot.trends draws them: the line joins complete periods, a partial one is a
            # hollow marker on a thin dotted link (dotted: dashes already mean "copies left out")
            ax.plot(xs, np.where(part, np.nan, ys), color=color, linestyle=style, marker="o", markersize=3,
                    label=_literal(term) if style == "-" else "_without")
            for j in np.flatnonzero(part):
                ax.plot(xs[max(j - 1, 0):j + 2], ys[max(j - 1, 0):j + 2], color=color, linestyle=":", linewidth=1,
                        label="_partial")
            if part.any():
                any_partial = True
                ax.plot(xs[part], ys[part], color=color, linestyle="none", marker="o", markersize=5,
                        markerfacecolor="white", label="_partial")
            if ci and table is without_copies and {"ci_low", "ci_high"} <= set(rows.columns):
                _intervals(ax, xs, ys, rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float),
                           part, color)
    ax.set_ylabel(_y_label(with_copies, "value"))
    ax.set_xlabel("period")
    if pd.api.types.is_datetime64_any_dtype(with_copies["period"]):
        format_date_axis(ax)
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    handles = ax.get_legend_handles_labels()[0]
    handles += [Line2D([], [], color="0.3", linestyle=style, label=label) for style, _, label in styles]
    if any_partial:
        handles.append(Line2D([], [], color="0.3", linestyle=":", marker="o", markerfacecolor="white",
                              label="partial period"))
    legend_outside(ax, handles=handles)
    return ax


__all__ = ["syndication_matrix", "syndication_over_time", "trend_with_without_copies"]
