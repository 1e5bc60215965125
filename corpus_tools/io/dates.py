"""Dates: whole columns parsed at once into naive UTC ``datetime64[ns]``.

Dates outside 1677-09-21 .. 2262-04-11 (what nanoseconds in 64 bits can hold; years such as
0001 or 3000 are mostly placeholders, but historical archives hold real ones) are kept: a
column holding one is ``datetime64[us]`` as a whole, and each such date is returned as an
issue with status "kept", so the load report lists it. Every other column stays
``datetime64[ns]``, the type the rest of the toolkit and most pandas code expect.

Known formats are tried one after the other on the values still unparsed (each try is one
vectorised :func:`pandas.to_datetime` call); only the few leftovers are looked at one by
one: RFC 822 (feeds), dates written with a month name, numeric day/month dates whose order
the column itself settles, and a repair of a valid date followed by a broken time.
"""
from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corpus_tools.io.columns import PY_WHITESPACE, arrow_of

# Order matters only for speed; a value is taken by the first format that parses it whole.
KNOWN_FORMATS = [
    "ISO8601",                 # 2019-01-04, 2019-01-04T10:00:00+02:00, 2017/2/7
    "%Y%m%d",                  # 20030219
    "%Y/%m/%d",                # 2017/2/7
    "%d-%b-%Y %H:%M:%S.%f",    # 26-FEB-1987 15:01:01.79 (Reuters-21578)
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y",
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 822 with a numeric zone
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%A, %B %d, %Y",
    "%Y.%m.%d",
]
NS = "datetime64[ns]"
# Parsing works in microseconds (+-290,000 years); the column becomes NS when it fits.
US = "datetime64[us]"
OUTSIDE_NS = (
    "outside 1677-09-21 .. 2262-04-11, the range of nanosecond dates; kept, and the date "
    "column is datetime64[us] (a placeholder date? set it to NaT)"
)

_NUMERIC_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_THEN_JUNK = re.compile(
    r"^(\d{1,2}-[A-Za-z]{3}-\d{4}|\d{4}-\d{2}-\d{2}|\d{4}/\d{1,2}/\d{1,2})[\sT]+\S"
)
_MONTH_NAME = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
# A date inside a file name or URL: 2021/06/23, 2021-06-23, 2021_06_23 (not 8 bare digits,
# which hex hashes and ids produce by chance).
_PATH_DATE = r"(?<!\d)((?:19|20)\d{2})[/_.-](0?[1-9]|1[0-2])[/_.-](0?[1-9]|[12]\d|3[01])(?!\d)"


@dataclass
class DateIssue:
    """A value that was not parsed as written: ``status`` is "unparseable",
    "ambiguous", "repaired", "out of range" (before year 1, after year 9999 or beyond even
    microsecond dates: set to NaT)
    or "kept" (outside the nanosecond range, see :data:`OUTSIDE_NS`)."""

    position: int
    value: str
    status: str
    detail: str


def _to_naive(parsed: pd.Series) -> pd.Series:
    """Naive UTC microseconds; values beyond them (e.g. a year 10**6 in seconds) are NaT."""
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    try:
        return parsed.astype(US)
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        lo, hi = pd.Timestamp.min.as_unit("us"), pd.Timestamp.max.as_unit("us")
        return parsed.where((parsed >= lo) & (parsed <= hi)).astype(US)


def _naive_utc(stamp: pd.Timestamp) -> pd.Timestamp:
    """The UTC time of a zoned timestamp, without its zone (naive times stay as they are)."""
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.as_unit("us")


# the calendar that strftime and date axes handle
FIRST_DAY = pd.Timestamp("0001-01-01")
LAST_DAY = pd.Timestamp("9999-12-31 23:59:59.999999")
_US_SECONDS = 2**63 // 10**6  # microseconds in 64 bits, in seconds (+-292,000 years)


def _naive_utc_any(v: object) -> tuple[np.datetime64, str]:
    """A timestamp as naive UTC ``datetime64[us]`` (NaT beyond it) and as text, whatever
    its zone: ``asm8`` is the UTC instant, so a local time outside the years 1..9999
    never goes through Python's datetime."""
    instant = pd.Timestamp(v).asm8
    seconds = instant.astype("datetime64[s]")
    if abs(int(seconds.astype("int64"))) >= _US_SECONDS:
        return np.datetime64("NaT", "us"), str(seconds).replace("T", " ")
    return instant.astype("datetime64[us]"), str(instant.astype("datetime64[s]")).replace("T", " ")


_SPACES = re.compile(r"\s+")
# Whitespace that normalising changes: any but a single space inside the value (RE2 syntax).
_ODD_SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE if c != " ") + "]|  |^ | $|^$"


