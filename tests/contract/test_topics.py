"""The topic catalogue is complete and consistent with what stages use."""

from __future__ import annotations

from shared import topics
from shared.topics import catalogue, changelog_topic, deadletter_topic


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


def test_each_table_changelog_is_catalogued_compacted_and_co_partitioned_with_its_source() -> None:
    by_name = {t.name: t for t in catalogue()}
    sources = {("dedup", "state"): topics.PARSED, ("merge", "events"): topics.ENRICHED}
    for (stage, table), source in sources.items():
        changelog = by_name[changelog_topic(stage, table)]
        assert changelog.name == f"wiredesk-{stage}-{stage}-{table}-changelog"
        assert changelog.cleanup_policy == "compact"
        assert changelog.partitions == by_name[source].partitions
    assert {name for name in by_name if name.endswith("-changelog")} == {
        changelog_topic(stage, table) for stage, table in sources
    }
