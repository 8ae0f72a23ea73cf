"""Online event clustering over key-value stores (Faust tables in the service, dicts offline).

Each story either joins the open event it shares most with, or opens a new one. Candidates come from an
inverted index (content word, person, country -> event ids), so a decision scores at most
`max_candidates` events however many are open. The score is explainable: text overlap (the share of the
story's English content words the event already has), shared people and organisations, shared countries;
each membership keeps the evidence that made it. Text overlap is required on its own, so the same
minister in two different stories on one day does not merge them.

Stores (values JSON):
    events        event id -> state (members, features, times, version)
    postings      index key -> [event id, …] (bounded, newest last); "hour:<n>" -> events touched that hour
    story_events  story id -> event id
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.merge.config import MergeSettings
from services.merge.credits import credit_line
from services.merge.features import Features, features
from shared.models import Event, EventMember, Story

__all__ = ["Assignment", "EventIndex"]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where a story went: its event, the event to emit (None when unchanged), and why."""

    story: Story
    event: Event | None
    outcome: str
    score: float


def _event_id(story_id: str) -> str:
    return "evt-" + hashlib.sha1(story_id.encode()).hexdigest()[:16]


def _hour(moment: datetime) -> int:
    return int(moment.timestamp() // 3600)


class EventIndex:
    """The merge stage's core: assign stories to events, keep credits and leads, close quiet events."""

    def __init__(
        self,
        settings: MergeSettings,
        *,
        events: MutableMapping[str, Any],
        postings: MutableMapping[str, Any],
        story_events: MutableMapping[str, Any],
    ) -> None:
        self.settings = settings
        self.events = events
        self.postings = postings
        self.story_events = story_events

    def assign(self, story: Story, now: datetime) -> Assignment:
        """Put `story` into an event (joining, updating or opening one)."""
        known = self.story_events.get(story.id)
        if known is not None and known in self.events:
            return self._update_member(known, story, now)
        feats = features(story)
        if story.near_duplicate_of and self.story_events.get(story.near_duplicate_of) in self.events:
            event_id = self.story_events[story.near_duplicate_of]
            return self._join(event_id, story, feats, 1.0, [f"near-duplicate of {story.near_duplicate_of}"], now)
        best = self._best_candidate(feats, now)
        if best is not None:
            event_id, score, evidence = best
            return self._join(event_id, story, feats, score, evidence, now)
        return self._open(story, feats, now)

    def _best_candidate(self, feats: Features, now: datetime) -> tuple[str, float, list[str]] | None:
        hits: Counter[str] = Counter()
        for key in self._keys(feats):
            hits.update(self.postings.get(key, []))
        best: tuple[str, float, list[str]] | None = None
        quiet = timedelta(hours=self.settings.quiet_hours).total_seconds()
        for event_id, _ in hits.most_common(self.settings.max_candidates):
            state = self.events.get(event_id)
            if state is None or now.timestamp() - state["updated_at"] > quiet:
                continue
            score, text, evidence = self._score(feats, state)
            if text < self.settings.min_text_similarity or score < self.settings.join_threshold:
                continue
            if best is None or score > best[1]:
                best = (event_id, score, evidence)
        return best

    @staticmethod
    def _score(feats: Features, state: dict[str, Any]) -> tuple[float, float, list[str]]:
        tokens, entities, countries = set(state["tokens"]), set(state["entities"]), set(state["countries"])
        text = len(feats.tokens & tokens) / max(1, len(feats.tokens))
        shared_entities = sorted(feats.entities & entities)
        entity = len(shared_entities) / max(1, len(feats.entities | entities)) if feats.entities else 0.0
        shared_countries = sorted(feats.countries & countries)
        place = 1.0 if shared_countries else 0.0
        score = 0.65 * text + 0.2 * entity + 0.15 * place
        evidence = [f"text overlap {text:.2f}"]
        if shared_entities:
            evidence.append("people/orgs: " + ", ".join(shared_entities))
        if shared_countries:
            evidence.append("places: " + ", ".join(shared_countries))
        return round(score, 3), text, evidence

    def _keys(self, feats: Features) -> list[str]:
        return (
            [f"t:{t}" for t in sorted(feats.tokens)]
            + [f"e:{e}" for e in sorted(feats.entities)]
            + [f"c:{c}" for c in sorted(feats.countries)]
        )

    def _open(self, story: Story, feats: Features, now: datetime) -> Assignment:
        event_id = _event_id(story.id)
        state = {
            "members": [],
            "tokens": [],
            "entities": [],
            "countries": [],
            "opened_at": now.timestamp(),
            "updated_at": now.timestamp(),
            "version": 0,
        }
        self.events[event_id] = state
        return self._join(event_id, story, feats, 1.0, ["opened the event"], now, outcome="opened")

    def _join(
        self,
        event_id: str,
        story: Story,
        feats: Features,
        score: float,
        evidence: list[str],
        now: datetime,
        outcome: str = "joined",
    ) -> Assignment:
        state = dict(self.events[event_id])
        state["members"] = [*state["members"], self._member(story, score, evidence, now)]
        state["tokens"] = sorted(set(state["tokens"]) | feats.tokens)
        state["entities"] = sorted(set(state["entities"]) | feats.entities)
        state["countries"] = sorted(set(state["countries"]) | feats.countries)
        self.story_events[story.id] = event_id
        for key in self._keys(feats):
            ids = [e for e in self.postings.get(key, []) if e != event_id] + [event_id]
            self.postings[key] = ids[-self.settings.max_postings :]
        return self._save(event_id, state, story, now, outcome, score)

    def _update_member(self, event_id: str, story: Story, now: datetime) -> Assignment:
        state = dict(self.events[event_id])
        members = [dict(m) for m in state["members"]]
        member = next(m for m in members if m["story_id"] == story.id)
        canceled = story.pubstatus == "canceled"
        if story.version < member["version"] or (story.version == member["version"] and canceled == member["canceled"]):
            # A replay or a late older version changes nothing: no new event version.
            return Assignment(story.model_copy(update={"event_id": event_id}), None, "unchanged", member["score"])
        member.update(version=story.version, canceled=canceled, body_len=len(story.body_text))
        state["members"] = members
        return self._save(event_id, state, story, now, "updated", member["score"])

    @staticmethod
    def _member(story: Story, score: float, evidence: list[str], now: datetime) -> dict[str, Any]:
        return {
            "story_id": story.id,
            "agency": story.agency,
            "version": story.version,
            "score": score,
            "evidence": evidence,
            "canceled": story.pubstatus == "canceled",
            "body_len": len(story.body_text),
            "seen_at": now.timestamp(),
        }

    def _save(
        self, event_id: str, state: dict[str, Any], story: Story, now: datetime, outcome: str, score: float
    ) -> Assignment:
        state["version"] += 1
        state["updated_at"] = now.timestamp()
        self.events[event_id] = state
        hour = _hour(now)
        touched = self.postings.get(f"hour:{hour}", [])
        if event_id not in touched:
            self.postings[f"hour:{hour}"] = [*touched, event_id]
        hours = self.postings.get("hours", [])
        if hour not in hours:
            self.postings["hours"] = [*hours, hour]
        event = self._event(event_id, state)
        return Assignment(story.model_copy(update={"event_id": event_id}), event, outcome, score)

    def _event(self, event_id: str, state: dict[str, Any]) -> Event:
        members = state["members"]
        live = [m for m in members if not m["canceled"]] or members
        preference = {agency: rank for rank, agency in enumerate(self.settings.preference)}
        lead = min(live, key=lambda m: (preference.get(m["agency"], len(preference)), -m["body_len"], m["seen_at"]))
        agencies = [m["agency"] for m in members if not m["canceled"]]
        return Event(
            event_id=event_id,
            version=state["version"],
            members=[
                EventMember(
                    story_id=m["story_id"],
                    agency=m["agency"],
                    version=m["version"],
                    score=m["score"],
                    evidence=m["evidence"],
                    canceled=m["canceled"],
                )
                for m in members
            ],
            lead=lead["story_id"],
            credit_line=credit_line(agencies, self.settings.names),
            pubstatus="canceled" if all(m["canceled"] for m in members) else "usable",
            opened_at=datetime.fromtimestamp(state["opened_at"], UTC),
            updated_at=datetime.fromtimestamp(state["updated_at"], UTC),
        )

    def close_quiet(self, now: datetime) -> int:
        """Forget events with no change for `quiet_hours`; returns how many were closed."""
        oldest = _hour(now - timedelta(hours=self.settings.quiet_hours))
        closed = 0
        for bucket in [k for k in self.postings.get("hours", []) if k < oldest]:
            for event_id in self.postings.pop(f"hour:{bucket}", []):
                state = self.events.get(event_id)
                if state is not None and _hour(datetime.fromtimestamp(state["updated_at"], UTC)) < oldest:
                    for member in state["members"]:
                        self.story_events.pop(member["story_id"], None)
                    del self.events[event_id]
                    closed += 1
        self.postings["hours"] = [k for k in self.postings.get("hours", []) if k >= oldest]
        return closed
