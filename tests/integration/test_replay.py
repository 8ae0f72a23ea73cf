"""`wiredesk replay` on the real broker: dead letters go back to the topic they were read from, once.

The second test runs the parse stage itself: a message it dead-letters, replayed unchanged, is read by
the stage again and dead-lettered again behind the first letter, which the replay does not chase.
"""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime

import orjson
import pytest
from click.testing import CliRunner

from cli.main import cli
from cli.supervisor import Supervisor
from shared.kafka.broker import free_port
from shared.models import DeadLetter, RawEnvelope
from shared.topics import RAW, deadletter_topic
from tests.integration.conftest import produce, read_topic

pytestmark = pytest.mark.broker


def _letter(ns: str, code: str, offset: int | None, original: bytes) -> DeadLetter:
    return DeadLetter(
        stage="parse" if offset is not None else "ingest",
        code=code,
        reason=f"{code} for the test",
        source_topic=ns + RAW if offset is not None else "ingest",
        source_partition=0 if offset is not None else None,
        source_offset=offset,
        source_key=f"feed:{offset}".encode() if offset is not None else None,
        original=original,
        failed_at=datetime(2026, 11, 29, tzinfo=UTC),
    )


def _replay(bootstrap: str, ns: str, *args: str) -> tuple[list[dict[str, object]], str]:
    env = {"WIREDESK_BOOTSTRAP": bootstrap, "WIREDESK_NAMESPACE": ns}
    result = CliRunner().invoke(cli, ["replay", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [orjson.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_replay_sends_the_asked_letters_back_with_their_key_and_skips_the_rest(
    pipeline: Supervisor, bootstrap: str
) -> None:
    ns = pipeline.namespace
    letters = [_letter(ns, "xml_syntax", 5, b'{"first": 1}'), _letter(ns, "too_many_stories", 6, b'{"second": 2}')]
    records: list[tuple[str, DeadLetter | bytes]] = [("feed:5", letters[0]), ("feed:6", letters[1])]
    asyncio.run(produce(bootstrap, ns + deadletter_topic("parse"), [*records, ("junk", b"not a dead letter")]))
    asyncio.run(produce(bootstrap, ns + deadletter_topic("ingest"), [("x", _letter(ns, "too_large", None, b"x"))]))

    dry, summary = _replay(bootstrap, ns, "parse", "--dry-run")
    assert [line.get("would_replay_to") for line in dry] == [ns + RAW, ns + RAW, None]
    assert str(dry[2]["skipped"]).startswith("not a dead letter")
    assert summary.strip() == f"would replay 2 of 3 letters on {ns}parse.deadletter.v1"

    lines, summary = _replay(bootstrap, ns, "parse", "--code", "xml_syntax")
    assert lines[0] == {"offset": 0, "code": "xml_syntax", "raw_id": None, "replayed_to": ns + RAW}
    assert lines[1]["skipped"] == "code too_many_stories not asked for"
    assert summary.strip() == f"replayed 1 of 3 letters on {ns}parse.deadletter.v1"
    raw = asyncio.run(read_topic(bootstrap, ns + RAW, expect=1, timeout=10))
    # The dry run sent nothing; the replay sent the one asked for, as it was first read.
    assert [(record["key"], record["value"]) for record in raw] == [("feed:5", {"first": 1})]

    ingest, summary = _replay(bootstrap, ns, "ingest")
    assert ingest[0]["skipped"] == "not read from a topic (ingest): have the feed deliver the item again"
    assert summary.strip() == f"replayed 0 of 1 letters on {ns}ingest.deadletter.v1"


def test_a_replayed_message_is_read_by_the_stage_again(pipeline: Supervisor, bootstrap: str) -> None:
    ns = pipeline.namespace
    pipeline.start("parse", free_port())
    pipeline.wait_healthy(timeout=120)
    broken = RawEnvelope.wrap(b"<nitf><head>", feed="spool", agency="reuters", source_ref="broken.xml")
    asyncio.run(produce(bootstrap, ns + RAW, [(broken.raw_id, broken)]))
    first = asyncio.run(read_topic(bootstrap, ns + deadletter_topic("parse"), expect=1, timeout=60))
    assert [record["value"]["code"] for record in first] == ["xml_syntax"]

    lines, _ = _replay(bootstrap, ns, "parse")
    assert lines == [{"offset": 0, "code": "xml_syntax", "raw_id": broken.raw_id, "replayed_to": ns + RAW}]

    letters = asyncio.run(read_topic(bootstrap, ns + deadletter_topic("parse"), expect=2, timeout=60))
    assert len(letters) == 2
    again = letters[1]["value"]
    # The stage read the replayed record (offset 1 of wire.raw.v1) and refused it for the same reason.
    assert (again["code"], again["source_offset"], again["raw_id"]) == ("xml_syntax", 1, broken.raw_id)
    assert base64.urlsafe_b64decode(again["original"]) == base64.urlsafe_b64decode(first[0]["value"]["original"])
