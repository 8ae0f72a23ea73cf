from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from services.publish.ninjs import NINJS_VERSIONS, event_uri, render_event, render_ninjs, story_uri, validate_ninjs
from shared.errors import InvalidInput
from shared.models import Dateline, Event, EventMember, Place, Story, Subject, Translation
from tests.unit.publish.strategies import events_with_members, stories, tidy_stories

NOW = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def schema_dir(vocab_dir: Path) -> Path:
    return vocab_dir / "ninjs"


def _story(**changes: Any) -> Story:
    base = Story(
        id="reuters:L1N3F10X2",
        agency="reuters",
        agency_id="L1N3F10X2",
        version=2,
        format="nitf",
        headline="Wheat prices climb after Black Sea port closes",
        byline="By Anna Petrova",
        dateline=Dateline(text="NOVOROSSIYSK, March 5 (Reuters)", place="NOVOROSSIYSK"),
        language="en",
        urgency=3,
        first_created=datetime(2024, 3, 5, 8, 0, tzinfo=UTC),
        version_created=NOW,
        body_text="Wheat futures rose 3% on Tuesday.\n\nTraders cited the port closure.",
        body_html="<p>Wheat futures rose 3% on Tuesday.</p><p>Traders cited the port closure.</p>",
        subjects=[
            Subject(scheme="subj", code="04000000", name="economy, business and finance", source="agency"),
            Subject(scheme="medtop", code="20000385", name="commodity market", source="classifier", confidence=0.83),
            Subject(scheme="anpa-category", code="f", source="agency"),
        ],
        keywords=["wheat", "ports"],
        credits=["AFP"],
        places=[Place(name="Novorossiysk", country="RU", role="dateline"), Place(name="Ukraine", country="UA")],
    )
    return base.model_copy(update=changes)


def test_story_fields_land_where_31_wants_them() -> None:
    doc = render_ninjs(_story())
    assert doc["uri"] == "urn:wiredesk:story:reuters:L1N3F10X2"
    assert doc["standard"] == {
        "name": "ninjs",
        "version": "3.1",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
    }
    assert (doc["type"], doc["version"], doc["pubStatus"], doc["urgency"]) == ("text", "2", "usable", 3)
    assert doc["firstCreated"] == "2024-03-05T08:00:00Z"
    assert doc["versionCreated"] == "2024-03-05T09:30:00Z"
    assert doc["headlines"] == [
        {"role": "main", "contentType": "text/plain", "value": "Wheat prices climb after Black Sea port closes"}
    ]
    assert [(b["contentType"], b["value"][:20]) for b in doc["bodies"]] == [
        ("text/plain", "Wheat futures rose 3"),
        ("text/html", "<p>Wheat futures ros"),
    ]
    assert doc["bodies"][0]["wordCount"] == 11
    assert (doc["by"], doc["located"], doc["language"]) == ("By Anna Petrova", "NOVOROSSIYSK", "en")
    assert doc["copyrightHolder"] == "Reuters"
    assert doc["infoSources"] == [{"name": "Reuters", "role": "originator"}, {"name": "AFP", "role": "contributor"}]
    assert doc["subjects"] == [
        {
            "name": "economy, business and finance",
            "uri": "http://cv.iptc.org/newscodes/subjectcode/04000000",
            "creator": "agency",
        },
        {
            "name": "commodity market",
            "uri": "http://cv.iptc.org/newscodes/mediatopic/20000385",
            "creator": "classifier",
            "confidence": 83,
        },
        {"literal": "anpa-category:f", "creator": "agency"},
        {"name": "wheat", "rel": "keyword"},
        {"name": "ports", "rel": "keyword"},
    ]
    assert doc["places"][0] == {
        "name": "Novorossiysk",
        "rel": "dateline",
        "contactInfo": [{"type": "address", "address": {"country": "RU"}}],
    }
    assert "edNote" not in doc and "embargoedUntil" not in doc and "associations" not in doc


def test_21_spells_the_same_fields_in_lowercase() -> None:
    doc = render_ninjs(_story(embargoed_until=NOW), version="2.1")
    assert doc["embargoed"] == "2024-03-05T09:30:00Z"
    assert (doc["pubstatus"], doc["versioncreated"], doc["copyrightholder"]) == (
        "usable",
        "2024-03-05T09:30:00Z",
        "Reuters",
    )
    assert doc["bodies"][1]["contenttype"] == "text/html"
    assert doc["infosources"][0] == {"name": "Reuters", "role": "originator"}
    assert doc["standard"]["version"] == "2.1"


def test_kill_is_canceled_and_says_so() -> None:
    kill = _story(pubstatus="canceled", signals=["kill"], body_text="", body_html=None)
    assert render_ninjs(kill)["pubStatus"] == "canceled"
    assert render_ninjs(kill)["edNote"] == "Signals: kill."
    assert render_ninjs(kill, version="2.1")["pubstatus"] == "canceled"
    assert "bodies" not in render_ninjs(kill)


def test_correction_carries_its_signal() -> None:
    doc = render_ninjs(_story(signals=["correction", "update"]))
    assert doc["edNote"] == "Signals: correction, update."
    assert render_ninjs(_story(signals=["correction"]), version="2.1")["ednote"] == "Signals: correction."


