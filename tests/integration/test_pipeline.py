"""One story all the way: a wire file dropped into the spool comes out as ninjs on stories.published.v1."""

from __future__ import annotations

import asyncio
import base64
import shutil
from pathlib import Path

import pytest

from cli.supervisor import STAGES, Supervisor
from tests.integration.conftest import read_topic

pytestmark = pytest.mark.broker

E2E = Path(__file__).resolve().parents[1] / "fixtures" / "e2e"
HEADLINE = "Dock workers strike shuts Rotterdam container terminals"


def _drop(spool: Path, fixture: str, name: str | None = None) -> None:
    """Drop a fixture into the spool the way an FTP client would: a temporary name, then a rename."""
    spool.mkdir(parents=True, exist_ok=True)
    target = spool / (name or fixture)
    temporary = target.with_name(target.name + ".tmp")
    shutil.copyfile(E2E / fixture, temporary)
    temporary.rename(target)


def _start_all(pipeline: Supervisor) -> None:
    for offset, name in enumerate(STAGES):
        pipeline.start(name, 19100 + offset)
    pipeline.wait_healthy(timeout=120)


def _headline(record: dict) -> str:
    headlines = record["value"].get("headlines") or [{}]
    return str(headlines[0].get("value", ""))


def test_dropped_file_is_published_once_as_ninjs_and_bad_file_is_dead_lettered(
    pipeline: Supervisor, bootstrap: str, tmp_path: Path
) -> None:
    _start_all(pipeline)
    spool = tmp_path / "spool"
    ns = pipeline.namespace

    _drop(spool, "reuters_nitf_port_strike.xml")
    published = asyncio.run(read_topic(bootstrap, ns + "stories.published.v1", expect=1, timeout=90))
    assert len(published) == 1
    document = published[0]["value"]
    assert _headline(published[0]) == HEADLINE
    body = document["bodies"][0]["value"]
    assert body.startswith("ROTTERDAM, Nov 28 (Reuters) - Dock workers at Europe's largest port walked out")
    assert "14 container ships were waiting at anchor" in body
    assert published[0]["key"] == "reuters:RTR-2026-11-28-ROTTERDAM-STRIKE"

    # The same file again (an FTP re-send under another name) and a broken file, then a good one.
    _drop(spool, "reuters_nitf_port_strike.xml", "resend-of-strike.xml")
    _drop(spool, "broken_truncated.xml")
    _drop(spool, "ap_nitf_ferry_rescue.xml")
    later = asyncio.run(read_topic(bootstrap, ns + "stories.published.v1", expect=2, timeout=90))
    assert [_headline(r) for r in later] == [HEADLINE, "Coast guard rescues 31 from burning ferry off Crete"]

    dead = asyncio.run(read_topic(bootstrap, ns + "parse.deadletter.v1", expect=1, timeout=30))
    assert len(dead) == 1
    record = dead[0]["value"]
    assert record["stage"] == "parse"
    assert record["code"] == "xml_syntax"
    assert record["reason"].startswith("NITF: not well-formed XML")
    raw = base64.urlsafe_b64decode(record["original"])
    assert (
        base64.urlsafe_b64decode(__import__("orjson").loads(raw)["payload"])
        == (E2E / "broken_truncated.xml").read_bytes()
    )
