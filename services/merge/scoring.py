"""How much a story shares with an open event: one score in [0, 1] and the evidence behind it.

Text similarity is required on its own (`min_text_similarity`): people, places and time only add to a
story that is already about the same thing, so one minister's two unrelated stories of a day stay apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.merge.config import MergeSettings
from services.merge.features import Features

__all__ = ["Match", "idf", "norm", "score", "story_vector"]


@dataclass(frozen=True, slots=True)
class Match:
    """The score of a story against one event, and why."""

    score: float
    text: float
    evidence: list[str]

    def accepted(self, settings: MergeSettings) -> bool:
        """True when the story may join: topical text first, then the combined score."""
        return self.text >= settings.min_text_similarity and self.score >= settings.join_threshold


def idf(events_with_word: int, cap: int) -> float:
    """Inverse document frequency among open events; the count is capped by the bounded posting list."""
    return 1.0 + math.log((1 + cap) / (1 + min(events_with_word, cap)))


def story_vector(features: Features, weights: Mapping[str, float]) -> dict[str, float]:
    """The story's words weighted by their idf (`weights`; a missing word is as rare as can be)."""
    top = max(weights.values(), default=1.0)
    return {word: tf * weights.get(word, top) for word, tf in features.terms.items()}


def norm(vector: Mapping[str, float]) -> float:
    """The Euclidean length of a word vector."""
    return math.sqrt(sum(v * v for v in vector.values()))


def _cosine(vector: Mapping[str, float], vector_norm: float, state: Mapping[str, Any]) -> float:
    centroid: Mapping[str, float] = state["terms"]
    if not vector_norm or not state["norm"]:
        return 0.0
    dot = sum(weight * centroid.get(word, 0.0) for word, weight in vector.items())
    return float(dot / (vector_norm * state["norm"]))


def _share(mine: int, theirs: int, shared: int) -> float:
    return shared / min(mine, theirs) if mine and theirs else 0.0


def _hours(moment: datetime, state: Mapping[str, Any]) -> float:
    at = moment.timestamp()
    first: float = state["first_story_at"]
    last: float = state["last_story_at"]
    if first <= at <= last:
        return 0.0
    return min(abs(at - first), abs(at - last)) / 3600


def score(
    features: Features,
    vector: Mapping[str, float],
    vector_norm: float,
    state: Mapping[str, Any],
    settings: MergeSettings,
) -> Match:
    """Score the story (`features`, idf `vector` and its norm) against one event's state (see `cluster`).

    A story below `min_text_similarity` is not scored further: it cannot join, whatever else it shares.
    """
    text = _cosine(vector, vector_norm, state)
    if text < settings.min_text_similarity:
        return Match(0.0, text, [f"text cosine {text:.2f}"])
    entities: Mapping[str, Any] = state["entities"]
    shared_entities = [key for key in features.entities if key in entities]
    shared_countries = sorted(features.countries & state["countries"].keys())
    shared_numbers = sorted(n for n in features.numbers if n in state["numbers"])
    hours = _hours(features.moment, state)
    total = (
        settings.weight_text * text
        + settings.weight_entities * _share(len(features.entities), len(entities), len(shared_entities))
        + settings.weight_places * _share(len(features.countries), len(state["countries"]), len(shared_countries))
        + settings.weight_numbers * min(1.0, len(shared_numbers) / 2)
        + settings.weight_time * 0.5 ** (hours / settings.time_scale_hours)
    )
    evidence = [f"text cosine {text:.2f}"]
    people = [features.entities[k] for k in shared_entities if k.startswith("p:")]
    organisations = [features.entities[k] for k in shared_entities if k.startswith("o:")]
    evidence += [f"people: {', '.join(people)}"] if people else []
    evidence += [f"organisations: {', '.join(organisations)}"] if organisations else []
    evidence += [f"place: {', '.join(shared_countries)}"] if shared_countries else []
    evidence += [f"numbers: {', '.join(shared_numbers)}"] if shared_numbers else []
    evidence.append(f"within {max(1, math.ceil(hours))}h")
    return Match(round(total, 3), text, evidence)
