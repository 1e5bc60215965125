"""Bytes to text: gzip, byte-order marks, binary detection and the UTF-8 fallback."""
from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import Iterator

from corpus_tools.io.report import Reporter

BINARY_PROBE = 8192
# The most bytes read from one file (after decompression): far above any article or
# table of articles a notebook holds in memory, and it stops a gzip bomb or a link to
# /dev/zero long before memory runs out. Raise it for a bigger single file, e.g.
# ``corpus_tools.io.decoding.MAX_FILE_BYTES = 4 * 2**30``. Parquet files are read by
# pyarrow and not limited here.
MAX_FILE_BYTES = 512 * 2**20
# Lines listed one by one in a report row before "... (N lines in all)".
MAX_LISTED_LINES = 20


def bare_name(path: Path) -> str:
    """The file name without ``.gz`` and its extension: ``heads`` for ``heads.tsv.gz``."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    return os.path.splitext(name)[0]


def size_text(n: int) -> str:
    """``512 MiB`` for ``512 * 2**20``."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:g} {unit}" if unit != "bytes" else f"{n} bytes"
        n /= 1024


class Unreadable(Exception):
    """A file that cannot be read: ``args[0]`` is the problem for the load report."""


def _open(path: Path):
    try:
        return open(path, "rb")
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc}); check its permissions") from None


def _read_error(exc: BaseException, zipped: bool) -> Unreadable:
    if zipped:
        return Unreadable(f"not a valid gzip file ({exc}); decompress it or rename it")
    return Unreadable(f"cannot be read ({getattr(exc, 'strerror', None) or exc})")


def _too_large(limit: int, zipped: bool) -> Unreadable:
    return Unreadable(
        f"larger than {size_text(limit)}{' once decompressed' if zipped else ''}, the limit for one "
        "file (corpus_tools.io.decoding.MAX_FILE_BYTES); split the file, or raise the limit if "
        "it really is one corpus file"
    )


def iter_blocks(path: Path, block_bytes: int) -> Iterator[bytes]:
    """The file's bytes (gunzipped when the name ends in ``.gz``) in blocks of about
    ``block_bytes``, so that a big file is never held whole. Raises :class:`Unreadable` for
    a file that cannot be opened, a damaged gzip stream, or more than
    :data:`MAX_FILE_BYTES` bytes (after the blocks before it were handed out).

    Examples
    --------
    >>> sum(len(b) for b in iter_blocks(Path("news.jsonl.gz"), 2**20))  # doctest: +SKIP
    1507791138
    """
    limit = MAX_FILE_BYTES
    zipped = path.name.lower().endswith(".gz")
    with _open(path) as fh:
        stream = gzip.GzipFile(fileobj=fh) if zipped else fh
        total = 0
        while True:
            try:
                block = stream.read(min(block_bytes, limit + 1 - total))
            except (OSError, EOFError, zlib.error) as exc:
                raise _read_error(exc, zipped) from None
            if not block:
                return
            total += len(block)
            if total > limit:
                raise _too_large(limit, zipped)
            yield block


def read_bytes(path: Path, reporter: Reporter) -> bytes | None:
    """The file's bytes, gunzipped when the name ends in ``.gz``; ``None`` when unreadable,
    empty or larger than :data:`MAX_FILE_BYTES` (each reported)."""
    limit = MAX_FILE_BYTES
    zipped = path.name.lower().endswith(".gz")
    try:
        with _open(path) as fh:
            try:
                # Reading one byte past the limit tells a file at the limit from a bigger one
                # without holding more than that in memory.
                raw = gzip.GzipFile(fileobj=fh).read(limit + 1) if zipped else fh.read(limit + 1)
            except (OSError, EOFError, zlib.error) as exc:
                raise _read_error(exc, zipped) from None
        if len(raw) > limit:
            raise _too_large(limit, zipped)
    except Unreadable as exc:
        reporter.problem(path, str(exc), "file skipped")
        return None
    if not raw.strip():
        reporter.problem(path, "empty file (no text)", "file skipped")
        return None
    return raw


def _line_list(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:MAX_LISTED_LINES])
    if len(lines) > MAX_LISTED_LINES:
        shown += f", ... ({len(lines)} lines in all)"
    return shown


def _legacy(line: bytes) -> tuple[str, str]:
    try:
        return line.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in cp1252
        return line.decode("latin-1"), "latin-1"


def decode(raw: bytes, path: Path, reporter: Reporter) -> str | None:
    """Decode as UTF-8; lines that are not UTF-8 fall back to cp1252 (then latin-1), one
    by one, and are reported.

    Files joined from several sources mix encodings, so a bad byte does not make the whole
    file cp1252: the valid UTF-8 lines keep their reading. A file with NUL bytes (and no
    UTF-16 byte-order mark) is binary: it is reported and ``None`` is returned.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:  # an odd byte at the end, a lone surrogate
            text = raw.decode("utf-16", "replace")
            line = raw[: exc.start].decode("utf-16", "replace").count("\n") + 1
            reporter.problem(
                path, f"invalid UTF-16 after its byte-order mark ({exc.reason} at offset {exc.start})",
                "decoded with U+FFFD for the invalid bytes", line=line,
            )
            return text
    if b"\x00" in raw[:BINARY_PROBE]:
        reporter.problem(
            path, "binary file (contains NUL bytes), not text; remove it or give its kind with format=",
            "file skipped",
        )
        return None
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig counts from after the byte-order mark; the report counts in the file
        offset = exc.start + bom
        bad = raw[offset]
    raw = raw[bom:]
    parts, fixed, encodings = [], [], set()
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            parts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            text, encoding = _legacy(line)
            parts.append(text)
            fixed.append(number)
            encodings.add(encoding)
    encoding = " or ".join(sorted(encodings, key=["cp1252", "latin-1"].index))
    action = f"{'line' if len(fixed) == 1 else 'lines'} {_line_list(fixed)} decoded as {encoding}"
    if len(parts) > len(fixed):
        action += ", the other lines as UTF-8"
    reporter.problem(
        path,
        f"invalid UTF-8 (byte 0x{bad:02X} at offset {offset})"
        + (f" on {len(fixed)} lines" if len(fixed) > 1 else ""),
        action,
        line=fixed[0],
    )
    return "\n".join(parts)


def read_text(path: Path, reporter: Reporter) -> str | None:
    """:func:`read_bytes` then :func:`decode`; ``None`` (and a report entry) when either fails."""
    raw = read_bytes(path, reporter)
    return None if raw is None else decode(raw, path, reporter)
