"""Small helpers shared by the plot modules: the Axes to draw on, a legend beside the data, date ticks."""
from __future__ import annotations

import pandas as pd


def get_ax(ax=None):
    """The Axes to draw on: ``ax`` when given, else the Axes of a new figure.

    A new figure, not the current Axes: two plots called one after the other in a notebook cell
    or a script must not draw over each other. Pass ``ax=plt.gca()`` to draw onto the current one.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def legend_outside(ax, **kwargs):
    """A legend to the right of the Axes, so that it never hides data; returns it (None without labels)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles and "handles" not in kwargs:
        return None
    options = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0, "frameon": False}
    options.update(kwargs)
    return ax.legend(**options)


def format_date_axis(ax, axis: str = "x"):
    """Concise automatic date ticks (``2003``, ``Mar``, ``Apr``...) on a date axis."""
    import matplotlib.dates as mdates

    target = ax.xaxis if axis == "x" else ax.yaxis
    # autoscale margins around dates near year 1 or 9999 would leave matplotlib's calendar
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    first, last = mdates.date2num(pd.Timestamp("0001-01-01")), mdates.date2num(pd.Timestamp("9999-12-31"))
    if lo < first or hi > last:
        (ax.set_xlim if axis == "x" else ax.set_ylim)(max(lo, first), min(hi, last))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    target.set_major_locator(locator)
    target.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return ax


def check_columns(data, columns, what: str, hint: str = "Name yours with the x=, y=, hue= arguments.") -> None:
    """Raise a KeyError naming the missing columns of a frame handed to a plot."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} takes a DataFrame; got {type(data).__name__}.")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise KeyError(f"{what}: the frame has no column(s) {missing}; its columns are {list(data.columns)}. {hint}")
