"""What every broker benchmark (and the broker tests) needs: a broker, a fresh namespace, producing, timestamps."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import BaseModel

from cli.commands.topics import all_topics
from cli.supervisor import Supervisor
from shared.kafka.admin import apply_topics
from shared.kafka.broker import BrokerInfo, LocalBroker
from shared.serde import encode
from shared.settings import KafkaSettings

__all__ = ["BenchNamespace", "fresh_namespace", "is_package", "own_broker", "peak_rss_mb", "produce", "timestamp_span"]


@contextmanager
def own_broker(workdir: Path) -> Iterator[BrokerInfo]:
    """A throwaway local broker under `workdir`, stopped on the way out."""
    settings = KafkaSettings()
    broker = LocalBroker(workdir / "kafka", version=settings.kafka_version, kafka_home=settings.kafka_home)
    info = broker.start(timeout=120)
    try:
        yield info
    finally:
        broker.stop()


@dataclass(frozen=True, slots=True)
class BenchNamespace:
    """One run's topics (all created, one partition each) and the environment its services get."""

    name: str
    folder: Path
    env: dict[str, str]

    def supervisor(self) -> Supervisor:
        return Supervisor(env=self.env, log_dir=self.folder / "logs", namespace=self.name)


def fresh_namespace(bootstrap: str, workdir: Path, prefix: str) -> BenchNamespace:
    """Create every catalogue topic under a new namespace `<prefix><random>.`, so runs never share data."""
    name = f"{prefix}{uuid.uuid4().hex[:6]}."
    asyncio.run(apply_topics(bootstrap, all_topics(), partitions=1, namespace=name))
    folder = workdir / name
    env = {
        "WIREDESK_BOOTSTRAP": bootstrap,
        "WIREDESK_NAMESPACE": name,
        "WIREDESK_TOPIC_PARTITIONS": "1",
        "WIREDESK_STATE_DIR": str(folder / "state"),
        "WIREDESK_LOG_LEVEL": "WARNING",
    }
    return BenchNamespace(name, folder, env)


def is_package(key: bytes | None) -> bool:
    """Whether a record on a stories topic is an event package rather than a story."""
    return key is not None and key.startswith(b"evt-")


async def timestamp_span(
    bootstrap: str, topic: str, expected: int, timeout: float, *, quiet_seconds: float | None = None
) -> tuple[int, float]:
    """(stories seen, seconds from the first to the last of at most `expected` of them, by record timestamp).

    Reads committed records from the beginning until `expected` stories (event packages not counted) are
    there, `timeout` passes, or, with `quiet_seconds`, nothing new came for that long (a source that cannot
    deliver everything, such as RSS with its short window). The span is infinite with fewer than two.
    """
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        isolation_level="read_committed",
    )
    await consumer.start()
    stamps: list[int] = []
    deadline = time.perf_counter() + timeout
    last_news = time.perf_counter()
    try:
        while len(stamps) < expected and time.perf_counter() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            fresh = [r.timestamp for records in batch.values() for r in records if not is_package(r.key)]
            stamps += fresh
            last_news = time.perf_counter() if fresh else last_news
            if quiet_seconds is not None and stamps and time.perf_counter() - last_news > quiet_seconds:
                break
    finally:
        await consumer.stop()
    counted = stamps[:expected]
    if len(counted) < 2:
        return len(counted), float("inf")
    return len(counted), (max(counted) - min(counted)) / 1000


async def produce(bootstrap: str, topic: str, records: Iterable[tuple[str, BaseModel | bytes]]) -> None:
    """Send (key, value) records to `topic` as an upstream stage would: models as JSON, acks from all replicas."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=10)
    await producer.start()
    try:
        for key, value in records:
            await producer.send(topic, value if isinstance(value, bytes) else encode(value), key=key.encode())
        await producer.flush()
    finally:
        await producer.stop()


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program, in MB.

    Not `ru_maxrss`: Linux carries that across fork and exec, so a worker measured in a child of the bench
    process would report the bench's own peak (960 MB after the dedup section) instead of its own.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
