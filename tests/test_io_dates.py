"""Date parsing: known formats, repairs, ambiguity, dates in paths; property tests."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.io.dates import dates_in_paths, parse_dates


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2019-01-04", "2019-01-04 00:00:00"),
        ("20030219", "2003-02-19 00:00:00"),
        (20030219, "2003-02-19 00:00:00"),
        ("2017/2/7", "2017-02-07 00:00:00"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26 15:01:01.790"),
        ("7-APR-1987 16:22:00.0", "1987-04-07 16:22:00"),
        ("Fri, 12 Jun 2020 20:31:21 -0400", "2020-06-13 00:31:21"),
        ("Sat, 13 Jun 2020 08:00:00 GMT", "2020-06-13 08:00:00"),
        ("2019-08-13T15:49:21+0000", "2019-08-13 15:49:21"),
        ("2019-01-04T10:00:00+02:00", "2019-01-04 08:00:00"),
        ("2019-12-30T18:30:02Z", "2019-12-30 18:30:02"),
        ("January 4, 2019", "2019-01-04 00:00:00"),
        ("4 January 2019", "2019-01-04 00:00:00"),
        ("  2019-01-04  ", "2019-01-04 00:00:00"),
    ],
)
def test_known_formats(value, expected):
    parsed, issues = parse_dates(pd.Series([value], dtype=object))
    assert parsed.iloc[0] == pd.Timestamp(expected)
    assert issues == []


def test_result_is_naive_ns_with_the_input_index():
    parsed, _ = parse_dates(pd.Series(["2020-01-01", None, ""], index=[5, 6, 7], dtype=object))
    assert str(parsed.dtype) == "datetime64[ns]"
    assert list(parsed.index) == [5, 6, 7]
    assert parsed.iloc[1:].isna().all()


def test_aware_datetimes_converted_to_utc():
    values = pd.Series(pd.to_datetime(["2020-06-01 12:00"]).tz_localize("America/New_York"))
    parsed, _ = parse_dates(values)
    assert parsed.iloc[0] == pd.Timestamp("2020-06-01 16:00")


def test_broken_time_after_a_valid_date_is_repaired():
    parsed, issues = parse_dates(pd.Series(["31-MAR-1987 605:12:19.12"]))
    assert parsed.iloc[0] == pd.Timestamp("1987-03-31")
    assert [(i.position, i.status, i.detail) for i in issues] == [
        (0, "repaired", "kept the date 1987-03-31, dropped the unreadable time")
    ]


def test_unparseable_values_become_nat():
    parsed, issues = parse_dates(pd.Series(["2020-01-01", "soon", "2020-13-45"]))
    assert parsed.iloc[0] == pd.Timestamp("2020-01-01")
    assert parsed.iloc[1:].isna().all()
    assert [(i.position, i.value, i.status) for i in issues] == [(1, "soon", "unparseable"), (2, "2020-13-45", "unparseable")]


def test_day_month_order_settled_by_the_column():
    dmy, issues = parse_dates(pd.Series(["25/12/2019", "01/02/2019"]))
    assert dmy.tolist() == [pd.Timestamp("2019-12-25"), pd.Timestamp("2019-02-01")] and issues == []
    mdy, issues = parse_dates(pd.Series(["12/25/2019", "01/02/2019"]))
    assert mdy.tolist() == [pd.Timestamp("2019-12-25"), pd.Timestamp("2019-01-02")] and issues == []
    ambiguous, issues = parse_dates(pd.Series(["01/02/2019"]))
    assert ambiguous.isna().all()
    assert issues[0].status == "ambiguous"
    assert issues[0].detail == "day/month order cannot be told from the column"


def test_unknown_time_zone_names_are_not_guessed():
    # dateutil would read "RM" as an unknown zone; the time is dropped, the date kept.
    parsed, issues = parse_dates(pd.Series(["27-MAR-1987 00:02:59.13RM"]))
    assert parsed.iloc[0] == pd.Timestamp("1987-03-27")
    assert issues[0].status == "repaired"


def test_dates_in_paths_and_urls():
    found = dates_in_paths(pd.Series([
        "https://www.presstv.ir/Detail/2021/06/23/660736/Russia",
        "corpus/2021-06-23_floods.txt",
        "corpus/2021_6_3.txt",
        "html/0d46122928b6f468cc4bbc694051d0dbae5702bc75a16dab82a99b58daf150a0.html",
        "a/20210623.txt",          # 8 bare digits are not taken
        "a/2021/13/01/x",          # no month 13
    ]))
    assert found.tolist()[:3] == [pd.Timestamp("2021-06-23"), pd.Timestamp("2021-06-23"), pd.Timestamp("2021-06-03")]
    assert found.iloc[3:].isna().all()


@settings(max_examples=60, deadline=None)
@given(
    stamps=st.lists(
        st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                     max_value=pd.Timestamp("2099-12-31").to_pydatetime()),
        min_size=1, max_size=20,
    ),
    fmt=st.sampled_from(["%Y-%m-%d", "%Y%m%d", "%d-%b-%Y", "%Y-%m-%dT%H:%M:%S", "%d %B %Y", "%a, %d %b %Y %H:%M:%S +0000"]),
)
def test_every_known_format_round_trips(stamps, fmt):
    values = pd.Series([s.strftime(fmt) for s in stamps], dtype=object)
    parsed, issues = parse_dates(values)
    expected = [pd.Timestamp(pd.Timestamp(s).strftime(fmt.replace(" +0000", ""))) for s in stamps]
    assert issues == []
    assert parsed.tolist() == expected


@settings(max_examples=60, deadline=None)
@given(
    stamps=st.lists(st.datetimes(min_value=pd.Timestamp("1970-01-01").to_pydatetime(),
                                 max_value=pd.Timestamp("2050-01-01").to_pydatetime()), min_size=1, max_size=10),
    offset=st.integers(min_value=-12, max_value=14),
)
def test_offsets_become_utc(stamps, offset):
    sign = "+" if offset >= 0 else "-"
    values = pd.Series([s.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(offset):02d}:00" for s in stamps], dtype=object)
    parsed, _ = parse_dates(values)
    expected = [pd.Timestamp(s.replace(microsecond=0)) - pd.Timedelta(hours=offset) for s in stamps]
    assert parsed.tolist() == expected


def test_dates_before_year_one_or_after_9999_become_nat_with_a_reason():
    parsed, issues = parse_dates(pd.Series(["-5", "0001-01-01", "9999-12-31", "2020-01-02"]))
    assert parsed.isna().tolist() == [True, False, False, False]
    assert [(i.position, i.value, i.status, i.detail) for i in issues if i.status == "out of range"] == [
        (0, "-5", "out of range", "before year 1 or after year 9999")]
