"""Which dead letters `wiredesk replay` sends back, and which it leaves, with the reason it says."""

from __future__ import annotations

from datetime import UTC, datetime

from cli.commands.replay import skip_reason
from shared.models import DeadLetter


def _letter(code: str, *, offset: int | None = 7, topic: str = "wire.raw.v1") -> DeadLetter:
    return DeadLetter(
        stage="parse",
        code=code,
        reason="NITF: not well-formed XML",
        source_topic=topic,
        source_partition=0 if offset is not None else None,
        source_offset=offset,
        original=b"{}",
        failed_at=datetime(2026, 11, 29, tzinfo=UTC),
    )


def test_every_letter_read_from_a_topic_goes_back_when_no_code_is_named() -> None:
    assert skip_reason(_letter("xml_syntax"), ()) is None
    assert skip_reason(_letter("parse_error"), ()) is None


def test_only_the_named_codes_go_back() -> None:
    assert skip_reason(_letter("xml_syntax"), ("xml_syntax", "xml_depth")) is None
    assert skip_reason(_letter("parse_error"), ("xml_syntax",)) == "code parse_error not asked for"


def test_a_letter_no_topic_held_stays_and_says_who_can_send_it_again() -> None:
    ingest = _letter("too_large", offset=None, topic="ingest")
    assert skip_reason(ingest, ()) == "not read from a topic (ingest): have the feed deliver the item again"
