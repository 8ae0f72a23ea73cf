"""Read a topic's records as JSON-able dicts: for `wiredesk tail`, tests and benchmarks."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer

__all__ = ["record_to_json", "tail"]


def record_to_json(
    topic: str, partition: int, offset: int, timestamp_ms: int, key: bytes | None, value: bytes | None
) -> dict[str, Any]:
    """One record: its position, its timestamp (ms), key, and value as JSON when it is JSON, else as base64."""
    decoded: Any
    try:
        decoded = orjson.loads(value) if value is not None else None
    except orjson.JSONDecodeError:
        decoded = {"base64": base64.b64encode(value or b"").decode()}
    return {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "timestamp_ms": timestamp_ms,
        "key": key.decode("utf-8", "replace") if key is not None else None,
        "value": decoded,
    }


async def tail(
    bootstrap: str,
    topic: str,
    *,
    from_beginning: bool = False,
    max_records: int | None = None,
    timeout: float | None = None,
    isolation_level: str = "read_committed",
) -> AsyncIterator[dict[str, Any]]:
    """Yield records of `topic` until `max_records` were read or `timeout` seconds pass without one.

    Uses a throwaway consumer group and commits nothing: tailing never moves a stage's offsets.
    """
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        client_id=f"wiredesk-tail-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        isolation_level=isolation_level,
    )
    await consumer.start()
    try:
        count = 0
        while max_records is None or count < max_records:
            batch = await consumer.getmany(timeout_ms=int((timeout or 3600) * 1000))
            if not batch:
                return
            for records in batch.values():
                for record in records:
                    yield record_to_json(
                        record.topic, record.partition, record.offset, record.timestamp, record.key, record.value
                    )
                    count += 1
                    if max_records is not None and count >= max_records:
                        return
    finally:
        await consumer.stop()
