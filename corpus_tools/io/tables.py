"""Tables: CSV/TSV, JSON records, JSON lines (each also gzipped) and Parquet.

Columns are mapped to the ``docs`` schema by the ``text=``, ``title=``, ``date=``, ``id=``
and ``source=`` arguments of :func:`corpus_tools.load`, else by the common names in
:data:`CANDIDATES` (compared case-insensitively, with spaces and hyphens read as ``_``).
Cells are read as written: only empty cells are missing (a headline "NA" stays "NA").
Text cells that are bytes (Parquet ``binary``) are decoded as UTF-8, in the date and
section columns too; lists of strings (Parquet ``list<string>``, JSON arrays, nested to
any depth) are joined, as paragraphs in the text column. A text, title, url, source or id
column holding records (Parquet ``struct`` or ``map``, JSON objects) has no one text to
take: the file is reported and skipped, and the column to use is named with ``text=``.
In CSV/TSV a carriage return without a line feed ends a line, as in pandas (noted).
"""
from __future__ import annotations

import csv
import io
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus_tools.io import boilerplate, columns, decoding
from corpus_tools.io.columns import NotText, PerCell, utf8
from corpus_tools.io.decoding import bare_name, read_text
from corpus_tools.io.jsonfiles import read_json, read_jsonl
from corpus_tools.io.report import Reporter, show_path

CANDIDATES: dict[str, list[str]] = {
    "text": ["text", "body", "content", "article", "article_text", "article_body", "articlebody",
             "full_text", "fulltext", "maintext", "story", "headline_text"],
    "title": ["title", "headline", "heading", "header"],
    "date": ["date", "publish_date", "published", "pubdate", "pub_date", "published_at",
             "publication_date", "date_published", "datepublished", "datetime", "timestamp",
             "created_at", "time"],
    "url": ["url", "link", "href", "permalink", "article_url", "source_url", "article_source_link"],
    "source": ["source", "outlet", "publication", "publisher", "source_name", "newspaper",
               "medium", "site"],
    "sections": ["sections", "section", "category", "categories", "rubric", "desk"],
    "id": ["doc_id", "id", "docid", "article_id", "uid", "guid", "uuid"],
}
TABLE_KINDS = ("csv", "tsv", "json", "jsonl", "parquet")
MAPPED_ARGUMENTS = ("text", "title", "date", "id", "source")
_ALL_CANDIDATES = {name for names in CANDIDATES.values() for name in names}
_UNNAMED = re.compile(r"^Unnamed: \d+(?:_level_\d+)?$")


@dataclass(frozen=True)
class Mapping:
    """The column names given to `ct.load` (``None`` = recognise by name)."""

    text: str | None = None
    title: str | None = None
    date: str | None = None
    id: str | None = None
    source: str | None = None


def _norm(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _cell_text(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, (float, np.floating)) and np.isnan(v)):
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _name(v: Any) -> str:
    """A section name as text: bytes (Parquet ``binary``) decoded as UTF-8, never their repr."""
    return str(utf8(v))


def as_sections(v: Any) -> list[str]:
    """A cell as a list of section names: ``[]`` for missing, ``[s]`` for a string."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_name(x) for x in v if x is not None and _name(x).strip()]
    if v is None or (isinstance(v, float) and np.isnan(v)) or not _name(v).strip():
        return []
    return [_name(v).strip()]


def _flat(v: Any) -> list[Any]:
    """The leaves of nested lists in order, with an explicit stack: a JSON field may nest
    arrays deeper than Python's call stack."""
    out: list[Any] = []
    stack = [iter(v)]
    while stack:
        for x in stack[-1]:
            if isinstance(x, (list, tuple, np.ndarray)):
                if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str):
                    raise NotText("a map")  # pyarrow gives a map cell as (key, value) pairs
                stack.append(iter(x))
                break
            out.append(x)
        else:
            stack.pop()
    return out


