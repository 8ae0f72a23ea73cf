"""ninjs parser: golden values for every corpus file, own fixtures, malformed input, sniffing, hypothesis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.parse.formats.ap_media import ApMediaParser
from services.parse.formats.base import FeedContext, ParseLimits
from services.parse.formats.ninjs import NinjsParser
from services.publish.ninjs import NINJS_VERSIONS, render_ninjs
from shared.errors import ParseError
from shared.models import Lineage
from tests.unit.parse.golden import Golden, check_golden

PARSER = NinjsParser()
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse"
CTX = FeedContext(agency="feed")

GOLDEN = [
    Golden(
        "aap-superdesk_ninjs_picture.json",
        count=1,
        headline="German Air Force Museum",
        agency="aap",
        agency_id="20170825001315282180",
        version=3,
        urgency=3,
        signals=["update"],
        first_created="2017-08-18T02:57:43Z",
        version_created="2017-08-25T04:41:35Z",
        language="en",
        subjects=["subj:01000000"],
        body_start="German Air Force Museum",
    ),
    Golden(
        "aap-superdesk_ninjs_text-associations-2.json",
        count=1,
        headline="Oil prices edge up on first drop in US drilling in months",
        agency="aap",
        agency_id="tag:localhost:2017:7ca07622-3b19-4d61-8daf-18500412d46b",
        version=4,
        urgency=3,
        signals=["update"],
        first_created="2017-07-03T01:38:13Z",
        version_created="2017-08-24T01:58:40Z",
        dateline=("Singapore", "Singapore"),
        subjects=["subj:04005004"],
        body_start="Oil prices edged up on Monday, supported by the first autumn",
    ),
    Golden(
        "bbc_ninjs-api_text.json",
        count=1,
        headline="advisory",
        agency="feed",
        agency_id="https://www.example.com//12345",
        urgency=3,
        first_created="2018-05-28T16:40:08Z",
        version_created="2018-05-28T16:40:08Z",
        language="en",
        subjects=["category:planning-permission"],
        body_start="body",
    ),
    Golden(
        "futurezone_ninjs_de.json",
        count=1,
        headline="China behauptet, einen Polizeihund geklont zu haben",
        agency="feed",
        agency_id="https://www.futurezone.de/science/article216742303/China-behauptet-einen-Polizeihund-geklont-zu-haben.html",
        urgency=5,
        version_created="2019-03-25T08:54:09Z",
        language="de",
        subjects=["fuzo:science", "topic:#Biologie"],
        body_start="Es kann ganz schön kostspielig sein, Polizeihunde zum Schutz",
    ),
    Golden(
        "iptc-example_ninjs14_businesswire-newsml-20130515006361.json",
        count=1,
        headline=(
            "Dell Redefines Workstation Computing Boundaries with Smallest Tower and Most Powerful Rack Workstations"
        ),
        agency="businesswire",
        agency_id="http://www.businesswire.com/news/home/20130515006361/en",
        version_created="2013-05-16T04:01:00Z",
        language="en",
        body_start="Dell today announced an expanded and stronger Dell Precision",
    ),
    Golden(
        "iptc-example_ninjs14_businesswire-newsml-20130731006140.json",
        count=1,
        headline="Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In",
        agency="businesswire",
        agency_id="http://www.businesswire.com/news/home/20130731006140/en",
        version_created="2013-07-31T15:32:00Z",
        language="en",
        body_start="With more Applebee’s® Lunch Combos than ever – enough to try",
    ),
    Golden(
        "iptc-example_ninjs14_ninjsExSimplePhoto1.json",
        count=1,
        headline="Costa Concordia cruise ship",
        agency="feed",
        agency_id="http://ninjs.example.com/newsitems/20130709simpPh123",
        version_created="2013-07-08T08:12:00Z",
        body_start="The Costa Concordia cruise ship lies on its side in the wate",
    ),
    Golden(
        "iptc-example_ninjs21_businesswire-newsml-20130731006140.json",
        count=1,
        headline="Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In",
        agency="businesswire",
        agency_id="http://www.businesswire.com/news/home/20130731006140/en",
        version_created="2013-07-31T15:32:00Z",
        language="en",
        body_start="With more Applebee’s® Lunch Combos than ever – enough to try",
    ),
    Golden(
        "iptc-example_ninjs21_dpa_text.json",
        count=1,
        headline="Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
        agency="dpa",
        agency_id="urn:newsml:dpa.com:20090101:190510-99-167362",
        version=2,
        urgency=4,
        signals=["update"],
        version_created="2019-05-10T14:02:28Z",
        language="de",
        body_start="Für Lucien Favre war es «der größte Skandal im Fußball seit ",
    ),
    Golden(
        "iptc-example_ninjs21_imageLinkedRights.json",
        count=1,
        headline="MotoGP - Spain - Valentino Rossi",
        agency="feed",
        agency_id="http://example.agency.com/item/TG346285",
        version_created="2013-07-08T08:12:00Z",
        body_start="Valentino Rossi (46) of Italy and Petronas Yamaha SRT during",
    ),
    Golden(
        "iptc-example_ninjs21_ninjsExSimpleText_2.json",
        count=1,
        headline="Captain of wrecked cruise ship on trial in Italy",
        agency="feed",
        agency_id="http://ninjs.example.com/newsitems/20130709simp123",
        version_created="2013-07-09T10:37:00Z",
        dateline=("GROSSETO, Italy (AP)", "GROSSETO"),
        body_start="GROSSETO, Italy (AP) -- The trial of the captain of the ship",
    ),
    Golden(
        "iptc-example_ninjs21_ntb_text.json",
        count=1,
        headline="Google har kjøpt giganttomt i Skien",
        agency="ntb",
        agency_id="urn:8d19cf88-b3ab-4972-8fec-1207599f2872",
        version=6,
        urgency=5,
        signals=["update"],
        first_created="2019-08-09T09:30:04Z",
        version_created="2019-08-09T09:46:53Z",
        language="nb-NO",
        subjects=["ntb:Innenriks", "subj:13010000"],
        body_start="IT-giganten Google har kjøpt en tomt på nærmere 2.000 mål i ",
    ),
    Golden(
        "iptc-example_ninjs21_tt_text_image_2.json",
        count=1,
        headline="Militärövning i jätteformat hålls 2023",
        agency="tt",
        agency_id="http://tt.se/media/text/210526-militarovning-a0f2d045",
        urgency=3,
        version_created="2021-05-26T11:40:18Z",
        language="sv",
        subjects=["subj:16000000"],
        body_start="Militärövning i jätteformat hålls 2023\n\nFörsvarTT\n\nPandemin ",
    ),
    Golden(
        "iptc-example_ninjs30_20231004-UEFA-ChampionLeague.json",
        count=1,
        headline="Champions League 2023/2024 - Group E - Atlético de Madrid-Feyenoord",
        agency="feed",
        agency_id="https://www.uefa.com/20231004-UEFA-ChampionsLeague",
        body_start="Feyenoord met Atlético de Madrid on Estadio Metropolitano in",
    ),
    Golden(
        "iptc-example_ninjs30_20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever-addb-ninjs-nitf.json",
        count=1,
        headline="Anti-doping measures at the 'Tour Down Under' will be the toughest ever",
        agency="feed",
        agency_id="https://antidopingdatabase.com/news/anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever",
        version=2,
        urgency=4,
        signals=["update"],
        version_created="2023-10-08T00:34:03Z",
        dateline=("Oslo, Norway", "Oslo"),
        language="en",
        subjects=["medtop:15000000", "medtop:20001105"],
        body_start="The Australian Sports Anti-Doping Authority (ASADA) today an",
    ),
    Golden(
        "iptc-example_ninjs30_20231016-addb-example-press-conference.json",
        count=1,
        headline="World Anti",
        agency="feed",
        agency_id="http://addb.no/worldanti",
        body_start="The Australian Sports Anti-Doping Authority (ASADA) today an",
    ),
    Golden(
        "iptc-example_ninjs30_businesswire-newsml-20130731006140.json",
        count=1,
        headline="Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In",
        agency="businesswire",
        agency_id="http://www.businesswire.com/news/home/20130731006140/en",
        version_created="2013-07-31T15:32:00Z",
        language="en",
        body_start="With more Applebee’s® Lunch Combos than ever – enough to try",
    ),
    Golden(
        "iptc-example_ninjs30_dpa_text.json",
        count=1,
        headline="Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
        agency="dpa",
        agency_id="urn:newsml:dpa.com:20090101:190510-99-167362",
        version=2,
        urgency=4,
        signals=["update"],
        version_created="2019-05-10T14:02:28Z",
        language="de",
        body_start="Für Lucien Favre war es «der größte Skandal im Fußball seit ",
    ),
    Golden(
        "iptc-example_ninjs30_simpleEvent.json",
        count=1,
        headline="Tackling Doping in Sport Conference",
        agency="feed",
        agency_id="urn:newsml:addb.no:20110316:0002-ninjs3.0-addb--event-test",
        version=2,
        urgency=4,
        signals=["update"],
        version_created="2023-10-04T06:16:21Z",
        language="en",
        body_start="The two-day Tackling Doping in Sport Conference took place a",
    ),
    Golden(
        "iptc-userguide_ninjs16_005_complex_text_article.json",
        count=1,
        headline="Captain of wrecked cruise ship on trial in Italy",
        agency="feed",
        agency_id="http://ninjs.example.com/newsitems/20130709med123",
        version_created="2013-07-09T10:37:00Z",
        dateline=("Grossetto, Italy", "Grossetto"),
        language="en",
        body_start="GROSSETO, Italy (AP) -- The trial of the captain of the ship",
    ),
    Golden(
        "iptc-userguide_ninjs16_007_multimedia.json",
        count=1,
        headline="Captain of wrecked cruise ship on trial in Italy",
        agency="feed",
        agency_id="http://ninjs.example.com/newsitems/20130709cplx456",
        version_created="2013-07-09T10:39:00Z",
        dateline=("Grossetto, Italy", "Grossetto"),
        language="en",
        body_start="GROSSETO, Italy (AP) -- The trial of the captain of the ship",
    ),
    Golden(
        "iptc-userguide_ninjs22_005_complex_text_article.json",
        count=1,
        headline="Captain of wrecked cruise ship on trial in Italy",
        agency="feed",
        agency_id="http://ninjs.example.com/newsitems/20130709med123",
        version_created="2013-07-09T10:37:00Z",
        dateline=("Grossetto, Italy", "Grossetto"),
        language="en",
        body_start="GROSSETO, Italy (AP) -- The trial of the captain of the ship",
    ),
    Golden(
        "iptc-userguide_ninjs31_005_complex_text_article.json",
        count=1,
        headline="Captain of wrecked cruise ship on trial in Italy",
        agency="feed",
        agency_id="http://ninjs.example.com/newsitems/20130709med123",
        version_created="2013-07-09T10:37:00Z",
        dateline=("Grossetto, Italy", "Grossetto"),
        language="en",
        body_start="GROSSETO, Italy (AP) -- The trial of the captain of the ship",
    ),
    Golden(
        "iptc_ninjs10_medium-text.json",
        count=1,
        headline="Captain of wrecked cruise ship on trial in Italy",
        agency="feed",
        agency_id="http://ninjs.example.com/newsitems/20130709med123",
        version_created="2013-07-09T10:37:00Z",
        dateline=("Grossetto, Italy", "Grossetto"),
        language="en",
        body_start="GROSSETO, Italy (AP) -- The trial of the captain of the ship",
    ),
    Golden(
        "iptc_ninjs10_simple-text_ap-concordia.json",
        count=1,
        headline="Captain of wrecked cruise ship on trial in Italy",
        agency="feed",
        agency_id="http://ninjs.example.com/newsitems/20130709simp123",
        version_created="2013-07-09T10:37:00Z",
        dateline=("GROSSETO, Italy (AP)", "GROSSETO"),
        body_start="GROSSETO, Italy (AP) -- The trial of the captain of the ship",
    ),
    Golden(
        "superdesk_ninjs_embargoed.json",
        count=1,
        headline="Trouble is brewing for the future of beer",
        agency="feed",
        agency_id="fd8e441b-a698-4411-9246-7d5de21cced9",
        version=11,
        signals=["embargo", "update"],
        embargoed_until="2022-06-29T02:30:00Z",
        first_created="2022-06-20T23:20:35Z",
        version_created="2022-06-26T23:54:25Z",
        dateline=("Aaron J. Staples, Michigan", "Aaron J. Staples"),
        language="en",
        subjects=["subj:06011000", "subj:04001000"],
        body_start="What does torched earth taste like? According to New Belgium",
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_golden(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "ninjs", golden)


def test_every_corpus_file_has_a_golden(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "ninjs").glob("*.json")) == sorted(g.file for g in GOLDEN)


def test_corpus_details(corpus_dir: Path) -> None:
    folder = corpus_dir / "ninjs"
    embargoed = PARSER.parse((folder / "superdesk_ninjs_embargoed.json").read_bytes(), CTX)[0]
    assert embargoed.byline == "Aaron J. Staples, Michigan State University"
    assert embargoed.slugline == "Climate-smart food"
    assert embargoed.body_html is not None and embargoed.body_html.startswith("<p>What does torched earth taste")
    futurezone = PARSER.parse((folder / "futurezone_ninjs_de.json").read_bytes(), CTX)[0]
    assert futurezone.keywords[:3] == ["ADN", "China", "Polizeihund"]
    assert [(s.scheme, s.code, s.name) for s in futurezone.subjects[:2]] == [
        ("fuzo", "science", "Science"),
        ("topic", "#Biologie", "#Biologie"),
    ]
    ntb = PARSER.parse((folder / "iptc-example_ninjs21_ntb_text.json").read_bytes(), CTX)[0]
    assert [f"{s.scheme}:{s.code}" for s in ntb.subjects] == [
        "ntb:Innenriks",
        "subj:13010000",
        "subj:04011000",
        "subj:04005000",
    ]
    business = PARSER.parse((folder / "iptc-example_ninjs14_businesswire-newsml-20130731006140.json").read_bytes(), CTX)
    assert business[0].keywords[:2] == ["Other Consumer", "United States"]
    nitf = PARSER.parse(
        (
            folder / "iptc-example_ninjs30_20231008-anti-doping-measures-at-the-tour-down-under-will-be-"
            "the-toughest-ever-addb-ninjs-nitf.json"
        ).read_bytes(),
        CTX,
    )[0]
    assert nitf.body_text.split("\n\n")[1].startswith("The initiatives are being implemented in close partnership")
    assert nitf.byline == "Trond Husø, The Anti-Doping Database"


def _fixture(name: str, ctx: FeedContext = CTX) -> list[Any]:
    return PARSER.parse((FIXTURES / "json" / name).read_bytes(), ctx)


def test_kill_is_canceled() -> None:
    [story] = _fixture("ninjs1_kill.json")
    assert story.id == "aap:urn:newsml:example-wire.test:20240311:harbour-fire"
    assert story.pubstatus == "canceled"
    assert story.signals == ["kill", "update"]
    assert story.version == 3
    assert story.urgency == 2
    assert story.dateline is not None and story.dateline.place == "HOBART"
    assert [f"{s.scheme}:{s.code}" for s in story.subjects] == ["subj:16000000", "subj:03005000"]
    assert story.keywords == ["Tasmania"]
    assert story.body_text == "This story has been withdrawn.\n\nA replacement will not be sent."


def test_correction_reads_2x_arrays_and_prefers_html_body() -> None:
    [story] = _fixture("ninjs2_correction.json")
    assert story.agency == "dpa"
    assert story.headline == "Notenbank lässt Leitzins unverändert"
    assert story.byline == "Von Karl Ostwind, dpa"
    assert story.signals == ["correction", "update"]
    assert story.version == 2
    assert [f"{s.scheme}:{s.code}" for s in story.subjects] == ["medtop:20000385", "subj:04006000"]
    assert story.keywords == ["Zinsen", "Notenbank"]
    assert story.credits == ["dpa"]
    assert story.body_html is not None and "<b>unverändert</b>" in story.body_html
    assert "script" not in story.body_html
    assert story.lede == "Frankfurt/Main (dpa) - Die Notenbank lässt den Leitzins unverändert."


def test_embargoed_3x_camel_case() -> None:
    [story] = _fixture("ninjs3_embargoed.json")
    assert story.embargoed_until is not None and story.embargoed_until.isoformat() == "2024-05-14T09:30:00+00:00"
    assert story.signals == ["embargo"]
    assert story.pubstatus == "usable"
    assert story.language == "en-AU"
    assert story.urgency == 3
    assert [f"{s.scheme}:{s.code}" for s in story.subjects] == ["subj:04015000"]
    assert story.body_text.endswith("Regional lines get the largest share, the treasurer said.")


def test_items_wrapper_gives_each_version_with_lineage() -> None:
    lineage = Lineage(
        raw_id="feed:abc",
        feed="feed",
        content_hash="0" * 64,
        source_ref="spool/x.json",
        received_at="2024-06-02T03:43:00Z",  # type: ignore[arg-type]
    )
    first, second = _fixture("ninjs_items_update.json", FeedContext(agency="feed", lineage=lineage))
    assert first.id == second.id == "reuters:tag:example-wire.test,2024:quake-nz"
    assert (first.version, second.version) == (1, 2)
    assert (first.signals, second.signals) == ([], ["update"])
    assert (first.urgency, second.urgency) == (1, 3)
    assert first.lineage is not None and second.lineage is not None
    assert (first.lineage.item_index, second.lineage.item_index) == (0, 1)
    assert second.body_text.endswith("Police said there were no early reports of damage.")


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b'"just a string"', 'ninjs: expected an object, a list of objects or {"items": [...]}'),
        (b'[{"uri": "a", "headline": "h"}, 3]', "ninjs: an item is not a JSON object"),
        (b'{"uri": "urn:x", "body_text": "text"}', "ninjs: item 0: no headline/headlines"),
        (b'{"uri": "urn:x", "headlines": [{"role": "main", "value": "  "}]}', "ninjs: item 0: no headline/headlines"),
        (b'{"headline": "A headline"}', "ninjs: item 0: no uri/guid"),
        (b'[{"uri": "a", "headline": "h"}, {"uri": "b"}]', "ninjs: item 1: no headline/headlines"),
    ],
)
def test_malformed_documents(document: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(document, CTX)
    assert raised.value.reason == reason


def test_broken_nitf_body() -> None:
    document = b'{"uri": "u", "headline": "h", "bodies": [{"role": "nitf", "value": "<nitf><body>"}]}'
    with pytest.raises(ParseError) as raised:
        PARSER.parse(document, CTX)
    assert raised.value.reason.startswith("ninjs: item 0: NITF body: not well-formed XML: ")
    assert raised.value.code == "xml_syntax"


def test_not_json() -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(b'{"uri": "x", "headline": ', CTX)
    assert raised.value.reason.startswith("ninjs: not JSON: ")
    assert raised.value.code == "json_syntax"


def test_limits() -> None:
    with pytest.raises(ParseError) as too_big:
        PARSER.parse(b'{"uri": "x", "headline": "h"}', FeedContext(agency="a", limits=ParseLimits(max_bytes=10)))
    assert too_big.value.code == "too_large"
    many = orjson.dumps([{"uri": str(i), "headline": "h"} for i in range(3)])
    with pytest.raises(ParseError) as too_many:
        PARSER.parse(many, FeedContext(agency="a", limits=ParseLimits(max_stories=2)))
    assert too_many.value.reason == "ninjs: 3 stories; limit is 2"


def test_unreadable_values_are_dropped_not_fatal() -> None:
    document = {
        "guid": 42,
        "headline": "h",
        "urgency": 12,
        "version": "two",
        "versioncreated": "2017-13-45T99:00:00Z",
        "firstcreated": "0001-01-01T00:00:00+01:00",
        "embargoed": "20171399T101500Z",
        "pubstatus": "bogus",
        "subject": "not a list",
    }
    [story] = PARSER.parse(orjson.dumps(document), CTX)
    assert (story.agency_id, story.urgency, story.version) == ("42", None, 1)
    assert story.first_created is story.version_created is story.embargoed_until is None
    assert (story.pubstatus, story.subjects) == ("usable", [])


@pytest.mark.parametrize(
    "name", ["ninjs1_kill.json", "ninjs2_correction.json", "ninjs3_embargoed.json", "ninjs_items_update.json"]
)
def test_sniff_accepts_own_fixtures(name: str) -> None:
    assert PARSER.sniff((FIXTURES / "json" / name).read_bytes())


def test_sniff_accepts_every_corpus_file(corpus_dir: Path) -> None:
    assert all(PARSER.sniff(p.read_bytes()) for p in (corpus_dir / "ninjs").glob("*.json"))


@pytest.mark.parametrize(
    "path",
    [
        "json/ap_media_feed_page.json",
        "feeds/rss_content_encoded.xml",
        "feeds/atom_wire.xml",
        "xml/nitf_canceled.xml",
        "text/article.txt",
    ],
)
def test_sniff_rejects_other_formats(path: str) -> None:
    assert not PARSER.sniff((FIXTURES / path).read_bytes())


def test_sniff_rejects_ap_media_corpus(corpus_dir: Path) -> None:
    assert not any(PARSER.sniff(p.read_bytes()) for p in (corpus_dir / "ap_media_api").glob("*.json"))


_SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=30)
)
_KEYS = st.sampled_from(
    [
        "uri", "guid", "headline", "headlines", "bodies", "body_html", "body_text", "descriptions", "subject",
        "subjects", "urgency", "version", "pubstatus", "embargoed", "versioncreated", "located", "role", "value",
        "contenttype", "items", "data", "item", "altids", "itemid", "editorialtypes", "bylines", "by", "code",
        "scheme", "literal", "name", "type", "description_caption", "nitf", "signals", "ednote",
    ]
) | st.text(max_size=8)  # fmt: skip
JSON_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6), max_leaves=30
)


@pytest.mark.parametrize("parser", [NinjsParser(), ApMediaParser()], ids=lambda p: p.name)
@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES)
def test_random_json_raises_only_parse_error(parser: NinjsParser | ApMediaParser, value: Any) -> None:
    try:
        stories = parser.parse(orjson.dumps(value), CTX)
    except ParseError as exc:
        assert exc.reason
    else:
        assert all(story.headline for story in stories)


@pytest.mark.parametrize("version", NINJS_VERSIONS)
@pytest.mark.parametrize("fixture", ["ninjs3_embargoed.json", "ninjs2_correction.json", "ninjs1_kill.json"])
def test_wiredesk_output_reads_back_as_the_same_story(version: str, fixture: str) -> None:
    [story] = PARSER.parse((FIXTURES / "json" / fixture).read_bytes(), CTX)
    story = story.model_copy(
        update={"id": f"{story.agency}:a b/{story.agency_id}", "agency_id": f"a b/{story.agency_id}"}
    )
    [again] = PARSER.parse(orjson.dumps(render_ninjs(story, version=version)), FeedContext(agency="other"))
    assert (again.id, again.agency, again.agency_id) == (story.id, story.agency, story.agency_id)
    assert (again.version, again.headline, again.body_text) == (story.version, story.headline, story.body_text)
    assert (again.pubstatus, again.embargoed_until, again.urgency) == (
        story.pubstatus,
        story.embargoed_until,
        story.urgency,
    )
    assert set(story.signals) <= set(again.signals)
