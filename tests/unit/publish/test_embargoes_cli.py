"""`wiredesk embargoes`: the held stories of the publish state, earliest release first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from cli.commands.embargoes import held_lines
from services.publish.embargo import EMBARGO_PREFIX, EmbargoHold
from shared.models import Story
from shared.txrunner import StateStore

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _story(agency_id: str, minutes: int) -> Story:
    return Story(
        id=f"reuters:{agency_id}",
        agency="reuters",
        agency_id=agency_id,
        format="test",
        headline=f"Results {agency_id}",
        body_text="Figures.",
        embargoed_until=NOW + timedelta(minutes=minutes),
    )


def _loaded(records: dict[str, object]) -> StateStore:
    state = StateStore()
    for key, value in records.items():
        state.load(key, orjson.dumps(value))  # as read back from the compacted topic
    return state


def _state() -> StateStore:
    holds: dict[str, object] = {}
    hold = EmbargoHold(holds)
    for agency_id, minutes in (("late", 90), ("soon", 5)):
        assert hold.hold(_story(agency_id, minutes), NOW)
    records: dict[str, object] = {EMBARGO_PREFIX + key: value for key, value in holds.items()}
    records["published:reuters:other"] = {"version": 1, "digest": "x", "topics": []}  # not a hold
    return _loaded(records)


def test_lists_held_stories_earliest_first() -> None:
    assert held_lines(_state(), as_json=False) == [
        "2026-11-28T12:05:00Z  reuters:soon  v1  Results soon",
        "2026-11-28T13:30:00Z  reuters:late  v1  Results late",
    ]


def test_json_lines() -> None:
    first = orjson.loads(held_lines(_state(), as_json=True)[0])
    assert first == {"release": "2026-11-28T12:05:00Z", "id": "reuters:soon", "version": 1, "headline": "Results soon"}


def test_nothing_held() -> None:
    assert held_lines(_loaded({"published:reuters:other": {"version": 1}}), as_json=False) == []
