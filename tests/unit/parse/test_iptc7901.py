"""IPTC 7901: golden values per corpus file, fixtures (CORRECTED, 2ND LEAD, KILL), sniffing, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.parse.formats.base import FeedContext
from services.parse.formats.iptc7901 import Iptc7901Parser
from services.parse.text import month_from_name
from shared.errors import ParseError
from tests.unit.parse.golden import Golden, check_golden, check_sniff, other_corpus_files

PARSER = Iptc7901Parser()
TEXT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse" / "text"

GOLDEN = [
    Golden(
        "ats-sda_iptc7901_gilets-jaunes_fr.txt",
        count=1,
        headline="Gilets jaunes: une «catastrophe pour notre économie» (Le Maire)",
        agency="ats",
        agency_id="France",
        version=1,
        urgency=3,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2018-12-09T12:23:00Z",
        version_created="2018-12-09T12:23:00Z",
        dateline=("Paris (ats afp)", "Paris"),
        language=None,
        subjects=["iptc7901-category:ec"],
        body_start="Paris (ats afp) Les violences liées aux manifestations des «",
    ),
    Golden(
        "dpa_iptc7901_mueller_1st-lead_odd-charset.txt",
        count=1,
        headline="German football saddened by illness to striker legend Mueller",
        agency="dpa",
        agency_id="Germany-football/Munich/Mueller",
        version=2,
        urgency=3,
        pubstatus="usable",
        signals=["update"],
        embargoed_until=None,
        first_created=None,
        version_created="2015-10-07T13:41:00Z",
        dateline=("Munich (dpa)", "Munich"),
        language=None,
        subjects=["iptc7901-category:s"],
        body_start="Munich (dpa) - German football generations past and present ",
    ),
    Golden(
        "dpa_iptc7901_switzerland-migration_refile-1st-lead.txt",
        count=1,
        headline="Switzerland joins list of countries resisting UN migration pact",
        agency="dpa",
        agency_id="Switzerland/migration/UN",
        version=2,
        urgency=3,
        pubstatus="usable",
        signals=["refile", "update"],
        embargoed_until=None,
        first_created=None,
        version_created="2018-11-21T23:22:00Z",
        dateline=("Geneva (dpa)", "Geneva"),
        language=None,
        subjects=["iptc7901-category:i"],
        body_start="Geneva (dpa) - Switzerland is joining a growing number of co",
    ),
    Golden(
        "dpa_iptc7901_tns_super-bowl_two-bylines.txt",
        count=1,
        headline="Chiefs-Rams 2.0? Would be a fun Super Bowl, but don't count on it",
        agency="dpa",
        agency_id="American Football/NFL",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2018-11-21T12:59:00Z",
        version_created="2018-11-21T12:59:00Z",
        dateline=("San Diego (tca/dpa)", "San Diego"),
        language=None,
        subjects=["iptc7901-category:s"],
        body_start="San Diego (tca/dpa) - History says this wasn't a Super Bowl ",
    ),
    Golden(
        "dpa_iptc7901_yemen_extra.txt",
        count=1,
        headline="Peace talks on Yemen to take place in Sweden next month, Mattis says",
        agency="dpa",
        agency_id="Yemen/conflict",
        version=1,
        urgency=3,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2018-11-21T21:01:00Z",
        version_created="2018-11-21T21:01:00Z",
        dateline=("Washington (dpa)", "Washington"),
        language=None,
        subjects=["iptc7901-category:i"],
        body_start="Washington (dpa) - US Defence Secretary Jim Mattis says he e",
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_golden(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "iptc7901", golden)


def test_unpublishable_tail_and_sign_off_are_cut(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "iptc7901" / "dpa_iptc7901_yemen_extra.txt").read_bytes(), _ctx())[0]
    assert story.body_text.endswith("in recent days it has decreased considerably.")
    assert "Notebook" not in story.body_text and "dpa grj" not in story.body_text
    assert story.slugline == "Yemen/conflict"


def test_latin1_french_copy_decodes(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "iptc7901" / "ats-sda_iptc7901_gilets-jaunes_fr.txt").read_bytes(), _ctx())[0]
    assert "«gilets jaunes»" in story.body_text
    assert "SDA" not in story.body_text.split("\n\n")[-1]


def test_syndicated_byline_is_kept(corpus_dir: Path) -> None:
    path = corpus_dir / "iptc7901" / "dpa_iptc7901_tns_super-bowl_two-bylines.txt"
    story = PARSER.parse(path.read_bytes(), _ctx())[0]
    assert story.byline == "By Tom Krasovic, The San Diego Union-Tribune"
    assert "Editorial contacts" not in story.body_text


def test_corrected_item() -> None:
    story = PARSER.parse((TEXT_FIXTURES / "iptc7901_corrected.txt").read_bytes(), _ctx())[0]
    assert story.id == "dpa:Netherlands/dikes"
    assert story.signals == ["correction"]
    assert story.pubstatus == "usable"
    assert story.byline == "By Anouk Verbeek, dpa"
    assert story.version_created is not None and story.version_created.isoformat() == "2026-03-03T14:15:00+00:00"
    assert story.body_text.endswith("before the next storm season.")


@pytest.mark.parametrize("line_end", [b"\r", b"\n"])
def test_cr_only_and_lf_only_line_ends(line_end: bytes) -> None:
    data = (TEXT_FIXTURES / "iptc7901_corrected.txt").read_bytes().replace(b"\r\n", line_end)
    story = PARSER.parse(data, _ctx())[0]
    assert (story.slugline, story.headline) == ("Netherlands/dikes", "Dutch dike repairs to cost 2 billion euros")
    assert story.body_text.endswith("before the next storm season.")


def test_second_lead_and_kill_in_one_stream() -> None:
    lead, kill = PARSER.parse((TEXT_FIXTURES / "iptc7901_lead_and_kill.txt").read_bytes(), _ctx())
    assert (lead.version, lead.signals, lead.urgency) == (3, ["update"], 4)
    assert lead.body_text == "The Hague (dpa) - The Dutch parliament on Wednesday approved a fund for dike repairs."
    assert (kill.signals, kill.pubstatus, kill.urgency) == (["kill"], "canceled", 1)


def test_every_transmission_of_a_story_has_the_story_id_of_its_keyword_line() -> None:
    # eca0450 (CORRECTED), eca0451 (2ND LEAD) and eca0452 (KILL) are three transmissions of one story.
    corrected = PARSER.parse((TEXT_FIXTURES / "iptc7901_corrected.txt").read_bytes(), _ctx())[0]
    lead, kill = PARSER.parse((TEXT_FIXTURES / "iptc7901_lead_and_kill.txt").read_bytes(), _ctx())
    assert {story.id for story in (corrected, lead, kill)} == {"dpa:Netherlands/dikes"}
    assert [story.version for story in (lead, kill)] == [3, 1]


def test_a_message_without_keyword_line_is_named_by_its_transmission_number() -> None:
    data = (
        b"\x01ten0042 4 i 12  tass 042\r\n\r\n\x02Grain deal extended =\r\n\r\nText.\r\n\x03051030 GMT Mar 26\r\n\x04"
    )
    story = PARSER.parse(data, _ctx())[0]
    assert (story.agency_id, story.slugline) == ("ten0042", None)


def test_ap_style_lead_word_is_a_new_version() -> None:
    data = (
        b"\x01ten0042 4 i 12  tass 042\r\n\r\nRussia/grain/\r\n\x021st Ld-Writethru\r\n"
        b"Grain deal extended =\r\n\r\nText.\r\n\x03051030 GMT Mar 26\r\n\x04"
    )
    story = PARSER.parse(data, _ctx())[0]
    assert (story.version, story.signals, story.headline) == (2, ["update", "writethru"], "Grain deal extended")


def test_undeclared_koi8r_copy_is_sniffed() -> None:
    story = PARSER.parse((TEXT_FIXTURES / "iptc7901_koi8r.txt").read_bytes(), _ctx())[0]
    assert story.id == "tass:Россия/погода"
    assert story.headline == "Снегопад парализовал движение в Москве"
    assert story.slugline == "Россия/погода"
    assert story.body_text == (
        "Москва (ТАСС) - Сильный снегопад в понедельник остановил движение на нескольких улицах столицы."
        "\n\nКоммунальные службы работают круглосуточно."
    )
    assert story.version_created is not None and story.version_created.isoformat() == "2026-01-12T15:30:00+00:00"


@pytest.mark.parametrize(
    ("name", "month"), [("Okt", 10), ("dec", 12), ("Mär", 3), ("déc.", 12), ("Nov", 11), ("MAR", 3), ("xyz", None)]
)
def test_month_names_in_three_languages(name: str, month: int | None) -> None:
    assert month_from_name(name) == month


def test_sniff_accepts_its_own_samples_and_no_other_format(corpus_dir: Path) -> None:
    check_sniff(PARSER, (corpus_dir / "iptc7901").iterdir(), other_corpus_files(corpus_dir, "iptc7901"))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"plain text", "IPTC 7901: no SOH-framed message"),
        (b"\x01eca100 3 s 586  dpa 099\r\n\r\nslug/\r\nno stx", "IPTC 7901: item 0: no STX (start of text)"),
        (b"\x01not a header\r\n\x02Headline\r\n\r\nBody", "IPTC 7901: item 0: unreadable header line"),
        (b"\x01eca100 3 s 586  dpa 099\r\n\x02REFILE\r\n\x03", "IPTC 7901: item 0: no headline"),
        (
            b"\x01eca100 3 s 586  dpa 099\r\n\x02Cut short =\r\n\r\nHalf a para",
            "IPTC 7901: item 0: no ETX (end of text): message truncated",
        ),
    ],
)
def test_malformed_input_names_the_problem(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(data, _ctx())
    assert raised.value.reason == reason


def _ctx() -> FeedContext:
    return FeedContext(agency="feed")
