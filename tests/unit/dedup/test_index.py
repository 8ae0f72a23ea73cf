from __future__ import annotations

from datetime import timedelta

import orjson
import pytest

from services.dedup.config import DedupSettings
from tests.unit.dedup.builders import BODY, NOW, Stores, case_story, eval_cases, story

REWRITE = eval_cases()[0]  # port-rewrite
assert REWRITE["label"] == "near_duplicate"


def test_first_story_is_new_and_emitted(stores: Stores) -> None:
    original = story()
    decision = stores.index().decide(original, NOW)
    assert (decision.outcome, decision.emit, decision.of) == ("new", [original], None)
    assert decision.lookup_seconds > 0


def test_resend_of_same_copy_under_other_id_is_dropped(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(raw_id="feed:1"), NOW)
    resent = story("reuters:port-1-resend", body=f"  <p>{story().body_text}</p> ", raw_id="feed:2")
    decision = index.decide(resent, NOW + timedelta(minutes=5))
    assert (decision.outcome, decision.emit, decision.of) == ("resend", [], "reuters:port-1")


def test_same_story_sent_again_by_other_delivery_is_resend(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(raw_id="feed:1"), NOW)
    assert index.decide(story(raw_id="feed:2"), NOW).outcome == "resend"


def test_resend_outside_window_is_new(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    late = story("reuters:port-9", created=NOW + timedelta(hours=73))
    assert index.decide(late, NOW + timedelta(hours=73)).outcome == "new"


def test_higher_version_replaces_and_keeps_signals(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    update = story(version=2, body=BODY_V2, signals=["update", "writethru"])
    decision = index.decide(update, NOW)
    assert (decision.outcome, decision.of) == ("version", "reuters:port-1")
    assert decision.emit == [update]
    assert decision.emit[0].signals == ["update", "writethru"]
    assert stores.head("reuters:port-1")["v"] == 2


def test_story_linked_by_replaces_is_a_version(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    linked = story("reuters:port-1a", body=BODY_V2, replaces="port-1", raw_id="feed:2")
    decision = index.decide(linked, NOW)
    as_head = linked.model_copy(update={"id": "reuters:port-1", "agency_id": "port-1", "version": 2})
    assert (decision.outcome, decision.of, decision.emit) == ("version", "reuters:port-1", [as_head])
    assert index.decide(linked, NOW).emit == [as_head]  # a redelivery replays it under the head's id
    assert stores.head("reuters:port-1")["v"] == 2


def test_linked_id_keeps_following_its_head(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    index.decide(story("reuters:port-1a", body=BODY_V2, replaces="port-1"), NOW)
    assert index.decide(story("reuters:port-1a", body=BODY_V2), NOW).outcome == "resend"
    update = index.decide(story("reuters:port-1a", version=2, body=BODY_V2 + " Talks resume Friday."), NOW)
    assert (update.outcome, update.emit[0].id, update.emit[0].version) == ("version", "reuters:port-1", 3)
    kill = index.decide(story("reuters:port-1a", version=2, body="Kill.", pubstatus="canceled"), NOW)
    assert (kill.outcome, kill.emit[0].id, kill.emit[0].version) == ("kill", "reuters:port-1", 3)


def test_late_older_version_is_stale_and_never_overwrites(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    index.decide(story(version=3, body=BODY_V2), NOW)
    decision = index.decide(story(version=2, body=BODY_V2 + " More."), NOW)
    assert (decision.outcome, decision.emit) == ("stale", [])
    assert stores.head("reuters:port-1")["v"] == 3


def test_higher_version_before_first_passes_as_new_then_first_is_stale(stores: Stores) -> None:
    index = stores.index()
    assert index.decide(story(version=2, body=BODY_V2), NOW).outcome == "new"
    assert index.decide(story(version=1), NOW).outcome == "stale"


def test_late_kill_is_emitted_days_later(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    later = NOW + timedelta(days=5)
    index.expire(later)
    kill = story(version=2, headline="KILL", body="Kill this story.", pubstatus="canceled", created=later)
    decision = index.decide(kill, later)
    assert (decision.outcome, decision.emit, decision.of) == ("kill", [kill], "reuters:port-1")


@pytest.mark.parametrize("signal", ["kill", "withdrawal"])
def test_kill_before_its_story_is_held_then_emitted_after_it(stores: Stores, signal: str) -> None:
    index = stores.index()
    kill = story(version=2, headline="WITHDRAWN", body="Withdrawn.", signals=[signal])
    held = index.decide(kill, NOW)
    assert (held.outcome, held.emit) == ("held", [])
    original = story()
    released = index.decide(original, NOW + timedelta(minutes=1))
    assert (released.outcome, released.emit) == ("new", [original, kill])
    assert stores.keys("k:") == []
    assert index.sizes().held_kills == 0


def test_held_kill_outlives_the_window(stores: Stores) -> None:
    index = stores.index()
    kill = story(version=2, body="Kill.", pubstatus="canceled")
    index.decide(kill, NOW)
    late = NOW + timedelta(days=10)
    index.expire(late)
    assert index.sizes().held_kills == 1
    original = story(created=late)
    assert index.decide(original, late).emit == [original, kill]


def test_held_kill_follows_its_story_into_a_resend(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    refiled_kill = story("reuters:port-1-refiled", version=2, body="Kill.", pubstatus="canceled")
    assert index.decide(refiled_kill, NOW).outcome == "held"
    decision = index.decide(story("reuters:port-1-refiled"), NOW)
    assert (decision.outcome, decision.of) == ("resend", "reuters:port-1")
    assert [(kill.id, kill.version, kill.pubstatus) for kill in decision.emit] == [("reuters:port-1", 2, "canceled")]
    again = index.decide(story("reuters:port-1-refiled", version=3, body="Kill.", pubstatus="canceled"), NOW)
    assert (again.outcome, again.emit[0].id) == ("kill", "reuters:port-1")


def test_identical_copy_from_another_agency_is_a_linked_near_duplicate(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    other = story("afp:port-1")
    decision = index.decide(other, NOW)
    assert (decision.outcome, decision.of, decision.score) == ("near_duplicate", "reuters:port-1", 1.0)
    assert decision.emit == [other.model_copy(update={"near_duplicate_of": "reuters:port-1"})]


def test_kill_older_than_the_chain_goes_out_at_the_chain_version(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    index.decide(story(version=3, body=BODY_V2), NOW)
    decision = index.decide(story(version=2, body="Kill.", pubstatus="canceled"), NOW)
    assert (decision.outcome, decision.emit[0].version) == ("kill", 3)


def test_rewrite_under_new_id_is_near_duplicate(stores: Stores) -> None:
    index = stores.index()
    index.decide(case_story(REWRITE["original"]), NOW)
    candidate = case_story(REWRITE["candidate"], NOW + timedelta(hours=2))
    decision = index.decide(candidate, NOW + timedelta(hours=2))
    assert decision.outcome == "near_duplicate"
    assert decision.of == REWRITE["original"]["id"]
    assert decision.score is not None and decision.score >= DedupSettings().threshold
    assert decision.emit == [candidate.model_copy(update={"near_duplicate_of": REWRITE["original"]["id"]})]


def test_rewrite_outside_window_is_new(stores: Stores) -> None:
    index = stores.index()
    index.decide(case_story(REWRITE["original"]), NOW)
    later = NOW + timedelta(hours=80)
    assert index.decide(case_story(REWRITE["candidate"], later), later).outcome == "new"


@pytest.mark.parametrize("case", eval_cases(), ids=lambda case: case["name"])
def test_hand_written_eval_cases(stores: Stores, case: dict[str, object]) -> None:
    index = stores.index()
    index.decide(case_story(case["original"]), NOW)  # type: ignore[arg-type]
    decision = index.decide(case_story(case["candidate"]), NOW)  # type: ignore[arg-type]
    assert decision.outcome == ("near_duplicate" if case["label"] == "near_duplicate" else "new")


def test_other_agency_same_event_is_not_near_duplicate(stores: Stores) -> None:
    case = next(case for case in eval_cases() if case["name"] == "port-other-agency")
    index = stores.index()
    index.decide(case_story(case["original"]), NOW)
    decision = index.decide(case_story(case["candidate"]), NOW)
    assert (decision.outcome, decision.of, decision.emit[0].near_duplicate_of) == ("new", None, None)


def test_shared_boilerplate_is_not_near_duplicate(stores: Stores) -> None:
    case = next(case for case in eval_cases() if case["name"] == "press-release-boilerplate")
    index = stores.index()
    index.decide(case_story(case["original"]), NOW)
    assert index.decide(case_story(case["candidate"]), NOW).outcome == "new"


QUARTER = (
    "Harbour authorities in Port Elwin said on Monday that cargo volumes rose 7.5 percent in the third quarter "
    "to 41.2 million tonnes, driven by grain exports and a recovery in container traffic after the spring floods.\n\n"
    "The authority expects full-year volumes of about 160 million tonnes, up from 151 million last year, its chief "
    "executive Mara Lindqvist told a news conference. Investment in two new berths would be completed in 2027."
)
QUARTER_REWORDED = (
    "Cargo volumes at Port Elwin rose 7.5 percent in the third quarter to 41.2 million tonnes, harbour authorities "
    "said on Monday, as grain exports grew and container traffic recovered after the spring floods.\n\n"
    "The authority expects full-year volumes of about 160 million tonnes, up from 151 million last year, chief "
    "executive Mara Lindqvist said at a news conference. Two new berths would be completed in 2027."
)
NEXT_QUARTER = (
    "Harbour authorities in Port Elwin said on Tuesday that cargo volumes rose 3.1 percent in the fourth quarter "
    "to 39.8 million tonnes, held back by lower coal shipments and a two-week strike by harbour pilots in August.\n\n"
    "The authority expects full-year volumes of about 150 million tonnes, up from 149 million last year, its chief "
    "executive Mara Lindqvist told a news conference. Investment in two new berths would be completed in 2028."
)


@pytest.mark.parametrize(
    ("headline", "body", "outcome"),
    [
        ("Port Elwin third-quarter cargo volumes up 7.5 pct", QUARTER_REWORDED, "near_duplicate"),
        ("Port Elwin cargo volumes rise 3.1 pct in fourth quarter", NEXT_QUARTER, "new"),
    ],
    ids=["reworded-repeat", "next-report-same-template"],
)
def test_middling_score_counts_only_when_headline_and_figures_agree(
    stores: Stores, headline: str, body: str, outcome: str
) -> None:
    index = stores.index()
    index.decide(story("wire:q3", headline="Port Elwin cargo volumes rise 7.5 pct in third quarter", body=QUARTER), NOW)
    decision = index.decide(story("wire:later", headline=headline, body=body), NOW)
    assert decision.outcome == outcome
    if outcome == "near_duplicate":
        assert decision.score is not None
        assert DedupSettings().related_threshold <= decision.score < DedupSettings().threshold


def test_middling_score_alone_is_not_enough(stores: Stores) -> None:
    index = stores.index(DedupSettings(related_threshold=0.5))
    index.decide(story("wire:q3", headline="Port Elwin cargo volumes rise 7.5 pct in third quarter", body=QUARTER), NOW)
    reworded = story("wire:later", headline="Port Elwin third-quarter cargo volumes up 7.5 pct", body=QUARTER_REWORDED)
    assert index.decide(reworded, NOW).outcome == "new"


@pytest.mark.parametrize("first", ["new", "near_duplicate", "resend", "held", "stale"])
def test_replayed_delivery_gets_same_outcome_and_emits_again(stores: Stores, first: str) -> None:
    index = stores.index()
    setup = {
        "new": [],
        "near_duplicate": [case_story(REWRITE["original"])],
        "resend": [story("reuters:other", raw_id="feed:0")],
        "held": [],
        "stale": [story(version=2, body=BODY_V2)],
    }[first]
    for earlier in setup:
        index.decide(earlier, NOW)
    probe = {
        "near_duplicate": story(REWRITE["candidate"]["id"], body=REWRITE["candidate"]["body"], raw_id="feed:7"),
        "held": story(version=2, body="Kill.", pubstatus="canceled", raw_id="feed:7"),
    }.get(first, story(raw_id="feed:7", item_index=3))
    once = index.decide(probe, NOW)
    twice = index.decide(probe, NOW + timedelta(seconds=30))
    assert once.outcome == first
    assert (twice.outcome, twice.emit, twice.of, twice.score) == (once.outcome, once.emit, once.of, once.score)


def test_replay_of_story_that_released_a_kill_emits_both_again(stores: Stores) -> None:
    index = stores.index()
    kill = story(version=2, body="Kill.", pubstatus="canceled", raw_id="feed:k")
    index.decide(kill, NOW)
    original = story(raw_id="feed:s")
    assert index.decide(original, NOW).emit == [original, kill]
    assert index.decide(original, NOW).emit == [original, kill]


def test_same_delivery_position_with_other_content_is_not_a_replay(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(raw_id="feed:1"), NOW)
    other = story("reuters:ferry", body=eval_cases()[2]["original"]["body"], raw_id="feed:1", item_index=0)
    assert index.decide(other, NOW).outcome == "new"


def test_expiry_drops_window_chain_and_hold_entries_in_time(stores: Stores) -> None:
    index = stores.index()
    index.decide(case_story(REWRITE["original"]), NOW)
    index.decide(story("reuters:never", body="Kill.", pubstatus="canceled", raw_id="feed:k"), NOW)
    assert index.expire(NOW + timedelta(hours=1)) == 0
    assert index.expire(NOW + timedelta(hours=73)) == 3  # the copy, the LSH entry, the delivery record
    assert index.sizes()[:3] == (0, 0, 0)
    assert stores.keys("d:") == []
    assert stores.keys("s:") == [f"s:{REWRITE['original']['id']}"]  # kept for late versions and kills
    assert index.expire(NOW + timedelta(days=15)) == 1
    assert stores.keys("s:") == []
    assert stores.keys("k:") == ["k:reuters:never"]
    assert index.expire(NOW + timedelta(days=31)) == 1
    assert stores.state == {}
    assert index.sizes().held_kills == 0
    later = NOW + timedelta(days=31)
    assert index.decide(case_story(REWRITE["candidate"], later), later).outcome == "new"


def test_rewritten_head_is_not_expired_by_its_older_listing(stores: Stores) -> None:
    index = stores.index()
    index.decide(story(), NOW)
    later = NOW + timedelta(hours=60)
    index.decide(story(version=2, body=BODY_V2, created=later), later)
    index.expire(NOW + timedelta(hours=73))
    assert index.sizes().indexed == 1
    assert "sig" in stores.head("reuters:port-1")


def test_band_buckets_are_bounded(stores: Stores) -> None:
    # min_shingles above the body's length: every copy is indexed, none is checked as a near-duplicate
    index = stores.index(DedupSettings(band_bucket_limit=3, min_shingles=1000))
    for number in range(6):
        index.decide(story(f"reuters:copy-{number}", headline=f"Copy {number}", body=BODY + f" Copy {number}."), NOW)
    assert index.sizes().largest_bucket == 3


def test_a_story_costs_two_durable_writes(stores: Stores) -> None:
    index = stores.index()
    for number, case in enumerate(eval_cases()):
        index.decide(story(case["original"]["id"], body=case["original"]["body"], raw_id=f"feed:{number}"), NOW)
    assert len(stores.state) == 2 * len(eval_cases())


def test_state_round_trips_through_json_and_rebuilds_the_derived_index(stores: Stores) -> None:
    index = stores.index()
    index.decide(case_story(REWRITE["original"]), NOW)
    index.decide(story("reuters:pending", body="Kill.", pubstatus="canceled", raw_id="feed:k"), NOW)
    restored = Stores()
    restored.state = orjson.loads(orjson.dumps(stores.state))
    assert restored.state == stores.state
    rebuilt = restored.index()
    assert rebuilt.rebuild(NOW) == 1
    assert rebuilt.sizes() == index.sizes()
    decision = rebuilt.decide(case_story(REWRITE["candidate"]), NOW)
    assert (decision.outcome, decision.of) == ("near_duplicate", REWRITE["original"]["id"])
    assert rebuilt.decide(story("reuters:pending", body=BODY_V2), NOW).emit[1].pubstatus == "canceled"


def test_index_rebuilt_halfway_decides_the_rest_as_an_uninterrupted_one() -> None:
    sides = [
        case_story(side, NOW + timedelta(minutes=n))
        for n, case in enumerate(eval_cases())
        for side in (case["original"], case["candidate"])
    ]
    half = len(sides) // 2
    whole, interrupted = Stores(), Stores()
    uninterrupted_index, first_half = whole.index(), interrupted.index()
    expected = [uninterrupted_index.decide(side, NOW).outcome for side in sides]
    for side in sides[:half]:
        first_half.decide(side, NOW)
    restarted = Stores()
    restarted.state = orjson.loads(orjson.dumps(interrupted.state))
    second_half = restarted.index()
    second_half.rebuild(NOW)
    assert [second_half.decide(side, NOW).outcome for side in sides[half:]] == expected[half:]
    assert "near_duplicate" in expected[half:]
    assert second_half.sizes() == uninterrupted_index.sizes()


BODY_V2 = (
    "Dock workers at the port of Rotterdam ended a 24-hour strike on Wednesday after employers agreed to "
    "resume talks on automation and night-shift pay, the union said, and container traffic was slowly recovering."
)
