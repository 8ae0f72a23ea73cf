"""Text helpers every format parser shares: decoding, cleaning, paragraphs, dates, credits, urgency.

Helpers here are pure and format-neutral; a helper used by one format only belongs in that format's module.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from itertools import accumulate

from shared.errors import ParseError
from shared.models import Dateline, PubStatus, Signal

__all__ = [
    "check_size",
    "check_story_count",
    "clean_lines",
    "clean_text",
    "collapse_whitespace",
    "dateline_from_text",
    "decode_bytes",
    "drop_controls",
    "embargo_from_flags",
    "extract_credits",
    "find_dateline",
    "first_created_from",
    "flag_signals",
    "guess_legacy_encoding",
    "join_paragraphs",
    "lf_only",
    "month_from_name",
    "parse_datetime",
    "pubstatus_from_signals",
    "split_lines",
    "split_paragraphs",
    "urgency_from_word",
    "utc_datetime",
    "version_from_flags",
]

# Cyrillic encodings agencies still use come after the Western ones: a byte string that is valid
# cp1252 is far more often Western copy than Cyrillic copy.
_FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")
# The C1 control characters (U+0080-U+009F) as UTF-8: 0xC2 then a byte of 0x80-0x9F.
_C1_CONTROL_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACE_RUN = re.compile("  +")  # two literal spaces lead: the engine skips ahead to each run
# The ASCII control characters clean text drops (CR is gone by then; tab, which is whitespace, becomes a space).
_ASCII_CONTROL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_TAB_TO_SPACE = bytes.maketrans(b"\t", b" ")
_SPACE_LIKE = ("\t", "\xa0", "\u2009", "\u202f", "\u3000")


def check_size(data: bytes, limit: int, fmt: str) -> None:
    """Raise `ParseError` when `data` is larger than `limit` bytes."""
    if len(data) > limit:
        raise ParseError(
            f"input is {len(data) / 1_048_576:.1f} MB; limit is {limit / 1_048_576:.0f} MB",
            format=fmt,
            code="too_large",
        )


def check_story_count(count: int, limit: int, fmt: str) -> None:
    """Raise `ParseError` when a multi-story input holds more than `limit` stories, before they are built."""
    if count > limit:
        raise ParseError(f"{fmt}: {count} stories; limit is {limit}", format=fmt, code="too_many_stories")


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


def split_lines(text: str) -> list[str]:
    """The lines of `text`, at LF, CRLF or CR, mixed as teletype copy mixes them.

    Not str.splitlines, which also splits at the RS/US bytes that separate agate cells, and at form feeds;
    and not a regex split, which costs ~40 ns a character to find the few line breaks (str.replace is C).
    """
    return lf_only(text).split("\n")


def lf_only(text: str) -> str:
    """`text` with every line break (LF, CRLF or CR) an LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def clean_text(text: str) -> str:
    """Clean Unicode: NFC, no control characters, single spaces, trimmed lines; quotes kept as sent."""
    text = lf_only(text)
    ascii_only = text.isascii()
    # Whole-text passes in C: a Python loop over lines costs ~1 µs a line, and a story has a hundred.
    if not _printable(text):
        if ascii_only:
            # ASCII control bytes or tabs: controls dropped and tabs made spaces, on bytes.
            text = text.encode("ascii").translate(_TAB_TO_SPACE, _ASCII_CONTROL).decode("ascii")
        else:
            # The usual non-ASCII whitespace (tab, NBSP in French copy) is a space; control characters
            # are dropped.
            for space in _SPACE_LIKE:
                if space in text:
                    text = text.replace(space, " ")
            if not _printable(text):
                text = drop_controls(text)
                if not _printable(text):
                    # Anything left (U+2028, an em space, a soft hyphen) is cleaned line by line.
                    cleaned = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
                    return unicodedata.normalize("NFC", cleaned)
    # Only spaces and line breaks are left: trim each line's edges, then collapse the runs inside lines.
    # Lines are trimmed only when one has a space at an edge (two searches cost less than the mapping);
    # mapping str.strip over them costs a third of two str.replace passes over the whole text.
    if "\n" in text and ("\n " in text or " \n" in text):
        text = "\n".join(map(str.strip, text.split("\n")))
    # Pairs of spaces (after a full stop) go in one str.replace pass, half the cost of the regex
    # substitution; longer runs (table columns) in the substitution, which takes each in one step.
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text) if "   " in text else text.replace("  ", " ")
    # Composed last: a control character dropped from between a letter and its accent leaves a pair
    # that only now composes, and clean text cleans to itself.
    return text.strip() if ascii_only else unicodedata.normalize("NFC", text.strip())


