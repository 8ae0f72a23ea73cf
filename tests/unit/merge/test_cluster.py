from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from services.merge.cluster import EventIndex
from services.merge.config import MergeSettings
from services.merge.credits import credit_line
from shared.models import Entity, Place, Story, Translation

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NAMES = MergeSettings().names


def _story(
    sid: str, headline: str, lede: str, *, en: Translation | None = None, people=(), countries=(), **kw
) -> Story:
    agency, agency_id = sid.split(":")
    return Story(
        id=sid,
        agency=agency,
        agency_id=agency_id,
        format="test",
        headline=headline,
        body_text=lede,
        people=[Entity(name=p, source="test") for p in people],
        places=[Place(name=c, country=c) for c in countries],
        translations={"en": en} if en else {},
        **kw,
    )


REUTERS = _story(
    "reuters:L1",
    "Russia's Lavrov meets French foreign minister in Moscow on Ukraine grain corridor",
    "MOSCOW, Nov 28 (Reuters) - Russian Foreign Minister Sergei Lavrov met his French counterpart in Moscow on "
    "Saturday to discuss reopening the Black Sea grain corridor, the foreign ministry said.",
    people=["Sergei Lavrov"],
    countries=["RU", "FR"],
)
TASS = _story(
    "tass:T1",
    "Лавров обсудил с главой МИД Франции зерновой коридор",
    "МОСКВА, 28 ноября. /ТАСС/. Министр иностранных дел России Сергей Лавров провел переговоры с французским коллегой.",
    en=Translation(
        headline="Lavrov discussed the grain corridor with the French foreign minister",
        lede="Russian Foreign Minister Sergei Lavrov held talks in Moscow with his French counterpart on the "
        "Black Sea grain corridor.",
        engine="test",
    ),
    people=["Sergei Lavrov"],
    countries=["RU", "FR"],
)
AFP = _story(
    "afp:A1",
    "Lavrov reçoit son homologue français à Moscou",
    "MOSCOU (AFP) - Le ministre russe des Affaires étrangères Sergueï Lavrov a reçu samedi son homologue français.",
    en=Translation(
        headline="Lavrov receives his French counterpart in Moscow",
        lede="Russian foreign minister Sergei Lavrov received his French counterpart in Moscow on Saturday to "
        "discuss the Black Sea grain corridor.",
        engine="test",
    ),
    people=["Sergei Lavrov"],
    countries=["RU", "FR"],
)
AP = _story(
    "ap:P1",
    "Russian, French foreign ministers meet in Moscow over grain corridor",
    "MOSCOW (AP) - Russia's top diplomat Sergei Lavrov and the French foreign minister met in Moscow on Saturday "
    "for talks on the Black Sea grain corridor.",
    people=["Sergei Lavrov"],
    countries=["RU", "FR"],
)
SANCTIONS = _story(
    "reuters:L2",
    "Lavrov says Russia will veto new North Korea sanctions at the Security Council",
    "MOSCOW, Nov 28 (Reuters) - Sergei Lavrov said Russia would block a U.S.-drafted resolution tightening "
    "sanctions on North Korea over its missile launches.",
    people=["Sergei Lavrov"],
    countries=["RU", "KP"],
)


def _index() -> EventIndex:
    return EventIndex(MergeSettings(), events={}, postings={}, story_events={})


def test_four_agencies_in_four_styles_form_one_event_with_the_credit_line() -> None:
    index = _index()
    results = [index.assign(s, NOW + timedelta(minutes=i)) for i, s in enumerate([REUTERS, TASS, AFP, AP])]
    assert len({r.story.event_id for r in results}) == 1
    event = results[-1].event
    assert event is not None
    assert event.credit_line == "With reporting by Reuters, TASS, AFP, and AP"
    assert event.lead == "reuters:L1"
    assert [m.story_id for m in event.members] == ["reuters:L1", "tass:T1", "afp:A1", "ap:P1"]
    assert event.version == 4
    assert any(e.startswith("people/orgs: sergei lavrov") for e in event.members[1].evidence)


def test_same_minister_same_day_different_event_stays_apart() -> None:
    index = _index()
    first = index.assign(REUTERS, NOW)
    other = index.assign(SANCTIONS, NOW + timedelta(minutes=5))
    assert first.story.event_id != other.story.event_id
    assert other.outcome == "opened"


def test_killed_member_leaves_the_credit_line_and_all_killed_cancels() -> None:
    index = _index()
    index.assign(REUTERS, NOW)
    index.assign(AP, NOW)
    killed = index.assign(AP.model_copy(update={"version": 2, "pubstatus": "canceled"}), NOW)
    assert killed.event is not None
    assert killed.event.credit_line == "With reporting by Reuters"
    assert killed.event.pubstatus == "usable"
    gone = index.assign(REUTERS.model_copy(update={"version": 2, "pubstatus": "canceled"}), NOW)
    assert gone.event is not None and gone.event.pubstatus == "canceled"


def test_update_reemits_with_higher_version_and_replay_changes_nothing() -> None:
    index = _index()
    index.assign(REUTERS, NOW)
    update = index.assign(REUTERS.model_copy(update={"version": 2}), NOW)
    assert update.outcome == "updated" and update.event is not None and update.event.version == 2
    replay = index.assign(REUTERS.model_copy(update={"version": 2}), NOW)
    assert replay.outcome == "unchanged" and replay.event is None
    assert replay.story.event_id == update.story.event_id


def test_quiet_events_close_and_state_is_json() -> None:
    events: dict = {}
    postings: dict = {}
    story_events: dict = {}
    index = EventIndex(MergeSettings(), events=events, postings=postings, story_events=story_events)
    index.assign(REUTERS, NOW)
    orjson.loads(orjson.dumps([events, postings, story_events]))
    assert index.close_quiet(NOW + timedelta(hours=47)) == 0
    assert index.close_quiet(NOW + timedelta(hours=50)) == 1
    assert events == {} and story_events == {}
    late = index.assign(AP, NOW + timedelta(hours=50))
    assert late.outcome == "opened"


def test_credit_line_styles() -> None:
    assert credit_line(["reuters"], NAMES) == "With reporting by Reuters"
    assert credit_line(["reuters", "ap"], NAMES) == "With reporting by Reuters and AP"
    assert (
        credit_line(["reuters", "tass", "afp", "ap", "tass"], NAMES) == "With reporting by Reuters, TASS, AFP, and AP"
    )
