"""The dedup decision for one story: a few durable records, and indexes derived from them in memory.

Durable state is one key-value store (`MutableMapping[str, JSON-able]`: a Faust table or a dict):

- `s:<story id>`  the chain head: latest version `v`, its content key `h`, its time `t`, agency `a`,
                  the content keys it was first with (`copies`), and its MinHash signature and anchors
                  when it can be the original of near-duplicates. Or an alias `{"of": head id, "v"}` for
                  an id that re-filed or replaced a head. Kept `chain_hours`.
- `d:<raw id>#<item index>`  the decision taken for that delivery, so a redelivery replays it. Kept
                  `window_hours`.
- `k:<story id>`  kills that arrived before their story. Kept `kill_hold_hours`.

A story costs two writes (its delivery, then its head), both in one store, written in that order: a
crash can lose a suffix of them but never keep the head without its delivery, so a redelivered story is
either replayed or decided afresh, never taken for a re-send of itself. The copy map, the LSH buckets
and the expiry queue are derived: kept in memory and rebuilt from the store by `rebuild`.

Rules, first match wins: a delivery seen before replays its decision; a kill goes out under its chain's
head id when the chain is known, else is held until its story comes; a known story id, or the id
`replaces` names, makes a newer version `version` (an id linked by `replaces` or by re-filing goes out
under the head's id as the next version), an older one `stale`, the same copy again `resend`; the same
copy under another id within the window is a `resend` from the same agency and a `near_duplicate`
(score 1.0) from another; a copy whose estimated Jaccard with an indexed story (over the shingles of
the first `lead_words` words of the body) reaches `threshold` is a `near_duplicate`; anything else is
`new`. A higher version that arrives before version 1 is therefore `new`, and version 1 then `stale`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, NamedTuple

from services.dedup.config import DedupSettings
from services.dedup.core.expiry import ExpiryQueue, Kind
from services.dedup.core.minhash import MinHasher, Signature
from services.dedup.core.normalise import anchors, content_key, normalised_text, shingle_words
from shared.models import Story

__all__ = ["Decision", "DedupIndex", "Outcome"]

Outcome = Literal["new", "resend", "version", "stale", "kill", "held", "near_duplicate"]
_EMITTED: frozenset[str] = frozenset({"new", "version", "kill", "near_duplicate"})
_KILL_SIGNALS = frozenset({"kill", "withdrawal"})
_RENAMED_FIELDS = ("id", "agency_id", "version", "near_duplicate_of")
_KEPT_COPIES = 16
_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Decision:
    """What dedup did with one story, and the stories it releases downstream (in order)."""

    outcome: Outcome
    emit: list[Story] = field(default_factory=list)
    of: str | None = None
    score: float | None = None
    lookup_seconds: float = 0.0


class DerivedSizes(NamedTuple):
    """How much the in-memory indexes hold (for gauges and tests)."""

    copies: int
    indexed: int
    buckets: int
    largest_bucket: int
    held_kills: int


class _Copy(NamedTuple):
    story_id: str
    at: float
    agency: str


class _Writes:
    """The durable writes of one decision, applied together; reads see them before they are applied."""

    def __init__(self, state: MutableMapping[str, Any]) -> None:
        self._state = state
        self._pending: dict[str, dict[str, Any] | None] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        if key in self._pending:
            return self._pending[key]
        value: dict[str, Any] | None = self._state.get(key)
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._pending[key] = value

    def drop(self, key: str) -> None:
        self._pending[key] = None

    def apply(self, expiry: ExpiryQueue) -> None:
        for key, value in self._pending.items():
            if value is None:
                self._state.pop(key, None)
            else:
                self._state[key] = value
                expiry.schedule(value["x"], "record", key)


class DedupIndex:
    """Decides stories one at a time against durable records in `state` and indexes derived from them."""

    def __init__(self, settings: DedupSettings, *, state: MutableMapping[str, Any]) -> None:
        self._settings = settings
        self._hasher = MinHasher(
            shingle_size=settings.shingle_size,
            permutations=settings.permutations,
            bands=settings.bands,
            seed=settings.seed,
        )
        self._state = state
        self._window = settings.window_hours * _HOUR
        self._chain = settings.chain_hours * _HOUR
        self._copies: dict[str, _Copy] = {}
        self._buckets: dict[int, list[str]] = {}
        self._banded: dict[str, tuple[float, list[int]]] = {}
        self._expiry = ExpiryQueue()
        self._held_kills = 0

    def decide(self, story: Story, now: datetime) -> Decision:
        """Classify `story` at processing time `now`, update the index, and say what to emit."""
        started = time.perf_counter()
        clock = now.timestamp()
        key = content_key(normalised_text(story))
        delivery = _delivery_key(story)
        decision = self._replayed(delivery, key, story) if delivery else None
        if decision is None:
            writes = _Writes(self._state)
            decision = self._classify(story, _story_time(story, clock), key, clock, writes)
            if delivery:
                self._remember(delivery, key, story, decision, clock)
            writes.apply(self._expiry)
        return replace(decision, lookup_seconds=time.perf_counter() - started)

    def expire(self, now: datetime) -> int:
        """Drop what has aged out of the window, chain retention and hold time; how many entries."""
        clock = now.timestamp()
        return sum(self._drop(kind, key, clock) for kind, key in self._expiry.due(clock))

    def rebuild(self, now: datetime) -> int:
        """Derive the copy map, LSH buckets and expiry queue from the durable store; the heads indexed.

        Heads are replayed oldest first, so each copy keeps its first holder and each bucket ends with
        its newest members, as `decide` leaves them.
        """
        self._copies.clear()
        self._buckets.clear()
        self._banded.clear()
        self._expiry.clear()
        self._held_kills = 0
        heads: list[tuple[float, str, dict[str, Any]]] = []
        for key, record in self._state.items():
            self._expiry.schedule(record["x"], "record", key)
            if key.startswith("k:"):
                self._held_kills += 1
            elif key.startswith("s:") and "of" not in record:
                heads.append((record["t"], key[2:], record))
        clock = now.timestamp()
        for at, story_id, record in sorted(heads, key=lambda head: head[:2]):
            for content, copied_at in record["copies"]:
                if copied_at + self._window > clock:
                    self._claim_copy(content, story_id, copied_at, record["a"])
            if "sig" in record and at + self._window > clock:
                self._band(story_id, self._hasher.band_keys(self._hasher.decode(record["sig"])), at)
        return len(heads)

    def sizes(self) -> DerivedSizes:
        """How much the derived indexes hold now."""
        buckets = self._buckets.values()
        return DerivedSizes(
            copies=len(self._copies),
            indexed=len(self._banded),
            buckets=len(self._buckets),
            largest_bucket=max(map(len, buckets), default=0),
            held_kills=self._held_kills,
        )

    def _classify(self, story: Story, at: float, key: str, now: float, writes: _Writes) -> Decision:
        head = self._head(story, writes)
        if story.pubstatus == "canceled" or _KILL_SIGNALS.intersection(story.signals):
            return self._kill(story, head, now, writes)
        if head is not None:
            return self._versioned(story, head, key, at, now, writes)
        copy = self._copies.get(key)
        if copy is not None and abs(at - copy.at) <= self._window:
            if copy.agency == story.agency:
                # The agency re-filed its copy under a new id: that id's later versions and kills follow the first.
                writes.put(f"s:{story.id}", {"of": copy.story_id, "v": story.version, "x": now + self._chain})
                return self._release(Decision("resend", of=copy.story_id), story.id, copy.story_id, writes)
            marked = story.model_copy(update={"near_duplicate_of": copy.story_id})
            self._track(marked, key, at, now, writes, None)
            decision = Decision("near_duplicate", [marked], of=copy.story_id, score=1.0)
            return self._release(decision, story.id, story.id, writes)
        tokens = shingle_words(story, self._settings.lead_words)
        own = anchors(story, tokens)
        signature = self._hasher.signature(tokens)
        match = None
        if signature is not None and self._hasher.shingle_count(tokens) >= self._settings.min_shingles:
            match = self._nearest(story.id, signature, own, at, writes)
        if match is not None:
            # A near-duplicate is not indexed itself, so later copies point at the original.
            marked = story.model_copy(update={"near_duplicate_of": match[0]})
            self._track(marked, key, at, now, writes, None)
            decision = Decision("near_duplicate", [marked], of=match[0], score=match[1])
            return self._release(decision, story.id, story.id, writes)
        self._track(story, key, at, now, writes, (signature, own) if signature is not None else None)
        return self._release(Decision("new", [story]), story.id, story.id, writes)

    def _head(self, story: Story, writes: _Writes) -> tuple[str, dict[str, Any]] | None:
        """The chain the story belongs to (by its own id, or the id it replaces): head id and record."""
        candidates = [story.id]
        if story.replaces:
            candidates += [story.replaces, f"{story.agency}:{story.replaces}"]
        for candidate in candidates:
            record = writes.get(f"s:{candidate}")
            if record is None:
                continue
            if "of" not in record:
                return candidate, record
            head = writes.get(f"s:{record['of']}")
            if head is not None:
                return record["of"], head
        return None

    def _kill(self, story: Story, head: tuple[str, dict[str, Any]] | None, now: float, writes: _Writes) -> Decision:
        if head is None:
            waiting = writes.get(f"k:{story.id}")
            kills = [*(waiting["kills"] if waiting else []), story.model_dump(mode="json")]
            writes.put(f"k:{story.id}", {"kills": kills, "x": now + self._settings.kill_hold_hours * _HOUR})
            self._held_kills += waiting is None
            return Decision("held")
        head_id = head[0]
        return Decision("kill", [self._under_head(story, head_id, writes)], of=head_id)

    def _under_head(self, kill: Story, head_id: str, writes: _Writes) -> Story:
        """The kill as its chain's head: its id, and a version no lower than the head's, so it is not stale."""
        record = writes.get(f"s:{head_id}")
        assert record is not None
        version = max(kill.version, record["v"])
        if version > record["v"]:
            writes.put(f"s:{head_id}", {**record, "v": version})
        return _renamed(kill, head_id, version)

    def _versioned(
        self, story: Story, head: tuple[str, dict[str, Any]], key: str, at: float, now: float, writes: _Writes
    ) -> Decision:
        head_id, record = head
        if story.id == head_id:
            if story.version < record["v"]:
                return Decision("stale", of=head_id)
            if story.version == record["v"] and record["h"] == key:
                return Decision("resend", of=head_id)
            version = story.version
        else:
            alias = writes.get(f"s:{story.id}")
            if alias is not None and story.version < alias["v"]:
                return Decision("stale", of=head_id)
            if record["h"] == key:
                return Decision("resend", of=head_id)
            version = record["v"] + 1
            writes.put(f"s:{story.id}", {"of": head_id, "v": story.version, "x": now + self._chain})
        emitted = _renamed(story, head_id, version)
        tokens = shingle_words(story, self._settings.lead_words)
        signature = self._hasher.signature(tokens)
        self._track(emitted, key, at, now, writes, (signature, anchors(story, tokens)) if signature else None)
        return self._release(Decision("version", [emitted], of=head_id), story.id, head_id, writes)

    def _nearest(
        self, own_id: str, signature: Signature, own: dict[str, list[str]], at: float, writes: _Writes
    ) -> tuple[str, float] | None:
        buckets = self._buckets
        band_keys = self._hasher.band_keys(signature)
        hits = Counter(member for key in band_keys for member in buckets.get(key, ()) if member != own_id)
        best: tuple[str, float] | None = None
        for candidate, _ in hits.most_common(self._settings.max_candidates):
            indexed = writes.get(f"s:{candidate}")
            if indexed is None or "sig" not in indexed or abs(at - indexed["t"]) > self._window:
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
        if score < settings.related_threshold:
            return False
        return (
            _jaccard(own["hw"], indexed["hw"]) >= settings.headline_agreement
            and _jaccard(own["fig"], indexed["fig"]) >= settings.figure_agreement
        )

    def _track(
        self,
        story: Story,
        key: str,
        at: float,
        now: float,
        writes: _Writes,
        indexed: tuple[Signature, dict[str, list[str]]] | None,
    ) -> None:
        """Write the chain head (for versions, kills and re-sends); with a signature, make it an original."""
        previous = writes.get(f"s:{story.id}") or {}
        copies = [copy for copy in previous.get("copies", ()) if copy[1] + self._window > now]
        if self._claim_copy(key, story.id, at, story.agency):
            copies.append([key, at])
        record: dict[str, Any] = {
            "v": story.version,
            "h": key,
            "t": at,
            "a": story.agency,
            "copies": copies[-_KEPT_COPIES:],
            "x": now + self._chain,
        }
        if indexed is None:
            self._unband(story.id)
        else:
            signature, own = indexed
            record |= {"sig": self._hasher.encode(signature), **own}
            self._band(story.id, self._hasher.band_keys(signature), at)
        writes.put(f"s:{story.id}", record)

    def _claim_copy(self, key: str, story_id: str, at: float, agency: str) -> bool:
        if key in self._copies:
            return False
        self._copies[key] = _Copy(story_id, at, agency)
        self._expiry.schedule(at + self._window, "copy", key)
        return True

    def _band(self, story_id: str, band_keys: list[int], at: float) -> None:
        self._unband(story_id)
        limit = self._settings.band_bucket_limit
        for band_key in band_keys:
            members = self._buckets.setdefault(band_key, [])
            members.append(story_id)
            if len(members) > limit:
                del members[0]
        self._banded[story_id] = (at, band_keys)
        self._expiry.schedule(at + self._window, "bands", story_id)

    def _unband(self, story_id: str) -> int:
        banded = self._banded.pop(story_id, None)
        if banded is None:
            return 0
        for band_key in banded[1]:
            members = self._buckets.get(band_key)
            if members is not None and story_id in members:
                members.remove(story_id)
                if not members:
                    del self._buckets[band_key]
        return 1

    def _drop(self, kind: Kind, key: str, now: float) -> int:
        """Drop one queued entry if it is still due (it may have been rewritten with a later time)."""
        if kind == "record":
            record = self._state.get(key)
            if record is None or record["x"] > now:
                return 0
            del self._state[key]
            self._held_kills -= key.startswith("k:")
            return 1
        if kind == "copy":
            copy = self._copies.get(key)
            if copy is None or copy.at + self._window > now:
                return 0
            del self._copies[key]
            return 1
        banded = self._banded.get(key)
        if banded is None or banded[0] + self._window > now:
            return 0
        return self._unband(key)

    def _release(self, decision: Decision, story_id: str, head_id: str, writes: _Writes) -> Decision:
        """Append the kills that were waiting for this story, as kills of its chain, emitted after it."""
        waiting = writes.get(f"k:{story_id}")
        if waiting is None:
            return decision
        writes.drop(f"k:{story_id}")
        self._held_kills -= 1
        kills = [self._under_head(Story.model_validate(kill), head_id, writes) for kill in waiting["kills"]]
        return replace(decision, emit=[*decision.emit, *kills])

    def _remember(self, delivery: str, key: str, story: Story, decision: Decision, now: float) -> None:
        emitted = decision.outcome in _EMITTED
        first = decision.emit[0] if emitted else story
        released = decision.emit[1:] if emitted else decision.emit
        record: dict[str, Any] = {
            "h": key,
            "o": decision.outcome,
            "of": decision.of,
            "s": decision.score,
            "u": {
                name: getattr(first, name) for name in _RENAMED_FIELDS if getattr(first, name) != getattr(story, name)
            },
            "k": [kill.model_dump(mode="json") for kill in released],
            "x": now + self._window,
        }
        # Written before the head (see the module docstring): a crash never keeps a head without its delivery.
        self._state[f"d:{delivery}"] = record
        self._expiry.schedule(record["x"], "record", f"d:{delivery}")

    def _replayed(self, delivery: str, key: str, story: Story) -> Decision | None:
        """The decision taken when this very delivery was processed before (at-least-once redelivery)."""
        record = self._state.get(f"d:{delivery}")
        if record is None or record["h"] != key:
            return None
        outcome: Outcome = record["o"]
        emit = [story.model_copy(update=record["u"])] if outcome in _EMITTED else []
        emit.extend(Story.model_validate(kill) for kill in record["k"])
        return Decision(outcome, emit, of=record["of"], score=record["s"])


def _renamed(story: Story, head_id: str, version: int) -> Story:
    if story.id == head_id and story.version == version:
        return story
    return story.model_copy(update={"id": head_id, "agency_id": head_id.split(":", 1)[1], "version": version})


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
