"""AP Media API parser: golden values for every corpus file, own feed page, malformed input, sniffing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.parse.formats.ap_media import ApMediaParser
from services.parse.formats.base import FeedContext
from services.parse.formats.ninjs import NinjsParser
from services.simulator.plan import Planner
from shared.errors import ParseError
from tests.unit.parse.golden import Golden, check_golden

PARSER = ApMediaParser()
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse"
CTX = FeedContext(agency="feed")
NO_TEXT = "AP Media API: only picture items, no text item (non-text items are skipped)"

GOLDEN = [
    Golden(
        "ap-media-api_cp_ap-agate.json",
        count=1,
        headline="NBA Expanded Glance",
        agency="feed",
        agency_id="39b60d8408a78fe7f4c67953c38e7818",
        version=6,
        urgency=4,
        signals=["update"],
        first_created="2021-05-12T14:00:07Z",
        version_created="2021-05-13T05:04:44Z",
        language="en",
        subjects=["anpa-category:s", "ap:54df6c687df7100483dedf092526b43e"],
        body_start="",
    ),
    Golden(
        "ap-media-api_cp_ap-broadcast.json",
        count=1,
        headline="Prosecutor: 2 Buffalo police charged with assault in shoving",
        agency="ap",
        agency_id="41148a074e2caa8190926b25a2a940f8",
        version=9,
        urgency=4,
        signals=["update", "writethru"],
        first_created="2020-06-06T15:25:17Z",
        version_created="2020-06-06T22:09:45Z",
        dateline=("BUFFALO, N.Y.", "BUFFALO"),
        language="en",
        subjects=["anpa-category:a", "anpa-category:n"],
        body_start="BUFFALO, N.Y. (AP) — Two Buffalo police officers were charge",
    ),
    Golden("ap-media-api_cp_ap-getty-picture.json", error=NO_TEXT),
    Golden("ap-media-api_cp_ap-picture.json", error=NO_TEXT),
    Golden(
        "ap-media-api_cp_ap-sports.json",
        count=1,
        headline="Houston event off as men’s tennis tour makes schedule tweaks",
        agency="ap",
        agency_id="fb2f977662129b47b4c2bc1dcf18dadf",
        urgency=4,
        first_created="2021-01-20T16:26:47Z",
        version_created="2021-01-20T16:26:48Z",
        dateline=("LONDON", "LONDON"),
        language="en",
        subjects=["anpa-category:s", "ap:54df6c687df7100483dedf092526b43e"],
        body_start="The U.S. Men’s Clay Court Championship in Houston has been c",
    ),
    Golden(
        "ap-media-api_cp_ap-text.json",
        count=1,
        headline="Review: Documentary about electric racing holds little spark",
        agency="ap",
        agency_id="f14dd246c9b5efeb56de0141aa50c4fd",
        version=4,
        urgency=4,
        signals=["update"],
        first_created="2020-06-02T19:13:56Z",
        version_created="2020-06-02T19:13:57Z",
        language="en",
        subjects=["anpa-category:e", "ap:16cb0ba3e6d24d97ace39f5a1924669a"],
        body_start="For proof that Leonardo DiCaprio can't save every film he to",
    ),
    Golden(
        "ap-media-api_cp_apv.json",
        count=1,
        headline="Cold snap brings Spain lowest temperatures in 20 years",
        agency="ap",
        agency_id="8c6fb520b7d6d8d32c30eabebc50b207",
        version=2,
        urgency=4,
        signals=["update", "writethru"],
        first_created="2021-01-12T11:09:39Z",
        version_created="2021-01-12T14:29:23Z",
        dateline=("MADRID", "MADRID"),
        language="en",
        subjects=["anpa-category:i", "ap:f25af2d07e4e100484f5df092526b43e"],
        body_start="Much of Spain is struggling in the aftermath of a massive sn",
    ),
    Golden(
        "ap-media-api_cp_item.json",
        count=1,
        headline="headline1",
        agency="ap",
        agency_id="ba7d03f0cd24a17faa81bebc724bcf3f",
        urgency=4,
        first_created="2020-04-03T22:33:11Z",
        version_created="2020-04-05T12:10:09Z",
        dateline=("CHEYENNE, Wyo.", "CHEYENNE"),
        language="en",
        subjects=["anpa-category:n", "ap:f25af2d07e4e100484f5df092526b43e"],
        body_start="CHEYENNE, Wyo. (AP) — Across the state of Wyoming, there are",
    ),
    Golden("ap-media-api_cp_picture.json", error=NO_TEXT),
    Golden(
        "ap-media-api_cp_politics.json",
        count=1,
        headline="Biden taps Rice as domestic policy adviser, McDonough for VA",
        agency="ap",
        agency_id="9e2faea3bf168bab198475dc8be1ec3d",
        version=4,
        urgency=4,
        signals=["update", "writethru"],
        first_created="2020-12-10T14:56:30Z",
        version_created="2020-12-10T16:13:39Z",
        dateline=("WASHINGTON", "WASHINGTON"),
        language="en",
        subjects=["anpa-category:p", "ap:86aad5207dac100488ecba7fa5283c3e"],
        body_start="President-elect Joe Biden is naming Susan Rice as director o",
    ),
    Golden("ap-media-api_v11_feed.json", error=NO_TEXT),
    Golden(
        "ap-media-api_v11_text-feed.json",
        count=1,
        headline="BC-BBN--Top Ten",
        agency="ap",
        agency_id="5ee9b4b40ea5fe9c9ca60f890fb2e1d9",
        first_created="2019-07-03T04:05:12Z",
        version_created="2019-07-03T04:05:12Z",
        body_start="",
    ),
    Golden(
        "ap-media-api_v11_text-item.json",
        count=1,
        headline="BC-BBN--Top Ten",
        agency="ap",
        agency_id="5ee9b4b40ea5fe9c9ca60f890fb2e1d9",
        urgency=4,
        first_created="2019-07-03T04:05:12Z",
        version_created="2019-07-03T04:05:12Z",
        language="en",
        subjects=["anpa-category:s", "ap:94aaa8f88c0c100489d7b9433d2f4c0e"],
        body_start="",
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_golden(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "ap_media_api", golden)


def test_every_corpus_file_has_a_golden(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "ap_media_api").glob("*.json")) == sorted(g.file for g in GOLDEN)


def test_corpus_bylines_slugline_and_inlined_nitf(corpus_dir: Path) -> None:
    folder = corpus_dir / "ap_media_api"
    [politics] = PARSER.parse((folder / "ap-media-api_cp_politics.json").read_bytes(), CTX)
    assert politics.byline == "By JULIE PACE and ZEKE MILLER"
    assert politics.slugline == "AP-US--Biden-Staff, 3rd Ld-Writethru"
    assert politics.keywords == ["Biden-Staff"]
    assert politics.subjects[1].name == "Government and politics"
    [text] = PARSER.parse((folder / "ap-media-api_cp_ap-text.json").read_bytes(), CTX)
    assert text.body_text.count("\n\n") == 15  # the inlined NITF rendition, not the summary
    assert text.body_html is not None and text.body_html.startswith("<p>For proof that Leonardo DiCaprio")


def test_feed_page_update_kill_correction_embargo_and_skipped_picture() -> None:
    update, kill, correction = PARSER.parse((FIXTURES / "json" / "ap_media_feed_page.json").read_bytes(), CTX)
    assert update.id == "ap:a1b2c3d4e5f60718293a4b5c6d7e8f90"
    assert (update.version, update.signals, update.pubstatus) == (2, ["update", "writethru"], "usable")
    assert update.byline == "By DANA WESTBROOK"
    assert update.dateline is not None and update.dateline.text == "RIVER CITY, Ore."
    assert [f"{s.scheme}:{s.code}" for s in update.subjects] == [
        "anpa-category:a",
        "ap:0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    ]
    assert update.body_text.startswith("Heavy rain flooded downtown streets overnight. The mayor said")
    assert (kill.pubstatus, kill.signals, kill.version) == ("canceled", ["kill", "withdrawal", "update"], 3)
    assert (correction.signals, correction.pubstatus) == (["correction", "embargo"], "usable")
    assert (
        correction.embargoed_until is not None and correction.embargoed_until.isoformat() == "2024-07-02T04:00:00+00:00"
    )
    assert correction.body_text == "A senator unveiled a bill to fund water projects"


def test_picture_only_documents_are_no_text_item(corpus_dir: Path) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse((corpus_dir / "ap_media_api" / "ap-media-api_cp_ap-picture.json").read_bytes(), CTX)
    assert (raised.value.code, raised.value.format) == ("no_text_item", "ap_media")
    video_and_audio = b'{"data": {"items": [{"item": {"type": "video"}}, {"item": {"type": "audio"}}]}}'
    with pytest.raises(ParseError, match="only audio/video items, no text item"):
        PARSER.parse(video_and_audio, CTX)


def test_empty_feed_page_gives_no_story() -> None:
    assert PARSER.parse(b'{"api_version": "2.1", "data": {"items": []}}', CTX) == []


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"[1, 2]", "AP Media API: no data object"),
        (b'{"api_version": "2.0", "data": {"query": "x"}}', "AP Media API: no data.item or data.items"),
        (b'{"data": {"items": ["x"]}}', "AP Media API: a feed entry is not a JSON object"),
        (b'{"data": {"item": {"headline": "h", "altids": {}}}}', "AP Media API: item 0 without altids.itemid"),
        (
            b'{"data": {"items": [{"item": {"altids": {"itemid": "a"}, "headline": "h"}},'
            b' {"item": {"headline": "h"}}]}}',
            "AP Media API: item 1 without altids.itemid",
        ),
        (b'{"data": {"item": {"altids": {"itemid": "a"}}}}', "AP Media API: item 0: no headline or title"),
    ],
)
def test_malformed_documents(document: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(document, CTX)
    assert raised.value.reason == reason


def test_not_json() -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(b'{"api_version": "2.1", "data": ', CTX)
    assert raised.value.reason.startswith("AP Media API: not JSON: ")


def test_sniff(corpus_dir: Path) -> None:
    assert PARSER.sniff((FIXTURES / "json" / "ap_media_feed_page.json").read_bytes())
    assert all(PARSER.sniff(p.read_bytes()) for p in (corpus_dir / "ap_media_api").glob("*.json"))
    assert not any(PARSER.sniff(p.read_bytes()) for p in (corpus_dir / "ninjs").glob("*.json"))
    assert not PARSER.sniff((FIXTURES / "json" / "ninjs2_correction.json").read_bytes())
    assert not PARSER.sniff((FIXTURES / "feeds" / "rss_content_encoded.xml").read_bytes())
    assert not NinjsParser().sniff((FIXTURES / "json" / "ap_media_feed_page.json").read_bytes())


def test_body_text_wins_over_summary_and_signals_are_read() -> None:
    item = (
        b'{"data": {"item": {"altids": {"itemid": "x1"}, "version": 0, "type": "text", "headline": "Dam opens",'
        b' "description_summary": "Summary only.", "body_text": "First paragraph.\\n\\nSecond paragraph.",'
        b' "signals": ["newscontent", "correction"]}}}'
    )
    [story] = PARSER.parse(item, CTX)
    assert story.body_text == "First paragraph.\n\nSecond paragraph."
    assert (story.version, story.signals, story.agency) == (1, ["correction"], "feed")


def test_simulator_items_parse() -> None:
    stream = Planner(3, start=datetime(2026, 3, 5, 9, 0, tzinfo=UTC)).items()
    items = [item for item in (next(stream) for _ in range(400)) if item.filer.format == "ap_json"]
    kinds = set()
    first_kind: dict[str, str] = {}
    for item in items:
        assert PARSER.sniff(item.payload) and not NinjsParser().sniff(item.payload)
        [story] = PARSER.parse(item.payload, CTX)
        record = item.record or {}
        kinds.add(item.kind)
        assert (story.id, story.agency_id, story.headline) == (f"ap:{item.item_id}", item.item_id, record["headline"])
        # The simulator writes AP's 0-based version (as the corpus does); the parser adds one back.
        assert (story.version, record["version"]) == (item.version, item.version - 1)
        assert story.body_text == record["body_text"]
        assert story.byline == "The Associated Press"
        expected = {"kill": "kill", "correction": "correction", "update": "update", "refile": "refile"}.get(item.kind)
        assert expected is None or expected in story.signals
        assert story.pubstatus == ("canceled" if item.kind == "kill" else "usable")
        first_kind.setdefault(item.item_id, item.kind)
        # A re-send is the first take again, embargo and all.
        assert (story.embargoed_until is not None) == (
            first_kind[item.item_id] == "embargo" and item.kind in {"embargo", "resend"}
        )
    assert {"new", "kill", "correction", "update", "embargo"} <= kinds
