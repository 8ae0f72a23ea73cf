"""AAP ZCZC: golden values for every corpus file, a two-message fixture, sniffing, errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from services.parse.formats.base import FeedContext
from services.parse.formats.zczc import ZczcParser
from shared.errors import ParseError
from tests.unit.parse.golden import Golden, check_golden

PARSER = ZczcParser()
TEXT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse" / "text"

GOLDEN = [
    Golden(
        "aap_zczc_bob_am-headlines.tst",
        count=1,
        headline="Sydney headlines round-up Nov 06, 1200",
        agency="aap",
        agency_id="c9c4b9fe3ac4d47b4637",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created=None,
        version_created=None,
        dateline=None,
        language=None,
        subjects=["subj:07000000"],
        body_start="Here are this morning's latest headlines...\n\n* Prime Ministe",
    ),
    Golden(
        "aap_zczc_bob_gps-device_empty-header.tst",
        count=1,
        headline="GPS device to come off Vic teen",
        agency="aap",
        agency_id="5849248f535e67f0ca96",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created=None,
        version_created=None,
        dateline=("MELBOURNE", "MELBOURNE"),
        language=None,
        subjects=["subj:02000000"],
        body_start="A former Melbourne terror suspect no longer needs to wear a ",
    ),
    Golden(
        "aap_zczc_medianet_release.tst",
        count=1,
        headline="Media release: Personal insolvencies rise 0.6% in the September quarter",
        agency="aap",
        agency_id="bce794daa0f441be38da",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created=None,
        version_created=None,
        dateline=None,
        language=None,
        subjects=["anpa-category:j"],
        body_start="Tue 13 October 2015\n\nThe Australian Financial Security Autho",
    ),
    Golden(
        "aap_zczc_motor-standings.tst",
        count=1,
        headline="MOTOR: Collated results/standings after Sydney NRMA 500",
        agency="aap",
        agency_id="8e1fb0c21b1a4d648e9f",
        version=1,
        urgency=None,
        pubstatus="usable",
        signals=[],
        embargoed_until=None,
        first_created=None,
        version_created=None,
        dateline=("SYDNEY, Dec 7 AAP", "SYDNEY"),
        language=None,
        subjects=["anpa-category:t", "subj:15039001"],
        body_start="SYDNEY, Dec 7 AAP - Collated results and standings from the ",
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.file)
def test_corpus_golden(corpus_dir: Path, golden: Golden) -> None:
    check_golden(PARSER, corpus_dir / "zczc_aap", golden)


def test_cr_only_results_split_into_rows(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "zczc_aap" / "aap_zczc_motor-standings.tst").read_bytes(), _ctx())[0]
    paragraphs = story.body_text.split("\n\n")
    assert "1. Shane van Gisbergen (Holden) 1hr14mins50.0418sec" in paragraphs
    assert paragraphs[-1] == "25. Robert Dahlgren (Volvo) 909"  # the closing "AAP" sign-off is dropped


def test_broadcast_header_codes(corpus_dir: Path) -> None:
    story = PARSER.parse((corpus_dir / "zczc_aap" / "aap_zczc_bob_gps-device_empty-header.tst").read_bytes(), _ctx())[0]
    assert story.slugline == "Legal: Causevic_BC6"
    assert story.keywords == ["Vic"]
    assert "AAP RTV" not in story.body_text


def test_id_is_stable_across_deliveries(corpus_dir: Path) -> None:
    data = (corpus_dir / "zczc_aap" / "aap_zczc_bob_am-headlines.tst").read_bytes()
    assert PARSER.parse(data, _ctx())[0].id == PARSER.parse(data, _ctx())[0].id


def test_two_messages_both_dialects() -> None:
    bob, classic = PARSER.parse((TEXT_FIXTURES / "zczc_two_messages.tst").read_bytes(), _ctx())
    assert (bob.headline, bob.slugline) == ("Storm warning for Hobart", "Weather: Storm_BC1")
    assert bob.dateline is not None and bob.dateline.place == "HOBART"
    assert bob.body_text.endswith("expected overnight.")
    assert (classic.headline, classic.slugline) == ("SAILING: Regatta results", "Sailing")
    assert [f"{s.scheme}:{s.code}" for s in classic.subjects] == ["anpa-category:t", "subj:15067000"]
    assert classic.body_text.split("\n\n")[1:] == ["1. Blue Tern", "2. Kestrel"]
    assert bob.id != classic.id


def test_start_and_end_lines_may_be_indented_but_not_mid_line() -> None:
    data = b"  ZCZC AAP\n^Headline\nText with ZCZC and NNNN inside.\n\t NNNN\nAfter the end.\n"
    (story,) = PARSER.parse(data, _ctx())
    assert (story.headline, story.body_text) == ("Headline", "Text with ZCZC and NNNN inside.")


def test_a_line_of_many_end_markers_costs_linear_time() -> None:
    # Each marker's look back stops at the previous one; looking back to the line start each time
    # would take minutes here.
    data = b"ZCZC AAP\n^Headline\nText" + b" NNNN" * 400_000 + b"\nNNNN\n"
    started = time.process_time()
    (story,) = PARSER.parse(data, _ctx())
    assert time.process_time() - started < 10
    assert story.headline == "Headline" and story.body_text.startswith("Text NNNN NNNN")


def test_sniff_accepts_its_own_samples(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "zczc_aap").iterdir())
    assert files and all(PARSER.sniff(path.read_bytes()) for path in files)


@pytest.mark.parametrize(
    "folder",
    [
        "anpa1312",
        "iptc7901",
        "reuters21578",
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
        (b"NNNN only", "ZCZC: no ZCZC start-of-message line"),
        (b"ZCZC AAP\r\n%A\r\n*07000000\r\nNNNN\r\n", "ZCZC: item 0: no headline and no text"),
    ],
)
def test_malformed_input_names_the_problem(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(data, _ctx())
    assert raised.value.reason == reason


def _ctx() -> FeedContext:
    return FeedContext(agency="feed")
