"""The publish decisions over a dict state: upstream repeats dropped, late translations published as revisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from services.publish.app import Publisher
from services.publish.config import PublishSettings
from shared.models import Lineage, Story, Translation

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SPANISH = Story(
    id="afp:ES-1",
    agency="afp",
    agency_id="ES-1",
    format="newsml_g2",
    headline="El Gobierno aprueba el plan económico",
    body_text="MADRID (AFP) - El Gobierno aprobó hoy el plan económico.",
    language="es",
    version_created=NOW,
    translation_status="pending",
)
TRANSLATED = SPANISH.model_copy(
    update={
        "translations": {
            "en": Translation(
                headline="The Government approves the economic plan",
                body_text="The Government approved the economic plan today.",
                engine="apertium",
            )
        },
        "translation_status": "done",
    }
)


def _published(outputs: list[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(output.encoded()[1]) for output in outputs if output.topic == "stories.published.v1"]


def test_late_translation_of_the_same_version_is_published_as_a_revision() -> None:
    publisher, state = Publisher(PublishSettings()), {}
    first = _published(publisher.publish_story(SPANISH, state, NOW))
    assert [doc["version"] for doc in first] == ["1"] and "associations" not in first[0]
    revision = _published(publisher.publish_story(TRANSLATED, state, NOW))
    assert [doc["version"] for doc in revision] == ["1"]  # still the agency's version 1, now with its translation
    [association] = revision[0]["associations"]
    assert (association["rel"], association["language"]) == ("machine-translation", "en")
    assert association["headlines"][0]["value"] == "The Government approves the economic plan"
    assert publisher.publish_story(TRANSLATED, state, NOW) == []  # the same translated copy again: a repeat


def _delivered(raw_id: str) -> Story:
    lineage = Lineage(raw_id=raw_id, feed="afp", content_hash="0" * 64, source_ref="test", received_at=NOW)
    return SPANISH.model_copy(update={"lineage": lineage})


def test_an_upstream_repeat_with_other_lineage_is_dropped() -> None:
    publisher, state = Publisher(PublishSettings()), {}
    assert publisher.publish_story(_delivered("afp:1"), state, NOW)
    assert publisher.publish_story(_delivered("afp:2"), state, NOW) == []  # the same copy, delivered again
