from __future__ import annotations

from typing import Any

import pytest

from services.enrich.pipeline import Enricher, Scratch, enrich
from shared.models import Story

from .conftest import fixture_story

CASE_IDS = ["fx:en-1", "fx:en-2", "fx:ru-1", "fx:fr-1", "fx:es-1"]


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_fixture_story_tags(enricher: Enricher, cases: list[dict[str, Any]], case_id: str) -> None:
    case = next(c for c in cases if c["id"] == case_id)
    expect = case["expect"]
    story = enricher.enrich(fixture_story(case))
    assert story.language_detected == expect["language"]
    assert story.places[0].role == "dateline"
    countries = {p.country for p in story.places}
    assert set(expect["countries"]) <= countries
    assert not {p.name for p in story.places} & set(expect.get("not_places", []))
    assert set(expect["people"]) <= {p.name for p in story.people}
    assert set(expect.get("organisations", [])) <= {o.name for o in story.organisations}
    topics = {s.code: s for s in story.subjects if s.scheme == "medtop"}
    assert expect["topic"] in topics
    assert topics[expect["topic"]].source == "classifier"
    assert 0 < topics[expect["topic"]].confidence <= 0.9
    assert story.keywords


def test_dateline_place_is_first_and_resolved(enricher: Enricher, cases: list[dict[str, Any]]) -> None:
    story = enricher.enrich(fixture_story(cases[0]))
    assert (story.places[0].name, story.places[0].country, story.places[0].source) == ("Rotterdam", "NL", "dateline")
    assert [p.role for p in story.places[1:]] == ["mentioned"] * (len(story.places) - 1)


def test_declared_language_kept_and_translation_status(enricher: Enricher, cases: list[dict[str, Any]]) -> None:
    english = enricher.enrich(fixture_story(cases[0]))
    russian = enricher.enrich(fixture_story(cases[2]))
    assert (english.language, english.translation_status) == ("en", "not_needed")
    assert (russian.language, russian.language_detected, russian.translation_status) == (None, "ru", "none")


def test_every_step_is_timed_and_input_is_untouched(enricher: Enricher, cases: list[dict[str, Any]]) -> None:
    timings: dict[str, float] = {}
    original = fixture_story(cases[1])
    enriched = enricher.enrich(original, on_timing=timings.__setitem__)
    assert list(timings) == ["language", "entities", "places", "subjects", "keywords"]
    assert all(seconds >= 0 for seconds in timings.values())
    assert original.places == [] and enriched.places


def test_enrich_runs_custom_steps_in_order() -> None:
    story = Story(id="x:1", agency="x", agency_id="1", format="t", headline="h")

    def first(s: Story, scratch: Scratch) -> Story:
        scratch.language = "fr"
        return s.model_copy(update={"keywords": ["a"]})

    def second(s: Story, scratch: Scratch) -> Story:
        return s.model_copy(update={"keywords": [*s.keywords, scratch.language]})

    assert enrich(story, [("one", first), ("two", second)]).keywords == ["a", "fr"]
