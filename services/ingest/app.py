"""Ingest stage shell: every configured feed's connector, publishing to `wire.raw.v1` with acknowledgement.

Ingest consumes no topic, so it runs on an idempotent aiokafka producer rather than a Faust agent: a
connector's `publish` returns only once Kafka acknowledged the record, connectors save a cursor only after
that, and the cursors live in the compacted `ingest.checkpoints.v1`, read back at start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Coroutine, Iterator, Mapping, MutableMapping, Sequence
from string import Template
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector

from services.ingest.config import RAW_RECORD_LIMIT, IngestSettings
from services.ingest.connectors import build_connector
from services.ingest.feeds import FeedConfig, parse_feeds
from services.ingest.ports import FeedStats
from services.ingest.push import PushFeed, add_push_routes
from shared.errors import InvalidInput
from shared.kafka.compacted import read_compacted
from shared.kafka.partition import partition_for
from shared.kafka.producer import MAX_BATCH_BYTES
from shared.logs import configure_logging
from shared.models import DeadLetter, RawEnvelope, utcnow
from shared.serde import encode
from shared.settings import ServiceSettings
from shared.topics import CHECKPOINTS, RAW, deadletter_topic
from shared.web import health_app, serve

__all__ = ["main"]

log = logging.getLogger("wiredesk.ingest")
DEFAULT_PORT = 9100


def load_feed_config(settings: IngestSettings, environ: Mapping[str, str]) -> list[FeedConfig]:
    """The enabled feeds of the feeds file, ${VARIABLES} filled in from the environment.

    Feeds whose secret is not set are left out (and logged), so the others still run.
    """
    text = Template(settings.feeds_file.read_text()).safe_substitute(
        {"WIREDESK_SPOOL_DIR": str(settings.spool_dir), "WIREDESK_SIMULATOR_URL": settings.simulator_url, **environ}
    )
    feeds = parse_feeds(text, source=str(settings.feeds_file))
    enabled = {name.strip() for name in settings.feeds.split(",") if name.strip()}
    if enabled:
        feeds = [feed for feed in feeds if feed.name in enabled]
    usable = []
    for feed in feeds:
        try:
            feed.secret(environ)
            feed.client_id(environ)
        except InvalidInput as exc:
            # One misconfigured feed must not stop the others; ops see it in the log and the missing metric.
            log.error("feed disabled", extra={"feed": feed.name, "reason": exc.reason})
            continue
        usable.append(feed)
    return usable


class KafkaCheckpoints(MutableMapping[str, str]):
    """Connector checkpoints: a dict written through to the compacted checkpoint topic."""

    def __init__(self, producer: AIOKafkaProducer, topic: str, initial: Mapping[str, bytes | None]) -> None:
        self._producer = producer
        self._topic = topic
        self._data = {k: v.decode() for k, v in initial.items() if v is not None}
        self._pending: set[asyncio.Future[object]] = set()

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __setitem__(self, key: str, value: str) -> None:
        self._data[key] = value
        self._write(key, value.encode())

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self._write(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def _write(self, key: str, value: bytes | None) -> None:
        # Sent after the items it covers (one producer keeps order); a lost checkpoint only re-reads
        # items, and their unchanged raw ids let dedup drop them.
        task = asyncio.ensure_future(self._producer.send_and_wait(self._topic, value, key=key.encode()))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def flush(self) -> None:
        """Wait for every checkpoint write in flight."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)


class BatchSender:
    """Sends (key, value) records to one topic in whole record batches; concurrent calls in call order.

    Each record goes to the partition its key hashes to, as with `send`. One append per record and one
    future per batch: `send` costs a metadata check, a partitioner call, a future and a completion callback
    per record, which held the spool under 5,000 files/s (profiled). A closed batch is sent at once, without
    waiting for `linger_ms`.
    """

    def __init__(self, producer: AIOKafkaProducer, topic: str) -> None:
        self.producer = producer
        self.topic = topic
        self._queueing = asyncio.Lock()  # FIFO: a call's batches are all queued before the next call's

    async def send(self, records: Sequence[tuple[bytes, bytes]]) -> None:
        """Send `records`; returns once none is in flight any more, raising the first failure."""
        async with self._queueing:
            acks = await self._queue(records)
        for outcome in await asyncio.gather(*acks, return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome

    async def _queue(self, records: Sequence[tuple[bytes, bytes]]) -> list[asyncio.Future[object]]:
        producer, topic = self.producer, self.topic
        partitions = sorted(await producer.partitions_for(topic))
        groups: dict[int, list[tuple[bytes, bytes]]] = {}
        for key, value in records:
            groups.setdefault(partition_for(key, partitions, partitions), []).append((key, value))
        acks: list[asyncio.Future[object]] = []
        for partition, group in groups.items():
            batch = producer.create_batch()
            for key, value in group:
                if batch.append(key=key, value=value, timestamp=None) is None:  # full: send it, start the next
                    batch.close()
                    acks.append(await producer.send_batch(batch, topic, partition=partition))
                    batch = producer.create_batch()
                    batch.append(key=key, value=value, timestamp=None)  # an empty batch takes any record
            batch.close()
            acks.append(await producer.send_batch(batch, topic, partition=partition))
        return acks


class FeedCollector(Collector):
    """Per-feed Prometheus metrics, read from the connectors' FeedStats at scrape time."""

    def __init__(self, stats: Mapping[str, FeedStats]) -> None:
        self.stats = stats

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | SummaryMetricFamily]:
        """The metric families of every feed."""
        items = CounterMetricFamily("wiredesk_ingest_items", "Items published to wire.raw.v1.", labels=["feed"])
        size = CounterMetricFamily("wiredesk_ingest_bytes", "Bytes of items published.", labels=["feed"])
        errors = CounterMetricFamily("wiredesk_ingest_errors", "Poll and item errors.", labels=["feed", "kind"])
        last = GaugeMetricFamily(
            "wiredesk_ingest_last_success_timestamp_seconds", "Unix time of the last successful fetch.", labels=["feed"]
        )
        fetch = SummaryMetricFamily("wiredesk_ingest_fetch_seconds", "Recent fetch latencies.", labels=["feed"])
        lag = GaugeMetricFamily(
            "wiredesk_ingest_cursor_lag", "Backlog behind the cursor, as the API reports it.", labels=["feed"]
        )
        for name, stat in self.stats.items():
            items.add_metric([name], stat.items)
            size.add_metric([name], stat.bytes)
            for kind, count in stat.errors.items():
                errors.add_metric([name, kind], count)
            if stat.last_success_at is not None:
                last.add_metric([name], stat.last_success_at.timestamp())
            fetch.add_metric([name], len(stat.fetch_seconds), sum(stat.fetch_seconds))
            if stat.cursor_lag is not None:
                lag.add_metric([name], stat.cursor_lag)
        yield from (items, size, errors, last, fetch, lag)


