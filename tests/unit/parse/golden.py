"""Golden expectations for every wire parser, checked field by field, and the sniff check they share.

One `Golden` per corpus file or fixture holds the values a reader would check by hand; `check_golden`
asserts all of them, so each format's test file lists values, not assertion blocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from services.parse.formats.base import FeedContext, FormatParser
from shared.errors import ParseError
from shared.models import Story

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse" / "xml"


@dataclass(frozen=True)
class Golden:
    """What the first story of one corpus file must hold (or the ParseError reason it must raise)."""

    file: str
    error: str | None = None
    count: int = 1
    headline: str = ""
    agency: str = ""
    agency_id: str = ""
    version: int = 1
    urgency: int | None = None
    pubstatus: str = "usable"
    signals: list[str] = field(default_factory=list)
    embargoed_until: str | None = None
    first_created: str | None = None
    version_created: str | None = None
    dateline: tuple[str, str | None] | None = None
    language: str | None = None
    subjects: list[str] = field(default_factory=list)
    body_start: str = ""


def _iso(value: object) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")  # type: ignore[attr-defined]


def check_golden(parser: FormatParser, folder: Path, golden: Golden) -> list[Story]:
    """Parse `folder/golden.file` and assert every expected field."""
    data = (folder / golden.file).read_bytes()
    ctx = FeedContext(agency="feed")
    if golden.error:
        with pytest.raises(ParseError) as raised:
            parser.parse(data, ctx)
        assert raised.value.reason == golden.error
        return []
    stories = parser.parse(data, ctx)
    assert len(stories) == golden.count
    story = stories[0]
    assert story.format == parser.name
    assert story.headline == golden.headline
    assert story.agency == golden.agency
    assert story.agency_id == golden.agency_id
    assert story.id == f"{golden.agency}:{golden.agency_id}"
    assert story.version == golden.version
    assert story.urgency == golden.urgency
    assert story.pubstatus == golden.pubstatus
    assert story.signals == golden.signals
    assert _iso(story.embargoed_until) == golden.embargoed_until
    assert _iso(story.first_created) == golden.first_created
    assert _iso(story.version_created) == golden.version_created
    dateline = (story.dateline.text, story.dateline.place) if story.dateline else None
    assert dateline == golden.dateline
    assert story.language == golden.language
    assert [f"{s.scheme}:{s.code}" for s in story.subjects[:2]] == golden.subjects
    assert story.body_text.startswith(golden.body_start)
    assert "\n\n\n" not in story.body_text
    return stories


def check_sniff(parser: FormatParser, accepted: Iterable[Path], rejected: Iterable[Path]) -> None:
    """`parser` sniffs every file of `accepted` (at least one) as its own and none of `rejected`."""
    own = sorted(path for path in accepted if path.is_file())
    assert own, "no sample to sniff"
    assert [path.name for path in own if not parser.sniff(path.read_bytes())] == []
    assert [path.name for path in sorted(rejected) if path.is_file() and parser.sniff(path.read_bytes())] == []


def other_corpus_files(corpus_dir: Path, own: str) -> list[Path]:
    """Every corpus file outside the folder `own`: samples of every other format."""
    return [
        path for folder in corpus_dir.iterdir() if folder.is_dir() and folder.name != own for path in folder.iterdir()
    ]
