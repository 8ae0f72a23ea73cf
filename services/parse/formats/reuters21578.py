"""Reuters-21578 SGML (the 1987 Reuters newswire research collection): many ``<REUTERS>`` documents a file.

Each document carries ``NEWID`` (the id), ``<DATE>`` (``24-MAR-1987 15:59:17.10``, read as UTC), the
category lists ``<TOPICS>``, ``<PLACES>``, ``<PEOPLE>``, ``<ORGS>`` (kept as subjects of schemes
``r21578-topics``, ``r21578-places``, ``r21578-people``, ``r21578-orgs``), the original ANPA selector line
in ``<UNKNOWN>`` (its priority letter gives the urgency, as in `anpa.PRIORITY_URGENCY`), and ``<TEXT>``
with ``<TITLE>``, ``<DATELINE>`` and ``<BODY>``. ``TYPE="BRIEF"`` texts have a title only;
``TYPE="UNPROC"`` texts have neither title nor body markup (the first line is the headline).

The files are SGML, not XML (no root element, bare ``&#3;`` control references), so documents are cut out
with regular expressions: fast (tens of thousands of documents a second) and tolerant of the one
non-ASCII byte in the collection. Versions and signals come from a title prefix only ("CORRECTED - …",
"UPDATE 1-…", "REFILE-…"), never from words inside a title ("… DOWNWARD CORRECTION").
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from datetime import datetime
from typing import Any, ClassVar

from services.parse.formats.anpa import PRIORITY_URGENCY
from services.parse.formats.base import FeedContext
from services.parse.formats.story import build_story
from services.parse.text import (
    check_size,
    check_story_count,
    dateline_from_text,
    decode_bytes,
    flag_signals,
    guess_legacy_encoding,
    month_from_name,
    pubstatus_from_signals,
    utc_datetime,
    version_from_flags,
)
from shared.errors import ParseError
from shared.models import Dateline, Story, Subject

__all__ = ["Reuters21578Parser"]

_LABEL = "Reuters-21578"
_NEWID = re.compile(r'\bNEWID="(\d+)"')
_TAGS = ("DATE", "TOPICS", "PLACES", "PEOPLE", "ORGS", "UNKNOWN", "TITLE", "DATELINE", "BODY")
_TEXT = re.compile(r"<TEXT\b[^>]*>(.*?)</TEXT>", re.DOTALL)
_LABELS = re.compile(r"<D>(.*?)</D>")
_PARAGRAPH_START = re.compile(r"\n(?=[ \t]+\S)")
_SIGN_OFF = ("&#3;", "\x03", "reuter")  # compared lower-case: "Reuter", "REUTER", "reuter"
_TITLE_FLAG = re.compile(r"^\(?(CORRECTED|CORRECTION|REFILE|REPEAT|UPDATE \d+)\)?\s*-", re.IGNORECASE)
_RUN_ON_MAX = 300  # a title line is short; the cap keeps the lazy match from going quadratic
# "BICC SEEKS ACCELERATED EARNINGS GROWTH LONDON, March 25 - BICC Plc …": one-word place, month, day.
_RUN_ON_DATELINE = re.compile(
    r"^(?P<title>.+?)\s+(?P<dateline>[A-Z][A-Z.'-]+,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})\s*-?\s*(?P<rest>.*)$"
)
_PRIORITY = re.compile(r"^([a-z]) [a-z]\s", re.MULTILINE)
_SCHEMES = {"TOPICS": "r21578-topics", "PLACES": "r21578-places", "PEOPLE": "r21578-people", "ORGS": "r21578-orgs"}
_DATE = re.compile(
    r"(?P<day>\d{1,2})-(?P<month>[A-Za-z]{3})-(?P<year>\d{4}) (?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)"
)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # all but the line feed
_SNIFF = re.compile(rb"<!DOCTYPE lewis|<REUTERS\b[^>]*\bNEWID=")


class Reuters21578Parser:
    """Reuters-21578 ``.sgm`` files: every ``<REUTERS>`` document is one story."""

    name: ClassVar[str] = "reuters21578"

    def sniff(self, data: bytes) -> bool:
        """Whether the head holds the lewis DOCTYPE or a ``<REUTERS … NEWID=…>`` tag."""
        return _SNIFF.search(data[:4096]) is not None

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """Every document of the file, in order."""
        check_size(data, ctx.limits.max_bytes, self.name)
        documents = _documents(decode_bytes(data, guess_legacy_encoding(data)))
        if not documents:
            raise ParseError("Reuters-21578: no <REUTERS> document", format=self.name)
        check_story_count(len(documents), ctx.limits.max_stories, self.name)
        return [
            build_story(self.name, _LABEL, ctx, index, _document_fields(attrs, inner, index))
            for index, (attrs, inner) in enumerate(documents)
        ]


def _documents(text: str) -> list[tuple[str, str]]:
    """(attributes, inner text) of every closed ``<REUTERS>`` document; plain string search for speed."""
    documents = []
    for chunk in text.split("</REUTERS>")[:-1]:
        start = chunk.rfind("<REUTERS")
        tag_end = chunk.find(">", start)
        if start >= 0 and tag_end >= 0:
            documents.append((chunk[start:tag_end], chunk[tag_end + 1 :]))
    return documents


def _element(inner: str, tag: str) -> str | None:
    start = inner.find(f"<{tag}>")
    if start < 0:
        return None
    start += len(tag) + 2
    end = inner.find(f"</{tag}>", start)
    return inner[start:end] if end >= 0 else None


def _document_fields(attrs: str, inner: str, index: int) -> dict[str, Any]:
    newid = _NEWID.search(attrs)
    if newid is None:
        raise ParseError(f"Reuters-21578: document {index} has no NEWID", format=Reuters21578Parser.name)
    elements = {tag: value for tag in _TAGS if (value := _element(inner, tag)) is not None}
    dateline = _clean(elements.get("DATELINE", ""))
    if "TITLE" in elements:
        headline = _clean(elements["TITLE"])
        body = elements.get("BODY", "")
    else:
        headline, dateline, body = _unprocessed(inner)
    if not headline:
        raise ParseError(f"Reuters-21578: document {newid[1]} has no title or text", format=Reuters21578Parser.name)
    flags = [flag[1] for flag in [_TITLE_FLAG.match(headline)] if flag]
    signals = flag_signals(flags)
    stamp = _date(elements.get("DATE", ""))
    priority = _PRIORITY.search(elements.get("UNKNOWN", ""))
    return {
        "agency": "reuters",
        "agency_id": newid[1],
        "version": version_from_flags(flags),
        "headline": headline,
        "dateline": _dateline(dateline) if dateline else None,
        "urgency": PRIORITY_URGENCY.get(priority[1]) if priority else None,
        "pubstatus": pubstatus_from_signals(signals),
        "signals": signals,
        "first_created": stamp,
        "version_created": stamp,
        "body_text": _body(body),
        "subjects": [
            _subject(scheme, label)
            for element, scheme in _SCHEMES.items()
            if "<D>" in elements.get(element, "")
            for label in _LABELS.findall(elements[element])
        ],
    }


def _unprocessed(inner: str) -> tuple[str, str, str]:
    """Headline, dateline and body of a TYPE="UNPROC" text, whose first line runs title and dateline together."""
    text = _TEXT.search(inner)
    lines = html.unescape(text[1] if text else "").strip("\x02\n ").split("\n", 1)
    first, body = lines[0], lines[1] if len(lines) > 1 else ""
    run_on = _RUN_ON_DATELINE.match(first) if len(first) <= _RUN_ON_MAX else None
    if run_on is None:
        return _clean(first), "", body
    # The dash after the dateline may open the next line ("CARACAS, Oct 19\n- The current …").
    return _clean(run_on["title"]), run_on["dateline"], f"{run_on['rest']}\n{body}".lstrip(" -\n")


# Models are immutable, so the few hundred labels and datelines of a collection are built once and shared.
@functools.lru_cache(maxsize=4096)
def _subject(scheme: str, label: str) -> Subject:
    return Subject(scheme=scheme, code=html.unescape(label), source="agency")


@functools.lru_cache(maxsize=4096)
def _dateline(text: str) -> Dateline | None:
    return dateline_from_text(text)


def _clean(value: str) -> str:
    # clean_text, made cheap for a corpus of ASCII lines: one regex, one split-join, NFC only when needed.
    text = " ".join(_CONTROL.sub(" ", html.unescape(value)).split())  # split() also drops line feeds
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _body(body: str) -> str:
    # Paragraphs open with an indented line; the closing "Reuter" is the desk sign-off.
    body = body.rstrip()
    for tail in _SIGN_OFF:
        if body[-len(tail) :].lower() == tail:
            body = body[: -len(tail)].rstrip()
    body = _CONTROL.sub(" ", html.unescape(body))
    paragraphs = (" ".join(part.split()) for part in _PARAGRAPH_START.split(body))
    if not body.isascii():
        paragraphs = (unicodedata.normalize("NFC", part) for part in paragraphs)
    return "\n\n".join(p for p in paragraphs if p)


def _date(value: str) -> datetime | None:
    # strptime costs more than the rest of a document; the layout is fixed, so read it by hand.
    match = _DATE.match(value.strip())
    month = month_from_name(match["month"]) if match else None
    if not match or not month:
        return None
    day, year, hour, minute, second = (int(match[part]) for part in ("day", "year", "hour", "minute", "second"))
    return utc_datetime(year, month, day, hour, minute, second)
