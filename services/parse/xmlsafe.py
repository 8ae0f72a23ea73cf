"""Safe XML parsing for every XML wire format: no external entities, no entity bombs, no network, capped depth."""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from services.parse.formats.base import ParseLimits
from services.parse.text import check_size
from shared.errors import ParseError

__all__ = ["local_name", "markup_head", "parse_xml"]

_DECLARED_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([\w.:-]+)(["'])""")
_SINGLE_BYTE_WESTERN = {b"iso-8859-1", b"iso-8859-15", b"latin1", b"latin-1", b"windows-1252", b"cp1252"}
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
# An external parameter entity naming a DTD module (ATS/SDA NewsML: <!ENTITY % nitf SYSTEM "nitf-3-0.dtd">)
# is harmless with load_dtd off: libxml2 never reads it. Internal entities, the bomb vector, stay refused.
_EXTERNAL_DTD_MODULE = re.compile(rb"<!ENTITY\s+%\s+[\w.:-]+\s+(?:SYSTEM|PUBLIC)\s", re.IGNORECASE)


# resolve_entities=False keeps &foo; as-is instead of expanding it; load_dtd/no_network keep an
# external DOCTYPE (ATS/SDA NewsML points at one) from being fetched; huge_tree=False keeps libxml2's
# own limits on. One parser serves every call: building one costs as much as parsing a short item,
# and lxml gives each thread its own parser context.
# libxml2's own nesting cap without huge_tree: deeper documents fail to parse, so no limit at or above it
# needs a depth walk (tests/unit/parse/test_xmlsafe.py holds libxml2 to it, level for level).
_LIBXML2_MAX_DEPTH = 256
_PARSER = etree.XMLParser(
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
    data = _relabel_utf8(data)
    if _declares_entities(data[:65536]):
        raise ParseError(f"{fmt}: document declares entities (<!ENTITY>); refused", format=fmt, code="xml_entities")
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc.msg):  # libxml2's own cap struck before ours
            depth = min(limits.max_xml_depth, _LIBXML2_MAX_DEPTH)
            raise ParseError(f"{fmt}: XML nested deeper than {depth} levels", format=fmt, code="xml_depth") from exc
        raise ParseError(f"{fmt}: not well-formed XML: {exc.msg}", format=fmt, code="xml_syntax") from exc
    except ValueError as exc:  # lxml refuses some inputs (e.g. str with encoding declaration) this way
        raise ParseError(f"{fmt}: unreadable XML: {exc}", format=fmt, code="xml_syntax") from exc
    if root is None:
        raise ParseError(f"{fmt}: empty document", format=fmt, code="xml_syntax")
    # Nesting deeper than the limit takes more elements than the limit, each opened by a "<": a
    # document with fewer needs no depth walk.
    if limits.max_xml_depth < _LIBXML2_MAX_DEPTH and data.count(b"<") > limits.max_xml_depth:
        _check_depth(root, fmt, limits.max_xml_depth)
    return root


def _relabel_utf8(data: bytes) -> bytes:
    # Feeds relabel UTF-8 copy as ISO-8859-1 (NTB's Ritzau relay does): multi-byte UTF-8 sequences
    # almost never occur in genuine Latin-1 text, so bytes that decode as UTF-8 are read as UTF-8.
    declared = _DECLARED_ENCODING.match(data)
    if not declared or declared[2].lower() not in _SINGLE_BYTE_WESTERN or data.isascii():
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return declared[1] + b"utf-8" + declared[3] + data[declared.end() :]


def _declares_entities(head: bytes) -> bool:
    # Almost no document declares anything, and few hold more than a handful of "<!" (DOCTYPE, comment,
    # CDATA): C searches for those rule entities out, where the regex stops at every "<" of the markup.
    start = head.find(b"<!")
    while start != -1:
        if head[start + 2 : start + 8].upper() == b"ENTITY":
            return len(_ENTITY_DECL.findall(head)) > len(_EXTERNAL_DTD_MODULE.findall(head))
        start = head.find(b"<!", start + 2)
    return False


@lru_cache(maxsize=8)
def _deeper_than(limit: int) -> etree.XPath:
    # "/*/*/…" with limit + 1 steps selects the elements nested deeper than the limit; libxml2 walks the
    # tree level by level in C, many times faster than a Python walk over every element.
    return etree.XPath("boolean(" + "/*" * (limit + 1) + ")")


def _check_depth(root: etree._Element, fmt: str, limit: int) -> None:
    if _deeper_than(limit)(root):
        raise ParseError(f"{fmt}: XML nested deeper than {limit} levels", format=fmt, code="xml_depth")


def local_name(element: etree._Element) -> str:
    """The element's tag without its namespace ("{ns}newsItem" -> "newsItem")."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def markup_head(data: bytes) -> bytes:
    """The first 4 KB of `data` when it opens as markup (after a UTF-8 BOM and whitespace), else b"".

    Sniffing XML formats by their element names alone took JSON quoting them for XML: a ninjs item
    whose body is NITF markup was read as NITF, and refused.
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head if head.startswith(b"<") else b""