def drop_controls(text: str) -> str:
    """`text` without the control characters `clean_text` drops; tab and line breaks are kept."""
    # On the UTF-8 bytes: the ASCII controls (agate's cell bytes) by a translation, as no ASCII byte is part
    # of another character, and the C1 ones (mis-decoded copy) by their two-byte sequences, a tenth of the
    # cost of a character-class search of the text.
    utf8 = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_CONTROL)
    return _C1_CONTROL_UTF8.sub(b"", utf8).decode("utf-8", "surrogatepass")


def _printable(text: str) -> bool:
    # Line breaks are the one unprintable character clean text keeps.
    return (text.replace("\n", " ") if "\n" in text else text).isprintable()


def clean_lines(lines: list[str]) -> list[str]:
    """`clean_text` of each line (none may hold a line break), in one pass over all of them."""
    # The sentinel lines keep blank lines at either end from being trimmed away, so the lists align.
    return clean_text("\n".join(("-", *lines, "-"))).split("\n")[1:-1]


def collapse_whitespace(text: str) -> str:
    """Every run of whitespace (line breaks included) as one space, at the edges too; nothing else changed."""
    words = text.split()
    if not words:
        return " " if text else ""
    return f"{' ' if text[0].isspace() else ''}{' '.join(words)}{' ' if text[-1].isspace() else ''}"


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
            try:
                parsed = datetime.strptime(stamp, "%Y%m%dT%H%M%S%z")
            except ValueError:  # an impossible date such as month 13
                return None
        else:
            try:
                parsed = parsedate_to_datetime(raw)
            except (TypeError, ValueError, IndexError):
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 with a positive offset has no UTC equivalent
        return None


_URGENCY_WORDS = {"flash": 1, "bulletin": 2, "urgent": 3, "blitz": 1, "eilt": 2, "срочно": 3, "molniya": 1, "молния": 1}


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
# Three patterns, each opening with a literal the regex engine can scan for: one alternation of the
# three tried every branch at every character of the body (~400 µs for a 5 KB story).
# The look-ahead at the names' first letters spares the case-blind alternation at every other "(" (a
# table of results holds hundreds): a third of the cost.
_CREDIT_PAREN = re.compile(
    r"\((?=[radexbu])(?P<name>Reuters|AP|AFP|dpa|AAP|EFE|ANSA|Xinhua|Bloomberg|UPI)\)", re.IGNORECASE
)
_CREDIT_SLASH = re.compile(r"/(?:TASS|ITAR-TASS)/", re.IGNORECASE)
_CREDIT_LIST = re.compile(r"With (?:additional )?reporting by (?P<list>[^\n.]+)", re.IGNORECASE)
_CREDIT_LIST_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*")


