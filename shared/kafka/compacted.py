"""Read a compacted topic to its end: how stages outside Faust rebuild their state at start."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.kafka.admin import topic_partitions

__all__ = ["read_compacted"]


async def read_compacted(bootstrap: str, topic: str) -> dict[str, bytes | None]:
    """The latest committed value of every key of `topic` (None for a tombstone), in offset order."""
    # Asked of the broker, not of a fresh consumer's metadata cache, which may not know the topic yet.
    tps = [TopicPartition(topic, p) for p in await topic_partitions(bootstrap, topic)]
    latest: dict[str, bytes | None] = {}
    if not tps:
        return latest
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
            for records in batch.values():
                for record in records:
                    if record.key is not None:
                        latest[record.key.decode()] = record.value
        return latest
    finally:
        await consumer.stop()


async def _behind(consumer: AIOKafkaConsumer, tps: list[TopicPartition], ends: dict[TopicPartition, int]) -> bool:
    for tp in tps:
        if await consumer.position(tp) < ends[tp]:
            return True
    return False
