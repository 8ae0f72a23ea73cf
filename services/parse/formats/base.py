"""The small interface every wire-format module implements, and what a parser is told about its input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol

from shared.models import Lineage, Story

__all__ = ["FeedContext", "FormatParser", "ParseLimits"]


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Caps that keep a hostile document from exhausting a worker."""

    max_bytes: int = 8 * 1024 * 1024
    max_xml_depth: int = 256
    max_stories: int = 1000


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What a parser knows about the input besides its bytes.

    `agency` is the feed's agency, used when the copy does not name one. `lineage` is copied into
    every story (with `item_index` set per story). Parsers are stateless: all they need arrives here.
    """

    agency: str
    feed: str = "cli"
    received_at: datetime | None = None
    lineage: Lineage | None = None
    limits: ParseLimits = field(default_factory=ParseLimits)


class FormatParser(Protocol):
    """One wire format: a cheap sniff on the first bytes, and a full parse into stories."""

    name: ClassVar[str]

    def sniff(self, data: bytes) -> bool:
        """Whether `data` looks like this format (looks at the first few KB only)."""
        ...

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """Every story in `data`; raises `shared.errors.ParseError` and nothing else on bad input."""
        ...
