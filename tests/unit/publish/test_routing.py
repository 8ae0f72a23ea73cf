from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.publish.routing import Rules, kill_topics, load_rules, parse_rules, route
from shared.errors import InvalidInput
from shared.models import Event, EventMember, Place, Story, Subject
from shared.settings import PROJECT_ROOT

BASE = ["stories.published.v1", "stories.latest.v1"]


@pytest.fixture(scope="module")
def desks(fixtures_dir: Path) -> Rules:
    return load_rules(fixtures_dir / "publish" / "rules_desks.yaml")


def _story(**changes: object) -> Story:
    return Story(
        id="reuters:1", agency="reuters", agency_id="1", format="nitf", headline="A headline", urgency=5
    ).model_copy(update=changes)


def test_every_story_gets_the_base_topics(desks: Rules) -> None:
    assert route(_story(), desks) == BASE


def test_sport_matches_by_subject_code_prefix(desks: Rules) -> None:
    subjects = [Subject(scheme="subj", code="15054000")]
    assert route(_story(subjects=subjects), desks) == [*BASE, "stories.desk.sport.v1"]
    # The same digits under another scheme are a different vocabulary.
    assert route(_story(subjects=[Subject(scheme="anpa-category", code="15")]), desks) == BASE


def test_urgent_tass_story_about_russia_fans_out_in_rule_order_once_each(desks: Rules) -> None:
    story = _story(
        agency="tass", urgency=1, language="ru-RU", places=[Place(name="Moscow", country="RU", role="dateline")]
    )
    assert route(story, desks) == [*BASE, "stories.alerts.v1", "stories.desk.russia.v1", "stories.desk.world.v1"]


def test_language_matches_regional_variants_only_of_itself(desks: Rules) -> None:
    assert route(_story(agency="tass", language_detected="ru"), desks) == [
        *BASE,
        "stories.desk.russia.v1",
        "stories.desk.world.v1",
    ]
    assert route(_story(agency="tass", language="rue"), desks) == BASE


def test_urgency_range_needs_an_urgency(desks: Rules) -> None:
    assert route(_story(urgency=2), desks) == [*BASE, "stories.alerts.v1"]
    assert route(_story(urgency=3), desks) == BASE
    assert route(_story(urgency=None), desks) == BASE


def test_event_rule_sees_the_event_or_the_story_event_id(desks: Rules) -> None:
    event = Event(
        event_id="e1",
        members=[EventMember(story_id="reuters:1", agency="reuters", version=1, score=1.0)],
        lead="reuters:1",
        credit_line="Reuters",
        opened_at=datetime(2024, 3, 5, tzinfo=UTC),
        updated_at=datetime(2024, 3, 5, tzinfo=UTC),
    )
    assert route(_story(), desks, event=event) == [*BASE, "stories.events.v1"]
    assert route(_story(event_id="e1"), desks) == [*BASE, "stories.events.v1"]
    assert route(_story(event_id="e1", pubstatus="canceled"), desks) == BASE


def test_kill_goes_everywhere_the_story_ever_went() -> None:
    previous = ["stories.published.v1", "stories.desk.sport.v1", "stories.alerts.v1", "stories.latest.v1"]
    assert kill_topics(previous, BASE) == [*BASE, "stories.alerts.v1", "stories.desk.sport.v1"]
    assert kill_topics([], BASE) == BASE


def test_shipped_rules_load_and_route() -> None:
    rules = load_rules(PROJECT_ROOT / "deploy" / "routing.yaml")
    story = _story(
        urgency=1,
        subjects=[Subject(scheme="subj", code="04006000"), Subject(scheme="medtop", code="16000000")],
        places=[Place(name="Kursk", country="RU")],
    )
    assert route(story, rules) == [
        *BASE,
        "stories.alerts.v1",
        "stories.desk.world.v1",
        "stories.desk.business.v1",
        "stories.desk.russia.v1",
    ]
    assert route(_story(agency="tass", subjects=[Subject(scheme="subj", code="15000000")]), rules) == [
        *BASE,
        "stories.desk.sport.v1",
        "stories.desk.russia.v1",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: []", "test.yaml: rules: List should have at least 1 item after validation, not 0"),
        ("base_topics: [stories.published.v1]", "test.yaml: rules: Field required"),
        (
            "rules: [{name: a, match: {urgnecy: {max: 2}}, topics: [stories.alerts.v1]}]",
            "test.yaml: rules.0.match.urgnecy: Extra inputs are not permitted",
        ),
        (
            "rules: [{name: a, topics: [Stories.World]}]",
            r"test.yaml: rules.0.topics.0: bad topic name 'Stories.World': must match ^stories\.[a-z0-9_.-]+\.v\d+$",
        ),
        (
            "rules: [{name: a, topics: [stories.world]}]",
            r"test.yaml: rules.0.topics.0: bad topic name 'stories.world': must match ^stories\.[a-z0-9_.-]+\.v\d+$",
        ),
        (
            "base_topics: [wire.raw.v1]\nrules: [{name: a, topics: [stories.a.v1]}]",
            r"test.yaml: base_topics.0: bad topic name 'wire.raw.v1': must match ^stories\.[a-z0-9_.-]+\.v\d+$",
        ),
        (
            "rules: [{name: a, topics: []}]",
            "test.yaml: rules.0.topics: List should have at least 1 item after validation, not 0",
        ),
        (
            "rules: [{name: a, match: {urgency: {min: 3, max: 2}}, topics: [stories.a.v1]}]",
            "test.yaml: rules.0.match.urgency: urgency min 3 is above max 2",
        ),
        (
            "rules: [{name: a, match: {subjects: ['15000000']}, topics: [stories.a.v1]}]",
            "test.yaml: rules.0.match.subjects.0: bad subject '15000000': write scheme:code-prefix, e.g. subj:15",
        ),
        (
            "rules: [{name: a, match: {places: [Russia]}, topics: [stories.a.v1]}]",
            "test.yaml: rules.0.match.places.0: bad country code 'Russia': use ISO 3166-1 alpha-2, e.g. RU",
        ),
        (
            "rules: [{name: a, topics: [stories.a.v1]}, {name: a, topics: [stories.b.v1]}]",
            "test.yaml: (top): rule names repeat: a",
        ),
        ("- just a list", "test.yaml: expected a mapping with a 'rules' list"),
    ],
)
def test_bad_rules_say_exactly_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rules(text, source="test.yaml")
    assert caught.value.reason == message
    assert caught.value.code == "bad_rules"


def test_unreadable_yaml_and_missing_file_are_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"^test.yaml: not YAML: "):
        parse_rules("rules: [unclosed", source="test.yaml")
    missing = tmp_path / "nope.yaml"
    with pytest.raises(InvalidInput) as caught:
        load_rules(missing)
    assert caught.value.reason == f"routing rules {missing}: cannot read: No such file or directory"


def test_topics_lists_every_destination_once_base_first(desks: Rules) -> None:
    # Two rules send to the russia desk; it is listed once, where it first appears.
    assert desks.topics() == [
        "stories.published.v1",
        "stories.latest.v1",
        "stories.alerts.v1",
        "stories.desk.sport.v1",
        "stories.desk.russia.v1",
        "stories.desk.world.v1",
        "stories.events.v1",
    ]
