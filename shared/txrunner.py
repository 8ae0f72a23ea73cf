"""Exactly-once consume-transform-produce on aiokafka transactions, for stages that must never duplicate.

Faust's own exactly-once mode has open defects (duplicates and ProducerFenced crashes on rebalance), so the
publish stage runs this loop instead. Per batch, one Kafka transaction holds:

    the outputs of every record in the batch           (stories.*)
    the state changes those records made               (a compacted state topic, e.g. publish.state.v1)
    the consumer offsets of the batch                  (send_offsets_to_transaction)

Either all three become visible to read_committed consumers or none does. After a crash (even kill -9)
the runner reloads the committed state, resumes from the committed offsets, and redoes only the
uncommitted batch, so nothing is lost and nothing is seen twice. A handler's bad input is dead-lettered in
the same transaction; a Kafka failure aborts the transaction, rolls the state back and seeks back.
One instance per consumer group (its transactional id is fixed), which is what a single-partition-per-
instance deployment needs; README "Scaling" says how to go further.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from datetime import datetime
from typing import Any

import aiokafka.producer.sender
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition

from shared.errors import FatalError, InvalidInput
from shared.kafka.compacted import read_compacted
from shared.kafka.partition import partition_for
from shared.kafka.producer import MAX_BATCH_BYTES
from shared.metrics import SourcePositions, StageMetrics
from shared.models import utcnow
from shared.records import Incoming, Output, dead_letter_record
from shared.settings import ServiceSettings
from shared.topics import deadletter_topic
from shared.web import health_app, serve

__all__ = ["Section", "StateStore", "TransactionalRunner"]

log = logging.getLogger("wiredesk.txrunner")

Handler = Callable[[Incoming, "StateStore"], Sequence[Output]]
Tick = Callable[[datetime, "StateStore"], Sequence[Output]]
Batch = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]

# After a commit the coordinator writes the transaction markers before it accepts the next transaction's
# first request, and answers CONCURRENT_TRANSACTIONS meanwhile (KAFKA-5477). aiokafka retries that after
# a fixed 20 ms, which on one node is several times the marker write and was most of a batch's latency
# at 200 stories/s; a 2 ms retry costs a few more requests and answers as soon as the markers are down.
CONCURRENT_TRANSACTIONS_RETRY_S = 0.002

# A producer in a fatal state (fenced, or an abort that failed) refuses every later transaction, and a
# broker gone for good fails them all too: a stage that retried forever would look alive while publishing
# nothing. After this many aborts in a row it stops, and its supervisor (Compose restarts on failure)
# starts a fresh producer, which aborts whatever the old one left open.
MAX_ABORTS_IN_A_ROW = 10


class StateStore(MutableMapping[str, Any]):
    """JSON values by key, loaded from a compacted topic; changes are written in the batch's transaction.

    Keys are `<section>:<rest>`; `section()` gives a view of one section that is iterated without
    looking at the others (a stage keeps a few holds among a million published-story records).
    """

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self._undo: dict[str, Any] = {}
        self._missing = object()
        self._sections: dict[str, set[str]] = {}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._undo.setdefault(key, self._data.get(key, self._missing))
        self._put(key, value)

    def __delitem__(self, key: str) -> None:
        self._undo.setdefault(key, self._data.get(key, self._missing))
        self._drop(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def section(self, prefix: str) -> Section:
        """The keys `prefix` + rest, as a mapping of rest → value; `prefix` ends with the keys' first ':'."""
        if not prefix.endswith(":") or ":" in prefix[:-1]:
            raise ValueError(f"a section prefix ends at the key's first ':', not {prefix!r}")
        return Section(self, prefix)

    def keys_in(self, prefix: str) -> list[str]:
        """The full keys of one section (a copy: the section may change while the caller walks it)."""
        return list(self._sections.get(prefix, ()))

    def section_size(self, prefix: str) -> int:
        """How many keys one section holds."""
        return len(self._sections.get(prefix, ()))

    def load(self, key: str, value: bytes | None) -> None:
        """Apply one record of the state topic (None is a tombstone)."""
        if value is None:
            self._drop(key)
        else:
            self._put(key, orjson.loads(value))

    def changes(self) -> dict[str, bytes | None]:
        """Every key changed since the last commit, with its new value (None when deleted)."""
        return {key: orjson.dumps(self._data[key]) if key in self._data else None for key in self._undo}

    def commit(self) -> None:
        """Forget the undo log: the changes are durable."""
        self._undo.clear()

    def rollback(self) -> None:
        """Put back every value changed since the last commit."""
        for key, old in self._undo.items():
            if old is self._missing:
                self._drop(key)
            else:
                self._put(key, old)
        self._undo.clear()

    def _put(self, key: str, value: Any) -> None:
        self._data[key] = value
        self._sections.setdefault(_section_of(key), set()).add(key)

    def _drop(self, key: str) -> None:
        if self._data.pop(key, self._missing) is not self._missing:
            self._sections[_section_of(key)].discard(key)


