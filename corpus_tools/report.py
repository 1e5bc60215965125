"""Reproducible HTML reports: run a parameterised notebook on a corpus and keep the evidence.

``corpus-tools report lee -o reports/lee`` executes ``notebooks/report.ipynb`` with the
corpus (and any ``--param KEY=VALUE``) injected after its cell tagged ``parameters``, the
papermill convention, then writes into the output folder:

``report.html``
    one self-contained file: figures embedded as base64 PNG, no script, style sheet or image
    fetched from the network (the template's CDN references are removed), code hidden
    unless ``--show-code``;
``report.ipynb``
    the executed notebook, outputs included;
``manifest.json``
    package versions, parameters, the choices the notebook made from the data (its
    ``report_choices`` variable: trend terms, keywords, number of topics, comparison), random
    state, sha256 of the input files, start and end time and run time: what another person
    needs to reproduce the tables.

The same data and parameters give the same tables and figures; only the times in the
manifest differ. The same function that resolves the command's corpus argument,
:func:`load_docs`, is what the notebooks call, so ``CORPUS = "lee"`` in a notebook and
``corpus-tools report lee`` read the same documents. The report opens its corpus with
:func:`open_corpus`: a single Parquet file is tokenised by ``Corpus.from_parquet`` as it is
read, so that the texts of a large corpus never sit in the notebook's memory.

Run it as ``corpus-tools report ...`` or ``python -m corpus_tools.report ...``.
"""
from __future__ import annotations

import argparse
import ast
import copy
import datetime as _dt
import glob
import hashlib
import html
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from corpus_tools.errors import CorpusToolsError
from corpus_tools.io.files import visible_files

__all__ = [
    "CALENDAR_WORDS",
    "CHOICES_VARIABLE",
    "DEFAULT_CORPUS",
    "NUMBER_WORDS",
    "ReportError",
    "SWEEP_MAX_TOKENS",
    "choose_n_topics",
    "configure",
    "default_comparison",
    "distinct_headline_groups",
    "embed_html",
    "execute_notebook",
    "external_references",
    "grouping_column",
    "informative_terms",
    "input_files",
    "inject_parameters",
    "is_parquet_file",
    "largest_copy_groups",
    "load_docs",
    "main",
    "markdown_escape",
    "markdown_text",
    "moving_terms",
    "notebook_parameters",
    "open_corpus",
    "parquet_columns",
    "parse_param",
    "run",
    "to_html",
    "topic_corpus",
]

PROG = "corpus-tools report"
#: The corpus used when none is named: 171 English Wikinews articles of 2019, bundled with the
#: package and dated, so that every section of the report has something to show.
DEFAULT_CORPUS = "wikinews"
DEFAULT_NOTEBOOK = "report.ipynb"
#: Packages whose versions go into the manifest.
VERSIONED = ("corpus_tools", "pandas", "numpy", "scipy", "gensim", "nltk", "matplotlib", "networkx",
             "pyLDAvis", "nbclient", "nbconvert")
#: The notebook variable whose value (a dict of what the report chose from the data: trend terms,
#: KWIC keywords, number of topics, keyness comparison) goes into the manifest as ``choices``.
CHOICES_VARIABLE = "report_choices"
#: Manifests list every input file up to this many; beyond it only the count and the hash.
MAX_LISTED_FILES = 1000
_HASH_CHUNK = 1 << 20
_GLOB_CHARS = re.compile(r"[*?\[]")


class ReportError(CorpusToolsError):
    """The report could not be made; the message says which notebook, cell or argument."""


# --- the corpus argument ------------------------------------------------------------------------


def _registered(name: object) -> bool:
    import corpus_tools as ct

    return isinstance(name, str) and name in ct.datasets.registry()


def _check_exists(name_or_path: str | os.PathLike) -> None:
    text = os.fspath(name_or_path)
    if Path(text).expanduser().exists() or (_GLOB_CHARS.search(text) and glob.glob(text, recursive=True)):
        return
    import corpus_tools as ct

    raise ReportError(
        f"CORPUS {text!r} is neither a registered dataset ({', '.join(sorted(ct.datasets.registry()))}) "
        f"nor an existing file, folder or glob (relative to {Path.cwd()}). Check the spelling, or "
        "give the path of a folder of articles."
    )


def load_docs(name_or_path: str | os.PathLike = DEFAULT_CORPUS, **load_kwargs: Any) -> pd.DataFrame:
    """Load a corpus named by a registered dataset name or by a path.

    This is what the notebooks' ``CORPUS`` parameter means: ``"lee"`` or ``"reuters21578"``
    load that dataset with :func:`corpus_tools.datasets.load`; anything else is a file,
    folder or glob read with :func:`corpus_tools.load`. Write ``"./lee"`` for a folder that
    happens to have a dataset's name.

    Parameters
    ----------
    name_or_path : str or path-like, default "wikinews"
        A dataset name (see ``ct.datasets.list()``) or a path, folder or glob of articles.
    **load_kwargs
        Passed on to the loader, e.g. ``text="headline_text", date="publish_date"`` for a
        table of your own. Empty strings and ``None`` values are dropped, so that notebook
        parameters such as ``TEXT_COLUMN = None`` mean "the loader's default".

    Returns
    -------
    pandas.DataFrame
        The ``docs`` table (index ``doc_id``; columns ``text``, ``title``, ``date``,
        ``source``, ``sections``, ``url``, ``path`` and the input's own metadata), with the
        load report in ``docs.attrs["load_report"]``.

    Raises
    ------
    ReportError
        If ``name_or_path`` is neither a registered dataset nor an existing path; the
        message lists the dataset names.

    Examples
    --------
    >>> docs = load_docs("lee")
    >>> len(docs)
    300
    >>> load_docs("no/such/folder")
    Traceback (most recent call last):
    ...
    corpus_tools.report.ReportError: CORPUS 'no/such/folder' is neither a registered dataset (...
    """
    import corpus_tools as ct

    load_kwargs = {k: v for k, v in load_kwargs.items() if v is not None and v != ""}
    if _registered(name_or_path):
        return ct.datasets.load(name_or_path, **load_kwargs)
    _check_exists(name_or_path)
    return ct.load(os.fspath(name_or_path), **load_kwargs)


def is_parquet_file(name_or_path: object) -> bool:
    """Whether :func:`open_corpus` reads this corpus with ``Corpus.from_parquet``.

    True for the path of an existing file whose name ends in ``.parquet`` (any case) and that
    is not a registered dataset name; folders and globs of Parquet files go through
    :func:`load_docs`.

    Examples
    --------
    >>> is_parquet_file("lee"), is_parquet_file("no/such/file.parquet")
    (False, False)
    """
    if not isinstance(name_or_path, (str, os.PathLike)) or _registered(name_or_path):
        return False
    path = Path(os.fspath(name_or_path)).expanduser()
    return path.suffix.lower() == ".parquet" and path.is_file()


