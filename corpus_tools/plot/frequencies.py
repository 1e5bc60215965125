"""Bar chart of the most frequent terms."""
from __future__ import annotations

from ..errors import check_positive_int
from ._common import check_columns, get_ax

_AXIS_LABELS = {"count": "occurrences", "doc_count": "documents containing the term",
                "share": "share of all tokens"}


def top_terms(freqs, *, n: int = 20, x: str = "count", y: str = "term", ax=None, color=None, **kwargs):
    """Horizontal bars of the ``n`` largest values, the largest on top.

    Parameters
    ----------
    freqs : DataFrame
        One row per term, e.g. from :func:`corpus_tools.term_frequencies` (for a grouped table,
        select one group first).
    n : int
        Bars drawn.
    x, y : str
        Columns of the bar length and the bar label.
    ax : matplotlib Axes, optional
    color : optional
        Bar colour; other keyword arguments go to ``Axes.barh``.

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
    >>> ct.plot.top_terms(ct.term_frequencies(corpus), n=15)                        # doctest: +SKIP
    >>> freqs = ct.term_frequencies(corpus, by="source")                            # doctest: +SKIP
    >>> ct.plot.top_terms(freqs[freqs["source"] == "Press TV"], x="share")         # doctest: +SKIP
    """
    check_columns(freqs, [x, y], "top_terms")
    check_positive_int("n", n)
    if freqs[y].duplicated().any():
        group = freqs.attrs.get("by")
        hint = f" (one per `{group}`); select one: freqs[freqs[{group!r}] == ...]" if group else "; select one group"
        raise ValueError(f"top_terms draws one bar per {y!r}, but some appear in several rows{hint}.")
    ax = get_ax(ax)
    top = freqs.sort_values(x, ascending=False, kind="stable").head(n)  # ties keep the table's order
    # barh draws the first row at the bottom: reverse so that the largest is on top
    top = top.iloc[::-1]
    ax.barh(top[y].astype(str), top[x], color=color, **kwargs)
    ax.set_xlabel(_AXIS_LABELS.get(x, x))
    ax.set_ylabel(y)
    ax.margins(y=0.01)
    return ax


__all__ = ["top_terms"]
