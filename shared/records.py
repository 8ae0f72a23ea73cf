"""What stage shells pass around, independent of the Kafka client: records in, records out, dead letters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from shared.models import DeadLetter, utcnow
from shared.serde import encode

__all__ = ["Incoming", "Output", "dead_letter_record"]


@dataclass(frozen=True, slots=True)
class Output:
    """One record a handler wants sent: to catalogue topic `topic` (without namespace), keyed by `key`."""

    topic: str
    key: str | None
    value: BaseModel | bytes | None
    on_sent: Callable[[], object] | None = None
    """Called once the record is handed to the producer, so later records of the same key queue behind it."""

    def encoded(self) -> tuple[bytes | None, bytes | None]:
        """The record's key and value as the bytes Kafka carries (models as JSON)."""
        value = self.value if isinstance(self.value, bytes | None) else encode(self.value)
        return (self.key.encode() if self.key is not None else None), value


@dataclass(frozen=True, slots=True)
class Incoming:
    """One consumed record, as a handler sees it."""

    value: bytes
    key: bytes | None
    topic: str
    partition: int
    offset: int


def dead_letter_record(stage: str, incoming: Incoming, code: str, reason: str, raw_id: str | None) -> DeadLetter:
    """The dead-letter record of `incoming`: its original bytes, where it came from, and why it failed."""
    return DeadLetter(
        stage=stage,
        code=code,
        reason=reason,
        source_topic=incoming.topic,
        source_partition=incoming.partition,
        source_offset=incoming.offset,
        source_key=incoming.key,
        original=incoming.value,
        raw_id=raw_id,
        failed_at=utcnow(),
    )
