"""Reuters-21578 SGML: golden first documents and counts, documents per file, fixtures, sniffing, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.parse.formats.base import FeedContext, ParseLimits
from services.parse.formats.reuters21578 import Reuters21578Parser
from shared.errors import ParseError
from shared.models import Story
from tests.unit.parse.golden import Golden, check_golden

PARSER = Reuters21578Parser()
TEXT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse" / "text"

GOLDEN = [
    Golden(
        "reut2-009.sgm",
        count=1000,
        headline="ADVANCED MAGNETICS <ADMG> IN AGREEMENT",
        agency="reuters",
        agency_id="9001",
        version=1,
        urgency=3,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="1987-03-24T15:59:17Z",
        version_created="1987-03-24T15:59:17Z",
        dateline=("CAMBRIDGE, Mass., March 24", "CAMBRIDGE"),
        language=None,
        subjects=["r21578-places:usa"],
        body_start="Advanced Magnetics Inc said it reached a four mln dlrs resea",
    ),
    Golden(
        "reut2-017.sgm",
        count=1000,
        headline="IBC COFFEE AUCTIONS TO START SOON - DAUSTER",
        agency="reuters",
        agency_id="17001",
        version=1,
        urgency=2,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="1987-04-21T11:35:01Z",
        version_created="1987-04-21T11:35:01Z",
        dateline=("LONDON, April 21", "LONDON"),
        language=None,
        subjects=["r21578-topics:coffee", "r21578-places:uk"],
        body_start="The Brazilian Coffee Institute, IBC, plans to sell in a seri",
    ),
    Golden(
        "reut2-021.sgm",
        count=578,
        headline="CITYFED FINANCIAL CORP SAYS IT CUT QTRLY DIVIDEND TO ONE CENT FROM 10 CTS/SHR",
        agency="reuters",
        agency_id="21001",
        version=1,
        urgency=1,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="1987-10-19T15:37:46Z",
        version_created="1987-10-19T15:37:46Z",
        dateline=None,
        language=None,
        subjects=[],
        body_start="",
    ),
]

# file, NEWID, headline, urgency, signals, first_created, dateline text, subjects, body start
DOCUMENTS = [
    ("reut2-009.sgm", "9043", "CORRECTED - ATT <T> FORMS COMPUTER SALES GROUPS", 3, ["correction"],
     "1987-03-24T16:42:29+00:00", "NEW YORK, March 24", ["r21578-places:usa"], "American Telephone and Telegraph Co"),
    ("reut2-009.sgm", "9228", "BICC SEEKS ACCELERATED EARNINGS GROWTH", 3, [], "1987-03-25T07:50:39+00:00",
     "LONDON, March 25", ["r21578-topics:earn", "r21578-places:uk"], "BICC Plc <BICC.L>, which earlier"),
    ("reut2-009.sgm", "9494", "TREASURY'S BAKER SAYS ECONOMIC COOPERATION PROCESS IS WORKING", 1, [],
     "1987-03-25T14:02:51+00:00", None, ["r21578-people:james-baker"], ""),
    ("reut2-017.sgm", "17133", "CORRECTION - PHIBRO ENERGY CHAIRMAN", 3, ["correction"], "1987-04-24T12:46:35+00:00",
     None, ["r21578-places:usa"], 'In New York story headlined "Phibro Energy chairman'),
    ("reut2-017.sgm", "17980", "LAWSON SAYS LOUVRE CURRENCY ACCORD SATISFACTORY", 3, [], "1987-06-02T09:14:36+00:00",
     "LONDON, June 2", ["r21578-topics:money-fx", "r21578-places:uk", "r21578-places:west-germany",
     "r21578-places:japan", "r21578-places:usa", "r21578-people:lawson"], "The Louvre agreement by the Group"),
    ("reut2-017.sgm", "17608", "WHITE HOUSE SAYS REAGAN HAS NOT DECIDED WHETHER TO RENAME VOLCKER AT FED", 1, [],
     "1987-06-01T11:41:32+00:00", None, ["r21578-people:reagan", "r21578-people:volcker"], ""),
    ("reut2-021.sgm", "21058", "VENEZUELA SAYS OPEC OIL OUTPUT 0VER 18 MLN BPD", 3, [], "1987-10-19T14:45:58+00:00",
     "CARACAS, Oct 19", ["r21578-topics:crude", "r21578-places:venezuela", "r21578-orgs:opec"],
     "The current OPEC oil production is above 18 mln"),
    ("reut2-021.sgm", "21578", "AMERICAN EXCHANGE INTRODUCES INSTITUTIONAL INDEX", 5, [], "1987-10-19T13:30:41+00:00",
     "NEW YORK, Oct 19", ["r21578-places:usa"], "The American Stock Exchange said it has introduced"),
]  # fmt: skip
_CACHE: dict[str, dict[str, Story]] = {}


def _by_id(corpus_dir: Path, file: str) -> dict[str, Story]:
    if file not in _CACHE:
        data = (corpus_dir / "reuters21578" / file).read_bytes()
        _CACHE[file] = {story.agency_id: story for story in PARSER.parse(data, FeedContext(agency="feed"))}
    return _CACHE[file]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_golden(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "reuters21578", golden)


@pytest.mark.parametrize(
    ("file", "newid", "headline", "urgency", "signals", "created", "dateline", "subjects", "body_start"),
    DOCUMENTS,
    ids=[f"{row[0]}:{row[1]}" for row in DOCUMENTS],
)
def test_documents(
    corpus_dir: Path,
    file: str,
    newid: str,
    headline: str,
    urgency: int,
    signals: list[str],
    created: str,
    dateline: str | None,
    subjects: list[str],
    body_start: str,
) -> None:
    story = _by_id(corpus_dir, file)[newid]
    assert story.id == f"reuters:{newid}"
    assert story.headline == headline
    assert story.urgency == urgency
    assert story.signals == signals
    assert story.first_created is not None and story.first_created.isoformat() == created
    assert (story.dateline.text if story.dateline else None) == dateline
    assert [f"{s.scheme}:{s.code}" for s in story.subjects] == subjects
    assert story.body_text.startswith(body_start)
    assert not story.body_text.lower().endswith("reuter")


@pytest.mark.parametrize(("file", "briefs"), [("reut2-009.sgm", 92), ("reut2-017.sgm", 56), ("reut2-021.sgm", 115)])
def test_counts_and_brief_items(corpus_dir: Path, file: str, briefs: int) -> None:
    stories = _by_id(corpus_dir, file)
    assert sum(1 for story in stories.values() if not story.body_text) == briefs
    assert all(story.headline and story.agency == "reuters" for story in stories.values())
    assert len({story.id for story in stories.values()}) == len(stories)
    # One sign-off is dropped; 21261 was signed twice ("… Inc. reuter" then " Reuter") and keeps the first.
    signed_twice = [story.agency_id for story in stories.values() if story.body_text.lower().endswith("reuter")]
    assert signed_twice == (["21261"] if file == "reut2-021.sgm" else [])


def test_the_one_non_ascii_byte_decodes(corpus_dir: Path) -> None:
    # 0xFC is "ü" in Windows-1252; the &#5;&#30; control references after it vanish.
    assert "growth.üside measures" in _by_id(corpus_dir, "reut2-017.sgm")["17980"].body_text


def test_fixture_with_corrected_title_and_unprocessed_text() -> None:
    corrected, unprocessed = PARSER.parse(
        (TEXT_FIXTURES / "reuters21578_sample.sgm").read_bytes(), FeedContext(agency="x")
    )
    assert (corrected.id, corrected.signals, corrected.urgency) == ("reuters:90001", ["correction"], 2)
    assert [f"{s.scheme}:{s.code}" for s in corrected.subjects] == [
        "r21578-topics:grain",
        "r21578-topics:wheat",
        "r21578-places:canada",
        "r21578-people:mulroney",
        "r21578-orgs:ec",
    ]
    assert corrected.body_text == (
        "The Canadian Wheat Board raised its export target for the crop year, a board spokesman said."
        "\n\nThe target was raised by half a mln tonnes."
    )
    assert unprocessed.headline == "GRAIN SHIPMENTS DELAYED BY ICE"
    assert unprocessed.body_text == "Ice on the lakes delayed grain shipments, shippers said."


def test_sniff_accepts_its_own_samples(corpus_dir: Path) -> None:
    assert all(PARSER.sniff(path.read_bytes()) for path in sorted((corpus_dir / "reuters21578").iterdir()))


@pytest.mark.parametrize(
    "folder",
    [
        "anpa1312",
        "iptc7901",
        "zczc_aap",
        "nitf",
        "newsml12",
        "newsmlg2",
        "ninjs",
        "rss_atom",
        "ap_media_api",
        "other_agency_xml",
    ],
)
def test_sniff_rejects_other_formats(corpus_dir: Path, folder: str) -> None:
    for path in sorted((corpus_dir / folder).iterdir()):
        if path.is_file():
            assert not PARSER.sniff(path.read_bytes()), path.name


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\n', "Reuters-21578: no <REUTERS> document"),
        (b'<REUTERS OLDID="1"><TEXT><TITLE>T</TITLE></TEXT></REUTERS>', "Reuters-21578: document 0 has no NEWID"),
        (b'<REUTERS NEWID="7"><TEXT TYPE="BRIEF"></TEXT></REUTERS>', "Reuters-21578: document 7 has no title or text"),
    ],
)
def test_malformed_input_names_the_problem(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(data, FeedContext(agency="x"))
    assert raised.value.reason == reason


def test_story_limit_is_enforced() -> None:
    data = (TEXT_FIXTURES / "reuters21578_sample.sgm").read_bytes()
    with pytest.raises(ParseError) as raised:
        PARSER.parse(data, FeedContext(agency="x", limits=ParseLimits(max_stories=1)))
    assert (raised.value.code, raised.value.reason) == ("too_many_stories", "reuters21578: 2 stories; limit is 1")
