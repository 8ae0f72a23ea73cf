"""What every connector is given (publish, dead-letter, checkpoints) and the statistics it keeps.

Connectors never see Kafka: the app hands each one an async `publish` that returns only after Kafka
acknowledged the record (the spool: `publish_batch`, the same for many records at once), a `dead_letter`
for bytes that can never become an envelope, and a `MutableMapping[str, str]` of JSON checkpoints (backed
by a compacted topic in the app, a dict in tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from shared.models import RawEnvelope, utcnow

__all__ = [
    "IN_FLIGHT",
    "Checkpoints",
    "DeadLetterFn",
    "FeedStats",
    "PublishBatchFn",
    "PublishFn",
    "poll_forever",
    "send_in_flight",
    "wait_or_stop",
]

log = logging.getLogger(__name__)

PublishFn = Callable[[RawEnvelope], Awaitable[None]]
"""Send one envelope; returns only once Kafka acknowledged it, raises when it did not."""

PublishBatchFn = Callable[[Sequence[RawEnvelope]], Awaitable[None]]
"""Send envelopes together; returns only once Kafka acknowledged every one, raises when any was not.
Concurrent calls are written in the order they were made.

For a backlog of small items (a spool pass): a record batch per call instead of a send, a future and an
ack callback per item. After a failure some of them may have been written: sending them again repeats
them under the same raw_id, never loses one.
"""

DeadLetterFn = Callable[[bytes, str, str], Awaitable[None]]
"""Record bytes that cannot be published as an item: (original bytes, machine code, reason)."""

Checkpoints = MutableMapping[str, str]
"""Checkpoint store: key per feed, value a JSON string."""

_LATENCY_SAMPLES = 256
IN_FLIGHT = 256
"""Sends awaiting their ack at once: enough to fill the producer's batches, few enough to bound memory."""

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class FeedStats:
    """Counters one feed's connector updates; the app turns them into Prometheus metrics."""

    feed: str
    items: int = 0
    bytes: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    last_success_at: datetime | None = None
    fetch_seconds: deque[float] = field(default_factory=lambda: deque(maxlen=_LATENCY_SAMPLES))
    cursor_lag: float | None = None
    """Items (or seconds, as the API reports it) the feed still holds behind our cursor."""

    def published(self, envelope: RawEnvelope) -> None:
        """Count one item handed to Kafka."""
        self.items += 1
        self.bytes += len(envelope.payload)

    def error(self, kind: str) -> None:
        """Count one failure of `kind` (timeout, http_500, throttled, bad_body, ...)."""
        self.errors[kind] += 1

    def fetched(self, started: float) -> None:
        """Record a successful fetch that began at `started` (a `time.perf_counter()` value)."""
        self.fetch_seconds.append(time.perf_counter() - started)
        self.last_success_at = utcnow()


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, waking early when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def poll_forever(
    poll_once: Callable[[], Awaitable[int]],
    stop: asyncio.Event,
    interval: float,
    stats: FeedStats,
    *,
    busy_wait: bool = False,
    error_pause: float | None = None,
) -> None:
    """Call `poll_once` until `stop`: again at once after a busy poll (unless `busy_wait`), else after `interval`.

    A failing poll (the publish raised, the API stayed down past its retries) is logged and counted and
    the poll starts over from the last checkpoint after `error_pause` (default `interval`): nothing
    that was not acknowledged was checkpointed, so nothing is lost.
    """
    while not stop.is_set():
        try:
            busy = await poll_once() > 0
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the loop must outlive any one bad poll; the cause is logged
            stats.error("poll_failed")
            log.warning("feed %s: poll failed: %s: %s", stats.feed, type(exc).__name__, exc)
            await wait_or_stop(stop, interval if error_pause is None else error_pause)
            continue
        if busy_wait or not busy:
            await wait_or_stop(stop, interval)
        else:
            await asyncio.sleep(0)


async def send_in_flight(items: Sequence[T], send: Callable[[T], Awaitable[R]], *, limit: int = IN_FLIGHT) -> list[R]:
    """`send` every item, up to `limit` awaiting their ack at once; the results in item order.

    Awaiting each ack before the next send costs a broker round trip per item; sends in flight together
    share produce requests. Returns only when every send returned, so a caller that saves a cursor or
    archives after this call does so only for acknowledged items. When a send fails, items not yet
    started are left unsent, the ones in flight are waited for, and the first failure is raised.
    """
    results: dict[int, R] = {}
    failures: list[Exception] = []
    queue = iter(enumerate(items))  # shared by the workers: each item is taken by exactly one

    # `limit` workers taking items in order, rather than a task per item: a spool pass holds thousands of
    # files, and a task and a semaphore wait per file cost more than reading the file (profiled).
    async def worker() -> None:
        for index, item in queue:
            if failures:
                return
            try:
                results[index] = await send(item)
            except Exception as exc:  # handed to the caller once the sends in flight are done
                failures.append(exc)
                return

    await asyncio.gather(*(worker() for _ in range(min(limit, len(items)))))
    if failures:
        raise failures[0]
    return [results[index] for index in range(len(items))]
