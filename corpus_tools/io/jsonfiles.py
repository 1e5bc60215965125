"""JSON records and JSON lines.

A JSON lines file (``.jsonl``, ``.ndjson``, or a ``.json`` file whose first line is a whole
object with more lines after it) is read in blocks of :data:`BLOCK_BYTES`, gunzipped in a
second thread while the blocks before are parsed, and each block is parsed by Arrow's JSON
reader: a million articles load at Arrow speed and the raw file is never held whole. Every
line is still accounted for as Python's :mod:`json` reading one line at a time accounts for
it (the per-line reader, which the tests compare against):

- a block Arrow refuses is parsed line by line to find the lines that are no JSON object
  (reported and skipped), and the other lines go back to Arrow;
- lines Arrow would read otherwise are parsed by Python first: lines with many brackets
  (Arrow's parser follows any depth, and crashes the process ten thousand or so levels
  down), lines with a carriage return without a line feed (Arrow ends a line there) and
  lines with ``\\uD800``..``\\uDFFF`` escapes;
- fields Arrow would type otherwise are read as text (Arrow reads ISO dates as times);
- files whose rows Arrow cannot give as Python does are read whole by the per-line reader:
  records (objects) or numbers beyond 64 bits in a field, lists of numbers with and without
  fractions, a field that is text in one line and a number in another, duplicate keys, text
  that is not UTF-8, a UTF-16 file, a JSON array.

A missing value of a field is NaN whether the key is absent or ``null`` (Arrow cannot tell
them apart). A ``\\uD800``..``\\uDFFF`` escape that is not half of a pair stands for no
character (a lone surrogate, which UTF-8 text cannot hold): it is replaced by U+FFFD and the
line is reported.
"""
from __future__ import annotations

import json
import queue
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generator, Iterator

import numpy as np
import pandas as pd

from corpus_tools.io.decoding import BINARY_PROBE, Unreadable, iter_blocks, read_text
from corpus_tools.io.report import Reporter

# Bytes of JSON lines parsed at a time (after gunzipping).
BLOCK_BYTES = 32 * 2**20
# Lines with more opening brackets are parsed by Python before Arrow sees them; a file with a
# line Python reads that has more than MAX_ARROW_BRACKETS (a raised recursion limit) is read
# whole by Python: Arrow's parser crashes the process some thousands of levels deep.
DEEP_BRACKETS = 512
MAX_ARROW_BRACKETS = 4096

TOO_DEEP = (
    "JSON nested deeper than the parser can follow (Python's recursion limit); "
    "such a file is no article data: remove it or flatten the records"
)
LONE_SURROGATE = (
    "\\uD800..\\uDFFF escape that is not half of a surrogate pair (a lone surrogate, no character)"
)
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)
_BOM = b"\xef\xbb\xbf"
_ASCII_SPACE = b" \t\n\r\x0b\x0c"  # what bytes.strip() removes
# First bytes of a line that may be blank as str.strip() reads it.
_MAYBE_BLANK = np.zeros(256, dtype=bool)
_MAYBE_BLANK[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_MAYBE_BLANK[0x80:] = True
_HIGH_HEX = np.zeros(256, dtype=bool)  # the third hex digit of \uD800..\uDFFF
_HIGH_HEX[list(b"89abcdefABCDEF")] = True
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"{[\n")


# -- whole files: the per-line reader and JSON records -----------------------------------

def without_lone_surrogates(text: str) -> str | None:
    """``text`` with each lone ``\\uD800``..``\\uDFFF`` escape written as ``\\ufffd``, or
    ``None`` when it has none (escaped backslashes are no escapes; pairs are kept).

    Examples
    --------
    >>> without_lone_surrogates('{"a": "x\\\\ud800y \\\\ud83d\\\\ude00"}')
    '{"a": "x\\\\ufffdy \\\\ud83d\\\\ude00"}'
    >>> without_lone_surrogates('{"a": "\\\\\\\\ud800"}') is None
    True
    """
    if "\\u" not in text:
        return None
    escapes = list(_ESCAPE.finditer(text))
    lone, i = [], 0
    while i < len(escapes):
        hex_ = escapes[i].group(1)
        code = int(hex_, 16) if hex_ else 0
        if 0xD800 <= code <= 0xDBFF:
            following = escapes[i + 1] if i + 1 < len(escapes) else None
            if (following is not None and following.start() == escapes[i].end() and following.group(1)
                    and 0xDC00 <= int(following.group(1), 16) <= 0xDFFF):
                i += 2
                continue
            lone.append(escapes[i])
        elif 0xDC00 <= code <= 0xDFFF:
            lone.append(escapes[i])
        i += 1
    if not lone:
        return None
    parts, last = [], 0
    for m in lone:
        parts += [text[last:m.start()], "\\ufffd"]
        last = m.end()
    return "".join(parts) + text[last:]


