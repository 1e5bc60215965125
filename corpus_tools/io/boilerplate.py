"""Site boilerplate, driven by the table in ``boilerplate.json``.

Each entry names a source, the patterns that recognise the site in a text and the lines to
drop; adding a site is adding an entry, not code. The same table lists the breadcrumb
roots ("News", "Home") that are not sections and the patterns that mark a photo caption.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

try:  # the parser behind re, to find the text a pattern cannot match without
    from re import _constants as _sre_constants, _parser as _sre_parser
except ImportError:  # Python 3.10
    import sre_constants as _sre_constants
    import sre_parse as _sre_parser

_TAIL = 120  # characters searched for strip_end patterns (sign-offs are short)
_BLANK_RUN = re.compile(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+")


def _alternation(patterns: list[str]) -> re.Pattern | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.MULTILINE)


@dataclass(frozen=True)
class Site:
    """One entry of the boilerplate table, with its patterns compiled."""

    source: str
    recognise: re.Pattern | None
    cut_from: re.Pattern | None
    drop_lines: re.Pattern | None
    strip_end: re.Pattern | None
    # For each recognise pattern, text every match of it contains; None when one has none.
    literals: tuple[str, ...] | None = None

    def recognises(self, text: str) -> bool:
        return bool(self.recognise and self.recognise.search(text))

    def clean(self, text: str) -> str:
        """``text`` without this site's boilerplate; paragraphs stay separated by blank lines.

        Examples
        --------
        >>> site = site_named("Press TV")
        >>> site.clean("Body.\\n\\nSHARE THIS ARTICLE\\n\\nPress TV News Roku")
        'Body.'
        """
        changed = False
        if self.cut_from is not None:
            m = self.cut_from.search(text)
            if m:
                text, changed = text[: m.start()], True
        if self.drop_lines is not None:
            kept = [line for line in text.split("\n") if not self.drop_lines.fullmatch(line.strip())]
            if len(kept) != text.count("\n") + 1:
                text, changed = "\n".join(kept), True
        if self.strip_end is not None:
            # Only the tail is searched: a pattern anchored at the end that starts with \s*
            # would otherwise be tried at every position of a long text.
            text = text.rstrip()
            head, tail = text[:-_TAIL], text[-_TAIL:]
            tail, n = self.strip_end.subn("", tail)
            text, changed = head + tail, changed or bool(n)
        if changed:
            # Dropped lines leave runs of blank lines behind.
            text = _BLANK_RUN.sub("\n\n", text).strip()
        return text


@dataclass(frozen=True)
class Table:
    sites: tuple[Site, ...]
    breadcrumb_roots: frozenset[str]
    caption: re.Pattern


@lru_cache(maxsize=1)
def table() -> Table:
    """The boilerplate table shipped with the package, compiled once."""
    raw = json.loads(resources.files("corpus_tools.io").joinpath("boilerplate.json").read_text("utf-8"))
    sites = tuple(
        Site(
            source=entry["source"],
            recognise=_alternation(entry.get("recognise", [])),
            cut_from=_alternation(entry.get("cut_from", [])),
            drop_lines=_alternation(entry.get("drop_lines", [])),
            strip_end=re.compile("(?:" + "|".join(entry["strip_end"]) + ")$")
            if entry.get("strip_end") else None,
            literals=_literals(entry.get("recognise", [])),
        )
        for entry in raw["sites"]
    )
    caption = re.compile("|".join(f"(?:{p})" for p in raw["caption_patterns"]))
    return Table(sites, frozenset(raw["breadcrumb_roots"]), caption)


def required_literal(pattern: str, flags: int = re.MULTILINE) -> str | None:
    """Text (at least 3 characters) that every match of ``pattern`` contains, chosen to be
    quick to search for: from a run of plain characters, the part from its first character
    that is no lower-case letter or space (rarer in news text), else the longest run;
    ``None`` when the pattern has none (case-insensitive patterns, alternations, classes only).

    Examples
    --------
    >>> required_literal("^Press TV[’']s website")
    'Press TV'
    >>> required_literal("^the end of the article$")
    'the end of the article'
    >>> required_literal("(?i)press tv") is None
    True
    """
    parsed = _sre_parser.parse(pattern, flags)
    if parsed.state.flags & re.IGNORECASE:
        return None
    runs, run = [], []
    for op, argument in list(parsed) + [(None, None)]:
        if op is _sre_constants.LITERAL:
            run.append(chr(argument))
            continue
        if len(run) >= 3:
            runs.append("".join(run))
        run = []
    if not runs:
        return None
    rare = [r[i:] for r in runs for i in [next((j for j, c in enumerate(r) if not (c.islower() or c == " ")), len(r))]
            if len(r) - i >= 3]
    return max(rare or runs, key=len)


def _literals(patterns: list[str]) -> tuple[str, ...] | None:
    found = [required_literal(p) for p in patterns]
    if not found or not all(found):
        return None
    # a text holding a literal that contains another holds that one too: one search is enough
    return tuple(sorted({a for a in found if not any(b != a and b in a for b in found)}))


def _rows_containing(texts: pd.Series, literals: tuple[str, ...]) -> np.ndarray | None:
    """Positions of the texts that contain one of ``literals`` (or a text that ends with the
    start of one and the next text that goes on with its end: a few more candidates), found
    by searching the Arrow buffer of all texts at once; ``None`` when the texts are not held
    by Arrow."""
    import pyarrow as pa

    from corpus_tools.io.columns import arrow_of

    held = arrow_of(texts) if texts.dtype != object else None
    if held is None or not (pa.types.is_large_string(held.type) or pa.types.is_string(held.type)):
        return None
    width = np.int64 if pa.types.is_large_string(held.type) else np.int32
    needles = [re.compile(re.escape(lit.encode("utf-8"))) for lit in literals]
    found, start = [], 0
    for chunk in held.chunks:
        offsets_buffer, data = chunk.buffers()[1:3]
        if data is not None and len(chunk):
            offsets = np.frombuffer(offsets_buffer, dtype=width)[chunk.offset: chunk.offset + len(chunk) + 1]
            view = memoryview(data)[int(offsets[0]): int(offsets[-1])]
            for needle in needles:
                at = np.fromiter((m.start() for m in needle.finditer(view)), dtype=np.int64)
                if len(at):
                    found.append(start + np.searchsorted(offsets, at + offsets[0], side="right") - 1)
        start += len(chunk)
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def site_named(source: str) -> Site:
    """The table entry whose ``source`` is ``source`` (KeyError when there is none)."""
    for site in table().sites:
        if site.source == source:
            return site
    raise KeyError(source)


def identify(text: str) -> Site | None:
    """The first site of the table recognised in ``text``, else ``None``."""
    for site in table().sites:
        if site.recognises(text):
            return site
    return None


def clean_column(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Recognise sites in a column of texts and strip their boilerplate.

    A site is recognised by searching all texts at once for text its patterns require (when
    the texts are held by Arrow and the patterns have such text), else by one ``str.contains``
    per site; only the texts found are matched against the patterns and cleaned one by one.

    Returns
    -------
    texts : pandas.Series
        The cleaned texts (unchanged where no site is recognised).
    sources : pandas.Series
        The recognised site's source name, missing elsewhere.
    """
    texts = texts.copy()  # shares the buffers until a text is cleaned (copy on write)
    sources = pd.Series(None, index=texts.index, dtype="str")
    if len(texts) == 0:
        return texts, sources
    for site in table().sites:
        if site.recognise is None:
            continue
        candidates = _rows_containing(texts, site.literals) if site.literals else None
        if candidates is None:
            hit = texts.str.contains(site.recognise, na=False) & sources.isna()
        else:
            hit = np.zeros(len(texts), dtype=bool)
            for i in candidates:
                t = texts.iat[i]
                hit[i] = isinstance(t, str) and site.recognises(t)
            hit = pd.Series(hit, index=texts.index) & sources.isna()
        if hit.any():
            texts[hit] = [site.clean(t) for t in texts[hit]]
            sources[hit] = site.source
    return texts, sources


def is_caption(paragraph: str) -> bool:
    """Whether a paragraph reads as a photo caption ("... (File photo)", "(Photo by ...)")."""
    return len(paragraph) <= 400 and "\n" not in paragraph and bool(table().caption.search(paragraph))
