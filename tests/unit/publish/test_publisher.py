"""The publish decisions over a dict state: upstream repeats dropped, late translations published as revisions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY

from services.publish.app import Publisher
from services.publish.config import PublishSettings
from services.publish.ninjs import NINJS_VERSIONS
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


def _sample(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"version": "3.1"}) or 0.0


def test_a_sample_of_documents_is_checked_against_the_schema_and_a_failure_still_goes_out(tmp_path: Path) -> None:
    # A schema no document meets (it allows no headline), so a checked document is counted invalid.
    for version in NINJS_VERSIONS:
        (tmp_path / f"ninjs-schema_{version}.json").write_text(
            '{"$schema": "https://json-schema.org/draft/2020-12/schema", "properties": {"headlines": {"maxItems": 0}}}'
        )
    publisher = Publisher(PublishSettings(schema_dir=tmp_path, check_every=2))
    checked, invalid = (
        _sample("wiredesk_publish_schema_checked_total"),
        _sample("wiredesk_publish_schema_invalid_total"),
    )
    stories = [SPANISH.model_copy(update={"id": f"afp:ES-{n}", "agency_id": f"ES-{n}"}) for n in range(4)]
    published = [_published(publisher.publish_story(story, {}, NOW)) for story in stories]
    assert [len(documents) for documents in published] == [1, 1, 1, 1]
    assert _sample("wiredesk_publish_schema_checked_total") - checked == 2
    assert _sample("wiredesk_publish_schema_invalid_total") - invalid == 2


def test_without_the_schemas_the_check_is_off_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    checked = _sample("wiredesk_publish_schema_checked_total")
    publisher = Publisher(PublishSettings(schema_dir=tmp_path / "absent", check_every=1))
    assert _published(publisher.publish_story(SPANISH, {}, NOW))[0]["uri"] == "urn:wiredesk:story:afp:ES-1"
    assert _sample("wiredesk_publish_schema_checked_total") == checked
    assert "ninjs schema check off: schemas not found" in caplog.messages


def test_checked_documents_meet_the_official_schema(vocab_dir: Path) -> None:
    publisher = Publisher(PublishSettings(schema_dir=vocab_dir / "ninjs", check_every=1))
    checked, invalid = (
        _sample("wiredesk_publish_schema_checked_total"),
        _sample("wiredesk_publish_schema_invalid_total"),
    )
    publisher.publish_story(TRANSLATED, {}, NOW)
    assert _sample("wiredesk_publish_schema_checked_total") - checked == 1
    assert _sample("wiredesk_publish_schema_invalid_total") == invalid
