"""kill -9 of every Faust stage (parse, dedup, enrich, merge) mid-stream, then a restart: every story published once.

Inside the pipeline delivery is at least once (Faust), dedup and merge are replay-safe, and publish is
exactly once and drops upstream repeats; this test holds the whole chain to what a newsroom sees.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from bench.pipeline import synthetic_raw
from cli.supervisor import STAGES, Supervisor
from shared.kafka.broker import free_port
from shared.topics import CLUSTERED, ENRICHED, PARSED, PUBLISHED, RAW, UNIQUE
from tests.integration.conftest import high_watermark, produce, read_topic, read_until

pytestmark = pytest.mark.broker

TOTAL = 1000
PIPELINE = ["parse", "dedup", "enrich", "merge", "publish"]
KILLED = ("parse", "dedup", "enrich", "merge")  # every at-least-once stage; publish has its own kill test


@pytest.mark.timeout(600)  # five stages started twice on two cores; each wait below fails sooner on a stall
def test_kill_nine_of_every_faust_stage_loses_and_duplicates_nothing(pipeline: Supervisor, bootstrap: str) -> None:
    ports = {name: free_port() for name in STAGES}
    for name in PIPELINE:
        pipeline.start(name, ports[name])
    pipeline.wait_healthy(timeout=120)
    ns = pipeline.namespace
    asyncio.run(produce(bootstrap, ns + RAW, ((e.raw_id, e) for e in synthetic_raw(TOTAL, seed=11))))

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and asyncio.run(high_watermark(bootstrap, ns + UNIQUE)) < TOTAL // 10:
        time.sleep(0.05)
    for name in KILLED:
        pipeline.kill(name)
    assert asyncio.run(high_watermark(bootstrap, ns + CLUSTERED)) < TOTAL, "the kill must land mid-stream"
    for name in KILLED:
        pipeline.start(name, ports[name])
    pipeline.wait_healthy(timeout=120)

    records = asyncio.run(read_topic(bootstrap, ns + PUBLISHED, expect=TOTAL, timeout=90))
    keys = Counter(r["key"] for r in records)
    assert len(keys) == TOTAL, f"{TOTAL - len(keys)} stories lost; {_stories_per_topic(bootstrap, ns)}"
    assert max(keys.values()) == 1, f"published twice: {[k for k, n in keys.items() if n > 1][:5]}"
    assert set(keys) == {f"bench:urn:bench:{i}" for i in range(TOTAL)}


def _stories_per_topic(bootstrap: str, ns: str) -> str:
    """How many distinct stories each stage's output topic holds: where a loss happened."""
    counts = []
    for topic in (PARSED, UNIQUE, ENRICHED, CLUSTERED):
        records = asyncio.run(read_until(bootstrap, ns + topic, lambda found: True))
        counts.append(f"{topic}: {len({r['key'] for r in records})}")
    return ", ".join(counts)