class _Strings:
    """Cells of a column as text for a string field of the schema.

    Readers hand over str (CSV), numbers, bytes (Parquet ``binary``) and lists or arrays
    (Parquet ``list<string>``, JSON arrays). Bytes are decoded as UTF-8 (invalid bytes
    replaced and reported), lists joined with ``sep``; never the ``repr`` of the object.
    Whole columns are converted by Arrow (:mod:`corpus_tools.io.columns`); a column Arrow
    cannot convert by these rules is converted cell by cell, and in a column of objects only
    the cells that are not strings are.
    """

    def __init__(self, path: Path, lines: np.ndarray, reporter: Reporter) -> None:
        self.path, self.lines, self.reporter = path, lines, reporter

    def column(self, frame: pd.DataFrame, name: str, sep: str = "\n") -> pd.Series:
        values = frame[name]
        held = columns.arrow_of(values)
        if held is not None:
            try:
                texts, bad, joined = columns.string_field(held, sep)
            except PerCell:
                pass
            else:
                self._report(name, bad.tolist(), joined, sep)
                return columns.str_series(texts, values.index)
        return self._cells(values, name, sep)

    def _report(self, name: str, bad: list[int], joined: bool, sep: str) -> None:
        for i in bad:
            self.reporter.problem(
                self.path, f"invalid UTF-8 in the bytes of column {name!r}",
                "decoded with U+FFFD for the invalid bytes", line=int(self.lines[i]),
            )
        if joined:
            how = "paragraphs" if sep == "\n\n" else "lines"
            self.reporter.note(self.path, f"column {name!r} holds lists of strings", f"joined as {how}")

    def _cells(self, values: pd.Series, name: str, sep: str) -> pd.Series:
        bad: list[int] = []
        joined = [False]

        def leaf(v: Any, position: int) -> Any:
            if isinstance(v, (bytes, bytearray, memoryview)):
                raw = bytes(v)
                try:
                    return raw.decode("utf-8")
                except UnicodeDecodeError:
                    bad.append(position)
                    return raw.decode("utf-8", "replace")
            if isinstance(v, dict):
                raise NotText("a record")
            return _cell_text(v)

        def one(v: Any, position: int) -> Any:
            if isinstance(v, (list, tuple, np.ndarray)):
                joined[0] = True
                parts = (leaf(x, position) for x in _flat([v]))
                return sep.join(p for p in parts if p is not None)
            return leaf(v, position)

        cells = values.to_numpy(dtype=object)
        out = cells.copy()
        # Strings and missing cells stay as they are; only the others are looked at.
        odd = np.flatnonzero(np.fromiter((type(v) is not str for v in cells), dtype=bool, count=len(cells)))
        for i in odd:
            out[i] = one(cells[i], int(i))
        self._report(name, bad, joined[0], sep)
        try:
            return pd.Series(out, index=values.index, dtype=columns.STR)
        except (UnicodeError, ValueError, TypeError):  # text Arrow cannot hold stays as objects
            return pd.Series(out, index=values.index, dtype=object).where(pd.notna(out), None)


def _allow_long_fields() -> None:
    """Let the csv module read fields as long as a whole file may be: its default limit
    (131,072 characters) is below a long article, and pandas has none."""
    limit = min(sys.maxsize, 2**63 - 1, max(decoding.MAX_FILE_BYTES, 2**17))
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


def _csv_record_lines(text: str, sep: str, n_records: int, quoting: int = csv.QUOTE_MINIMAL) -> np.ndarray:
    """The 1-based line where each data record starts (quoted fields may span lines)."""
    n_breaks = text.rstrip("\n").count("\n")
    if n_breaks == n_records:  # one line per record, after the header
        return np.arange(2, n_records + 2)
    _allow_long_fields()
    starts, reader = [], csv.reader(io.StringIO(text), delimiter=sep, quoting=quoting)
    previous = 0
    for i, record in enumerate(reader):
        if i > 0 and record and any(record):
            starts.append(previous + 1)
        previous = reader.line_num
    starts = np.asarray(starts[:n_records])
    if len(starts) < n_records:
        starts = np.arange(1, n_records + 1)
    return starts


