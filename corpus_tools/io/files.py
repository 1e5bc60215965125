"""Finding the input files, reading each by its kind, and assembling the ``docs`` frame."""
from __future__ import annotations

import glob
import os
import re
import stat
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from corpus_tools.errors import LoadError, check_option
from corpus_tools.io import dates, html, reuters, tables
from corpus_tools.io.columns import arrow_of, blank
from corpus_tools.io.decoding import bare_name, read_text
from corpus_tools.io.report import Reporter, show_path
from corpus_tools.io.text import parse_article

# Kind of a file by its name; each kind also reads a gzipped file (".csv.gz").
SUFFIX_KINDS = {
    ".txt": "text", ".text": "text",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".pq": "parquet",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".sgm": "reuters", ".sgml": "reuters",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
}
FORMATS = ["auto", "text", "csv", "tsv", "json", "jsonl", "parquet", "html", "feed", "reuters"]
# Files in a corpus folder that describe the corpus rather than hold articles.
NOT_ARTICLES = re.compile(
    r"^(readme|source|sources|license|licence|copying|notice|changelog|authors|citation|manifest)"
    r"(\.[^.]*)?$",
    re.IGNORECASE,
)
STANDARD = ["text", "title", "date", "source", "sections", "url", "path"]
STR_COLUMNS = ["text", "title", "source", "url", "path"]
_GLOB_CHARS = re.compile(r"[*?\[]")
_SPECIAL = [(stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
            (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")]


@dataclass(frozen=True)
class InputFile:
    path: Path
    root: Path       # the folder the user named (file ids and folder sections are relative to it)
    explicit: bool   # named by the user, not found in a folder or by a glob


def kind_of(path: Path) -> str | None:
    """The reader for a file name: ``"text"``, ``"csv"``, ... or ``None`` when unknown."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return SUFFIX_KINDS.get(os.path.splitext(name)[1])


def _glob_root(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if _GLOB_CHARS.search(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _on_disk(path: Path) -> tuple[str, os.stat_result | OSError | None]:
    """What a path is, following symbolic links: ``"dir"``, ``"file"`` (regular),
    ``"special"`` (pipe, socket, device), ``"broken"`` (a link to nothing), ``"missing"``
    or ``"unreadable"``, with its stat result (the error for ``"unreadable"``)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ("broken" if os.path.islink(path) else "missing"), None
    except OSError as exc:
        return "unreadable", exc
    if stat.S_ISDIR(st.st_mode):
        return "dir", st
    if stat.S_ISREG(st.st_mode):
        return "file", st
    return "special", st


def _report_unusual(path: Path, what: str, detail: Any, reporter: Reporter | None) -> None:
    """Report a path that is neither a regular file nor a folder."""
    if reporter is None:
        return
    link = f"a symbolic link to {show_path(os.readlink(path))}, " if os.path.islink(path) else ""
    if what == "special":
        kind = next((name for test, name in _SPECIAL if test(detail.st_mode)), "not a file")
        # Reading a pipe waits for a writer and a device never ends: neither is an article.
        reporter.problem(
            path, f"not a regular file ({link}{kind}); only regular files are read: remove it "
            "or name the file it stands for", "file skipped",
        )
    elif what == "broken":
        reporter.problem(
            path, f"broken symbolic link ({link}which does not exist); fix or remove the link",
            "file skipped",
        )
    else:
        reporter.problem(
            path, f"cannot be read ({getattr(detail, 'strerror', None) or detail}); check its permissions",
            "file skipped",
        )


def discover(sources: Any, reporter: Reporter) -> list[InputFile]:
    """The files named by a path, folder, glob or list of them, in a stable order."""
    if isinstance(sources, pd.DataFrame):
        raise TypeError(
            "ct.load reads files; it was given a DataFrame. A DataFrame that is already loaded "
            "goes straight to ct.Corpus.from_docs(df) (it needs a 'text' column and a unique "
            "index); to load a table file, pass its path and name its columns with text=, title=, "
            "date= ..."
        )
    if isinstance(sources, (str, bytes, os.PathLike)):
        sources = [sources]
    elif not isinstance(sources, Iterable):
        raise TypeError(
            f"ct.load expects a path, a folder, a glob or a list of them; got {type(sources).__name__}."
        )
    found: list[InputFile] = []
    for source in sources:
        if isinstance(source, pd.DataFrame):
            return discover(source, reporter)
        if not isinstance(source, (str, bytes, os.PathLike)):
            raise TypeError(
                f"ct.load expects a path, a folder, a glob or a list of them; got a list holding "
                f"{type(source).__name__}."
            )
        path = Path(os.fsdecode(source)).expanduser()
        what, detail = _on_disk(path)
        if what == "dir":
            found.extend(_walk(path, reporter))
        elif what == "file":
            found.append(InputFile(path, path.parent, True))
        elif what == "missing" and _GLOB_CHARS.search(str(path)):
            matched = _expand_glob(path, reporter)
            if matched is None:
                reporter.problem(
                    path, "the glob matches no file; check the pattern (use '**' to search "
                    "sub-folders, e.g. 'corpus/**/*.txt')", "nothing loaded",
                )
            else:
                found.extend(matched)
        elif what == "missing":
            reporter.problem(
                path, "path does not exist; check the spelling and the working directory "
                f"({Path.cwd()}), or pass a folder or a glob such as 'corpus/**/*.txt'",
                "nothing loaded",
            )
        else:
            _report_unusual(path, what, detail, reporter)
    return found


def visible_files(folder: Path, reporter: Reporter | None = None) -> list[Path]:
    """Every regular file under ``folder``, sorted; hidden files and folders (.git,
    .DS_Store, .ipynb_checkpoints) are not looked at, as in shell and glob patterns.

    Symbolic links to folders are followed (a corpus assembled from links is read whole),
    each folder once: a link back to a folder already read (a loop) is noted and skipped.
    Real folders are read before any link to a folder, so a folder that is also reached
    through a link keeps its own path. Sub-folders that cannot be listed, pipes, sockets,
    devices and broken links are reported to ``reporter`` and skipped.
    """
    return _scan(Path(folder), reporter, report_unusual=True)[0]


def _scan(
    folder: Path, reporter: Reporter | None, report_unusual: bool = False
) -> tuple[list[Path], list[Path], list[tuple[Path, str, Any]]]:
    """The files (sorted), the folders read and the paths that are neither (with what
    :func:`_on_disk` says of them, unless ``report_unusual`` reports them at once) under
    ``folder``; loops and folders that cannot be listed are reported at once."""
    files: list[Path] = []
    folders_read: list[Path] = []
    unusual: list[tuple[Path, str, Any]] = []
    seen: set[tuple[int, int]] = set()
    todo = [Path(folder)]
    links: deque[Path] = deque()  # folders reached through a link wait until no real folder is left
    while todo or links:  # stacks, not recursion: folders may nest deeper than Python's call stack
        current = todo.pop() if todo else links.popleft()
        try:
            st = os.stat(current)
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if reporter is not None:
                reporter.problem(
                    current, f"folder cannot be read ({exc.strerror or exc}); check its permissions",
                    "folder skipped",
                )
            continue
        if (st.st_dev, st.st_ino) in seen:
            if reporter is not None:
                reporter.note(
                    current, "symbolic link to a folder already read (a loop or a second link)",
                    "folder skipped",
                )
            continue
        seen.add((st.st_dev, st.st_ino))
        folders_read.append(current)
        folders, linked = [], []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = current / entry.name
            try:
                is_dir, is_file, is_link = entry.is_dir(), entry.is_file(), entry.is_symlink()
            except OSError:
                is_dir = is_file = is_link = False
            if is_dir:
                (linked if is_link else folders).append(path)
            elif is_file:
                files.append(path)
            else:
                what, detail = _on_disk(path)
                if what == "file":
                    files.append(path)
                elif what == "dir":
                    linked.append(path)
                elif report_unusual:
                    _report_unusual(path, what, detail, reporter)
                else:
                    unusual.append((path, what, detail))
        todo.extend(reversed(folders))  # depth first in name order, as reports read best
        links.extend(linked)
    return sorted(files), folders_read, unusual


def _glob_regex(pattern: str) -> re.Pattern:
    """A regular expression for a glob pattern as :func:`glob.glob` reads it with
    ``recursive=True``: ``**`` as a whole part matches any number of folders (none too),
    ``*`` and ``?`` stay within one part, names starting with a dot are not matched by
    wildcards."""
    parts = [p for p in pattern.split(os.sep) if p != ""]
    out = re.escape(os.sep) if pattern.startswith(os.sep) else ""
    sep = re.escape(os.sep)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            # any folders (not hidden) and, last in the pattern, any path below
            out += rf"(?:[^.{sep}][^{sep}]*{sep})*" if not last else rf"(?:[^.{sep}][^{sep}]*(?:{sep}[^.{sep}][^{sep}]*)*)?"
            continue
        piece = _glob_part(part, sep)
        if part[0] in "*?[":
            piece = rf"(?!\.){piece}"
        out += piece + ("" if last else sep)
    return re.compile(out + r"\Z", re.DOTALL)


def _glob_part(part: str, sep: str) -> str:
    """One part of a glob (no separator) as a regular expression."""
    out, i = "", 0
    while i < len(part):
        c = part[i]
        if c == "*":
            out += f"[^{sep}]*"
        elif c == "?":
            out += f"[^{sep}]"
        elif c == "[":
            j = part.find("]", i + 2)
            if j < 0:
                out += re.escape(c)
            else:
                inner = part[i + 1:j]
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out += "[" + inner.replace("\\", "\\\\") + "]"
                i = j
        else:
            out += re.escape(c)
        i += 1
    return out


def _expand_glob(pattern: Path, reporter: Reporter) -> list[InputFile] | None:
    """The files a glob names, each once; ``None`` when it matches nothing.

    ``**`` patterns are matched against one walk of the fixed folder at their start (each
    real folder read once, loops noted), not by :func:`glob.glob`, which follows a link
    back to its own folder until the path is too long. A matched folder gives all its files."""
    root = _glob_root(str(pattern))
    if "**" not in str(pattern):
        matches = [Path(m) for m in sorted(glob.glob(str(pattern)))]
        files: list[Path] = []
        for m in matches:
            what, detail = _on_disk(m)
            if what == "dir":
                files.extend(visible_files(m, reporter))
            elif what == "file":
                files.append(m)
            else:
                _report_unusual(m, what, detail, reporter)
    else:
        found, folders, unusual = _scan(root, reporter) if _on_disk(root)[0] == "dir" else ([], [], [])
        regex = _glob_regex(str(pattern))
        matches = [p for p in found + folders + [u[0] for u in unusual] if regex.match(str(p))]
        matched_dirs = {str(d) for d in folders if regex.match(str(d))}
        for path, what, detail in unusual:
            if regex.match(str(path)):
                _report_unusual(path, what, detail, reporter)
        files = [
            f for f in found
            if regex.match(str(f)) or any(str(parent) in matched_dirs for parent in f.parents)
        ]
    if not matches:
        return None
    unique = list(dict.fromkeys(files))  # a file matched itself and inside a matched folder
    return [InputFile(f, root, False) for f in unique]


def _walk(folder: Path, reporter: Reporter, root: Path | None = None) -> list[InputFile]:
    return [InputFile(p, root or folder, False) for p in visible_files(folder, reporter)]


def _file_id(f: InputFile) -> str:
    """``sport/001`` for ``bbc/sport/001.txt`` loaded as ``bbc``; ``page`` for ``page.html.gz``."""
    rel = f.path.relative_to(f.root) if f.path.is_relative_to(f.root) else Path(f.path.name)
    return show_path((rel.parent / bare_name(rel)).as_posix())


def _folder_sections(f: InputFile) -> list[str]:
    if not f.path.is_relative_to(f.root):
        return []
    return [show_path(part) for part in f.path.relative_to(f.root).parent.parts]


def read_file(f: InputFile, kind: str, mapping: tables.Mapping, reporter: Reporter) -> pd.DataFrame | list[dict] | None:
    """Rows of one file: a DataFrame (tables, SGML) or a list of row dicts."""
    if kind in tables.TABLE_KINDS:
        return tables.read_table(f.path, kind, mapping, reporter)
    if kind == "reuters":
        return reuters.read_reuters(f.path, reporter)
    if kind == "feed":
        return html.read_feed(f.path, reporter)
    if kind == "html":
        row = html.read_html(f.path, reporter)
    else:
        decoded = read_text(f.path, reporter)
        row = None if decoded is None else parse_article(decoded)
    if row is None:
        return None
    if not row.get("sections"):
        row["sections"] = _folder_sections(f)
    row["id"] = _file_id(f)
    return [row]


def load(
    path_or_glob: Any,
    *,
    format: str = "auto",
    text: str | None = None,
    title: str | None = None,
    date: str | None = None,
    id: str | None = None,
    source: str | None = None,
    errors: str = "warn",
) -> pd.DataFrame:
    """Load news articles from files into the ``docs`` DataFrame.

    Reads a file, a folder (recursively), a glob, or a list of them; each file by its kind:

    - ``.txt``: one article per file: plain, title-first (first line title, blank line,
      body) or a scraped page (breadcrumb, title, photo caption, body, site boilerplate);
      see :mod:`corpus_tools.io.text` for the rules;
    - ``.csv``, ``.tsv``, ``.parquet``: one article per row; a TSV file is read without
      quoting (a quote mark is text) unless its records span lines as a CSV writer quotes
      them; a row with more fields than the header is reported and skipped, except in a
      one-column file, where the whole line is the text;
    - ``.json``: records (``[{...}]``, ``{"articles": [{...}]}`` or ``{id: {...}}``);
      ``.jsonl``, ``.ndjson``: one JSON object per line; either name holds either layout
      (JSON lines named ``.json`` are recognised by their first line);
    - ``.html``, ``.htm``: the main text, extracted with trafilatura (no network access);
    - ``.rss``, ``.atom``, ``.xml``: one row per feed item;
    - ``.sgm``: Reuters-21578 SGML, one row per ``<REUTERS>`` element.

    Every kind except Parquet is also read gzipped (``.csv.gz``). Parquet files are read by
    row groups and JSON lines in blocks, by Arrow, and the columns of every table are mapped
    as whole columns: a million articles load in about the time ``pandas.read_parquet`` takes
    (see :mod:`corpus_tools.io.jsonfiles` for how JSON lines stay exact). In folders and globs,
    files named README*, SOURCE*, LICENSE*, COPYING*, NOTICE*, CHANGELOG*, AUTHORS*,
    CITATION*, MANIFEST* describe the corpus and are skipped, as are ``.txt`` files in a
    folder that holds ``.sgm`` articles (the category lists of Reuters-21578); files of other
    kinds (``.png``, ``.dtd``) are skipped too; all are listed in the load report. Files named
    one by one are always read. Hidden files are ignored. Symbolic links to folders are
    followed, each folder once (a link back to a folder already read is noted and skipped;
    real folders are read before links, so a folder keeps its own path); in a ``**`` glob
    too, and a file a glob names twice (itself and inside a matched folder) is read once.
    Only regular files are read: pipes, sockets, devices (a link to ``/dev/zero``), broken
    links and folders that cannot be listed are reported. A file larger than
    ``corpus_tools.io.decoding.MAX_FILE_BYTES`` (512 MiB, counted after gunzipping; Parquet
    is not limited) is reported and skipped; set the constant higher to read it. Text that
    is not UTF-8 is decoded line by line: the lines that are not fall back to cp1252 and are
    listed in the report.

    Parameters
    ----------
    path_or_glob : str, os.PathLike or list of them
        Files, folders or glob patterns (``"corpus/**/*.txt"``).
    format : {"auto", "text", "csv", "tsv", "json", "jsonl", "parquet", "html", "feed", "reuters"}
        ``"auto"`` reads each file by its name; any other value reads every file as that kind.
    text, title, date, id : str, optional
        Column (or JSON field) holding each part in table files (other kinds of file have
        their own structure and ignore them). When not given, common names
        are recognised: text ``text``, ``body``, ``content``, ``article``, ``headline_text``...;
        title ``title``, ``headline``; date ``date``, ``publish_date``, ``published``,
        ``pubdate``, ``datetime``...; id ``doc_id``, ``id``, ``article_id``...; also url
        (``url``, ``link``) and sections (``section``, ``category``, ``categories``). A table
        with titles but no text column (headlines) uses the titles as text.
    source : str, optional
        The column holding the outlet name; a value that is not a column of the file is used
        as the source of every row (``source="BBC"``), in every kind of file.
    errors : {"warn", "skip", "raise"}
        What to do with bad input (unreadable, binary, empty, oversized or undecodable files,
        files that are no regular files, missing columns, malformed CSV rows or JSON lines,
        unparseable dates, duplicate ids): ``"warn"`` loads what
        can be loaded and emits one warning pointing to :func:`corpus_tools.load_report`;
        ``"skip"`` does the same silently; ``"raise"`` raises :class:`LoadError` at the first
        problem.

    Returns
    -------
    pandas.DataFrame
        One row per article, index ``doc_id`` (unique strings: the file's path relative to the
        folder given, without extension, e.g. ``"sport/001"``; the table's id column or
        ``"<file stem>-<record number>"``; ``"reuters-<NEWID>"``). Columns:

        - ``text`` (str): the body without title and site boilerplate; paragraphs separated
          by a blank line; ``""`` when the input has none
        - ``title`` (str), ``source`` (str), ``url`` (str): missing as NaN
        - ``date`` (datetime64[ns], naive UTC): from the date column or field, else a date in
          the URL or file name (``/2021/06/23/``), else NaT. Dates outside 1677-09-21 ..
          2262-04-11 (beyond nanoseconds) are kept: the column is then ``datetime64[us]``
          as a whole and the load report notes each such date (often a placeholder such
          as ``0001-01-01``; set it to NaT before trends if so)
        - ``sections`` (list of str): breadcrumb sections, the table's section column or the
          sub-folders between the folder given and the file (``bbc/sport/001.txt`` loaded as
          ``bbc`` gives ``["sport"]``); ``[]`` when none
        - ``path`` (str): the file the row came from (bytes of a name that are not UTF-8
          shown as ``\\xNN`` and, on POSIX, a backslash in a name doubled, as in the ``doc_id``,
          so that no two files show the same path)
        - every other column or field of the input (``caption``, ``topics``, ``author`` ...)

        Duplicate ids are made unique with a suffix (``"x"``, ``"x-2"``). What was skipped,
        repaired or renamed is in ``docs.attrs["load_report"]``; read it with
        :func:`corpus_tools.load_report`.

    Raises
    ------
    TypeError
        If given a DataFrame (use ``ct.Corpus.from_docs(df)``) or something that is no path.
    ValueError
        If ``format`` or ``errors`` is not one of the options.
    LoadError
        If no input file exists, or at the first problem when ``errors="raise"``.

    Examples
    --------
    >>> import corpus_tools as ct
    >>> docs = ct.load("seeds/000_bb0baf8a7e2ae5bc.txt")
    >>> docs.loc["000_bb0baf8a7e2ae5bc", "sections"]
    ['China', 'Russia', "Editor's Choice"]
    >>> docs = ct.load("headlines.csv", text="headline_text", date="publish_date")  # doctest: +SKIP
    """
    check_option("format", format, FORMATS)
    reporter = Reporter(errors)
    mapping = tables.Mapping(text=text, title=title, date=date, id=id, source=source)
    files = discover(path_or_glob, reporter)

    parts: list[pd.DataFrame] = []
    rows: list[dict] = []
    n_read = 0
    # The Reuters-21578 distribution keeps category lists and notes (.txt) beside its SGML
    # files; in a folder holding SGML articles those text files are not articles.
    sgml_folders = {f.path.parent for f in files if format == "auto" and kind_of(f.path) == "reuters"}
    for f in files:
        kind = kind_of(f.path) if format == "auto" else format
        if not f.explicit and NOT_ARTICLES.match(f.path.name):
            reporter.note(f.path, "not an article (README/SOURCE/LICENSE... describe the corpus)", "file skipped")
            continue
        if not f.explicit and kind == "text" and f.path.parent in sgml_folders:
            reporter.note(f.path, "text file beside SGML articles (a list or note of the collection)", "file skipped")
            continue
        if kind is None:
            reporter.note(
                f.path, f"unknown kind of file ({''.join(f.path.suffixes) or 'no extension'}); "
                "give it with format= to read it", "file skipped",
            )
            continue
        n_read += 1
        shown = show_path(f.path)
        if shown != str(f.path):
            if show_path(str(f.path).replace("\\", "")) != str(f.path).replace("\\", ""):
                reporter.note(
                    f.path, "file name is not valid UTF-8; path and doc_id show its undecodable bytes "
                    "as \\xNN escapes", "loaded under that name",
                )
            else:
                reporter.note(
                    f.path, "file name holds a backslash; path and doc_id show it doubled (\\\\), "
                    "apart from the \\xNN escapes of names that are not valid UTF-8", "loaded under that name",
                )
        got = read_file(f, kind, mapping, reporter)
        if got is None:
            continue
        if mapping.source is not None and kind not in tables.TABLE_KINDS:
            # Files without columns: source= names the source of every row.
            if isinstance(got, pd.DataFrame):
                got["source"] = mapping.source
            else:
                for row in got:
                    row["source"] = mapping.source
        if isinstance(got, pd.DataFrame):
            got["path"] = shown
            parts.append(got)
        else:
            for row in got:
                row["path"] = shown
            rows.extend(got)

    if not files or (n_read == 0 and not parts and not rows and reporter.n_problems):
        given = path_or_glob if isinstance(path_or_glob, (str, bytes, os.PathLike)) else list(path_or_glob)
        detail = "; ".join(f"{r['path']}: {r['problem']}" for r in reporter.records) or "no files"
        raise LoadError(f"nothing to load from {given!r}: {detail}")
    if rows:
        parts.append(pd.DataFrame.from_records(rows))
    docs = _assemble(parts, mapping, reporter)
    docs.attrs["load_report"] = reporter.finish(len(docs), n_read)
    return docs


def _assemble(parts: list[pd.DataFrame], mapping: tables.Mapping, reporter: Reporter) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        frame = pd.DataFrame({c: pd.Series(dtype="str") for c in STANDARD + ["id", "_line"]})
    else:
        frame = pd.concat(parts, ignore_index=True, sort=False)
    for column in STANDARD + ["id", "_line"]:
        if column not in frame:
            frame[column] = None
    lines = frame["_line"]

    def where(i: int) -> tuple[str, int | None]:
        line = lines.iat[i]
        return frame["path"].iat[i], None if pd.isna(line) else int(line)

    # Dates: the date column, else a date in the URL or the file name.
    raw_dates = frame["date"]
    parsed, issues = dates.parse_dates(raw_dates)
    for issue in issues:
        path, line = where(issue.position)
        if issue.status == "repaired":
            reporter.note(path, f"malformed date {issue.value!r}", f"repaired: {issue.detail}", line=line)
        elif issue.status == "kept":
            reporter.note(path, f"date {issue.value!r} {issue.detail}", "date kept", line=line)
        else:
            reporter.problem(path, f"{issue.status} date {issue.value!r} ({issue.detail})", "date set to NaT", line=line)
    missing = parsed.isna() & raw_dates.isna()
    if missing.any():
        from_url = dates.dates_in_paths(frame.loc[missing, "url"].fillna(""))
        from_path = dates.dates_in_paths(frame.loc[missing, "path"])
        parsed[missing] = from_url.fillna(from_path)
    frame["date"] = parsed

    if frame["text"].hasnans:
        frame["text"] = frame["text"].fillna("")
    texts = frame["text"] if frame["text"].dtype == "str" else frame["text"].astype("str")
    empty = np.flatnonzero(blank(arrow_of(texts)))
    for i in empty:
        path, line = where(i)
        reporter.note(path, "no text in the input", "kept with empty text", line=line)
    # Readers give lists; rows of a part without the column get their own empty list.
    no_sections = frame["sections"].isna()
    if no_sections.any():
        frame.loc[no_sections, "sections"] = pd.Series([[] for _ in range(no_sections.sum())], index=frame.index[no_sections], dtype=object)

    ids = _unique_ids(frame, where, reporter)
    for column in STR_COLUMNS:
        frame[column] = frame[column].astype("str")
    extras = [c for c in frame.columns if c not in STANDARD and c not in ("id", "_line")]
    for column in extras:
        # Text fields that some rows lack (None from one reader, NaN from another) are str.
        if frame[column].dtype == object and pd.api.types.infer_dtype(frame[column], skipna=True) in ("string", "empty"):
            frame[column] = frame[column].astype("str")
    docs = frame[STANDARD + extras]
    docs.index = pd.Index(ids, name="doc_id", dtype="str")
    return docs


def _unique_ids(frame: pd.DataFrame, where, reporter: Reporter) -> pd.Series:
    ids = frame["id"].astype("str").reset_index(drop=True)
    if ids.is_unique:  # the common case, and quicker to tell than which rows repeat
        return ids
    dup = ids.duplicated(keep="first")
    if not dup.any():
        return ids
    taken = set(ids)
    counts: dict[str, int] = {}
    first_row = dict(zip(ids[~dup].tolist(), np.flatnonzero(~dup.to_numpy())))
    for i in dup[dup].index:
        original = ids.iat[i]
        n = counts.get(original, 1)
        while True:
            n += 1
            candidate = f"{original}-{n}"
            if candidate not in taken:
                break
        counts[original] = n
        taken.add(candidate)
        ids.iat[i] = candidate
        first = frame["path"].iat[int(first_row[original])]
        path, line = where(i)
        reporter.problem(
            path, f"duplicate doc_id {original!r} (first in {first})", f"renamed to {candidate!r}", line=line
        )
    return ids
