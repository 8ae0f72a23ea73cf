"""The dedup decision for one story, against an index kept in four plain key-value stores.

Stores (all `MutableMapping[str, JSON-able]`, so a Faust table or a dict will do):

- `stories`  story id -> `{"v", "h", "x"}`: latest version and its content key (kept `chain_hours`).
- `hashes`   `c:<content key>` -> first story with that copy; `s:<story id>` -> MinHash signature;
             `d:<raw_id>#<item_index>` -> the decision taken for that delivery (all kept `window_hours`).
- `bands`    `<band>:<band hash>` -> `[[story id, expiry], ...]`, the LSH buckets, at most `band_bucket_limit`.
- `held`     story id -> kills that arrived before their story (kept `held_hours`).

Rules, first match wins: a delivery seen before replays its decision; a kill is emitted when its story
is known, else held until the story comes; a known story id (or the id `replaces` names) makes a newer
version `version`, an older one `stale`, the same copy again `resend`; the same copy under another id
within the window is a `resend`; a copy whose estimated Jaccard with an indexed story (over the
shingles of the first `lead_words` words of the body) reaches `threshold` is a `near_duplicate`;
anything else is `new`. A higher version that arrives before version 1 is therefore `new`, and
version 1 then `stale`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from services.dedup.config import DedupSettings
from services.dedup.core.expiry import ExpiryLedger
from services.dedup.core.minhash import MinHasher, Signature
from services.dedup.core.normalise import anchors, content_key, normalised_text, shingle_words
from shared.models import Story

__all__ = ["Decision", "DedupIndex", "Outcome"]

Outcome = Literal["new", "resend", "version", "stale", "kill", "held", "near_duplicate"]
_EMITTED: frozenset[str] = frozenset({"new", "version", "kill", "near_duplicate"})
_KILL_SIGNALS = frozenset({"kill", "withdrawal"})
_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Decision:
    """What dedup did with one story, and the stories it releases downstream (in order)."""

    outcome: Outcome
    emit: list[Story] = field(default_factory=list)
    of: str | None = None
    score: float | None = None
    lookup_seconds: float = 0.0


class DedupIndex:
    """Decides stories one at a time; all state lives in the four stores passed in."""

    def __init__(
        self,
        settings: DedupSettings,
        *,
        stories: MutableMapping[str, Any],
        hashes: MutableMapping[str, Any],
        bands: MutableMapping[str, Any],
        held: MutableMapping[str, Any],
    ) -> None:
        self._settings = settings
        self._hasher = MinHasher(
            shingle_size=settings.shingle_size,
            permutations=settings.permutations,
            bands=settings.bands,
            seed=settings.seed,
        )
        self._stories = stories
        self._hashes = hashes
        self._bands = bands
        self._held = held
        self._ledger = ExpiryLedger(
            {"stories": stories, "hashes": hashes, "bands": bands, "held": held},
            bucket_seconds=settings.expiry_bucket_seconds,
        )
        self._window = settings.window_hours * _HOUR

    def decide(self, story: Story, now: datetime) -> Decision:
        """Classify `story` at processing time `now`, update the index, and say what to emit."""
        started = time.perf_counter()
        clock = now.timestamp()
        key = content_key(normalised_text(story))
        delivery = _delivery_key(story)
        decision = self._replayed(delivery, key, story) if delivery else None
        if decision is None:
            decision = self._classify(story, _story_time(story, clock), key, clock)
            if delivery:
                self._remember(delivery, key, decision, clock)
        return replace(decision, lookup_seconds=time.perf_counter() - started)

    def expire(self, now: datetime) -> int:
        """Drop what has aged out of the window, chain retention and hold time; how many entries."""
        return self._ledger.expire(now.timestamp())

    def _classify(self, story: Story, at: float, key: str, now: float) -> Decision:
        chain_id = self._chain_id(story)
        if story.pubstatus == "canceled" or _KILL_SIGNALS.intersection(story.signals):
            return self._kill(story, chain_id, now)
        if chain_id is not None:
            return self._versioned(story, chain_id, key, at, now)
        seen = self._hashes.get(f"c:{key}")
        if seen is not None and abs(at - seen["t"]) <= self._window:
            return Decision("resend", of=seen["id"])
        tokens = shingle_words(story, self._settings.lead_words)
        own = anchors(story, tokens)
        signature = self._hasher.signature(tokens)
        band_keys = self._hasher.band_keys(signature) if signature is not None else []
        match = None
        if signature is not None and self._hasher.shingle_count(tokens) >= self._settings.min_shingles:
            match = self._nearest(story.id, signature, own, band_keys, at)
        self._track(story, key, at, now)
        if match is not None:
            # A near-duplicate is not indexed itself, so later copies point at the original.
            marked = story.model_copy(update={"near_duplicate_of": match[0]})
            return self._release(Decision("near_duplicate", [marked], of=match[0], score=match[1]), story.id)
        if signature is not None:
            self._index(story.id, signature, own, band_keys, at, now)
        return self._release(Decision("new", [story]), story.id)

    def _chain_id(self, story: Story) -> str | None:
        if story.id in self._stories:
            return story.id
        if story.replaces:
            for candidate in (story.replaces, f"{story.agency}:{story.replaces}"):
                if candidate in self._stories:
                    return candidate
        return None

    def _kill(self, story: Story, chain_id: str | None, now: float) -> Decision:
        if chain_id is None:
            waiting = self._held.get(story.id, {"kills": []})["kills"]
            expires = now + self._settings.held_hours * _HOUR
            self._held[story.id] = {"x": expires, "kills": [*waiting, story.model_dump(mode="json")]}
            self._ledger.schedule("held", [story.id], expires, now)
            return Decision("held")
        record = self._stories[chain_id]
        if story.version > record["v"]:
            self._stories[chain_id] = {**record, "v": story.version}
        return Decision("kill", [story], of=chain_id)

    def _versioned(self, story: Story, chain_id: str, key: str, at: float, now: float) -> Decision:
        record = self._stories[chain_id]
        if chain_id == story.id and story.version < record["v"]:
            return Decision("stale", of=chain_id)
        if chain_id == story.id and story.version == record["v"] and record["h"] == key:
            return Decision("resend", of=chain_id)
        self._track(story, key, at, now)
        tokens = shingle_words(story, self._settings.lead_words)
        signature = self._hasher.signature(tokens)
        if signature is not None:
            self._index(story.id, signature, anchors(story, tokens), self._hasher.band_keys(signature), at, now)
        return self._release(Decision("version", [story], of=chain_id), story.id)

    def _nearest(
        self, own_id: str, signature: Signature, own: dict[str, list[str]], band_keys: list[str], at: float
    ) -> tuple[str, float] | None:
        bands = self._bands
        hits = Counter(member for key in band_keys for member, _ in bands.get(key, ()) if member != own_id)
        best: tuple[str, float] | None = None
        for candidate, _ in hits.most_common(self._settings.max_candidates):
            indexed = self._hashes.get(f"s:{candidate}")
            if indexed is None or abs(at - indexed["t"]) > self._window:
                continue
            score = self._hasher.similarity(signature, self._hasher.decode(indexed["sig"]))
            if self._same_story(score, own, indexed) and (best is None or score > best[1]):
                best = (candidate, score)
        return best

    def _same_story(self, score: float, own: dict[str, list[str]], indexed: dict[str, Any]) -> bool:
        """A high score decides alone; a middling one only with the headline and the figures agreeing."""
        settings = self._settings
        if score >= settings.threshold:
            return True
        if score < settings.related_threshold or "hw" not in indexed:
            return False
        return (
            _jaccard(own["hw"], indexed["hw"]) >= settings.headline_agreement
            and _jaccard(own["fig"], indexed["fig"]) >= settings.figure_agreement
        )

    def _track(self, story: Story, key: str, at: float, now: float) -> None:
        """Remember the story id (for versions and kills) and its copy (for re-sends)."""
        chain_expires = now + self._settings.chain_hours * _HOUR
        self._stories[story.id] = {"v": story.version, "h": key, "x": chain_expires}
        self._ledger.schedule("stories", [story.id], chain_expires, now)
        content = f"c:{key}"
        if content not in self._hashes:
            self._hashes[content] = {"id": story.id, "t": at, "x": at + self._window}
            self._ledger.schedule("hashes", [content], at + self._window, now)

    def _index(
        self,
        story_id: str,
        signature: Signature,
        own: dict[str, list[str]],
        band_keys: list[str],
        at: float,
        now: float,
    ) -> None:
        """Make the story findable as the original of later near-duplicates."""
        expires = at + self._window
        self._hashes[f"s:{story_id}"] = {"sig": self._hasher.encode(signature), "t": at, "x": expires, **own}
        limit = self._settings.band_bucket_limit
        for band_key in band_keys:
            members = [entry for entry in self._bands.get(band_key, ()) if entry[0] != story_id]
            self._bands[band_key] = [*members, [story_id, expires]][-limit:]
        self._ledger.schedule("hashes", [f"s:{story_id}"], expires, now)
        self._ledger.schedule("bands", band_keys, expires, now)

    def _release(self, decision: Decision, story_id: str) -> Decision:
        """Append the kills that were waiting for this story, which are emitted after it."""
        waiting = self._held.pop(story_id, None)
        if waiting is None:
            return decision
        kills = [Story.model_validate(kill) for kill in waiting["kills"]]
        return replace(decision, emit=[*decision.emit, *kills])

    def _remember(self, delivery: str, key: str, decision: Decision, now: float) -> None:
        released = [emitted.model_dump(mode="json") for emitted in decision.emit[1:]]
        expires = now + self._window
        self._hashes[f"d:{delivery}"] = {
            "h": key,
            "o": decision.outcome,
            "of": decision.of,
            "s": decision.score,
            "k": released,
            "x": expires,
        }
        self._ledger.schedule("hashes", [f"d:{delivery}"], expires, now)

    def _replayed(self, delivery: str, key: str, story: Story) -> Decision | None:
        """The decision taken when this very delivery was processed before (at-least-once redelivery)."""
        record = self._hashes.get(f"d:{delivery}")
        if record is None or record["h"] != key:
            return None
        outcome: Outcome = record["o"]
        emit: list[Story] = []
        if outcome in _EMITTED:
            marked = outcome == "near_duplicate"
            emit.append(story.model_copy(update={"near_duplicate_of": record["of"]}) if marked else story)
        emit.extend(Story.model_validate(kill) for kill in record["k"])
        return Decision(outcome, emit, of=record["of"], score=record["s"])


def _delivery_key(story: Story) -> str | None:
    if story.lineage is None:
        return None
    return f"{story.lineage.raw_id}#{story.lineage.item_index}"


def _story_time(story: Story, now: float) -> float:
    if story.version_created is not None:
        return story.version_created.timestamp()
    if story.lineage is not None:
        return story.lineage.received_at.timestamp()
    return now


def _jaccard(left: list[str], right: list[str]) -> float:
    union = set(left) | set(right)
    return len(set(left) & set(right)) / len(union) if union else 1.0