# Columns that catch the surplus fields of a row longer than the header; a row with even
# more fields is skipped by pandas with a warning, which is reported too.
_SURPLUS = [f"\x00surplus{i}" for i in range(8)]
_SKIPPED = re.compile(r"Skipping line (\d+): expected \d+ fields, saw (\d+)")
_QUOTED_CELL = r'"(?:[^"]|"")*"'
HEAD_CHARS = 2**20


def _tsv_quoting(text: str) -> int:
    """TSV has no quoting (a field cannot hold a tab or a line break), so a quote mark is
    text, and one stray quote must not join the lines up to the next one into one field.
    Only a file whose lines do not all have the header's number of tabs (records that span
    lines, as a CSV writer quotes them) and whose quotes all pair up as a CSV writer sets
    them is read with quoting."""
    if '"' not in text:
        return csv.QUOTE_NONE  # quoting changes nothing
    first = re.search(r"(?m)^.*\S.*$", text)
    tabs = first.group(0).count("\t") if first else 0
    # Two counts instead of a scan: when every line has the header's tabs, the totals agree.
    n_lines = text.count("\n") + (not text.endswith("\n"))
    if text.count("\t") == tabs * n_lines and "\n\n" not in text:
        return csv.QUOTE_NONE
    # A non-blank line with another number of tabs.
    other = re.search(rf"(?m)^(?!(?:[^\t\n]*\t){{{tabs}}}[^\t\n]*$)(?=[^\n]*\S)", text)
    if not other:
        return csv.QUOTE_NONE
    # Quotes a CSV writer set close before a tab or a line end; a stray one does not.
    _allow_long_fields()
    try:
        for _ in csv.reader(io.StringIO(text), delimiter="\t", strict=True):
            pass
    except csv.Error:
        return csv.QUOTE_NONE
    return csv.QUOTE_MINIMAL


