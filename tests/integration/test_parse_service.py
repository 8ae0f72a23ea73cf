"""The parse service on the real broker: mis-decoded copy comes out repaired, says so, and is counted."""

from __future__ import annotations

import asyncio

import pytest

from cli.supervisor import Supervisor
from shared.kafka.broker import free_port
from shared.models import RawEnvelope
from shared.topics import PARSED, RAW
from tests.integration.conftest import produce, read_topic, sample, scrape

pytestmark = pytest.mark.broker


def test_mis_decoded_copy_is_published_repaired_and_counted_per_feed(pipeline: Supervisor, bootstrap: str) -> None:
    ns, port = pipeline.namespace, free_port()
    pipeline.start("parse", port)
    pipeline.wait_healthy(timeout=120)
    # Web copy: a headline, then the body; the first as a system that read its UTF-8 as Windows-1252 sent it.
    mis_decoded = RawEnvelope.wrap(
        "Desk notes\n\nCopy from the worldâ€™s desk.\n".encode(), feed="prwire", agency="bw", source_ref="a.txt"
    )
    as_sent = RawEnvelope.wrap(
        "Desk notes\n\nCopy from the world’s desk.\n".encode(), feed="prwire", agency="bw", source_ref="b.txt"
    )
    asyncio.run(produce(bootstrap, ns + RAW, [(e.raw_id, e) for e in (mis_decoded, as_sent)]))

    parsed = [record["value"] for record in asyncio.run(read_topic(bootstrap, ns + PARSED, expect=2, timeout=60))]
    assert [story["body_text"] for story in parsed] == ["Copy from the world’s desk."] * 2
    assert [story["lineage"]["raw_id"] for story in parsed] == [mis_decoded.raw_id, as_sent.raw_id]
    assert [story["lineage"]["repaired_from"] for story in parsed] == [["cp1252"], []]
    metrics = scrape(f"http://127.0.0.1:{port}/metrics")
    assert sample(metrics, "wiredesk_parse_repaired_total", feed="prwire", charset="cp1252") == 1.0
