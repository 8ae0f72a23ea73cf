"""The dedup service alone on the real broker, killed with -9 mid-stream and restarted.

Wire copy with re-sends, re-filed copies, versions, kills that arrive before their story, and another
agency's identical copy goes in; what comes out must be exactly what the pure index emits when it runs
uninterrupted. Dedup is at least once inside the pipeline: a record it replays after the crash may come
out twice, but only as an exact repeat of an expected emission, never a re-send let through nor a story
or kill lost.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from cli.supervisor import Supervisor
from services.dedup.config import DedupSettings
from services.dedup.core import DedupIndex
from shared.kafka.broker import free_port
from shared.models import Lineage, Story, utcnow
from shared.topics import PARSED, UNIQUE
from tests.integration.conftest import assert_loopback_only, high_watermark, produce, read_until, sample, scrape

pytestmark = pytest.mark.broker

CHAINS = 300


def _copy(rng: random.Random) -> str:
    return " ".join(f"w{rng.randrange(5_000)}" for _ in range(60))


def _story(agency: str, agency_id: str, body: str, serial: int, **fields: object) -> Story:
    lineage = Lineage(
        raw_id=f"raw-{serial}",
        feed="test",
        content_hash="0" * 64,
        source_ref="test",
        received_at=utcnow(),
        item_index=0,
    )
    return Story(
        id=f"{agency}:{agency_id}",
        agency=agency,
        agency_id=agency_id,
        format="test",
        headline=body[:40],
        body_text=body,
        version_created=utcnow(),
        lineage=lineage,
        **fields,  # type: ignore[arg-type]
    )


def wire_copy() -> list[Story]:
    """Each chain: its story, then by turns a re-send, a re-filed copy, a version, an early kill, a rival copy."""
    rng = random.Random(7)
    stories: list[Story] = []

    def add(agency: str, agency_id: str, body: str, **fields: object) -> None:
        stories.append(_story(agency, agency_id, body, len(stories), **fields))

    for chain in range(CHAINS):
        body = _copy(rng)
        twist = chain % 6
        if twist == 4:
            add("reuters", f"c{chain}", "Withdrawn.", version=2, pubstatus="canceled")
        add("reuters", f"c{chain}", body)
        if twist == 0:
            add("reuters", f"c{chain}", body)
        elif twist == 1:
            add("reuters", f"c{chain}-refiled", body)
        elif twist == 2:
            add("reuters", f"c{chain}", _copy(rng), version=2, signals=["update"])
        elif twist == 3:
            add("reuters", f"c{chain}", "Kill this story.", version=2, pubstatus="canceled")
        elif twist == 5:
            add("afp", f"c{chain}", body)
    return stories


def expected_emissions(stories: list[Story]) -> Counter[tuple[str, int, str]]:
    index = DedupIndex(DedupSettings(), state={})
    now = utcnow()
    return Counter(
        (emitted.id, emitted.version, emitted.pubstatus)
        for story in stories
        for emitted in index.decide(story, now + timedelta(seconds=1)).emit
    )


def test_kill_nine_of_dedup_emits_what_an_uninterrupted_index_does(pipeline: Supervisor, bootstrap: str) -> None:
    stories = wire_copy()
    expected = expected_emissions(stories)
    assert sum(expected.values()) < len(stories)  # re-sends are dropped
    assert max(expected.values()) == 1

    port = free_port()
    pipeline.start("dedup", port)
    pipeline.wait_healthy(timeout=120)
    assert_loopback_only(port)  # /metrics and /healthz are not published on other interfaces
    ns = pipeline.namespace
    asyncio.run(produce(bootstrap, ns + PARSED, [(story.id, story) for story in stories]))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and asyncio.run(high_watermark(bootstrap, ns + UNIQUE)) < len(expected) // 5:
        time.sleep(0.05)
    pipeline.kill("dedup")
    assert asyncio.run(high_watermark(bootstrap, ns + UNIQUE)) < len(expected), "the kill must land mid-stream"
    pipeline.start("dedup", port)
    pipeline.wait_healthy(timeout=120)

    def emissions(records: list[dict[str, Any]]) -> Counter[tuple[str, int, str]]:
        return Counter((r["value"]["id"], r["value"]["version"], r["value"]["pubstatus"]) for r in records)

    records = asyncio.run(read_until(bootstrap, ns + UNIQUE, lambda found: set(expected) <= set(emissions(found))))
    emitted = emissions(records)
    assert set(emitted) == set(expected), (
        f"lost: {sorted(set(expected) - set(emitted))[:5]}, unexpected: {sorted(set(emitted) - set(expected))[:5]}"
    )
    kills = {key for key in expected if key[2] == "canceled"}
    assert len(kills) == 2 * CHAINS // 6

    # What ops scrape: the restarted worker's own counts, and its consumer lag back to 0 once it commits.
    source = {"topic": ns + PARSED, "partition": "0"}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        samples = scrape(f"http://127.0.0.1:{port}/metrics")
        if sample(samples, "wiredesk_dedup_consumer_lag", **source) == 0.0:
            break
        time.sleep(1)
    assert sample(samples, "wiredesk_dedup_consumer_lag", **source) == 0.0, {
        key: value for key, value in samples.items() if "consumer" in key[0]
    }
    assert sample(samples, "wiredesk_dedup_consumer_end_offset", **source) == len(stories)
    assert (sample(samples, "wiredesk_dedup_messages_total", outcome="ok") or 0) > 0
    assert sample(samples, "wiredesk_dedup_skipped_records_total") == 0.0
