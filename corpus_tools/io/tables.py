"""Tables: CSV/TSV, JSON records, JSON lines (each also gzipped) and Parquet.

Columns are mapped to the ``docs`` schema by the ``text=``, ``title=``, ``date=``, ``id=``
and ``source=`` arguments of :func:`corpus_tools.load`, else by the common names in
:data:`CANDIDATES` (compared case-insensitively, with spaces and hyphens read as ``_``).
Cells are read as written: only empty cells are missing (a headline "NA" stays "NA").
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus_tools.io import boilerplate
from corpus_tools.io.decoding import bare_name, read_text
from corpus_tools.io.report import Reporter

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
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def as_sections(v: Any) -> list[str]:
    """A cell as a list of section names: ``[]`` for missing, ``[s]`` for a string."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [str(x) for x in v if x is not None and str(x).strip()]
    if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip():
        return []
    return [str(v).strip()]


def _csv_record_lines(text: str, sep: str, n_records: int) -> np.ndarray:
    """The 1-based line where each data record starts (quoted fields may span lines)."""
    n_breaks = text.rstrip("\n").count("\n")
    if n_breaks == n_records:  # one line per record, after the header
        return np.arange(2, n_records + 2)
    starts, reader = [], csv.reader(io.StringIO(text), delimiter=sep)
    previous = 0
    for i, record in enumerate(reader):
        if i > 0 and record and any(record):
            starts.append(previous + 1)
        previous = reader.line_num
    starts = np.asarray(starts[:n_records])
    if len(starts) < n_records:
        starts = np.arange(1, n_records + 1)
    return starts


def _read_csv(
    path: Path, kind: str, mapping: Mapping, reporter: Reporter
) -> tuple[pd.DataFrame, np.ndarray] | None:
    text = read_text(path, reporter)
    if text is None:
        return None
    sep = "\t" if kind == "tsv" else ","
    first_line = text.split("\n", 1)[0]
    if sep == "," and "," not in first_line and ";" in first_line:
        sep = ";"
    try:
        header = pd.read_csv(io.StringIO(text), sep=sep, nrows=0).columns
        # Schema columns are read as strings (ids keep leading zeros, 20030219 stays a date);
        # the other columns get pandas' own types.
        given = {getattr(mapping, f) for f in MAPPED_ARGUMENTS}
        as_str = {c: str for c in header if c in given or _norm(c) in _ALL_CANDIDATES}
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=as_str, keep_default_na=False, na_values=[""],
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as exc:
        reporter.problem(path, f"not a readable {kind.upper()} file: {exc}", "file skipped")
        return None
    return frame, _csv_record_lines(text, sep, len(frame))


def _read_json(path: Path, reporter: Reporter) -> tuple[pd.DataFrame, np.ndarray] | None:
    text = read_text(path, reporter)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reporter.problem(
            path, f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            "file skipped", line=exc.lineno,
        )
        return None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1 and all(isinstance(r, dict) for r in lists[0]):
            data = lists[0]
        elif data and all(isinstance(v, dict) for v in data.values()):
            # {id: {field: value}}: the keys are the ids.
            data = [{"id": key, **value} if "id" not in value else value for key, value in data.items()]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        reporter.problem(
            path,
            "JSON is not a list of records (objects); expected [{...}, ...], {\"key\": [{...}]} or "
            "{id: {...}}; for one object per line name the file .jsonl",
            "file skipped",
        )
        return None
    return pd.DataFrame.from_records(data), np.arange(1, len(data) + 1)


def _read_jsonl(path: Path, reporter: Reporter) -> tuple[pd.DataFrame, np.ndarray] | None:
    text = read_text(path, reporter)
    if text is None:
        return None
    records, lines = [], []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            reporter.problem(
                path, f"malformed JSON line: {exc.msg} at column {exc.colno}", "line skipped", line=number
            )
            continue
        if not isinstance(record, dict):
            reporter.problem(path, "JSON line is not an object ({...})", "line skipped", line=number)
            continue
        records.append(record)
        lines.append(number)
    return pd.DataFrame.from_records(records), np.asarray(lines, dtype=int)


def _read_parquet(path: Path, reporter: Reporter) -> tuple[pd.DataFrame, np.ndarray] | None:
    if path.stat().st_size == 0:
        reporter.problem(path, "empty file (no text)", "file skipped")
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for damaged files
        reporter.problem(path, f"not a readable Parquet file: {exc}", "file skipped")
        return None
    frame = frame.reset_index(drop=frame.index.name is None and isinstance(frame.index, pd.RangeIndex))
    return frame, np.arange(1, len(frame) + 1)


READERS = {"json": _read_json, "jsonl": _read_jsonl, "parquet": _read_parquet}


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


def read_table(path: Path, kind: str, mapping: Mapping, reporter: Reporter) -> pd.DataFrame | None:
    """Read one table file into schema columns plus its other columns, or ``None`` when
    nothing can be used (the reason is reported)."""
    if kind in ("csv", "tsv"):
        got = _read_csv(path, kind, mapping, reporter)
    else:
        got = READERS[kind](path, reporter)
    if got is None:
        return None
    frame, lines = got
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
    out["text"] = frame[chosen["text"]].map(_cell_text, na_action="ignore").fillna("").astype(object)
    out["title"] = frame[chosen["title"]].map(_cell_text, na_action="ignore") if "title" in chosen else None
    out["date"] = frame[chosen["date"]] if "date" in chosen else None
    out["url"] = frame[chosen["url"]].map(_cell_text, na_action="ignore") if "url" in chosen else None
    if "source" in chosen:
        out["source"] = frame[chosen["source"]].map(_cell_text, na_action="ignore")
    else:
        out["source"] = mapping.source
    out["sections"] = frame[chosen["sections"]].map(as_sections) if "sections" in chosen else [[] for _ in range(len(frame))]
    ids = frame[chosen["id"]].map(_cell_text, na_action="ignore") if "id" in chosen else pd.Series(None, index=frame.index)
    stem = bare_name(path)
    default_ids = pd.Series([f"{stem}-{i}" for i in range(1, len(frame) + 1)], index=frame.index)
    out["id"] = ids.where(ids.notna(), default_ids)

    cleaned, sites = boilerplate.clean_column(out["text"].astype("str"))
    out["text"] = cleaned.astype(object)
    out["source"] = out["source"].where(out["source"].notna(), sites)

    consumed = set(chosen.values())
    for column in frame.columns:
        if column in consumed:
            continue
        name = column if column not in out.columns and column not in ("path", "_line") else f"{column}_input"
        out[name] = frame[column]
    out["_line"] = lines
    return out