def _parse_csv(text: str, sep: str, quoting: int, names: list[str], as_str: dict, skip: int | None = None) -> tuple[pd.DataFrame, dict[int, int]]:
    """The rows and the records pandas skipped ({record number: fields}). With ``skip``,
    that many lines (the header) are skipped and ``names`` may be longer than the header."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, header=0 if skip is None else None, skiprows=skip,
            names=names, dtype=as_str, quoting=quoting, keep_default_na=False, na_values=[""],
            on_bad_lines="warn",
        )
    skipped = {}
    for warning in caught:
        if not issubclass(warning.category, pd.errors.ParserWarning):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
            continue
        for number, fields in _SKIPPED.findall(str(warning.message)):
            skipped[int(number)] = int(fields)
    return frame, skipped


def _head(text: str, sep: str, quoting: int) -> tuple[int, int]:
    """Lines the header takes and fields of the first data record (0 when none)."""
    # The start of the file is enough (and copies no big file).
    _allow_long_fields()
    reader = csv.reader(io.StringIO(text[:HEAD_CHARS]), delimiter=sep, quoting=quoting)
    header_lines, fields = 0, 0
    for record in reader:
        if not record:
            continue
        if not header_lines:
            header_lines = reader.line_num
            continue
        fields = len(record)
        break
    return header_lines, fields


def _read_csv(
    path: Path, kind: str, mapping: Mapping, reporter: Reporter
) -> tuple[pd.DataFrame, np.ndarray] | None:
    text = read_text(path, reporter)
    if text is None:
        return None
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        # A carriage return without a line feed ends a line, as in pandas (and old Mac
        # files); the csv module would stop at it inside an unquoted field.
        first_cr = re.search("\r(?!\n)", text).start()
        reporter.note(
            path, "carriage return (CR) without a line feed; read as a line end",
            "line ends read as LF", line=text.count("\n", 0, first_cr) + 1,
        )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    sep = "\t" if kind == "tsv" else ","
    first_line = text.split("\n", 1)[0]
    if sep == "," and "," not in first_line and ";" in first_line:
        sep = ";"
    quoting = _tsv_quoting(text) if sep == "\t" else csv.QUOTE_MINIMAL
    try:
        header = list(pd.read_csv(io.StringIO(text), sep=sep, nrows=0, quoting=quoting).columns)
        # Schema columns are read as strings (ids keep leading zeros, 20030219 stays a date);
        # the other columns get pandas' own types.
        given = {getattr(mapping, f) for f in MAPPED_ARGUMENTS}
        as_str = {c: str for c in header if c in given or _norm(c) in _ALL_CANDIDATES}
        frame, skipped = _parse_csv(text, sep, quoting, header, as_str)
        surplus = np.zeros(len(frame), dtype=bool)
        n_fields = np.zeros(len(frame), dtype=int)
        header_lines, first_fields = _head(text, sep, quoting)
        # pandas takes the first column for an index when the first row has one field
        # more than the header, and skips other long rows: both lose data.
        if skipped or first_fields > len(header):
            pads = _SURPLUS + [f"{_SURPLUS[0]}{i}" for i in range(first_fields - len(header) - len(_SURPLUS))]
            frame, skipped = _parse_csv(text, sep, quoting, header + pads, as_str, skip=header_lines)
            filled = frame[pads].notna().to_numpy()
            surplus = filled.any(axis=1)
            n_fields = len(header) + np.where(surplus, len(pads) - np.argmax(filled[:, ::-1], axis=1), 0)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, ValueError) as exc:
        reporter.problem(path, f"not a readable {kind.upper()} file: {exc}", "file skipped")
        return None
    except csv.Error as exc:
        reporter.problem(path, f"not a readable {kind.upper()} file: {exc}", "file skipped")
        return None

    # pandas numbers records from 1 with the header as record 1.
    n_all = len(frame) + len(skipped)
    try:
        all_lines = _csv_record_lines(text, sep, n_all, quoting)
    except csv.Error:  # the rows were read: number them by record rather than lose them
        all_lines = np.arange(2, n_all + 2)
    kept = np.ones(n_all, dtype=bool)
    kept[[number - 2 for number in skipped if 0 <= number - 2 < n_all]] = False
    lines = all_lines[kept]
    if surplus.any() or skipped:
        frame, lines = _long_rows(frame, lines, surplus, n_fields, skipped, all_lines, text, header, sep, path, reporter)
    frame = frame.iloc[:, : len(header)]
    if quoting == csv.QUOTE_NONE and '"' in text:
        frame = _unquote(frame)
    return frame, lines


def _long_rows(frame, lines, surplus, n_fields, skipped, all_lines, text, header, sep, path, reporter):
    """Rows with more fields than the header: a one-column file keeps the whole line as
    its text (the separator was text); in other files the row is reported and skipped,
    since which field held the separator cannot be told."""
    one_column = len(header) == 1
    rows = []  # (line, text) of one-column rows pandas skipped
    long_rows = []  # (line, fields)
    raw_lines = text.split("\n")
    for number, fields in sorted(skipped.items()):
        line = int(all_lines[number - 2]) if 0 <= number - 2 < len(all_lines) else number
        long_rows.append((line, fields))
        if one_column:
            rows.append((line, raw_lines[line - 1].rstrip("\r")))
    for i in np.flatnonzero(surplus):
        long_rows.append((int(lines[i]), int(n_fields[i])))
        if one_column:
            values = frame.iloc[i, : n_fields[i]]
            frame.iat[i, 0] = sep.join("" if pd.isna(v) else str(v) for v in values)
    for line, fields in sorted(long_rows):
        if one_column:
            reporter.note(
                path, f"{fields} fields in a one-column file (an unquoted {sep!r})",
                "kept the whole line as text", line=line,
            )
        else:
            reporter.problem(
                path, f"{fields} fields where the header has {len(header)} (an unquoted {sep!r} "
                f"inside a field?); quote fields that contain {sep!r}", "row skipped", line=line,
            )
    frame = frame.iloc[:, : len(header)]
    if not one_column:
        return frame[~surplus].reset_index(drop=True), lines[~surplus]
    if rows:
        extra = pd.DataFrame({header[0]: [t for _, t in rows]})
        frame = pd.concat([frame, extra], ignore_index=True)
        lines = np.concatenate([lines, [line for line, _ in rows]])
        order = np.argsort(lines, kind="stable")
        frame, lines = frame.iloc[order].reset_index(drop=True), lines[order]
    return frame, lines


def _unquote(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells a CSV writer quoted (a quote mark first and last, inner quotes doubled), read
    as text without quoting, lose those quotes, as a reader with quoting would take them."""
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
            continue
        quoted = values.str.fullmatch(_QUOTED_CELL).fillna(False).astype(bool)
        if quoted.any():
            frame.loc[quoted, column] = values[quoted].str.slice(1, -1).str.replace('""', '"', regex=False)
    return frame


