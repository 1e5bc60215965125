"""Bytes to text: gzip, byte-order marks, binary detection and the UTF-8 fallback."""
from __future__ import annotations

import gzip
import os
from pathlib import Path

from corpus_tools.io.report import Reporter

BINARY_PROBE = 8192


def bare_name(path: Path) -> str:
    """The file name without ``.gz`` and its extension: ``heads`` for ``heads.tsv.gz``."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    return os.path.splitext(name)[0]


def read_bytes(path: Path, reporter: Reporter) -> bytes | None:
    """The file's bytes, gunzipped when the name ends in ``.gz``; ``None`` when unreadable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reporter.problem(path, f"cannot be read ({exc.strerror or exc})", "file skipped")
        return None
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            reporter.problem(path, f"not a valid gzip file ({exc}); decompress it or rename it", "file skipped")
            return None
    if not raw.strip():
        reporter.problem(path, "empty file (no text)", "file skipped")
        return None
    return raw


def decode(raw: bytes, path: Path, reporter: Reporter) -> str | None:
    """Decode as UTF-8; fall back to cp1252 (then latin-1) and report where it failed.

    A file with NUL bytes (and no UTF-16 byte-order mark) is binary: it is reported and
    ``None`` is returned.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:BINARY_PROBE]:
        reporter.problem(
            path, "binary file (contains NUL bytes), not text; remove it or give its kind with format=",
            "file skipped",
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start]
        line = raw.count(b"\n", 0, exc.start) + 1
        try:
            text, encoding = raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = raw.decode("latin-1"), "latin-1"
        reporter.problem(
            path,
            f"invalid UTF-8 (byte 0x{bad:02X} at offset {exc.start})",
            f"decoded as {encoding}",
            line=line,
        )
        return text


def read_text(path: Path, reporter: Reporter) -> str | None:
    """:func:`read_bytes` then :func:`decode`; ``None`` (and a report entry) when either fails."""
    raw = read_bytes(path, reporter)
    return None if raw is None else decode(raw, path, reporter)
