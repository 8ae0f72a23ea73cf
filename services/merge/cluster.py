"""Online event clustering over key-value stores (Faust tables in the service, dicts offline).

Each story joins the open event it shares most with, or opens a new one. Candidates come from an
inverted index (stemmed word, person, organisation, number -> open event ids, bounded, newest last),
so one decision reads a fixed number of keys and scores at most `max_candidates` events however many
are open. Every membership keeps its score and evidence. An update of a member (same story id, higher
version) changes that member and re-emits the event with a new version; a kill takes the member out of
the credit line, and when every member is killed the event is canceled.

Stores (values JSON; the state round-trips through orjson):
    events        event id -> state: members, word centroid, entity/country/number counts, times, version
    postings      "t:word" / "p:person" / "o:organisation" / "n:number" -> [event id, …];
                  "q:<hour>" -> events last changed in that hour; "q:hours" -> those hours (for closing)
    story_events  story id -> event id

`events` is the durable state; `postings` and `story_events` are derived from it and can be rebuilt at any
time (`rebuild`), so the service keeps them in memory and writes one record per story: its event. One
record means a crash can never keep a story's membership without the event that holds it.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from services.merge.config import MergeSettings
from services.merge.credits import credit_line, pick_lead
from services.merge.features import Features, extract
from services.merge.scoring import Match, idf, norm, score, story_vector
from shared.models import Event, EventMember, Story

__all__ = ["Assignment", "EventIndex", "Outcome"]

Outcome = Literal["opened", "joined", "updated", "translated", "unchanged", "ignored"]
_RETRIEVAL_WEIGHT = {"p": 3.0, "o": 3.0, "n": 2.0}
_HOURS_KEY = "q:hours"
_COMMON_KEY_READS = 16


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where a story went: its event, the event to emit (None when unchanged), and why."""

    story: Story
    """The story with `event_id` set (unset only when a kill arrives for a story no event holds)."""
    event: Event | None
    outcome: Outcome
    score: float
    evidence: list[str] = field(default_factory=list)
    candidates: int = 0
    """Open events scored for this decision."""