# Rows read from a Parquet file at a time: consecutive row groups up to this many rows (read
# in parallel, one per thread), a bigger row group in batches of this many rows. Memory holds
# the Arrow columns of the rows read so far and the pages of one batch.
BATCH_ROWS = 200_000


def _read_parquet(path: Path, reporter: Reporter) -> tuple[Any, np.ndarray] | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.stat().st_size == 0:
        reporter.problem(path, "empty file (no text)", "file skipped")
        return None
    try:
        # pyarrow takes names as UTF-8 text; an open file takes any name
        with open(path, "rb") as fh:
            parquet = pq.ParquetFile(fh)
            pieces, groups, rows = [], [], 0
            for group in range(parquet.num_row_groups + 1):
                size = parquet.metadata.row_group(group).num_rows if group < parquet.num_row_groups else None
                if groups and (size is None or rows + size > BATCH_ROWS):
                    pieces.append(parquet.read_row_groups(groups))
                    groups, rows = [], 0
                if size is None:
                    break
                if size > BATCH_ROWS:
                    pieces.extend(
                        pa.Table.from_batches([batch]) for batch in
                        parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group])
                    )
                else:
                    groups.append(group)
                    rows += size
            schema = parquet.schema_arrow
            table = pa.concat_tables(pieces) if pieces else schema.empty_table()
            table = table.replace_schema_metadata(schema.metadata)  # pandas' index and dtypes
    except Exception as exc:  # pyarrow raises several unrelated types for damaged files
        reporter.problem(path, f"not a readable Parquet file: {exc}", "file skipped")
        return None
    return table, np.arange(1, table.num_rows + 1)


def _keep_arrow(t: Any) -> Any:
    """Lists and bytes stay in Arrow, for the schema columns; the other columns are
    converted as :func:`pandas.read_parquet` converts them."""
    if columns.is_list_type(t) or columns.is_binary_type(t):
        return pd.ArrowDtype(t)
    return None


def _frame_of(table: Any) -> pd.DataFrame:
    """The Arrow table as a DataFrame, a stored index (Parquet written by pandas) as columns."""
    try:
        frame = table.to_pandas(types_mapper=_keep_arrow)
    except (ValueError, OverflowError):
        frame = _parquet_wide_dates(table)
    return frame.reset_index(drop=frame.index.name is None and isinstance(frame.index, pd.RangeIndex))


def _plain(values: pd.Series, python_lists: bool) -> pd.Series:
    """A column as the reader alone gives it: for Parquet, lists as numpy arrays and bytes
    as bytes (kept in Arrow for the schema columns); for JSON, lists as Python lists and a
    missing value as NaN, as :meth:`pandas.DataFrame.from_records` gives a missing key."""
    if isinstance(values.dtype, pd.ArrowDtype):
        held = columns.arrow_of(values)
        cells = held.to_pylist() if python_lists else held.to_pandas().to_numpy()
        values = pd.Series(cells, index=values.index, dtype=object)
    if python_lists and values.dtype == object:
        values = values.where(values.notna(), np.nan)
    return values


