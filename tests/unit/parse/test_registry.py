"""The format registry: unique names, every format module listed, detection on own fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.parse.core import parse_bytes
from services.parse.formats.registry import PARSERS, by_name, detect
from shared.errors import ParseError

FORMATS_DIR = Path(__file__).resolve().parents[3] / "services" / "parse" / "formats"
NOT_FORMATS = {"__init__", "base", "registry", "story", "xmlfields"}


def test_parser_names_are_unique() -> None:
    names = [p.name for p in PARSERS]
    assert len(names) == len(set(names))


def test_every_format_module_is_registered() -> None:
    modules = {p.stem for p in FORMATS_DIR.glob("*.py")} - NOT_FORMATS
    registered = {type(p).__module__.rsplit(".", 1)[1] for p in PARSERS}
    assert modules == registered


def test_by_name_rejects_unknown_format_with_the_known_names() -> None:
    with pytest.raises(ParseError, match=r"unknown format 'telex'; known: .*nitf"):
        by_name("telex")


def test_detect_finds_nitf_fixture(fixtures_dir: Path) -> None:
    data = (fixtures_dir / "e2e" / "reuters_nitf_port_strike.xml").read_bytes()
    assert detect(data).name == "nitf"
    [story] = parse_bytes(data, agency="feed")
    assert story.headline == "Dock workers strike shuts Rotterdam container terminals"
    assert story.agency == "reuters"


def test_empty_input_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="input is empty"):
        parse_bytes(b"  \n", agency="ap")


def test_oversize_input_names_size_and_limit() -> None:
    from services.parse.formats.base import ParseLimits

    with pytest.raises(ParseError, match=r"input is 2\.0 MB; limit is 1 MB"):
        parse_bytes(b"x" * (2 * 1024 * 1024), agency="ap", limits=ParseLimits(max_bytes=1024 * 1024))