def _hour(timestamp: float) -> int:
    return int(timestamp // 3600)


def _newly_translated(story: Story, member: dict[str, Any]) -> bool:
    return "en" in story.translations and not member.get("translated", False)


def _shown(story: Story) -> dict[str, Any]:
    # What an event package shows of its lead, kept per member because any member may become the lead.
    return {
        "headline": story.headline,
        "language": story.language or story.language_detected,
        "located": story.dateline.place if story.dateline else None,
        "urgency": story.urgency,
    }


def _member_features(features: Features, vector: dict[str, float]) -> dict[str, Any]:
    return {
        "terms": vector,
        "entities": sorted(features.entities),
        "countries": sorted(features.countries),
        "numbers": sorted(features.numbers),
    }


def _fold(state: dict[str, Any], member_features: dict[str, Any], sign: int) -> None:
    """Add (sign 1) or take out (sign -1) one member's features from the event's aggregates."""
    terms: dict[str, float] = state["terms"]
    for word, weight in member_features["terms"].items():
        value = terms.get(word, 0.0) + sign * weight
        if value > 1e-9:
            terms[word] = value
        else:
            terms.pop(word, None)
    for kind in ("entities", "countries", "numbers"):
        counts: dict[str, int] = state[kind]
        for key in member_features[kind]:
            counts[key] = counts.get(key, 0) + sign
            if counts[key] <= 0:
                del counts[key]
    state["norm"] = norm(terms)


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
        """Put `story` into an event (joining, updating or opening one); `now` is processing time (UTC)."""
        known = self.story_events.get(story.id)
        if known is not None and known in self.events:
            return self._update_member(known, story, now)
        if story.pubstatus == "canceled":
            return Assignment(story, None, "ignored", 0.0, ["kill of a story no open event holds"])
        features = extract(story, now)
        vector = story_vector(features, self._idf(features.terms))
        duplicate_of = self.story_events.get(story.near_duplicate_of or "")
        if duplicate_of is not None and duplicate_of in self.events:
            match = Match(1.0, 1.0, [f"near-duplicate of {story.near_duplicate_of}"])
            return self._join(duplicate_of, story, features, vector, match, now, "joined", 1)
        candidates = self._candidates(features, now)
        vector_norm = norm(vector)
        best: tuple[str, Match] | None = None
        for event_id in candidates:
            match = score(features, vector, vector_norm, self.events[event_id], self.settings)
            if match.accepted(self.settings) and (best is None or match.score > best[1].score):
                best = (event_id, match)
        if best is not None:
            return self._join(best[0], story, features, vector, best[1], now, "joined", len(candidates))
        return self._open(story, features, vector, now, len(candidates))

    def _idf(self, words: Iterable[str]) -> dict[str, float]:
        cap = self.settings.max_postings
        return {word: idf(len(self.postings.get(f"t:{word}", ())), cap) for word in words}

    def _candidates(self, features: Features, now: datetime) -> list[str]:
        hits: dict[str, float] = {}
        for key in features.index_keys():
            ids = self.postings.get(key)
            if ids:
                weight: float = _RETRIEVAL_WEIGHT.get(key[0], 1.0 / math.log2(2 + len(ids)))
                # a common word's newest events are its likeliest; reading all of them costs time, not recall
                for event_id in ids[-_COMMON_KEY_READS:]:
                    hits[event_id] = hits.get(event_id, 0.0) + weight
        oldest = now.timestamp() - self.settings.quiet_hours * 3600
        open_ids = []
        for event_id in heapq.nlargest(self.settings.max_candidates, hits, key=hits.__getitem__):
            state = self.events.get(event_id)
            if state is not None and state["updated_at"] >= oldest:
                open_ids.append(event_id)
        return open_ids

    def _open(
        self, story: Story, features: Features, vector: dict[str, float], now: datetime, candidates: int
    ) -> Assignment:
        seed = f"{story.id}@{features.moment.timestamp()}"
        event_id = "evt-" + hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()[:16]
        at = features.moment.timestamp()
        self.events[event_id] = {
            "version": 0,
            "opened_at": now.timestamp(),
            "updated_at": now.timestamp(),
            "first_story_at": at,
            "last_story_at": at,
            "bucket": None,
            "members": [],
            "terms": {},
            "norm": 0.0,
            "entities": {},
            "countries": {},
            "numbers": {},
            "keys": [],
        }
        match = Match(1.0, 1.0, ["opened the event"])
        return self._join(event_id, story, features, vector, match, now, "opened", candidates)

    def _join(
        self,
        event_id: str,
        story: Story,
        features: Features,
        vector: dict[str, float],
        match: Match,
        now: datetime,
        outcome: Outcome,
        candidates: int,
    ) -> Assignment:
        state = dict(self.events[event_id])
        member: dict[str, Any] = {
            "story_id": story.id,
            "agency": story.agency,
            "version": story.version,
            "score": match.score,
            "evidence": match.evidence,
            "canceled": False,
            **_shown(story),
            "body_len": len(story.body_text),
            "has_dateline": story.dateline is not None,
            "translated": "en" in story.translations,
            "story_at": features.moment.timestamp(),
            "features": _member_features(features, vector),
        }
        state["members"] = [*state["members"], member]
        self._refold(state, None, member["features"])
        state["first_story_at"] = min(state["first_story_at"], member["story_at"])
        state["last_story_at"] = max(state["last_story_at"], member["story_at"])
        self._post(event_id, state, features.index_keys())
        self.story_events[story.id] = event_id
        event = self._save(event_id, state, now)
        return Assignment(
            story.model_copy(update={"event_id": event_id}), event, outcome, match.score, match.evidence, candidates
        )

    def _update_member(self, event_id: str, story: Story, now: datetime) -> Assignment:
        state = dict(self.events[event_id])
        members = [dict(m) for m in state["members"]]
        member = next(m for m in members if m["story_id"] == story.id)
        canceled = story.pubstatus == "canceled"
        tagged = story.model_copy(update={"event_id": event_id})
        if story.version == member["version"] and not canceled and _newly_translated(story, member):
            return self._retranslated(event_id, state, members, member, story, now)
        if story.version < member["version"] or (story.version == member["version"] and canceled == member["canceled"]):
            # a replay or a late older version changes nothing: no new event version
            return Assignment(tagged, None, "unchanged", member["score"], member["evidence"])
        member.update(version=story.version, canceled=canceled)
        if not canceled:
            # a kill's copy ("this story has been withdrawn") says nothing about the event: keep the old words
            features = extract(story, now)
            new_features = _member_features(features, story_vector(features, self._idf(features.terms)))
            self._refold(state, member["features"], new_features)
            member.update(
                features=new_features,
                body_len=len(story.body_text),
                has_dateline=story.dateline is not None,
                **_shown(story),
            )
            self._post(event_id, state, features.index_keys())
        state["members"] = members
        event = self._save(event_id, state, now)
        return Assignment(tagged, event, "updated", member["score"], member["evidence"])

    def _retranslated(
        self,
        event_id: str,
        state: dict[str, Any],
        members: list[dict[str, Any]],
        member: dict[str, Any],
        story: Story,
        now: datetime,
    ) -> Assignment:
        """The enrich stage's late English translation of a member: score it again on the English words."""
        if len(members) == 1:
            # Alone, it may be alone only because its words were foreign: place it again, as if it came now.
            self._close(event_id, state)
            return self.assign(story, now)
        # Among others, it stays: its words now count in English for the stories that come later. Members,
        # lead and credits are unchanged, so the event keeps its version and is not sent again.
        features = extract(story, now)
        new_features = _member_features(features, story_vector(features, self._idf(features.terms)))
        self._refold(state, member["features"], new_features)
        member.update(features=new_features, translated=True)
        self._post(event_id, state, features.index_keys())
        state["members"] = members
        self.events[event_id] = state
        tagged = story.model_copy(update={"event_id": event_id})
        return Assignment(tagged, None, "translated", member["score"], member["evidence"])

    @staticmethod
    def _refold(state: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        # copies, so a store holding the previous state object is never changed behind its back
        for kind in ("terms", "entities", "countries", "numbers"):
            state[kind] = dict(state[kind])
        if old is not None:
            _fold(state, old, -1)
        _fold(state, new, 1)

    def _post(self, event_id: str, state: dict[str, Any], keys: Iterable[str]) -> None:
        known = set(state["keys"])
        fresh = [key for key in dict.fromkeys(keys) if key not in known]
        for key in fresh:
            ids = [e for e in self.postings.get(key, ()) if e != event_id]
            self.postings[key] = [*ids, event_id][-self.settings.max_postings :]
        state["keys"] = [*state["keys"], *fresh]

    def _save(self, event_id: str, state: dict[str, Any], now: datetime) -> Event:
        state["version"] += 1
        state["updated_at"] = now.timestamp()
        hour = _hour(state["updated_at"])
        if state["bucket"] != hour:
            state["bucket"] = hour
            bucket = f"q:{hour}"
            self.postings[bucket] = [*self.postings.get(bucket, ()), event_id]
            hours = self.postings.get(_HOURS_KEY, [])
            if str(hour) not in hours:
                self.postings[_HOURS_KEY] = [*hours, str(hour)]
        self.events[event_id] = state
        return self.event(event_id)

    def event(self, event_id: str) -> Event:
        """The event as published, built from its stored state."""
        state = self.events[event_id]
        members = state["members"]
        canceled = all(m["canceled"] for m in members)
        lead = pick_lead(members, self.settings.preference)
        shown = next(m for m in members if m["story_id"] == lead)
        urgencies = [m["urgency"] for m in members if m.get("urgency") is not None and not m["canceled"]]
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
            lead=lead,
            credit_line=credit_line([m["agency"] for m in members if not m["canceled"]], self.settings.names),
            # Events stored before these fields were kept have none of them: the package then shows the credit line.
            headline=shown.get("headline"),
            language=shown.get("language"),
            located=shown.get("located"),
            urgency=min(urgencies, default=None),
            pubstatus="canceled" if canceled else "usable",
            opened_at=datetime.fromtimestamp(state["opened_at"], UTC),
            updated_at=datetime.fromtimestamp(state["updated_at"], UTC),
        )

    def rebuild(self) -> int:
        """Fill `postings` and `story_events` from the events alone (a service keeps them in memory only).

        Events are replayed oldest change first, so each posting list ends with its newest events as
        `_post` leaves them. Returns the number of open events indexed.
        """
        self.postings.clear()
        self.story_events.clear()
        ordered = sorted(self.events.items(), key=lambda item: item[1]["updated_at"])
        cap = self.settings.max_postings
        for event_id, state in ordered:
            for member in state["members"]:
                self.story_events[member["story_id"]] = event_id
            for key in state["keys"]:
                self.postings[key] = [*self.postings.get(key, ()), event_id][-cap:]
            hour = state["bucket"]
            if hour is not None:
                self.postings[f"q:{hour}"] = [*self.postings.get(f"q:{hour}", ()), event_id]
                hours = self.postings.get(_HOURS_KEY, [])
                if str(hour) not in hours:
                    self.postings[_HOURS_KEY] = [*hours, str(hour)]
        return len(ordered)

    def close_quiet(self, now: datetime) -> int:
        """Close events with no change for `quiet_hours` (within the hour after); returns how many closed."""
        cutoff_hour = _hour(now.timestamp() - self.settings.quiet_hours * 3600)
        hours = self.postings.get(_HOURS_KEY, [])
        closed = 0
        for hour in [h for h in hours if int(h) < cutoff_hour]:
            for event_id in self.postings.pop(f"q:{hour}", []):
                state = self.events.get(event_id)
                # an event touched again since sits in a later bucket too; only its latest one closes it
                if state is not None and state["bucket"] == int(hour):
                    self._close(event_id, state)
                    closed += 1
        self.postings[_HOURS_KEY] = [h for h in hours if int(h) >= cutoff_hour]
        return closed

    def _close(self, event_id: str, state: dict[str, Any]) -> None:
        for key in state["keys"]:
            ids = [e for e in self.postings.get(key, ()) if e != event_id]
            if ids:
                self.postings[key] = ids
            else:
                self.postings.pop(key, None)
        for member in state["members"]:
            self.story_events.pop(member["story_id"], None)
        del self.events[event_id]