def extract_credits(text: str) -> list[str]:
    """Agencies the copy itself credits: "(Reuters)", "/TASS/", "With reporting by Reuters, TASS and AP".

    Returns display names, in order of first mention, without repeats. People named in a
    "With reporting by" line (reporters rather than agencies) are left out.
    """
    mentions: list[tuple[int, list[str]]] = []
    lists: list[tuple[int, int]] = []
    # The words of a "reporting by" line are ASCII, and no other character lower-cases to one of them but
    # U+0130 (to "i" and a combining dot): the ASCII bytes (others made "?") find the phrase exactly as
    # str.lower would, without lower-casing all of the text (~50 instructions a character when not ASCII).
    if b"reporting by" in text.encode("ascii", "replace").lower():
        for match in _CREDIT_LIST.finditer(text):
            mentions.append((match.start(), _CREDIT_LIST_SPLIT.split(match["list"])))
            lists.append(match.span())
    for pattern, opener in ((_CREDIT_PAREN, "("), (_CREDIT_SLASH, "/")):
        for match in pattern.finditer(text) if opener in text else ():
            # A credit inside a "With reporting by" line is part of that line, not a mention of its own.
            if not any(start <= match.start() < end for start, end in lists):
                mentions.append((match.start(), [match.groupdict().get("name") or "TASS"]))
    found: list[str] = []
    for _, names in sorted(mentions, key=lambda mention: mention[0]):
        for name in names:
            display = _AGENCY_NAMES.get(name.strip().lower())
            if display and display not in found:
                found.append(display)
    return found


_DATELINE_AGENCY = re.compile(
    r"\b(?:ap|reuters?|afp|dpa|ats|sda|aap|tass|efe|ansa|upi|xinhua|bloomberg|pa|apa|kyodo|yonhap|interfax|tca)\b",
    re.IGNORECASE,
)
# "BUENOS AIRES, Argentina (AP) _", "Munich (dpa) -", "SYDNEY, Dec 7 AAP -", "Paris (ats afp) Les …":
# a short place-led run ending in an agency credit, then an optional dash of whatever kind the wire uses.
_DATELINE = re.compile(
    r"^(?P<text>[A-ZÀ-Þ][^\n()]{1,60}?(?:\((?P<paren>[^()\n]{1,30})\)|\s(?P<bare>AAP|AP|AFP|Reuters|dpa)))"
    r"\s*(?:[-_–—]+\s+|(?=[A-ZÀ-Þ«\"'`]))"
)


def dateline_from_text(text: str) -> Dateline | None:
    """A dateline as written ("CAMBRIDGE, Mass., March 24 -"), trailing dash dropped; place is its first part."""
    written = clean_text(text).replace("\n", " ").rstrip(" -_–—")
    if not written:
        return None
    place = written.split(",", 1)[0].split("(", 1)[0].strip()
    return Dateline(text=written, place=place or None)


def find_dateline(lede: str) -> Dateline | None:
    """The dateline that opens a lede ("MOSCOW, March 5 (Reuters) - …"); None when the lede has none.

    Only a run that ends in an agency credit counts, so an ordinary opening sentence is never taken.
    """
    match = _DATELINE.match(lede)
    if not match or not _DATELINE_AGENCY.search(match["paren"] or match["bare"] or ""):
        return None
    return dateline_from_text(match["text"])