def test_machine_translations_are_marked_associations() -> None:
    story = _story(
        translations={
            "ru": Translation(headline="Цены на пшеницу растут", body_text="Фьючерсы выросли.", engine="opus-mt"),
            "de": Translation(headline="Weizenpreise steigen", engine="editor", machine=False),
        }
    )
    doc = render_ninjs(story)
    assert [(a["name"], a["rel"], a["language"]) for a in doc["associations"]] == [
        ("translation: de", "translation", "de"),
        ("machine-translation: ru", "machine-translation", "ru"),
    ]
    machine = doc["associations"][1]
    assert machine["uri"] == "urn:wiredesk:story:reuters:L1N3F10X2:machine-translation:ru"
    assert machine["headlines"][0]["value"] == "Цены на пшеницу растут"
    assert machine["bodies"][0]["value"] == "Фьючерсы выросли."
    assert machine["edNote"] == "Machine translation (opus-mt)."
    assert machine["digitalSourceType"]["uri"].endswith("/digitalsourcetype/trainedAlgorithmicMedia")
    assert "digitalSourceType" not in doc["associations"][0]
    legacy = render_ninjs(story, version="2.1")["associations"][1]
    assert legacy["name"] == "machine-translation: ru" and "rel" not in legacy and "digitalsourcetype" not in legacy
    assert legacy["ednote"] == "Machine translation (opus-mt)."


def _event(*members: EventMember, lead: str, **shown: Any) -> Event:
    return Event(
        event_id="evt-2024-03-05-wheat",
        version=3,
        members=list(members),
        lead=lead,
        credit_line="With reporting by Reuters, TASS and AP",
        opened_at=datetime(2024, 3, 5, 8, 5, tzinfo=UTC),
        updated_at=NOW,
        **shown,
    )


def test_event_package_puts_the_lead_first() -> None:
    lead = _story()
    tass = _story(id="tass:1745", agency="tass", agency_id="1745", language="ru", credits=[])
    event = _event(
        EventMember(story_id="ap:9f2c", agency="ap", version=1, score=0.7),
        EventMember(story_id=tass.id, agency="tass", version=2, score=0.8, canceled=True),
        EventMember(story_id=lead.id, agency="reuters", version=2, score=1.0),
        lead=lead.id,
        headline=lead.headline,
        language="en",
        located="NOVOROSSIYSK",
        urgency=2,
    )
    doc = render_event(event, members=[tass, lead])
    assert (doc["uri"], doc["type"], doc["version"]) == ("urn:wiredesk:event:evt-2024-03-05-wheat", "composite", "3")
    assert (doc["headlines"], doc["language"], doc["located"], doc["urgency"]) == (
        [{"role": "main", "contentType": "text/plain", "value": lead.headline}],
        "en",
        "NOVOROSSIYSK",
        2,
    )
    assert doc["descriptions"] == [
        {"role": "creditline", "contentType": "text/plain", "value": "With reporting by Reuters, TASS and AP"}
    ]
    assert [(a["name"], a["rel"], a["uri"]) for a in doc["associations"]] == [
        ("lead: reuters:L1N3F10X2", "lead", story_uri(lead.id)),
        ("member: ap:9f2c", "member", "urn:wiredesk:story:ap:9f2c"),
        ("member: tass:1745", "member", "urn:wiredesk:story:tass:1745"),
    ]
    assert doc["associations"][0]["headlines"] == render_ninjs(lead)["headlines"]
    assert doc["associations"][1] == {
        "name": "member: ap:9f2c",
        "rel": "member",
        "uri": "urn:wiredesk:story:ap:9f2c",
        "type": "text",
        "version": "1",
    }
    assert doc["associations"][2]["pubStatus"] == "canceled"
    # A canceled member no longer counts in the credit.
    assert doc["infoSources"] == [
        {"name": "Reuters", "role": "originator"},
        {"name": "The Associated Press", "role": "contributor"},
    ]


def test_unserved_version_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match=re.escape("ninjs '1.6' is not served; choose one of 3.1, 2.1")):
        render_ninjs(_story(), version="1.6")  # type: ignore[arg-type]


def test_uris_stay_valid_for_any_id() -> None:
    assert story_uri("ap:a b/c#d") == "urn:wiredesk:story:ap:a%20b/c%23d"
    assert event_uri("ευ 1") == "urn:wiredesk:event:%CE%B5%CF%85%201"


@pytest.mark.parametrize("version", NINJS_VERSIONS)
def test_examples_validate(schema_dir: Path, version: str) -> None:
    story = _story(
        signals=["correction"],
        embargoed_until=NOW,
        translations={"fr": Translation(headline="Le blé grimpe", engine="nllb")},
    )
    event = _event(EventMember(story_id=story.id, agency="reuters", version=2, score=1.0), lead=story.id)
    for doc in (render_ninjs(story, version=version), render_event(event, version=version)):  # type: ignore[arg-type]
        assert validate_ninjs(doc, version, schema_dir) == []


