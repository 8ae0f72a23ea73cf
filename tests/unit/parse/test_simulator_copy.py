"""The parser agrees with the simulator: every item kind of every filer parses to the plan's ground truth.

A seeded plan (services/simulator/plan.py) renders each agency's copy in its wire format; each case is the
first item of one (format, language, kind) in the plan. Every case holds: the simulator's copy says all
that its ground truth claims (IPTC 7901 included, whose story id is its keyword line).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

import pytest

from services.parse.core import parse_bytes
from services.simulator import render
from services.simulator.plan import Planner, SimItem, rss_guid
from shared.errors import ParseError
from shared.models import Story

SEED = 7
ROUNDS = 60
START = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
PARSER_OF = {
    "newsml_g2": "newsml_g2",
    "ap_json": "ap_media",
    "anpa1312": "anpa1312",
    "iptc7901": "iptc7901",
    "rss": "rss_atom",
}
KINDS = {"new", "flash", "urgent", "embargo", "update", "correction", "refile", "kill", "resend", "rerun", "broken"}
FOLLOW_UP_SIGNAL = {"update": "update", "correction": "correction", "refile": "refile", "kill": "kill"}
# plan.Planner._first_take embargoes a take until two hours after it is sent.
EMBARGO_AFTER = timedelta(hours=2)
# An RSS item says nothing of versions, kills or embargoes, so the plan files none there.
NOT_ON_RSS = {"update", "correction", "refile", "kill", "embargo"}

Case = tuple[str, str, str]  # (format, language, kind)


@cache
def _plan() -> dict[Case, SimItem]:
    """The first item of every (format, language, kind) in the seeded plan."""
    planner = Planner(SEED, start=START)
    first: dict[Case, SimItem] = {}
    for _ in range(ROUNDS):
        for item in planner.event_round():
            first.setdefault((item.filer.format, item.filer.language, item.kind), item)
    return first


def _bytes(item: SimItem) -> bytes:
    if item.filer.format != "rss":
        return item.payload
    # An RSS item travels inside its feed; ingest hands parse the feed document.
    feed_item = item.payload.decode()
    return render.rss_feed([feed_item], title="TASS", link="http://tass", language=item.filer.language, built=item.when)


def _story(case: Case) -> tuple[SimItem, Story]:
    item = _plan()[case]
    # The feed configuration names the agency, as ingest's envelope does.
    stories = parse_bytes(_bytes(item), agency=item.filer.agency, format_name=PARSER_OF[item.filer.format])
    assert len(stories) == 1
    return item, stories[0]


def _cases(*, kinds: set[str] | None = None) -> list[object]:
    chosen = sorted(case for case in _plan() if case[2] != "broken" and (kinds is None or case[2] in kinds))
    return [pytest.param(case, id="-".join(case)) for case in chosen]


_TEXT_SPOOL = (("anpa1312", "en"), ("iptc7901", "en"))
_RSS = (("rss", "en"), ("rss", "ru"))


def test_the_plan_covers_every_kind_of_every_filer() -> None:
    spool_only = {"broken"}
    expected = {
        (fmt, lang, kind)
        for fmt, lang in (("newsml_g2", "en"), ("newsml_g2", "fr"), ("ap_json", "en"), *_TEXT_SPOOL, *_RSS)
        for kind in KINDS
        if (kind not in spool_only or (fmt, lang) in _TEXT_SPOOL) and not (fmt == "rss" and kind in NOT_ON_RSS)
    }
    assert set(_plan()) == expected


@pytest.mark.parametrize("case", _cases())
def test_agency_id_and_language(case: Case) -> None:
    item, story = _story(case)
    expected_id = {
        "newsml_g2": f"urn:newsml:{item.filer.agency}.com:{item.item_id}",
        "rss": rss_guid(item.item_id, 1),
    }.get(item.filer.format, item.item_id)
    assert (story.agency, story.agency_id) == (item.filer.agency, expected_id)
    assert story.id == f"{item.filer.agency}:{expected_id}"
    declared = item.filer.format not in {"anpa1312", "iptc7901"}  # the text formats declare no language
    assert story.language == (item.filer.language if declared else None)
    assert story.headline


@pytest.mark.parametrize("case", _cases())
def test_version(case: Case) -> None:
    item, story = _story(case)
    assert story.version == item.version


@pytest.mark.parametrize("case", _cases())
def test_pubstatus_and_signals(case: Case) -> None:
    item, story = _story(case)
    kind = item.kind
    assert story.pubstatus == ("canceled" if kind == "kill" else "usable")
    if kind in FOLLOW_UP_SIGNAL:
        assert FOLLOW_UP_SIGNAL[kind] in story.signals
    else:
        assert not {"kill", "correction", "refile"} & set(story.signals)


@pytest.mark.parametrize("case", _cases(kinds={"flash", "urgent"}))
def test_urgency_of_flash_and_urgent(case: Case) -> None:
    item, story = _story(case)
    assert story.urgency == {"flash": 1, "urgent": 3}[item.kind]  # IPTC: FLASH 1, URGENT 3


@pytest.mark.parametrize("case", _cases(kinds={"embargo", "new", "flash", "urgent"}))
def test_embargo(case: Case) -> None:
    item, story = _story(case)
    if item.kind == "embargo":
        release = item.when + EMBARGO_AFTER
        if item.filer.format == "anpa1312":  # an "Eds:" note gives the release time to the minute
            release = release.replace(second=0)
        assert story.embargoed_until == release
        assert "embargo" in story.signals
    else:
        assert story.embargoed_until is None


@pytest.mark.parametrize("case", sorted(case for case in _plan() if case[2] == "broken"), ids="-".join)
def test_a_truncated_spool_file_is_a_parse_error(case: Case) -> None:
    item = _plan()[case]
    with pytest.raises(ParseError, match="truncated"):
        parse_bytes(_bytes(item), agency=item.filer.agency, format_name=PARSER_OF[item.filer.format])