# Words agencies put in slug, take and editor's-note lines, and the signal each one means. Each
# pattern comes with the lower-case literals any match of it contains: most flag lines hold none of
# them, and an `in` test is far cheaper than a search whose leading \b defeats the regex engine's
# literal scan (nine such searches per flag line cost ~50 µs a story).
_FLAG_TABLE: tuple[tuple[tuple[str, ...], str, tuple[Signal, ...]], ...] = (
    (("write",), r"write-?thru|writethrough", ("update", "writethru")),
    (
        ("ld", "le", "update"),
        r"\b\d+(?:st|nd|rd|th)\s*(?:ld|lead|lede)\b|\bupdate\s*\d*\b|\bnew lede\b",
        ("update",),
    ),
    (
        ("correct", "berichtigung", "korrektur", "rectificatif"),
        r"\bcorrect(?:ed|ion|s)?\b|\bberichtigung\b|\bkorrektur\b|\brectificatif\b",
        ("correction",),
    ),
    (("refile", "transmi"), r"\brefiled?\b|\bre-?transmi", ("refile",)),
    (("kill", "elimination", "annulation"), r"\b(?:mandatory )?kill\b|\belimination\b|\bannulation\b", ("kill",)),
    (("withdraw",), r"\bwithdraw(?:n|al|s)?\b", ("withdrawal",)),
    (("advisory", "avis"), r"\badvisory\b|\bavis\b", ("advisory",)),
    (("repeat", "wiederholung"), r"\brepeat(?:s|ing)?\b|\bwiederholung\b", ("repeat",)),
    (
        ("embargo", "hold for release", "sperrfrist"),
        r"\bembargo(?:ed)?\b|\bhold for release\b|\bsperrfrist\b",
        ("embargo",),
    ),
)
_FLAG_WORDS = tuple((hints, re.compile(pattern, re.I), signals) for hints, pattern, signals in _FLAG_TABLE)
# Every hint with the index of its pattern: one flat loop of `in` tests, no generator per pattern.
_FLAG_HINTS = tuple((hint, index) for index, (hints, _, _) in enumerate(_FLAG_TABLE) for hint in hints)
_LEAD_NUMBER = re.compile(r"\b(\d+)(?:st|nd|rd|th)\s*(?:ld|lead|lede)\b|\bupdate\s*(\d+)\b", re.I)
_WRITETHRU = re.compile(r"write-?thru", re.I)
# Joins flag lines for one scan: no pattern above matches NUL, so no match spans two lines.
_FLAG_SEPARATOR = "\x00"


def flag_signals(flags: Iterable[str]) -> list[Signal]:
    """Signals named by wire flag lines (slug and take words, "Eds:" notes, "REFILE", "CORRECTED")."""
    flags = list(flags)
    if not flags:
        return []
    joined = _FLAG_SEPARATOR.join(flags)
    # Most flag sets name no signal at all: one look for the hint words over all of them at once
    # leaves only the patterns worth searching, each once over all the lines.
    lowered = joined.lower()
    hit = sorted({index for hint, index in _FLAG_HINTS if hint in lowered})
    if not hit:
        return []
    starts = list(accumulate((len(flag) + 1 for flag in flags[:-1]), initial=0))
    # Signals in the order of the line that first names them, then of the patterns: the first match
    # of each pattern decides, as a search line by line would find them.
    firsts: list[tuple[int, int, tuple[Signal, ...]]] = []
    for index in hit:
        pattern, signals = _FLAG_WORDS[index][1:]
        if match := pattern.search(joined):
            firsts.append((bisect_right(starts, match.start()), index, signals))
    found: list[Signal] = []
    for _, _, signals in sorted(firsts):
        found.extend(s for s in signals if s not in found)
    return found


def version_from_flags(flags: Iterable[str]) -> int:
    """The version take words give: "1st Ld-Writethru", "1ST LEAD" and "UPDATE 1" are version 2.

    The Nth lead (or update N) is version N + 1; an unnumbered writethru is 2; no such word is 1.
    """
    joined = _FLAG_SEPARATOR.join(flags)
    version = max((int(match[1] or match[2]) + 1 for match in _LEAD_NUMBER.finditer(joined)), default=1)
    return 2 if version == 1 and _WRITETHRU.search(joined) else version


_EMBARGO_WORDS = ("embargo", "hold for release", "sperrfrist")
_EMBARGO_TIME = re.compile(
    r"(?:embargo(?:ed)?|hold for release|sperrfrist)\b\W*(?:until|till|to|bis)?\W*(?P<when>.+)$", re.I
)