@pytest.mark.parametrize("version", NINJS_VERSIONS)
@SLOW
@given(story=stories())
def test_any_story_validates(schema_dir: Path, version: str, story: Story) -> None:
    assert validate_ninjs(render_ninjs(story, version=version), version, schema_dir) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("version", NINJS_VERSIONS)
@SLOW
@given(package=events_with_members())
def test_any_event_package_validates(schema_dir: Path, version: str, package: tuple[Event, list[Story]]) -> None:
    event, members = package
    doc = render_event(event, version=version, members=members)  # type: ignore[arg-type]
    assert validate_ninjs(doc, version, schema_dir) == []
    assert doc["associations"][0]["uri"] == story_uri(event.lead)


def test_validator_reports_where_and_what(schema_dir: Path) -> None:
    doc = {"uri": "not a uri", "urgency": 12, "headlines": [{"role": "main"}]}
    assert validate_ninjs(doc, "3.1", schema_dir) == [
        "headlines/0: 'value' is a required property",
        "urgency: 12 is greater than the maximum of 9",
        "uri: 'not a uri' is not a 'uri'",
    ]


def test_missing_schema_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"cannot read ninjs schema .*ninjs-schema_3\.1\.json"):
        validate_ninjs({"uri": "urn:x"}, "3.1", tmp_path)


def _suite_cases(kind: str) -> list[Any]:
    from tests.conftest import shared_dir

    suite = shared_dir() / "vocab" / "ninjs" / "test_suite"
    return [
        pytest.param(version, path, id=f"{version}/{path.name}")
        for version in ("2.1", "2.2", "3.0", "3.1")
        for path in sorted((suite / version / kind).glob("*.json"))
    ] or [pytest.param("3.1", None, marks=pytest.mark.skip(reason=f"IPTC ninjs test suite not found at {suite}"))]


@pytest.mark.parametrize(("version", "path"), _suite_cases("should_pass"))
def test_iptc_suite_passing_documents_pass(schema_dir: Path, version: str, path: Path) -> None:
    assert validate_ninjs(json.loads(path.read_text(encoding="utf-8")), version, schema_dir) == []


@pytest.mark.parametrize(("version", "path"), _suite_cases("should_fail"))
def test_iptc_suite_failing_documents_fail(schema_dir: Path, version: str, path: Path) -> None:
    assert validate_ninjs(json.loads(path.read_text(encoding="utf-8")), version, schema_dir) != []


# Round trip through the parse stage's ninjs reader: everything ninjs carries must come back.
IPTC_SCHEMES = ("subj", "medtop")
NAMED_AGENCIES = ("reuters", "ap", "afp", "tass", "dpa")


def _read_back(story: Story, version: str) -> Story:
    from services.parse.formats.base import FeedContext

    ninjs_reader = pytest.importorskip(
        "services.parse.formats.ninjs", reason="the ninjs parser (services/parse/formats/ninjs.py) is not there yet"
    )
    data = json.dumps(render_ninjs(story, version=version)).encode()  # type: ignore[arg-type]
    [parsed] = ninjs_reader.NinjsParser().parse(data, FeedContext(agency="some-feed"))
    return parsed  # type: ignore[no-any-return]


def _assert_survives(story: Story, parsed: Story) -> None:
    # The reader recognises wiredesk's own uri and gives back the story's id.
    assert (parsed.id, parsed.agency, parsed.agency_id) == (story.id, story.agency, story.agency_id)
    assert (parsed.headline, parsed.slugline, parsed.byline) == (story.headline, story.slugline, story.byline)
    assert (parsed.language, parsed.urgency, parsed.version) == (
        story.language or story.language_detected,
        story.urgency,
        story.version,
    )
    assert parsed.pubstatus == story.pubstatus
    assert (parsed.first_created, parsed.version_created) == (story.first_created, story.version_created)
    assert parsed.body_text == story.body_text
    assert (parsed.body_html is None) == (story.body_html is None)
    if story.dateline:
        assert parsed.dateline is not None and parsed.dateline.place == story.dateline.place
    assert set(story.signals) - {"test"} <= set(parsed.signals)
    assert parsed.keywords == story.keywords
    assert [(s.scheme, s.code, s.name) for s in parsed.subjects if s.scheme in IPTC_SCHEMES] == [
        (s.scheme, s.code, s.name) for s in story.subjects if s.scheme in IPTC_SCHEMES
    ]


@pytest.mark.parametrize("version", NINJS_VERSIONS)
def test_round_trip_of_an_example(version: str) -> None:
    story = _story(signals=["correction", "update"], slugline="WHEAT-PRICES", pubstatus="usable")
    _assert_survives(story, _read_back(story, version))


@pytest.mark.parametrize("version", NINJS_VERSIONS)
@SLOW
@given(story=tidy_stories())
def test_round_trip_of_any_story(version: str, story: Story) -> None:
    _assert_survives(story, _read_back(story, version))


@pytest.mark.parametrize("version", NINJS_VERSIONS)
def test_round_trip_keeps_the_embargo(version: str) -> None:
    assert _read_back(_story(embargoed_until=NOW), version).embargoed_until == NOW
