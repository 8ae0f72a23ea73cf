"""The topic catalogue is complete and consistent with what stages use."""

from __future__ import annotations

from shared import topics
from shared.topics import catalogue, deadletter_topic


def test_every_topic_constant_is_in_the_catalogue() -> None:
    names = {t.name for t in catalogue()}
    constants = {getattr(topics, n) for n in topics.__all__ if n.isupper() and n != "CATALOGUE_PATH"}
    assert constants <= names


def test_every_stage_has_a_deadletter_topic() -> None:
    for stage in ("ingest", "parse", "dedup", "enrich", "merge", "publish"):
        assert deadletter_topic(stage) == f"{stage}.deadletter.v1"


def test_latest_is_compacted_and_published_is_not() -> None:
    by_name = {t.name: t for t in catalogue()}
    assert by_name["stories.latest.v1"].configs()["cleanup.policy"] == "compact"
    assert by_name["stories.published.v1"].configs() == {"cleanup.policy": "delete", "retention.ms": "604800000"}
    assert by_name["wire.raw.v1"].configs()["max.message.bytes"] == "16777216"
