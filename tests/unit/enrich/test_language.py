from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.enrich.language import LanguageGuesser
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
