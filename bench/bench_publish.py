"""The publish service on the broker: stories/s with transactions, and latency at a steady newsroom rate.

The service runs as its own process (`python -m services.publish`, as in production), reading
`wire.clustered.v1`; documents are read back read_committed, so only committed transactions count.
Throughput is taken from the output records' timestamps on a pre-filled backlog (start-up not counted);
latency is output timestamp minus input timestamp per story, produced at a steady rate.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from cli.commands.topics import all_topics
from cli.supervisor import Supervisor
from shared.kafka.admin import apply_topics
from shared.kafka.broker import free_port
from shared.models import Story, Subject, utcnow
from shared.serde import encode
from shared.topics import CLUSTERED, PUBLISHED

BACKLOG = 5_000
STEADY_RATE = 200.0
STEADY_SECONDS = 10.0
REPEATS = 3


def _stories(count: int, prefix: str) -> list[Story]:
    now = utcnow()
    world = [Subject(scheme="medtop", code="11000000", name="politics")]
    return [
        Story(
            id=f"bench:{prefix}{number}",
            agency="bench",
            agency_id=f"{prefix}{number}",
            format="bench",
            headline=f"Ministers meet over grain corridor, round {number}",
            body_text="MOSCOW (Bench) - Ministers met on Saturday to discuss the corridor.\n\nTalks go on.",
            language="en",
            version_created=now + timedelta(milliseconds=number),
            subjects=world if number % 2 else [],
        )
        for number in range(count)
    ]


async def _produce(bootstrap: str, topic: str, stories: list[Story], rate: float | None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    started = time.perf_counter()
    try:
        for number, story in enumerate(stories):
            if rate is not None:
                await asyncio.sleep(max(0.0, started + number / rate - time.perf_counter()))
            await producer.send(topic, encode(story), key=story.id.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def _timestamps(bootstrap: str, topic: str, keys: set[str], timeout: float) -> dict[str, int]:
    """Record timestamp (ms) of the first record of each of `keys` on `topic`, read_committed."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        isolation_level="read_committed",
    )
    await consumer.start()
    found: dict[str, int] = {}
    deadline = time.perf_counter() + timeout
    try:
        while len(found) < len(keys) and time.perf_counter() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    key = (record.key or b"").decode()
                    if key in keys:
                        found.setdefault(key, record.timestamp)
        return found
    finally:
        await consumer.stop()


def _run_once(bootstrap: str, workdir: Path) -> tuple[float, list[float]]:
    namespace = f"pub{uuid.uuid4().hex[:6]}."
    asyncio.run(apply_topics(bootstrap, all_topics(), partitions=1, namespace=namespace))
    env = {
        "WIREDESK_BOOTSTRAP": bootstrap,
        "WIREDESK_NAMESPACE": namespace,
        "WIREDESK_TOPIC_PARTITIONS": "1",
        "WIREDESK_STATE_DIR": str(workdir / namespace / "state"),
        "WIREDESK_LOG_LEVEL": "WARNING",
    }
    backlog = _stories(BACKLOG, "b")
    asyncio.run(_produce(bootstrap, namespace + CLUSTERED, backlog, None))
    supervisor = Supervisor(env=env, log_dir=workdir / namespace / "logs", namespace=namespace)
    try:
        supervisor.start("publish", free_port())
        supervisor.wait_healthy(timeout=120)
        out = asyncio.run(_timestamps(bootstrap, namespace + PUBLISHED, {s.id for s in backlog}, 300))
        if len(out) < BACKLOG:
            raise RuntimeError(f"publish bench: {BACKLOG - len(out)} backlog stories never published")
        rate = (BACKLOG - 1) / ((max(out.values()) - min(out.values())) / 1000)
        steady = _stories(int(STEADY_RATE * STEADY_SECONDS), "s")
        asyncio.run(_produce(bootstrap, namespace + CLUSTERED, steady, STEADY_RATE))
        keys = {s.id for s in steady}
        sent = asyncio.run(_timestamps(bootstrap, namespace + CLUSTERED, keys, 60))
        published = asyncio.run(_timestamps(bootstrap, namespace + PUBLISHED, keys, 120))
        latencies = [published[key] - sent[key] for key in keys if key in published and key in sent]
        if len(latencies) < len(keys):
            raise RuntimeError(f"publish bench: {len(keys) - len(latencies)} steady stories never published")
    finally:
        supervisor.stop()
    return rate, latencies


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def run_on_broker(bootstrap: str, workdir: Path) -> str:
    runs = [_run_once(bootstrap, workdir) for _ in range(REPEATS)]
    rates = [rate for rate, _ in runs]
    p99s = [_p99(latencies) for _, latencies in runs]
    medians = [statistics.median(latencies) for _, latencies in runs]
    return "\n".join(
        [
            "## Publish: transactions, throughput and latency",
            "",
            f"The publish service as its own process, reading `wire.clustered.v1` with transactions on "
            f"(outputs, state and offsets in one transaction per batch); documents read back read_committed. "
            f"Half the stories route to the world desk too. Throughput: a backlog of {BACKLOG:,} stories, from "
            "the first to the last published record's timestamp. Latency: stories produced at a steady "
            f"{STEADY_RATE:.0f}/s for {STEADY_SECONDS:.0f} s, published timestamp minus produced timestamp.",
            "",
            "| measure | median of runs | runs | goal |",
            "|---|---|---|---|",
            f"| stories/s (backlog) | {statistics.median(rates):,.0f} | "
            + ", ".join(f"{r:,.0f}" for r in rates)
            + " | ≥ 2,000 |",
            f"| latency p50 at {STEADY_RATE:.0f}/s, ms | {statistics.median(medians):.0f} | "
            + ", ".join(f"{m:.0f}" for m in medians)
            + " | |",
            f"| latency p99 at {STEADY_RATE:.0f}/s, ms | {statistics.median(p99s):.0f} | "
            + ", ".join(f"{p:.0f}" for p in p99s)
            + " | ≤ 50 |",
            "",
        ]
    )
