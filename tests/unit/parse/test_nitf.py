from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.parse.formats.base import FeedContext
from services.parse.formats.newsml12 import NewsML12Parser
from services.parse.formats.newsml_g2 import NewsMLG2Parser
from services.parse.formats.nitf import NitfParser
from services.parse.formats.registry import detect
from shared.errors import ParseError
from shared.models import Lineage
from tests.unit.parse.golden import FIXTURES, Golden, check_golden

PARSER = NitfParser()

GOLDEN = [
    Golden(
        "aap_nitf_abc-tv-news.xml",
        count=1,
        headline="The main stories on today's 1900 ABC TV news",
        agency="aap",
        agency_id="AAP.115314987.5417374",
        version=1,
        urgency=5,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2013-10-20T08:27:51Z",
        version_created="2013-10-20T08:27:51Z",
        dateline=("Sydney", "Sydney"),
        language=None,
        subjects=["subj:02003001", "subj:02003002"],
        body_start="The main stories on ABC television's 1900 news:\n\n1A) More ex",
    ),
    Golden(
        "aap_nitf_finance_samsung.xml",
        count=1,
        headline="ASIA:Samsung sells defence, petrochemical units",
        agency="afp",
        agency_id="AFP.121974877.6504909",
        version=1,
        urgency=5,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2014-11-26T15:27:03Z",
        version_created="2014-11-26T15:27:03Z",
        dateline=None,
        language=None,
        subjects=["subj:04000000"],
        body_start="SEOUL, Nov 26 AFP - Samsung has announced the sale of stakes",
    ),
    Golden(
        "ansa_nitf_belga.xml",
        count=1,
        headline=">>>ANSA/Gazprom cuts Italy gas supplies by a third",
        agency="ansa",
        agency_id="XAM22192010243_AMZ_X083",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2022-07-11T18:33:00Z",
        version_created="2022-07-11T18:33:00Z",
        dateline=("ROME", "ROME"),
        language="it",
        subjects=[],
        body_start="(ANSA) - ROME, JUL 11 - Russian energy giant Gazprom on Mond",
    ),
    Golden(
        "ap_media-api_nitf_top-ten.xml",
        count=1,
        headline="BC-BBN--Top Ten",
        agency="ap",
        agency_id="8fd83512d834472dbc10",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2019-07-03T04:05:12Z",
        version_created="2019-07-03T04:05:12Z",
        dateline=None,
        language=None,
        subjects=[],
        body_start="BC-BBN--Top Ten\n\nBASEBALL'S TOP TEN\n\nBy The Associated Press",
    ),
    Golden(
        "ap_nitf_agate.xml",
        count=1,
        headline="NBA Expanded Glance",
        agency="ap",
        agency_id="508ad944d7917bd76113",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2021-05-12T14:00:07Z",
        version_created="2021-05-12T14:00:07Z",
        dateline=None,
        language=None,
        subjects=[],
        body_start="All Times EDT\n\nEASTERN CONFERENCE\n\nAtlantic Division\n\nW L Pc",
    ),
    Golden(
        "ap_nitf_pollution-trading.xml",
        count=1,
        headline="Can trading pollution like stocks help fight climate change?",
        agency="ap",
        agency_id="6e563527db37878499ef",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2015-12-10T19:10:44Z",
        version_created="2015-12-10T19:10:44Z",
        dateline=("NEW YORK", "NEW YORK"),
        language=None,
        subjects=[],
        body_start="NEW YORK (AP) — The gas produced by hog manure at farms acro",
    ),
    Golden(
        "cp_nitf_rideau-hall-police_invalid-fields.xml",
        count=1,
        headline="Man accused of ramming gate at Rideau Hall with truck faces multiple charges",
        agency="cp",
        agency_id="eed713d46d74499d86b3250fa47b341b",
        version=1,
        urgency=2,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2020-07-03T20:51:36Z",
        version_created="2020-07-03T20:51:36Z",
        dateline=("Ottawa, Ontario, Canada", "Ottawa"),
        language=None,
        subjects=[],
        body_start="OTTAWA - A Manitoba man is facing 22 criminal charges after ",
    ),
    Golden(
        "efe_nitf_honduras-cabinet.xml",
        count=1,
        headline="Honduran president announces Cabinet changes",
        agency="efe",
        agency_id="22751909",
        version=1,
        urgency=5,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2017-01-02T22:28:00Z",
        version_created="2017-01-02T22:28:00Z",
        dateline=None,
        language="en-US",
        subjects=["subj:11006005", "efe:F01001000"],
        body_start="Tegucigalpa, Jan 2 (EFE).- Test body.",
    ),
    Golden(
        "ntb_nitf_faktisk_iso-8859-1.xml",
        count=1,
        headline="Faktisk.no: Nei, dette dokumentet beskriver ikke FNs Agenda 21 eller Agenda 2030",
        agency="ntb",
        agency_id="faktisk-d9cde75b-256e-4989-b6a3-b8ad27f43a5c_47",
        version=48,
        urgency=5,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2020-09-07T14:45:26Z",
        version_created="2020-09-07T14:45:26Z",
        dateline=("Oslo", "Oslo"),
        language="nb-NO",
        subjects=[],
        body_start="Nei, dette dokumentet beskriver ikke FNs Agenda 21 eller Age",
    ),
    Golden(
        "ntb_nitf_mapping_iso-8859-1.xml",
        count=1,
        headline="*En 41-årig mand, der onsdag blev anholdt og sat i forbindel",
        agency="ritzau",
        agency_id="20160512:RTZ:8883:0",
        version=4,
        urgency=3,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2016-05-11T22:05:13Z",
        version_created="2016-05-11T22:05:13Z",
        dateline=None,
        language="no-NO",
        subjects=["subj:02000000"],
        body_start="København /ritzau/: En 41-årig mand, der onsdag blev anholdt",
    ),
    Golden(
        "pa_nitf_politics_embargoed.xml",
        count=1,
        headline="UK BREAK-UP 'NOT INCONCEIVABLE', FIRST MINISTER WARNS AHEAD OF BREXIT TALKS",
        agency="pa",
        agency_id="4a82e12e-6b39-47eb-8e59-2c616a7e32a4HHH-13-1",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=["embargo"],
        embargoed_until="2016-09-08T23:01:00Z",
        first_created="2016-09-08T12:24:46Z",
        version_created="2016-09-08T12:24:46Z",
        dateline=None,
        language=None,
        subjects=["subj:04015000"],
        body_start="The UK risks breaking up unless all home nations play a hand",
    ),
    Golden(
        "pa_nitf_showbiz-bakeoff.xml",
        count=1,
        headline="GREAT BRITISH BAKE OFF COOKS UP TOP FIVE MOST-WATCHED SHOWS OF 2016",
        agency="pa",
        agency_id="255dd17c-cecd-4e56-a555-24fcaf1ef394HHH-8-1",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2016-10-03T14:22:57Z",
        version_created="2016-10-03T14:22:57Z",
        dateline=None,
        language=None,
        subjects=["subj:01014000", "subj:01016000"],
        body_start="The Great British Bake Off has made a clean sweep of the top",
    ),
    Golden(
        "pa_nitf_soccer-teams.xml",
        count=1,
        headline="1 SOCCER INT-Teams",
        agency="pa",
        agency_id="T201510140143580001T",
        version=1,
        urgency=3,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2015-10-14T01:43:58Z",
        version_created="2015-10-14T01:43:58Z",
        dateline=None,
        language=None,
        subjects=[],
        body_start="International Match\n\nMexico v Panama\n\nMexico: Talavera, M. H",
    ),
    Golden(
        "ritzau-ntb_nitf_danish_iso-8859-1.xml",
        count=1,
        headline="*En 41-årig mand, der onsdag blev anholdt og sat i forbindel",
        agency="ritzau",
        agency_id="20160512:RTZ:8883:0",
        version=4,
        urgency=3,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2016-05-11T22:05:13Z",
        version_created="2016-05-11T22:05:13Z",
        dateline=("Stockholm", "Stockholm"),
        language="no-NO",
        subjects=["subj:15000000", "subj:15073031"],
        body_start="København /ritzau/: En 41-årig mand, der onsdag blev anholdt",
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_file(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "nitf", golden)


def test_every_corpus_file_has_a_golden(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "nitf").glob("*.xml")) == sorted(g.file for g in GOLDEN)


def test_byline_keeps_name_and_title(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "nitf" / "ap_nitf_pollution-trading.xml").read_bytes(), FeedContext("x"))[0]
    assert story.byline == "By BERNARD CONDON, AP Business Writer"
    assert story.credits == ["AP"]


