"""The load report: every input file or row that was not loaded as-is, and why.

`ct.load` collects one record per event (a skipped file, a decoding fallback, a repaired
date, a renamed duplicate id ...) and stores them in ``docs.attrs["load_report"]`` as a list
of plain dicts, so they travel with the DataFrame (pandas keeps ``attrs`` through selections
and writes them into Parquet metadata). :func:`load_report` turns them into a table.
"""
from __future__ import annotations

import os
import warnings
from typing import Any

import pandas as pd

from corpus_tools.errors import LoadError, check_option

REPORT_COLUMNS = ["path", "line", "problem", "action"]
ERRORS_OPTIONS = ["warn", "skip", "raise"]


def show_path(path: Any) -> str:
    """A path as printable text, also when its name is not valid UTF-8.

    Names are bytes on POSIX; Python keeps undecodable bytes as surrogates, which cannot be
    stored in a string column or printed. They are shown as ``\\xNN`` escapes instead, and
    on POSIX a backslash that is part of a name is shown doubled (``\\\\``), so a name
    holding the four characters ``\\xe9`` is not shown as the byte 0xE9 is: two files
    never show the same path. Other names are shown unchanged.

    Examples
    --------
    >>> show_path(os.fsdecode(b"corpus/caf\\xe9.txt"))
    'corpus/caf\\\\xe9.txt'
    >>> show_path("corpus/caf\\\\xe9.txt")
    'corpus/caf\\\\\\\\xe9.txt'
    """
    text = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    if os.sep == "/" and "\\" in text:
        text = text.replace("\\", "\\\\")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate that stands for no byte
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class LoadRecords(list):
    """The report records, shared rather than copied when pandas copies ``attrs``.

    pandas deep-copies ``DataFrame.attrs`` on every operation; the records never change
    after loading, so sharing them keeps filtering a large ``docs`` frame cheap.
    """

    def __deepcopy__(self, memo: dict) -> LoadRecords:
        return self

    def __copy__(self) -> LoadRecords:
        return self


class Reporter:
    """Collects report records while loading and applies the ``errors=`` policy.

    Two severities: a *problem* (bad or damaged input) raises in ``errors="raise"`` and
    counts towards the warning in ``errors="warn"``; a *note* (a file skipped by rule,
    a row kept with empty text) is only recorded.
    """

    def __init__(self, errors: str = "warn") -> None:
        self.errors = check_option("errors", errors, ERRORS_OPTIONS)
        self.records: list[dict[str, Any]] = []
        self.n_problems = 0
        self.first_problem: dict[str, Any] | None = None

    def problem(self, path: Any, problem: str, action: str, *, line: int | None = None) -> None:
        """Record bad input; raise :class:`LoadError` at once when ``errors="raise"``."""
        if self.errors == "raise":
            where = show_path(path) if line is None else f"{show_path(path)}, line {line}"
            raise LoadError(f"{where}: {problem}")
        self.n_problems += 1
        self._add(path, line, problem, action)
        if self.first_problem is None:
            self.first_problem = self.records[-1]

    def note(self, path: Any, problem: str, action: str, *, line: int | None = None) -> None:
        """Record input that was deliberately not loaded as-is (never raises)."""
        self._add(path, line, problem, action)

    def _add(self, path: Any, line: int | None, problem: str, action: str) -> None:
        self.records.append(
            {"path": show_path(path), "line": None if line is None else int(line),
             "problem": problem, "action": action}
        )

    def finish(self, n_docs: int, n_files: int, *, stacklevel: int = 3) -> LoadRecords:
        """Emit the one summary warning (``errors="warn"``) and return the records.

        The warning counts the problems (bad input) apart from the notes (files skipped by
        rule, repairs, empty texts), which the report also lists.
        """
        if self.errors == "warn" and self.n_problems:
            first = self.first_problem
            where = first["path"] if first["line"] is None else f"{first['path']}, line {first['line']}"
            n_notes = len(self.records) - self.n_problems
            listed = "it" if self.n_problems == 1 else f"all {self.n_problems}"
            if n_notes:
                listed += f" and {_plural(n_notes, 'note')} (files skipped by rule, repairs, empty texts)"
            warnings.warn(
                f"loaded {_plural(n_docs, 'document')} from {_plural(n_files, 'file')} with "
                f"{_plural(self.n_problems, 'problem')}, e.g. {where}: {first['problem']} "
                f"({first['action']}). ct.load_report(docs) lists {listed}.",
                UserWarning,
                stacklevel=stacklevel,
            )
        return LoadRecords(self.records)


def load_report(docs: pd.DataFrame) -> pd.DataFrame:
    """What `ct.load` skipped, repaired or changed while building ``docs``, and why.

    Parameters
    ----------
    docs : pandas.DataFrame
        A frame returned by :func:`corpus_tools.load` (or a selection of it: pandas keeps
        the report in ``docs.attrs``). A frame without a report gives an empty table.

    Returns
    -------
    pandas.DataFrame
        One row per event, columns ``path`` (the input file), ``line`` (``<NA>`` for a
        whole file; else the 1-based line where the row starts: of the CSV/TSV record, the
        JSON line, the ``<REUTERS>`` tag or the bad byte; for JSON records and Parquet rows
        the record number), ``problem`` (what was wrong) and
        ``action`` (what the loader did about it). Files loaded as-is do not appear.

    Raises
    ------
    TypeError
        If ``docs`` is not a DataFrame.

    Examples
    --------
    >>> import corpus_tools as ct
    >>> docs = ct.load("corpus/", errors="skip")          # doctest: +SKIP
    >>> ct.load_report(docs)                              # doctest: +SKIP
                     path  line                                problem        action
    0  corpus/README.md  <NA>  not an article (README/SOURCE/LICENSE...)  file skipped
    """
    if not isinstance(docs, pd.DataFrame):
        raise TypeError(
            f"load_report expects the DataFrame returned by ct.load; got {type(docs).__name__}."
        )
    records = docs.attrs.get("load_report") or []
    report = pd.DataFrame(list(records), columns=REPORT_COLUMNS)
    report["line"] = report["line"].astype("Int64")
    for column in ("path", "problem", "action"):
        report[column] = report[column].astype("str")
    return report