def embargo_from_flags(flags: Iterable[str]) -> datetime | None:
    """The release time an embargo flag names ("EMBARGOED UNTIL 2018-11-22T05:00Z"); None when unreadable."""
    flags = list(flags)
    # Most stories have no embargo: one look for the words over all the flags spares a search of each.
    # Only over ASCII: under re.I a few other letters match ASCII ones (dotless "ı" matches "i", long
    # "ſ" matches "s") though str.lower leaves them as they are.
    joined = _FLAG_SEPARATOR.join(flags)
    if joined.isascii() and not any(word in joined.lower() for word in _EMBARGO_WORDS):
        return None
    for flag in flags:
        match = _EMBARGO_TIME.search(flag)
        if match and (when := parse_datetime(match["when"].strip(" .)"))):
            return when
    return None


# Signals that say a transmission repeats or follows an earlier one of the same story.
_RETRANSMISSION: frozenset[Signal] = frozenset(
    {"update", "writethru", "correction", "refile", "repeat", "kill", "withdrawal"}
)


def first_created_from(sent: datetime | None, version: int, signals: Iterable[Signal]) -> datetime | None:
    """When a story was first sent, read from one transmission's stamp (text wires carry no other).

    The stamp, for a first version that is its first transmission; unknown for a later version or a
    refile, repeat, correction or kill of the first, which are sent after it.
    """
    if version != 1 or not _RETRANSMISSION.isdisjoint(signals):
        return None
    return sent


def pubstatus_from_signals(signals: Iterable[Signal], embargoed_until: datetime | None = None) -> PubStatus:
    """The status signals imply: canceled for a kill or withdrawal, withheld for an embargo with no time.

    An embargo whose release time is known stays usable (as NITF and NewsML-G2 items do); the time
    travels in `embargoed_until`. An embargo without a readable time must be held by hand.
    """
    present = set(signals)
    if {"kill", "withdrawal"} & present:
        return "canceled"
    return "withheld" if "embargo" in present and embargoed_until is None else "usable"


_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def guess_legacy_encoding(data: bytes) -> str | None:
    """The charset of undeclared single-byte Cyrillic copy ("koi8-r", "cp1251"); None for UTF-8 or Western.

    Cyrillic copy is almost all high bytes, Western copy only a few accents. The two Cyrillic code
    pages swap cases: running text is mostly lower case, which cp1251 puts at 0xE0-0xFF and KOI8-R
    at 0xC0-0xDF. Pass the answer to `decode_bytes` as the declared charset.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return None
    # The ASCII decoder skips the high bytes far faster than bytes.translate deletes them (~14
    # instructions a byte). Western copy has few accents: a short prefix holds more letters than the
    # text has high bytes, and the whole text is counted only when it does not.
    high = len(data) - len(data.decode("ascii", "ignore"))
    if high <= _ascii_letters(data[: 4 * high + 256]) or high <= _ascii_letters(data):
        return None
    upper_half = len(data) - len(data.translate(None, bytes(range(0xE0, 0x100))))
    lower_half = len(data) - len(data.translate(None, bytes(range(0xC0, 0xE0))))
    return "cp1251" if upper_half >= lower_half else "koi8-r"


def _ascii_letters(data: bytes) -> int:
    return len(data) - len(data.translate(None, _ASCII_LETTERS))


_MONTHS = {
    "jan": 1, "janv": 1, "feb": 2, "fev": 2, "févr": 2, "fevr": 2, "mar": 3, "mär": 3, "mrz": 3, "mars": 3,
    "apr": 4, "avr": 4, "may": 5, "mai": 5, "jun": 6, "juin": 6, "jul": 7, "juil": 7, "aug": 8, "aoû": 8,
    "août": 8, "sep": 9, "sept": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12, "déc": 12,
}  # fmt: skip


def month_from_name(name: str) -> int | None:
    """The month an English, German or French name or abbreviation gives ("Okt", "déc.", "MAR"); else None."""
    lowered = name.strip().lower().rstrip(".")
    return _MONTHS.get(lowered) or _MONTHS.get(lowered[:3])


def utc_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime | None:
    """A UTC moment from wire date parts; None when they name no real moment (day 31 of June)."""
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
