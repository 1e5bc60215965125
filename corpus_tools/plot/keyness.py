"""Diverging bar chart of keyness: target-side terms to the right, reference-side terms to the left."""
from __future__ import annotations

import numpy as np

from ..errors import check_positive_int
from ._common import check_columns, get_ax, legend_outside


def keyness(data, *, n: int = 20, x: str = "score", y: str = "term", ax=None,
            colors: tuple[str, str] = ("C0", "C3")):
    """Diverging horizontal bars: the ``n`` highest scores to the right, the ``n`` lowest to the left.

    Parameters
    ----------
    data : DataFrame
        E.g. from :func:`corpus_tools.keyness`: one row per term with a signed score (positive:
        key in the target; negative: key in the reference). For a
        :func:`~corpus_tools.keyness_table` result, select one group first.
    n : int
        Bars on each side (fewer when there are fewer terms on that side).
    x, y : str
        Columns of the signed score and the label.
    ax : matplotlib Axes, optional
    colors : (str, str)
        Colours of the target-side and reference-side bars.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    KeyError
        ``x`` or ``y`` is not a column.
    ValueError
        A label occurs in several rows (a grouped table), or ``n`` is not positive.

    Examples
    --------
    >>> ct.plot.keyness(ct.keyness(corpus, {"source": "Press TV"}), n=15)             # doctest: +SKIP
    """
    check_columns(data, [x, y], "keyness")
    check_positive_int("n", n)
    if data[y].duplicated().any():
        hint = " (a keyness_table: select one group, data[data['group'] == ...])" if "group" in data.columns else ""
        raise ValueError(f"keyness draws one bar per {y!r}, but some appear in several rows{hint}.")
    ax = get_ax(ax)
    # stable sorts: ties keep the table's order
    positive = data[data[x] > 0].sort_values(x, ascending=False, kind="stable").head(n)
    negative = data[data[x] < 0].sort_values(x, kind="stable").head(n)
    # top to bottom: strongest target term ... weakest, then weakest reference term ... strongest
    rows = [*positive.itertuples(index=False), *negative.iloc[::-1].itertuples(index=False)]
    cols = list(data.columns)
    labels = [str(r[cols.index(y)]) for r in rows][::-1]
    values = np.array([r[cols.index(x)] for r in rows], dtype=float)[::-1]
    pos = np.arange(len(values))
    target = data.attrs.get("target", "target")
    reference = data.attrs.get("reference", "reference")
    ax.barh(pos[values > 0], values[values > 0], color=colors[0], label=f"key in {target}")
    ax.barh(pos[values < 0], values[values < 0], color=colors[1], label=f"key in {reference}")
    ax.set_yticks(pos, labels)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(data.attrs.get("score_label", x) if x == "score" else x)
    ax.set_ylabel(y)
    ax.margins(y=0.01)
    legend_outside(ax)
    return ax


__all__ = ["keyness"]