def _normalised(text: pd.Series) -> pd.Series:
    """Runs of whitespace as one space, none at the ends, blanks missing; as objects."""
    import pyarrow.compute as pc

    held = arrow_of(text)
    out = text.astype(object)
    if held is None:
        odd = np.ones(len(text), dtype=bool)
    else:
        odd = np.asarray(pc.match_substring_regex(held, _ODD_SPACE).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    odd &= text.notna().to_numpy()
    for i in np.flatnonzero(odd):
        value = _SPACES.sub(" ", out.iat[i]).strip()
        out.iat[i] = value if value else None
    return out.where(out.notna(), None)


class _Shown:
    """The values as text, made only for the positions a report names (``shown.iat[i]``):
    writing out a million dates to report none of them costs seconds."""

    def __init__(self, values: pd.Series) -> None:
        self.values = values
        self._witnesses: list[int] | None = None

    @property
    def iat(self) -> _Shown:
        return self

    def __getitem__(self, i: int) -> object:
        value = self.values.iat[i]
        if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
            return None
        if not pd.api.types.is_datetime64_dtype(self.values.dtype):
            return str(value)
        # As values.astype("str") writes it: pandas picks one format for the whole column
        # (dates only, or down to the finest fraction of a second any value has), so the
        # value is written beside a few that decide that format.
        witnesses = self._witness_positions()
        written = self.values.iloc[[i] + witnesses].astype("str")
        return written.iat[0]

    def _witness_positions(self) -> list[int]:
        if self._witnesses is None:
            unit, _ = np.datetime_data(self.values.dtype)
            per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
            ticks = self.values.to_numpy().view(np.int64)
            valid = ~np.isnat(self.values.to_numpy())
            found = []
            # a time of day, a fraction of a second, below a millisecond, below a microsecond
            for step in [86_400 * per_second, per_second] + [10**k for k in (6, 3) if 10**k < per_second]:
                off = np.flatnonzero(valid & (ticks % step != 0))
                if len(off):
                    found.append(int(off[0]))
            self._witnesses = found
        return self._witnesses


def _as_text(values: pd.Series) -> pd.Series:
    """Strings for parsing; numbers such as 20030219 become their digits, blanks missing."""

    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            return None
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        text = " ".join(str(v).split())
        return text or None

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)


def parse_dates(values: pd.Series) -> tuple[pd.Series, list[DateIssue]]:
    """Parse a column of dates to naive UTC ``datetime64[ns]``.

    Parameters
    ----------
    values : pandas.Series
        Strings, numbers (``20030219``), datetimes (naive = UTC, aware = converted)
        or missing values, in any mix.

    Returns
    -------
    parsed : pandas.Series
        ``datetime64[ns]``, same index, ``NaT`` where missing or unparseable; ``datetime64[us]``
        when a date lies outside the nanosecond range (1677-09-21 .. 2262-04-11).
    issues : list of DateIssue
        Values that were unparseable, ambiguous or repaired, by position.

    Examples
    --------
    >>> parsed, issues = parse_dates(pd.Series(["2019-01-04", "20030219", "31-MAR-1987 605:12:19.12"]))
    >>> [str(d.date()) for d in parsed]
    ['2019-01-04', '2003-02-19', '1987-03-31']
    >>> issues[0].status
    'repaired'
    """
    values = pd.Series(values)
    index = values.index
    values = values.reset_index(drop=True)
    result = pd.Series(pd.NaT, index=values.index, dtype=US)
    issues: list[DateIssue] = []
    if len(values) == 0:
        return result.astype(NS).set_axis(index), issues
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        if getattr(values.dt, "tz", None) is not None:
            # Shown in UTC: a local time can fall outside the years 1..9999 that pandas
            # formats with a zone, its UTC time (naive, formatted by numpy) cannot fail.
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        result = _to_naive(values)
        text = _Shown(values)
        _out_of_range(values.notna() & result.isna(), text, issues)
        return _settle_unit(result, text, issues).set_axis(index), issues

    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in ("string", "empty"):
        # All strings (the common case): only values with whitespace other than single
        # spaces between words (found by Arrow over the whole column) are normalised.
        text = _normalised(values.astype("str"))
    elif inferred == "date":
        # datetime.date objects (Parquet date32 columns): one vectorised conversion.
        result = _to_naive(pd.to_datetime(values))
        text = _Shown(values)
        _out_of_range(values.notna() & result.isna(), text, issues)
        return _settle_unit(result, text, issues).set_axis(index), issues
    else:
        # Timestamps and datetimes already parsed by a reader are taken as they are.
        is_stamp = values.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) and not pd.isna(v))
        text = _as_text(values.where(~is_stamp, None))
        if is_stamp.any():
            pairs = [_naive_utc_any(v) for v in values[is_stamp]]
            result[is_stamp] = np.array([p[0] for p in pairs], dtype=US)
            text[is_stamp] = [p[1] for p in pairs]
            _out_of_range(is_stamp & result.isna(), text, issues)
    todo = text.index[text.notna() & result.isna()]

    for fmt in KNOWN_FORMATS:
        if len(todo) == 0:
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce", utc=True)
        ok = parsed.notna()
        if ok.any():
            result[ok[ok].index] = _to_naive(parsed[ok])
            todo = todo[~ok.to_numpy()]

    if len(todo):
        _parse_leftovers(text[todo], result, issues)
    result = _settle_unit(result, text, issues)
    issues.sort(key=lambda issue: issue.position)
    return result.set_axis(index), issues