class Section(MutableMapping[str, Any]):
    """One section of a StateStore, without its prefix: `store.section("embargo:")["reuters:1"]`."""

    def __init__(self, store: StateStore, prefix: str) -> None:
        self.store = store
        self.prefix = prefix

    def __getitem__(self, key: str) -> Any:
        return self.store[self.prefix + key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.store[self.prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self.store[self.prefix + key]

    def __iter__(self) -> Iterator[str]:
        return (key[len(self.prefix) :] for key in self.store.keys_in(self.prefix))

    def __len__(self) -> int:
        return self.store.section_size(self.prefix)


def _section_of(key: str) -> str:
    head, colon, _ = key.partition(":")
    return head + colon


class Prefetch(ConsumerRebalanceListener):  # type: ignore[misc]
    """Keeps the consumer fetching while the runner is busy committing, and hands out batches in order.

    aiokafka sends a node its next fetch only once the last one's records have been taken, so a loop that
    takes a batch, then spends a transaction on it, leaves everything that arrives meanwhile on the broker
    until the next turn: a record waited up to two transactions before it was even read. Taking records
    off the fetcher as they come, into a bounded queue, lets the next batch be whatever arrived during the
    commit.
    """

    def __init__(self, consumer: AIOKafkaConsumer, *, max_records: int, limit: int, positions: SourcePositions) -> None:
        self._consumer = consumer
        self._positions = positions
        self._max_records = max_records
        self._limit = limit
        self._queue: deque[ConsumerRecord[bytes, bytes]] = deque()
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._fill(), name="txrunner-prefetch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _fill(self) -> None:
        while True:
            await self._room.wait()
            fetched = await self._consumer.getmany(timeout_ms=1000, max_records=self._max_records)
            for records in fetched.values():
                self._queue.extend(records)
            if self._queue:
                self._arrived.set()
            if len(self._queue) >= self._limit:
                self._room.clear()

    async def take(self, timeout: float) -> Batch:
        """Up to `max_records` records in arrival order, grouped by partition; {} if none came in `timeout`.

        A consumer error is raised here, so it stops the runner as it did when the runner fetched itself.
        """
        if not self._queue:
            self._arrived.clear()
            arrived = asyncio.ensure_future(self._arrived.wait())
            fetching: list[asyncio.Future[Any]] = [self._task] if self._task is not None else []
            await asyncio.wait([arrived, *fetching], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            arrived.cancel()
        if self._task is not None and self._task.done():
            self._task.result()
        if not self._queue:
            return {}
        batch: Batch = {}
        for _ in range(min(self._max_records, len(self._queue))):
            record = self._queue.popleft()
            self._positions.saw(record.topic, record.partition, record.offset)
            batch.setdefault(TopicPartition(record.topic, record.partition), []).append(record)
        self._room.set()
        return batch

    async def rewind(self, batch: Batch) -> None:
        """Read `batch` (and everything after it) again, forgetting what was fetched since."""
        await self.stop()
        # The consumer's position is past the queue too: each partition goes back to its first record
        # not yet committed, in the batch or, for a partition not in it, in the queue.
        first: dict[TopicPartition, int] = {}
        for record in [*(r for records in batch.values() for r in records), *self._queue]:
            first.setdefault(TopicPartition(record.topic, record.partition), record.offset)
        self._queue.clear()
        for tp, offset in first.items():
            self._consumer.seek(tp, offset)
        self._room.set()
        self.start()

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # After a rebalance the consumer resumes from the committed offsets: records queued from before
        # would be read twice.
        self._queue.clear()
        self._positions.forget()
        self._room.set()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


class TransactionalRunner:
    """One exactly-once stage: sources in, outputs and state out, in one transaction per batch."""

    def __init__(
        self,
        name: str,
        *,
        sources: Sequence[str],
        state_topic: str,
        handler: Handler,
        default_port: int,
        settings: ServiceSettings | None = None,
        tick: Tick | None = None,
        tick_interval: float = 0.2,
        max_batch: int = 500,
        output_topics: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.settings = settings or ServiceSettings()
        self.namespace = self.settings.namespace
        self.sources = [self.namespace + s for s in sources]
        self.state_topic = self.namespace + state_topic
        self.group = f"{self.namespace}wiredesk-{name}"
        self.handler = handler
        self.tick = tick
        self.tick_interval = tick_interval
        self.max_batch = max_batch
        self.output_topics = [self._qualified(topic) for topic in output_topics]
        self.port = self.settings.web_port or default_port
        self.state = StateStore()
        self.metrics = StageMetrics(name)
        self.healthy = False
        self._last_loop = 0.0
        self._aborts_in_a_row = 0

    def _alive(self) -> bool:
        # A loop that has not come round for 60 s is stuck, even if the process is alive.
        return self.healthy and time.monotonic() - self._last_loop < 60

    def _qualified(self, topic: str) -> str:
        return self.namespace + topic

    async def run(self) -> None:
        """Serve /metrics and /healthz, load the state, then process until cancelled."""
        aiokafka.producer.sender.BACKOFF_OVERRIDE = CONCURRENT_TRANSACTIONS_RETRY_S
        runner = await serve(health_app(self.name, self._alive), self.settings.web_host, self.port)
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.bootstrap,
            transactional_id=f"{self.group}-tx",
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            # A 4.x broker verifies that a partition joined the transaction before it takes a write
            # (KIP-890) and answers older clients' early writes with a retriable NOT_ENOUGH_REPLICAS;
            # aiokafka's first write of a batch often races its AddPartitionsToTxn, so retry at once.
            retry_backoff_ms=10,
            max_batch_size=MAX_BATCH_BYTES,
            partitioner=partition_for,
        )
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.bootstrap,
            group_id=self.group,
            isolation_level="read_committed",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await producer.start()
        try:
            # The first send to a topic waits for its metadata: looked up now, not under the first stories.
            for topic in [*self.output_topics, self.state_topic]:
                await producer.partitions_for(topic)
            await self._load_state()
            await consumer.start()
            prefetch = Prefetch(
                consumer, max_records=self.max_batch, limit=4 * self.max_batch, positions=self.metrics.positions
            )
            consumer.subscribe(self.sources, listener=prefetch)
            prefetch.start()
            try:
                self.healthy = True
                log.info("running", extra={"sources": self.sources, "state_keys": len(self.state)})
                while True:
                    await self._step(prefetch, producer)
            finally:
                self.healthy = False
                await prefetch.stop()
                await consumer.stop()
        finally:
            await producer.stop()
            await runner.cleanup()

    async def _load_state(self) -> None:
        """Read the compacted state topic to its end (committed records only)."""
        for key, value in (await read_compacted(self.settings.bootstrap, self.state_topic)).items():
            self.state.load(key, value)

    async def _step(self, prefetch: Prefetch, producer: AIOKafkaProducer) -> None:
        self._last_loop = time.monotonic()
        batch = await prefetch.take(self.tick_interval)
        outputs: list[Output] = []
        offsets: dict[TopicPartition, int] = {}
        for tp, records in batch.items():
            for record in records:
                incoming = Incoming(record.value or b"", record.key, record.topic, record.partition, record.offset)
                outputs += self._handle(incoming)
            offsets[tp] = records[-1].offset + 1
        if self.tick is not None:
            outputs += self.tick(utcnow(), self.state)
        changes = self.state.changes()
        if not (outputs or changes or offsets):
            return
        try:
            async with producer.transaction():
                for output in outputs:
                    await self._send(producer, output)
                for key, value in changes.items():
                    await producer.send(self.state_topic, value, key=key.encode())
                if offsets:
                    await producer.send_offsets_to_transaction(offsets, self.group)
        except Exception as exc:
            # Nothing of the batch is visible: forget its state changes and read it again.
            log.exception("transaction aborted; batch will be redone")
            self.state.rollback()
            self._aborts_in_a_row += 1
            if self._aborts_in_a_row >= MAX_ABORTS_IN_A_ROW:
                raise FatalError(f"{self._aborts_in_a_row} transactions aborted in a row; last: {exc!r}") from exc
            await prefetch.rewind(batch)
            await asyncio.sleep(1.0)
            return
        self._aborts_in_a_row = 0
        self.state.commit()
        for output in outputs:
            self.metrics.sent.labels(output.topic).inc()

    def _handle(self, incoming: Incoming) -> list[Output]:
        started = time.perf_counter()
        try:
            outputs = list(self.handler(incoming, self.state))
        except InvalidInput as exc:
            return [self._dead_letter(incoming, exc.code, exc.reason, exc.raw_id)]
        except Exception as exc:  # a bug must not stop the stage: dead-letter it and say so loudly
            log.exception("unexpected error; message dead-lettered", extra={"offset": incoming.offset})
            return [self._dead_letter(incoming, "internal_error", f"{type(exc).__name__}: {exc}", None)]
        finally:
            self.metrics.processing_seconds.observe(time.perf_counter() - started)
        self.metrics.processed.labels("ok" if outputs else "dropped").inc()
        return outputs

    def _dead_letter(self, incoming: Incoming, code: str, reason: str, raw_id: str | None) -> Output:
        self.metrics.dead_lettered.labels(code).inc()
        self.metrics.processed.labels("deadletter").inc()
        log.warning("dead-lettered", extra={"code": code, "reason": reason, "offset": incoming.offset})
        key = incoming.key.decode("utf-8", "replace") if incoming.key is not None else None
        return Output(deadletter_topic(self.name), key, dead_letter_record(self.name, incoming, code, reason, raw_id))

    async def _send(self, producer: AIOKafkaProducer, output: Output) -> None:
        key, value = output.encoded()
        await producer.send(self._qualified(output.topic), value, key=key)
        if output.on_sent is not None:
            output.on_sent()