def _parse_line(line: str, number: int, path: Path, reporter: Any) -> dict | None:
    """One line as the per-line reader reads it: the record, or ``None`` (reported or blank)."""
    fixed = without_lone_surrogates(line)
    try:
        record = json.loads(line if fixed is None else fixed)
    except RecursionError:
        reporter.problem(path, TOO_DEEP, "line skipped", line=number)
        return None
    except json.JSONDecodeError as exc:
        reporter.problem(
            path, f"malformed JSON line: {exc.msg} at column {exc.colno}", "line skipped", line=number
        )
        return None
    if not isinstance(record, dict):
        reporter.problem(path, "JSON line is not an object ({...})", "line skipped", line=number)
        return None
    if fixed is not None:
        reporter.problem(path, LONE_SURROGATE, "replaced with U+FFFD", line=number)
    return record


def _records(data: Any) -> list[dict] | None:
    """The records of a parsed JSON document, or ``None`` when it holds none."""
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1 and all(isinstance(r, dict) for r in lists[0]):
            data = lists[0]
        elif data and all(isinstance(v, dict) for v in data.values()):
            # {id: {field: value}}: the keys are the ids.
            data = [{"id": key, **value} if "id" not in value else value for key, value in data.items()]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        return None
    return data


def _looks_like_json_lines(text: str) -> bool:
    """Whether the first non-blank line is a whole JSON object on its own: JSON lines,
    which many news datasets ship as ``.json``."""
    first = next((line for line in text.split("\n", 50) if line.strip()), "")
    if not first.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def _deep_first_line(text: str) -> bool:
    """Whether a file too deep to parse whole is JSON lines whose first line is the deep
    one: that line is an object on its own and the next non-blank line starts another."""
    lines = (line.strip() for line in text.split("\n"))
    first = next((line for line in lines if line), "")
    second = next((line for line in lines if line), "")
    return first.startswith("{") and first.endswith("}") and second.startswith("{")


def _starts_json_lines(path: Path) -> bool:
    """Whether a ``.json`` file starts as JSON lines: its first non-blank line (of the first
    50) is a whole object and another non-blank line follows, so that it is no one JSON
    document and is read as JSON lines (in blocks)."""
    try:
        head = next(iter_blocks(path, 2**20), b"")
    except Unreadable:
        return False  # reported when the file is read whole
    if head.startswith(_BOM):
        head = head[3:]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = head[:exc.start].decode("utf-8")
    pieces = text.split("\n", 50)[:-1]  # lines that end within the head
    filled = [line for line in pieces if line.strip()]
    if len(filled) < 2 or not filled[0].lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(filled[0]), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def read_json(path: Path, reporter: Reporter, text: str | None = None) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A JSON file of records (``[{...}]``, ``{"key": [{...}]}``, ``{id: {...}}``), or JSON
    lines named ``.json``; ``None`` when nothing can be read (reported).

    Examples
    --------
    >>> frame, records = read_json(Path("articles.json"), Reporter())  # doctest: +SKIP
    >>> records.tolist()  # doctest: +SKIP
    [1, 2]
    """
    if text is None:
        if _starts_json_lines(path):
            return read_jsonl(path, reporter)
        text = read_text(path, reporter)
    if text is None:
        return None
    fixed = without_lone_surrogates(text)
    try:
        data = json.loads(text if fixed is None else fixed)
    except RecursionError:
        if _deep_first_line(text):
            return _read_lines(text, path, reporter)
        reporter.problem(path, TOO_DEEP, "file skipped")
        return None
    except json.JSONDecodeError as exc:
        if _looks_like_json_lines(text):
            return _read_lines(text, path, reporter)
        reporter.problem(
            path, f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            "file skipped", line=exc.lineno,
        )
        return None
    records = _records(data)
    if records is None:
        reporter.problem(
            path,
            "JSON is not a list of records (objects); expected [{...}, ...], {\"key\": [{...}]}, "
            "{id: {...}} or one object per line",
            "file skipped",
        )
        return None
    if fixed is not None:
        for number, line in enumerate(text.split("\n"), 1):
            if without_lone_surrogates(line) is not None:
                reporter.problem(path, LONE_SURROGATE, "replaced with U+FFFD", line=number)
    return pd.DataFrame.from_records(records), np.arange(1, len(records) + 1)


def _read_lines(text: str, path: Path, reporter: Reporter) -> tuple[pd.DataFrame, np.ndarray] | None:
    """JSON lines parsed one line at a time by Python's :mod:`json`."""
    if text.lstrip("\ufeff \t\r\n").startswith("["):
        # A JSON array (records written over many lines) in a file named as JSON lines.
        return read_json(path, reporter, text)
    records, lines, n_bad = [], [], 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        record = _parse_line(line, number, path, reporter)
        if record is None:
            n_bad += 1
            continue
        records.append(record)
        lines.append(number)
    if not records and n_bad:
        return None  # every line is in the report already: nothing more to say of the file
    return pd.DataFrame.from_records(records), np.asarray(lines, dtype=int)


