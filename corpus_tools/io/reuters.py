"""Reuters-21578 SGML (``reut2-NNN.sgm``): one row per ``<REUTERS>`` element.

The files are not XML (no root element, a DOCTYPE, control characters written as ``&#N;``),
so they are read with regular expressions over the whole file, which is also fast.

Rows get ``doc_id`` "reuters-<NEWID>", ``source`` "Reuters", ``date`` from ``<DATE>``,
``title``, and these metadata columns: ``topics``, ``places``, ``people``, ``orgs``,
``exchanges``, ``companies`` (lists of codes), ``lewis_split`` and ``cgi_split`` (the
LEWISSPLIT/CGISPLIT attributes), ``topics_status`` (the TOPICS attribute: YES/NO/BYPASS),
``oldid`` and ``newid`` (integers), ``dateline``, ``author`` and ``text_type`` (NORM,
BRIEF or UNPROC). ``text`` is ``<BODY>`` as written (hard line breaks kept) without the
closing "Reuter" sign-off. Articles without ``<BODY>``: an UNPROC article's unstructured
``<TEXT>`` is its text; a BRIEF article is a title only (its ``<TEXT>`` holds the
placeholder "Blah blah blah.") and keeps an empty text (the load report lists it). The ``<UNKNOWN>`` routing codes are not kept.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from corpus_tools.io import boilerplate
from corpus_tools.io.decoding import read_text
from corpus_tools.io.report import Reporter

_ATTR = re.compile(r'([A-Z]+)="([^"]*)"')
_LISTS = ("topics", "places", "people", "orgs", "exchanges", "companies")
# One scan per article for its flat fields, one for the parts of <TEXT>.
_OUTER = re.compile(r"<(DATE|TOPICS|PLACES|PEOPLE|ORGS|EXCHANGES|COMPANIES)>(.*?)</\1>", re.S)
_D = re.compile(r"<D>(.*?)</D>", re.S)
_TEXT = re.compile(r"<TEXT\b([^>]*)>(.*?)</TEXT>", re.S)
_INNER = re.compile(r"<(TITLE|DATELINE|AUTHOR|BODY)>(.*?)</\1>", re.S)
_TAG = re.compile(r"</?[A-Z]+[^>]*>")
# Control characters (written as &#1;..&#31; in the files) except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The timestamp at the start of <DATE>; later junk (routing codes, a note) is not part of it.
_STAMP = re.compile(r"^\s*(\d{1,2}-[A-Za-z]{3}-\d{4})\s+(\d+:\d+:\d+(?:\.\d+)?)")


def _clean(value: str) -> str:
    if "&" in value:  # most fields hold no entity; unescaping them all costs a third of the time
        value = _CONTROL.sub("", html.unescape(value))
    return value.strip()


def read_reuters(path: Path, reporter: Reporter) -> pd.DataFrame | None:
    """All ``<REUTERS>`` articles of one SGML file (``None`` when the file has none)."""
    text = read_text(path, reporter)
    if text is None:
        return None
    site = boilerplate.site_named("Reuters")
    rows = []
    line = 1
    # Splitting at the closing tags is much faster than one lazy regex over the whole file.
    for chunk in text.split("</REUTERS>"):
        start = chunk.find("<REUTERS")
        if start < 0:
            continue
        line += chunk.count("\n", 0, start)  # the line of this <REUTERS ...> tag
        head_end = chunk.find(">", start)
        attrs = dict(_ATTR.findall(chunk, start, head_end))
        body = chunk[head_end + 1:]
        outer = dict(_OUTER.findall(body))
        date_raw = _clean(outer["DATE"]) if "DATE" in outer else None
        if date_raw is not None:
            stamp = _STAMP.match(date_raw)
            date_raw = f"{stamp.group(1)} {stamp.group(2)}" if stamp else date_raw
        row = {
            "id": f"reuters-{attrs.get('NEWID', '')}",
            "date": date_raw,
            "source": "Reuters",
            "sections": [],
            "url": None,
            "_line": line,
        }
        for name in _LISTS:
            block = outer.get(name.upper())
            row[name] = [_clean(d) for d in _D.findall(block)] if block else []
        row["lewis_split"] = attrs.get("LEWISSPLIT")
        row["cgi_split"] = attrs.get("CGISPLIT")
        row["topics_status"] = attrs.get("TOPICS")
        row["oldid"] = int(attrs["OLDID"]) if attrs.get("OLDID", "").isdigit() else None
        row["newid"] = int(attrs["NEWID"]) if attrs.get("NEWID", "").isdigit() else None
        t = _TEXT.search(body)
        inner, text_attrs = (t.group(2), dict(_ATTR.findall(t.group(1)))) if t else ("", {})
        parts = {name: _clean(value) for name, value in _INNER.findall(inner)}
        row["title"] = parts.get("TITLE")
        row["dateline"] = parts.get("DATELINE")
        row["author"] = parts.get("AUTHOR")
        row["text_type"] = text_attrs.get("TYPE", "NORM")
        body_text = parts.get("BODY")
        if row["text_type"] == "BRIEF":
            body_text = ""  # a headline-only flash; its TEXT holds the placeholder "Blah blah blah."
        elif body_text is None:
            # No <BODY>: what is left of <TEXT> once its tagged parts are removed.
            body_text = _clean(_TAG.sub("", _INNER.sub("", inner)))
        row["text"] = site.clean(body_text)
        rows.append(row)
        line += chunk.count("\n", start)
    if not rows:
        reporter.problem(path, "no <REUTERS> articles found in this SGML file", "file skipped")
        return None
    frame = pd.DataFrame.from_records(rows)
    for name in ("oldid", "newid"):
        frame[name] = frame[name].astype("Int64")
    return frame
