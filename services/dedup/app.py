"""Dedup stage shell: `wire.parsed.v1` -> `wire.unique.v1`, state in one RocksDB-backed Faust table.

The durable records (a chain head per story, a decision per delivery, held kills) live in the `state`
table, whose changelog a restarted or moved worker recovers; about two writes per story. The copy map,
LSH buckets and expiry queue are derived from it in memory and rebuilt after every recovery. Faust tables
are writable only while a message is processed, so expiry is a `Stage.every` chore, run at most once a
minute.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from prometheus_client import Counter, Gauge, Histogram

from services.dedup.config import DedupSettings
from services.dedup.core import DedupIndex
from shared.models import Story, utcnow
from shared.runtime import Incoming, Output, Stage
from shared.serde import decode
from shared.topics import PARSED, UNIQUE

__all__ = ["stage"]

stage = Stage("dedup", source=PARSED, default_port=9102, stateful=True)
settings = DedupSettings()

outcomes = Counter("wiredesk_dedup_decisions_total", "Dedup decisions, by outcome.", ["outcome"])
near_scores = Histogram(
    "wiredesk_dedup_near_duplicate_score",
    "Estimated Jaccard of near-duplicates found.",
    buckets=(0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0),
)
lookup_seconds = Histogram("wiredesk_dedup_lookup_seconds", "Time of one index decision.")
expired_total = Counter("wiredesk_dedup_expired_total", "Index entries expired with the window.")
recovered_gauge = Gauge("wiredesk_dedup_heads_recovered", "Story chains found in the state at the last recovery.")
indexed_gauge = Gauge("wiredesk_dedup_indexed_stories", "Stories in the LSH index (possible originals).")
held_gauge = Gauge("wiredesk_dedup_held_kills", "Kills waiting for a story that has not arrived.")


def _rebuild() -> None:
    recovered_gauge.set(index.rebuild(utcnow()))
    _observe_sizes()


def _observe_sizes() -> None:
    sizes = index.sizes()
    indexed_gauge.set(sizes.indexed)
    held_gauge.set(sizes.held_kills)


def _expire() -> None:
    expired_total.inc(index.expire(utcnow()))
    _observe_sizes()


index = DedupIndex(settings, state=stage.table("state", on_recover=_rebuild))


async def dedup_story(incoming: Incoming) -> Sequence[Output]:
    """Decide one story; send what the decision releases, keyed by story id."""
    story = decode(Story, incoming.value)
    now = utcnow()
    started = time.perf_counter()
    decision = index.decide(story, now)
    lookup_seconds.observe(time.perf_counter() - started)
    outcomes.labels(decision.outcome).inc()
    if decision.outcome == "near_duplicate" and decision.score is not None:
        near_scores.observe(decision.score)
    return [Output(UNIQUE, emitted.id, emitted) for emitted in decision.emit]


stage.every(60, _expire)
stage.process(dedup_story)
app = stage.app
