from __future__ import annotations

from datetime import UTC, datetime

from services.merge.features import extract, stem
from shared.models import Entity, Place, Story, Translation

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _story(**update: object) -> Story:
    base = Story(
        id="reuters:X1",
        agency="reuters",
        agency_id="X1",
        format="test",
        headline="Magnitude 6.8 quake strikes northern Chile",
        body_text="SANTIAGO, Nov 28 (Reuters) - A magnitude 6.8 earthquake cut power to 12,500 homes on Nov 27 "
        "and in 2026, officials said.",
        people=[Entity(name="Gabriel Rojas", source="t")],
        organisations=[Entity(name="Onemi", source="t")],
        places=[Place(name="Santiago", country="CL")],
    )
    return base.model_copy(update=update)


def test_stem_meets_inflections() -> None:
    assert {stem("talks"), stem("talking")} == {"talk"}
    assert stem("cities") == "city"
    assert stem("discussed") == "discuss"
    assert stem("press") == "press"
    assert {stem("shakes"), stem("shake")} == {"shake"}
    assert {stem("crashes"), stem("crash")} == {"crash"}


def test_numbers_and_dates_skip_years_and_the_story_s_own_day() -> None:
    features = extract(_story(), NOW)
    assert features.numbers == frozenset({"6.8", "12500", "date:11-27"})


def test_words_skip_names_places_stop_words_and_weight_the_headline() -> None:
    features = extract(_story(), NOW)
    assert features.terms["quake"] == 2.0 and features.terms["earthquake"] == 1.0
    assert "santiago" not in features.terms and "said" not in features.terms and "nov" not in features.terms
    assert features.entities == {"p:gabriel rojas": "Gabriel Rojas", "o:onemi": "Onemi"}
    assert features.countries == frozenset({"CL"})
    assert "t:quake" in features.index_keys() and "p:gabriel rojas" in features.index_keys()


def test_non_english_copy_is_read_through_its_english_translation() -> None:
    story = _story(
        headline="Sismo sacude el norte de Chile",
        body_text="Un sismo sacudió Chile.",
        language_detected="es",
        translations={"en": Translation(headline="Quake shakes northern Chile", lede="A quake shook.", engine="t")},
    )
    features = extract(story, NOW)
    assert "shake" in features.terms and "sismo" not in features.terms


def test_story_time_comes_from_the_copy_when_it_has_one() -> None:
    at = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert extract(_story(version_created=at), NOW).moment == at
    assert extract(_story(), NOW).moment == NOW
