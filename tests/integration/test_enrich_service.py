"""The enrich service alone on the real broker with the es->en route on Debian's real Apertium APy:
a Spanish story goes downstream at once (pending), then again translated (same id and version, done)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from cli.supervisor import Supervisor
from shared.kafka.broker import free_port
from shared.models import Story
from shared.serde import encode
from shared.topics import ENRICHED, UNIQUE
from tests.integration.conftest import read_topic
from tests.integration.test_apertium import SPANISH, apy_url

pytestmark = pytest.mark.broker

__all__ = ["apy_url"]  # the real-APy fixture, shared with the Apertium backend test


async def _produce(bootstrap: str, topic: str, story: Story) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, encode(story), key=story.id.encode())
    finally:
        await producer.stop()


def test_spanish_story_goes_out_pending_then_translated_by_apertium(
    pipeline: Supervisor, bootstrap: str, apy_url: str
) -> None:
    env = {"WIREDESK_ENRICH_TRANSLATION_ROUTES": "es-en=apertium", "WIREDESK_ENRICH_APERTIUM_URL": apy_url}
    pipeline.start("enrich", free_port(), extra_env=env)
    pipeline.wait_healthy(timeout=120)
    ns = pipeline.namespace
    story = SPANISH.model_copy(update={"version": 2})
    asyncio.run(_produce(bootstrap, ns + UNIQUE, story))

    records = asyncio.run(
        read_topic(bootstrap, ns + ENRICHED, expect=2, timeout=60, match=lambda r: r["key"] == story.id)
    )
    assert [(r["value"]["id"], r["value"]["version"]) for r in records] == [(story.id, 2), (story.id, 2)]
    first, second = (r["value"] for r in records)
    assert first["translation_status"] == "pending" and first["translations"] == {}
    assert second["translation_status"] == "done"
    english = second["translations"]["en"]
    assert english["engine"] == "apertium" and english["machine"] is True
    assert "Government" in english["headline"] and "economic" in english["headline"]
    assert "unions" in english["body_text"].lower()