def parquet_columns(path: str | os.PathLike, *, text: str | None = None, date: str | None = None) -> dict[str, str]:
    """The column arguments of ``Corpus.from_parquet`` for a Parquet file of articles.

    Columns are recognised by the names :func:`corpus_tools.load` recognises
    (``corpus_tools.io.tables.CANDIDATES``: ``body`` or ``content`` for the text, ``headline``
    for the title, ``published`` for the date, ``outlet`` for the source ...), compared
    case-insensitively with spaces and hyphens read as ``_``, in the same order, so that a
    file reads into the same columns either way. Only the schema is read.

    Parameters
    ----------
    path : str or path-like
        A Parquet file.
    text, date : str, optional
        The text and date columns, when their names are not recognised (the report's
        ``TEXT_COLUMN`` and ``DATE_COLUMN``).

    Returns
    -------
    dict
        ``text`` always; ``id`` when a column is recognised as the doc ids and pandas stored no
        index; ``title``, ``date``, ``source`` when a column is recognised as one of them under
        another name (``Corpus.from_parquet`` renames it).

    Raises
    ------
    ReportError
        When no column is recognised as the text, or a named column is not in the file; the
        message lists the columns.

    Examples
    --------
    >>> parquet_columns("headlines.parquet")             # doctest: +SKIP
    {'text': 'headline_text', 'date': 'publish_date'}
    """
    import pyarrow.parquet as pq

    from corpus_tools.io.tables import CANDIDATES

    schema = pq.read_schema(os.fspath(path))
    index = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
    names = [c for c in schema.names if c not in index]
    for argument, given in (("TEXT_COLUMN", text), ("DATE_COLUMN", date)):
        if given is not None and given not in names:
            raise ReportError(f"{argument} {given!r} is not a column of {path}; its columns are {names}.")
    by_name: dict[str, str] = {}
    for column in names:
        by_name.setdefault(re.sub(r"[\s\-]+", "_", column.strip().lower()), column)
    chosen = {field: column for field, column in (("text", text), ("date", date)) if column is not None}
    used = set(chosen.values())
    for field, candidates in CANDIDATES.items():  # in ct.load's order: a column serves one field
        if field in chosen:
            continue
        column = next((by_name[c] for c in candidates if c in by_name and by_name[c] not in used), None)
        if column is not None:
            chosen[field] = column
            used.add(column)
    if "text" not in chosen:
        raise ReportError(f"no column of {path} is recognised as the articles' text; its columns are {names}. "
                          "Name it with --param TEXT_COLUMN=<column>.")
    out = {"text": chosen["text"]}
    if "id" in chosen and not index:
        out["id"] = chosen["id"]
    out.update({field: chosen[field] for field in ("title", "date", "source")
                if field in chosen and chosen[field] != field})
    return out


def open_corpus(name_or_path: str | os.PathLike = DEFAULT_CORPUS, *, text: str | None = None,
                date: str | None = None, docs: pd.DataFrame | None = None, **options: Any):
    """The tokenised corpus a report analyses, read the way its size needs.

    A Parquet file (:func:`is_parquet_file`) is tokenised by ``Corpus.from_parquet``: the texts
    are streamed from the file and stay there (``corpus.texts()`` reads back the few that KWIC
    lines and headlines show), so that a million articles are tokenised in about 0.6 GB, and the
    cached corpus is found again by the file's path, size and time without reading a text.
    Anything else is loaded by :func:`load_docs` and tokenised by ``Corpus.from_docs``.

    Parameters
    ----------
    name_or_path : str or path-like, default "wikinews"
        A dataset name, or a file, folder or glob of articles, as for :func:`load_docs`.
    text, date : str, optional
        The text and date columns of a table of your own (the report's ``TEXT_COLUMN`` and
        ``DATE_COLUMN``); ``None`` means the names ``ct.load`` recognises.
    docs : pandas.DataFrame, optional
        Documents already loaded from ``name_or_path`` (e.g. another corpus's ``docs``), tokenised
        again instead of loaded again when they hold a ``text`` column.
    **options
        Passed to ``Corpus.from_parquet`` / ``Corpus.from_docs`` (``extra_stopwords``,
        ``lemmatize``, ``min_df`` ...); ``progress`` is off unless given.

    Returns
    -------
    Corpus
        From a Parquet file, its ``docs`` holds every column but the text, as stored
        (``docs.attrs["text_source"]`` names the file); otherwise the docs of :func:`load_docs`,
        load report included.

    Raises
    ------
    ReportError
        ``name_or_path`` is neither a dataset nor an existing path, or no column of a Parquet
        file is recognised as the text (see :func:`parquet_columns`).

    Examples
    --------
    >>> open_corpus("lee", extra_stopwords="news").n_docs
    300
    """
    import corpus_tools as ct

    options = {"progress": False, **options}
    if is_parquet_file(name_or_path):
        return ct.Corpus.from_parquet(name_or_path, **parquet_columns(name_or_path, text=text, date=date), **options)
    if docs is None or "text" not in docs.columns:
        docs = load_docs(name_or_path, text=text, date=date)
    return ct.Corpus.from_docs(docs, **options)


def topic_corpus(name_or_path: str | os.PathLike = DEFAULT_CORPUS, *, n_topics: int, text: str | None = None,
                 date: str | None = None, docs: pd.DataFrame | None = None, **options: Any):
    """The corpus a report's topic model is fitted on, and a note when it had to take every term.

    Lemmatised terms in at least 2 and at most half of the documents: the words that can tell
    topics apart. Short articles that share their words may have fewer than two per topic; then
    every lemmatised term is used, which still shows what the corpus is about. From a Parquet
    file the limits are applied while tokenising (filtering a built corpus of a million articles
    would copy its arrays); otherwise by ``Corpus.filter_terms``, with the same result.

    Parameters
    ----------
    name_or_path, text, date, docs
        As for :func:`open_corpus`.
    n_topics : int
        The fewest topics the model may have: fewer than ``2 * n_topics`` terms are too few.
    **options
        Further options of the corpus (e.g. ``extra_stopwords``).

    Returns
    -------
    corpus : Corpus
    note : str or None
        Markdown saying that every term is used and why; None when the limits left enough.

    Examples
    --------
    >>> corpus, note = topic_corpus("lee", n_topics=5, extra_stopwords="news")
    >>> note is None
    True
    """
    options = {**options, "lemmatize": True}
    lemmas = chosen = None
    if is_parquet_file(name_or_path):
        try:
            chosen = open_corpus(name_or_path, text=text, date=date, min_df=2, max_df=0.5, **options)
        except ValueError:  # no term within the limits
            pass
    else:
        lemmas = open_corpus(name_or_path, text=text, date=date, docs=docs, **options)
        try:
            chosen = lemmas.filter_terms(min_df=2, max_df=0.5)
        except ValueError:
            pass
    if chosen is not None and chosen.n_terms >= 2 * n_topics:
        return chosen, None
    if lemmas is None:
        lemmas = open_corpus(name_or_path, text=text, date=date, docs=docs, **options)
    found = "No term is" if chosen is None else f"Only {chosen.n_terms:,} terms are"
    return lemmas, (f"{found} in at least 2 and at most half of the {lemmas.n_docs:,} documents, too few for "
                    f"{n_topics} topics; the model uses all {lemmas.n_terms:,} terms instead.")


def input_files(name_or_path: str | os.PathLike = DEFAULT_CORPUS) -> list[Path]:
    """The files a corpus is read from, in sorted path order (what the manifest hashes).

    Parameters
    ----------
    name_or_path : str or path-like, default "wikinews"
        A dataset name or a file, folder or glob, as for :func:`load_docs`.

    Returns
    -------
    list of pathlib.Path
        For a dataset: the files its registry entry reads (e.g. the 22 ``reut2-*.sgm``
        files), without downloading anything. For a folder: every file under it except
        hidden ones, including files the loader skips as not being articles. For a glob:
        its matches (folders expanded); for a file: the file.

    Raises
    ------
    ReportError
        If the dataset is not on this machine or the path does not exist.

    Examples
    --------
    >>> [p.name for p in input_files("lee")]
    ['lee_background.cor']
    """
    import corpus_tools as ct

    if _registered(name_or_path):
        entry = ct.datasets.registry()[name_or_path]
        try:
            where = ct.datasets.path(name_or_path, download=False)
        except CorpusToolsError as exc:
            raise ReportError(str(exc)) from exc
        if where.is_file():
            return [where]
        patterns = entry["loader"].get("files", ".")
        patterns = [patterns] if isinstance(patterns, str) else list(patterns)
        found: set[Path] = set()
        for pattern in patterns:
            if pattern == ".":
                found.update(visible_files(where))
                continue
            for match in where.glob(pattern):
                found.update(visible_files(match) if match.is_dir() else [match])
        return sorted(found)
    _check_exists(name_or_path)
    path = Path(os.fspath(name_or_path)).expanduser()
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(visible_files(path))
    found = set()
    for match in map(Path, glob.glob(os.fspath(name_or_path), recursive=True)):
        found.update(visible_files(match) if match.is_dir() else [match])
    return sorted(found)


