"""Parse stage shell: `wire.raw.v1` -> `wire.parsed.v1`, unreadable input to `parse.deadletter.v1`."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from services.parse.core import parse_envelope
from shared.errors import ParseError
from shared.models import RawEnvelope
from shared.runtime import Incoming, Output, Stage
from shared.serde import decode
from shared.topics import PARSED, RAW

__all__ = ["stage"]

stage = Stage("parse", source=RAW, default_port=9101)
stories_parsed = Counter("wiredesk_parse_stories_total", "Stories parsed, by format.", ["format"])
messages_repaired = Counter(
    "wiredesk_parse_repaired_total",
    "Messages whose UTF-8, once read as another charset, parse decoded right before reading them; by feed and"
    " that charset.",
    ["feed", "charset"],
)


async def parse_raw(incoming: Incoming) -> Sequence[Output]:
    """Parse one raw message into its stories, keyed by story id."""
    envelope = decode(RawEnvelope, incoming.value)
    try:
        stories = parse_envelope(envelope)
    except ParseError as exc:
        exc.raw_id = envelope.raw_id  # ties the dead-letter record to the delivery ops will replay
        raise
    for story in stories:
        stories_parsed.labels(story.format).inc()
    # Every story of a message carries the same lineage, repairs included.
    if stories[0].lineage is not None:
        for charset in stories[0].lineage.repaired_from:
            messages_repaired.labels(envelope.feed, charset).inc()
    return [Output(PARSED, story.id, story) for story in stories]


stage.process(parse_raw)
app = stage.app
