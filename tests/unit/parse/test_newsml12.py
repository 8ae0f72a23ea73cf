from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.parse.formats.base import FeedContext
from services.parse.formats.newsml12 import NewsML12Parser
from services.parse.formats.newsml_g2 import NewsMLG2Parser
from shared.errors import ParseError
from tests.unit.parse.golden import FIXTURES, Golden, check_golden

PARSER = NewsML12Parser()

GOLDEN = [
    Golden(
        "afp_newsml12_burkina-north-korea_updates.xml",
        count=1,
        headline="Burkina Faso bans imports from North Korea",
        agency="afp",
        agency_id="TX-PAR-NBK16",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=["update"],
        embargoed_until=None,
        first_created="2017-12-20T13:47:57Z",
        version_created="2017-12-20T13:47:57Z",
        dateline=("Ouagadougou, Dec 20, 2017 (AFP) -", "Ouagadougou"),
        language="en",
        subjects=["subj:11014000", "subj:11005001"],
        body_start="Burkina Faso is banning imports from North Korea to comply w",
    ),
    Golden(
        "afp_newsml12_policiers-cocaine_fr.xml",
        count=1,
        headline="France: deux ex-policiers aux frontières devant la justice pour trafic de cocaïne",
        agency="afp",
        agency_id="TX-PAR-RHO61",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2019-01-21T10:42:33Z",
        version_created="2019-01-21T10:42:34Z",
        dateline=("Paris, 21 jan 2019 (AFP) -", "Paris"),
        language="fr",
        subjects=["subj:02008000", "subj:02001004"],
        body_start="Le procès de deux anciens fonctionnaires de la police aux fr",
    ),
    Golden(
        "afp_newsml12_saab_en.xml",
        count=1,
        headline="Sweden court accepts receivership for Saab carmaker",
        agency="afp",
        agency_id="TX-PAR-FXW86",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2014-08-29T13:49:51Z",
        version_created="2014-08-29T13:49:51Z",
        dateline=("STOCKHOLM, Aug 29, 2014 (AFP) -", "Stockholm"),
        language="en",
        subjects=["subj:04011002", "subj:04016007"],
        body_start="A Chinese-owned company set up to take over Saab's assets af",
    ),
    Golden(
        "afp_newsml12_sample_iptc-tools.xml",
        count=1,
        headline="Israel strikes key Hamas targets as UN Security Council to meet",
        agency="afp",
        agency_id="TX-PAR-WGF71",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=["update"],
        embargoed_until=None,
        first_created="2021-05-16T08:06:25Z",
        version_created="2021-05-16T08:06:25Z",
        dateline=("Gaza City, Palestinian Territories, May 16, 2021 (AFP) -", "Gaza City"),
        language="en",
        subjects=["subj:16000000", "subj:16002000"],
        body_start="Israel's army said Sunday it had bombed the home of the poli",
    ),
    Golden(
        "afp_newsml12_samu_fr_iso-8859-1.xml",
        count=1,
        headline="Décès de Naomi Musenga: l'opératrice du Samu définitivement condamnée",
        agency="afp",
        agency_id="240710125902.qpsp2jzk",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2024-07-10T12:59:02Z",
        version_created="2024-07-10T12:59:02Z",
        dateline=("Strasbourg, 10 juil 2024 (AFP)", None),
        language="fr",
        subjects=[],
        body_start="L'opératrice du Samu condamnée pour non-assistance à personn",
    ),
    Golden(
        "ats-sda_newsml12_iso-8859-15_doctype.xml",
        count=1,
        headline="Un taureau entre dans un magasin à Landquart (GR)",
        agency="ats",
        agency_id="bsf153",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2019-06-03T15:47:29Z",
        version_created="2019-06-03T15:47:29Z",
        dateline=("Landquart GR", None),
        language="fr",
        subjects=["subj:08000000", "subj:04000000"],
        body_start="Un taureau âgé d'un an est entré dans un magasin Denner lund",
    ),
    Golden(
        "belga_newsml12_text.xml",
        count=1,
        headline="Mediawatch dinsdag 29/01/2019 - VTM Nieuws - 13 uur",
        agency="belga",
        agency_id="98055798",
        version=4,
        urgency=3,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2019-01-29T12:45:50Z",
        version_created="2019-01-29T13:34:00Z",
        dateline=None,
        language=None,
        subjects=[],
        body_start="Steven Van Geel gaf zich op 31 mei 2014 aan bij de politie v",
    ),
    Golden(
        "businesswire_newsml12_20130515006361.xml",
        count=1,
        headline="Dell Redefines Workstation Computing Boundaries with Smallest Tower and Most Powerful Rack Workstations",  # noqa: E501
        agency="businesswire",
        agency_id="20130515006361",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2013-05-16T04:01:00Z",
        version_created="2013-05-16T04:01:00Z",
        dateline=("ROUND ROCK, Texas", None),
        language="en",
        subjects=[],
        body_start="Dell today announced an expanded and stronger Dell Precision",
    ),
    Golden(
        "businesswire_newsml12_20130731006140.xml",
        count=1,
        headline="Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In",
        agency="businesswire",
        agency_id="20130731006140",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2013-07-31T15:32:00Z",
        version_created="2013-07-31T15:32:00Z",
        dateline=("KANSAS CITY, Mo.", None),
        language="en",
        subjects=[],
        body_start="With more Applebee’s® Lunch Combos than ever – enough to try",
    ),
    Golden(
        "businesswire_newsml12_20210130005024r1.xml",
        count=1,
        headline="Interactive Brokers Lifts All Trading Restrictions on Options",
        agency="businesswire",
        agency_id="20210130005024",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2021-01-31T02:41:00Z",
        version_created="2021-01-31T02:41:00Z",
        dateline=("GREENWICH, Conn.", None),
        language="en",
        subjects=[],
        body_start="Interactive Brokers Group (Nasdaq: IBKR), a global brokerage",
    ),
    Golden(
        "solita_newsml12_namespaced_se.xml",
        count=2,
        headline="This is the title",
        agency="feed",
        agency_id="ntb:announcement:8-en",
        version=1,
        urgency=4,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2019-04-02T14:02:09Z",
        version_created="2019-04-02T14:02:09Z",
        dateline=("2.4.2019 16:02:09 CEST", None),
        language="en",
        subjects=[],
        body_start="This is the title\n\n2.4.2019 16:02:09 CEST | Cypress Test pub",
    ),
    Golden(
        "tass_newsml12_kremlin-eu-sanctions_urgent.xml",
        count=1,
        headline="Kremlin has 'negative reaction' to upcoming EU sanctions",
        agency="tass",
        agency_id="16AAC34CE1C503AE4325838900396A95",
        version=1,
        urgency=2,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created="2019-01-21T10:27:08Z",
        version_created="2019-01-21T10:27:08Z",
        dateline=("January 21", "MOSCOW"),
        language="en",
        subjects=[],
        body_start="MOSCOW, January 21. /TASS/. The Kremlin does not support the",
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_file(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "newsml12", golden)


def test_every_corpus_file_has_a_golden(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "newsml12").glob("*.xml")) == sorted(g.file for g in GOLDEN)


def test_namespaced_envelope_gives_one_story_per_item(corpus_dir: Path) -> None:
    data = (corpus_dir / "newsml12" / "solita_newsml12_namespaced_se.xml").read_bytes()
    stories = PARSER.parse(data, FeedContext("x"))
    assert [s.headline for s in stories] == ["This is the title", "Dette er tittelen"]
    assert [s.language for s in stories] == ["en", "no"]
    assert stories[0].body_html is not None and "<!--" not in stories[0].body_html


def test_belga_escaped_markup_is_read_as_html(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "newsml12" / "belga_newsml12_text.xml").read_bytes(), FeedContext("x"))[0]
    assert story.body_text.startswith("Steven Van Geel gaf zich op 31 mei 2014")
    assert story.keywords == ["ATTENTION USERS", "PRESS", "TV", "MEDIA"]


