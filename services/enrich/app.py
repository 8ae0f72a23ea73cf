"""Enrich stage shell: `wire.unique.v1` -> `wire.enriched.v1`, translations following as revisions."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence

from prometheus_client import Counter, Gauge, Histogram

from services.enrich.breaker import CircuitBreaker
from services.enrich.cache import SqliteCache
from services.enrich.config import EnrichSettings
from services.enrich.late import LateTranslations
from services.enrich.pipeline import Enricher
from services.enrich.translate import TranslationService, translation_service
from shared.models import Story
from shared.runtime import Incoming, Output, Stage
from shared.serde import decode
from shared.topics import ENRICHED, UNIQUE

__all__ = ["stage"]

stage = Stage("enrich", source=UNIQUE, default_port=9103)
settings = EnrichSettings()
enricher = Enricher(settings)

enricher_seconds = Histogram("wiredesk_enrich_enricher_seconds", "Time per enricher and story.", ["enricher"])
languages_seen = Counter("wiredesk_enrich_languages_total", "Stories by detected language.", ["language"])
translations = Counter(
    "wiredesk_enrich_translations_total",
    "Late translations by backend and outcome (done, failed, queue_full, breaker_open, error).",
    ["backend", "outcome"],
)
cache_hit_ratio = Gauge("wiredesk_enrich_translation_cache_hit_ratio", "Share of texts the translation cache answered.")
translation_queue = Gauge("wiredesk_enrich_translation_queue", "Stories waiting for translation.")
breaker_open = Gauge("wiredesk_enrich_breaker_open", "1 while a backend's circuit breaker is not closed.", ["backend"])


async def send_revision(story: Story) -> None:
    """Produce the translated revision of a story already sent (same id and version)."""
    await stage.send(Output(ENRICHED, story.id, story))


def _cache() -> MutableMapping[str, str]:
    if not settings.translation_cache_entries:
        return {}
    # Per namespace, so test pipelines and deployments sharing a state dir never read each other's cache.
    path = stage.settings.state_dir / "enrich" / f"{stage.settings.namespace}translations.sqlite3"
    return SqliteCache(path, max_entries=settings.translation_cache_entries)


service = translation_service(settings, cache=_cache()) if settings.routes else None
late = (
    LateTranslations(
        service,
        send_revision,
        target=settings.desk_language,
        queue_size=settings.translation_queue,
        concurrency=settings.translation_concurrency,
        on_outcome=lambda backend, outcome: translations.labels(backend, outcome).inc(),
    )
    if service is not None
    else None
)


def _hit_ratio(service: TranslationService) -> Callable[[], float]:
    return lambda: service.cache_hits / max(1, service.cache_hits + service.cache_misses)


def _is_open(breaker: CircuitBreaker) -> Callable[[], float]:
    return lambda: float(breaker.state != "closed")


if late is not None:
    translation_queue.set_function(late.queue.qsize)
    cache_hit_ratio.set_function(_hit_ratio(late.service))
    for name, breaker in late.service.breakers.items():
        breaker_open.labels(name).set_function(_is_open(breaker))


async def enrich_story(incoming: Incoming) -> Sequence[Output]:
    """Enrich one story, keyed by story id; its translation, if queued, is released once the story is sent."""
    story = decode(Story, incoming.value)
    enriched = enricher.enrich(story, on_timing=lambda name, seconds: enricher_seconds.labels(name).observe(seconds))
    languages_seen.labels(enriched.language_detected or "und").inc()
    if late is None:
        return [Output(ENRICHED, enriched.id, enriched)]
    source = (enriched.language or enriched.language_detected or "und").split("-")[0].lower()
    now, sent = late.submit(enriched, source)
    return [Output(ENRICHED, now.id, now, on_sent=sent.set)]


stage.process(enrich_story)
app = stage.app