# -- JSON lines in blocks through Arrow ----------------------------------------------------

class _Whole(Exception):
    """The file is read whole by the per-line reader."""


class _Events:
    """Report records of a file held back until the file is read: a file that turns out to
    need the per-line reader reports through it instead, in its order."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str, tuple, dict]] = []

    def problem(self, path: Any, problem: str, action: str, *, line: int | None = None) -> None:
        self.calls.append((line or 0, len(self.calls), "problem", (path, problem, action), {"line": line}))

    def note(self, path: Any, problem: str, action: str, *, line: int | None = None) -> None:
        self.calls.append((line or 0, len(self.calls), "note", (path, problem, action), {"line": line}))

    def replay(self, reporter: Reporter) -> None:
        for _, _, kind, args, kwargs in sorted(self.calls, key=lambda c: (c[0], c[1])):
            getattr(reporter, kind)(*args, **kwargs)


@dataclass
class _Schema:
    """Fields read as text whatever Arrow infers (it reads ISO dates as timestamps), and the
    order in which the fields first appear in the file."""

    as_text: dict[str, Any] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    # one buffer for the byte compares of every block: a new one each time costs page faults
    scratch: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def positions(self, b: np.ndarray, byte: int) -> np.ndarray:
        """Where ``b`` holds ``byte``."""
        if len(self.scratch) < len(b):
            self.scratch = np.empty(len(b), dtype=bool)
        hit = self.scratch[:len(b)]
        np.equal(b, byte, out=hit)
        return np.flatnonzero(hit)


def _prefetched(blocks: Generator[bytes, None, None]) -> Iterator[bytes]:
    """The blocks, read (and gunzipped, which releases the GIL) one ahead in a thread."""
    slots: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for block in blocks:
                while not stop.is_set():
                    try:
                        slots.put(block, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(done)
        except BaseException as exc:  # handed to the reader, which raises it
            slots.put(exc)
        finally:
            blocks.close()  # the file, also when the reader stopped early

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                slots.get_nowait()
            except queue.Empty:
                worker.join(0.05)


def _whole_lines(blocks: Iterator[bytes]) -> Generator[bytes, None, None]:
    """The bytes cut after the last line feed of each block (a line longer than a block
    waits for the next ones)."""
    carry = b""
    for block in blocks:
        data = carry + block if carry else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        carry = data[cut:]
        yield data[:cut]
    if carry:
        yield carry


def _valid_utf8(data: bytes) -> bool:
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def read_jsonl(path: Path, reporter: Reporter, text: str | None = None) -> tuple[Any, np.ndarray] | None:
    """JSON lines: an Arrow table (read in blocks) or, when given ``text`` or when Arrow
    cannot give the rows the per-line reader gives, a DataFrame; with the line of each row.
    ``None`` when nothing can be read (reported).

    Examples
    --------
    >>> rows, lines = read_jsonl(Path("news.jsonl"), Reporter())  # doctest: +SKIP
    >>> rows.num_rows, lines[:3].tolist()  # doctest: +SKIP
    (2, [1, 3])
    """
    if text is not None:
        return _read_lines(text, path, reporter)
    events = _Events()
    try:
        got = _read_blocks(path, events)
    except Unreadable as exc:
        reporter.problem(path, str(exc), "file skipped")
        return None
    except _Whole:
        text = read_text(path, reporter)
        return None if text is None else _read_lines(text, path, reporter)
    events.replay(reporter)
    return got


def _read_blocks(path: Path, events: _Events) -> tuple[Any, np.ndarray] | None:
    import pyarrow as pa

    schema = _Schema()
    tables, lines = [], []
    line_base, n_bad, seen_text, n_bytes = 0, 0, False, 0
    for block in _prefetched(_whole_lines(iter_blocks(path, BLOCK_BYTES))):
        if n_bytes == 0 and block.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _Whole  # UTF-16: the decoder's reading and report
        if n_bytes < BINARY_PROBE and b"\x00" in block[:BINARY_PROBE - n_bytes]:
            raise _Whole  # binary
        first_block, n_bytes = n_bytes == 0, n_bytes + len(block)
        if first_block and block.startswith(_BOM):
            block = block[3:]
        if not seen_text:
            start = block.lstrip(_ASCII_SPACE)
            if start:
                seen_text = True
                if start.startswith((b"[", _BOM)):
                    raise _Whole  # a JSON array, or text the per-line reader strips otherwise
        if not _valid_utf8(block):
            raise _Whole  # lines in other encodings are decoded and reported file-wide
        table, numbers, n_lines, bad = _parse_block(block, line_base, schema, path, events)
        line_base += n_lines
        n_bad += bad
        if table is not None and table.num_rows:
            tables.append(table)
            lines.append(numbers)
    if not seen_text:
        raise _Whole  # an empty file, reported as such
    if not tables:
        if n_bad:
            return None  # every line is in the report already
        return pd.DataFrame(), np.zeros(0, dtype=int)
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        raise _Whole from None  # e.g. a field that is text in one block and a number in another
    table = table.select(schema.order)
    for f in table.schema:
        if not _same_as_python(f.type, table.column(f.name)):
            raise _Whole
    return table, np.concatenate(lines)


def _same_as_python(t: Any, column: Any) -> bool:
    """Whether the field converts to what Python's json gives for it: text, whole numbers,
    floats (not beyond 64-bit integers, which Python keeps as integers), booleans, nulls and
    lists (at any depth) of text, whole numbers or booleans; not records, nor lists of
    floats (Python keeps 1 and 2.5 apart, Arrow makes both floats)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_floating(t):
        if column.null_count == len(column):
            return True
        largest = pc.max(pc.abs(column)).as_py()
        return not largest >= 2.0**63
    while pa.types.is_list(t) or pa.types.is_large_list(t):
        t = t.value_type
    return (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t)
            or pa.types.is_boolean(t) or pa.types.is_null(t))


