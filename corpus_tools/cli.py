"""The ``corpus-tools`` command line: load a corpus to a table, describe it, list datasets.

Each subcommand is a pair of functions registered in :data:`SUBCOMMANDS`: ``configure(parser)``
adds its arguments (the first line of its docstring is the one-line help, the rest the
description), ``run(args) -> int`` does the work and returns the exit status. Adding a
subcommand is adding one entry.
"""
from __future__ import annotations

import argparse
import inspect
import json
import sys
import textwrap
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus_tools.errors import CorpusToolsError, check_option
from corpus_tools import report

PROG = "corpus-tools"
#: Output formats of ``corpus-tools load``, chosen by the output file's suffix.
OUTPUT_SUFFIXES = (".parquet", ".csv", ".jsonl")
#: Errors reported as one line (``corpus-tools: error: ...``) instead of a traceback.
USER_ERRORS = (CorpusToolsError, FileNotFoundError, ValueError, TypeError)

EPILOG = """\
examples:
  corpus-tools datasets                         which named corpora exist, which are here
  corpus-tools info lee                         describe a named dataset
  corpus-tools info articles/ --json            describe a folder of articles, as JSON
  corpus-tools load articles/ -o docs.parquet   read a folder into one table
  corpus-tools load headlines.csv --text headline_text --date publish_date -o docs.csv
  corpus-tools report                           HTML report on the bundled Wikinews corpus -> reports/default/
  corpus-tools report reuters21578 -o reports/reuters --param N_TOPICS=20
  corpus-tools cache --clear --older-than 30D   remove cached corpora not used for 30 days

A name that is a registered dataset (see `corpus-tools datasets`) loads that dataset; write
./name to read a folder that happens to have a dataset's name. Datasets are looked for in
$CORPUS_TOOLS_DATA first, then in the checkout's data/ folder.
Run `corpus-tools COMMAND --help` for the options of a command.
"""


# --- shared helpers ----------------------------------------------------------------------------


def _add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """The input and its column mapping, shared by every command that reads a corpus."""
    parser.add_argument("input", metavar="PATH|DATASET",
                        help="a file, folder or glob of articles, or a registered dataset name")
    mapping = parser.add_argument_group("reading the input (passed to ct.load)")
    for field in ("text", "title", "date", "id"):
        mapping.add_argument(f"--{field}", metavar="COL", help=f"input column/field holding the {field}")
    mapping.add_argument("--source", metavar="COL|NAME",
                         help="column holding the outlet, or a constant outlet name for all rows")
    mapping.add_argument("--format", metavar="F", help="input format (default: by file suffix)")
    mapping.add_argument("--errors", choices=("raise", "warn", "skip"),
                         help="on bad input: raise = stop at the first problem; skip (default) = load "
                              "the rest and list the problems in the load report, which load writes "
                              "and info summarises; warn = as skip, plus the loader's warning")
    mapping.add_argument("--no-download", action="store_true",
                         help="for a dataset name: fail instead of downloading a dataset that is absent")


def _read_input(args: argparse.Namespace) -> tuple[pd.DataFrame, str]:
    """Load ``args.input`` (dataset name or path); return the docs and a label for messages."""
    import corpus_tools as ct

    kwargs = {k: getattr(args, k) for k in ("text", "title", "date", "id", "source", "format", "errors")
              if getattr(args, k) is not None}
    registry = ct.datasets.registry()
    line_dataset = args.input in registry and registry[args.input]["loader"]["kind"] == "lines"
    if args.errors is None and not line_dataset:
        # The command reports the load report itself; ct.load's warning would repeat it.
        kwargs["errors"] = "skip"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.input in registry:
            docs = ct.datasets.load(registry[args.input], download=not args.no_download, **kwargs)
            label = f"dataset {args.input}"
        else:
            docs = ct.load(args.input, **kwargs)
            label = args.input
    for w in caught:
        # One readable line per warning, rather than Python's file:line warning format.
        print(f"{PROG}: warning: {w.message}", file=sys.stderr)
    return docs, label


def _load_report(docs: pd.DataFrame) -> pd.DataFrame:
    import corpus_tools as ct

    return ct.load_report(docs)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``21,578 documents``; ``plural`` where an "s" will not do."""
    return f"{n:,} " + (noun if n == 1 else plural or noun + "s")


def _plain(value: Any) -> Any:
    """A JSON-friendly scalar."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


# --- load ----------------------------------------------------------------------------------------


