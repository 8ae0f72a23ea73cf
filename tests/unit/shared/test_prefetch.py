"""The exactly-once runner's prefetch queue: batches in order, bounded, and rewound to the first uncommitted record.

The consumer here is a stand-in that hands out prepared fetches and records seeks; the runner on a real
broker, killed mid-stream, is tests/integration/test_txrunner.py.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import OffsetOutOfRangeError
from prometheus_client import CollectorRegistry, Counter

from shared.metrics import SourcePositions
from shared.txrunner import Prefetch

A, B = TopicPartition("wire.clustered.v1", 0), TopicPartition("events.v1", 0)


def _record(tp: TopicPartition, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(tp.topic, tp.partition, offset, 0, 0, b"k", b"v", None, 1, 1, [])


class _Consumer:
    def __init__(self, fetches: list[dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]]) -> None:
        self.fetches = deque(fetches)
        self.seeks: list[tuple[TopicPartition, int]] = []
        self.fetch_calls = 0

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, Any]:
        self.fetch_calls += 1
        if self.fetches:
            return self.fetches.popleft()
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append((tp, offset))


def _prefetch(consumer: _Consumer, *, max_records: int, limit: int) -> tuple[Prefetch, Callable[[], float | None]]:
    """A prefetch over `consumer`, and a reading of its count of records passed over."""
    registry = CollectorRegistry()
    positions = SourcePositions(Counter("skipped_records", "Records passed over.", registry=registry))
    prefetch = Prefetch(consumer, max_records=max_records, limit=limit, positions=positions)
    return prefetch, lambda: registry.get_sample_value("skipped_records_total")


def _offsets(batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> dict[TopicPartition, list[int]]:
    return {tp: [record.offset for record in records] for tp, records in batch.items()}


def test_batches_keep_arrival_order_per_partition_and_the_rewind_covers_the_queue() -> None:
    async def scenario() -> tuple[Any, ...]:
        consumer = _Consumer(
            [
                {A: [_record(A, 10), _record(A, 11)], B: [_record(B, 5)]},
                {A: [_record(A, 12)], B: [_record(B, 6), _record(B, 7)]},
            ]
        )
        prefetch, _ = _prefetch(consumer, max_records=4, limit=100)
        prefetch.start()
        await asyncio.sleep(0.05)  # both fetches taken off the consumer
        first = await prefetch.take(timeout=1)
        await prefetch.rewind(first)  # the transaction of `first` failed
        await prefetch.stop()
        return first, consumer.seeks

    first, seeks = asyncio.run(scenario())
    assert _offsets(first) == {A: [10, 11, 12], B: [5]}
    # A goes back to the batch's first record; B to its first too, and the queued 6 and 7 are read again.
    assert sorted(seeks, key=str) == sorted([(A, 10), (B, 5)], key=str)


def test_a_partition_only_in_the_queue_is_rewound_to_its_first_queued_record() -> None:
    async def scenario() -> list[tuple[TopicPartition, int]]:
        consumer = _Consumer([{A: [_record(A, 1), _record(A, 2)]}, {B: [_record(B, 40)]}])
        prefetch, _ = _prefetch(consumer, max_records=2, limit=100)
        prefetch.start()
        await asyncio.sleep(0.05)
        batch = await prefetch.take(timeout=1)
        assert _offsets(batch) == {A: [1, 2]}
        await prefetch.rewind(batch)
        await prefetch.stop()
        return consumer.seeks

    assert sorted(asyncio.run(scenario()), key=str) == sorted([(A, 1), (B, 40)], key=str)


def test_the_queue_is_bounded_and_take_waits_only_its_timeout() -> None:
    async def scenario() -> tuple[int, int, dict[TopicPartition, Any]]:
        consumer = _Consumer([{A: [_record(A, n)]} for n in range(10)])
        prefetch, _ = _prefetch(consumer, max_records=1, limit=3)
        prefetch.start()
        await asyncio.sleep(0.05)
        stalled_at = consumer.fetch_calls  # it stops fetching once 3 records wait
        await prefetch.take(timeout=1)
        await asyncio.sleep(0.05)
        resumed_at = consumer.fetch_calls
        while await prefetch.take(timeout=0.05):
            pass
        empty = await prefetch.take(timeout=0.05)
        await prefetch.stop()
        return stalled_at, resumed_at, empty

    stalled_at, resumed_at, empty = asyncio.run(scenario())
    assert stalled_at == 3 and resumed_at == 4 and empty == {}


def test_a_consumer_error_reaches_the_runner() -> None:
    class _Broken(_Consumer):
        async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, Any]:
            raise OffsetOutOfRangeError({A: 3})

    async def scenario() -> None:
        prefetch, _ = _prefetch(_Broken([]), max_records=1, limit=3)
        prefetch.start()
        try:
            await prefetch.take(timeout=5)
        finally:
            await prefetch.stop()

    started = time.monotonic()
    with pytest.raises(OffsetOutOfRangeError):
        asyncio.run(scenario())
    assert time.monotonic() - started < 4  # raised when it happened, not after the take's timeout


def test_records_the_consumer_passes_over_are_counted_and_a_rewind_or_rebalance_is_not() -> None:
    async def scenario() -> list[float | None]:
        consumer = _Consumer([{A: [_record(A, 10), _record(A, 11), _record(A, 14)]}, {A: [_record(A, 15)]}])
        prefetch, skipped = _prefetch(consumer, max_records=3, limit=100)
        counts = []
        prefetch.start()
        await asyncio.sleep(0.05)
        batch = await prefetch.take(timeout=1)
        counts.append(skipped())  # 12 and 13 never reached the runner
        await prefetch.rewind(batch)  # back to 10: read again, not a loss
        consumer.fetches.extend([{A: [_record(A, 10)]}, {B: [_record(B, 3)]}])
        await asyncio.sleep(0.05)
        while await prefetch.take(timeout=0.05):
            pass
        counts.append(skipped())
        await prefetch.on_partitions_revoked([A])  # the partition may come back where another worker left it
        consumer.fetches.append({A: [_record(A, 90)]})
        await asyncio.sleep(0.05)
        await prefetch.take(timeout=1)
        counts.append(skipped())
        await prefetch.stop()
        return counts

    assert asyncio.run(scenario()) == [2, 2, 2]