def _parquet_wide_dates(table: Any) -> pd.DataFrame:
    """A Parquet file whose ``date32``/``date64`` column holds a day beyond Python's years
    (1..9999): such columns become ``datetime64[s]`` through numpy (which holds them), so
    the date parser sets only those days to NaT and reports them."""
    import pyarrow as pa

    wide = {}
    for i, field in enumerate(table.schema):
        if pa.types.is_date32(field.type):
            days = table.column(i).cast(pa.int32()).to_numpy(zero_copy_only=False)
        elif pa.types.is_date64(field.type):
            days = table.column(i).cast(pa.int64()).to_numpy(zero_copy_only=False) // 86_400_000
        else:
            continue
        valid = ~table.column(i).is_null().to_numpy(zero_copy_only=False)
        stamps = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[s]")
        stamps[valid] = np.asarray(days, dtype="float64")[valid].astype("int64").astype("datetime64[D]").astype("datetime64[s]")
        wide[field.name] = (i, stamps)
    for name, (i, _) in wide.items():
        table = table.set_column(i, name, pa.nulls(len(table)))
    frame = table.to_pandas(types_mapper=_keep_arrow)
    for name, (_, stamps) in wide.items():
        frame[name] = pd.Series(stamps, index=frame.index)
    return frame


def _decode_bytes(values: pd.Series) -> pd.Series:
    """Bytes cells (Parquet ``binary``) as UTF-8 text, so that a date is parsed from its
    text and not from the ``repr`` of the bytes; other cells as they are."""
    if isinstance(values.dtype, pd.ArrowDtype):
        held = columns.arrow_of(values)
        if columns.is_binary_type(held.type):
            return columns.str_series(columns.decoded_utf8(held)[0], values.index)
        return _plain(values, python_lists=False)
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) in (
        "string", "empty", "date", "datetime", "integer", "floating", "boolean"
    ):
        return values  # nothing to decode: no loop over the cells
    return values.map(utf8, na_action="ignore")


READERS = {"json": read_json, "jsonl": read_jsonl, "parquet": _read_parquet}


def _resolve(columns: list[str], mapping: Mapping, path: Path, reporter: Reporter) -> dict[str, str] | None:
    """Input column for each schema field; ``None`` (reported) when a named column is missing."""
    by_norm = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    chosen: dict[str, str] = {}
    for field in MAPPED_ARGUMENTS:
        given = getattr(mapping, field)
        if given is None:
            continue
        if given in columns:
            chosen[field] = given
        elif field != "source":  # a source= that is no column is a constant name
            reporter.problem(
                path,
                f"column {given!r} (given as {field}=) is not in the file; available columns: "
                f"{[str(c) for c in columns]}",
                "file skipped",
            )
            return None
    used = set(chosen.values())
    for field, names in CANDIDATES.items():
        if field in chosen or (field == "source" and mapping.source is not None):
            continue
        for name in names:
            column = by_norm.get(name)
            if column is not None and column not in used:
                chosen[field] = column
                used.add(column)
                break
    return chosen


