"""Calendar periods shared by every trend: all periods present, partial ends flagged, undated counted."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corpus_tools.analyses.periods import assign_periods


def dates(*values):
    return pd.Series(pd.to_datetime(list(values)))


def test_months_with_an_empty_month_and_partial_ends():
    p = assign_periods(dates("2021-01-15", "2021-01-31", None, "2021-04-30", "2021-03-01"), "MS")
    assert [f"{s:%Y-%m-%d}" for s in p.starts] == ["2021-01-01", "2021-02-01", "2021-03-01", "2021-04-01"]
    assert p.doc_period.tolist() == [0, 0, -1, 3, 2]
    assert p.n_docs.tolist() == [2, 0, 1, 1]
    # January starts on the 15th: partial; April ends on its last day: whole
    assert p.partial.tolist() == [True, False, False, False]
    assert p.n_undated == 1


def test_last_period_partial_when_data_stops_early():
    p = assign_periods(dates("2021-01-01", "2021-02-10"), "MS")
    assert p.partial.tolist() == [False, True]


def test_weeks_years_and_days():
    weeks = assign_periods(dates("2021-01-04", "2021-01-17", "2021-01-18"), "W")  # Mondays and a Sunday
    assert [f"{s:%Y-%m-%d}" for s in weeks.starts] == ["2021-01-04", "2021-01-11", "2021-01-18"]
    assert weeks.n_docs.tolist() == [1, 1, 1] and weeks.partial.tolist() == [False, False, True]
    years = assign_periods(dates("1987-02-26", "1989-12-31"), "YS")
    assert [s.year for s in years.starts] == [1987, 1988, 1989]
    assert years.partial.tolist() == [True, False, False]
    days = assign_periods(dates("2021-01-01 10:00", "2021-01-03 23:59"), "D")
    assert days.n_docs.tolist() == [1, 0, 1] and not days.partial.any()


def test_same_periods_for_equivalent_spellings():
    d = dates("2003-02-19", "2003-10-20")
    for a, b in [("MS", "M"), ("MS", "ME"), ("QS", "Q"), ("YS", "Y")]:
        pa, pb = assign_periods(d, a), assign_periods(d, b)
        assert pa.starts.equals(pb.starts) and np.array_equal(pa.partial, pb.partial)


def test_timezone_aware_dates_become_utc():
    d = pd.Series(pd.to_datetime(["2021-01-31T23:30:00-02:00"]))  # 01:30 UTC on 1 February
    assert f"{assign_periods(d, 'MS').starts[0]:%Y-%m}" == "2021-02"


def test_errors():
    with pytest.raises(ValueError, match=r"`freq` must be one of \['D', 'W', 'MS'.*; got 'monthly'"):
        assign_periods(dates("2021-01-01"), "monthly")
    with pytest.raises(ValueError, match="no document has a date, so there are no periods"):
        assign_periods(pd.Series([pd.NaT, pd.NaT]), "MS")
