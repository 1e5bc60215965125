"""Calendar periods shared by every analysis over time (term, co-occurrence and topic trends).

Every period between the first and the last dated document is present, even when it holds no
documents; the first and last period are flagged ``partial`` when the data does not cover them
whole; undated documents are counted, never silently dropped.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import option_error

# pandas offset alias (as users write it) -> pandas Period frequency
FREQS = {
    "D": "D",
    "W": "W-SUN",
    "MS": "M", "M": "M", "ME": "M",
    "QS": "Q", "Q": "Q", "QE": "Q",
    "YS": "Y", "Y": "Y", "YE": "Y", "AS": "Y", "A": "Y",
}


@dataclass(frozen=True)
class Periods:
    """Which calendar period each document falls in.

    Attributes
    ----------
    doc_period : int64 array, one per document: the position in :attr:`starts`, -1 when undated
    starts : DatetimeIndex, the first day of every period from the first to the last date
    partial : bool array, one per period: the data does not cover the period whole
    n_undated : int, documents without a date
    """

    doc_period: np.ndarray
    starts: pd.DatetimeIndex
    partial: np.ndarray
    n_undated: int

    def warn_undated(self, what: str, stacklevel: int = 3) -> None:
        """Say how many documents have no date and are left out of ``what`` (never silently)."""
        if self.n_undated:
            warnings.warn(f"{self.n_undated} of {len(self.doc_period)} documents have no date and are left out of "
                          f"the {what} (counted in result.attrs['n_undated']).", stacklevel=stacklevel)

    @property
    def n_docs(self) -> np.ndarray:
        """Documents per period (zeros for empty periods)."""
        dated = self.doc_period[self.doc_period >= 0]
        return np.bincount(dated, minlength=len(self.starts))


def assign_periods(dates: pd.Series, freq: str = "MS") -> Periods:
    """Assign each document to a calendar period.

    Parameters
    ----------
    dates : Series of datetime64 (NaT for undated documents), one per document
    freq : str
        ``"D"`` (days), ``"W"`` (weeks, Monday to Sunday), ``"MS"`` (months), ``"QS"`` (quarters) or
        ``"YS"`` (years); the ``M``/``ME``/``Q``/``Y`` spellings mean the same calendar periods.

    Returns
    -------
    Periods

    Raises
    ------
    ValueError
        ``freq`` is unknown, or no document has a date.

    Examples
    --------
    >>> p = assign_periods(pd.Series(pd.to_datetime(["2021-01-01", "2021-03-15", None])), "MS")
    >>> [f"{s:%Y-%m}" for s in p.starts], p.n_docs.tolist(), p.partial.tolist(), p.n_undated
    (['2021-01', '2021-02', '2021-03'], [1, 0, 1], [False, False, True], 1)
    """
    if freq not in FREQS:
        raise option_error("freq", freq, list(FREQS))
    dates = pd.to_datetime(pd.Series(dates).reset_index(drop=True), errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    dated = dates.notna().to_numpy()
    if not dated.any():
        raise ValueError(
            "no document has a date, so there are no periods; trends need a `date` column "
            "(load with date='<column>' or set docs['date'])."
        )
    pfreq = FREQS[freq]
    periods = dates[dated].dt.to_period(pfreq)
    ordinals = periods.array.asi8
    first, last = periods.min(), periods.max()
    all_periods = pd.period_range(first, last, freq=pfreq)
    doc_period = np.full(len(dates), -1, dtype=np.int64)
    doc_period[dated] = ordinals - ordinals.min()
    partial = np.zeros(len(all_periods), dtype=bool)
    day_min, day_max = dates[dated].min().normalize(), dates[dated].max().normalize()
    partial[0] |= day_min > all_periods[0].start_time
    partial[-1] |= day_max < all_periods[-1].end_time.normalize()
    return Periods(doc_period, all_periods.start_time, partial, int((~dated).sum()))