def _sha256(files: Iterable[Path]) -> tuple[str, list[dict[str, Any]]]:
    """One digest over the files' contents in the given order, plus one per file."""
    total = hashlib.sha256()
    listed = []
    for f in files:
        one = hashlib.sha256()
        with open(f, "rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                one.update(chunk)
                total.update(chunk)
        listed.append({"path": str(f), "bytes": f.stat().st_size, "sha256": one.hexdigest()})
    return total.hexdigest(), listed


# --- text from the data, shown as Markdown --------------------------------------------------------

# Every ASCII character with a meaning in Markdown, except those html.escape turns into entities
# (& < >) and the ";" that ends them. Backslash-escaped, each stands for itself (CommonMark).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")


def markdown_escape(value: object, *, code: bool = False) -> str:
    """Text from the data, made safe to put into Markdown that a report displays.

    nbconvert renders Markdown with raw HTML passed through and links of any scheme kept, so a
    title, section name or path such as ``<img src=x onerror=...>`` or
    ``[x](javascript:...)`` would become live HTML in the report. Escaped, it shows as written.

    Parameters
    ----------
    value : object
        Shown as ``str(value)``; line breaks become spaces (the value is part of a sentence).
    code : bool, default False
        Return a code span (monospace, e.g. for a path or column name) instead of plain text;
        its backtick fence is longer than any run of backticks in the value.

    Returns
    -------
    str
        Markdown that renders as the value's text and nothing else.

    Examples
    --------
    >>> markdown_escape("<b>A & B</b> [x](y)")
    '&lt;b&gt;A &amp; B&lt;/b&gt; \\\\[x\\\\]\\\\(y\\\\)'
    >>> markdown_escape("my `odd` folder", code=True)
    '``my `odd` folder``'
    """
    text = re.sub(r"\s*[\r\n]+\s*", " ", str(value))
    if code:
        # code spans show their content literally, HTML escaped by the renderer
        if not text.strip():
            return markdown_escape(text)
        fence = "`" * (max(map(len, re.findall(r"`+", text)), default=0) + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        return f"{fence}{pad}{text}{pad}{fence}"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


_MARKDOWN_PIECE = re.compile(r"(`+) ?(.*?) ?\1|\*\*|\\([\\`*_{}\[\]()#+\-.!|~:])")


def markdown_text(markdown: str) -> str:
    """The plain text of Markdown made with :func:`markdown_escape` and ``**bold**`` (for the manifest).

    Examples
    --------
    >>> markdown_text("documents whose " + markdown_escape("sections", code=True) + " is **"
    ...               + markdown_escape("<b>A</b> (x)") + "**")
    'documents whose sections is <b>A</b> (x)'
    """
    out, last = [], 0
    for match in _MARKDOWN_PIECE.finditer(markdown):
        out.append(html.unescape(markdown[last:match.start()]))
        if match.group(1):
            out.append(match.group(2))                      # a code span shows its content literally
        elif match.group(3):
            out.append(match.group(3))
        last = match.end()
    out.append(html.unescape(markdown[last:]))
    return "".join(out)


# --- choices the report makes for the reader ------------------------------------------------------


def grouping_column(docs: pd.DataFrame, candidates: Sequence[str] = ("sections", "source")) -> str | None:
    """The first metadata column that splits the documents into at least two groups.

    Parameters
    ----------
    docs : pandas.DataFrame
        A ``docs`` table (or ``corpus.docs``).
    candidates : sequence of str, default ("sections", "source")
        Columns tried in order; list columns such as ``sections`` are exploded.

    Returns
    -------
    str or None
        The column name, or None when no candidate has two or more distinct values.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"source": ["A", "A"], "sections": [["sport"], ["tech", "sport"]]})
    >>> grouping_column(docs)
    'sections'
    >>> grouping_column(docs, ["source"]) is None
    True
    """
    for column in candidates:
        if column in docs and _group_values(docs[column]).dropna().nunique() > 1:
            return column
    return None


def _group_values(values: pd.Series) -> pd.Series:
    """The values of a grouping column, list cells exploded (lists from ``ct.load``, arrays as
    ``pd.read_parquet`` reads a list column)."""
    import numpy as np

    if values.dtype == object and values.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
        return values.explode()
    return values


def _date_halves(corpus):
    """(mask of the documents dated on or after the middle of the date range, the middle), or None."""
    dates = corpus.dates
    if not dates.notna().any() or not dates.min() < dates.max():
        return None
    middle = dates.min() + (dates.max() - dates.min()) / 2
    return (dates >= middle).to_numpy(), middle


def default_comparison(corpus, *, group_column: str | None = None, focus_term: str | None = None):
    """The keyness comparison a report makes when the user names none, and a sentence saying so.

    In order of preference:

    1. a grouping column (``group_column``, else ``sections`` then ``source``, see
       :func:`grouping_column`): its largest group against all other documents;
    2. dates: documents dated on or after the middle of the date range against the earlier ones;
    3. ``focus_term``, when given: the documents mentioning it against those that do not;
    4. otherwise length: the documents longer than the median (in tokens after stopwords) against
       the others. News corpora mix short briefs with long reports and features, so the split says
       something about the corpus, and unlike a split by a term it does not decide in advance
       which words come out as key.

    Parameters
    ----------
    corpus : Corpus
    group_column : str, optional
        Use this docs column for rule 1 (it must have two or more values).
    focus_term : str, optional
        The term of rule 3.

    Returns
    -------
    target : dict or numpy.ndarray of bool
        ``{column: value}`` for rule 1, else a boolean mask over the documents; either is a
        valid ``target`` of :func:`corpus_tools.keyness`.
    description : str
        Markdown naming target and reference, e.g. "documents whose `sections` is **sport**
        (the largest group) against all other documents"; the values from the data in it are
        escaped (:func:`markdown_escape`).

    Raises
    ------
    ReportError
        If ``group_column`` is not a docs column or has fewer than two values, or when no rule
        applies (no groups, no two dates, no focus term and every document of the same length).
    KeyError
        If ``focus_term`` is not in the vocabulary (from ``Corpus.term_id``).

    Examples
    --------
    >>> target, description = default_comparison(corpus)       # doctest: +SKIP
    >>> description                                            # doctest: +SKIP
    'documents whose `source` is **Reuters** (the largest group) against all other documents'
    """
    import numpy as np

    docs = corpus.docs
    if group_column is not None:
        if group_column not in docs or grouping_column(docs, [group_column]) is None:
            raise ReportError(
                f"GROUP_COLUMN {group_column!r} must be a docs column with at least two distinct values; "
                f"the columns are {list(docs.columns)}."
            )
        column = group_column
    else:
        column = grouping_column(docs)
    if column is not None:
        values = _group_values(docs[column])
        counts = values.dropna().value_counts()
        # Ties are broken by name, so the choice does not depend on row order.
        largest = sorted(counts.index[counts == counts.max()], key=str)[0]
        # a group that holds every document (one article in three sections) leaves nothing to
        # compare it with: then the dates or the document lengths decide
        if counts[largest] < len(docs) or group_column is not None:
            return ({column: largest},
                    f"documents whose {markdown_escape(column, code=True)} is **{markdown_escape(largest)}** "
                    "(the largest group) against all other documents")
    halves = _date_halves(corpus)
    if halves is not None:
        later, middle = halves
        return (later,
                f"documents dated from **{middle:%Y-%m-%d}** on (the second half of the date range) "
                "against the earlier ones")
    if focus_term is not None:
        mask = corpus.dtm[:, corpus.term_id(focus_term)].toarray().ravel() > 0
        return (mask, f"documents mentioning **{markdown_escape(focus_term)}** against the documents that do not")
    lengths = np.asarray(corpus.doc_lengths)
    median = float(np.median(lengths)) if lengths.size else 0.0
    longer = lengths > median
    if not longer.any():
        raise ReportError(
            "the corpus has no column that splits it into groups, no two different dates, and all of its "
            f"{corpus.n_docs:,} documents have the same length; give FOCUS_TERM or GROUP_COLUMN.")
    return (longer,
            f"the **{int(longer.sum()):,}** documents longer than the median of **{median:,.0f}** tokens against "
            f"the **{int((~longer).sum()):,}** shorter ones (the corpus has neither groups nor dates to compare; "
            "long reports and features against short items)")


def largest_copy_groups(groups: pd.DataFrame, docs: pd.DataFrame, n: int = 10, *,
                        headline_length: int = 90) -> pd.DataFrame:
    """The largest groups of copies, one row each, with the headline of their earliest member.

    Parameters
    ----------
    groups : pandas.DataFrame
        From :func:`corpus_tools.near_duplicates` on these documents (at least ``group`` and
        ``doc_id``; groups sharing a document are merged, as ``dedupe=`` merges them).
    docs : pandas.DataFrame
        The documents (``corpus.docs``, index ``doc_id``): their ``title`` (else the start of
        their ``text``) is the group's headline; their ``date`` (else the groups' ``date``)
        and position decide which member is the earliest.
    n : int, default 10
        Groups returned, largest first (ties: the earlier group first).
    headline_length : int, default 90
        Longer headlines are cut, with "…".

    Returns
    -------
    pandas.DataFrame
        Index ``group``; columns ``documents`` (members), ``copies`` (by kind, e.g.
        ``"exact 3, contained 1"``, when the groups have a ``kind``), ``first date`` and
        ``last date`` (``YYYY-MM-DD``, when the groups have dates; empty for undated),
        ``sources`` (distinct sources, when the groups have more than one in all),
        ``headlines`` (distinct titles among the members, case and spacing folded, when they
        have titles: many in a
        large group point to a template, such as results notices whose names and numbers
        differ; see :func:`distinct_headline_groups`) and ``headline`` (of the earliest member:
        by date, undated last, then position in ``docs``; empty when no member is in
        ``docs``). A column that would say nothing (no date, one source, no title) is left
        out. The values are the data's own: escape them for HTML.

    Raises
    ------
    ValueError
        ``n`` or ``headline_length`` is not a positive integer, or ``groups`` lacks the columns
        ``group`` and ``doc_id``.

    Examples
    --------
    >>> groups = pd.DataFrame({"group": [0, 0, 1, 1, 1], "doc_id": ["a", "b", "c", "d", "e"],
    ...                        "kind": ["first", "exact", "first", "near", "contained"]})
    >>> docs = pd.DataFrame({"title": ["Oil up", None, None, "x", "y"],
    ...                      "text": ["", "", "Gold fell as the dollar rose.", "", ""]},
    ...                     index=["a", "b", "c", "d", "e"])
    >>> largest_copy_groups(groups, docs, headline_length=12)
           documents               copies  headlines      headline
    group
    1              3  near 1, contained 1          2  Gold fell a…
    0              2              exact 1          1        Oil up
    """
    from corpus_tools.analyses._dedupe import check_groups, group_members, merge_overlapping
    from corpus_tools.errors import check_positive_int

    n = check_positive_int("n", n)
    headline_length = check_positive_int("headline_length", headline_length)
    check_groups(groups)
    kinds = ("exact", "near", "contained")
    has_kind = "kind" in groups.columns
    if groups.empty:
        return pd.DataFrame(columns=["documents", "copies", "headline"]).rename_axis("group")
    groups = merge_overlapping(groups)
    per = groups.groupby("group", sort=True)
    out = pd.DataFrame({"documents": per.size()})
    out = out.sort_values("documents", ascending=False, kind="stable").head(n)
    if has_kind:
        counts = pd.crosstab(groups["group"], groups["kind"].astype(str))
        out["copies"] = [", ".join(f"{k} {int(counts.loc[g, k])}" for k in kinds
                                   if k in counts.columns and counts.loc[g, k]) for g in out.index]
    if "date" in groups.columns and groups["date"].notna().any():
        for name, how in (("first date", "min"), ("last date", "max")):
            out[name] = per["date"].agg(how).reindex(out.index).dt.strftime("%Y-%m-%d").fillna("")
    if "source" in groups.columns and groups["source"].nunique() > 1:
        out["sources"] = per["source"].nunique().reindex(out.index)
    if "title" in docs.columns:
        titles = _headline_key(docs["title"].reindex(groups["doc_id"]))
        if titles.notna().any():
            out["headlines"] = titles.groupby(groups["group"].to_numpy()).nunique().reindex(out.index)

    if "date" not in docs.columns and "date" in groups.columns:
        # docs without dates (a table of their own): the dates near_duplicates put in the groups
        docs = docs.assign(date=groups.drop_duplicates("doc_id").set_index("doc_id")["date"].reindex(docs.index))
    members = group_members(docs, groups)
    earliest = dict(zip(members.group[members.is_first], members.rows[members.is_first]))

    def headline(row: int | None) -> str:
        doc = docs.iloc[row] if row is not None else pd.Series(dtype=object)
        text = doc.get("title")
        if not isinstance(text, str) or not text.strip():
            text = doc.get("text") if isinstance(doc.get("text"), str) else ""
        text = " ".join(text.split())
        return text if len(text) <= headline_length else text[: headline_length - 1].rstrip() + "…"

    out["headline"] = [headline(earliest.get(g)) for g in out.index]
    return out


def _headline_key(titles: pd.Series) -> pd.Series:
    """Titles compared as headlines: case and spacing folded, blank ones missing."""
    key = titles.astype("string").str.split().str.join(" ").str.casefold()
    return key.where(key.str.len() > 0)


def distinct_headline_groups(groups: pd.DataFrame, docs: pd.DataFrame) -> pd.Index:
    """The copy groups whose members mostly carry different headlines.

    Most such groups are one story that its outlets re-headlined. A few may be templated
    notices (quarterly results, dividends, price settings: the same wording with other names)
    whose figures agree, which :func:`corpus_tools.near_duplicates` groups although it compares
    the numbers of the texts (``check_numbers``); the counts say how much weight these groups
    carry, so that a reader can look at a few before leaving them out.

    Parameters
    ----------
    groups : pandas.DataFrame
        From :func:`corpus_tools.near_duplicates` (at least ``group`` and ``doc_id``; groups
        sharing a document are merged).
    docs : pandas.DataFrame
        The documents (index ``doc_id``), with a ``title`` column.

    Returns
    -------
    pandas.Index
        The ``group`` values (named ``group``, in sorted order) of the groups with at least two
        titled members where no headline (case and spacing folded) is carried by more than
        half of them: two members with two headlines, or four with three, but not three
        members of which two share one. Empty without a ``title`` column.

    Raises
    ------
    ValueError, TypeError
        ``groups`` is not a table with the columns ``group`` and ``doc_id``.

    Examples
    --------
    >>> groups = pd.DataFrame({"group": [0, 0, 0, 1, 1, 1], "doc_id": ["a", "b", "c", "d", "e", "f"]})
    >>> docs = pd.DataFrame({"title": ["ACME 4TH QTR NET", "Bolt Corp 4th qtr net", "Cog Inc 4th qtr net",
    ...                                "Strike ends", "strike  ENDS", "Refinery reopens"]},
    ...                     index=["a", "b", "c", "d", "e", "f"])
    >>> distinct_headline_groups(groups, docs).tolist()
    [0]
    """
    from corpus_tools.analyses._dedupe import check_groups, merge_overlapping

    check_groups(groups)
    if "title" not in docs.columns or groups.empty:
        return pd.Index([], name="group")
    groups = merge_overlapping(groups)
    key = _headline_key(docs["title"].reindex(groups["doc_id"]))
    rows = pd.DataFrame({"group": groups["group"].to_numpy(), "key": key.to_numpy()}).dropna()
    titled = rows.groupby("group", sort=True).size()
    most_shared = rows.groupby(["group", "key"], sort=True).size().groupby(level="group").max()
    return titled.index[(titled >= 2) & (most_shared.reindex(titled.index) <= titled / 2)].rename("group")


#: Words that name a date or a count. They rise and fall with the calendar (``october`` in
#: October) or with the form of the news (``nine mths`` in quarterly results), not with what the
#: news is about, so the report does not pick them as trend terms or KWIC keywords.
CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "today yesterday tomorrow tonight day days week weeks weekend month months year years mth mths "
    "qtr qtrs quarter quarterly yr yrs wk wks annual".split()
)
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "hundreds thousand thousands million millions billion billions trillion dozen dozens "
    "first second third fourth fifth sixth seventh eighth ninth tenth half".split()
)


