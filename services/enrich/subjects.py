"""IPTC media topics for every story: mapped from the agency's subject codes, else from keyword rules.

Agency copy coded with IPTC subject codes ("04000000") gets the media topic IPTC itself maps to that
code (skos exactMatch, confidence 1.0; closeMatch, 0.9). A code IPTC does not map falls back to its
nearest mapped parent ("04016057" -> "04016000" -> "04000000"), at 0.7. Uncoded copy gets the
top-level topics whose keyword prefixes it uses most (data/topic_rules.json, per language), with a
confidence that grows with the number of hits, never above 0.9: a rule is a hint, not a code.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import ahocorasick

from services.enrich.matcher import lower_same_length
from shared.models import Subject

__all__ = ["SUBJECT_CODE_SCHEMES", "TopicTagger", "load_table"]

SUBJECT_CODE_SCHEMES = frozenset({"subj", "iptc", "subjectcode", "iptc-subjectcode"})
MEDTOP = "medtop"
_MATCH_CONFIDENCE = {"exact": 1.0, "close": 0.9}
_PARENT_CONFIDENCE = 0.7
_MAX_RULE_CONFIDENCE = 0.9
_MAX_CLASSIFIED = 3


def load_table(name: str) -> dict[str, Any]:
    """One of the JSON tables in services/enrich/data."""
    table: dict[str, Any] = json.loads(resources.files("services.enrich.data").joinpath(name).read_text("utf-8"))
    return table


def _parents(code: str) -> list[str]:
    """The code itself, then its broader subject codes: 04016057 -> 04016000 -> 04000000."""
    return list(dict.fromkeys([code, code[:5] + "000", code[:2] + "000000"]))


class TopicTagger:
    """Adds medtop subjects; the tables are read once (about 70 kB) and shared."""

    def __init__(
        self,
        *,
        min_hits: int = 2,
        mediatopics: Mapping[str, Any] | None = None,
        rules: Mapping[str, Mapping[str, list[str]]] | None = None,
    ) -> None:
        table = mediatopics if mediatopics is not None else load_table("mediatopics.json")
        self.labels: dict[str, str] = {code: entry[0] for code, entry in table["topics"].items()}
        self.from_subject: dict[str, tuple[str, str]] = {
            subject: (topic, relation) for subject, (topic, relation) in table["from_subject"].items()
        }
        self.min_hits = min_hits
        rule_table = rules if rules is not None else load_table("topic_rules.json")
        self.rules = {
            language: _prefix_automaton(by_topic)
            for language, by_topic in rule_table.items()
            if not language.startswith("_")
        }

    def topic(self, code: str, *, source: str, confidence: float) -> Subject:
        """A medtop Subject for `code`, labelled from the table."""
        return Subject(scheme=MEDTOP, code=code, name=self.labels.get(code), source=source, confidence=confidence)

    def map_codes(self, subjects: Iterable[Subject]) -> list[Subject]:
        """The media topics IPTC maps the agency's subject codes to, each once, in the agency's order."""
        found: dict[str, Subject] = {}
        for subject in subjects:
            if subject.scheme.lower() not in SUBJECT_CODE_SCHEMES:
                continue
            code = subject.code.removeprefix("subj:")
            for depth, candidate in enumerate(_parents(code)):
                if candidate in self.from_subject:
                    topic, relation = self.from_subject[candidate]
                    confidence = _MATCH_CONFIDENCE[relation] if depth == 0 else _PARENT_CONFIDENCE
                    found.setdefault(topic, self.topic(topic, source="mapping", confidence=confidence))
                    break
        return list(found.values())

    def classify(self, text: str, language: str) -> list[Subject]:
        """Top-level media topics for uncoded `text` from the keyword rules of its language (none if unknown)."""
        automaton = self.rules.get(language.split("-")[0])
        if automaton is None:
            return []
        lowered = lower_same_length(text)
        hits: Counter[str] = Counter()
        for last, (length, topic) in automaton.iter(lowered):
            start = last + 1 - length
            if start == 0 or not lowered[start - 1].isalnum():
                hits[topic] += 1
        ranked = [(topic, count) for topic, count in hits.most_common() if count >= self.min_hits]
        return [
            self.topic(topic, source="classifier", confidence=round(min(_MAX_RULE_CONFIDENCE, count / (count + 2)), 2))
            for topic, count in ranked[:_MAX_CLASSIFIED]
        ]

    def subjects(self, subjects: list[Subject], text: str, language: str) -> list[Subject]:
        """`subjects` plus the media topics mapped from them, or, for copy with no topic at all, classified ones."""
        present = {s.code for s in subjects if s.scheme == MEDTOP}
        added = [s for s in self.map_codes(subjects) if s.code not in present]
        if not present and not added:
            added = self.classify(text, language)
        return [*subjects, *added]


def _prefix_automaton(by_topic: Mapping[str, list[str]]) -> Any:
    automaton = ahocorasick.Automaton()
    for topic, prefixes in by_topic.items():
        if topic.startswith("_"):
            continue
        for prefix in prefixes:
            automaton.add_word(prefix, (len(prefix), topic))
    automaton.make_automaton()
    return automaton
