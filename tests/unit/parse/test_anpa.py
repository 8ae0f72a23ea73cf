"""ANPA-1312: golden values for every corpus file, hand-written fixtures (kill, update, agate), sniffing, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.parse.formats.anpa import AnpaParser
from services.parse.formats.base import FeedContext, ParseLimits
from shared.errors import ParseError
from shared.models import Lineage, utcnow
from tests.unit.parse.golden import Golden, check_golden, check_sniff, other_corpus_files

PARSER = AnpaParser()
TEXT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse" / "text"

GOLDEN = [
    Golden(
        "ap_anpa_10-things-to-know.tst",
        count=1,
        headline="10 Things to Know for Today",
        agency="ap",
        agency_id="BC-10ThingstoKnow-Today",
        version=1,
        urgency=5,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2019-09-04T10:29:00Z",
        version_created="2019-09-04T10:29:00Z",
        dateline=None,
        language=None,
        subjects=["anpa-category:a"],
        body_start="Your daily look at late-breaking news, upcoming events and t",
    ),
    Golden(
        "ap_anpa_argentina-cancer.tst",
        count=1,
        headline="For Argentine chemo patients, mirrors can hurt",
        agency="ap",
        agency_id="BC-LT--Argentina-CancerB",
        version=1,
        urgency=1,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2013-11-13T15:09:00Z",
        version_created="2013-11-13T15:09:00Z",
        dateline=("BUENOS AIRES, Argentina (AP)", "BUENOS AIRES"),
        language=None,
        subjects=["anpa-category:l"],
        body_start="BUENOS AIRES, Argentina (AP) _ For cancer patients dealing w",
    ),
    Golden(
        "ap_anpa_baseball-expanded-glance.tst",
        count=1,
        headline="Baseball Expanded Standings",
        agency="ap",
        agency_id="BC-BBO--BaseballExpanded",
        version=1,
        urgency=5,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2016-05-17T06:20:00Z",
        version_created="2016-05-17T06:20:00Z",
        dateline=None,
        language=None,
        subjects=["anpa-category:z"],
        body_start="All Times EDT\n\nAMERICAN LEAGUE\n\nEast Division\n\nW L Pct GB WC",
    ),
    Golden(
        "ap_anpa_china-daring-escape_3rdld-writethru.tst",
        count=1,
        headline="AP Exclusive: China lawyer's family says US helped them flee",
        agency="ap",
        agency_id="BC-AS--China-DaringEscap",
        version=4,
        urgency=5,
        pubstatus="usable",
        signals=["update", "writethru"],
        embargoed_until=None,
        first_created=None,
        version_created="2017-05-09T00:56:00Z",
        dateline=("BEIJING (AP)", "BEIJING"),
        language=None,
        subjects=["anpa-category:i"],
        body_start="BEIJING (AP) _ Stuck in a Bangkok jail with a deportation or",
    ),
    Golden(
        "ap_anpa_ethanol_1stld-writethru.tst",
        count=1,
        headline="Prairies vanish in the US push for green energy",
        agency="ap",
        agency_id="BC-US--Ethanol-LosingGra",
        version=2,
        urgency=5,
        pubstatus="usable",
        signals=["update", "writethru"],
        embargoed_until=None,
        first_created=None,
        version_created="2013-11-13T07:45:00Z",
        dateline=("ROSCOE, South Dakota (AP)", "ROSCOE"),
        language=None,
        subjects=["anpa-category:a"],
        body_start="ROSCOE, South Dakota (AP) _ Robert Malsam nearly went broke ",
    ),
    Golden(
        "ap_anpa_giant-lobster_1stld-writethru.tst",
        count=1,
        headline="$210 lobster is found dead",
        agency="ap",
        agency_id="BC-US--GiantLobsterDeath",
        version=2,
        urgency=5,
        pubstatus="usable",
        signals=["update", "writethru"],
        embargoed_until=None,
        first_created=None,
        version_created="2016-08-29T16:26:00Z",
        dateline=("CHATHAM, Mass. (AP)", "CHATHAM"),
        language=None,
        subjects=["anpa-category:d"],
        body_start="CHATHAM, Mass. (AP) _ A lobster died.",
    ),
    Golden(
        "ap_anpa_top-entertainment-headlines.tst",
        count=1,
        headline="AP Top Entertainment News at 11:23 p.m. EST",
        agency="ap",
        agency_id="AP-Top-Entertainment-Hea",
        version=1,
        urgency=5,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2016-02-10T04:23:00Z",
        version_created="2016-02-10T04:23:00Z",
        dateline=None,
        language=None,
        subjects=["anpa-category:e"],
        body_start="Ex-bodyguard testifies about lewd messages sent to Paltrow\n\n",
    ),
    Golden(
        "ap_anpa_wild-card-glance_no-wordcount.tst",
        count=1,
        headline="Wild Card Glance",
        agency="ap",
        agency_id="BC-BBO--WildCardGlance",
        version=1,
        urgency=5,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2019-08-18T20:17:00Z",
        version_created="2019-08-18T20:17:00Z",
        dateline=None,
        language=None,
        subjects=["anpa-category:s"],
        body_start="All Times EDT\n\nAMERICAN LEAGUE\n\nW L Pct WCGB\n\nTampa Bay 73 5",
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_golden(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "anpa1312", golden)


def test_byline_joins_name_and_title(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "anpa1312" / "ap_anpa_ethanol_1stld-writethru.tst").read_bytes(), _ctx())[0]
    assert story.byline == "By CHET BROKAW and JACK GILLUM, Associated Press"
    assert story.slugline == "BC-US--Ethanol-Losing Grassland"
    assert story.credits == ["AP"]
    # The trailer and the "Eds:" note are not copy.
    assert "AP-WF" not in story.body_text and "Eds:" not in story.body_text
    assert story.body_text.endswith("contributed to this report from Washington.")


def test_agate_rows_keep_cells_together(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "anpa1312" / "ap_anpa_wild-card-glance_no-wordcount.tst").read_bytes(), _ctx())[
        0
    ]
    paragraphs = story.body_text.split("\n\n")
    assert "W L Pct WCGB" in paragraphs
    assert "Tampa Bay 73 52 .584 _" in paragraphs
    assert "Chicago 55 67 .451 16½" in paragraphs


def test_headline_list_item_keeps_every_line(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "anpa1312" / "ap_anpa_top-entertainment-headlines.tst").read_bytes(), _ctx())[0]
    paragraphs = story.body_text.split("\n\n")
    assert len(paragraphs) == 10
    assert paragraphs[-1] == "Martin Shkreli sued by artist over Wu-Tang Clan album"


def test_kill_cancels_the_story() -> None:
    story = PARSER.parse((TEXT_FIXTURES / "anpa_kill.tst").read_bytes(), _ctx())[0]
    assert story.id == "ap:BC-US--Bridge-Collapse"
    assert story.signals == ["kill"]
    assert story.pubstatus == "canceled"
    assert story.urgency == 2


def test_two_messages_in_one_stream_get_lineage_per_item() -> None:
    lineage = Lineage(raw_id="feed:1", feed="feed", content_hash="0" * 64, source_ref="spool/1", received_at=utcnow())
    ctx = FeedContext(agency="feed", lineage=lineage)
    update, glance = PARSER.parse((TEXT_FIXTURES / "anpa_two_messages.tst").read_bytes(), ctx)
    assert (update.version, update.signals, update.urgency) == (3, ["update", "writethru"], 3)
    assert update.byline == "By INGRID SALO, Associated Press"
    assert update.first_created is None
    assert glance.body_text == "Pts GD\n\nLakeside 12 7½"
    assert [s.lineage.item_index for s in (update, glance) if s.lineage] == [0, 1]


def test_agate_header_row_drops_the_carets_that_open_cells() -> None:
    data = (
        b"\x16\x16\x01s0284\x1f-----\nr s\x14\x12 BC-BBO--Glance     08-18\n"
        b"\x02^BC-BBO--Glance<\n^Glance=\n"
        b"\x08^\x1f\x1e ^W\x1e \x1e L\x1e ^ ^\x1e Pct^\x1e G{\n\x08Tampa\x10 Bay\x1f\x1e 73\x1e 52\x1e .584\x1e 1{\n"
        b"\x03AP-WF-08-18-19 2017GMT<\n\x04"
    )
    story = PARSER.parse(data, _ctx())[0]
    # A cell of carets only is dropped, a caret opening a cell too; one inside a cell stays.
    assert story.body_text == "W L Pct^ G\u00bd\n\nTampa Bay 73 52 .584 1\u00bd"


def test_embargo_note_sets_release_time() -> None:
    data = (
        b"\x16\x16\x01r0050\x1fasian\nr a\x13\x11 BC-US--Budget-Report     03-02 0020\n"
        b"\x02^BC-US--Budget Report,0020<\n^Budget report due<\n"
        b"^Eds: EMBARGOED until 2026-03-03T05:00Z.<\n\t   The report is due.\n\x03AP-WF-03-02-26 0655GMT<\n\x04"
    )
    story = PARSER.parse(data, _ctx())[0]
    assert story.signals == ["embargo"]
    assert story.embargoed_until is not None and story.embargoed_until.isoformat() == "2026-03-03T05:00:00+00:00"
    assert story.pubstatus == "usable"


@pytest.mark.parametrize(
    ("note", "release"),
    [
        (b"Embargoed until 1130 GMT.", "2026-03-02T11:30:00+00:00"),  # later the same day
        (b"EMBARGOED UNTIL 0500 GMT", "2026-03-03T05:00:00+00:00"),  # already past: the next day
        (b"Embargoed until 2575 GMT.", None),  # no such clock time: held by hand
    ],
)
def test_embargo_note_with_a_clock_time_is_the_next_such_moment(note: bytes, release: str | None) -> None:
    data = (
        b"\x16\x16\x01r0050\x1fasian\nr a\x13\x11 BC-US--Budget-Report     03-02 0020\n"
        b"\x02^BC-US--Budget Report,0020<\n^Budget report due<\n"
        b"^Eds: " + note + b"<\n\t   The report is due.\n\x03AP-WF-03-02-26 0655GMT<\n\x04"
    )
    story = PARSER.parse(data, _ctx())[0]
    assert story.signals == ["embargo"]
    assert (story.embargoed_until.isoformat() if story.embargoed_until else None) == release
    assert story.pubstatus == ("usable" if release else "withheld")


def test_sniff_accepts_its_own_samples_and_no_other_format(corpus_dir: Path) -> None:
    check_sniff(PARSER, (corpus_dir / "anpa1312").iterdir(), other_corpus_files(corpus_dir, "anpa1312"))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"no control bytes at all", "ANPA: no SOH-framed message"),
        (
            b"\x16\x16\x01W2422\x1fasian\nr a\x13\x11 BC-Slug     09-04 0813\n^no stx",
            "ANPA: item 0: no STX (start of text)",
        ),
        (b"\x01???\nr a BC-Slug 09-04\n\x02^slug<\n^head<", "ANPA: item 0: no service and message number after SOH"),
        (
            b"\x16\x16\x01W2422\x1fasian\nr a\x13\x11 BC-Slug     09-04 0813\n\x02^BC-Slug<\n^Cut short<\n\t   Half a",
            "ANPA: item 0: no ETX (end of text): message truncated",
        ),
        (b"\x01W2422\x1fasian\nnot a selector line\n\x02^slug<\n^head<", "ANPA: item 0: unreadable selector line"),
        (b"\x01W2422\x1fasian\nr a\x13\x11 BC-Slug     09-04 0813\n\x02\tjust text\n\x03", "ANPA: item 0: no headline"),
    ],
)
def test_malformed_input_names_the_problem(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(data, _ctx())
    assert raised.value.reason == reason
    assert raised.value.format == "anpa1312" or raised.value.format is None


def test_story_limit_is_enforced() -> None:
    data = (TEXT_FIXTURES / "anpa_two_messages.tst").read_bytes()
    with pytest.raises(ParseError) as raised:
        PARSER.parse(data, FeedContext(agency="feed", limits=ParseLimits(max_stories=1)))
    assert (raised.value.code, raised.value.reason) == ("too_many_stories", "anpa1312: 2 stories; limit is 1")


def _ctx() -> FeedContext:
    return FeedContext(agency="feed")
