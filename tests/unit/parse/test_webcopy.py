"""Web copy: HTML and plain-text articles with chrome stripped, the fallback sniff, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.parse.formats.base import FeedContext
from services.parse.formats.webcopy import WebCopyParser
from shared.errors import ParseError
from shared.models import Story

PARSER = WebCopyParser()
TEXT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse" / "text"
CREDIT_LINE = "With reporting by Reuters, TASS, AFP, and AP"


def _parse(name: str, agency: str = "northline") -> list[Story]:
    return PARSER.parse((TEXT_FIXTURES / name).read_bytes(), FeedContext(agency=agency))


def test_html_article_keeps_headline_dateline_body_and_credit_line() -> None:
    [story] = _parse("article.html")
    assert story.id == "northline:https://news.example.org/world/harbour-cranes-idle"
    assert story.headline == "Harbour cranes idle as dock strike enters third day"
    assert story.byline == "Mara Lindqvist"
    assert story.language == "en"
    assert story.dateline is not None and (story.dateline.text, story.dateline.place) == (
        "ROTTERDAM (Reuters)",
        "ROTTERDAM",
    )
    assert story.first_created is not None and story.first_created.isoformat() == "2026-03-04T09:15:00+00:00"
    assert story.version_created is not None and story.version_created.isoformat() == "2026-03-04T11:40:00+00:00"
    assert story.body_text.split("\n\n") == [
        "ROTTERDAM (Reuters) - Container cranes stood idle for a third day on Wednesday as dock workers kept up a "
        "strike over night-shift pay, leaving more than forty vessels waiting at anchor.",
        "Port officials said perishable cargo was being diverted to Antwerp and Hamburg.",
        "The union said talks with terminal operators would resume on Thursday.",
        CREDIT_LINE,
    ]
    assert story.credits == ["Reuters", "TASS", "AFP", "AP"]
    assert story.keywords == ["ports", "labour", "shipping"]
    assert story.body_html is not None and "<b>perishable cargo</b>" in story.body_html


@pytest.mark.parametrize(
    "chrome",
    ["Home", "Subscribe for unlimited access", "Watch:", "Play video", "Idle cranes", "Advertisement",
     "morning briefing", "Read more", "Related stories", "All rights reserved", "analytics"],
)  # fmt: skip
def test_html_chrome_is_stripped(chrome: str) -> None:
    [story] = _parse("article.html")
    assert chrome not in story.body_text
    assert chrome not in (story.body_html or "")


def test_plain_text_article() -> None:
    [story] = _parse("article.txt", agency="alpine")
    assert story.headline == "UPDATE 1-Rail freight resumes after landslide clears line"
    assert (story.version, story.signals, story.pubstatus) == (2, ["update"], "usable")
    assert story.byline == "By Tomas Erdeli"
    assert story.dateline is not None and story.dateline.place == "INNSBRUCK"
    assert story.body_text.split("\n\n") == [
        "INNSBRUCK, Austria (AP) — Freight trains began running again over the Brenner line on Friday after crews "
        "cleared a landslide that had blocked the route for two days.",
        "Operators said passenger services would follow on Saturday once inspections of two bridges were complete.",
        "With reporting by AP and dpa",
    ]
    assert story.credits == ["AP", "dpa"]
    assert story.agency == "alpine"


def test_plain_text_without_blank_lines_takes_a_paragraph_per_line() -> None:
    data = b"Ferry service cut\nGALWAY (Reuters) - The island ferry was cancelled.\nIt resumes on Monday.\n"
    [story] = PARSER.parse(data, FeedContext(agency="x"))
    assert story.headline == "Ferry service cut"
    assert story.body_text == "GALWAY (Reuters) - The island ferry was cancelled.\n\nIt resumes on Monday."


def test_id_without_canonical_url_is_stable() -> None:
    data = b"<html><body><h1>Storm closes schools</h1><p>Schools are shut across the county today.</p></body></html>"
    first, second = (PARSER.parse(data, FeedContext(agency="x"))[0] for _ in range(2))
    assert first.id == second.id and first.id.startswith("x:")
    assert first.body_text == "Schools are shut across the county today."


def test_cp1252_page_with_declared_charset() -> None:
    data = (
        b'<html><head><meta charset="windows-1252"></head>'
        b"<body><h1>Caf\xe9 closes</h1><p>The caf\xe9 shut.</p></body></html>"
    )
    [story] = PARSER.parse(data, FeedContext(agency="x"))
    assert story.headline == "Café closes"


def test_undeclared_cp1251_text_is_sniffed() -> None:
    data = "Мост закрыт на ремонт\n\nМост через реку закроют на три недели.\n".encode("cp1251")
    [story] = PARSER.parse(data, FeedContext(agency="x"))
    assert story.headline == "Мост закрыт на ремонт"
    assert story.body_text == "Мост через реку закроют на три недели."


@pytest.mark.parametrize("name", ["article.html", "article.txt"])
def test_sniff_accepts_web_copy(name: str) -> None:
    assert PARSER.sniff((TEXT_FIXTURES / name).read_bytes())


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"GIF89a\x01\x00\x01\x00", b'{"headline": "json"}',
     b"<?xml version='1.0'?><RBNews><item/></RBNews>", b"ZCZC AAP\r\n$Headline\r\n", b"", b"   \n"],
)  # fmt: skip
def test_sniff_rejects_binary_json_and_wire_formats(data: bytes) -> None:
    assert not PARSER.sniff(data)


@pytest.mark.parametrize(
    "folder", ["anpa1312", "iptc7901", "zczc_aap", "reuters21578", "nitf", "newsml12", "newsmlg2", "ninjs", "rss_atom",
               "ap_media_api", "other_agency_xml"],
)  # fmt: skip
def test_sniff_rejects_every_wire_sample(corpus_dir: Path, folder: str) -> None:
    for path in sorted((corpus_dir / folder).iterdir()):
        if path.is_file():
            assert not PARSER.sniff(path.read_bytes()), path.name


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"  \n ", "web copy: empty document"),
        (
            b"<html><body><div class='menu'>Home</div></body></html>",
            "web copy: no headline (<h1>, og:title or <title>)",
        ),
        (b"Subscribe now\nAdvertisement\n", "web copy: no text"),
    ],
)
def test_malformed_input_names_the_problem(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        PARSER.parse(data, FeedContext(agency="x"))
    assert raised.value.reason == reason
