"""Dedup stage shell: `wire.parsed.v1` -> `wire.unique.v1`, state in RocksDB-backed Faust tables.

Every index the core keeps is a Faust table, so each write also goes to the table's changelog topic and
a restarted or moved worker rebuilds the index from it. Faust tables are partition-local and writable
only while a message is processed, so expiry is a `Stage.every` chore, run at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from prometheus_client import Counter, Histogram

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

index = DedupIndex(
    settings,
    stories=stage.table("stories"),
    hashes=stage.table("hashes"),
    bands=stage.table("bands"),
    held=stage.table("held"),
)


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


stage.every(60, lambda: expired_total.inc(index.expire(utcnow())))
stage.process(dedup_story)
app = stage.app