def informative_terms(terms: Iterable[str], *, min_length: int = 3) -> list[str]:
    """The terms worth showing a reader as examples: no dates, numbers or very short tokens.

    Parameters
    ----------
    terms : iterable of str
        Candidates, best first.
    min_length : int, default 3
        Shorter terms (``us``, ``mr``, ``pm``) are left out.

    Returns
    -------
    list of str
        The candidates, in order and without repeats, except those holding a digit, shorter
        than ``min_length`` or in :data:`CALENDAR_WORDS` or :data:`NUMBER_WORDS`.

    Examples
    --------
    >>> informative_terms(["october", "mths", "nine", "1987", "oil", "us", "gulf", "oil"])
    ['oil', 'gulf']
    """
    out: list[str] = []
    seen: set[str] = set()  # a set: the whole vocabulary may pass through here
    for term in terms:
        term = str(term)
        if (len(term) < min_length or re.search(r"\d", term) or term.lower() in CALENDAR_WORDS
                or term.lower() in NUMBER_WORDS or term in seen):
            continue
        seen.add(term)
        out.append(term)
    return out


def moving_terms(corpus, n: int = 5, *, min_df: int | None = None, min_ratio: float = 2.0) -> pd.DataFrame:
    """The terms whose share of documents changed most between the two halves of the date range.

    The halves are split at the middle of the date range, as in :func:`default_comparison`.
    For every term the share of documents mentioning it is compared between the halves with a
    two-proportion z statistic, which weighs the size of the change against what chance alone
    would give for a term that common. A term must be in at least ``min_df`` dated documents
    and its share must grow or shrink by at least ``min_ratio`` (so a common word with a small
    but certain change does not win); dates, numbers and short tokens are left out
    (:func:`informative_terms`).

    Parameters
    ----------
    corpus : Corpus
    n : int, default 5
        Terms returned (fewer when fewer qualify).
    min_df : int, optional
        Default: 1% of the dated documents, and at least 5.
    min_ratio : float, default 2.0
        The smallest change of share, as a factor either way.

    Returns
    -------
    DataFrame
        Columns ``term``, ``docs_before``, ``docs_after`` (documents mentioning it in each half),
        ``share_before``, ``share_after`` (those counts divided by the half's documents),
        ``change`` (``share_after - share_before``), ``z``; largest ``|z|`` first, ties by term.
        ``attrs`` holds ``middle`` (the first day of the second half), ``n_before``,
        ``n_after`` and ``min_df``.

    Raises
    ------
    ReportError
        If the corpus does not have two different dates.

    Examples
    --------
    >>> moving_terms(corpus, 3)["term"].tolist()                # doctest: +SKIP
    ['twitter', 'democratic', 'child']
    """
    import numpy as np

    halves = _date_halves(corpus)
    if halves is None:
        raise ReportError("moving terms need a corpus with at least two different dates.")
    later, middle = halves
    dated = corpus.dates.notna().to_numpy()
    earlier = dated & ~later
    n_after, n_before = int(later.sum()), int(earlier.sum())
    after, before = _document_frequencies(corpus.dtm, [later, earlier])
    if min_df is None:
        min_df = max(5, int(np.ceil(0.01 * dated.sum())))
    share_after, share_before = after / n_after, before / n_before
    pooled = (after + before) / (n_after + n_before)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n_after + 1 / n_before))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(spread > 0, (share_after - share_before) / spread, 0.0)
        # half a document added to each side, so a term absent from one half has a finite ratio
        ratio = np.abs(np.log2((share_after + 0.5 / n_after) / (share_before + 0.5 / n_before)))
    keep = (after + before >= min_df) & (ratio >= np.log2(min_ratio))
    table = pd.DataFrame({
        "term": np.asarray(corpus.vocab, dtype=object), "docs_before": before, "docs_after": after,
        "share_before": share_before, "share_after": share_after, "change": share_after - share_before, "z": z,
    })[keep]
    table = table.assign(_order=-table["z"].abs()).sort_values(["_order", "term"], kind="stable")
    table = table[table["term"].isin(informative_terms(table["term"]))].drop(columns="_order")
    table = table.head(n).reset_index(drop=True)
    table.attrs.update(middle=middle, n_before=n_before, n_after=n_after, min_df=int(min_df))
    return table


