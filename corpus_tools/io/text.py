"""Plain-text articles: plain, title-first (BBC style) and scraped pages (Press TV style).

One rule set covers the three layouts, applied to the blank-line separated paragraphs:

1. A site of the boilerplate table recognised in the text has its boilerplate removed and
   gives the document its ``source``.
2. A first paragraph that is a breadcrumb (``News / China / Russia``: one short line of
   parts separated by ``/``, ``›``, ``»`` or ``>``) becomes ``sections``, without the site
   root ("News", "Home").
3. The next paragraph is the ``title`` when it is a single line of at most 200 characters
   that does not end like a sentence (``.`` but for ``...``, ``,``, ``;``, ``:``) and
   more text follows.
4. A paragraph right after the title that reads as a photo caption ("... (File photo)",
   "(Photo by ...)") becomes ``caption``.
5. The remaining paragraphs, joined by a blank line, are the ``text``.

A file with a single paragraph is all text, without a title.
"""
from __future__ import annotations

import re
from typing import Any

from corpus_tools.io import boilerplate

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
_CRUMB_SEPARATOR = re.compile(r"\s+[/›»>]\s+")
_SENTENCE_END = (".", ",", ";", ":")
MAX_TITLE_CHARS = 200


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, stripped, empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def breadcrumb(paragraph: str) -> list[str] | None:
    """The sections of a breadcrumb line, or ``None`` when the paragraph is not one.

    Examples
    --------
    >>> breadcrumb("News \\xa0 / \\xa0 China \\xa0 / \\xa0 Russia \\xa0 / \\xa0 Editor's Choice")
    ['China', 'Russia', "Editor's Choice"]
    >>> breadcrumb("A sentence / with a slash in it.") is None
    True
    """
    if "\n" in paragraph or len(paragraph) > 200:
        return None
    parts = [p.strip() for p in _CRUMB_SEPARATOR.split(paragraph)]
    if len(parts) < 2 or any(not p or len(p) > 40 or p.endswith(_SENTENCE_END) for p in parts):
        return None
    roots = boilerplate.table().breadcrumb_roots
    while parts and parts[0] in roots:
        parts = parts[1:]
    return parts


def _is_title(paragraph: str) -> bool:
    return (
        "\n" not in paragraph
        and len(paragraph) <= MAX_TITLE_CHARS
        # "Rivals of the £400 Apple..." is a title; "He said so." is a sentence.
        and (paragraph.endswith("...") or not paragraph.endswith(_SENTENCE_END))
    )


def parse_article(text: str) -> dict[str, Any]:
    """Split the text of one article file into ``text``, ``title``, ``sections``,
    ``caption`` and ``source`` (keys absent when the file has none).

    Examples
    --------
    >>> parse_article("Claxton hunting first major medal\\n\\nBritish hurdler Sarah Claxton ...")
    {'title': 'Claxton hunting first major medal', 'text': 'British hurdler Sarah Claxton ...'}
    """
    row: dict[str, Any] = {}
    site = boilerplate.identify(text)
    if site is not None:
        text = site.clean(text)
        row["source"] = site.source
    paragraphs = split_paragraphs(text)
    if paragraphs:
        crumbs = breadcrumb(paragraphs[0])
        if crumbs is not None and len(paragraphs) > 1:
            row["sections"] = crumbs
            paragraphs = paragraphs[1:]
    if len(paragraphs) > 1 and _is_title(paragraphs[0]):
        row["title"] = paragraphs[0]
        paragraphs = paragraphs[1:]
        if len(paragraphs) > 1 and boilerplate.is_caption(paragraphs[0]):
            row["caption"] = paragraphs[0]
            paragraphs = paragraphs[1:]
    row["text"] = "\n\n".join(paragraphs)
    return row
