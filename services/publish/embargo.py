"""Holding embargoed stories until their release time, over any mapping of JSON-able values.

The service backs the mapping with its transactional state store, so a hold survives restarts and
is committed together with the offsets of the message that caused it. Each entry is keyed by story
id: ``{"release": "<ISO-8601 UTC>", "story": <Story as JSON>}``. Time always arrives as an argument.

Rules:

* A story whose embargo lies in the future is held; one whose embargo has passed is not.
* A later message for a held story (an update, a refile, a kill) replaces the held one. A kill keeps
  the held release time; an update takes its own embargo, and goes out at once when it has none left
  (the agency lifted the embargo). An older version than the one held is dropped.
* `due` hands back the stories whose release time has come, earliest first (ties by story id).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from shared.errors import InvalidInput
from shared.models import Story

__all__ = ["EMBARGO_PREFIX", "EmbargoHold"]

EMBARGO_PREFIX = "embargo:"
"""Where the holds live in the publish stage's state (`publish.state.v1`): `embargo:<story id>`."""


class EmbargoHold:
    """Embargoed stories waiting for release, kept in `store` (story id → JSON-able entry)."""

    def __init__(self, store: MutableMapping[str, Any]) -> None:
        self.store = store

    def hold(self, story: Story, now: datetime) -> bool:
        """Hold `story` if it must wait (True), or say it may go out now (False)."""
        held = self.store.get(story.id)
        if held is not None:
            held_story = _story_of(story.id, held)
            if story.version < held_story.version:
                return True  # an older copy arrived late; the newer held one stands
            if story.pubstatus == "canceled":
                self._put(story, _release_of(story.id, held))
                return True
        release = story.embargoed_until
        if release is not None and release > now:
            self._put(story, release)
            return True
        if held is not None:
            del self.store[story.id]  # the update lifts the embargo: the caller publishes it now
        return False

    def due(self, now: datetime) -> list[Story]:
        """Remove and return every held story whose release time is at or before `now`, earliest first."""
        ready = sorted(
            (release, story_id)
            for story_id, entry in self.store.items()
            if (release := _release_of(story_id, entry)) <= now
        )
        stories = [_story_of(story_id, self.store[story_id]) for _, story_id in ready]
        for _, story_id in ready:
            del self.store[story_id]
        return stories

    def listing(self) -> list[tuple[datetime, Story]]:
        """Every held story with its release time, earliest first (ties by story id)."""
        ordered = sorted((_release_of(story_id, entry), story_id) for story_id, entry in self.store.items())
        return [(release, _story_of(story_id, self.store[story_id])) for release, story_id in ordered]

    def next_release(self) -> datetime | None:
        """When the next held story is due; None when nothing is held."""
        return min((_release_of(story_id, entry) for story_id, entry in self.store.items()), default=None)

    def size(self) -> int:
        """How many stories are held."""
        return len(self.store)

    def _put(self, story: Story, release: datetime) -> None:
        self.store[story.id] = {"release": _iso(release), "story": story.model_dump(mode="json")}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _release_of(story_id: str, entry: Any) -> datetime:
    try:
        release = datetime.fromisoformat(entry["release"])
    except (TypeError, KeyError, ValueError) as exc:
        raise InvalidInput(f"embargo hold {story_id!r}: no readable release time", code="bad_hold") from exc
    if release.tzinfo is None:
        raise InvalidInput(f"embargo hold {story_id!r}: release time has no timezone", code="bad_hold")
    return release


def _story_of(story_id: str, entry: Any) -> Story:
    try:
        return Story.model_validate(entry["story"])
    except (TypeError, KeyError, ValidationError) as exc:
        raise InvalidInput(f"embargo hold {story_id!r}: the held story is not a Story", code="bad_hold") from exc
