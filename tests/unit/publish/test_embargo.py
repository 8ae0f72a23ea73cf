from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.publish.embargo import EmbargoHold
from shared.errors import InvalidInput
from shared.models import Story

NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _story(story_id: str = "ap:1", *, until: datetime | None = NOW + HOUR, **changes: Any) -> Story:
    agency, agency_id = story_id.split(":")
    story = Story(
        id=story_id, agency=agency, agency_id=agency_id, format="nitf", headline="Budget figures", embargoed_until=until
    )
    return story.model_copy(update=changes)


@pytest.fixture
def store() -> dict[str, Any]:
    return {}


def test_future_embargo_is_held_and_stored_as_json(store: dict[str, Any]) -> None:
    hold = EmbargoHold(store)
    assert hold.hold(_story(), NOW) is True
    assert hold.size() == 1
    assert hold.next_release() == NOW + HOUR
    assert store["ap:1"]["release"] == "2024-03-05T13:00:00Z"
    assert json.loads(json.dumps(store))["ap:1"]["story"]["headline"] == "Budget figures"


def test_no_or_past_embargo_goes_out_now(store: dict[str, Any]) -> None:
    hold = EmbargoHold(store)
    assert hold.hold(_story(until=None), NOW) is False
    assert hold.hold(_story(until=NOW), NOW) is False
    assert hold.hold(_story(until=NOW - HOUR), NOW) is False
    assert hold.size() == 0
    assert hold.next_release() is None


def test_update_replaces_the_held_story_with_its_own_release(store: dict[str, Any]) -> None:
    hold = EmbargoHold(store)
    hold.hold(_story(), NOW)
    assert hold.hold(_story(version=2, headline="Budget figures revised", until=NOW + 3 * HOUR), NOW) is True
    assert hold.size() == 1
    assert hold.due(NOW + 2 * HOUR) == []
    [released] = hold.due(NOW + 3 * HOUR)
    assert (released.version, released.headline) == (2, "Budget figures revised")


def test_kill_replaces_the_held_story_and_keeps_its_release(store: dict[str, Any]) -> None:
    hold = EmbargoHold(store)
    hold.hold(_story(), NOW)
    kill = _story(version=2, until=None, pubstatus="canceled", signals=["kill"])
    assert hold.hold(kill, NOW) is True
    assert hold.next_release() == NOW + HOUR
    assert hold.due(NOW + HOUR) == [kill]


def test_update_without_embargo_lifts_it(store: dict[str, Any]) -> None:
    hold = EmbargoHold(store)
    hold.hold(_story(), NOW)
    assert hold.hold(_story(version=2, until=None), NOW) is False
    assert hold.size() == 0


def test_late_older_version_is_swallowed(store: dict[str, Any]) -> None:
    hold = EmbargoHold(store)
    hold.hold(_story(version=3), NOW)
    assert hold.hold(_story(version=2, until=None), NOW) is True
    assert [story.version for story in hold.due(NOW + HOUR)] == [3]


def test_due_releases_in_release_order_then_id(store: dict[str, Any]) -> None:
    hold = EmbargoHold(store)
    for story_id, until in [
        ("ap:c", NOW + 2 * HOUR),
        ("ap:b", NOW + HOUR),
        ("ap:a", NOW + HOUR),
        ("ap:d", NOW + 9 * HOUR),
    ]:
        hold.hold(_story(story_id, until=until), NOW)
    assert hold.due(NOW) == []
    assert [story.id for story in hold.due(NOW + 2 * HOUR)] == ["ap:a", "ap:b", "ap:c"]
    assert hold.size() == 1
    assert hold.next_release() == NOW + 9 * HOUR
    assert hold.due(NOW + 2 * HOUR) == []


def test_due_compares_instants_not_text(store: dict[str, Any]) -> None:
    hold = EmbargoHold(store)
    store["ap:x"] = {"release": "2024-03-05T14:30:00+02:00", "story": _story("ap:x").model_dump(mode="json")}
    assert [story.id for story in hold.due(NOW + HOUR)] == ["ap:x"]  # 12:30Z is before 13:00Z


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"story": {}}, "embargo hold 'ap:1': no readable release time"),
        ({"release": "soon"}, "embargo hold 'ap:1': no readable release time"),
        ({"release": "2024-03-05T13:00:00"}, "embargo hold 'ap:1': release time has no timezone"),
        ({"release": "2024-03-05T11:00:00Z", "story": {"id": 1}}, "embargo hold 'ap:1': the held story is not a Story"),
    ],
)
def test_corrupt_entries_are_invalid_input(store: dict[str, Any], entry: dict[str, Any], reason: str) -> None:
    store["ap:1"] = entry
    with pytest.raises(InvalidInput) as caught:
        EmbargoHold(store).due(NOW)
    assert caught.value.reason == reason