def _configure_load(parser: argparse.ArgumentParser) -> None:
    """Read articles (or a dataset) into one docs table and write it to a file.

    The table has one row per article (index doc_id; columns text, title, date, source,
    sections, url, path and any other metadata). The output format follows the suffix:
    .parquet (keeps types), .jsonl (one JSON object per line) or .csv (lists such as
    sections written as JSON arrays).
    When anything was skipped or repaired, the load report is written beside the output
    as <name>.load_report.csv.
    """
    _add_input_arguments(parser)
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="OUT",
                        help="output file: .parquet, .csv or .jsonl")
    parser.epilog = textwrap.dedent("""\
        examples:
          corpus-tools load bbc -o bbc.parquet
          corpus-tools load 'scraped/*.txt' -o docs.jsonl --source "Press TV"
          corpus-tools load abc.csv --text headline_text --date publish_date -o abc.csv --errors raise
        """)


def report_path(output: Path) -> Path:
    """Where the load report of ``output`` goes: ``docs.parquet`` -> ``docs.load_report.csv``.

    Examples
    --------
    >>> report_path(Path("out/docs.parquet")).as_posix()
    'out/docs.load_report.csv'
    """
    return output.with_name(f"{output.stem}.load_report.csv")


def write_docs(docs: pd.DataFrame, output: Path) -> None:
    """Write ``docs`` to ``output`` in the format its suffix names (.parquet, .csv, .jsonl).

    Parameters
    ----------
    docs : pandas.DataFrame
        A docs table (index ``doc_id``).
    output : pathlib.Path
        Destination; its parent folder is created.

    Raises
    ------
    ValueError
        If the suffix is not one of ``.parquet``, ``.csv``, ``.jsonl``.

    Examples
    --------
    >>> write_docs(docs, Path("docs.csv"))          # doctest: +SKIP
    """
    check_option("output suffix", output.suffix.lower(), OUTPUT_SUFFIXES)
    output.parent.mkdir(parents=True, exist_ok=True)
    table = docs.copy()
    # The load report is written as its own CSV; attrs would only be duplicated (or be
    # unserialisable) in the parquet metadata.
    table.attrs = {}
    suffix = output.suffix.lower()
    if suffix == ".parquet":
        table.to_parquet(output)
        return
    if suffix == ".csv":
        # CSV has no lists: write them as JSON arrays, which read back unambiguously.
        for col in table.columns:
            if table[col].dtype == object and table[col].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
                table[col] = table[col].map(
                    lambda v: json.dumps(list(v), ensure_ascii=False) if isinstance(v, (list, tuple, np.ndarray)) else v
                )
        table.to_csv(output, date_format="%Y-%m-%dT%H:%M:%S")
    else:
        table.reset_index().to_json(output, orient="records", lines=True, date_format="iso",
                                    force_ascii=False)


def _run_load(args: argparse.Namespace) -> int:
    # Check the suffix before spending time on loading.
    check_option("output suffix", args.output.suffix.lower(), OUTPUT_SUFFIXES)
    docs, label = _read_input(args)
    write_docs(docs, args.output)
    report = _load_report(docs)
    dated = int(docs["date"].notna().sum()) if "date" in docs else 0
    line = f"{_count(len(docs), 'document')} from {label} -> {args.output} ({dated:,} dated"
    if len(report):
        where = report_path(args.output)
        report.to_csv(where, index=False)
        line += f"; {_count(len(report), 'load-report row')} -> {where}"
    print(line + ")")
    return 0


# --- info ----------------------------------------------------------------------------------------


def _configure_info(parser: argparse.ArgumentParser) -> None:
    """Describe a corpus: documents, tokens, dates, sources, sections, months, load problems.

    Tokens are counted with ct.Corpus.from_docs (default tokenisation: lowercase, English
    stopwords removed). Months run from the first to the last dated month, empty months
    included. The load report is summarised by problem with a count and the first paths.
    """
    _add_input_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--no-tokens", action="store_true", help="skip tokenising (faster on big corpora)")
    parser.add_argument("--top", type=int, default=20, metavar="N",
                        help="rows shown per table in the text output (default 20; --json shows all)")
    parser.epilog = textwrap.dedent("""\
        examples:
          corpus-tools info reuters21578
          corpus-tools info articles/ --source "Press TV" --json > info.json
        """)


