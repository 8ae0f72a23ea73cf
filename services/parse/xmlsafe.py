"""Safe XML parsing for every XML wire format: no external entities, no entity bombs, no network, capped depth."""

from __future__ import annotations

import re

from lxml import etree

from services.parse.formats.base import ParseLimits
from services.parse.text import check_size
from shared.errors import ParseError

__all__ = ["local_name", "parse_xml"]

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # resolve_entities=False keeps &foo; as-is instead of expanding it; load_dtd/no_network keep an
    # external DOCTYPE (ATS/SDA NewsML points at one) from being fetched; huge_tree=False keeps
    # libxml2's own limits on.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def parse_xml(data: bytes, fmt: str, limits: ParseLimits) -> etree._Element:
    """Parse `data` as XML, raising `ParseError` naming `fmt` when it is unsafe, too big or too deep."""
    check_size(data, limits.max_bytes, fmt)
    if _ENTITY_DECL.search(data[:65536]):
        raise ParseError(f"{fmt}: document declares entities (<!ENTITY>); refused", format=fmt, code="xml_entities")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{fmt}: not well-formed XML: {exc.msg}", format=fmt, code="xml_syntax") from exc
    except ValueError as exc:  # lxml refuses some inputs (e.g. str with encoding declaration) this way
        raise ParseError(f"{fmt}: unreadable XML: {exc}", format=fmt, code="xml_syntax") from exc
    if root is None:
        raise ParseError(f"{fmt}: empty document", format=fmt, code="xml_syntax")
    _check_depth(root, fmt, limits.max_xml_depth)
    return root


def _check_depth(root: etree._Element, fmt: str, limit: int) -> None:
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > limit:
            raise ParseError(f"{fmt}: XML nested deeper than {limit} levels", format=fmt, code="xml_depth")


def local_name(element: etree._Element) -> str:
    """The element's tag without its namespace ("{ns}newsItem" -> "newsItem")."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""