def test_cp_dateline_joins_city_state_country(corpus_dir: Path) -> None:
    data = (corpus_dir / "nitf" / "cp_nitf_rideau-hall-police_invalid-fields.xml").read_bytes()
    story = PARSER.parse(data, FeedContext("x"))[0]
    assert story.byline == "Mia Rabson and Jordan Press, The Canadian Press"
    assert story.keywords == ["National", "Justice", "Politics"]


def test_agate_table_rows_become_paragraphs_and_html_table(corpus_dir: Path) -> None:
    data = (corpus_dir / "nitf" / "ap_media-api_nitf_top-ten.xml").read_bytes()
    story = PARSER.parse(data, FeedContext("x"))[0]
    assert "McNeil NYM 72 271 37 95 .351" in story.body_text.split("\n\n")
    assert story.body_html is not None and "<table>" in story.body_html and "<td>McNeil NYM</td>" in story.body_html


def test_id_without_doc_id_is_stable(corpus_dir: Path) -> None:
    data = (corpus_dir / "nitf" / "ap_nitf_agate.xml").read_bytes()
    assert PARSER.parse(data, FeedContext("x"))[0].id == PARSER.parse(data, FeedContext("y"))[0].id


def test_mislabelled_utf8_is_read_as_utf8(corpus_dir: Path) -> None:
    data = (corpus_dir / "nitf" / "ntb_nitf_mapping_iso-8859-1.xml").read_bytes()
    assert PARSER.parse(data, FeedContext("x"))[0].headline.startswith("*En 41-årig mand")


