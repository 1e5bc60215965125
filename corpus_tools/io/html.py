"""HTML pages (main text by trafilatura) and RSS/Atom feeds (one row per item).

Nothing here touches the network: trafilatura is handed the page's text, never a URL to
fetch, and feeds are parsed from the file.
"""
from __future__ import annotations

import html as html_lib
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from corpus_tools.io import boilerplate
from corpus_tools.io.decoding import read_bytes, read_text
from corpus_tools.io.report import Reporter

try:  # refuses entity-expansion bombs in feeds from unknown sources
    from defusedxml.ElementTree import fromstring as parse_xml
except ImportError:  # pragma: no cover - defusedxml comes with nltk and nbconvert
    parse_xml = ET.fromstring

# Chosen by benchmarks/bench_extraction.py on the article-extraction benchmark pages
# (see benchmarks/RESULTS.md): the settings with the best mean token F1.
EXTRACTION_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "favor_recall": False,
    "include_comments": False,
    "include_tables": True,
}

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"<(?:br\s*/?|/p|/div|/li|/h[1-6]|/blockquote)\s*>", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\f\v]+")


def extract_page(page: str, **options: Any) -> dict[str, Any] | None:
    """Main text and metadata of one HTML page, or ``None`` when no main text is found.

    Returns a dict with ``text`` (paragraphs joined by a blank line), ``title``, ``date``
    (as the page gives it), ``url``, ``author``, ``sitename``, ``description`` and
    ``sections`` (the page's categories), missing ones as ``None``/``[]``.
    """
    import trafilatura

    settings = {**EXTRACTION_OPTIONS, **options}
    doc = trafilatura.bare_extraction(page, with_metadata=True, output_format="python", **settings)
    if doc is None or not (doc.text or "").strip():
        return None
    # trafilatura separates paragraphs with one newline; the docs schema uses a blank line.
    paragraphs = [line.strip() for line in doc.text.split("\n") if line.strip()]
    if paragraphs and doc.title and paragraphs[0].casefold() == doc.title.strip().casefold():
        paragraphs = paragraphs[1:]  # the page's <h1> repeats the title
    text = "\n\n".join(paragraphs)
    return {
        "text": text,
        "title": doc.title or None,
        "date": doc.date or None,
        "url": doc.url or None,
        "author": doc.author or None,
        "sitename": doc.sitename or None,
        "description": doc.description or None,
        "sections": [c for c in (doc.categories or []) if c],
    }


def read_html(path: Path, reporter: Reporter) -> dict[str, Any] | None:
    """One row for an HTML page (``None``, reported, when it has no main text)."""
    page = read_text(path, reporter)
    if page is None:
        return None
    row = extract_page(page)
    if row is None:
        reporter.problem(path, "no main text found in the HTML page", "file skipped")
        return None
    site = boilerplate.identify(row["text"])
    if site is not None:
        row["text"] = site.clean(row["text"])
    row["source"] = row["sitename"] or (site.source if site else None)
    return row


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(item: ET.Element, *names: str) -> str | None:
    for child in item:
        if _local(child.tag) in names:
            if _local(child.tag) == "link" and child.get("href"):
                return child.get("href")
            if child.text and child.text.strip():
                return child.text.strip()
    return None


def _strip_markup(value: str | None) -> str:
    if not value:
        return ""
    text = _BLOCK_END.sub("\n", value)
    text = html_lib.unescape(_TAG.sub("", text))
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.splitlines() if line.strip())


def read_feed(path: Path, reporter: Reporter) -> list[dict[str, Any]] | None:
    """One row per RSS ``<item>`` or Atom ``<entry>``: ``title``, ``url`` (link),
    ``date`` (pubDate/published/updated), ``text`` (description/summary/content with the
    markup removed), ``sections`` (categories), ``id`` (guid/id, else the link)."""
    raw = read_bytes(path, reporter)
    if raw is None:
        return None
    try:
        root = parse_xml(raw)
    except ET.ParseError as exc:
        reporter.problem(path, f"not well-formed XML ({exc})", "file skipped")
        return None
    except ValueError:  # defusedxml refuses entity declarations
        reporter.problem(path, "XML with entity declarations, refused (they can expand without bound)", "file skipped")
        return None
    kind = _local(root.tag)
    if kind not in ("rss", "feed", "rdf"):
        reporter.problem(
            path, f"unsupported XML (root <{kind}>, not an RSS or Atom feed)", "file skipped"
        )
        return None
    channel_title = None
    for el in root.iter():
        if _local(el.tag) in ("channel", "feed"):
            channel_title = _child_text(el, "title")
            break
    rows = []
    for number, item in enumerate((el for el in root.iter() if _local(el.tag) in ("item", "entry")), 1):
        link = _child_text(item, "link")
        rows.append({
            "id": _child_text(item, "guid", "id") or link,
            "title": _strip_markup(_child_text(item, "title")) or None,
            "url": link,
            "date": _child_text(item, "pubdate", "published", "updated", "date"),
            "text": _strip_markup(_child_text(item, "encoded", "content", "description", "summary")),
            "sections": [c.text.strip() if c.text else c.get("term", "")
                         for c in item if _local(c.tag) == "category" and (c.text or c.get("term"))],
            "source": channel_title,
            "_line": number,
        })
    if not rows:
        reporter.problem(path, "feed without items", "file skipped")
        return None
    return rows
