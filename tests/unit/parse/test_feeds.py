"""RSS/Atom parser: golden values for every corpus feed, own RSS and Atom fixtures, malformed input, sniffing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.parse.formats.base import FeedContext
from services.parse.formats.feeds import RssAtomParser
from services.simulator.plan import Planner
from services.simulator.render import rss_feed
from shared.errors import ParseError
from tests.unit.parse.golden import Golden, check_golden

PARSER = RssAtomParser()
START = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse"
CTX = FeedContext(agency="feed")

GOLDEN = [
    Golden(
        "aif_rss_ru_yandex-fulltext.xml",
        count=1,
        headline="СМИ: собака в Таиланде спасла заживо похороненного младенца",
        agency="feed",
        agency_id="2eda6601bed0ba8e3382",
        first_created="2019-05-18T07:52:50Z",
        version_created="2019-05-18T07:52:50Z",
        language="ru-RU",
        subjects=["feed-category:Происшествия"],
        body_start="15-летняя мать ребенка решила избавиться от него, побоявшись",
    ),
    Golden(
        "guardian_rss_us.xml",
        count=55,
        headline="Trump State of the Union address promised unity but emphasized discord",
        agency="feed",
        agency_id="https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord",
        first_created="2018-01-31T07:26:05Z",
        version_created="2018-01-31T07:26:05Z",
        language="en-gb",
        subjects=["feed-category:Donald Trump", "feed-category:State of the Union address"],
        body_start="The president’s ‘new American moment’ speech stirred Republi",
    ),
    Golden(
        "jn_rss_pt_iso-8859-1.xml",
        count=40,
        headline="Mãe de utente é a nova presidente da Raríssimas",
        agency="feed",
        agency_id="b42d710204c2c926793c",
        first_created="2018-01-03T13:47:00Z",
        version_created="2018-01-03T13:47:00Z",
        language="pt-pt",
        subjects=["feed-category:Nacional"],
        body_start="Sónia Laygue, profissional na área da Recursos Humanos e mãe",
    ),
    Golden(
        "reuters_rss_topnews_2017-03-20.xml",
        count=10,
        headline="FBI head confirms Russia election probe, says Moscow backed Trump",
        agency="reuters",
        agency_id="http://www.reuters.com/article/us-usa-trump-russia-idUSKBN16R077?feedType=RSS&feedName=topNews",
        first_created="2017-03-21T00:49:30Z",
        version_created="2017-03-21T00:49:30Z",
        dateline=("WASHINGTON (Reuters)", "WASHINGTON"),
        language="en-us",
        subjects=["feed-category:topNews"],
        body_start="WASHINGTON (Reuters) - FBI Director James Comey on Monday co",
    ),
    Golden(
        "uol_rss_noticias_latin1-undeclared.xml",
        count=15,
        headline="Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno",
        agency="feed",
        agency_id="4b4acf2da529a586df1b",
        first_created="2018-09-24T22:42:40Z",
        version_created="2018-09-24T22:42:40Z",
        body_start="Líder na pesquisa Ibope de intenção de voto para o primeiro ",
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_golden(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "rss_atom", golden)


def test_every_corpus_file_has_a_golden(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "rss_atom").iterdir()) == sorted(g.file for g in GOLDEN)


def test_corpus_encodings_and_local_dates(corpus_dir: Path) -> None:
    folder = corpus_dir / "rss_atom"
    uol = PARSER.parse((folder / "uol_rss_noticias_latin1-undeclared.xml").read_bytes(), CTX)
    assert uol[0].headline == "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
    assert uol[1].body_text == ""
    jn = PARSER.parse((folder / "jn_rss_pt_iso-8859-1.xml").read_bytes(), CTX)
    assert jn[0].headline == "Mãe de utente é a nova presidente da Raríssimas"
    guardian = PARSER.parse((folder / "guardian_rss_us.xml").read_bytes(), CTX)
    assert guardian[0].byline == "David Smith in Washington"
    assert not any(s.body_text.endswith("Continue reading...") for s in guardian)
    [aif] = PARSER.parse((folder / "aif_rss_ru_yandex-fulltext.xml").read_bytes(), CTX)
    assert aif.body_text.count("\n\n") == 4  # yandex:full-text, not the one-line description


def test_rss_content_encoded_and_missing_title() -> None:
    full, untitled = PARSER.parse((FIXTURES / "feeds" / "rss_content_encoded.xml").read_bytes(), CTX)
    assert full.headline == "Rail strike called off after late talks"
    assert full.byline == "Maya Fenwick"
    assert full.language == "en-us"
    assert (
        full.body_text
        == "LONDON (AP) - A national rail strike was called off late on Tuesday.\n\nTalks will resume next week."
    )
    assert full.credits == ["AP"]
    assert [s.code for s in full.subjects] == ["Business", "Transport"]
    assert {s.scheme for s in full.subjects} == {"feed-category"}
    assert full.agency_id == "e30a232b9117a56a73f3"  # hash of the link: the item has no guid
    assert untitled.headline.startswith("An item with neither title nor guid")
    assert untitled.body_text == ""


def test_atom_entries() -> None:
    ports, vendanges, plain = PARSER.parse((FIXTURES / "feeds" / "atom_wire.xml").read_bytes(), CTX)
    assert ports.id == "feed:urn:example-wire.test:2024:ports-reopen"
    assert ports.headline == "Ports reopen after strike ends"
    assert ports.byline == "Ines Calder, Tom Brake"
    assert ports.language == "en-GB"
    assert (ports.first_created.isoformat(), ports.version_created.isoformat()) == (  # type: ignore[union-attr]
        "2024-08-05T05:00:00+00:00",
        "2024-08-05T08:30:00+00:00",
    )
    assert [s.code for s in ports.subjects] == ["World", "labour"]
    assert ports.dateline is not None and ports.dateline.place == "ROTTERDAM"
    assert vendanges.language == "fr"
    assert vendanges.body_text == "Les vendanges ont commencé avec deux semaines d'avance."
    assert plain.headline == "Plain <text> title & summary"
    assert plain.body_text == "First line of a plain summary.\n\nSecond paragraph with a <tag> that is text."


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<rss version='2.0'><title>x</title></rss>", "RSS/Atom: <rss> without <channel>"),
        (b"<html><body>no feed</body></html>", "RSS/Atom: root element is <html>, not <rss> or <feed>"),
        (b"<rss><channel><item><link>x</link></item></channel></rss>", "RSS/Atom: item 0: no title and no text"),
    ],
)
def test_malformed_feeds(document: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(document, CTX)
    assert raised.value.reason == reason


def test_broken_xml_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(b"<rss><channel><item><title>x</item>", CTX)
    assert raised.value.reason.startswith("rss_atom: not well-formed XML")


def test_empty_channel_gives_no_story() -> None:
    assert PARSER.parse(b"<rss version='2.0'><channel><title>t</title></channel></rss>", CTX) == []


def test_sniff(corpus_dir: Path) -> None:
    assert all(PARSER.sniff(p.read_bytes()) for p in (corpus_dir / "rss_atom").iterdir())
    assert PARSER.sniff((FIXTURES / "feeds" / "atom_wire.xml").read_bytes())
    assert not PARSER.sniff((FIXTURES / "xml" / "nitf_canceled.xml").read_bytes())
    assert not PARSER.sniff((FIXTURES / "json" / "ninjs1_kill.json").read_bytes())
    assert not PARSER.sniff(b'<feed xmlns="urn:not-atom"><entry/></feed>')


def test_simulator_tass_feeds_parse() -> None:
    stream = Planner(5, start=START).items()
    items = [item for item in (next(stream) for _ in range(400)) if item.filer.format == "rss"]
    assert {item.filer.language for item in items} == {"en", "ru"}
    for item in items:
        title = "ТАСС" if item.filer.language == "ru" else "TASS"
        language = item.filer.language
        feed = rss_feed([item.payload.decode()], title=title, link="http://t", language=language, built=START)
        assert PARSER.sniff(feed)
        [story] = PARSER.parse(feed, FeedContext(agency="tass"))
        assert (story.id, story.agency_id) == (f"tass:{item.raw_key}", item.raw_key)
        assert story.language == item.filer.language
        assert not story.headline.startswith(("URGENT", "СРОЧНО", "FLASH", "МОЛНИЯ"))
        title = item.payload.decode().removeprefix("<item><title>")
        words = {"FLASH: ": 1, "МОЛНИЯ: ": 1, "URGENT: ": 3, "СРОЧНО: ": 3}
        assert story.urgency == next((urgency for word, urgency in words.items() if title.startswith(word)), None)
        assert story.first_created == item.when and "\n\n\n" not in story.body_text
        assert story.body_text and story.pubstatus == "usable"  # RSS carries no kill: a kill is a new copy


def test_urgent_title_word_sets_urgency_and_leaves_the_headline() -> None:
    feed = rss_feed(
        ["<item><guid>g1</guid><title>СРОЧНО: Путин прибыл</title><description>Текст.</description></item>",
         "<item><guid>g2</guid><title>Note: rates rise</title><description>Text.</description></item>",
         "<item><guid>g3</guid><title>МОЛНИЯ: Землетрясение</title><description>Текст.</description></item>"],
        title="TASS", link="http://t", language="ru", built=START,
    )  # fmt: skip
    urgent, plain, flash = PARSER.parse(feed, FeedContext(agency="feed"))
    assert (urgent.headline, urgent.urgency, urgent.agency) == ("Путин прибыл", 3, "tass")
    assert (plain.headline, plain.urgency) == ("Note: rates rise", None)
    assert (flash.headline, flash.urgency) == ("Землетрясение", 1)  # TASS's flash word, in Cyrillic