async def run(settings: ServiceSettings, ingest: IngestSettings) -> None:
    """Run every feed until SIGTERM or SIGINT."""
    feeds = load_feed_config(ingest, os.environ)
    namespace = settings.namespace
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=MAX_BATCH_BYTES,
        max_request_size=RAW_RECORD_LIMIT,  # aiokafka's 1 MiB default would refuse a long story over an API
        partitioner=partition_for,
    )
    await producer.start()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)

    async def publish(envelope: RawEnvelope) -> None:
        await producer.send_and_wait(namespace + RAW, encode(envelope), key=envelope.raw_id.encode())

    raw_batches = BatchSender(producer, namespace + RAW)

    async def publish_batch(envelopes: Sequence[RawEnvelope]) -> None:
        await raw_batches.send([(envelope.raw_id.encode(), encode(envelope)) for envelope in envelopes])

    async def dead_letter(original: bytes, code: str, reason: str) -> None:
        record = DeadLetter(
            stage="ingest", code=code, reason=reason, source_topic="ingest", original=original, failed_at=utcnow()
        )
        await producer.send_and_wait(namespace + deadletter_topic("ingest"), encode(record))
        log.warning("dead-lettered", extra={"code": code, "reason": reason})

    checkpoints = KafkaCheckpoints(
        producer, namespace + CHECKPOINTS, await read_compacted(settings.bootstrap, namespace + CHECKPOINTS)
    )
    stats: dict[str, FeedStats] = {}
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
        connectors = [
            build_connector(
                feed,
                client=client,
                publish=publish,
                publish_batch=publish_batch,
                checkpoints=checkpoints,
                dead_letter=dead_letter,
                max_attempts=ingest.http_max_attempts,
                spool_max_bytes=ingest.spool_max_bytes,
            )
            for feed in feeds
            if feed.connector != "push"
        ]
        stats.update({c.stats.feed: c.stats for c in connectors})
        pushes = {
            feed.name: PushFeed(feed, (feed.secret() or "").encode(), FeedStats(feed.name))
            for feed in feeds
            if feed.connector == "push"
        }
        stats.update({name: push.stats for name, push in pushes.items()})
        REGISTRY.register(FeedCollector(stats))
        web_app = health_app("ingest", lambda: not stop.is_set())
        add_push_routes(web_app, pushes, publish, max_bytes=ingest.push_max_bytes)
        runner = await serve(web_app, settings.web_host, settings.web_port or DEFAULT_PORT)
        log.info("running", extra={"feeds": [f.name for f in feeds], "push": sorted(pushes)})
        try:
            await _run_until_stopped([connector.run(stop) for connector in connectors], stop)
        finally:
            await runner.cleanup()
            await checkpoints.flush()
            await producer.stop()


async def _run_until_stopped(loops: list[Coroutine[Any, Any, None]], stop: asyncio.Event) -> None:
    """Run the connectors' loops until `stop` is set (or one of them fails), then cancel what still runs.

    Cancelling rather than waiting for each loop to notice `stop`: a poll in the middle of its retries
    (a Retry-After, a back-off of up to a minute) would hold SIGTERM for that long. Nothing is lost by it:
    a cursor is saved only after its page was acknowledged, and a claimed spool file waits in processing/.
    A push-only ingest has no loop at all and still serves until `stop`.
    """
    tasks = [asyncio.ensure_future(loop) for loop in loops]
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([stopped, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in [stopped, *tasks]:
            task.cancel()
        await asyncio.gather(stopped, *tasks, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error  # a loop that died of a bug stops the service, saying why


def main() -> None:
    """Entry point of `python -m services.ingest`."""
    settings = ServiceSettings()
    configure_logging("ingest", settings.log_level)
    asyncio.run(run(settings, IngestSettings()))
