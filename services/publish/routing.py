"""Which topics a story is published to, from a YAML rules file checked when the stage starts.

A rules file::

    base_topics: [stories.published.v1, stories.latest.v1]   # every story (this is the default)
    rules:
      - name: alerts
        match: {urgency: {max: 2}}
        topics: [stories.alerts.v1]
      - name: russia
        match: {places: [RU]}
        topics: [stories.desk.russia.v1]

Every condition of a match must hold; a list condition holds when any of its entries does. A subject
entry is "scheme:code-prefix" ("subj:15" is all of sport in the hierarchical subject codes); a place
is an ISO country code; a language matches its own tag and every regional variant ("en" → "en-GB").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Self

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.errors import InvalidInput
from shared.models import Event, PubStatus, Story

__all__ = ["Match", "Rule", "Rules", "UrgencyRange", "kill_topics", "load_rules", "parse_rules", "route"]

TOPIC_PATTERN = re.compile(r"^stories\.[a-z0-9_.-]+\.v\d+$")
_SUBJECT_PATTERN = re.compile(r"^[A-Za-z0-9_-]+:\S+$")


def _topic_name(value: str) -> str:
    if not TOPIC_PATTERN.fullmatch(value):
        raise ValueError(f"bad topic name {value!r}: must match {TOPIC_PATTERN.pattern}")
    return value


def _subject_prefix(value: str) -> str:
    if not _SUBJECT_PATTERN.fullmatch(value):
        raise ValueError(f"bad subject {value!r}: write scheme:code-prefix, e.g. subj:15")
    return value


def _country_code(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise ValueError(f"bad country code {value!r}: use ISO 3166-1 alpha-2, e.g. RU")
    return value.upper()


Topic = Annotated[str, AfterValidator(_topic_name)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UrgencyRange(_Strict):
    """Inclusive IPTC urgency bounds (1 most urgent … 9 least)."""

    min: int = Field(default=1, ge=1, le=9)
    max: int = Field(default=9, ge=1, le=9)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"urgency min {self.min} is above max {self.max}")
        return self


class Match(_Strict):
    """What a story must have for a rule to apply; an absent condition always holds."""

    agency: list[str] | None = None
    urgency: UrgencyRange | None = None
    subjects: list[Annotated[str, AfterValidator(_subject_prefix)]] | None = None
    places: list[Annotated[str, AfterValidator(_country_code)]] | None = None
    language: list[str] | None = None
    has_event: bool | None = None
    pubstatus: list[PubStatus] | None = None

    def accepts(self, story: Story, *, in_event: bool) -> bool:
        """Whether `story` meets every condition (`in_event`: it belongs to an event); stops at the first miss."""
        if self.agency is not None and story.agency.lower() not in {agency.lower() for agency in self.agency}:
            return False
        if self.urgency is not None and (
            story.urgency is None or not self.urgency.min <= story.urgency <= self.urgency.max
        ):
            return False
        if self.subjects is not None and not _has_subject(story, self.subjects):
            return False
        if self.places is not None and not any(place.country in self.places for place in story.places):
            return False
        if self.language is not None and not _speaks(story, self.language):
            return False
        if self.has_event is not None and self.has_event != in_event:
            return False
        return self.pubstatus is None or story.pubstatus in self.pubstatus


class Rule(_Strict):
    """A named rule: stories its match accepts go to its topics."""

    name: str = Field(min_length=1)
    match: Match = Field(default_factory=Match)
    topics: list[Topic] = Field(min_length=1)


class Rules(_Strict):
    """The whole rules file."""

    base_topics: list[Topic] = Field(
        default_factory=lambda: ["stories.published.v1", "stories.latest.v1"], min_length=1
    )
    rules: list[Rule] = Field(min_length=1)

    def topics(self) -> list[str]:
        """Every topic a story can be routed to, base topics first."""
        return list(dict.fromkeys([*self.base_topics, *(topic for rule in self.rules for topic in rule.topics)]))

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [rule.name for rule in self.rules]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"rule names repeat: {', '.join(repeated)}")
        return self


def load_rules(path: Path) -> Rules:
    """The rules in the YAML file at `path`; InvalidInput saying what and where when they are not valid."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"routing rules {path}: cannot read: {exc.strerror}", code="bad_rules") from exc
    return parse_rules(text, source=str(path))


def parse_rules(text: str, *, source: str = "routing rules") -> Rules:
    """The rules in YAML `text`; InvalidInput naming `source` and the first problem."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source}: not YAML: {exc}", code="bad_rules") from exc
    if not isinstance(document, dict):
        raise InvalidInput(f"{source}: expected a mapping with a 'rules' list", code="bad_rules")
    try:
        return Rules.model_validate(document)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "(top)"
        message = problem["msg"].removeprefix("Value error, ")
        raise InvalidInput(f"{source}: {where}: {message}", code="bad_rules") from exc


def route(story: Story, rules: Rules, *, event: Event | None = None) -> list[str]:
    """The topics `story` goes to: the base topics, then each matching rule's, in file order, once each."""
    in_event = event is not None or story.event_id is not None
    topics = list(rules.base_topics)
    for rule in rules.rules:
        if rule.match.accepts(story, in_event=in_event):
            topics.extend(rule.topics)
    return list(dict.fromkeys(topics))


def kill_topics(previous: Iterable[str], current: Sequence[str]) -> list[str]:
    """Where a kill goes: today's decision first, then every other topic the story ever went to (sorted).

    A kill must reach every reader that saw the story, even when the kill itself no longer matches
    the rules that once sent the story there (a kill carries no body, subjects may be gone).
    """
    return list(dict.fromkeys([*current, *sorted(set(previous) - set(current))]))


def _has_subject(story: Story, prefixes: list[str]) -> bool:
    wanted = [prefix.split(":", 1) for prefix in prefixes]
    return any(
        subject.scheme == scheme and subject.code.startswith(code)
        for subject in story.subjects
        for scheme, code in wanted
    )


def _speaks(story: Story, languages: list[str]) -> bool:
    language = (story.language or story.language_detected or "").lower()
    return any(language == wanted.lower() or language.startswith(wanted.lower() + "-") for wanted in languages)
