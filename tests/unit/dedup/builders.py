"""Builders shared by the dedup unit tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.dedup.config import DedupSettings
from services.dedup.core import DedupIndex
from shared.models import Lineage, Story

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
EVAL_CASES = Path(__file__).resolve().parents[2] / "fixtures" / "dedup" / "eval_cases.json"
BODY = (
    "Dock workers at the port of Rotterdam walked off the job on Tuesday in a dispute over automation and "
    "night-shift pay, halting most container traffic at Europe's largest port, the union said.\n\n"
    "The 24-hour strike began at 6 a.m. local time and affects two terminals on the Maasvlakte, a union "
    "spokeswoman said. Ships were queuing at anchor off the coast by midday, according to shipping data.\n\n"
    "Employers have offered 4 percent over two years. Talks are scheduled to resume on Thursday."
)


class Stores:
    """The durable state as a dict, kept so tests can look inside and serialise it."""

    def __init__(self) -> None:
        self.state: dict[str, Any] = {}

    def index(self, settings: DedupSettings | None = None) -> DedupIndex:
        return DedupIndex(settings or DedupSettings(), state=self.state)

    def head(self, story_id: str) -> dict[str, Any]:
        record: dict[str, Any] = self.state[f"s:{story_id}"]
        return record

    def keys(self, prefix: str) -> list[str]:
        return sorted(key for key in self.state if key.startswith(prefix))


def story(
    story_id: str = "reuters:port-1",
    *,
    version: int = 1,
    headline: str = "Dock workers walk out at Rotterdam",
    body: str = BODY,
    raw_id: str | None = None,
    item_index: int = 0,
    created: datetime | None = NOW,
    **fields: Any,
) -> Story:
    agency, agency_id = story_id.split(":", 1)
    lineage = None
    if raw_id is not None:
        lineage = Lineage(
            raw_id=raw_id, feed="test", content_hash="0" * 64, source_ref="test", received_at=NOW, item_index=item_index
        )
    return Story(
        id=story_id,
        agency=agency,
        agency_id=agency_id,
        version=version,
        format="test",
        headline=headline,
        body_text=body,
        version_created=created,
        lineage=lineage,
        **fields,
    )


def eval_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(EVAL_CASES.read_text(encoding="utf-8"))["cases"]
    return cases


def case_story(side: dict[str, Any], created: datetime = NOW) -> Story:
    return story(side["id"], headline=side["headline"], body=side["body"], created=created)