def _has_time(t: Any) -> bool:
    import pyarrow as pa

    while pa.types.is_list(t) or pa.types.is_large_list(t):
        t = t.value_type
    return pa.types.is_temporal(t)


def _as_text_type(t: Any) -> Any:
    import pyarrow as pa

    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.list_(_as_text_type(t.value_type))
    return pa.string()


def _arrow(data: bytes, longest: int, schema: _Schema) -> Any:
    """The block parsed by Arrow, every field Arrow reads as a time read as text instead."""
    import pyarrow as pa
    import pyarrow.json as pj

    def read() -> Any:
        explicit = pa.schema(list(schema.as_text.items())) if schema.as_text else None
        return pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(use_threads=True, block_size=max(1 << 20, longest + 2)),
            parse_options=pj.ParseOptions(explicit_schema=explicit, unexpected_field_behavior="infer",
                                          newlines_in_values=False),
        )

    table = read()
    timed = [f for f in table.schema if f.name not in schema.as_text and _has_time(f.type)]
    appearance = table.column_names  # fields read as text come first in a re-read
    if timed:
        schema.as_text.update({f.name: _as_text_type(f.type) for f in timed})
        table = read()
        table = table.select(appearance + [n for n in table.column_names if n not in appearance])
    known = set(schema.order)
    schema.order.extend(n for n in appearance if n not in known)
    return table


