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
from shared.topics import CLUSTERED, PUBLISHED, RAW, UNIQUE
from tests.integration.conftest import high_watermark, produce, read_topic

pytestmark = pytest.mark.broker

TOTAL = 1000
PIPELINE = ["parse", "dedup", "enrich", "merge", "publish"]
KILLED = ("parse", "dedup", "enrich", "merge")  # every at-least-once stage; publish has its own kill test


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

    records = asyncio.run(read_topic(bootstrap, ns + PUBLISHED, expect=TOTAL, timeout=240))
    keys = Counter(r["key"] for r in records)
    assert len(keys) == TOTAL, f"{TOTAL - len(keys)} stories lost"
    assert max(keys.values()) == 1, f"published twice: {[k for k, n in keys.items() if n > 1][:5]}"
    assert set(keys) == {f"bench:urn:bench:{i}" for i in range(TOTAL)}
