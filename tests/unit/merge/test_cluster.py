from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from bench.bench_merge import b_cubed, cluster_labelled, load_labelled
from services.merge.cluster import EventIndex
from services.merge.config import MergeSettings
from shared.models import Dateline, Story

STORIES = {story.id: story for _, story in load_labelled()}
FOUR = [STORIES[i] for i in ("reuters:RU-LAV-01", "tass:TS-1187", "afp:AFP-3KX91", "ap:AP-77d1e0")]
REUTERS, TASS, AFP, AP = FOUR
SANCTIONS = STORIES["reuters:RU-LAV-02"]
NOW = datetime(2026, 11, 28, 10, 30, tzinfo=UTC)


def _index(**stores: dict) -> EventIndex:
    return EventIndex(
        MergeSettings(),
        events=stores.get("events", {}),
        postings=stores.get("postings", {}),
        story_events=stores.get("story_events", {}),
    )


def _killed(story: Story, version: int = 2) -> Story:
    return story.model_copy(update={"version": version, "pubstatus": "canceled", "body_text": "Story withdrawn."})


def test_four_agencies_in_three_languages_form_one_event() -> None:
    index = _index()
    results = [index.assign(story, NOW) for story in FOUR]
    assert [r.outcome for r in results] == ["opened", "joined", "joined", "joined"]
    assert len({r.story.event_id for r in results}) == 1
    event = results[-1].event
    assert event is not None
    assert event.credit_line == "With reporting by Reuters, TASS, AFP, and AP"
    assert event.lead == "reuters:RU-LAV-01"
    assert [m.story_id for m in event.members] == [s.id for s in FOUR]
    assert event.version == 4 and event.pubstatus == "usable"
    tass = event.members[1]
    assert "people: Sergei Lavrov" in tass.evidence
    assert "place: FR, RU" in tass.evidence
    assert "within 1h" in tass.evidence
    assert tass.evidence[0].startswith("text cosine ") and float(tass.evidence[0].split()[-1]) >= 0.4
    assert 0.4 <= tass.score <= 1.0


def test_event_shows_its_lead_and_the_most_urgent_live_member() -> None:
    index = _index()
    index.assign(TASS.model_copy(update={"urgency": 4}), NOW)
    index.assign(AP.model_copy(update={"urgency": 2}), NOW)
    reuters = REUTERS.model_copy(update={"dateline": Dateline(text="MOSCOW, Nov 28 (Reuters)", place="Moscow")})
    event = index.assign(reuters, NOW).event
    assert event is not None and event.lead == REUTERS.id
    assert (event.headline, event.language, event.located, event.urgency) == (REUTERS.headline, "en", "Moscow", 2)
    killed = index.assign(_killed(AP.model_copy(update={"urgency": 2})), NOW).event
    assert killed is not None and killed.urgency == 4


def test_same_minister_same_day_different_event_stays_apart() -> None:
    index = _index()
    grain = index.assign(REUTERS, NOW)
    sanctions = index.assign(SANCTIONS, NOW + timedelta(hours=3))
    assert sanctions.outcome == "opened"
    assert sanctions.story.event_id != grain.story.event_id
    assert sanctions.candidates == 1  # found through Lavrov, then refused on the text


def test_killed_member_leaves_the_credit_line_and_all_killed_cancels() -> None:
    index = _index()
    index.assign(REUTERS, NOW)
    index.assign(AP, NOW)
    killed = index.assign(_killed(AP), NOW)
    assert killed.outcome == "updated" and killed.event is not None
    assert killed.event.credit_line == "With reporting by Reuters"
    assert killed.event.pubstatus == "usable" and killed.event.lead == REUTERS.id
    assert [m.canceled for m in killed.event.members] == [False, True]
    gone = index.assign(_killed(REUTERS), NOW)
    assert gone.event is not None and gone.event.pubstatus == "canceled"
    assert gone.event.credit_line == ""


def test_kill_of_an_unknown_story_opens_nothing() -> None:
    index = _index()
    result = index.assign(_killed(AP), NOW)
    assert result.outcome == "ignored" and result.event is None and result.story.event_id is None
    assert index.events == {}


