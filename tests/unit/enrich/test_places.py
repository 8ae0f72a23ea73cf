from __future__ import annotations

import pytest

from services.enrich.places import Gazetteer
from shared.models import Dateline, Story

DESK = ["en", "ru", "fr", "es", "de", "uk", "pt", "ar", "zh"]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(DESK)


def found(gazetteer: Gazetteer, text: str) -> list[tuple[str, str | None]]:
    return [(p.name, p.country) for p in gazetteer.find(text)]


def test_countries_and_cities_in_english(gazetteer: Gazetteer) -> None:
    text = "The U.S. and Britain met in New York; talks moved to Paris and Washington."
    assert found(gazetteer, text) == [
        ("United States", "US"),
        ("United Kingdom", "GB"),
        ("New York City", "US"),
        ("Paris", "FR"),
        ("Washington", "US"),
    ]


def test_cyrillic_case_endings(gazetteer: Gazetteer) -> None:
    text = "Переговоры России и Франции прошли в Москве, а в Киеве и в Украине ждали."
    assert [c for _, c in found(gazetteer, text)] == ["RU", "FR", "RU", "UA", "UA"]
    assert found(gazetteer, "Российский и Украинский флаги") == []


def test_cjk_without_spaces_and_arabic(gazetteer: Gazetteer) -> None:
    assert found(gazetteer, "新华社北京3月5日电 中国和美国") == [
        ("Beijing", "CN"),
        ("China", "CN"),
        ("United States", "US"),
    ]
    assert [c for _, c in found(gazetteer, "قالت روسيا إن القاهرة")] == ["RU", "EG"]


def test_lowercase_words_and_short_codes_are_not_places(gazetteer: Gazetteer) -> None:
    assert found(gazetteer, "prices of turkey rise; let us go to china shops") == []
    assert found(gazetteer, "Let us talk") == []


def test_person_span_suppresses_city(gazetteer: Gazetteer) -> None:
    text = "Vladimir Putin spoke."
    assert found(gazetteer, text) == [("Vladimir", "RU")]
    assert gazetteer.find(text, exclude=[(0, 14, "person")]) == []


def test_organisation_span_suppresses_cities_not_countries(gazetteer: Gazetteer) -> None:
    text = "Moscow Exchange and Bank of Japan"
    spans = [(0, 15, "organisation"), (20, 33, "organisation")]
    assert [(p.name, p.country) for p in gazetteer.find(text, exclude=spans)] == [("Japan", "JP")]  # type: ignore[arg-type]


def test_resolve_dateline_names(gazetteer: Gazetteer) -> None:
    assert [gazetteer.resolve(n) for n in ("MOSCOW", "NEW YORK", "GREENWICH", "Франция", "Qwertyville")] == [
        "RU",
        "US",
        "GB",
        "FR",
        None,
    ]


def _story(headline: str, body: str, dateline: str) -> Story:
    place = dateline.split(",")[0]
    return Story(
        id="t:1", agency="t", agency_id="1", format="t", headline=headline, body_text=body,
        dateline=Dateline(text=dateline, place=place),
    )  # fmt: skip


def test_passing_mentions_after_the_lede_are_not_what_the_story_is_about(gazetteer: Gazetteer) -> None:
    lede = "Japanese exporters cut prices again this week as the yen kept rising against the dollar. " * 3
    body = lede + "Traders in Sydney and Zurich were quiet. Canada, Canada and Canada sold wheat."
    story = _story("Exporters cut prices", body, "NEW YORK, March 24")
    assert [(p.name, p.country, p.role) for p in gazetteer.places(story)] == [
        ("New York", "US", "dateline"),
        ("Japan", "JP", "mentioned"),  # a demonym in the lede names the country
        ("Canada", "CA", "mentioned"),  # named three times after the lede
    ]


def test_us_state_in_the_dateline_says_us(gazetteer: Gazetteer) -> None:
    manchester = _story("Mill closes", "The mill closed.", "MANCHESTER, N.H., March 24")
    assert gazetteer.places(manchester)[0].country == "US"
    assert gazetteer.places(_story("Mill closes", "The mill closed.", "MANCHESTER, March 24"))[0].country == "GB"
    lorain = _story("Plant opens", "A plant opened.", "LORAIN, Ohio, March 24")
    assert gazetteer.places(lorain)[0].country == "US"


def test_state_names_are_not_countries_inside_them(gazetteer: Gazetteer) -> None:
    assert found(gazetteer, "A plant in New Jersey.") == [("United States", "US")]
    assert found(gazetteer, "A plant in New Mexico.") == [("United States", "US")]
