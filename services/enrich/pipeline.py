"""The enrich core: a story through each enricher in turn, each timed, returning a new story.

Enrichers run in a fixed order because later ones read what earlier ones found: language first
(entities, topics and keywords depend on it), then people and organisations (their spans keep
"Vladimir" in "Vladimir Putin" from becoming a city), then places, topics and keywords.
Translation is not here: it waits on a network engine, so the service runs it separately and
asynchronously (`translate.TranslationService`), and the story never waits for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from services.enrich.config import EnrichSettings
from services.enrich.entities import EntityFinder
from services.enrich.keywords import KeywordExtractor
from services.enrich.language import UNDETERMINED, LanguageGuesser, detection_text
from services.enrich.matcher import Span
from services.enrich.places import Gazetteer, text_of
from services.enrich.subjects import TopicTagger
from shared.models import Entity, Story

__all__ = ["Enricher", "Scratch", "Step", "Timing", "enrich"]

# lingua is as sure after a few hundred characters as after a whole story, and cost grows with length.
_LANGUAGE_CHARS = 400

Timing = Callable[[str, float], None]
"""Called with (enricher name, seconds) after each enricher."""


@dataclass
class Scratch:
    """What enrichers pass to later ones for one story, beyond the story itself."""

    language: str = UNDETERMINED
    spans: list[Span] = field(default_factory=list)


Step = tuple[str, Callable[[Story, Scratch], Story]]
"""A named enricher: (name for metrics, function of the story so far)."""


def enrich(story: Story, steps: Sequence[Step], on_timing: Timing | None = None) -> Story:
    """`story` after every step, in order; `on_timing` hears each step's latency."""
    scratch = Scratch(language=story.language or UNDETERMINED)
    for name, step in steps:
        started = time.perf_counter()
        story = step(story, scratch)
        if on_timing is not None:
            on_timing(name, time.perf_counter() - started)
    return story


class Enricher:
    """Every enricher the settings turn on; built once per process (gazetteer, detector, NER load here)."""

    def __init__(self, settings: EnrichSettings) -> None:
        self.settings = settings
        self.language = LanguageGuesser(
            settings.languages, min_confidence=settings.min_confidence, min_letters=settings.min_letters
        )
        self.entities = EntityFinder() if settings.entities else None
        self.gazetteer = Gazetteer(
            settings.languages,
            min_population=settings.city_min_population,
            lede_chars=settings.places_lede_chars,
            min_mentions=settings.places_min_mentions,
        )
        self.topics = TopicTagger(min_hits=settings.topics_min_hits)
        self.keyword_extractor = KeywordExtractor(
            top=settings.keywords_max, max_chars=settings.keywords_text_chars, engine=settings.keywords_engine
        )
        self.steps: list[Step] = [("language", self.detect_language)]
        if self.entities is not None:
            self.steps.append(("entities", self.find_entities))
        self.steps += [("places", self.find_places), ("subjects", self.tag_topics), ("keywords", self.add_keywords)]

    def enrich(self, story: Story, on_timing: Timing | None = None) -> Story:
        """`story` with language_detected, people, organisations, places, media topics and keywords."""
        return enrich(story, self.steps, on_timing)

    def detect_language(self, story: Story, scratch: Scratch) -> Story:
        """Set language_detected; later steps use the declared language, else the detected one."""
        dateline = story.dateline.text if story.dateline else None
        headline = detection_text(story.headline, byline=story.byline, dateline=dateline)
        body = detection_text(story.body_text, byline=story.byline, dateline=dateline, max_chars=_LANGUAGE_CHARS)
        detected = self.language.detect(f"{headline}\n{body}")
        scratch.language = (story.language or detected).split("-")[0].lower()
        desk = self.settings.desk_language
        status = "not_needed" if scratch.language == desk else "none"
        return story.model_copy(update={"language_detected": detected, "translation_status": status})

    def find_entities(self, story: Story, scratch: Scratch) -> Story:
        """Set people and organisations; keep their spans for the places step."""
        assert self.entities is not None  # the step is only listed when entities are on
        found = self.entities.find(text_of(story), scratch.language)
        scratch.spans = found.spans
        return story.model_copy(
            update={
                "people": [Entity(name=name, source=found.sources[name]) for name in found.people],
                "organisations": [Entity(name=name, source=found.sources[name]) for name in found.organisations],
            }
        )

    def find_places(self, story: Story, scratch: Scratch) -> Story:
        """Set places: the dateline place, then what the text names outside people's names."""
        return story.model_copy(update={"places": self.gazetteer.places(story, scratch.spans)})

    def tag_topics(self, story: Story, scratch: Scratch) -> Story:
        """Add media topics mapped from subject codes, or classified from the text."""
        text = f"{story.headline}\n{story.body_text[: self.settings.keywords_text_chars * 2]}"
        return story.model_copy(update={"subjects": self.topics.subjects(story.subjects, text, scratch.language)})

    def add_keywords(self, story: Story, scratch: Scratch) -> Story:
        """Add key phrases of headline and lede the story does not already carry."""
        found = self.keyword_extractor.keywords(story.lede, scratch.language, headline=story.headline)
        known = {k.lower() for k in story.keywords}
        return story.model_copy(update={"keywords": [*story.keywords, *(k for k in found if k.lower() not in known)]})
