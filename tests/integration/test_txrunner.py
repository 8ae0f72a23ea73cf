"""The exactly-once runner survives kill -9 mid-stream: no output lost, none duplicated (read_committed)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaProducer

from shared.kafka.admin import apply_topics
from shared.kafka.broker import free_port
from shared.kafka.tail import tail
from shared.topics import catalogue
from tests.integration.conftest import high_watermark, produce, read_until

pytestmark = pytest.mark.broker

RUNNER = Path(__file__).with_name("echo_runner.py")
TOTAL = 20000


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    root = str(Path(__file__).resolve().parents[2])
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(RUNNER), str(port)],
            env={**os.environ, **env, "PYTHONPATH": root},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "runner exited during start"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("runner never became healthy")


async def _output(bootstrap: str, topic: str) -> list[dict[str, int]]:
    return [r["value"] async for r in tail(bootstrap, topic, from_beginning=True, timeout=3.0)]


@dataclass(frozen=True)
class Runner:
    """Where one test's echo runner lives: its own topic namespace, web port and log file."""

    namespace: str
    env: dict[str, str]
    port: int
    log: Path

    @property
    def source(self) -> str:
        return self.namespace + "events.v1"

    @property
    def published(self) -> str:
        return self.namespace + "stories.published.v1"

    def start(self) -> subprocess.Popen[bytes]:
        return _start(self.env, self.port, self.log)


@pytest.fixture
def runner(bootstrap: str, tmp_path: Path) -> Runner:
    namespace = f"x{uuid.uuid4().hex[:8]}."
    asyncio.run(apply_topics(bootstrap, catalogue(), partitions=1, namespace=namespace))
    env = {"WIREDESK_BOOTSTRAP": bootstrap, "WIREDESK_NAMESPACE": namespace}
    return Runner(namespace, env, free_port(), tmp_path / "runner.log")


def test_kill_minus_nine_mid_stream_loses_and_duplicates_nothing(bootstrap: str, runner: Runner) -> None:
    first = runner.start()
    _wait_healthy(runner.port, first)
    asyncio.run(produce(bootstrap, runner.source, ((f"k{n % 7}", str(n).encode()) for n in range(TOTAL))))

    # Kill without warning while the runner is busy (output high watermark past 10 %), then start again.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and asyncio.run(high_watermark(bootstrap, runner.published)) < TOTAL // 10:
        time.sleep(0.05)
    first.kill()
    first.wait()
    partial = len(asyncio.run(_output(bootstrap, runner.published)))
    assert 0 < partial < TOTAL, f"the kill must land mid-stream (had {partial} of {TOTAL})"

    second = runner.start()
    try:
        _wait_healthy(runner.port, second)
        records = asyncio.run(read_until(bootstrap, runner.published, lambda found: len(found) >= TOTAL))
        outputs: list[dict[str, int]] = [record["value"] for record in records]
    finally:
        second.terminate()
        second.wait(20)

    numbers = [o["n"] for o in outputs]
    assert len(numbers) == TOTAL, f"{len(numbers)} outputs for {TOTAL} inputs"
    assert sorted(numbers) == list(range(TOTAL))
    # The state survived the crash exactly: the i-th record of a key saw count i.
    per_key: dict[int, list[int]] = {}
    for output in outputs:
        per_key.setdefault(output["n"] % 7, []).append(output["seen"])
    for seen in per_key.values():
        assert seen == list(range(1, len(seen) + 1))
    assert orjson.dumps(outputs)  # outputs are JSON all the way


def test_a_fenced_runner_stops_instead_of_looking_alive(bootstrap: str, runner: Runner) -> None:
    """Another producer takes the runner's transactional id: every later transaction of the runner fails,
    and it exits (for its supervisor to restart it) rather than spin while publishing nothing."""
    process = runner.start()
    try:
        _wait_healthy(runner.port, process)
        asyncio.run(produce(bootstrap, runner.source, [("k", b"1")]))
        first = asyncio.run(read_until(bootstrap, runner.published, lambda found: len(found) >= 1, timeout=30))
        assert [record["value"]["n"] for record in first] == [1]

        async def fence_and_feed() -> None:
            usurper = AIOKafkaProducer(
                bootstrap_servers=bootstrap, transactional_id=f"{runner.namespace}wiredesk-publish-tx"
            )
            await usurper.start()  # InitProducerId bumps the epoch: the runner's producer is now a zombie
            await usurper.stop()
            await produce(bootstrap, runner.source, [("k", str(n).encode()) for n in range(2, 12)])

        asyncio.run(fence_and_feed())
        returncode = process.wait(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert returncode != 0
    assert "transactions aborted in a row" in runner.log.read_text()
    assert [o["n"] for o in asyncio.run(_output(bootstrap, runner.published))] == [1]
