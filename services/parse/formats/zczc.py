"""AAP ZCZC teletype copy: messages from ``ZCZC`` to ``NNNN``, header lines led by a code character.

Two header dialects travel on AAP feeds, told apart by their codes:

* classic (sport, Medianet): ``$`` category letter, ``:`` keyword, ``=`` take key, ``^`` headline,
  ``*`` format or subject, ``&`` service level, ``+`` IPTC subject code;
* broadcast (BOB): ``%`` selectors, ``#`` keyword, ``$`` headline, ``:`` time or ``(PLACE)``,
  ``*`` IPTC subject code, ``~`` service, ``@`` state.

The header ends at the first line without a code character; each following line is a paragraph
(teletype copy is not wrapped). Line ends may be CR, LF or CRLF, mixed within one message.

Decisions: ZCZC carries no item id, so ``agency_id`` is a hash of agency, keyword, take key and
headline; a copy without a headline line (Medianet releases) takes its first body line as headline;
the closing desk sign-off (``AAP RTV``) is dropped; there is no date, urgency or version in the header.
Bytes are UTF-8, else sniffed Cyrillic (KOI8-R/cp1251), else Windows-1252.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from services.parse.formats.base import FeedContext
from services.parse.formats.story import agency_from, build_story, derived_id
from services.parse.text import (
    check_size,
    check_story_count,
    clean_text,
    dateline_from_text,
    decode_bytes,
    find_dateline,
    flag_signals,
    guess_legacy_encoding,
    lf_only,
    pubstatus_from_signals,
    version_from_flags,
)
from shared.errors import ParseError
from shared.models import Dateline, Story, Subject

__all__ = ["ZczcParser"]

_LABEL = "ZCZC"
# ZCZC and NNNN open their lines (after blanks); the patterns start with the literal so the regex
# engine can skip ahead to it, and `_line_start` checks what precedes it: a pattern led by a
# multi-line "^" is tried at every character of the text.
_START = re.compile(r"ZCZC\b[ \t]*(?P<source>[^\r\n]*)")
_END = re.compile(r"NNNN\b")
_HEADER_CODES = frozenset("%#$:=&*~@+^")
_SUBJECT_CODE = re.compile(r"\d{8}")
_SIGN_OFF = re.compile(r"^AAP(?: [A-Za-z]{2,5})?$")


class ZczcParser:
    """AAP ZCZC streams: every ZCZC … NNNN message is one story."""

    name: ClassVar[str] = "zczc"

    def sniff(self, data: bytes) -> bool:
        """Whether the data opens with the ZCZC start-of-message letters."""
        return data[:256].lstrip(b" \t\r\n\x7f").startswith(b"ZCZC")

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """Every message of the stream, in order."""
        check_size(data, ctx.limits.max_bytes, self.name)
        text = decode_bytes(data, guess_legacy_encoding(data))
        starts = list(_line_led(_START, text))
        if not starts:
            raise ParseError("ZCZC: no ZCZC start-of-message line", format=self.name)
        check_story_count(len(starts), ctx.limits.max_stories, self.name)
        stories = []
        for index, (_, start) in enumerate(starts):
            stop = starts[index + 1][0] if index + 1 < len(starts) else len(text)
            message = text[start.end() : stop]
            end = next((line for line, _ in _line_led(_END, message)), None)
            fields = _message_fields(start["source"], message[:end] if end is not None else message, index)
            stories.append(build_story(self.name, _LABEL, ctx, index, fields))
        return stories


def _line_led(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """Matches of `pattern` that only blanks precede on their line, each with where its line starts.

    Each look back stops at the previous match, so a hostile line of many matches costs linear time.
    """
    searched = 0
    for match in pattern.finditer(text):
        newline = text.rfind("\n", searched, match.start())
        # No line break since the previous match: this one follows it on the same line.
        if newline >= 0 or searched == 0:
            line = newline + 1
            if not text[line : match.start()].strip(" \t"):
                yield line, match
        searched = match.end()


class _Header:
    """The coded header lines of one message."""

    def __init__(self) -> None:
        self.codes: dict[str, list[str]] = {}

    def add(self, code: str, value: str) -> None:
        self.codes.setdefault(code, []).append(value)

    def first(self, *codes: str) -> str | None:
        return next((value for code in codes for value in self.codes.get(code, []) if value), None)

    @property
    def broadcast(self) -> bool:
        return "#" in self.codes


def _message_fields(source: str, message: str, index: int) -> dict[str, Any]:
    header, body = _read_header(lf_only(message))
    # Each line is a paragraph: cleaned all in one pass, blank ones dropped.
    paragraphs = [p for p in clean_text(body).split("\n") if p]
    while paragraphs and _SIGN_OFF.match(paragraphs[-1]):
        paragraphs.pop()
    headline = _headline(header)
    if not headline and paragraphs:
        headline = paragraphs.pop(0)
    if not headline:
        raise ParseError(f"ZCZC: item {index}: no headline and no text", format=ZczcParser.name)
    agency = agency_from((source,))
    slugline = header.first("#") if header.broadcast else header.first(":")
    take = header.first("=")
    flags = [value for value in (slugline, take) if value]
    signals = flag_signals(flags)
    return {
        "agency": agency,
        "agency_id": derived_id(agency, slugline, take, headline),
        "version": version_from_flags(flags),
        "headline": headline,
        "slugline": slugline,
        "dateline": _dateline(header) or (find_dateline(paragraphs[0]) if paragraphs else None),
        "pubstatus": pubstatus_from_signals(signals),
        "signals": signals,
        "body_text": "\n\n".join(paragraphs),
        "subjects": _subjects(header),
        "keywords": list(header.codes.get("@", [])),
    }


def _read_header(text: str) -> tuple[_Header, str]:
    """The coded lines that open `text` (LF line breaks) and the text after them.

    Line by line up to the first uncoded line only: splitting the whole message into lines, then joining
    the body's again, costs more than the rest of the header.
    """
    header = _Header()
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        stripped = text[start : end if end >= 0 else len(text)].strip()
        if stripped:
            code = stripped[0]
            if code not in _HEADER_CODES or (len(stripped) > 1 and stripped[1].isspace()):
                return header, text[start:]
            header.add(code, clean_text(stripped[1:]))
        if end < 0:
            break
        start = end + 1
    return header, ""


def _headline(header: _Header) -> str | None:
    if header.first("^"):
        return header.first("^")
    # A one-letter "$" is the classic dialect's category; a longer one is a broadcast headline.
    return next((value for value in header.codes.get("$", []) if len(value) > 1), None)


def _dateline(header: _Header) -> Dateline | None:
    place = next((value for value in header.codes.get(":", []) if value.startswith("(")), None)
    return dateline_from_text(place.strip("() ")) if place else None


def _subjects(header: _Header) -> list[Subject]:
    subjects = [
        Subject(scheme="anpa-category", code=value.lower(), source="agency")
        for value in header.codes.get("$", [])
        if len(value) == 1 and value.isalpha()
    ]
    for value in header.codes.get("*", []) + header.codes.get("+", []):
        if _SUBJECT_CODE.fullmatch(value):
            subjects.append(Subject(scheme="subj", code=value, source="agency"))
    return subjects
