"""mojibake.py: UTF-8 once read as Windows-1252, Latin-1 or Windows-1251 is decoded right; other copy is kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.parse.core import parse_bytes, parse_envelope
from services.parse.mojibake import mis_decoded_charsets, repair_mis_decoded
from shared.models import RawEnvelope


def _mis_decoded(copy: str, charset: str) -> str:
    """`copy` as a system that read its UTF-8 as `charset` passes it on (a byte it leaves undefined as its value)."""
    characters = []
    for byte in copy.encode():
        try:
            characters.append(bytes([byte]).decode(charset))
        except UnicodeDecodeError:
            characters.append(chr(byte))
    return "".join(characters)


@pytest.mark.parametrize(
    ("mojibake", "copy"),
    [
        ("the worldâ€™s most", "the world’s most"),  # Windows-1252
        ("Fashion,â€\x9d said", "Fashion,” said"),  # a byte Windows-1252 leaves undefined, kept as U+009D
        ("Fashion,â\x80\x9d said", "Fashion,” said"),  # Latin-1
        ("Acmeâ„¢ workstationsÂ¹ at 25Â°C for 5â‚¬", "Acme™ workstations¹ at 25°C for 5€"),
        ("Lâ€™Ã©tÃ© Ã\xa0 Paris", "L’été à Paris"),  # à: Ã and a no-break space
        ("ZaÅ¼Ã³Å‚Ä‡ gÄ™Å›lÄ…", "Zażółć gęślą"),
        ("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет"),  # Russian read as Windows-1252
        ("РџСЂРёРІРµС‚, РјРёСЂ", "Привет, мир"),  # Russian read as Windows-1251
        ("вЂњРўРђРЎРЎвЂќ", "“ТАСС”"),
    ],
)
def test_mis_decoded_utf8_is_decoded_right(mojibake: str, copy: str) -> None:
    assert repair_mis_decoded(mojibake.encode()).decode() == copy


@pytest.mark.parametrize(
    "copy",
    [
        "SÃO PAULO, ESPAÑA, ÅRHUS, ÂGE",  # capitals that are leads, before letters
        "„Es ist heiß“, sagte der Ärztesprecher",
        "« Le président » a déclaré à l’Élysée – 25\xa0€",
        "«ТАСС» сообщает: Сім, Різдво, № 5 — ёж",  # Russian and Ukrainian after Р and С
    ],
)
def test_copy_that_is_not_mis_decoded_is_kept(copy: str) -> None:
    assert mis_decoded_charsets(copy.encode()) == ()
    assert repair_mis_decoded(copy.encode()) == copy.encode()


def test_utf8_labelled_latin1_is_repaired_as_the_xml_reader_reads_it() -> None:
    # A relay that labels UTF-8 as ISO-8859-1: the XML reader reads such bytes as UTF-8, so they are repaired.
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><p>worldâ€™s</p>'.encode()
    assert repair_mis_decoded(data) == data.replace("â€™".encode(), "’".encode())


def test_bytes_that_are_not_utf8_are_kept() -> None:
    data = "caf\xe9 worldâ€™s".encode("cp1252")
    assert repair_mis_decoded(data) == data


# Wire copy: ASCII, accented Latin letters, punctuation and signs, Cyrillic.
_WESTERN = "abcXYZ .,0éèàçôüößñ’‘“”–—…€™°«»ПриёЖłżęĆ"
# Russian copy always has some of о м н р с у ь я, whose Windows-1251 reading is the charset's signature.
_RUSSIAN = "abc .,0«»—–…№ПриветСШАёЖВГРДфяомнрсуья"


@settings(max_examples=500)
@given(st.text(alphabet=_WESTERN, min_size=1, max_size=40), st.sampled_from(["cp1252", "latin-1"]))
def test_western_copy_read_as_windows_1252_or_latin1_comes_back_whole(copy: str, charset: str) -> None:
    mojibake = _mis_decoded(copy, charset)
    assert repair_mis_decoded(mojibake.encode()) == copy.encode()


@settings(max_examples=500)
@given(st.text(alphabet=_RUSSIAN, min_size=1, max_size=40))
def test_russian_copy_read_as_windows_1251_comes_back_whole(copy: str) -> None:
    copy = f"Москва {copy}"
    assert repair_mis_decoded(_mis_decoded(copy, "cp1251").encode()) == copy.encode()


@settings(max_examples=500)
@given(st.text(alphabet=_RUSSIAN, min_size=1, max_size=40))
def test_russian_copy_is_never_taken_for_mis_decoded(copy: str) -> None:
    assert repair_mis_decoded(copy.encode()) == copy.encode()


def test_the_parse_stage_repairs_every_field_and_the_html_body(corpus_dir: Path) -> None:
    # Business Wire's release carries 44 such sequences; the parser alone keeps them as sent.
    data = (corpus_dir / "newsml12" / "businesswire_newsml12_20130515006361.xml").read_bytes()
    story = parse_bytes(data, agency="x")[0]
    assert "the world’s most powerful rack workstation" in story.body_text
    assert "Industrial Design and Fashion,” said Dr. Elisa Stephens" in story.body_text
    assert "the world’s most powerful rack workstation" in (story.body_html or "")
    assert not re.search("â€|Ã|Â|[\x80-\x9f]", story.body_text + (story.body_html or "") + story.headline)


@settings(max_examples=500)
@given(st.binary(max_size=200), st.sampled_from(["â€".encode(), "Ã©".encode(), "Рѕ".encode(), b""]))
def test_any_bytes_are_repaired_or_kept_and_nothing_raises(data: bytes, signature: bytes) -> None:
    document = signature + data
    repaired = repair_mis_decoded(document)
    assert repaired == document or len(repaired.decode("utf-8")) < len(document.decode("utf-8"))


def test_a_repaired_story_names_the_charset_in_its_lineage() -> None:
    # The text is no longer the bytes as sent: the lineage back to the raw message says how it differs.
    def stories(copy: str) -> list:
        page = f"Desk notes\n\nCopy {copy}, as sent.\n"  # web copy: a headline, then the body
        envelope = RawEnvelope.wrap(page.encode(), feed="wire", agency="bw", source_ref="test")
        return parse_envelope(envelope)

    [repaired] = stories("from the worldâ€™s desk")
    assert repaired.body_text == "Copy from the world’s desk, as sent."
    assert repaired.lineage is not None and repaired.lineage.repaired_from == ["cp1252"]
    [as_sent] = stories("from the world’s desk")
    assert as_sent.lineage is not None and as_sent.lineage.repaired_from == []


def test_a_repair_never_makes_markup() -> None:
    # "À¼" is C0 BC read as Windows-1252: an overlong "<". Decoded, it would open a tag in an XML body.
    data = "worldâ€™s À¼script>".encode()
    assert repair_mis_decoded(data).decode() == "world’s À¼script>"