def _parse_block(block: bytes, line_base: int, schema: _Schema, path: Path, events: _Events):
    """The rows of one block (an Arrow table), the line of each, the block's number of lines
    and of lines skipped (reported to ``events``)."""
    import pyarrow as pa

    b = np.frombuffer(block, dtype=np.uint8)
    breaks = schema.positions(b, 10)
    n_lines = len(breaks) + (1 if len(block) and block[-1] != 10 else 0)
    starts = np.concatenate([[0], breaks + 1])[:n_lines]
    ends = np.concatenate([breaks, [len(block)]])[:n_lines]

    def text(i: int) -> str:
        return block[starts[i]:ends[i]].decode("utf-8")

    # Non-blank lines, as str.strip() reads them: only lines starting with a space or a
    # non-ASCII byte need a closer look.
    nonempty = ends > starts
    first = np.zeros(n_lines, dtype=np.uint8)
    first[nonempty] = b[starts[nonempty]]
    unsure = np.flatnonzero(nonempty & _MAYBE_BLANK[first])
    content = nonempty.copy()
    for i in unsure:
        content[i] = bool(text(i).strip())

    # Lines Python parses first (numpy compares are the quick way to look at every byte).
    suspect: set[int] = set()
    counts = np.fromiter((len(part) for part in block.translate(None, _NOT_BRACKETS).split(b"\n")),
                         dtype=np.int64, count=len(breaks) + 1)[:n_lines]
    suspect.update(np.flatnonzero(counts > DEEP_BRACKETS).tolist())
    deep = set(np.flatnonzero(counts > MAX_ARROW_BRACKETS).tolist())
    returns = schema.positions(b, 13)
    if len(returns):
        following = b[np.minimum(returns + 1, len(b) - 1)]
        lone = returns[(following != 10) | (returns + 1 == len(b))]
        suspect.update(np.searchsorted(ends, lone, side="left").tolist())
    slashes = schema.positions(b[:-3], 92)  # \uD800..\uDFFF, or an escaped backslash before "uD8.."
    if len(slashes):
        escape = slashes[(b[slashes + 1] == 117) & ((b[slashes + 2] | 0x20) == 100) & _HIGH_HEX[b[slashes + 3]]]
        suspect.update(np.searchsorted(ends, escape, side="left").tolist())
    suspect = {i for i in suspect if content[i]}

    replaced: dict[int, bytes] = {}
    checked: set[int] = set()
    n_bad = 0

    def check(rows) -> None:
        nonlocal n_bad
        for i in sorted(rows):
            if i in checked:
                continue
            checked.add(i)
            line = text(i)
            if _parse_line(line, line_base + i + 1, path, events) is None:
                content[i] = False
                n_bad += 1
                continue
            if i in deep:
                raise _Whole
            fixed = without_lone_surrogates(line)
            if fixed is not None:
                replaced[i] = fixed.encode("utf-8")

    nonblank = content.copy()
    check(suspect)
    longest = int((ends - starts).max()) if n_lines else 0
    for attempt in (0, 1):
        rows = np.flatnonzero(content)
        if len(rows) == 0:
            return None, np.zeros(0, dtype=int), n_lines, n_bad
        if attempt == 0 and not replaced and np.array_equal(content, nonblank):
            data = block  # Arrow skips the blank lines too
        else:
            data = b"\n".join(replaced.get(i) or block[starts[i]:ends[i]] for i in rows.tolist())
        try:
            table = _arrow(data, longest, schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            table = None
        if table is not None and table.num_rows == len(rows):
            return table, line_base + rows + 1, n_lines, n_bad
        if attempt == 0:
            check(rows.tolist())  # find the lines Python cannot read either
    raise _Whole  # lines Python reads and Arrow does not, or reads otherwise
