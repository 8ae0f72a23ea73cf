"""Text helpers every format parser shares: decoding, cleaning, paragraphs, dates, credits, urgency.

Helpers here are pure and format-neutral; a helper used by one format only belongs in that format's module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from shared.errors import ParseError

__all__ = [
    "check_size",
    "clean_text",
    "decode_bytes",
    "extract_credits",
    "join_paragraphs",
    "parse_datetime",
    "split_paragraphs",
    "urgency_from_word",
]

# Cyrillic encodings agencies still use come after the Western ones: a byte string that is valid
# cp1252 is far more often Western copy than Cyrillic copy.
_FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def check_size(data: bytes, limit: int, fmt: str) -> None:
    """Raise `ParseError` when `data` is larger than `limit` bytes."""
    if len(data) > limit:
        raise ParseError(
            f"input is {len(data) / 1_048_576:.1f} MB; limit is {limit / 1_048_576:.0f} MB",
            format=fmt,
            code="too_large",
        )


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode wire bytes: the declared charset first, then UTF-8 (BOM aware), Windows-1252, Latin-1."""
    candidates = ([declared] if declared else []) + list(_FALLBACK_ENCODINGS)
    for encoding in candidates:
        try:
            text = data.decode(_normalise_encoding(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
        return text.removeprefix("\ufeff")
    return data.decode("latin-1")  # pragma: no cover - latin-1 decodes every byte string


def _normalise_encoding(name: str) -> str:
    lowered = name.strip().lower()
    return {"utf8": "utf-8", "iso-8859-1": "cp1252", "latin1": "cp1252"}.get(lowered, lowered)


def clean_text(text: str) -> str:
    """Clean Unicode: NFC, no control characters, single spaces, trimmed lines; quotes kept as sent."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Body text: cleaned, non-empty paragraphs separated by one blank line, each on one line."""
    cleaned = (clean_text(p).replace("\n", " ") for p in paragraphs)
    return "\n\n".join(p for p in cleaned if p)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text, split on blank lines."""
    return [p for p in _BLANK_LINES.split(clean_text(text)) if p]


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO-8601, RFC 822 or compact (20170629T101500Z) timestamp as aware UTC; None when unreadable.

    A timestamp without a zone is taken as UTC, which is what agencies mean when they omit it.
    """
    if not value or not value.strip():
        return None
    raw = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        compact = re.fullmatch(r"(\d{8})T(\d{4,6})([+-]\d{4}|Z)?", raw)
        if compact:
            date, time, zone = compact.groups()
            stamp = f"{date}T{time.ljust(6, '0')}{'+0000' if zone in (None, 'Z') else zone}"
            parsed = datetime.strptime(stamp, "%Y%m%dT%H%M%S%z")
        else:
            try:
                parsed = parsedate_to_datetime(raw)
            except (TypeError, ValueError, IndexError):
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_URGENCY_WORDS = {"flash": 1, "bulletin": 2, "urgent": 3, "blitz": 1, "eilt": 2, "срочно": 2, "molniya": 1}


def urgency_from_word(word: str | None) -> int | None:
    """IPTC urgency for an agency flag word (FLASH 1, BULLETIN 2, URGENT 3); None when it is not one."""
    if not word:
        return None
    return _URGENCY_WORDS.get(word.strip().strip("+ ").lower())


_AGENCY_NAMES = {
    "reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "afp": "AFP",
    "tass": "TASS",
    "dpa": "dpa",
    "aap": "AAP",
    "efe": "EFE",
    "ansa": "ANSA",
    "xinhua": "Xinhua",
    "bloomberg": "Bloomberg",
    "ria novosti": "RIA Novosti",
    "interfax": "Interfax",
    "pa": "PA",
    "upi": "UPI",
}
_CREDIT_RE = re.compile(
    r"\((?P<paren>Reuters|AP|AFP|dpa|AAP|EFE|ANSA|Xinhua|Bloomberg|UPI)\)"
    r"|/(?P<slash>TASS|ITAR-TASS)/"
    r"|With (?:additional )?reporting by (?P<list>[^\n.]+)",
    re.IGNORECASE,
)


def extract_credits(text: str) -> list[str]:
    """Agencies the copy itself credits: "(Reuters)", "/TASS/", "With reporting by Reuters, TASS and AP".

    Returns display names, in order of first mention, without repeats. People named in a
    "With reporting by" line (reporters rather than agencies) are left out.
    """
    found: list[str] = []
    for match in _CREDIT_RE.finditer(text):
        if match["paren"] or match["slash"]:
            names = [match["paren"] or "TASS"]
        else:
            names = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*", match["list"])
        for name in names:
            display = _AGENCY_NAMES.get(name.strip().lower())
            if display and display not in found:
                found.append(display)
    return found
