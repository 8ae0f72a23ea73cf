"""Merge stage shell: `wire.enriched.v1` -> `wire.clustered.v1` (stories) and `events.v1` (event changes).

Events live in a RocksDB-backed Faust table with a changelog; the inverted index and the story -> event map
are derived from them in memory and rebuilt after every recovery.
Tables are writable only while a message is processed, so closing quiet events is a `Stage.every` chore,
run at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from prometheus_client import Counter, Gauge, Histogram

from services.merge.cluster import EventIndex
from services.merge.config import MergeSettings
from shared.models import Story, utcnow
from shared.runtime import Incoming, Output, Stage
from shared.serde import decode
from shared.topics import CLUSTERED, ENRICHED, EVENTS

__all__ = ["stage"]

stage = Stage("merge", source=ENRICHED, default_port=9104, stateful=True)

decisions = Counter("wiredesk_merge_decisions_total", "Stories assigned, by outcome.", ["outcome"])
members_per_event = Histogram(
    "wiredesk_merge_event_members", "Members of an event when it changes.", buckets=(1, 2, 3, 4, 5, 8, 13, 21)
)
decision_seconds = Histogram("wiredesk_merge_decision_seconds", "Time of one clustering decision.")
recovered_gauge = Gauge("wiredesk_merge_events_recovered", "Open events indexed at the last table recovery.")
closed_total = Counter("wiredesk_merge_events_closed_total", "Events closed after their quiet period.")
open_events = Gauge("wiredesk_merge_open_events", "Open events in the index (updated each minute).")
index_keys = Gauge("wiredesk_merge_index_keys", "Keys of the in-memory inverted index (updated each minute).")


# Only events are durable (one write per story); the rest is derived from them whenever the table is recovered.
def _rebuild() -> None:
    recovered_gauge.set(index.rebuild())


index = EventIndex(
    MergeSettings(),
    events=stage.table("events", on_recover=_rebuild),
    postings={},
    story_events={},
)


async def merge_story(incoming: Incoming) -> Sequence[Output]:
    """Assign one story to its event; send the story and, when it changed, the event."""
    story = decode(Story, incoming.value)
    now = utcnow()
    started = time.perf_counter()
    assignment = index.assign(story, now)
    decision_seconds.observe(time.perf_counter() - started)
    decisions.labels(assignment.outcome).inc()
    outputs = [Output(CLUSTERED, assignment.story.id, assignment.story)]
    if assignment.event is not None:
        members_per_event.observe(len(assignment.event.members))
        outputs.append(Output(EVENTS, assignment.event.event_id, assignment.event))
    elif assignment.outcome == "unchanged" and assignment.story.event_id is not None:
        # A replay after a crash may find the event already stored but never sent: send it as it stands.
        # Otherwise it is a repeat of a version consumers have, which publish drops.
        outputs.append(Output(EVENTS, assignment.story.event_id, index.event(assignment.story.event_id)))
    return outputs


def _close_quiet() -> None:
    closed_total.inc(index.close_quiet(utcnow()))
    open_events.set(len(index.events))
    index_keys.set(len(index.postings))


stage.every(60, _close_quiet)
stage.process(merge_story)
app = stage.app
