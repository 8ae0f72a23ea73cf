from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.enrich.config import EnrichSettings
from services.enrich.pipeline import Enricher
from shared.models import Dateline, Story


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    return Enricher(EnrichSettings())


def fixture_story(case: dict[str, Any]) -> Story:
    return Story(
        id=case["id"],
        agency="fx",
        agency_id=case["id"],
        format="test",
        headline=case["headline"],
        body_text=case["body_text"],
        language=case.get("language"),
        dateline=Dateline(text=case["dateline"], place=case["dateline"]) if case.get("dateline") else None,
    )


@pytest.fixture(scope="session")
def cases(fixtures_dir: Path) -> list[dict[str, Any]]:
    return json.loads((fixtures_dir / "enrich" / "stories.json").read_text("utf-8"))
