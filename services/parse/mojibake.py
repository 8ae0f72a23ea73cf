"""UTF-8 that was once read as Windows-1252 (or Latin-1) or as Windows-1251 and sent on, decoded right.

Copy that passed through a system with the wrong charset arrives as "worldâ€™s" for "world’s" and
"РџСЂРёРІРµС‚" for "Привет": each byte of a character's UTF-8 became a character of its own. The repair
works on a document's bytes before its format is read, so every field and the HTML body are repaired
alike, and a C1 control character that belongs to a sequence is still there ("â€" and U+009D is "”": the
last byte is one Windows-1252 leaves undefined, read as the character of its value).

A document is repaired only when its bytes show a charset's signature (a scan of its bytes, ~1 ns a byte):
a character of a UTF-8 lead byte followed by one of a continuation byte, as that charset reads them. Then
each run of non-ASCII characters that the charset can hold is encoded back to it, and every well-formed
UTF-8 sequence in those bytes is decoded; the rest of the run is kept. Western copy (Latin letters,
punctuation, symbols) and Cyrillic copy are covered; mis-decoded copy of other scripts is not looked for.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

__all__ = ["mis_decoded_charsets", "repair_mis_decoded"]

# The signatures, on the document's UTF-8. Windows-1252: â (curly quotes, dashes, € and ™), Â Ã Ä Å
# (accented letters) or Ð Ñ (Cyrillic), all C3 .., followed by a continuation: U+0080-U+00BF or one of
# Windows-1252's letters and signs, whose UTF-8 starts C2, C5, C6, CB or E2 (legitimate copy has these
# leads before a letter or a space). Windows-1251: every Russian letter became Р or С and a continuation;
# the signs among those (», №, NBSP) also follow Р and С in Russian ("«ТАСС»"), so the signature is Р or С
# before a Cyrillic letter no Russian, Ukrainian or Belarusian word has there (Ђ Ѓ Ѕ Ј Љ Њ Ћ Ќ Џ, ђ ѓ ѕ ј
# љ њ ћ ќ џ), or в before Ђ, ‚ or „ (punctuation). A regex with a literal first byte scans at ~1 ns a byte.
_SIGNATURES = {
    "cp1252": (b"\xc3", re.compile(rb"\xc3[\x82-\x85\x90\x91\xa2][\xc2\xc5\xc6\xcb\xe2]")),
    "cp1251": (
        b"\xd0",
        re.compile(
            rb"\xd0(?:[\xa0\xa1](?:\xd0[\x82\x83\x85\x88-\x8c\x8f]|\xd1[\x92\x93\x95\x98-\x9c\x9f])"
            rb"|\xb2(?:\xd0\x82|\xe2\x80[\x9a\x9e]))"
        ),
    ),
}
# Runs of non-ASCII bytes, found on a mask of the bytes (ASCII 0, the rest 1) by a pattern that opens
# with a literal prefix: ~0.6 ns a byte, where a character class over the text takes ~20 ns a character
# (and so does "\x01{4,}", whose repeat hides the prefix from the regex engine). A mis-decoded character
# is at least two characters of two bytes each.
_NON_ASCII_MASK = bytes(0 if byte < 0x80 else 1 for byte in range(256))
_NON_ASCII_RUN = re.compile(rb"\x01\x01\x01\x01+")
# Well-formed UTF-8 of one character of two, three or four bytes. No overlong form: a repair never yields
# ASCII (no "<" or "&" a markup reader would take for its own); no surrogate.
_UTF8_CHARACTER = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_BYTE_VALUE = "wiredesk-byte-value"


def _byte_value(error: UnicodeError) -> tuple[bytes, int]:
    # A byte the charset leaves undefined was read as the character of the same value (U+009D in
    # Windows-1252 copy); such a character encodes back to that byte. Nothing above U+00FF was ever a byte.
    if not isinstance(error, UnicodeEncodeError):
        raise error
    piece = error.object[error.start : error.end]
    if any(ord(char) > 0xFF for char in piece):
        raise error
    return piece.encode("latin-1"), error.end


codecs.register_error(_BYTE_VALUE, _byte_value)


def mis_decoded_charsets(data: bytes) -> tuple[str, ...]:
    """The charsets (cp1252, cp1251) whose misreading of UTF-8 the document `data` shows a signature of."""
    if data.isascii():
        return ()
    # The signature's first byte is looked for first: a single byte is found by memchr, ~20 times faster.
    return tuple(
        charset for charset, (first, signature) in _SIGNATURES.items() if first in data and signature.search(data)
    )


def repair_mis_decoded(data: bytes) -> bytes:
    """`data` with its mis-decoded UTF-8 decoded right.

    `data` itself when it shows no signature of it or is not UTF-8. A declared charset does not matter:
    bytes that are UTF-8 are read as UTF-8 whatever a feed declares (see `xmlsafe`, which reads UTF-8
    labelled ISO-8859-1 as UTF-8), and Cyrillic or Western single-byte copy is hardly ever valid UTF-8.
    """
    charsets = mis_decoded_charsets(data)
    if not charsets:
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    pieces, done = [], 0
    for run in _NON_ASCII_RUN.finditer(data.translate(_NON_ASCII_MASK)):
        text = data[run.start() : run.end()].decode("utf-8")
        repaired = _repaired_run(text, charsets)
        if repaired != text:
            pieces += [data[done : run.start()], repaired.encode("utf-8")]
            done = run.end()
    return b"".join([*pieces, data[done:]]) if pieces else data


def _repaired_run(run: str, charsets: tuple[str, ...]) -> str:
    # The same few short runs come back again and again (every curly quote, every "é"); long ones are
    # not kept, so the cache stays small whatever the input.
    return _repaired_short_run(run, charsets) if len(run) <= 16 else _repaired(run, charsets)


@lru_cache(maxsize=4096)
def _repaired_short_run(run: str, charsets: tuple[str, ...]) -> str:
    return _repaired(run, charsets)


def _repaired(run: str, charsets: tuple[str, ...]) -> str:
    for charset in charsets:
        try:
            raw = run.encode(charset, _BYTE_VALUE)
        except UnicodeEncodeError:
            continue
        # One byte a character: a sequence's byte offsets are its characters' offsets in the run.
        pieces, done = [], 0
        for sequence in _UTF8_CHARACTER.finditer(raw):
            pieces += [run[done : sequence.start()], sequence[0].decode("utf-8")]
            done = sequence.end()
        if pieces:
            return "".join([*pieces, run[done:]])
    return run
