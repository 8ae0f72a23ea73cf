"""Enrich stage shell: `wire.unique.v1` -> `wire.enriched.v1`."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter, Histogram

from services.enrich.config import EnrichSettings
from services.enrich.pipeline import Enricher
from shared.models import Story
from shared.runtime import Incoming, Output, Stage
from shared.serde import decode
from shared.topics import ENRICHED, UNIQUE

__all__ = ["stage"]

stage = Stage("enrich", source=UNIQUE, default_port=9103)
enricher = Enricher(EnrichSettings())

enricher_seconds = Histogram("wiredesk_enrich_enricher_seconds", "Time per enricher and story.", ["enricher"])
languages_seen = Counter("wiredesk_enrich_languages_total", "Stories by detected language.", ["language"])


async def enrich_story(incoming: Incoming) -> Sequence[Output]:
    """Enrich one story, keyed by story id."""
    story = decode(Story, incoming.value)
    enriched = enricher.enrich(story, on_timing=lambda name, seconds: enricher_seconds.labels(name).observe(seconds))
    languages_seen.labels(enriched.language_detected or "und").inc()
    return [Output(ENRICHED, enriched.id, enriched)]


stage.process(enrich_story)
app = stage.app
