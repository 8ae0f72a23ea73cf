"""ANPA-1312 wire copy (AP's classic text feed): one or more messages framed by control bytes.

A message is ``SYN SYN SOH`` + service letter and message number (``W2607``) + ``US`` + selector codes,
then the selector line (priority letter, category letter, keyword, take words, ``MM-DD``, word count),
then ``STX`` + top matter + body + ``ETX`` + the transmission stamp (``AP-WF-11-13-13 1509GMT``) + ``EOT``.

Top matter lines start with ``^``: the slug line (``BC-US--Ethanol-Losing Grassland, 1st Ld-Writethru,1140<``),
the headline, then notes ending in ``<`` (photo and ``Eds:`` notes) and the byline lines ending in ``=``.
Body paragraphs start with a tab; agate table rows start with a backspace byte and separate cells with
``;`` or ``US``/``RS`` bytes (``{`` is AP's one-half in agate).

Decisions:

* ``agency_id`` is the selector-line keyword (``BC-US--Ethanol-LosingGra``): AP keeps it across
  writethrus while the message number changes with every transmission.
* version: the Nth lead (``1stLd-Writethru``, ``3rd Ld``) is version N + 1; an unnumbered writethru is 2.
* urgency from the priority letter: f(lash) 1, b(ulletin) 2, u(rgent) 3, r(outine) 5, s(pecial) 6,
  d(eferred) 7, w(eekend advance) 8; any other letter gives no urgency.
* signals come from the take words of the selector and slug lines and from ``Eds:`` notes only, never
  from the story text; a kill or withdrawal makes the story ``canceled``; an embargo note gives
  ``embargoed_until`` (the story is ``withheld`` when its release time cannot be read); a note naming
  only a clock time (``Embargoed until 1130 GMT``) means the first such moment after transmission.
* a message without ``ETX`` is truncated (a spool file cut short) and is refused, not half-read.
* ``version_created`` is the transmission stamp; ``first_created`` is the same stamp for a first version
  sent for the first time, and unknown for a later version, a refile, a correction or a kill
  (`text.first_created_from`). The stamp has a two-digit year, read as 20YY.
* bytes are UTF-8, else sniffed Cyrillic (KOI8-R/cp1251), else Windows-1252 (ANPA declares no charset).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, ClassVar

from services.parse.formats.base import FeedContext
from services.parse.formats.story import agency_from, build_story
from services.parse.text import (
    check_size,
    check_story_count,
    clean_lines,
    clean_text,
    decode_bytes,
    embargo_from_flags,
    find_dateline,
    first_created_from,
    flag_signals,
    guess_legacy_encoding,
    pubstatus_from_signals,
    split_lines,
    utc_datetime,
    version_from_flags,
)
from shared.errors import ParseError
from shared.models import Story, Subject

__all__ = ["PRIORITY_URGENCY", "AnpaParser"]

_LABEL = "ANPA"
PRIORITY_URGENCY = {"f": 1, "b": 2, "u": 3, "r": 5, "s": 6, "d": 7, "w": 8}
"""IPTC urgency of an ANPA priority letter (Reuters-21578 headers use the same letters)."""

_SNIFF = re.compile(rb"^[\x16\x7f\s]*\x01[A-Za-z]\d{4}")
_HEADER = re.compile(r"(?P<service>[A-Za-z])(?P<number>\d{4})")
_SELECTOR = re.compile(
    r"(?P<priority>[a-z]) (?P<category>[a-z])[\x11-\x14]*\s*(?P<keyword>\S+)(?P<take>.*?)\s+"
    r"(?P<month>\d\d)-(?P<day>\d\d)(?:\s+(?P<words>\d{1,5}))?\s*$",
    re.IGNORECASE,
)
_STAMP = re.compile(r"(?P<month>\d\d)-(?P<day>\d\d)-(?P<year>\d\d) (?P<hour>\d\d)(?P<minute>\d\d)\s*GMT")
_SELECTOR_MAX = 200
_NOTE = re.compile(r"^\(?(?:Eds?:|EDITOR'S NOTE)", re.IGNORECASE)
_SYN = "\x16"
# In a table row's cleaned cells, one a line: a cell of carets and spaces only, or the carets opening a cell.
_CELL_CARETS = re.compile(r"^[ ^]+$\n?|^\^+ ?", re.MULTILINE)
_EMBARGO_CLOCK = re.compile(
    r"embargo(?:ed)?\s+(?:until|till|to)\s+(?P<hour>\d\d):?(?P<minute>\d\d)\s*(?:GMT|UTC|Z)\b", re.I
)


class AnpaParser:
    """ANPA-1312 streams: every SOH-framed message is one story."""

    name: ClassVar[str] = "anpa1312"

    def sniff(self, data: bytes) -> bool:
        """Whether the data opens with SOH and an ANPA service letter and message number."""
        return _SNIFF.match(data[:64]) is not None

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """Every message of the stream, in order."""
        check_size(data, ctx.limits.max_bytes, self.name)
        messages = [chunk for chunk in data.split(b"\x01")[1:] if chunk.strip(b"\x04\x16\r\n ")]
        if not messages:
            raise ParseError("ANPA: no SOH-framed message", format=self.name)
        check_story_count(len(messages), ctx.limits.max_stories, self.name)
        return [
            build_story(self.name, _LABEL, ctx, index, _message_fields(chunk, index))
            for index, chunk in enumerate(messages)
        ]


def _message_fields(chunk: bytes, index: int) -> dict[str, Any]:
    raw = chunk.split(b"\x04", 1)[0]
    text = decode_bytes(raw, guess_legacy_encoding(raw))
    preamble, stx, rest = text.partition("\x02")
    if not stx:
        raise ParseError(f"ANPA: item {index}: no STX (start of text)", format=AnpaParser.name)
    header_lines = split_lines(preamble.strip(_SYN + "\r\n"))
    if not header_lines or not _HEADER.match(header_lines[0]):
        raise ParseError(f"ANPA: item {index}: no service and message number after SOH", format=AnpaParser.name)
    # A selector line is under 80 characters; the cap keeps a hostile one from costing quadratic time.
    selector = _SELECTOR.match(header_lines[1][:_SELECTOR_MAX].strip()) if len(header_lines) > 1 else None
    if selector is None:
        raise ParseError(f"ANPA: item {index}: unreadable selector line", format=AnpaParser.name)
    content, etx, trailer = rest.partition("\x03")
    if not etx:
        raise ParseError(f"ANPA: item {index}: no ETX (end of text): message truncated", format=AnpaParser.name)
    top = _TopMatter(split_lines(content))
    if not top.headline:
        raise ParseError(f"ANPA: item {index}: no headline", format=AnpaParser.name)
    flags = [selector["take"], *top.take_words, *top.notes]
    signals = flag_signals(flags)
    version = version_from_flags(flags)
    stamp = _stamp(trailer)
    embargoed_until = embargo_from_flags(flags) or _embargo_clock_time(top.notes, stamp)
    body_text = "\n\n".join(top.paragraphs)
    return {
        "agency": agency_from((trailer.split("-", 1)[0], top.byline)),
        "agency_id": selector["keyword"],
        "version": version,
        "headline": top.headline,
        "slugline": top.slugline,
        "byline": top.byline,
        "dateline": find_dateline(top.paragraphs[0]) if top.paragraphs else None,
        "urgency": PRIORITY_URGENCY.get(selector["priority"].lower()),
        "pubstatus": pubstatus_from_signals(signals, embargoed_until),
        "signals": signals,
        "embargoed_until": embargoed_until,
        "first_created": first_created_from(stamp, version, signals),
        "version_created": stamp,
        "body_text": body_text,
        "subjects": [Subject(scheme="anpa-category", code=selector["category"].lower(), source="agency")],
    }


def _stamp(trailer: str) -> datetime | None:
    match = _STAMP.search(trailer)
    if not match:
        return None
    year, month, day, hour, minute = (int(match[part]) for part in ("year", "month", "day", "hour", "minute"))
    return utc_datetime(2000 + year, month, day, hour, minute)


def _embargo_clock_time(notes: list[str], sent: datetime | None) -> datetime | None:
    # "Eds: Embargoed until 1130 GMT." names a clock time only: the first such moment after transmission.
    match = next((m for note in notes if (m := _EMBARGO_CLOCK.search(note))), None)
    if match is None or sent is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        return None
    release = sent.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return release if release >= sent else release + timedelta(days=1)


def _line_text(line: str) -> str:
    # "^Headline<", "^By NAME=": the caret opens a top-matter line, "<" and "=" close it.
    return clean_text(line.replace("\x10", "")).lstrip("^").rstrip("<= ").strip()


def _table_row(line: str) -> str:
    # The cells cleaned in one pass, each on a line of its own (a cell holds no line break); the carets
    # opening a cell, and cells of carets only, dropped in one substitution (calls per cell cost a quarter
    # more); then the words joined by a space.
    cells = _CELL_CARETS.sub("", clean_text(_separated(line, "\n")))
    return " ".join(cells.split()).replace("{", "½")


def _separated(row: str, separator: str) -> str:
    # Three str.replace calls cost a tenth of a regex character-class scan of the row. A run of
    # separators leaves empty cells, which the callers drop.
    return row.replace(";", separator).replace("\x1e", separator).replace("\x1f", separator)


def _body_paragraphs(lines: list[str]) -> list[str]:
    """The paragraphs of body lines, each line read as `_line_text` or `_table_row` would read it."""
    text = "\n".join(lines)
    if text.startswith("\x08") or "\n\x08" in text:
        # A row's cells, cleaned and joined by a space, are the row with each separator a space, cleaned
        # with the other lines in one pass; only a row with a caret (which each cell drops) is read alone.
        rows = [line.startswith("\x08") for line in lines]
        marked = [_separated(line, " ") if row else line for line, row in zip(lines, rows, strict=True)]
        paragraphs = [
            (_table_row(raw) if "^" in raw else line.replace("{", "½"))
            if row
            else line.lstrip("^").rstrip("<= ").strip()
            for raw, line, row in zip(lines, clean_lines(marked), rows, strict=True)
        ]
    else:
        # One clean over the whole body: per line, the calls cost more than the cleaning itself.
        paragraphs = clean_text(text).split("\n")
        if "^" in text or "<" in text or "=" in text:
            paragraphs = [line.lstrip("^").rstrip("<= ").strip() for line in paragraphs]
    return [paragraph for paragraph in paragraphs if paragraph and paragraph.strip("_")]


class _TopMatter:
    """The slug line, headline, notes, byline and body paragraphs of one message's text."""

    def __init__(self, lines: list[str]) -> None:
        self.slugline: str | None = None
        self.take_words: list[str] = []
        self.headline = ""
        self.notes: list[str] = []
        self.byline: str | None = None
        self._title_may_follow = False
        self.paragraphs: list[str] = []
        self._read(lines)

    def _read(self, lines: list[str]) -> None:
        carets = iter(i for i, line in enumerate(lines) if line.startswith("^"))
        slug_at, headline_at = next(carets, None), next(carets, None)
        if slug_at is None or headline_at is None:
            return
        self._read_slug(lines[slug_at])
        self.headline = _line_text(lines[headline_at])
        rest = lines[headline_at + 1 :]
        # Top matter (notes, byline) runs until the first tab-indented paragraph or agate row.
        body_at = next((i for i, line in enumerate(rest) if line.startswith(("\t", "\x08"))), len(rest))
        head = [line for line in rest[:body_at] if not (line.startswith("^") and self._read_head_line(line))]
        # Body copy among the top matter is read as the body is (line by line), in the same pass.
        self.paragraphs = _body_paragraphs(head + rest[body_at:])

    def _read_slug(self, line: str) -> None:
        # "^*9006< ^AP-Top-Entertainment-Headlines,0176<": the slug is the last caret segment.
        parts = [part.strip() for part in _line_text(line.rsplit("^", 1)[-1]).split(",")]
        if parts and parts[-1].isdigit():
            parts.pop()
        self.slugline = parts[0] or None if parts else None
        self.take_words = parts[1:]

    def _read_head_line(self, line: str) -> bool:
        """Take a top-matter line as note or byline; False when it is body copy (a subhead, a list)."""
        text = _line_text(line)
        title_may_follow, self._title_may_follow = self._title_may_follow, False
        if text.startswith("By "):
            self.byline = text
            # "By NAME=" is followed by the writer's title ("Associated Press="); "By The Associated Press" is not.
            self._title_may_follow = "Associated Press" not in text
        elif title_may_follow and line.rstrip().endswith("=") and len(text) <= 40:
            self.byline = f"{self.byline}, {text}"
        elif line.rstrip().endswith("<"):
            if _NOTE.match(text):
                self.notes.append(text)
        else:
            return False
        return True