def test_canceled_fixture_is_a_kill() -> None:
    story = PARSER.parse((FIXTURES / "nitf_canceled.xml").read_bytes(), FeedContext("feed"))[0]
    assert story.id == "afp:AFP-LYO-0042"
    assert story.pubstatus == "canceled"
    assert story.signals == ["kill"]
    assert story.version == 2
    assert story.urgency == 2
    assert story.language == "fr-FR"
    assert story.dateline is not None and story.dateline.place == "Lyon"
    assert story.headline == "ANNULATION - Incendie dans un entrepôt à Lyon"
    assert story.first_created == datetime(2024, 3, 5, 9, 15, tzinfo=UTC)
    assert story.body_html == "<p>Merci de ne pas utiliser la dépêche sur l'incendie d'un entrepôt à Lyon.</p>"


def test_lineage_gets_item_index() -> None:
    lineage = Lineage(raw_id="f:1", feed="f", content_hash="h", source_ref="s", received_at=datetime.now(UTC))
    story = PARSER.parse((FIXTURES / "nitf_canceled.xml").read_bytes(), FeedContext("feed", lineage=lineage))[0]
    assert story.lineage == lineage.model_copy(update={"item_index": 0})


def test_no_body_content_is_refused() -> None:
    data = b"<nitf><head><title>T</title></head><body><body.head/></body></nitf>"
    with pytest.raises(ParseError, match=r"^NITF: no <body.content>$"):
        PARSER.parse(data, FeedContext("x"))


def test_other_root_is_refused() -> None:
    with pytest.raises(ParseError, match=r"root element is <NewsML>, not <nitf>"):
        PARSER.parse(b"<NewsML/>", FeedContext("x"))


def test_sniff_accepts_nitf_and_rejects_newsml(corpus_dir: Path) -> None:
    for path in (corpus_dir / "nitf").glob("*.xml"):
        assert PARSER.sniff(path.read_bytes()), path.name
        assert not NewsML12Parser().sniff(path.read_bytes()), path.name
        assert not NewsMLG2Parser().sniff(path.read_bytes()), path.name
    for folder in ("newsml12", "newsmlg2"):
        for path in (corpus_dir / folder).glob("*.xml"):
            assert not PARSER.sniff(path.read_bytes()), path.name


def test_json_quoting_nitf_markup_is_not_sniffed_as_xml() -> None:
    # A ninjs item may carry its body as NITF markup (IPTC's examples do): it is JSON, not NITF.
    nitf = "<nitf><body><body.content><p>x</p></body.content></body></nitf>"
    item = {"uri": "urn:x:1", "headlines": [{"value": "Budget"}], "bodies": [{"contentType": "nitf", "value": nitf}]}
    data = json.dumps(item).encode()
    assert not PARSER.sniff(data)
    assert not NewsML12Parser().sniff(data.replace(b"<nitf>", b"<NewsML>"))
    assert detect(data).name == "ninjs"


def test_ninjs_corpus_items_with_nitf_bodies_are_ninjs(corpus_dir: Path) -> None:
    quoting = [path for path in sorted((corpus_dir / "ninjs").glob("*.json")) if b"<nitf" in path.read_bytes()]
    assert quoting
    assert [detect(path.read_bytes()).name for path in quoting] == ["ninjs"] * len(quoting)
