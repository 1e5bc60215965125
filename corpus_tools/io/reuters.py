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
from corpus_tools.io.decoding import decode, read_bytes
from corpus_tools.io.report import Reporter

_DOC = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_ATTR = re.compile(r'([A-Z]+)="([^"]*)"')
_LISTS = ("topics", "places", "people", "orgs", "exchanges", "companies")
_FIELDS = {name: re.compile(rf"<{name.upper()}>(.*?)</{name.upper()}>", re.S) for name in _LISTS}
_D = re.compile(r"<D>(.*?)</D>", re.S)
_DATE = re.compile(r"<DATE>(.*?)</DATE>", re.S)
_TEXT = re.compile(r"<TEXT\b([^>]*)>(.*?)</TEXT>", re.S)
_INNER = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("TITLE", "DATELINE", "AUTHOR", "BODY")}
_TAG = re.compile(r"</?[A-Z]+[^>]*>")
# Control characters (written as &#1;..&#31; in the files) except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The timestamp at the start of <DATE>; later junk (routing codes, a note) is not part of it.
_STAMP = re.compile(r"^\s*(\d{1,2}-[A-Za-z]{3}-\d{4})\s+(\d+:\d+:\d+(?:\.\d+)?)")


def _clean(value: str) -> str:
    return _CONTROL.sub("", html.unescape(value)).strip()


def _field(pattern: re.Pattern, text: str) -> str | None:
    m = pattern.search(text)
    return _clean(m.group(1)) if m else None


def read_reuters(path: Path, reporter: Reporter) -> pd.DataFrame | None:
    """All ``<REUTERS>`` articles of one SGML file (``None`` when the file has none)."""
    raw = read_bytes(path, reporter)
    if raw is None:
        return None
    text = decode(raw, path, reporter)
    if text is None:
        return None
    site = boilerplate.site_named("Reuters")
    rows = []
    line, last = 1, 0
    for m in _DOC.finditer(text):
        line += text.count("\n", last, m.start())  # the line of this <REUTERS ...> tag
        last = m.start()
        attrs = dict(_ATTR.findall(m.group(1)))
        body = m.group(2)
        date_raw = _field(_DATE, body)
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
            block = _FIELDS[name].search(body)
            row[name] = [_clean(d) for d in _D.findall(block.group(1))] if block else []
        row["lewis_split"] = attrs.get("LEWISSPLIT")
        row["cgi_split"] = attrs.get("CGISPLIT")
        row["topics_status"] = attrs.get("TOPICS")
        row["oldid"] = int(attrs["OLDID"]) if attrs.get("OLDID", "").isdigit() else None
        row["newid"] = int(attrs["NEWID"]) if attrs.get("NEWID", "").isdigit() else None
        t = _TEXT.search(body)
        inner, text_attrs = (t.group(2), dict(_ATTR.findall(t.group(1)))) if t else ("", {})
        row["title"] = _field(_INNER["TITLE"], inner)
        row["dateline"] = _field(_INNER["DATELINE"], inner)
        row["author"] = _field(_INNER["AUTHOR"], inner)
        row["text_type"] = text_attrs.get("TYPE", "NORM")
        body_text = _field(_INNER["BODY"], inner)
        if row["text_type"] == "BRIEF":
            body_text = ""  # a headline-only flash; its TEXT holds the placeholder "Blah blah blah."
        elif body_text is None:
            # No <BODY>: what is left of <TEXT> once its tagged parts are removed.
            rest = inner
            for name in ("TITLE", "DATELINE", "AUTHOR"):
                rest = _INNER[name].sub("", rest)
            body_text = _clean(_TAG.sub("", rest))
        row["text"] = site.clean(body_text)
        rows.append(row)
    if not rows:
        reporter.problem(path, "no <REUTERS> articles found in this SGML file", "file skipped")
        return None
    frame = pd.DataFrame.from_records(rows)
    for name in ("oldid", "newid"):
        frame[name] = frame[name].astype("Int64")
    return frame
