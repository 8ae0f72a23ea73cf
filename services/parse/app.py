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
    return [Output(PARSED, story.id, story) for story in stories]


stage.process(parse_raw)
app = stage.app
