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

import pandas as pd

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
        )
        for entry in raw["sites"]
    )
    caption = re.compile("|".join(f"(?:{p})" for p in raw["caption_patterns"]))
    return Table(sites, frozenset(raw["breadcrumb_roots"]), caption)


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

    Recognition runs as one vectorised ``str.contains`` per site; only the texts of a
    recognised site are cleaned one by one.

    Returns
    -------
    texts : pandas.Series
        The cleaned texts (unchanged where no site is recognised).
    sources : pandas.Series
        The recognised site's source name, missing elsewhere.
    """
    texts = texts.copy()
    sources = pd.Series(None, index=texts.index, dtype="str")
    if len(texts) == 0:
        return texts, sources
    for site in table().sites:
        if site.recognise is None:
            continue
        hit = texts.str.contains(site.recognise, na=False) & sources.isna()
        if hit.any():
            texts[hit] = [site.clean(t) for t in texts[hit]]
            sources[hit] = site.source
    return texts, sources


def is_caption(paragraph: str) -> bool:
    """Whether a paragraph reads as a photo caption ("... (File photo)", "(Photo by ...)")."""
    return len(paragraph) <= 400 and "\n" not in paragraph and bool(table().caption.search(paragraph))
