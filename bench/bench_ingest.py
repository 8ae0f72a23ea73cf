"""The ingest service on the broker: items per second acknowledged by Kafka, per connector.

The service runs as its own process (`python -m services.ingest`), publishing to `wire.raw.v1` with acks
from all replicas; the rate is taken from the first to the last record's timestamp, so start-up is not
counted. Spool: files already complete in the folder when the service starts (each claimed, published and
archived only after the ack). APIs: the agency simulator's AP, Reuters and AFP APIs and TASS RSS feeds over
loopback, with every item already available when ingest starts.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from bench.pipeline import synthetic_raw
from cli.commands.run import SIMULATOR_CREDENTIALS
from cli.commands.topics import all_topics
from cli.supervisor import Supervisor
from shared.kafka.admin import apply_topics
from shared.kafka.broker import free_port
from shared.topics import RAW

SPOOL_FILES = 5_000
API_ITEMS = 2_000
REPEATS = 3
API_FEEDS = "ap-media,reuters-connect,afp-search,tass-ru,tass-en"


async def _span(bootstrap: str, topic: str, expected: int, timeout: float) -> tuple[int, float]:
    """(records seen, seconds from the first to the last record timestamp) once `expected` arrived."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    stamps: list[int] = []
    deadline = time.perf_counter() + timeout
    quiet_since = time.perf_counter()
    try:
        while len(stamps) < expected and time.perf_counter() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            fresh = [record.timestamp for records in batch.values() for record in records]
            stamps += fresh
            quiet_since = time.perf_counter() if fresh else quiet_since
            if stamps and time.perf_counter() - quiet_since > 10:
                break  # nothing more is coming
    finally:
        await consumer.stop()
    if len(stamps) < 2:
        return len(stamps), float("inf")
    return len(stamps), (max(stamps) - min(stamps)) / 1000


def _env(bootstrap: str, namespace: str, workdir: Path) -> dict[str, str]:
    return {
        "WIREDESK_BOOTSTRAP": bootstrap,
        "WIREDESK_NAMESPACE": namespace,
        "WIREDESK_TOPIC_PARTITIONS": "1",
        "WIREDESK_STATE_DIR": str(workdir / namespace / "state"),
        "WIREDESK_LOG_LEVEL": "WARNING",
    }


def spool_rate(bootstrap: str, workdir: Path) -> float:
    namespace = f"ing{uuid.uuid4().hex[:6]}."
    asyncio.run(apply_topics(bootstrap, all_topics(), partitions=1, namespace=namespace))
    spool = workdir / namespace / "spool"
    spool.mkdir(parents=True)
    for number, envelope in enumerate(synthetic_raw(SPOOL_FILES)):
        (spool / f"story-{number:05d}.json").write_bytes(envelope.payload)
    supervisor = Supervisor(env=_env(bootstrap, namespace, workdir), log_dir=workdir / namespace / "logs")
    try:
        supervisor.start(
            "ingest", free_port(), extra_env={"WIREDESK_INGEST_FEEDS": "spool", "WIREDESK_SPOOL_DIR": str(spool)}
        )
        seen, seconds = asyncio.run(_span(bootstrap, namespace + RAW, SPOOL_FILES, 300))
    finally:
        supervisor.stop()
    if seen < SPOOL_FILES:
        raise RuntimeError(f"ingest bench: {SPOOL_FILES - seen} spool files never reached {RAW}")
    return (seen - 1) / seconds


def api_rate(bootstrap: str, workdir: Path) -> tuple[float, int]:
    """Items/s from the simulator's APIs and feeds (every item already there), and how many items."""
    namespace = f"ing{uuid.uuid4().hex[:6]}."
    asyncio.run(apply_topics(bootstrap, all_topics(), partitions=1, namespace=namespace))
    folder = workdir / namespace
    simulator_port = free_port()
    truth = folder / "truth.jsonl"
    command = [sys.executable, "-m", "services.simulator", "--port", str(simulator_port), "--truth", str(truth)]
    command += ["--spool", str(folder / "unused"), "--rate", "2000", "--duration", str(API_ITEMS / 2000)]
    simulator = subprocess.Popen(
        [*command, "--linger", "600"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    supervisor = Supervisor(env=_env(bootstrap, namespace, workdir), log_dir=folder / "logs")
    try:
        assert simulator.stderr is not None
        while b"done" not in simulator.stderr.readline():
            if simulator.poll() is not None:
                raise RuntimeError("ingest bench: the simulator exited")
        api_items = sum(
            1 for line in truth.read_bytes().splitlines() if b'"channel":"spool"' not in line.replace(b" ", b"")
        )
        env = {**SIMULATOR_CREDENTIALS, "WIREDESK_INGEST_FEEDS": API_FEEDS}
        env["WIREDESK_SIMULATOR_URL"] = f"http://127.0.0.1:{simulator_port}"
        supervisor.start("ingest", free_port(), extra_env=env)
        seen, seconds = asyncio.run(_span(bootstrap, namespace + RAW, api_items, 300))
    finally:
        supervisor.stop()
        simulator.terminate()
        simulator.wait()
    return (seen - 1) / seconds, seen


def run_on_broker(bootstrap: str, workdir: Path) -> str:
    spool = [spool_rate(bootstrap, workdir) for _ in range(REPEATS)]
    api = [api_rate(bootstrap, workdir) for _ in range(REPEATS)]
    rates = [rate for rate, _ in api]
    return "\n".join(
        [
            "## Ingest: items acknowledged by Kafka per second",
            "",
            "The ingest service as its own process, `acks=all`, idempotent producer; rate from the first to the "
            "last record's timestamp on `wire.raw.v1`. Spool: ready files claimed, published and archived only "
            f"after the ack ({SPOOL_FILES:,} files). APIs: the simulator's AP, Reuters and AFP APIs and two TASS "
            f"RSS feeds over loopback, all items already available ({api[0][1]:,} items; RSS keeps only its "
            "last 40 items per feed, so a backlog is partly out of reach, as with real RSS).",
            "",
            "| connector | items/s (median) | runs | goal |",
            "|---|---|---|---|",
            f"| spool | {statistics.median(spool):,.0f} | " + ", ".join(f"{r:,.0f}" for r in spool) + " | ≥ 5,000 |",
            f"| APIs and RSS | {statistics.median(rates):,.0f} | "
            + ", ".join(f"{r:,.0f}" for r in rates)
            + " | ≥ 2,000 |",
            "",
        ]
    )


if __name__ == "__main__":
    from shared.kafka.broker import LocalBroker
    from shared.settings import KafkaSettings

    workdir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/wiredesk-bench-ingest")
    settings = KafkaSettings()
    broker = LocalBroker(workdir / "kafka", version=settings.kafka_version, kafka_home=settings.kafka_home)
    info = broker.start(timeout=120)
    try:
        print(run_on_broker(info.bootstrap, workdir))
    finally:
        broker.stop()
