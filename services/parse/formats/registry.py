"""The wire formats wiredesk reads, in sniffing order, and how to find one.

Adding a format is adding a module with a `FormatParser` class and listing it here. Order matters for
`detect`: specific formats (with unmistakable markers) come before generic ones (RSS, plain web copy).
"""

from __future__ import annotations

from services.parse.formats.anpa import AnpaParser
from services.parse.formats.ap_media import ApMediaParser
from services.parse.formats.base import FormatParser
from services.parse.formats.feeds import RssAtomParser
from services.parse.formats.iptc7901 import Iptc7901Parser
from services.parse.formats.newsml12 import NewsML12Parser
from services.parse.formats.newsml_g2 import NewsMLG2Parser
from services.parse.formats.ninjs import NinjsParser
from services.parse.formats.nitf import NitfParser
from services.parse.formats.reuters21578 import Reuters21578Parser
from services.parse.formats.webcopy import WebCopyParser
from services.parse.formats.zczc import ZczcParser
from shared.errors import ParseError

__all__ = ["PARSERS", "by_name", "detect"]

PARSERS: tuple[FormatParser, ...] = (
    NewsMLG2Parser(),
    NewsML12Parser(),
    NitfParser(),
    Reuters21578Parser(),
    ApMediaParser(),
    NinjsParser(),
    RssAtomParser(),
    ZczcParser(),
    Iptc7901Parser(),
    AnpaParser(),
    WebCopyParser(),
)

_BY_NAME = {parser.name: parser for parser in PARSERS}


def by_name(name: str) -> FormatParser:
    """The parser called `name`; ParseError listing the known names when there is none."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise ParseError(f"unknown format {name!r}; known: {known}", code="unknown_format") from None


def detect(data: bytes) -> FormatParser:
    """The first parser whose sniff accepts `data`; ParseError when none does."""
    for parser in PARSERS:
        if parser.sniff(data):
            return parser
    head = data[:40].decode("latin-1").replace("\n", " ")
    raise ParseError(f"unknown format: no parser recognises input starting {head!r}", code="unknown_format")
