from __future__ import annotations

import pytest

from services.enrich.config import EnrichSettings
from services.enrich.pipeline import Enricher
from shared.models import Dateline, Story


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher(EnrichSettings())


def _story(headline: str, body: str, **kw) -> Story:
    return Story(id="x:1", agency="x", agency_id="1", format="test", headline=headline, body_text=body, **kw)


def test_english_story_language_and_dateline_place(enricher: Enricher) -> None:
    story = _story(
        "Dock workers strike shuts Rotterdam container terminals",
        "Dock workers at Europe's largest port walked out on Saturday, halting trade with Germany and Belgium.",
        dateline=Dateline(text="ROTTERDAM, Nov 28 (Reuters)", place="ROTTERDAM"),
        language="en",
    )
    enriched = enricher.enrich(story)
    assert enriched.language_detected == "en"
    assert [(p.name, p.country, p.role) for p in enriched.places] == [
        ("Rotterdam", None, "dateline"),
        ("Germany", "DE", "mentioned"),
        ("Belgium", "BE", "mentioned"),
    ]
    assert enriched.translation_status == "not_needed"


def test_russian_story_inflected_country_names(enricher: Enricher) -> None:
    story = _story(
        "Лавров обсудил с главой МИД Франции ситуацию в Германии",
        "Министр иностранных дел России Сергей Лавров провёл переговоры в Китае.",
    )
    enriched = enricher.enrich(story)
    assert enriched.language_detected == "ru"
    assert [p.country for p in enriched.places] == ["FR", "DE", "RU", "CN"]
    assert enriched.translation_status == "none"  # needs English, and no engine is configured


def test_french_and_spanish_detected(enricher: Enricher) -> None:
    french = _story("La grève paralyse le port de Rotterdam", "Les dockers ont cessé le travail samedi matin.")
    spanish = _story("La huelga paraliza el puerto de Róterdam", "Los estibadores dejaron de trabajar el sábado.")
    assert enricher.enrich(french).language_detected == "fr"
    assert enricher.enrich(spanish).language_detected == "es"


def test_short_or_unsure_text_is_und(enricher: Enricher) -> None:
    assert enricher.enrich(_story("Biden", "")).language_detected == "und"


def test_lowercase_common_words_are_not_countries(enricher: Enricher) -> None:
    story = _story("Prices of turkey rise", "Shoppers chad about the price of turkey.")
    assert enricher.enrich(story).places == []