def describe(docs: pd.DataFrame, *, tokens: bool = True, n_paths: int = 3) -> dict[str, Any]:
    """Summarise a docs table as plain data (what ``corpus-tools info`` prints).

    Parameters
    ----------
    docs : pandas.DataFrame
        A docs table.
    tokens : bool, default True
        Count tokens and vocabulary with ``ct.Corpus.from_docs(docs, progress=False)``.
    n_paths : int, default 3
        How many example paths to keep per load-report problem.

    Returns
    -------
    dict
        ``documents``; ``tokens`` and ``vocabulary`` (None when ``tokens=False``);
        ``dates`` = {``first``, ``last`` (ISO strings or None), ``dated``, ``undated``};
        ``per_source``, ``per_section`` (sections exploded), ``per_month`` ("YYYY-MM", every
        month from first to last) as {value: count}; ``load_report`` = {``rows``,
        ``problems``: [{``problem``, ``count``, ``paths``}]}.

    Examples
    --------
    >>> describe(docs, tokens=False)["documents"]            # doctest: +SKIP
    300
    """
    out: dict[str, Any] = {"documents": len(docs), "tokens": None, "vocabulary": None}
    if tokens:
        import corpus_tools as ct

        corpus = ct.Corpus.from_docs(docs, progress=False)
        out["tokens"] = int(corpus.n_tokens)
        out["vocabulary"] = len(corpus.vocab)
    dates = docs["date"] if "date" in docs else pd.Series(pd.NaT, index=docs.index, dtype="datetime64[ns]")
    dated = dates.dropna()
    out["dates"] = {
        "first": dated.min().isoformat() if len(dated) else None,
        "last": dated.max().isoformat() if len(dated) else None,
        "dated": len(dated),
        "undated": int(dates.isna().sum()),
    }
    if "source" in docs:
        counts = docs["source"].fillna("(none)").value_counts()
        out["per_source"] = {str(k): int(v) for k, v in counts.items()}
    else:
        out["per_source"] = {}
    if "sections" in docs:
        counts = docs["sections"].explode().dropna().value_counts()
        out["per_section"] = {str(k): int(v) for k, v in counts.items()}
    else:
        out["per_section"] = {}
    if len(dated):
        months = dated.dt.to_period("M")
        counts = months.value_counts().reindex(pd.period_range(months.min(), months.max(), freq="M"),
                                               fill_value=0)
        out["per_month"] = {str(k): int(v) for k, v in counts.items()}
    else:
        out["per_month"] = {}
    report = _load_report(docs)
    problems = []
    for problem, group in report.groupby("problem", sort=False):
        paths = group["path"].astype(str).drop_duplicates().head(n_paths).tolist()
        problems.append({"problem": str(problem), "count": len(group), "paths": paths})
    problems.sort(key=lambda p: (-p["count"], p["problem"]))
    out["load_report"] = {"rows": len(report), "problems": problems}
    return out


def _format_counts(title: str, counts: dict[str, int], top: int) -> list[str]:
    if not counts:
        return []
    lines = [f"{title} ({len(counts):,})"]
    width = max(len(k) for k in list(counts)[:top])
    for key, n in list(counts.items())[:top]:
        lines.append(f"  {key:<{width}}  {n:>9,}")
    if len(counts) > top:
        lines.append(f"  ... {len(counts) - top:,} more (use --top or --json)")
    return lines


def format_description(summary: dict[str, Any], label: str, *, top: int = 20) -> str:
    """The text of ``corpus-tools info`` for a :func:`describe` summary."""
    lines = [f"{label}", f"documents   {summary['documents']:>12,}"]
    if summary["tokens"] is not None:
        lines.append(f"tokens      {summary['tokens']:>12,}  (vocabulary {summary['vocabulary']:,})")
    d = summary["dates"]
    if d["dated"]:
        lines.append(f"dates       {d['first'][:10]} .. {d['last'][:10]}  ({d['undated']:,} undated)")
    else:
        lines.append(f"dates       none  ({d['undated']:,} undated)")
    lines += _format_counts("per source", summary["per_source"], top)
    lines += _format_counts("per section", summary["per_section"], top)
    lines += _format_counts("per month", summary["per_month"], top)
    report = summary["load_report"]
    if report["rows"]:
        lines.append(f"load report ({_count(report['rows'], 'row')})")
        for p in report["problems"][:top]:
            more = ", ..." if p["count"] > len(p["paths"]) else ""
            lines.append(f"  {p['problem']}: {p['count']:,}  e.g. {', '.join(p['paths'])}{more}")
    else:
        lines.append("load report: nothing skipped or repaired")
    return "\n".join(lines)


