"""The merge service alone on the real broker: one event across four agencies and three languages, the same
minister's other event kept apart, kill -9 mid-stream then a restart (state recovered from the changelogs:
nothing lost, no story in two events), and after the restart a kill and an update of members."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest

from bench.bench_merge import START, Synthetic, load_labelled
from cli.supervisor import Supervisor
from services.merge.cluster import EventIndex
from services.merge.config import MergeSettings
from shared.kafka.broker import free_port
from shared.models import Story, utcnow
from shared.topics import CLUSTERED, ENRICHED, EVENTS
from tests.integration.conftest import high_watermark, produce, read_topic, read_until

pytestmark = pytest.mark.broker

LABELLED = {story.id: story for _, story in load_labelled()}
FOUR = [LABELLED[i] for i in ("reuters:RU-LAV-01", "tass:TS-1187", "afp:AFP-3KX91", "ap:AP-77d1e0")]
SANCTIONS = LABELLED["reuters:RU-LAV-02"]
# enough stories that a kill lands mid-stream, few enough to stay well under a minute on a loaded machine
STREAM = Synthetic(seed=5).events(240, START, timedelta(hours=6), "svc")


async def _produce(bootstrap: str, topic: str, stories: list[Story]) -> None:
    await produce(bootstrap, topic, ((story.id, story) for story in stories))


def _groups(assigned: dict[str, str]) -> set[frozenset[str]]:
    """A clustering as a set of story-id sets (event ids differ run to run only in name)."""
    by_event: dict[str, set[str]] = defaultdict(set)
    for story_id, event_id in assigned.items():
        by_event[event_id].add(story_id)
    return {frozenset(ids) for ids in by_event.values()}


def _latest_events(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        event = record["value"]
        if event["version"] >= latest.get(event["event_id"], {"version": 0})["version"]:
            latest[event["event_id"]] = event
    return latest


def test_merge_service_clusters_survives_kill_nine_and_follows_kills_and_updates(
    pipeline: Supervisor, bootstrap: str
) -> None:
    ns = pipeline.namespace
    stories = [*FOUR, SANCTIONS, *STREAM]
    pipeline.start("merge", free_port())
    pipeline.wait_healthy(timeout=90)
    asyncio.run(_produce(bootstrap, ns + ENRICHED, stories))

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and asyncio.run(high_watermark(bootstrap, ns + CLUSTERED)) < len(stories) // 5:
        time.sleep(0.05)
    pipeline.kill("merge")
    assert asyncio.run(high_watermark(bootstrap, ns + CLUSTERED)) < len(stories), "the kill must land mid-stream"
    pipeline.start("merge", free_port())
    pipeline.wait_healthy(timeout=90)

    wanted = {story.id for story in stories}
    records = asyncio.run(
        read_until(bootstrap, ns + CLUSTERED, lambda found: wanted <= {r["key"] for r in found}, timeout=90)
    )
    assigned: dict[str, set[str]] = defaultdict(set)
    for record in records:
        assigned[record["key"]].add(record["value"]["event_id"])
    assert set(assigned) == wanted, f"{len(wanted - set(assigned))} stories lost"
    # a replay after the crash may re-send a story, but always with the event it was first given
    split = {story_id: ids for story_id, ids in assigned.items() if len(ids) != 1}
    assert not split, f"stories given two events: {list(split.items())[:3]}"
    placed = {story_id: next(iter(ids)) for story_id, ids in assigned.items()}

    offline = EventIndex(MergeSettings(), events={}, postings={}, story_events={})
    uninterrupted = {s.id: offline.assign(s, utcnow()).story.event_id or "" for s in stories}
    assert _groups(placed) == _groups(uninterrupted), "the restarted service clustered differently"

    event_id = placed[FOUR[0].id]
    assert {placed[s.id] for s in FOUR} == {event_id}
    assert placed[SANCTIONS.id] != event_id
    expected: dict[str, list[str]] = defaultdict(list)
    for story_id, placed_in in placed.items():
        expected[placed_in].append(story_id)
    wanted_members = {e: sorted(ids) for e, ids in expected.items()}
    # event records trail their stories by a moment: read until every event's last record has caught up
    deadline = time.monotonic() + 60
    while True:
        events = _latest_events(asyncio.run(read_topic(bootstrap, ns + EVENTS, expect=1, timeout=30)))
        members = {e: sorted(m["story_id"] for m in ev["members"]) for e, ev in events.items()}
        if members == wanted_members or time.monotonic() > deadline:
            break
        time.sleep(1)
    four = events[event_id]
    assert four["credit_line"] == "With reporting by Reuters, TASS, AFP, and AP"
    assert four["lead"] == FOUR[0].id
    assert [m["story_id"] for m in four["members"]] == [s.id for s in FOUR]
    assert events[placed[SANCTIONS.id]]["credit_line"] == "With reporting by Reuters"
    # every event's last record holds exactly the stories placed in it: no member lost or doubled on restart
    assert members == wanted_members

    # after the restart, the recovered state still knows AP's and Reuters' membership
    ap_killed = FOUR[3].model_copy(update={"version": 2, "pubstatus": "canceled", "body_text": "Withdrawn."})
    reuters_v2 = FOUR[0].model_copy(update={"version": 2, "body_text": FOUR[0].body_text + "\n\nMore detail."})
    asyncio.run(_produce(bootstrap, ns + ENRICHED, [ap_killed, reuters_v2]))
    versions = four["version"]

    def newer(record: dict[str, Any]) -> bool:
        value = record["value"]
        return bool(value["event_id"] == event_id and value["version"] > versions)

    changes = asyncio.run(read_topic(bootstrap, ns + EVENTS, expect=2, timeout=60, match=newer))
    assert [c["value"]["version"] for c in changes] == [versions + 1, versions + 2]
    killed, updated = (c["value"] for c in changes)
    assert killed["credit_line"] == "With reporting by Reuters, TASS, and AFP"
    assert [m["canceled"] for m in killed["members"]] == [False, False, False, True]
    assert updated["credit_line"] == "With reporting by Reuters, TASS, and AFP"
    assert [(m["story_id"], m["version"]) for m in updated["members"]] == [
        (FOUR[0].id, 2),
        *((s.id, 1) for s in FOUR[1:3]),
        (FOUR[3].id, 2),
    ]
