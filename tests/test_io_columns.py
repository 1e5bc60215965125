"""Whole-column conversions of the schema columns (corpus_tools.io.columns): hand-checked
values, and the same results as the per-cell rules they replace."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from corpus_tools.io import boilerplate, columns, dates
from corpus_tools.io.report import Reporter
from corpus_tools.io.tables import _Strings, as_sections


def _chunked(values, type_=None, chunks=2):
    """An array split in chunks, one of them a slice, as Parquet row groups give them."""
    array = pa.array(values, type=type_)
    cut = len(array) // chunks
    return pa.chunked_array([array.slice(0, cut), array.slice(cut)], type=array.type)


def _per_cell(values: pd.Series, sep: str) -> tuple[list, list]:
    """The per-cell rules alone, with the lines they report."""
    reporter = Reporter("skip")
    strings = _Strings("t.parquet", np.arange(1, len(values) + 1), reporter)
    out = strings._cells(values, "c", sep)
    return [None if pd.isna(v) else v for v in out], [(r["line"], r["problem"]) for r in reporter.records]


def _vectorised(values: pd.Series, sep: str) -> tuple[list, list]:
    reporter = Reporter("skip")
    strings = _Strings("t.parquet", np.arange(1, len(values) + 1), reporter)
    out = strings.column(pd.DataFrame({"c": values}), "c", sep)
    assert out.dtype == "str"
    return [None if pd.isna(v) else v for v in out], [(r["line"], r["problem"]) for r in reporter.records]


CASES = [
    # (arrow values, type, joined with "\n", as each rule gives them)
    (["a", None, "", " b "], pa.string(), ["a", None, "", " b "]),
    ([7, None, -12], pa.int64(), ["7", None, "-12"]),
    ([1.0, 2.5, None, float("nan"), 1e20, float("inf")], pa.float64(),
     ["1", "2.5", None, None, "100000000000000000000", "inf"]),
    ([True, None, False], pa.bool_(), ["True", None, "False"]),
    ([b"caf\xc3\xa9", None, b"bad \xff"], pa.binary(), ["café", None, "bad \ufffd"]),
    ([["a", None, "b"], None, [], ["c"]], pa.list_(pa.string()), ["a\nb", None, "", "c"]),
    ([[["x"], None, ["y", "z"]], [[]], None, [["w"]]], pa.list_(pa.list_(pa.string())), ["x\ny\nz", "", None, "w"]),
    ([[1, 2], [3], None, []], pa.list_(pa.int64()), ["1\n2", "3", None, ""]),
    ([None, None], pa.null(), [None, None]),
]


@pytest.mark.parametrize("values, type_, expected", CASES)
def test_string_fields_match_hand_checked_values_and_the_per_cell_rules(values, type_, expected):
    held = _chunked(values, type_)
    got, bad, joined = columns.string_field(held, "\n")
    assert got.to_pylist() == expected
    assert joined == (pa.types.is_list(type_) and any(v is not None for v in values))
    series = pd.Series(pd.arrays.ArrowExtensionArray(held))
    assert _vectorised(series, "\n") == _per_cell(series.astype(object), "\n")


def test_bytes_that_are_not_utf8_are_reported_by_row():
    held = _chunked([b"ok", b"\xff", b"fine", b"a\xfeb", None, b"\xc3"], pa.binary(), chunks=3)
    got, bad, _ = columns.string_field(held, "\n")
    assert got.to_pylist() == ["ok", "\ufffd", "fine", "a\ufffdb", None, "\ufffd"]
    assert bad.tolist() == [1, 3, 5]


def test_dictionary_and_object_columns():
    held = pa.chunked_array([pa.array(["x", "y", None, "x"]).dictionary_encode()])
    assert columns.string_field(held, "\n")[0].to_pylist() == ["x", "y", None, "x"]
    # objects: strings pass, only the odd cells go through the per-cell rules
    mixed = pd.Series(["a", 3, None, 2.0, b"b", ["c", "d"], float("nan")], dtype=object)
    assert _vectorised(mixed, " ") == (["a", "3", None, "2", "b", "c d", None], [(None, "column 'c' holds lists of strings")])


def test_records_and_maps():
    with pytest.raises(columns.NotText, match="a record"):
        columns.string_field(_chunked([{"a": "x"}, None]), "\n")
    assert columns.string_field(_chunked([None, None], pa.struct([("a", pa.string())])), "\n")[0].to_pylist() == [None, None]
    with pytest.raises(columns.NotText, match="a record"):
        columns.string_field(_chunked([[{"a": "x"}], []]), "\n")
    with pytest.raises(columns.PerCell):
        columns.string_field(_chunked([[("k", "v")]], pa.map_(pa.string(), pa.string())), "\n")


SECTIONS = [
    (["news", " world ", "", None, "\u3000"], pa.string(), [["news"], ["world"], [], [], []]),
    ([b"x", None], pa.binary(), [["x"], []]),
    ([["a", " ", None, " b"], None, [], ["c"]], pa.list_(pa.string()), [["a", " b"], [], [], ["c"]]),
    ([None, None], pa.null(), [[], []]),
]


@pytest.mark.parametrize("values, type_, expected", SECTIONS)
def test_section_lists_match_hand_checked_values_and_the_per_cell_rule(values, type_, expected):
    held = _chunked(values, type_)
    got = columns.section_lists(held)
    assert got == expected
    assert got == [as_sections(v) for v in held.to_pandas()]
    # every row has its own list: changing one changes no other
    got[0].append("z")
    assert got[1] != got[0]


def test_section_lists_of_other_kinds_are_per_cell():
    with pytest.raises(columns.PerCell):
        columns.section_lists(_chunked([1, 2], pa.int64()))


def test_whitespace_is_what_str_strip_removes():
    assert set(columns.PY_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    texts = ["", " ", "\t\n", "\x1c\x85\u2028\u3000", "a", " a ", "\u200b", None]
    assert columns.blank(_chunked(texts)).tolist() == [True, True, True, True, False, False, False, True]
    assert columns.blank(_chunked(texts[:-1])).tolist() == [not t.strip() for t in texts[:-1]]


def test_arrow_of_shares_arrow_backed_columns():
    series = pd.Series(["a", "b"], dtype="str")
    assert columns.arrow_of(series) is series.array._pa_array
    assert columns.arrow_of(pd.Series([1, 2])).to_pylist() == [1, 2]
    assert columns.arrow_of(pd.Series(["a", 1], dtype=object)) is None
    assert columns.arrow_of(pd.Series(pd.to_datetime(["2020-01-01"]))) is None


def test_literal_search_finds_the_texts_str_contains_finds():
    site = boilerplate.site_named("Press TV")
    texts = pd.Series([
        "Body.\n\nPress TV News Roku", "Press TV", "a\nPress TV’s website can also be accessed at the following alternate addresses:",
        "Press", "TV News Roku", None, "x\nPress TV News Roku\ny", "", "Press TV's website can also be accessed at the following alternate addresses",
    ], dtype="str")
    candidates = boilerplate._rows_containing(texts, site.literals)
    found = [i for i in candidates if isinstance(texts.iat[i], str) and site.recognises(texts.iat[i])]
    assert found == list(np.flatnonzero(texts.str.contains(site.recognise, na=False)))
    assert found == [0, 2, 6, 8]
    cleaned, sources = boilerplate.clean_column(texts)
    assert cleaned.iat[0] == "Body." and cleaned.iat[6] == "x\ny"
    assert sources.notna().tolist() == [True, False, True, False, False, False, True, False, True]


def test_required_literals():
    assert boilerplate.required_literal("^Press TV News Roku$") == "Press TV News Roku"
    assert boilerplate.required_literal("^SHARE THIS ARTICLE$") == "SHARE THIS ARTICLE"
    assert boilerplate.required_literal("abc|def") is None
    assert boilerplate.required_literal("(?i)Press") is None
    assert boilerplate.required_literal("[A-Z]+ ?[0-9]") is None
    assert boilerplate._literals(["^Press TV News Roku$", "^Press TV[’']s website"]) == ("Press TV",)
    assert re.search(boilerplate.required_literal("copyright (?:19|20)\\d\\d Reuters"), "copyright 2020 Reuters")


@pytest.mark.parametrize("stamps, unit", [
    (["2020-01-01", "3000-01-01", "NaT"], "s"),
    (["2020-01-01T10:00", "3000-01-01"], "s"),
    (["2020-01-01T00:00:00.5", "3000-01-01"], "ms"),
    (["2020-01-01T00:00:00.000001", "3000-01-01", "2020-01-02"], "us"),
    (["2020-01-01T00:00:00.000000001", "2020-01-02"], "ns"),
])
def test_dates_are_shown_as_the_whole_column_would_be(stamps, unit):
    values = pd.Series(np.array(stamps, dtype=f"datetime64[{unit}]"))
    shown = dates._Shown(values)
    written = values.astype("str")
    assert [shown.iat[i] for i in range(len(values))] == [None if pd.isna(w) else w for w in written]
    date_objects = pd.Series([dt.date(3000, 1, 1), None], dtype=object)
    assert dates._Shown(date_objects).iat[0] == "3000-01-01" and dates._Shown(date_objects).iat[1] is None


def test_date_whitespace_normalised_only_where_needed():
    values = pd.Series(["2020-01-01", " 2020-01-02", "2020-01-03 \t10:00", "", None, "2020-01-04\u00a0", "3 May  2020"], dtype="str")
    assert dates._normalised(values).tolist() == ["2020-01-01", "2020-01-02", "2020-01-03 10:00", None, None, "2020-01-04", "3 May 2020"]
    parsed, issues = dates.parse_dates(values)
    assert parsed.tolist()[:3] == [pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-03 10:00")]
    assert parsed.tolist()[5:] == [pd.Timestamp("2020-01-04"), pd.Timestamp("2020-05-03")]
    assert issues == []


def test_dates_in_repeated_paths_match_one_by_one():
    paths = pd.Series(["a/2021/06/23/x.csv"] * 3 + ["b.csv", None, "c/2020_1_2/d"], dtype=object)
    expected = [pd.Timestamp("2021-06-23")] * 3 + [pd.NaT, pd.NaT, pd.Timestamp("2020-01-02")]
    assert dates.dates_in_paths(paths).tolist() == expected
    assert [dates.dates_in_paths(pd.Series([p], dtype=object)).iat[0] for p in paths] == expected