def test_update_reemits_with_higher_version_and_replay_changes_nothing() -> None:
    index = _index()
    index.assign(REUTERS, NOW)
    index.assign(AP, NOW)
    longer = REUTERS.model_copy(update={"version": 2, "body_text": REUTERS.body_text + "\n\nMore detail."})
    update = index.assign(longer, NOW + timedelta(minutes=5))
    assert update.outcome == "updated" and update.event is not None
    assert update.event.version == 3
    assert [(m.story_id, m.version) for m in update.event.members] == [(REUTERS.id, 2), (AP.id, 1)]
    assert update.event.updated_at == NOW + timedelta(minutes=5)
    replay = index.assign(longer, NOW + timedelta(minutes=6))
    stale = index.assign(REUTERS, NOW + timedelta(minutes=6))
    assert (replay.outcome, replay.event) == ("unchanged", None)
    assert (stale.outcome, stale.event) == ("unchanged", None)
    assert replay.story.event_id == update.story.event_id


def test_lead_prefers_agency_order_then_longer_copy() -> None:
    settings = MergeSettings(lead_preference="ap,reuters")
    index = EventIndex(settings, events={}, postings={}, story_events={})
    index.assign(REUTERS, NOW)
    assert index.assign(TASS, NOW).event.lead == REUTERS.id  # type: ignore[union-attr]
    assert index.assign(AP, NOW).event.lead == AP.id  # type: ignore[union-attr]


def test_quiet_events_close_after_48_hours_and_leave_no_state() -> None:
    events: dict = {}
    postings: dict = {}
    story_events: dict = {}
    index = _index(events=events, postings=postings, story_events=story_events)
    index.assign(REUTERS, NOW)
    index.assign(TASS, NOW + timedelta(hours=1))
    assert index.close_quiet(NOW + timedelta(hours=48)) == 0
    assert index.close_quiet(NOW + timedelta(hours=51)) == 1
    assert events == {} and story_events == {}
    assert postings == {"q:hours": []}
    late = index.assign(AP, NOW + timedelta(hours=51))
    assert late.outcome == "opened"


def test_state_round_trips_through_orjson() -> None:
    stores: dict[str, dict] = {"events": {}, "postings": {}, "story_events": {}}
    index = _index(**stores)
    for story in FOUR:
        index.assign(story, NOW)
    restored = {name: orjson.loads(orjson.dumps(store)) for name, store in stores.items()}
    assert restored == stores
    again = _index(**restored)
    update = again.assign(AP.model_copy(update={"version": 2}), NOW)
    assert update.event is not None and update.event.version == 5
    assert again.assign(SANCTIONS, NOW).outcome == "opened"


def test_eval_set_b_cubed_f1_reaches_the_goal() -> None:
    labelled = load_labelled()
    precision, recall, f1 = b_cubed({s.id: label for label, s in labelled}, cluster_labelled(MergeSettings(), labelled))
    assert precision >= 0.95 and recall >= 0.90 and f1 >= 0.90


def test_b_cubed_counts_a_wrong_merge() -> None:
    gold = {"a": "x", "b": "x", "c": "y"}
    assert b_cubed(gold, {"a": "1", "b": "1", "c": "2"}) == (1.0, 1.0, 1.0)
    precision, recall, _ = b_cubed(gold, {"a": "1", "b": "1", "c": "1"})
    assert precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3) and recall == 1.0


def _untranslated(story: Story) -> Story:
    return story.model_copy(update={"translations": {}, "translation_status": "pending"})


def test_late_translation_of_a_lone_story_places_it_again_on_the_english_words() -> None:
    index = _index()
    index.assign(REUTERS, NOW)
    pending = index.assign(_untranslated(TASS), NOW)
    assert pending.outcome == "opened"  # Russian words alone do not meet the English copy
    translated = index.assign(TASS.model_copy(update={"translation_status": "done"}), NOW)
    assert translated.outcome == "joined"
    assert translated.story.event_id == index.story_events[REUTERS.id]
    assert pending.story.event_id not in index.events
    assert translated.event is not None
    assert translated.event.credit_line == "With reporting by Reuters and TASS"


def test_late_translation_inside_an_event_rescores_without_a_new_event_version() -> None:
    index = _index()
    index.assign(REUTERS, NOW)
    # untranslated copy never meets English copy on its words; a near-duplicate link puts it in at once
    linked = TASS.model_copy(update={"near_duplicate_of": REUTERS.id})
    assert index.assign(_untranslated(linked), NOW).outcome == "joined"
    event_id = index.story_events[REUTERS.id]
    version = index.events[event_id]["version"]
    result = index.assign(linked, NOW)
    assert (result.outcome, result.event, result.story.event_id) == ("translated", None, event_id)
    assert index.events[event_id]["version"] == version
    member = next(m for m in index.events[event_id]["members"] if m["story_id"] == TASS.id)
    assert member["translated"] is True
    assert index.assign(linked, NOW).outcome == "unchanged"  # a repeat of the translated copy