def _document_frequencies(dtm, masks, block: int = 65_536):
    """For each boolean mask over the documents, the documents among them holding each term.

    Read from the matrix's entries a block of documents at a time, so that a corpus of a
    million articles needs no copy of its matrix (a 0/1 matrix of 66M entries is half a gigabyte).
    """
    import numpy as np

    out = [np.zeros(dtm.shape[1], dtype=np.int64) for _ in masks]
    indptr = dtm.indptr
    for start in range(0, dtm.shape[0], block):
        stop = min(start + block, dtm.shape[0])
        lo, hi = indptr[start], indptr[stop]
        terms = dtm.indices[lo:hi]
        present = dtm.data[lo:hi] > 0
        for total, mask in zip(out, masks):
            held = np.repeat(mask[start:stop], np.diff(indptr[start:stop + 1])) & present
            total += np.bincount(terms[held], minlength=dtm.shape[1])
    return out


#: Topic sweeps read at most this many tokens: a larger corpus is swept on a random sample of its
#: documents, so that choosing the number of topics costs seconds, not minutes.
SWEEP_MAX_TOKENS = 60_000


def choose_n_topics(corpus, ks: Sequence[int] = (4, 6, 8, 10, 12), *, random_state: int = 0,
                    max_tokens: int = SWEEP_MAX_TOKENS, min_diversity: float = 0.7, max_share: float = 0.5):
    """Choose the number of topics from a quick :func:`corpus_tools.topic_sweep`.

    The chosen ``k`` has the highest mean NPMI coherence (the top terms of its topics occur
    together in the documents) among the ``k`` whose topics are worth reading one by one: their
    diversity is at least ``min_diversity`` (the topics do not repeat each other's top terms) and
    no topic holds more than ``max_share`` of the corpus (on a small corpus a few topics may
    leave one catch-all topic of common words). When no ``k`` passes both, the one whose largest
    topic is smallest among the diverse ones, else the most diverse. Ties go to the smaller ``k``.

    Parameters
    ----------
    corpus : Corpus
        The corpus the topic model will be fitted on.
    ks : sequence of int, default (4, 6, 8, 10, 12)
        Numbers of topics tried; those below 2 or not below the number of documents are left out.
    random_state : int, default 0
        Seeds the models and the sample.
    max_tokens : int, default SWEEP_MAX_TOKENS
        A larger corpus is swept on a random sample of documents holding about this many tokens.
    min_diversity : float, default 0.7
    max_share : float, default 0.5
        The largest mean share of one topic over the documents.

    Returns
    -------
    k : int
        The chosen number of topics.
    sweep : DataFrame
        The :func:`corpus_tools.topic_sweep` table (with ``largest_share``, the mean share of the
        largest topic); empty when only one ``k`` was possible.
    description : str
        Markdown: which ``k`` were tried, on what, which was picked and why.

    Raises
    ------
    ReportError
        If ``ks`` is empty or the corpus has fewer than three documents.
    """
    import numpy as np

    import corpus_tools as ct

    if not len(ks):
        raise ReportError("TOPIC_SWEEP must list at least one number of topics, e.g. [5, 8, 12].")
    tried = sorted({int(k) for k in ks if 2 <= int(k) < corpus.n_docs})
    if not tried:
        if corpus.n_docs < 3:
            raise ReportError(f"a topic model needs at least 3 documents; the corpus has {corpus.n_docs:,}.")
        k = min(max(int(k) for k in ks), corpus.n_docs - 1)
        return k, pd.DataFrame(), (f"With {corpus.n_docs:,} documents the model has **{k}** topics "
                                   "(one fewer than the documents).")
    sample = ""
    swept = corpus
    if corpus.n_tokens > max_tokens:
        size = max(tried[-1] + 1, int(corpus.n_docs * max_tokens / corpus.n_tokens))
        sampled = np.zeros(corpus.n_docs, dtype=bool)
        sampled[np.random.default_rng(random_state).choice(corpus.n_docs, size=size, replace=False)] = True
        swept = corpus.select(sampled)
        sample = (f" on a random sample of {size:,} of the {corpus.n_docs:,} documents (a sweep of the whole "
                  "corpus would take too long)")
    sweep = ct.topic_sweep(swept, tried, random_state=random_state)
    diverse = sweep[sweep["diversity"] >= min_diversity]
    readable = diverse[diverse["largest_share"] <= max_share]
    distinct = (f"topics stay distinct (diversity, the share of distinct top terms, at least {min_diversity:g}) "
                f"and no topic holds more than {max_share:.0%} of the corpus")
    if not readable.empty:
        best = readable.sort_values(["c_npmi", "k"], ascending=[False, True], kind="stable").iloc[0]
        why = f"it has the highest NPMI coherence ({best['c_npmi']:.3f}) among those whose {distinct}"
    elif not diverse.empty:
        best = diverse.sort_values(["largest_share", "k"], kind="stable").iloc[0]
        why = (f"no number of topics met both conditions ({distinct}), so the one with the smallest largest "
               "topic among the diverse ones was taken")
    else:
        best = sweep.sort_values(["diversity", "k"], ascending=[False, True], kind="stable").iloc[0]
        why = f"no number of topics reached a diversity of {min_diversity:g}, so the most diverse was taken"
    k = int(best["k"])
    listed = ", ".join(map(str, tried))
    return k, sweep, (f"The number of topics, **{k}**, was chosen by fitting models with {listed} topics"
                      f"{sample}: {why}.")


