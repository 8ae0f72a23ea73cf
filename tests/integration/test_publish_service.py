"""The publish service alone on the real broker: versions in order, kills on every topic a story went to,
alerts, and embargoes released on time (read_committed, documents valid against IPTC's ninjs schema)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cli.commands.embargoes import held_lines, publish_state
from cli.supervisor import Supervisor
from services.publish.ninjs import validate_ninjs
from shared.kafka.broker import free_port
from shared.models import Story, Subject, utcnow
from shared.topics import CLUSTERED, PUBLISHED
from tests.integration.conftest import high_watermark, produce, read_topic, sample, scrape

pytestmark = pytest.mark.broker

POLITICS = Subject(scheme="subj", code="11000000", name="politics")


def _story(agency_id: str, version: int, **changes: Any) -> Story:
    now = utcnow()
    fields: dict[str, Any] = {
        "id": f"reuters:{agency_id}",
        "agency": "reuters",
        "agency_id": agency_id,
        "version": version,
        "format": "ninjs",
        "headline": f"Parliament votes on budget ({agency_id} v{version})",
        "body_text": f"LONDON (Reuters) - Version {version} of the budget story.",
        "language": "en",
        "first_created": now,
        "version_created": now,
    }
    return Story(**(fields | changes))


async def _produce(bootstrap: str, topic: str, stories: list[Story]) -> None:
    await produce(bootstrap, topic, ((story.id, story) for story in stories))


def _of(story_id: str) -> Any:
    return lambda record: record["key"] == story_id


@pytest.fixture
def publish(pipeline: Supervisor) -> Iterator[Supervisor]:
    pipeline.start("publish", free_port())
    pipeline.wait_healthy(timeout=120)
    yield pipeline


def test_versions_in_order_and_kill_reaches_every_topic_the_story_went_to(
    publish: Supervisor, bootstrap: str, vocab_dir: Path
) -> None:
    ns = publish.namespace
    story_id = "reuters:BUDGET-1"
    flash = _story("BUDGET-1", 1, urgency=2, subjects=[POLITICS])
    update = _story("BUDGET-1", 2, urgency=3, subjects=[POLITICS], signals=["update"])
    # A kill carries no subjects, as agencies send them: only the story's history routes it to the desks.
    kill = _story("BUDGET-1", 3, pubstatus="canceled", signals=["kill"], body_text="KILL: withdrawn.")
    asyncio.run(_produce(bootstrap, ns + CLUSTERED, [flash, update, kill]))

    def versions(topic: str, expect: int) -> list[tuple[str, str]]:
        records = asyncio.run(read_topic(bootstrap, ns + topic, expect=expect, timeout=60, match=_of(story_id)))
        for record in records:
            assert validate_ninjs(record["value"], "3.1", vocab_dir / "ninjs") == [], topic
        return [(r["value"]["version"], r["value"]["pubStatus"]) for r in records]

    everything = [("1", "usable"), ("2", "usable"), ("3", "canceled")]
    assert versions("stories.published.v1", 3) == everything
    assert versions("stories.desk.world.v1", 3) == everything
    # Only version 1 was a bulletin; the alerts desk gets it and, because it had it, the kill.
    assert versions("stories.alerts.v1", 2) == [("1", "usable"), ("3", "canceled")]
    assert versions("stories.desk.sport.v1", 0) == []


def _hold_one(bootstrap: str, ns: str, suffix: str, seconds: float) -> tuple[Story, datetime]:
    """An embargoed story lifting in `seconds`, and a free one behind it; returns once the free one is out.

    The free story being out means the hold before it was committed in an earlier transaction.
    """
    lifts = utcnow() + timedelta(seconds=seconds)
    held = _story(f"EMBARGO-{suffix}", 1, embargoed_until=lifts)
    free = _story(f"FREE-{suffix}", 1)
    asyncio.run(_produce(bootstrap, ns + CLUSTERED, [held, free]))
    early = asyncio.run(read_topic(bootstrap, ns + PUBLISHED, expect=1, timeout=30, match=_of(free.id)))
    assert len(early) == 1
    return held, lifts


def _release_delay(record: dict[str, Any], lifts: datetime) -> float:
    published_at = datetime.fromtimestamp(record["timestamp_ms"] / 1000, tz=lifts.tzinfo)
    return (published_at - lifts).total_seconds()


def test_embargoed_story_is_released_within_a_second_of_its_time(publish: Supervisor, bootstrap: str) -> None:
    ns = publish.namespace
    held, lifts = _hold_one(bootstrap, ns, "1", 6)
    # The free story behind it is published at once; the held one is not there yet.
    assert utcnow() < lifts
    assert asyncio.run(read_topic(bootstrap, ns + PUBLISHED, expect=0, match=_of(held.id))) == []

    released = asyncio.run(read_topic(bootstrap, ns + PUBLISHED, expect=1, timeout=30, match=_of(held.id)))
    assert len(released) == 1
    delay = _release_delay(released[0], lifts)
    assert 0 <= delay <= 1.0, f"released {delay:+.3f}s from the embargo time"


def test_kill_nine_of_publish_mid_stream_loses_and_duplicates_nothing(publish: Supervisor, bootstrap: str) -> None:
    ns = publish.namespace
    total = 2000
    # Every other story is politics, so the world desk gets half: desk topics are in the same transactions.
    stories = [_story(f"BULK-{n}", 1, subjects=[POLITICS] if n % 2 else []) for n in range(total)]
    # The second half goes in only after the kill, so the kill always lands mid-stream.
    asyncio.run(_produce(bootstrap, ns + CLUSTERED, stories[: total // 2]))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and asyncio.run(high_watermark(bootstrap, ns + PUBLISHED)) < total // 10:
        time.sleep(0.02)
    publish.kill("publish")
    asyncio.run(_produce(bootstrap, ns + CLUSTERED, stories[total // 2 :]))
    port = free_port()
    publish.start("publish", port)
    publish.wait_healthy(timeout=120)

    for topic, expected in ((PUBLISHED, total), ("stories.desk.world.v1", total // 2)):
        records = asyncio.run(read_topic(bootstrap, ns + topic, expect=expected, timeout=180))
        keys = Counter(record["key"] for record in records)
        assert len(keys) == expected, f"{topic}: {expected - len(keys)} stories lost"
        assert max(keys.values()) == 1, f"{topic}: published twice: {[k for k, n in keys.items() if n > 1][:5]}"
    # The restarted runner handled the rest of the source without passing over a record.
    metrics = scrape(f"http://127.0.0.1:{port}/metrics")
    assert (sample(metrics, "wiredesk_publish_messages_total", outcome="ok") or 0) > 0
    assert sample(metrics, "wiredesk_publish_skipped_records_total") == 0


def test_embargo_hold_survives_kill_nine_and_is_released_once_at_its_time(publish: Supervisor, bootstrap: str) -> None:
    ns = publish.namespace
    held, lifts = _hold_one(bootstrap, ns, "K9", 20)
    release = lifts.isoformat().replace("+00:00", "Z")
    listed = held_lines(asyncio.run(publish_state(bootstrap, ns)), as_json=False)  # what wiredesk embargoes prints
    assert listed == [f"{release}  {held.id}  v1  {held.headline}"]

    publish.kill("publish")
    publish.start("publish", free_port())
    publish.wait_healthy(timeout=120)
    assert asyncio.run(read_topic(bootstrap, ns + PUBLISHED, expect=1, timeout=60, match=_of(held.id)))
    time.sleep(3)  # a second release would come at the next tick
    records = asyncio.run(read_topic(bootstrap, ns + PUBLISHED, expect=1, timeout=5, match=_of(held.id)))
    assert len(records) == 1, "released more than once"
    assert 0 <= _release_delay(records[0], lifts) <= 1.0, "not released at its time"
