"""Read a topic up to the end it had when reading began.

How stages outside Faust rebuild their state at start, and how `wiredesk replay` takes a dead-letter
topic's records without chasing the ones its own replay adds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared.kafka.admin import topic_partitions

__all__ = ["read_compacted", "records_to_end"]


async def records_to_end(bootstrap: str, topic: str) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Every committed record of `topic` below the end offsets it had when reading began.

    Each partition's records come in offset order; the partitions' batches interleave.
    """
    # Asked of the broker, not of a fresh consumer's metadata cache, which may not know the topic yet.
    tps = [TopicPartition(topic, p) for p in await topic_partitions(bootstrap, topic)]
    if not tps:
        return
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, isolation_level="read_committed", enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        while await _behind(consumer, tps, ends):
            batch = await consumer.getmany(*tps, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield record
    finally:
        await consumer.stop()


async def read_compacted(bootstrap: str, topic: str) -> dict[str, bytes | None]:
    """The latest committed value of every key of `topic` (None for a tombstone), in offset order."""
    latest: dict[str, bytes | None] = {}
    async for record in records_to_end(bootstrap, topic):
        if record.key is not None:
            latest[record.key.decode()] = record.value
    return latest


async def _behind(consumer: AIOKafkaConsumer, tps: list[TopicPartition], ends: dict[TopicPartition, int]) -> bool:
    for tp in tps:
        if await consumer.position(tp) < ends[tp]:
            return True
    return False