# --- parameters ----------------------------------------------------------------------------------


def parse_param(text: str) -> tuple[str, Any]:
    """Split ``KEY=VALUE``; the value is a Python literal when it parses as one, else a string.

    Parameters
    ----------
    text : str
        e.g. ``"N_TOPICS=8"``, ``"DATE_FREQ=YS"``, ``"TERMS=['oil', 'gold']"``.

    Returns
    -------
    (str, object)
        The key and the value (``8``, ``"YS"``, ``["oil", "gold"]``).

    Raises
    ------
    ReportError
        If there is no ``=`` or the key is not a Python name.

    Examples
    --------
    >>> parse_param("N_TOPICS=8")
    ('N_TOPICS', 8)
    >>> parse_param("DATE_FREQ=YS")
    ('DATE_FREQ', 'YS')
    >>> parse_param("TERMS=['oil', 'gold']")
    ('TERMS', ['oil', 'gold'])
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier():
        raise ReportError(
            f"--param expects KEY=VALUE with KEY a parameter name, e.g. --param N_TOPICS=8; got {text!r}."
        )
    try:
        parsed = ast.literal_eval(value.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        parsed = value
    return key, parsed


def _parameters_cell(nb) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return index
    return -1


def notebook_parameters(nb) -> dict[str, Any]:
    """The names and default values assigned in a notebook's cell tagged ``parameters``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook read with ``nbformat.read``.

    Returns
    -------
    dict
        ``{name: value}`` for each top-level assignment; a value that is not a Python literal
        (e.g. an expression) is given as its source text.

    Raises
    ------
    ReportError
        If the notebook has no code cell tagged ``parameters``.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "CORPUS = 'lee'\\nN_TOPICS = 5", metadata={"tags": ["parameters"]})])
    >>> notebook_parameters(nb)
    {'CORPUS': 'lee', 'N_TOPICS': 5}
    """
    index = _parameters_cell(nb)
    if index < 0:
        raise ReportError(
            "the notebook has no code cell tagged 'parameters'; tag the cell that holds the inputs "
            "(in JupyterLab: Property Inspector > Cell Tags), so that parameters can be injected after it."
        )
    source = nb.cells[index].source
    values: dict[str, Any] = {}
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if getattr(node, "value", None) is None:
            continue
        for target in targets:
            pairs = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) \
                    and len(target.elts) == len(node.value.elts):
                pairs = list(zip(target.elts, node.value.elts))  # A, B = 1, 2
            for name, value in pairs:
                if isinstance(name, ast.Name):
                    try:
                        values[name.id] = ast.literal_eval(value)
                    except ValueError:
                        values[name.id] = ast.get_source_segment(source, value)
    return values


def inject_parameters(nb, params: dict[str, Any]):
    """A copy of ``nb`` with a cell tagged ``injected-parameters`` after its ``parameters`` cell.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    params : dict
        Overrides; each must be assigned in the ``parameters`` cell, and its value must be a
        Python literal (str, int, float, bool, None, or lists/tuples/dicts of them).

    Returns
    -------
    nbformat.NotebookNode
        The new notebook (``nb`` is not changed). With no ``params``, an unchanged copy.

    Raises
    ------
    ReportError
        If the notebook has no ``parameters`` cell, or a key is not one of its parameters
        (the message lists them).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "N_TOPICS = 5", metadata={"tags": ["parameters"]})])
    >>> inject_parameters(nb, {"N_TOPICS": 8}).cells[1].source
    '# Parameters\\nN_TOPICS = 8'
    """
    import nbformat

    known = notebook_parameters(nb)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ReportError(
            f"unknown parameter(s) {unknown}; this notebook's parameters are {sorted(known)}."
        )
    out = copy.deepcopy(nb)
    if not params:
        return out
    lines = ["# Parameters"] + [f"{key} = {value!r}" for key, value in params.items()]
    for key, value in params.items():
        try:
            if ast.literal_eval(repr(value)) != value:
                raise ValueError
        except (ValueError, SyntaxError):
            raise ReportError(f"parameter {key} must be a Python literal; got {value!r}.") from None
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["injected-parameters"]})
    if nb.get("nbformat_minor", 0) >= 5:
        cell["id"] = "injected-parameters"  # a fixed id: a random one would make two runs' HTML differ
    else:
        cell.pop("id", None)  # cell ids are not part of nbformat < 4.5
    out.cells.insert(_parameters_cell(nb) + 1, cell)
    return out


# --- executing -----------------------------------------------------------------------------------


def _last_lines(text: str, n: int = 8) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # ANSI colours of IPython tracebacks
    return "\n".join(text.rstrip().splitlines()[-n:])


def execute_notebook(
    nb,
    *,
    cwd: str | os.PathLike | None = None,
    timeout: int | None = 600,
    name: str = "notebook",
    progress: Callable[[str], Any] | None = None,
    kernel_name: str = "python3",
    collect: str | None = None,
):
    """Execute a notebook cell by cell in a fresh kernel of the current Python.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook; its cells receive their outputs (it is changed in place).
    cwd : path-like, optional
        The kernel's working directory (default: the current one).
    timeout : int or None, default 600
        Seconds one cell may run; None for no limit.
    name : str, default "notebook"
        How messages name the notebook (its path).
    progress : callable, optional
        Called with one line per executed code cell: ``"[ 3/24] cell 5 Top terms ... 0.4 s"``
        (executed / total code cells, the cell's 1-based position in ``nb``, i.e. in the
        executed notebook, injected-parameters cell included, the nearest Markdown heading
        above the cell, and the time the cell took).
    kernel_name : str, default "python3"
        The kernelspec. ``python3`` runs ``python`` from the kernelspec, which Jupyter replaces
        with the interpreter running this function, so the kernel sees the same packages.
    collect : str, optional
        The name of a variable holding JSON-compatible data (e.g. ``"report_choices"``): after
        the last cell its value is stored in ``nb.metadata["corpus_tools"][collect]`` (None when
        the notebook does not define it).

    Returns
    -------
    nbformat.NotebookNode
        ``nb``, executed.

    Raises
    ------
    ReportError
        When a cell fails or times out: ``"<name>, cell 7: ZeroDivisionError: division by
        zero"`` followed by the last lines of the traceback. The cells before it keep their
        outputs, the failing cell holds the error.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1 + 1)")])
    >>> execute_notebook(nb).cells[0].outputs[0]["text"]       # doctest: +SKIP
    '2\\n'
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel_name, allow_errors=False,
        resources={"metadata": {"path": os.fspath(cwd) if cwd is not None else os.getcwd()}},
        record_timing=False,
    )
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    sections = _section_names(nb)
    # The kernel process's own log (e.g. a notice about TCP transport) is not the notebook's
    # output; cell output and errors come through the messaging channels.
    with client.setup_kernel(stderr=subprocess.DEVNULL):
        info = client.wait_for_reply(client.kc.kernel_info())
        nb.metadata["language_info"] = info["content"]["language_info"]
        for done, index in enumerate(code_cells, start=1):
            start = time.perf_counter()
            try:
                client.execute_cell(nb.cells[index], index)
                # an error raised after the cell's code ran (drawing its figure, displaying a value)
                # leaves an error output without failing the cell: a report holding it has failed
                if any(o.get("output_type") == "error" for o in nb.cells[index].get("outputs", [])):
                    raise CellExecutionError("", "", "")
            except CellExecutionError as exc:
                cell = nb.cells[index]
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                if errors:
                    head = f"{errors[0]['ename']}: {errors[0]['evalue']}"
                    tail = _last_lines("\n".join(errors[0].get("traceback", [])))
                else:
                    head, tail = "the cell failed", _last_lines(str(exc))
                raise ReportError(f"{name}, cell {index + 1}: {head}\n{tail}") from None
            except DeadKernelError as exc:
                raise ReportError(f"{name}, cell {index + 1}: the kernel died ({exc}); the cell may need "
                                  "more memory than is available.") from None
            except CellTimeoutError:
                raise ReportError(
                    f"{name}, cell {index + 1}: timed out after {timeout} s; give a larger --timeout "
                    "or smaller parameters (e.g. N_TOPICS, PASSES)."
                ) from None
            if progress is not None:
                width = len(str(len(code_cells)))
                section = f" {sections[index]}" if sections[index] else ""
                progress(f"[{done:>{width}}/{len(code_cells)}] cell {index + 1}{section} ... "
                         f"{time.perf_counter() - start:.1f} s")
        if collect is not None:
            nb.metadata.setdefault("corpus_tools", {})[collect] = _kernel_value(client, collect)
    return nb