def _default_ids(stem: str, n: int, index: pd.Index) -> pd.Series:
    """``<stem>-1``, ``<stem>-2`` ... for each row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.large_string())
    ids = pc.binary_join_element_wise(pa.scalar(f"{stem}-", pa.large_string()), numbers, pa.scalar("", pa.large_string()))
    return columns.str_series(pa.chunked_array([ids], type=pa.large_string()), index)


def _sections(values: pd.Series) -> pd.Series:
    held = columns.arrow_of(values)
    if held is not None:
        try:
            return pd.Series(columns.section_lists(held), index=values.index, dtype=object)
        except PerCell:
            pass
    return values.map(as_sections)


def read_table(path: Path, kind: str, mapping: Mapping, reporter: Reporter) -> pd.DataFrame | None:
    """Read one table file into schema columns plus its other columns, or ``None`` when
    nothing can be used (the reason is reported)."""
    import pyarrow as pa

    if kind in ("csv", "tsv"):
        got = _read_csv(path, kind, mapping, reporter)
    else:
        got = READERS[kind](path, reporter)
    if got is None:
        return None
    frame, lines = got
    if not isinstance(frame, pd.DataFrame):  # an Arrow table (Parquet, JSON lines)
        frame = _frame_of(frame)
    python_lists = kind in ("json", "jsonl")
    frame.columns = [str(c) for c in frame.columns]

    empty_unnamed = [c for c in frame.columns if _UNNAMED.match(c) and frame[c].isna().all()]
    if empty_unnamed:
        frame = frame.drop(columns=empty_unnamed)
        span = f"{empty_unnamed[0]!r}..{empty_unnamed[-1]!r}" if len(empty_unnamed) > 1 else repr(empty_unnamed[0])
        reporter.note(path, f"{len(empty_unnamed)} empty unnamed column(s) {span}", "columns dropped")

    chosen = _resolve(list(frame.columns), mapping, path, reporter)
    if chosen is None:
        return None
    if "text" not in chosen:
        if "title" in chosen:
            chosen["text"] = chosen["title"]
            reporter.note(
                path, f"no text column; the title column {chosen['title']!r} is used as text",
                "loaded (headlines)",
            )
        else:
            reporter.problem(
                path,
                f"no text column: none of {CANDIDATES['text']} is in the file; available columns: "
                f"{list(frame.columns)}; name the text column with text=",
                "file skipped",
            )
            return None

    out = pd.DataFrame(index=frame.index)
    strings = _Strings(path, lines, reporter)
    field = "text"
    try:
        texts = strings.column(frame, chosen["text"], "\n\n")
        out["text"] = texts.fillna("") if texts.hasnans else texts
        for field in ("title", "url", "source", "id"):
            if field in chosen:
                out[field] = strings.column(frame, chosen[field])
    except NotText as exc:
        # A struct or map has no one text: which of its fields is meant is the user's call.
        reporter.problem(
            path, f"column {chosen[field]!r} (the {field}) holds {exc} (a Parquet struct or map, "
            f"or JSON objects), not text; name a text column with {field}=, or flatten the "
            "records first", "file skipped",
        )
        return None
    missing = columns.str_series(pa.chunked_array([pa.nulls(len(frame), pa.large_string())]), frame.index)
    out["title"] = out["title"] if "title" in chosen else missing
    out["date"] = _decode_bytes(frame[chosen["date"]]) if "date" in chosen else None
    out["url"] = out["url"] if "url" in chosen else missing
    if "source" not in chosen:
        out["source"] = missing if mapping.source is None else mapping.source
    if "sections" in chosen:
        out["sections"] = _sections(frame[chosen["sections"]])
    else:
        with columns.no_gc_pauses():
            out["sections"] = pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)
    stem = show_path(bare_name(path))
    if "id" not in chosen:
        out["id"] = _default_ids(stem, len(frame), frame.index)
    elif out["id"].hasnans:
        out["id"] = out["id"].where(out["id"].notna(), _default_ids(stem, len(frame), frame.index))

    cleaned, sites = boilerplate.clean_column(out["text"])
    out["text"] = cleaned
    if sites.notna().any():
        out["source"] = out["source"].where(out["source"].notna(), sites)

    consumed = set(chosen.values())
    for column in frame.columns:
        if column in consumed:
            continue
        name = column if column not in out.columns and column not in ("path", "_line") else f"{column}_input"
        out[name] = _plain(frame[column], python_lists)
    out["_line"] = lines
    return out
