"""IPTC 7901 text wire copy (dpa's English service, ATS/SDA): SOH-framed messages, one story each.

A message is ``SOH`` + the header (``eca100 3 s 586 ccccb   dpa 099``: service and message number,
priority digit, category, word count, optional selector, source and sequence), the keyword line
(``Germany-football/Munich/Mueller/``), ``STX`` + flag lines (``REFILE``, ``1ST LEAD``, ``EXTRA``,
``CORRECTED``), the headline (ATS ends it with ``=`` after topic lines), the byline (``By NAME, dpa =``),
the body and ``ETX`` + the transmission stamp ``DDHHMM [GMT] Mon YY`` (English, German or French month).

Decisions:

* ``agency_id`` is the keyword line (``Germany-football/Munich/Mueller``), as ANPA's is its selector
  keyword: 7901 carries no item id, and the keyword line is what the agency repeats on every version
  of a story (the 1ST LEAD, the REFILE, the CORRECTED take), while the service + message number
  (``eca100``) is the transmission's and changes with each one. A message without a keyword line falls
  back to that number. The Story has no field for the transmission number; the raw message, which
  lineage points to, holds it.
* agency: the header's source (``dpa``, ``dpa-tns``), else the first credit in the dateline (``(ats afp)``).
* the 7901 category (``s``, ``i``, ``ec``) is kept as a subject of scheme ``iptc7901-category``.
* urgency is the priority digit (7901 and IPTC both rank 1 as most urgent).
* version: the Nth LEAD is version N + 1; flags give the signals (REFILE refile, CORRECTED correction,
  KILL/ELIMINATION kill, which cancels the story; EMBARGO… gives ``embargoed_until``). EXTRA is an
  extra story, not a new version. AP's "1st Ld-Writethru" wording is read as a lead too.
* a message without ``ETX`` is truncated (a spool file cut short) and is refused, not half-read.
* the body stops at dpa's unpublishable tail (``* * * *``, a ``# Notebook`` section) and drops the
  desk sign-off (``dpa bwh bag``, ``(SDA/sj)``).
* ``version_created`` is the transmission stamp, and ``first_created`` too for a first version sent for
  the first time (no LEAD, REFILE, CORRECTED or KILL); a later one's first sending is unknown.
* stamps carry no zone when ``GMT`` is missing; they are read as UTC.
* 7901 declares no charset: UTF-8, else undeclared KOI8-R/cp1251 Cyrillic when the bytes say so,
  else Windows-1252/Latin-1 (`text.guess_legacy_encoding`, `text.decode_bytes`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar

from services.parse.formats.base import FeedContext
from services.parse.formats.story import agency_from, build_story
from services.parse.text import (
    check_size,
    check_story_count,
    clean_text,
    decode_bytes,
    embargo_from_flags,
    find_dateline,
    first_created_from,
    flag_signals,
    guess_legacy_encoding,
    month_from_name,
    pubstatus_from_signals,
    split_lines,
    utc_datetime,
    version_from_flags,
)
from shared.errors import ParseError
from shared.models import Story, Subject

__all__ = ["Iptc7901Parser"]

_LABEL = "IPTC 7901"
_HEADER = re.compile(
    r"(?P<service>[a-z]{2,4})(?P<number>\d{2,5})\s+(?P<priority>\d)\s+(?P<category>[a-z]{1,3})\s+"
    r"(?P<words>\d+)(?P<rest>.*)$",
    re.IGNORECASE,
)
_SNIFF = re.compile(rb"^[\x7f\x16\s]*\x01[a-z]{2,4}\d{2,5} \d [a-z]{1,3} \d", re.IGNORECASE)
_STAMP = re.compile(
    r"(?P<day>\d\d)(?P<hour>\d\d)(?P<minute>\d\d)\s+(?:GMT\s+)?(?P<month>[^\W\d_]{3,5})\.?\s+(?P<year>\d\d)"
)
_FLAG_LINE = re.compile(
    r"^(?:REFILE|EXTRA|CORRECTED|CORRECTION|KILL|ELIMINATION|WITHDRAWAL|REPEAT|ADVISORY|URGENT|"
    r"\d+(?:ST|ND|RD|TH) (?:LEAD|LD(?:-WRITETHRU)?)|UPDATE(?: \d+)?|EILT|BERICHTIGUNG|"
    r"(?:EMBARGO(?:ED)?|SPERRFRIST)\b.*)$",
    re.IGNORECASE,
)
_UNPUBLISHED = ("\n* * *", "\n# ", "\nThe following information is not intended")
_EMPTY_LINES = re.compile(r"\n\n+")
_SIGN_OFF = re.compile(r"^(?:dpa(?: [a-z]{2,4})*|\((?:SDA|ATS)[^)]{0,12}\))$", re.IGNORECASE)


class Iptc7901Parser:
    """IPTC 7901 streams: every SOH-framed message is one story."""

    name: ClassVar[str] = "iptc7901"

    def sniff(self, data: bytes) -> bool:
        """Whether the data opens with SOH and a 7901 header (service+number, priority digit, category)."""
        return _SNIFF.match(data[:256]) is not None

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """Every message of the stream, in order."""
        check_size(data, ctx.limits.max_bytes, self.name)
        messages = [chunk for chunk in data.split(b"\x01")[1:] if chunk.strip(b"\x04\x7f\r\n ")]
        if not messages:
            raise ParseError("IPTC 7901: no SOH-framed message", format=self.name)
        check_story_count(len(messages), ctx.limits.max_stories, self.name)
        return [
            build_story(self.name, _LABEL, ctx, index, _message_fields(chunk, index))
            for index, chunk in enumerate(messages)
        ]


def _message_fields(chunk: bytes, index: int) -> dict[str, Any]:
    raw = chunk.split(b"\x04", 1)[0]
    text = decode_bytes(raw, guess_legacy_encoding(raw)).replace("\x7f", "")
    preamble, stx, rest = text.partition("\x02")
    if not stx:
        raise ParseError(f"IPTC 7901: item {index}: no STX (start of text)", format=Iptc7901Parser.name)
    header_line, *keyword_lines = split_lines(preamble)
    keyword_block = "\n".join(keyword_lines)
    header = _HEADER.match(header_line.strip())
    if header is None:
        raise ParseError(f"IPTC 7901: item {index}: unreadable header line", format=Iptc7901Parser.name)
    content, etx, trailer = rest.partition("\x03")
    if not etx:
        raise ParseError(
            f"IPTC 7901: item {index}: no ETX (end of text): message truncated", format=Iptc7901Parser.name
        )
    head, body = _split_head(content)
    flags = [line for line in head if _FLAG_LINE.match(line)]
    embargoed_until = embargo_from_flags(flags)
    bylines = [line for line in head if line.startswith("By ")]
    titles = [line for line in head if line not in flags and line not in bylines]
    headline = _headline(titles)
    if not headline:
        raise ParseError(f"IPTC 7901: item {index}: no headline", format=Iptc7901Parser.name)
    paragraphs = _body_paragraphs(body)
    dateline = find_dateline(paragraphs[0]) if paragraphs else None
    signals = flag_signals(flags)
    version = version_from_flags(flags)
    stamp = _stamp(trailer)
    slugline = clean_text(keyword_block).replace("\n", " ").strip("/ ") or None
    return {
        "agency": agency_from(_agency_candidates(header["rest"], dateline.text if dateline else "")),
        "agency_id": slugline or f"{header['service']}{header['number']}",
        "version": version,
        "headline": headline,
        "slugline": slugline,
        "byline": ", ".join(line.rstrip("= ").strip() for line in bylines) or None,
        "dateline": dateline,
        "urgency": int(header["priority"]) or None,
        "pubstatus": pubstatus_from_signals(signals, embargoed_until),
        "signals": signals,
        "embargoed_until": embargoed_until,
        "first_created": first_created_from(stamp, version, signals),
        "version_created": stamp,
        "body_text": "\n\n".join(paragraphs),
        "subjects": [Subject(scheme="iptc7901-category", code=header["category"].lower(), source="agency")],
    }


def _agency_candidates(header_rest: str, dateline: str) -> list[str]:
    # "ccccb   dpa 099": the source is the word before the sequence number. "(ats afp)": the first
    # credit is the sending agency, the later ones its sources.
    source = header_rest.split()[-2:-1]
    credit = re.search(r"\(([^)]*)\)", dateline)
    return source + (re.split(r"[\s/]+", credit[1]) if credit else [])


def _split_head(content: str) -> tuple[list[str], str]:
    """The cleaned lines before the first blank line (flags, title, byline) and the rest (the body)."""
    cleaned = clean_text(content)
    head, _, body = cleaned.partition("\n\n")
    return [line for line in head.split("\n") if line], body


def _headline(titles: list[str]) -> str:
    # ATS puts topic lines ("Situation", "France:") above a headline closed by "="; dpa sends just the title.
    closed = [line for line in titles if line.endswith("=")]
    chosen = closed[-1] if closed else " ".join(titles)
    return chosen.rstrip("= ").strip()


def _body_paragraphs(body: str) -> list[str]:
    # `body` is already clean (lines trimmed, blank lines empty): the unpublishable tail starts at a line
    # that opens with a marker, and paragraphs split at empty lines. Both are found with literal
    # searches; a multi-line "^" pattern, or cleaning the text again, costs several times more.
    lines = "\n" + body
    cut = min((at for marker in _UNPUBLISHED if (at := lines.find(marker)) >= 0), default=-1)
    if cut >= 0:
        body = body[:cut]
    paragraphs = [p.replace("\n", " ") for p in _EMPTY_LINES.split(body.strip()) if p]
    while paragraphs and _SIGN_OFF.match(paragraphs[-1].replace("\\/", "/")):
        paragraphs.pop()
    return paragraphs


def _stamp(trailer: str) -> datetime | None:
    match = _STAMP.search(trailer)
    month = month_from_name(match["month"]) if match else None
    if not match or month is None:
        return None
    day, hour, minute, year = (int(match[part]) for part in ("day", "hour", "minute", "year"))
    return utc_datetime(2000 + year, month, day, hour, minute)