def _section_names(nb) -> list[str]:
    """For every cell, the nearest Markdown heading at or above it ("" before the first one)."""
    names, current = [], ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = [line.lstrip("#").strip() for line in cell.source.splitlines()
                        if re.match(r"#{1,6}\s", line)]
            current = headings[-1] if headings else current
        names.append(current)
    return names


def _kernel_value(client, name: str) -> Any:
    """The JSON-compatible value of variable ``name`` in the kernel, or None when it is not defined.

    Read through the ``user_expressions`` of an execute request, which runs no cell and adds no
    output to the notebook.
    """
    expression = f"__import__('json').dumps(globals().get({name!r}), default=str)"
    msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions={"value": expression})
    reply = client.wait_for_reply(msg_id)
    value = (reply or {}).get("content", {}).get("user_expressions", {}).get("value", {})
    if value.get("status") != "ok":
        return None
    return json.loads(ast.literal_eval(value["data"]["text/plain"]))


# --- HTML ----------------------------------------------------------------------------------------


class _References(HTMLParser):
    """Collects (tag, attribute, value) of every src/href/data attribute, srcdoc iframes included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for attr, value in attrs:
            if value is None:
                continue
            if attr in ("src", "href", "data", "poster", "action", "background"):
                self.found.append((tag, attr, value))
            elif attr == "srcdoc":
                inner = _References()
                inner.feed(value)
                self.found.extend(inner.found)


def external_references(html: str) -> list[tuple[str, str, str]]:
    """The resources an HTML page would fetch from the network.

    Parameters
    ----------
    html : str

    Returns
    -------
    list of (tag, attribute, url)
        Every ``src``/``href``/``data`` attribute whose value starts with ``http://``,
        ``https://`` or ``//``, also inside ``<iframe srcdoc=...>`` documents. Links of
        ``<a href>`` are included: an offline reader can still read a page with them, but they
        are listed so that a caller can decide.

    Examples
    --------
    >>> external_references('<script src="https://cdn.example/x.js"></script><img src="data:image/png;base64,AA">')
    [('script', 'src', 'https://cdn.example/x.js')]
    """
    parser = _References()
    parser.feed(html)
    return [(tag, attr, value) for tag, attr, value in parser.found
            if value.strip().lower().startswith(("http://", "https://", "//"))]


def embed_html(page: str | os.PathLike, *, height: int = 820):
    """Show a self-contained HTML page (e.g. the topic map) inside a notebook, inline.

    The page goes into an ``<iframe srcdoc=...>``, so it travels inside the notebook's output
    and the HTML report: no file beside the report, nothing fetched from the network. Its
    scripts run in the frame, isolated from the notebook's own.

    Parameters
    ----------
    page : str or path-like
        The HTML text, or the path of an ``.html`` file.
    height : int, default 820
        Frame height in pixels.

    Returns
    -------
    IPython.display.HTML
        Display it (the last expression of a cell, or ``display(...)``).

    Examples
    --------
    >>> frame = embed_html("<p>hello</p>", height=40)
    >>> frame.data
    '<div><iframe srcdoc="&lt;p&gt;hello&lt;/p&gt;" style="width: 100%; height: 40px; border: 0;"></iframe></div>'
    """
    from IPython.display import HTML

    if isinstance(page, os.PathLike) or (isinstance(page, str) and not page.lstrip().startswith("<")):
        page = Path(page).read_text(encoding="utf-8")
    # Wrapped in a <div>: IPython warns about a bare <iframe> (it suggests IFrame, which needs a URL).
    return HTML(f'<div><iframe srcdoc="{html.escape(page, quote=True)}" '
                f'style="width: 100%; height: {int(height)}px; border: 0;"></iframe></div>')


_EXTERNAL_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.IGNORECASE)
_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)


def to_html(nb, *, show_code: bool = False, title: str | None = None) -> str:
    """Convert an executed notebook to one self-contained HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    show_code : bool, default False
        Keep the code cells (except those tagged ``hide-input``). By default only markdown
        and outputs are shown.
    title : str, optional
        The page title (default: the notebook's first heading).

    Returns
    -------
    str
        HTML with images embedded and no script or style sheet loaded from the network: the
        template's require.js, MathJax, widget and mermaid loaders are left out (so LaTeX in
        markdown shows as source) and any remaining ``<script src=http...>`` /
        ``<link href=http...>`` from cell outputs is removed. Cells tagged
        ``remove-cell`` are dropped; ``remove-output`` drops a cell's outputs.

    Examples
    --------
    >>> html = to_html(executed_notebook)                      # doctest: +SKIP
    >>> external_references(html)                             # doctest: +SKIP
    []
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    # The lab template loads require.js, MathJax, the widget manager and mermaid from CDNs; the
    # report needs none of them (figures are PNG, the topic map carries its own scripts), so
    # those blocks are emptied rather than pointed at something else.
    template = "\n".join(
        ["{%- extends 'index.html.j2' -%}"]
        + [f"{{% block {block} %}}{{% endblock {block} %}}" for block in
           ("html_head_js_requirejs", "jupyter_widgets", "html_head_js_mathjax", "html_head_js_mermaidjs")]
    )
    exporter = HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"offline.html.j2": template})],
                            template_file="offline.html.j2")
    exporter.embed_images = True
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    tags = TagRemovePreprocessor(
        remove_cell_tags={"remove-cell"},
        remove_input_tags={"hide-input"},
        remove_all_outputs_tags={"remove-output"},
        enabled=True,
    )
    exporter.register_preprocessor(tags, enabled=True)
    if title is None:
        title = next(
            (line.lstrip("# ").strip() for c in nb.cells if c.cell_type == "markdown"
             for line in c.source.splitlines() if line.startswith("#")),
            "Report",
        )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = _EXTERNAL_SCRIPT.sub("", body)
    return _EXTERNAL_LINK.sub("", body)


