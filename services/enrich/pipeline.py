"""The enrich core: every enricher applied to a story, each timed, returning a new story."""

from __future__ import annotations

import time
from collections.abc import Callable

from services.enrich.config import EnrichSettings
from services.enrich.language import LanguageDetector
from services.enrich.places import Gazetteer
from shared.models import Story

__all__ = ["Enricher"]

Timing = Callable[[str, float], None]


class Enricher:
    """Language and places; built once per process (the gazetteer and detector load at construction)."""

    def __init__(self, settings: EnrichSettings) -> None:
        self.settings = settings
        self.language = LanguageDetector(
            settings.languages, min_confidence=settings.min_confidence, min_letters=settings.min_letters
        )
        self.gazetteer = Gazetteer(settings.languages)

    def enrich(self, story: Story, on_timing: Timing | None = None) -> Story:
        """`story` with language_detected, places and translation_status filled in."""
        started = time.perf_counter()
        detected = self.language.detect(f"{story.headline}\n{story.lede}")
        lap = time.perf_counter()
        places = self.gazetteer.places(story)
        done = time.perf_counter()
        if on_timing is not None:
            on_timing("language", lap - started)
            on_timing("places", done - lap)
        language = story.language or detected
        # No translation engine is wired in yet: say so rather than pretend ("none"), unless none is needed.
        needs_translation = language not in (self.settings.desk_language, "und") and not language.startswith(
            self.settings.desk_language + "-"
        )
        return story.model_copy(
            update={
                "language_detected": detected,
                "places": places,
                "translation_status": "none" if needs_translation else "not_needed",
            }
        )
