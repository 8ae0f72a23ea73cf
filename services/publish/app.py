"""Publish stage shell: stories and events in, IPTC ninjs out on every routed topic, exactly once.

Runs on `shared.txrunner` (aiokafka transactions) instead of a Faust agent: each batch's documents, the
stage's state (what was published where, embargo holds) and the consumed offsets commit together, so a
crash at any point yields no duplicate and no loss for read_committed consumers.

State keys in `publish.state.v1`:
    published:<story id>   {"version", "digest", "topics"}: the last version sent, and every topic it ever went to
    event:<event id>       the last event version published as a package
    <EmbargoHold keys>     stories held until their embargo lifts (see services.publish.embargo)
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from services.publish.config import PublishSettings
from services.publish.embargo import EMBARGO_PREFIX, EmbargoHold
from services.publish.ninjs import NINJS_VERSIONS, NinjsVersion, render_event, render_ninjs, validate_ninjs
from services.publish.routing import kill_topics, load_rules, route
from shared.errors import InvalidInput
from shared.logs import configure_logging
from shared.models import Event, Story, utcnow
from shared.records import Incoming, Output
from shared.serde import decode, dumps
from shared.settings import ServiceSettings
from shared.topics import CLUSTERED, EVENTS, PUBLISH_STATE, deadletter_topic
from shared.txrunner import StateStore, TransactionalRunner

__all__ = ["Publisher", "main"]

DEFAULT_PORT = 9105
PUBLISHED_PREFIX = "published:"
log = logging.getLogger("wiredesk.publish")
EVENT_PREFIX = "event:"

latency = Histogram(
    "wiredesk_publish_receipt_to_publish_seconds",
    "Time from ingest receiving an item to its ninjs being published.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600),
)
published_total = Counter("wiredesk_publish_documents_total", "ninjs documents published, by topic.", ["topic"])
kills_total = Counter("wiredesk_publish_kills_total", "Kills delivered (documents with pubstatus canceled).")
skipped_total = Counter("wiredesk_publish_skipped_total", "Inputs not published, by reason.", ["reason"])
schema_checked = Counter(
    "wiredesk_publish_schema_checked_total", "Documents checked against the official ninjs schema.", ["version"]
)
schema_invalid = Counter(
    "wiredesk_publish_schema_invalid_total", "Checked documents the official ninjs schema rejects.", ["version"]
)
held_gauge = Gauge("wiredesk_publish_embargo_held", "Stories held for an embargo.")
next_release = Gauge("wiredesk_publish_embargo_next_release_timestamp_seconds", "Unix time of the next release.")


_NOTHING_HELD = datetime.max.replace(tzinfo=UTC)


def _digest(document: bytes, story: Story) -> str:
    # What a reader sees is what counts: the ninjs 3.1 document (not lineage, which differs between
    # deliveries of the same copy), and the event the story is in.
    return hashlib.sha256(document + (story.event_id or "").encode()).hexdigest()[:32]


class Publisher:
    """The publish decisions: pure apart from the state store and clock it is handed."""

    def __init__(self, settings: PublishSettings) -> None:
        self.settings = settings
        self.rules = load_rules(settings.routing_file)
        self._next_due: datetime | None = None  # None: not known yet (after a start)
        self._rendered = 0
        self._check_every = settings.check_every
        if self._check_every:
            try:
                # Compiling a schema takes a quarter of a second: at start, not under the hundredth story.
                for version in NINJS_VERSIONS:
                    validate_ninjs({}, version, settings.schema_dir)
            except InvalidInput as exc:
                log.warning("ninjs schema check off: schemas not found", extra={"reason": exc.reason})
                self._check_every = 0

    def handle(self, incoming: Incoming, state: StateStore) -> list[Output]:
        """Outputs for one story or event record."""
        if incoming.topic.endswith(EVENTS):
            return self.publish_event(decode(Event, incoming.value), state)
        story = decode(Story, incoming.value)
        now = utcnow()
        hold = EmbargoHold(state.section(EMBARGO_PREFIX))
        if hold.hold(story, now):
            self._gauges(hold)
            skipped_total.labels("embargo_held").inc()
            return []
        return self.publish_story(story, state, now)

    def tick(self, now: datetime, state: StateStore) -> list[Output]:
        """Release every held story whose embargo has lifted."""
        # Looking through the hold costs a pass over every held story, so only when something may be due.
        if self._next_due is not None and self._next_due > now:
            return []
        hold = EmbargoHold(state.section(EMBARGO_PREFIX))
        outputs: list[Output] = []
        for story in hold.due(now):
            outputs += self.publish_story(story, state, now)
        self._gauges(hold)
        return outputs

    def publish_story(self, story: Story, state: MutableMapping[str, Any], now: datetime) -> list[Output]:
        """The ninjs documents of `story` on every topic it routes to (for a kill: every topic it ever went to)."""
        key = PUBLISHED_PREFIX + story.id
        previous = state.get(key)
        rendered: dict[NinjsVersion, bytes] = {"3.1": self._render(story, "3.1")}
        digest = _digest(rendered["3.1"], story)
        if previous is not None:
            if story.version < previous["version"]:
                skipped_total.labels("stale_version").inc()
                return []
            if story.version == previous["version"] and digest == previous["digest"]:
                skipped_total.labels("duplicate").inc()
                return []
        topics = route(story, self.rules)
        if story.pubstatus == "canceled":
            topics = kill_topics(previous["topics"] if previous else [], topics)
            kills_total.inc()
        state[key] = {
            "version": story.version,
            "digest": digest,
            "topics": sorted(set(topics) | set(previous["topics"] if previous else [])),
        }
        if story.lineage is not None:
            latency.observe(max(0.0, (now - story.lineage.received_at).total_seconds()))
        return self._documents(story.id, story, topics, rendered)

    def publish_event(self, event: Event, state: MutableMapping[str, Any]) -> list[Output]:
        """An event as a ninjs package on the published and latest topics, once it has two agencies.

        A one-agency event is just its story, already published; once a package went out, every later
        change of it (a member killed, all killed) goes out too.
        """
        key = EVENT_PREFIX + event.event_id
        agencies = {m.agency for m in event.members if not m.canceled}
        previous = state.get(key)
        if (previous is None and len(agencies) < 2) or (previous is not None and event.version <= previous):
            skipped_total.labels("event_single_agency" if previous is None else "event_stale").inc()
            return []
        state[key] = event.version
        document = self._checked(render_event(event), "3.1")
        return [Output(topic, f"event:{event.event_id}", document) for topic in self.settings.event_topics]

    def _documents(
        self, key: str, story: Story, topics: list[str], rendered: dict[NinjsVersion, bytes]
    ) -> list[Output]:
        outputs = []
        for topic in topics:
            version: NinjsVersion = "2.1" if topic in self.settings.ninjs2_topics else "3.1"
            if version not in rendered:
                rendered[version] = self._render(story, version)
            outputs.append(Output(topic, key, rendered[version]))
            published_total.labels(topic).inc()
        return outputs

    def _render(self, story: Story, version: NinjsVersion) -> bytes:
        return self._checked(render_ninjs(story, version=version), version)

    def _checked(self, document: dict[str, Any], version: NinjsVersion) -> bytes:
        # A full check costs about a millisecond, as much as the rest of publishing; a sample catches a
        # renderer that drifted from the schema. A failing document still goes out: a story a newsroom
        # cannot read perfectly is better than one it never gets, and the counter is what ops alert on.
        self._rendered += 1
        if self._check_every and self._rendered % self._check_every == 0:
            schema_checked.labels(version).inc()
            errors = validate_ninjs(document, version, self.settings.schema_dir)
            if errors:
                schema_invalid.labels(version).inc()
                log.error("ninjs document fails its schema", extra={"uri": document.get("uri"), "errors": errors[:5]})
        return dumps(document)

    def _gauges(self, hold: EmbargoHold) -> None:
        upcoming = hold.next_release()
        self._next_due = upcoming or _NOTHING_HELD
        held_gauge.set(hold.size())
        next_release.set(upcoming.timestamp() if upcoming else 0)


def main() -> None:
    """Entry point of `python -m services.publish`."""
    settings = ServiceSettings()
    configure_logging("publish", settings.log_level)
    publisher = Publisher(PublishSettings())
    runner = TransactionalRunner(
        "publish",
        sources=[CLUSTERED, EVENTS],
        state_topic=PUBLISH_STATE,
        handler=publisher.handle,
        tick=publisher.tick,
        default_port=DEFAULT_PORT,
        settings=settings,
        output_topics=[*publisher.rules.topics(), *publisher.settings.event_topics, deadletter_topic("publish")],
    )
    asyncio.run(runner.run())
