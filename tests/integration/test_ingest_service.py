"""The ingest service against the agency simulator on the real broker, killed with -9 mid-stream.

The simulator plays Reuters (GraphQL), AP (cursor API), AFP (search API), TASS (two RSS feeds) and spool
drops, and writes the ground truth of every item it made available. Ingest is at least once: a crash may
make it read an item again, always under the same raw_id, never lose one, never invent one.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from cli.commands.run import SIMULATOR_CREDENTIALS
from cli.supervisor import Supervisor
from shared.kafka.broker import free_port
from shared.topics import RAW
from tests.integration.conftest import read_until

pytestmark = pytest.mark.broker

# Feed names of deploy/feeds.yaml for the simulator's channels.
FEEDS = {
    "spool": "spool",
    "ap_api": "ap-media",
    "reuters_api": "reuters-connect",
    "afp_api": "afp-search",
    "tass_rss_ru": "tass-ru",
    "tass_rss_en": "tass-en",
}
RATE = 20.0
DURATION = 12.0


def expected_raw_ids(truth: Path) -> set[str]:
    lines = [orjson.loads(line) for line in truth.read_bytes().splitlines()]
    return {f"{FEEDS[line['channel']]}:{line['raw_key']}" for line in lines}


def test_kill_nine_of_ingest_loses_and_invents_nothing(pipeline: Supervisor, bootstrap: str, tmp_path: Path) -> None:
    simulator_port, ingest_port = free_port(), free_port()
    spool, truth = tmp_path / "spool", tmp_path / "truth.jsonl"
    spool.mkdir(parents=True, exist_ok=True)
    ingest_env = {
        **SIMULATOR_CREDENTIALS,
        "WIREDESK_INGEST_FEEDS": ",".join(FEEDS.values()),
        "WIREDESK_SIMULATOR_URL": f"http://127.0.0.1:{simulator_port}",
        "WIREDESK_SPOOL_DIR": str(spool),
    }
    pipeline.start("ingest", ingest_port, extra_env=ingest_env)
    pipeline.wait_healthy(["ingest"], timeout=60)
    simulator_args = ["--port", str(simulator_port), "--spool", str(spool), "--truth", str(truth)]
    simulator_args += ["--rate", str(RATE), "--duration", str(DURATION), "--linger", "300", "--seed", "5"]
    simulator = pipeline.start("simulator", free_port(), simulator_args)

    time.sleep(DURATION / 3)
    pipeline.kill("ingest")
    time.sleep(1.0)
    pipeline.start("ingest", ingest_port, extra_env=ingest_env)
    pipeline.wait_healthy(["ingest"], timeout=60)
    deadline = time.monotonic() + DURATION + 60
    while b"simulator: done" not in simulator.log_path.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert simulator.process.poll() is None, f"the simulator exited; see {simulator.log_path}"

    expected = expected_raw_ids(truth)
    assert len(expected) > RATE * DURATION / 2
    assert {raw_id.split(":", 1)[0] for raw_id in expected} == set(FEEDS.values())

    def keys(records: list[dict[str, object]]) -> Counter[str]:
        return Counter(str(record["key"]) for record in records)

    ns = pipeline.namespace
    records = asyncio.run(read_until(bootstrap, ns + RAW, lambda found: expected <= set(keys(found)), timeout=90))
    published = keys(records)
    assert sorted(expected - set(published))[:5] == [], f"{len(expected - set(published))} items lost"
    assert sorted(set(published) - expected)[:5] == [], "items that the simulator never sent"
    repeated = {raw_id: n for raw_id, n in published.items() if n > 1}
    # At least once: a page read again after the crash repeats its items under the same raw_id.
    assert len(repeated) <= len(expected) // 4, f"{len(repeated)} items repeated"
