from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.enrich.language import LanguageGuesser, detection_text
from shared.errors import InvalidInput

DESK = ["en", "ru", "fr", "es", "de", "uk", "pt", "ar", "zh"]


@pytest.fixture(scope="module")
def guesser() -> LanguageGuesser:
    return LanguageGuesser(DESK, min_confidence=0.6, min_letters=12)


def test_accuracy_on_labelled_texts(guesser: LanguageGuesser, fixtures_dir: Path) -> None:
    labelled = json.loads((fixtures_dir / "enrich" / "languages.json").read_text("utf-8"))
    wrong = [(want, text, guesser.detect(text)) for want, text in labelled if guesser.detect(text) != want]
    assert wrong == []


def test_ukrainian_and_russian_are_told_apart(guesser: LanguageGuesser) -> None:
    assert guesser.detect("Уряд ухвалив бюджет") == "uk"
    assert guesser.detect("Рубль укрепился к доллару") == "ru"


def test_confidence_is_reported(guesser: LanguageGuesser) -> None:
    language, confidence = guesser.detect_with_confidence("Die Regierung billigt den Haushalt")
    assert language == "de" and confidence > 0.9


def test_bad_desk_language_setting() -> None:
    with pytest.raises(InvalidInput, match="'xx'"):
        LanguageGuesser(["en", "xx"], min_confidence=0.6, min_letters=12)
    with pytest.raises(InvalidInput, match="two desk languages"):
        LanguageGuesser(["en"], min_confidence=0.6, min_letters=12)


@pytest.mark.parametrize(
    ("text", "byline", "dateline", "expected"),
    [
        ("BUFFALO, N.Y. (AP) — Two officers were charged", None, "BUFFALO, N.Y.", "Two officers were charged"),
        ("(ANSA) - ROME, JUL 11 - Russian energy giant Gazprom", None, "ROME", "Russian energy giant Gazprom"),
        ("Tegucigalpa, Jan 2 (EFE).- El presidente", "gr/bp", None, "El presidente"),
        ("MOSCOW, January 21. /TASS/. The Kremlin does not", None, "January 21", "The Kremlin does not"),
        ("Moskau (dpa) – Der russische Präsident", None, None, "Der russische Präsident"),
        ("København /ritzau/: En 41-årig mand", None, None, "En 41-årig mand"),
        (">>>ANSA/Gazprom cuts Italy gas supplies", None, None, "Gazprom cuts Italy gas supplies"),
        (
            "By Toby Davis\n\nRafael Benitez pleaded for support",
            "By Toby Davis",
            None,
            "Rafael Benitez pleaded for support",
        ),
        ("By Dave McNary\n\nThe cast won", "Dave McNary", None, "The cast won"),
        # A place in parentheses at the end, or a lower-case aside, is text, not an agency tag.
        (
            "Un taureau entre dans un magasin à Landquart (GR)",
            None,
            None,
            "Un taureau entre dans un magasin à Landquart (GR)",
        ),
        ("Oil rises (update 2) - traders say", None, None, "Oil rises (update 2) - traders say"),
    ],
)
def test_detection_text_drops_bylines_datelines_and_agency_tags(
    text: str, byline: str | None, dateline: str | None, expected: str
) -> None:
    assert detection_text(text, byline=byline, dateline=dateline) == expected


def test_detection_text_is_bounded() -> None:
    text = "First paragraph of the story.\n\n" + "Second paragraph goes on. " * 40
    cleaned = detection_text(text, max_chars=100)
    assert cleaned.startswith("First paragraph of the story.\n\nSecond paragraph")
    assert len(cleaned) <= 100


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # lingua alone is unsure of these (0.36 and 0.45) but py3langid independently agrees.
        ('Fed to halt QE to avert "bubble"', "en"),
        ("Imagine if this was Bernie", "en"),
        # All-capitals Reuters headline over a results table.
        ("PAINEWEBBER GROUP INC <PWG> 3RD QTR NET\nShr 44 cts vs 71 cts", "en"),
        # Norwegian, which restricted lingua reads as German (0.75): out of the desk's languages.
        ("Dette er tittelen", "und"),
        ("Regjeringen la fram statsbudsjettet for neste år på en pressekonferanse i Oslo torsdag", "und"),
        ("Президент України Володимир Зеленський провів переговори з канцлером Німеччини у Києві", "uk"),
        ("Президент России Владимир Путин провел переговоры с канцлером Германии в Москве", "ru"),
    ],
)
def test_short_and_out_of_set_texts(guesser: LanguageGuesser, text: str, language: str) -> None:
    assert guesser.detect(text) == language