# --- the command -------------------------------------------------------------------------------


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _default_notebook() -> Path:
    from corpus_tools import _paths

    return _paths.resource("notebooks") / DEFAULT_NOTEBOOK


def configure(parser: argparse.ArgumentParser) -> None:
    """Run a notebook on a corpus and write a self-contained HTML report.

    The notebook (default: the package's notebooks/report.ipynb) is executed with CORPUS and
    any --param values injected after its cell tagged `parameters`. The output folder receives
    report.html (no network needed to read it), the executed report.ipynb and manifest.json
    (package versions, parameters, sha256 of the input files, times). A failing cell stops the
    run with exit status 1, naming the cell and the error. A single Parquet file is tokenised by
    Corpus.from_parquet as it is read, its texts left on disk, and found again in the corpus cache
    on the next run without reading a text.
    """
    parser.add_argument("corpus", nargs="?", default=None, metavar="CORPUS_OR_DATASET",
                        help=f"a dataset name (see `corpus-tools datasets`) or a file, folder or glob of "
                             f"articles (default: the notebook's own CORPUS, {DEFAULT_CORPUS!r} for the report)")
    parser.add_argument("-o", "--output", metavar="DIR", default=None,
                        help="output folder (default: reports/<corpus name>); created if needed")
    parser.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                        help="override a notebook parameter, e.g. --param N_TOPICS=8 --param DATE_FREQ=YS; "
                             "VALUE is read as a Python literal, else as a string (repeatable)")
    parser.add_argument("--notebook", metavar="NB", default=None,
                        help="the notebook to run (default: notebooks/report.ipynb)")
    parser.add_argument("--show-code", action="store_true",
                        help="keep the code cells in the HTML (setup cells tagged hide-input stay hidden)")
    parser.add_argument("--timeout", type=int, default=600, metavar="S",
                        help="seconds one cell may run (default 600)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress line per cell")


def _output_name(corpus: str | None) -> str:
    if corpus is None:
        return "default"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(corpus.rstrip("/\\")).name.split("*")[0]) or "report"


def make_report(
    *,
    corpus: str | None,
    output: str | os.PathLike,
    params: dict[str, Any],
    notebook: str | os.PathLike | None = None,
    show_code: bool = False,
    timeout: int | None = 600,
    progress: Callable[[str], Any] | None = print,
) -> dict[str, Any]:
    """Execute the notebook, write report.html, report.ipynb and manifest.json; return the manifest.

    Arguments as for the command line (see :func:`configure`); ``params`` are already parsed.
    Raises :class:`ReportError` on a failing cell (after writing the partly executed notebook
    beside the report, for inspection) or a bad argument.
    """
    import nbformat

    started, clock = _now(), time.perf_counter()
    nb_path = Path(notebook) if notebook is not None else _default_notebook()
    if not nb_path.is_file():
        raise ReportError(f"notebook {nb_path} does not exist; give the path of an .ipynb file with --notebook.")
    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for a bad file
        raise ReportError(f"{nb_path} is not a readable notebook ({exc}).") from exc
    params = dict(params)
    if corpus is not None:
        # The kernel runs in the notebook's folder; a relative path means the caller's folder.
        params["CORPUS"] = corpus if _registered(corpus) else os.path.abspath(os.path.expanduser(corpus))
    effective = {**notebook_parameters(nb), **params}
    data_arg = effective.get("CORPUS")
    files = input_files(data_arg) if isinstance(data_arg, str) else []
    nb = inject_parameters(nb, params)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    ipynb_path, html_path = out / "report.ipynb", out / "report.html"
    try:
        execute_notebook(nb, cwd=nb_path.parent.resolve(), timeout=timeout, name=str(nb_path), progress=progress,
                         collect=CHOICES_VARIABLE)
    finally:
        nbformat.write(nb, ipynb_path)
    html_path.write_text(
        to_html(nb, show_code=show_code, title=f"Corpus report: {Path(str(data_arg)).name}" if data_arg else None),
        encoding="utf-8",
    )
    digest, listed = _sha256(files)
    manifest = {
        "notebook": str(nb_path.resolve()),
        "notebook_sha256": hashlib.sha256(nb_path.read_bytes()).hexdigest(),
        "parameters": effective,
        "overrides": params,
        "random_state": effective.get("RANDOM_STATE"),
        "choices": nb.metadata.get("corpus_tools", {}).get(CHOICES_VARIABLE),
        "data": {
            "input": data_arg,
            "n_files": len(files),
            "bytes": sum(f["bytes"] for f in listed),
            "sha256": digest,
            "sha256_of": "the contents of the files, concatenated in sorted path order",
            "files": listed if len(listed) <= MAX_LISTED_FILES else None,
        },
        "versions": _versions(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "outputs": {"html": html_path.name, "notebook": ipynb_path.name},
        "show_code": show_code,
        "started": started,
        "finished": _now(),
        "seconds": round(time.perf_counter() - clock, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return manifest


def run(args: argparse.Namespace) -> int:
    """Make the report described by parsed arguments (see :func:`configure`); return the exit status.

    Errors are printed as one line naming the notebook, cell or argument, followed by the last
    lines of the error, on stderr; the status is then 1.
    """
    try:
        params = dict(parse_param(p) for p in args.param)
        output = args.output or os.path.join("reports", _output_name(args.corpus))
        progress = None if args.quiet else (lambda line: print(line, flush=True))
        manifest = make_report(
            corpus=args.corpus, output=output, params=params, notebook=args.notebook,
            show_code=args.show_code, timeout=args.timeout, progress=progress,
        )
    except (CorpusToolsError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {Path(output) / manifest['outputs']['html']} ({manifest['seconds']:.1f} s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m corpus_tools.report [CORPUS] -o DIR ...``; returns the exit status."""
    parser = argparse.ArgumentParser(prog=PROG, description=(configure.__doc__ or "").split("\n")[0])
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
