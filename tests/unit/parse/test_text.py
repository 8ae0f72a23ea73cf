"""text.py: the whole-text fast paths give what the plain definitions give (cleaning, flags, credits, charsets)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.parse.text import (
    clean_lines,
    clean_text,
    embargo_from_flags,
    extract_credits,
    first_created_from,
    flag_signals,
    guess_legacy_encoding,
    lf_only,
)


def _clean_line_by_line(text: str) -> str:
    """clean_text's definition, one line at a time: controls dropped, whitespace runs one space, trimmed, NFC."""
    lines = (
        "".join(c for c in line if c == "\t" or unicodedata.category(c) != "Cc") for line in lf_only(text).split("\n")
    )
    return unicodedata.normalize("NFC", "\n".join(" ".join(line.split()) for line in lines).strip())


@pytest.mark.parametrize(
    "text",
    [
        "\t   Paragraph one.\r\n\t   Paragraph  two.\r\n",  # ASCII: tabs, CRLF, a pair of spaces
        "\x08Tampa\x10 Bay\x1f\x1e 73\x1e \x1e 52\x1e \x1e .584",  # agate controls, ASCII
        "\x08Cleveland\x1f\x1e 73\x1e Cerd\xe1\x1e 16{",  # agate controls in Latin-1 (cp1252) copy
        "Gilets jaunes\xa0: \xable mouvement\xbb\n  continue  ",  # NBSP in French copy
        "caf\xe9\u2019s  menu \u2014 2\u00a0\u20ac\n",  # beyond Latin-1: curly quote, dash, euro sign
        "soft\xadhyphen and \x85 next line\u2028separator",  # C1 control, soft hyphen, U+2028
        "Acme\u2019s \xe2\u20ac\x9d quote\x9d",  # mis-decoded UTF-8: C1 controls among other characters
        "e\x01\u0301t\xe9 \x9d\u0301",  # a control between a letter and its accent: composed once dropped
        "cafe\u0301 composed\n",  # a combining accent: NFC composes it
        "Race 3\n1. Shane van Gisbergen (Holden)              1hr14mins50.0418sec",  # a long run of spaces
        "",
        " \n \n ",
    ],
)
def test_clean_text_is_its_line_by_line_definition(text: str) -> None:
    assert clean_text(text) == _clean_line_by_line(text)


# Characters where cleaning has a choice to make (controls, spaces of every kind, line breaks, letters
# and the accents that compose with them); then any text at all.
_TRICKY = "ae\xe9 \t\n\r\x01\x1f\x7f\x85\x9d\xa0\xad\u0301\u0308\u2003\u2028\u3000\u212a"


@settings(max_examples=500)
@given(st.one_of(st.text(alphabet=_TRICKY, max_size=20), st.text(max_size=40)))
def test_clean_text_cleans_clean_text_to_itself(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert cleaned == _clean_line_by_line(text)


def test_clean_text_values() -> None:
    assert clean_text("\x08Tampa\x10 Bay\x1f\x1e 73\x1e \x1e .584") == "Tampa Bay 73 .584"
    assert clean_text("\x08Cerd\xe1\x1f\x1e 16{\x10") == "Cerd\xe1 16{"
    assert clean_text("cafe\u0301  \xa0noir") == "caf\xe9 noir"
    assert clean_text("a\u2028b\x85c") == "a bc"
    assert clean_text("caf\x9de\u0301 \x1f\u0301") == "caf\xe9 \u0301"


def test_clean_lines_keeps_every_line_in_place() -> None:
    assert clean_lines(["", "\t a ", "\x08b\x1e c", ""]) == ["", "a", "b c", ""]


@pytest.mark.parametrize(
    ("flags", "signals"),
    [
        # The line that names a signal first decides its place, not the order the patterns are tried in.
        (["REFILE", "CORRECTED"], ["refile", "correction"]),
        (["CORRECTED", "REFILE"], ["correction", "refile"]),
        (["1st Ld-Writethru", "Eds: corrects spelling"], ["update", "writethru", "correction"]),
        (["Eds: APNewsNow. Changes short headline."], []),
        ([], []),
    ],
)
def test_flag_signals_in_the_order_the_lines_name_them(flags: list[str], signals: list[str]) -> None:
    assert flag_signals(flags) == signals


@pytest.mark.parametrize(
    "flags",
    [
        ["1ST LEAD", "EMBARGOED UNTIL 2018-11-22T05:00Z"],
        ["Vorschau \xfcber", "Sperrfrist bis 2018-11-22T05:00Z"],
        # Under re.IGNORECASE the long s matches "s": such a flag is searched, not skipped by the cheap test.
        ["\u017fperrfrist 2018-11-22T05:00Z"],
    ],
)
def test_embargo_found_in_ascii_and_non_ascii_flags(flags: list[str]) -> None:
    when = embargo_from_flags(flags)
    assert when is not None and when.isoformat() == "2018-11-22T05:00:00+00:00"


def test_no_embargo_without_the_words() -> None:
    assert embargo_from_flags(["REFILE", "Eds: Photos available"]) is None


def test_credits_in_non_ascii_copy_and_tables() -> None:
    body = "M\xfcnchen (dpa) - Text.\n\nWith additional reporting by Reuters and AP. Writing by \xc9mile"
    assert extract_credits(body) == ["dpa", "Reuters", "AP"]
    assert extract_credits("1. Shane van Gisbergen (Holden) 1:14\n2. (REUTERS) (Ford) /TASS/") == ["Reuters", "TASS"]
    # U+0130 lower-cases to "i" and a combining dot: "reportİng by" is not "reporting by" to str.lower.
    assert extract_credits("With reporting by Reuters") == ["Reuters"]
    assert extract_credits("With report\u0130ng by Reuters") == []


@pytest.mark.parametrize(
    ("data", "charset"),
    [
        ("Caf\xe9 na\xefve \xfcber ".encode("cp1252") * 40, None),
        ("Привет, мир! Это новости. ".encode("koi8-r") * 40, "koi8-r"),
        ("Привет, мир! Это новости. ".encode("cp1251") * 40, "cp1251"),
        # Accents first, letters late: the prefix holds too few letters and the whole text is counted.
        (b"\xe9" * 300 + b"a" * 400, None),
        ("caf\xe9".encode(), None),
    ],
)
def test_guess_legacy_encoding(data: bytes, charset: str | None) -> None:
    assert guess_legacy_encoding(data) == charset


SENT = datetime(2018, 11, 21, 21, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("flags", "version", "first_created"),
    [
        ([], 1, SENT),  # a first version, sent once: its stamp is its creation
        (["EXTRA"], 1, SENT),  # an extra story is a story of its own
        (["Eds: ADVISORY for editors"], 1, SENT),
        (["1ST LEAD"], 2, None),  # a later version: the first was sent earlier, when is not said
        (["REFILE"], 1, None),  # a first version sent again
        (["CORRECTED"], 1, None),
        (["REPEAT"], 1, None),
        (["KILL"], 1, None),
    ],
)
def test_first_created_is_the_stamp_of_a_first_sending_only(
    flags: list[str], version: int, first_created: datetime | None
) -> None:
    assert first_created_from(SENT, version, flag_signals(flags)) == first_created


def test_first_created_is_unknown_without_a_stamp() -> None:
    assert first_created_from(None, 1, []) is None