def test_fixture_update_and_embargo() -> None:
    stories = PARSER.parse((FIXTURES / "newsml12_update_and_embargo.xml").read_bytes(), FeedContext("feed"))
    update, embargoed = stories
    assert update.id == "afp:TX-PAR-ABC12"
    assert update.version == 2
    assert update.signals == ["update"]
    assert update.urgency == 3  # envelope Priority
    assert update.subjects[0].code == "06000000"
    assert update.credits == []  # "told AFP" is not a credit line
    assert update.body_text.split("\n\n")[1] == '"The wind turned overnight," a firefighter told AFP.'
    assert embargoed.signals == ["embargo"]
    assert embargoed.pubstatus == "usable"
    assert embargoed.embargoed_until == datetime(2024, 3, 6, 0, 1, tzinfo=UTC)
    assert embargoed.body_text == "Glaciers in the Andes lost mass twice as fast as forecast, a study found."


def test_item_without_id_is_refused() -> None:
    data = b"<NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>H</HeadLine></NewsLines></NewsComponent></NewsItem></NewsML>"  # noqa: E501
    with pytest.raises(ParseError, match=r"^NewsML 1.2: NewsItem without NewsItemId$"):
        PARSER.parse(data, FeedContext("x"))


def test_envelope_without_items_is_refused() -> None:
    with pytest.raises(ParseError, match=r"no <NewsItem>"):
        PARSER.parse(b"<NewsML><NewsEnvelope/></NewsML>", FeedContext("x"))