def _out_of_range(lost: pd.Series, text: pd.Series, issues: list[DateIssue]) -> None:
    for i in np.flatnonzero(lost.to_numpy()):
        issues.append(DateIssue(int(i), str(text.iat[i]), "out of range", "beyond the years pandas can hold"))


def _settle_unit(result: pd.Series, text: pd.Series, issues: list[DateIssue]) -> pd.Series:
    """``datetime64[ns]`` when every date fits in it, else the column stays
    ``datetime64[us]`` and each date outside the nanosecond range is an issue "kept".

    Dates before year 1 or after year 9999 become NaT with an issue: no calendar formats them
    (``strftime``) and no date axis draws them, and no news article carries one.
    """
    beyond = result.notna() & ((result < FIRST_DAY) | (result > LAST_DAY))
    for i in np.flatnonzero(beyond.to_numpy()):
        value = text.iat[i]
        shown = str(result.iat[i]) if value is None or pd.isna(value) else str(value)
        issues.append(DateIssue(int(i), shown, "out of range", "before year 1 or after year 9999"))
    result = result.mask(beyond)
    outside = result.notna() & ((result < pd.Timestamp.min) | (result > pd.Timestamp.max))
    if not outside.any():
        return result.astype(NS)
    for i in np.flatnonzero(outside.to_numpy()):
        value = text.iat[i]
        shown = str(result.iat[i]) if value is None or pd.isna(value) else str(value)
        issues.append(DateIssue(int(i), shown, "kept", OUTSIDE_NS))
    issues.sort(key=lambda issue: issue.position)
    return result


def _parse_leftovers(text: pd.Series, result: pd.Series, issues: list[DateIssue]) -> None:
    # Numeric day/month/year: the column decides the order when some value shows it
    # (a first number above 12 is a day, a second number above 12 is a day).
    numeric = {i: _NUMERIC_DMY.match(v) for i, v in text.items()}
    numeric = {i: m for i, m in numeric.items() if m}
    firsts = [int(m.group(1)) for m in numeric.values()]
    seconds = [int(m.group(2)) for m in numeric.values()]
    order = None
    if any(f > 12 for f in firsts) and not any(s > 12 for s in seconds):
        order = "dmy"
    elif any(s > 12 for s in seconds) and not any(f > 12 for f in firsts):
        order = "mdy"

    for i, value in text.items():
        stamp, status, detail = None, "unparseable", "not a date in a known format"
        if i in numeric:
            if order is None:
                status, detail = "ambiguous", "day/month order cannot be told from the column"
            else:
                a, b, year = (int(g) for g in numeric[i].groups())
                day, month = (a, b) if order == "dmy" else (b, a)
                stamp = _safe_timestamp(year, month, day)
        else:
            stamp = _rfc822(value)
            if stamp is None and _MONTH_NAME.search(value):
                stamp = _month_name_date(value)
            if stamp is None:
                m = _DATE_THEN_JUNK.match(value)
                if m:
                    stamp = _date_only(m.group(1))
                    if stamp is not None:
                        status, detail = "repaired", f"kept the date {stamp.date()}, dropped the unreadable time"
        if stamp is not None:
            result[i] = stamp
            if status == "repaired":
                issues.append(DateIssue(i, value, status, detail))
        else:
            issues.append(DateIssue(i, value, status, detail))


def _safe_timestamp(year: int, month: int, day: int) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(year=year, month=month, day=day)
    except ValueError:
        return None


def _rfc822(value: str) -> pd.Timestamp | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return _naive_utc(pd.Timestamp(parsed))


def _month_name_date(value: str) -> pd.Timestamp | None:
    import warnings

    from dateutil import parser

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parsed = parser.parse(value)
        except (ValueError, OverflowError, parser.ParserError):
            return None
    if caught:  # e.g. an unknown time zone name: the reading is a guess
        return None
    return _naive_utc(pd.Timestamp(parsed))


def _date_only(value: str) -> pd.Timestamp | None:
    for fmt in ("%d-%b-%Y", "%Y-%m-%d", "%Y/%m/%d"):
        parsed = pd.to_datetime(value, format=fmt, errors="coerce")
        if not pd.isna(parsed):
            return parsed.as_unit("us")
    return None


def dates_in_paths(texts: pd.Series) -> pd.Series:
    """The first ``YYYY/MM/DD``-like date in each path or URL, ``NaT`` where there is none.

    Examples
    --------
    >>> dates_in_paths(pd.Series(["https://x.ir/Detail/2021/06/23/660736/", "a/b.txt"])).tolist()
    [Timestamp('2021-06-23 00:00:00'), NaT]
    """
    texts = pd.Series(texts, dtype=object)
    # Paths repeat (every row of a table file has its file's): each is searched once.
    codes, unique = pd.factorize(texts.astype("str"), use_na_sentinel=False)
    parts = pd.Series(unique, dtype="str").str.extract(_PATH_DATE)
    parts.columns = ["year", "month", "day"]
    parsed = pd.to_datetime(parts.astype("float"), errors="coerce").astype(NS)
    return pd.Series(parsed.to_numpy()[codes], index=texts.index, dtype=NS)
