"""The real Kafka broker for integration tests, and helpers to run services and read topics.

The session starts the project's own jar-based KRaft broker (or uses WIREDESK_TEST_BROKER). Under
`make test` and CI (WIREDESK_REQUIRE_BROKER=1 or CI=true) a broker that cannot start FAILS the run;
only a bare `pytest` outside them may skip broker tests, and says why.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import uuid
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from bench.workspace import produce as produce  # the one producer of test input (shared with the benchmarks)
from cli.commands.topics import all_topics
from cli.supervisor import Supervisor
from shared.errors import FatalError
from shared.kafka.admin import apply_topics
from shared.kafka.broker import LocalBroker, free_port
from shared.kafka.tail import tail
from shared.settings import KafkaSettings

pytestmark = pytest.mark.broker

NOTABLE_LEVELS = ("warning", "error", "critical")


def _broker_required() -> bool:
    return os.environ.get("WIREDESK_REQUIRE_BROKER") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of a real broker with the catalogue's topics (1 partition each) applied."""
    external = os.environ.get("WIREDESK_TEST_BROKER")
    broker: LocalBroker | None = None
    if external:
        address = external
    else:
        settings = KafkaSettings()
        broker = LocalBroker(
            tmp_path_factory.mktemp("kafka"), version=settings.kafka_version, kafka_home=settings.kafka_home
        )
        try:
            address = broker.start(timeout=90).bootstrap
        except FatalError as exc:
            if _broker_required():
                pytest.fail(f"the Kafka broker could not start: {exc}")
            pytest.skip(f"no Kafka broker (not under make test): {exc}")
    yield address
    if broker is not None:
        broker.stop()


@pytest.fixture
def pipeline(bootstrap: str, tmp_path: Path) -> Iterator[Supervisor]:
    """A supervisor whose services talk to the test broker, each test with its own consumer groups and state."""
    namespace = f"t{uuid.uuid4().hex[:8]}."
    asyncio.run(apply_topics(bootstrap, all_topics(), partitions=1, namespace=namespace))
    env = {
        "WIREDESK_BOOTSTRAP": bootstrap,
        "WIREDESK_STATE_DIR": str(tmp_path / "state"),
        "WIREDESK_NAMESPACE": namespace,
        "WIREDESK_TOPIC_PARTITIONS": "1",
        "WIREDESK_SPOOL_DIR": str(tmp_path / "spool"),
        "WIREDESK_LOG_LEVEL": "INFO",
        "WIREDESK_INGEST_FEEDS": "spool",
        # A killed worker's partitions wait this long before the restarted one gets them.
        "WIREDESK_SESSION_TIMEOUT_SECONDS": "8",
    }
    supervisor = Supervisor(env=env, log_dir=tmp_path / "logs", namespace=namespace)
    yield supervisor
    supervisor.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test that ran services carries their warnings and errors in its report.

    CI keeps only the run's output, not the services' log files: without this, a failure after a kill -9
    would say what was missing but not what the stages were doing.
    """
    report = yield
    supervisor = getattr(item, "funcargs", {}).get("pipeline")
    if report.failed and isinstance(supervisor, Supervisor):
        report.sections.append(("service logs (warnings, errors, last lines)", _log_digest(supervisor.log_dir)))
    return report


def _log_digest(log_dir: Path, *, notable: int = 40, last: int = 5) -> str:
    parts = []
    for path in sorted(log_dir.glob("*.log")):
        lines = path.read_text(errors="replace").splitlines()
        flagged = [line for line in lines if any(f'"level":"{level}"' in line for level in NOTABLE_LEVELS)]
        parts.append(f"--- {path.name}: {len(lines)} lines, {len(flagged)} warnings or errors")
        parts += [line[:400] for line in flagged[-notable:]]
        parts.append(f"--- {path.name}: last {last} lines")
        parts += [line[:400] for line in lines[-last:]]
    return "\n".join(parts) or f"no service logs in {log_dir}"


async def read_until(
    bootstrap: str, topic: str, done: Callable[[list[dict[str, Any]]], bool], *, timeout: float = 60.0
) -> list[dict[str, Any]]:
    """Records of `topic` from the beginning (read_committed) once `done` says they are complete.

    Gives up when `timeout` seconds pass without a new record, or after four times `timeout` in all: a
    slow or loaded machine that is still making progress gets its time, while a stalled pipeline fails
    within `timeout`. The caller's assertions on
    what was read then say what is missing. For at-least-once topics, where a replay can repeat records,
    `done` must look at what was read, not count it.
    """
    loop = asyncio.get_running_loop()
    started = last_progress = loop.time()
    seen = 0
    while True:
        found = [record async for record in tail(bootstrap, topic, from_beginning=True, timeout=2.0)]
        now = loop.time()
        if len(found) > seen:
            seen, last_progress = len(found), now
        if done(found) or now - last_progress >= timeout or now - started >= 4 * timeout:
            return found
        await asyncio.sleep(1.0)


async def read_topic(
    bootstrap: str, topic: str, *, expect: int, timeout: float = 60.0, match: Any = None
) -> list[dict[str, Any]]:
    """Records of `topic` from the beginning (read_committed) until `expect` matching ones (see `read_until`)."""

    def matching(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [record for record in records if match is None or match(record)]

    records = await read_until(bootstrap, topic, lambda found: len(matching(found)) >= expect, timeout=timeout)
    return matching(records)


@pytest.fixture
def free_ports() -> Iterator[Any]:
    """A function giving a free loopback port per call."""
    yield free_port


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """A service's /metrics page, parsed by prometheus_client: {(sample name, its labels): value}."""
    text = httpx.get(url, timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float | None:
    """The value of sample `name` with exactly `labels` in a `scrape`, or None when the page has none."""
    return samples.get((name, frozenset(labels.items())))


async def high_watermark(bootstrap: str, topic: str) -> int:
    """The end offset of partition 0 of `topic` (records written, committed or not): a cheap progress probe."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        return int((await consumer.end_offsets([tp]))[tp])
    finally:
        await consumer.stop()


def assert_loopback_only(port: int) -> None:
    """Whatever listens on `port` does so on 127.0.0.1 alone, and the machine's other address refuses it."""
    listening = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True)
    addresses = {line.split()[3].rsplit(":", 1)[0] for line in listening.stdout.splitlines()}
    assert addresses == {"127.0.0.1"}
    other = _non_loopback_address()
    if other is not None:
        with pytest.raises(OSError), socket.create_connection((other, port), timeout=1):
            pass


def _non_loopback_address() -> str | None:
    """An address of this machine's own that is not loopback, when it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent, the kernel only picks a route
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address