def test_sniff_accepts_newsml12_only(corpus_dir: Path) -> None:
    for path in (corpus_dir / "newsml12").glob("*.xml"):
        assert PARSER.sniff(path.read_bytes()), path.name
        assert not NewsMLG2Parser().sniff(path.read_bytes()), path.name
    for folder in ("nitf", "newsmlg2"):
        for path in (corpus_dir / folder).glob("*.xml"):
            assert not PARSER.sniff(path.read_bytes()), path.name


NITF_ONLY_HEADLINE = b"""<NewsML><NewsItem>
<Identification><NewsIdentifier><NewsItemId>X1</NewsItemId></NewsIdentifier></Identification>
<NewsComponent><NewsLines><SlugLine>SLUG</SlugLine></NewsLines>
<ContentItem><MimeType FormalName="text/vnd.IPTC.NITF"/><DataContent><nitf><body>
<body.head><hedline><hl1>Headline from the NITF body</hl1></hedline></body.head>
<body.content><p>First paragraph, which is not the headline.</p></body.content>
</body></nitf></DataContent></ContentItem>
</NewsComponent></NewsItem></NewsML>"""


def test_headline_falls_back_to_the_nitf_hl1_of_the_body() -> None:
    # The bodies leave the tree before the field paths run; the NITF headline is still read from them.
    story = PARSER.parse(NITF_ONLY_HEADLINE, FeedContext("x"))[0]
    assert story.headline == "Headline from the NITF body"
    assert story.body_text == "First paragraph, which is not the headline."


def test_fields_are_not_read_from_inside_a_body() -> None:
    # A NewsLines element quoted inside an XHTML body is body copy, not the item's metadata.
    data = NITF_ONLY_HEADLINE.replace(
        b"<p>First paragraph", b"<NewsLines><ByLine>Not a byline</ByLine></NewsLines><p>First paragraph"
    )
    story = PARSER.parse(data, FeedContext("x"))[0]
    assert story.byline is None
    assert story.slugline == "SLUG"


def test_control_characters_leave_the_html_body_as_they_leave_the_text() -> None:
    # Business Wire's release 20130515006361 (in the corpus) carries UTF-8 once read as Windows-1252 and
    # sent on: a closing quote whose last byte Windows-1252 leaves undefined is the C1 character U+009D.
    # The mis-decoded copy is kept as sent; the control character goes.
    copy = "\u201cDesign\x9d said the dean\u00e2\u20ac\x9d"
    data = NITF_ONLY_HEADLINE.replace(b"First paragraph, which is not the headline.", copy.encode())
    story = PARSER.parse(data, FeedContext("x"))[0]
    assert story.body_text == "\u201cDesign said the dean\u00e2\u20ac"
    assert story.body_html == "<p>\u201cDesign said the dean\u00e2\u20ac</p>"