def _run_info(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise ValueError(f"--top must be at least 1; got {args.top}.")
    docs, label = _read_input(args)
    summary = describe(docs, tokens=not args.no_tokens)
    if args.json:
        print(json.dumps({"input": args.input, **summary}, ensure_ascii=False, indent=2, default=_plain))
    else:
        print(format_description(summary, label, top=args.top))
    return 0


# --- datasets ------------------------------------------------------------------------------------


def _configure_datasets(parser: argparse.ArgumentParser) -> None:
    """List the registered datasets: name, whether present here, documents, licence.

    Absent datasets are downloaded on first use (`corpus-tools info NAME`, ct.datasets.load),
    or put their folder into $CORPUS_TOOLS_DATA by hand; data/README.md says where each comes from.
    """
    parser.add_argument("--json", action="store_true", help="print the full registry table as JSON records")


def _run_datasets(args: argparse.Namespace) -> int:
    import corpus_tools as ct

    table = ct.datasets.available()
    if args.json:
        print(table.to_json(orient="records", indent=2, force_ascii=False))
        return 0
    rows = [("name", "present", "documents", "licence")]
    for rec in table.itertuples(index=False):
        licence = rec.licence if isinstance(rec.licence, str) else ""
        rows.append((rec.name, "yes" if rec.present else "no",
                     f"{rec.n_docs:,}" if pd.notna(rec.n_docs) else "?",
                     licence if len(licence) <= 70 else licence[:69] + "…"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for name, present, documents, licence in rows:
        print(f"{name:<{widths[0]}}  {present:<{widths[1]}}  {documents:>{widths[2]}}  {licence}")
    return 0


def _configure_cache(parser: argparse.ArgumentParser) -> None:
    """List the cached tokenized corpora, or clear them.

    Corpus.from_docs keeps every corpus it builds, keyed by its texts and options, and loads it
    from there the next time. Each row is one cached corpus: when it was last used, its size and
    the build options that differ from the defaults.
    """
    parser.add_argument("--clear", action="store_true", help="remove the cached corpora (all, or see --older-than)")
    parser.add_argument("--older-than", metavar="AGE",
                        help='with --clear: remove only what was not used for AGE, e.g. "30D" or "12h"')


def _run_cache(args: argparse.Namespace) -> int:
    import corpus_tools as ct

    if args.older_than is not None and not args.clear:
        raise ValueError("--older-than chooses what --clear removes; add --clear.")
    if args.clear:
        removed = ct.cache.clear(older_than=args.older_than)
        print(f"removed {_count(len(removed), 'cached corpus', 'cached corpora')} "
              f"({removed['mb'].sum():,.1f} MB) from {ct.cache.path()}")
        return 0
    table = ct.cache.info()
    print(f"{_count(len(table), 'cached corpus', 'cached corpora')}, {table['mb'].sum():,.1f} MB in {ct.cache.path()}")
    if table.empty:
        return 0
    rows = [("last used (UTC)", "docs", "terms", "MB", "options")]
    for rec in table.itertuples(index=False):
        complete = not pd.isna(rec.docs)
        rows.append((f"{rec.last_used:%Y-%m-%d %H:%M}", f"{rec.docs:,}" if complete else "?",
                     f"{rec.terms:,}" if complete else "?", f"{rec.mb:,.1f}",
                     (rec.options or "defaults") if complete else "(incomplete: a build under way or interrupted)"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for when, docs, terms, mb, options in rows:
        print(f"{when:<{widths[0]}}  {docs:>{widths[1]}}  {terms:>{widths[2]}}  {mb:>{widths[3]}}  {options}")
    return 0


# --- the parser ----------------------------------------------------------------------------------

Configure = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]

#: Subcommand name -> (configure, run). The configure function's docstring is its help.
SUBCOMMANDS: dict[str, tuple[Configure, Run]] = {
    "load": (_configure_load, _run_load),
    "info": (_configure_info, _run_info),
    "datasets": (_configure_datasets, _run_datasets),
    "cache": (_configure_cache, _run_cache),
    "report": (report.configure, report.run),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`SUBCOMMANDS`."""
    from corpus_tools import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Load news-article collections into tables, describe them, and write HTML reports.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show the full Python traceback on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (configure, run) in SUBCOMMANDS.items():
        doc = inspect.cleandoc(configure.__doc__ or "")
        sub = subparsers.add_parser(
            name,
            help=doc.splitlines()[0] if doc else None,
            description=doc or None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        configure(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``corpus-tools`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Errors in the input are printed as one ``corpus-tools: error: ...`` line on stderr with
    exit status 2; ``--traceback`` shows the Python traceback instead.

    Examples
    --------
    >>> main(["datasets"])                       # doctest: +SKIP
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args) or 0)
    except USER_ERRORS as exc:
        if args.traceback:
            traceback.print_exc()
        else:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
