"""Web copy: a published article as HTML or plain text, with the site's chrome stripped.

HTML: navigation, headers and footers, asides, forms, media players, figures and anything whose class
or id names a boilerplate block (menu, subscribe, newsletter, share, related, player, promo…) are
removed; the body is the ``<article>`` (else ``<main>``, else ``<body>``) rendered like every other
HTML body (`xmlfields.render_body`). The headline is the first ``<h1>``, else ``og:title``, else
``<title>``. Dates come from ``article:published_time``/``article:modified_time`` or ``<time datetime>``;
the id is the canonical URL, else a hash of agency, headline and publication time.

Plain text: the first line is the headline, an optional short "By …" line the byline, the rest the
body (paragraphs split on blank lines, or one a line when the text has none).

In both, paragraphs that are boilerplate ("Advertisement", "Subscribe to …", "Watch: …", "Read more")
are dropped; the closing credit line ("With reporting by Reuters, TASS, AFP, and AP") is kept and
feeds the credits. A leading "UPDATE 2-", "CORRECTED-" or "REFILE-" on the headline gives version and
signals. The agency is the feed's: a web page is its publisher's copy. The charset is the page's
``<meta charset>``, else UTF-8, sniffed Cyrillic (KOI8-R/cp1251) or Windows-1252.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from lxml import etree

from services.parse.formats.base import FeedContext
from services.parse.formats.story import build_story, derived_id
from services.parse.formats.xmlfields import HTML_PARSER, render_body, text_of, xpath
from services.parse.text import (
    check_size,
    clean_text,
    decode_bytes,
    find_dateline,
    flag_signals,
    guess_legacy_encoding,
    pubstatus_from_signals,
    split_paragraphs,
    version_from_flags,
)
from shared.errors import ParseError
from shared.models import Story

__all__ = ["WebCopyParser"]

_LABEL = "web copy"
_WIRE_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_PROLOG = re.compile(rb"(?:\s*(?:<\?xml[^>]*>|<!--.*?-->|<!doctype\s+html[^>]*>))+", re.IGNORECASE | re.DOTALL)
_HTML_ROOTS = {b"html", b"head", b"body", b"article", b"main", b"section", b"div", b"p", b"h1", b"header", b"meta"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_CHROME_TAGS = frozenset({
    "nav", "header", "footer", "aside", "form", "button", "figure", "video", "audio", "iframe",
    "noscript", "script", "style", "svg", "template", "object", "embed",
})  # fmt: skip
_CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|subscribe|subscription|newsletter|paywall|promo|advert\w*|ad|ads|"
    r"sponsored|share|sharing|social|related|recommended|comments?|cookie|consent|player|media-player|video|"
    r"gallery|sidebar|signup|most-read|trending|masthead)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(?:advertisement|sponsored content|subscribe\b|sign up\b|click here|read more\b|share (?:this|on)\b|"
    r"watch:|listen:|video:|play video|follow us\b|most read|related:|recommended\b|you may also like|"
    r"skip (?:to|ad)\b|loading\b|copyright\b|©)",
    re.IGNORECASE,
)
_KEPT_CONTAINERS = frozenset({"html", "body", "article", "main"})
_TEXT_BLOCKS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6"})
_SHORT_PITCH = re.compile(r"\b(?:subscribe|newsletter|sign up|download our app)\b", re.IGNORECASE)
_HEADLINE_FLAG = re.compile(r"^\(?(UPDATE \d+|UPDATED|CORRECTED|REFILE|REPEAT)\)?\s*[-:–]\s*", re.IGNORECASE)


class WebCopyParser:
    """One article a document: HTML pages and plain-text copy (the fallback format)."""

    name: ClassVar[str] = "webcopy"

    def sniff(self, data: bytes) -> bool:
        """Whether the data is an HTML page or plain prose; never binary, wire-framed, XML or JSON."""
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        # Web pages and prose carry no C0 controls; wire framing (SOH, STX) and binary files do.
        if not head or _WIRE_CONTROL.search(head) or head.startswith((b"ZCZC", b"{", b"[")):
            return False
        if head.startswith(b"<"):
            return _root_is_html(head)
        return sum(1 for byte in head[:512] if chr(byte).isalpha()) >= 20

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """The one article of the document."""
        check_size(data, ctx.limits.max_bytes, self.name)
        if not data.strip():
            raise ParseError("web copy: empty document", format=self.name)
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        charset = _CHARSET.search(head)
        text = decode_bytes(data, charset[1].decode("ascii") if charset else guess_legacy_encoding(data))
        is_html = head.startswith(b"<") and _root_is_html(head)
        fields = _html_fields(text, ctx) if is_html else _text_fields(text, ctx)
        return [build_story(self.name, _LABEL, ctx, 0, fields)]


def _root_is_html(head: bytes) -> bool:
    # Skip the XML declaration, comments and an HTML DOCTYPE; the first element must be an HTML one.
    prolog = _PROLOG.match(head)
    rest = (head[prolog.end() :] if prolog else head).lstrip()
    root = re.match(rb"<([A-Za-z][\w:.-]*)", rest)
    return root is not None and root[1].lower() in _HTML_ROOTS


def _html_fields(text: str, ctx: FeedContext) -> dict[str, Any]:
    try:
        # lxml refuses control characters; a page has no business carrying them.
        root = etree.fromstring(_CONTROL.sub("", text), HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"web copy: unreadable HTML: {exc}", format=WebCopyParser.name) from exc
    if root is None:
        raise ParseError("web copy: unreadable HTML: Document is empty", format=WebCopyParser.name)
    meta = _meta(root)
    headline = _first_text(root, "//h1") or meta.get("og:title") or _first_text(root, "//title")
    if not headline:
        raise ParseError("web copy: no headline (<h1>, og:title or <title>)", format=WebCopyParser.name)
    byline = meta.get("author") or _first_text(root, "//*[@rel='author' or contains(@class, 'byline')]")
    published = meta.get("article:published_time") or _first_attr(root, "//time/@datetime")
    _strip_chrome(root)
    container = next(iter(xpath(root, "//article | //main | //body")), root)
    body = render_body(container)
    paragraphs = _article_paragraphs(body.paragraphs, headline, byline)
    canonical = _first_attr(root, "//link[@rel='canonical']/@href") or meta.get("og:url")
    return _fields(
        ctx,
        headline,
        paragraphs,
        agency_id=canonical or derived_id(ctx.agency, headline, published),
        byline=byline,
        language=root.get("lang"),
        first_created=published,
        version_created=meta.get("article:modified_time") or published,
        body_html=body.html,
        keywords=[k.strip() for k in (meta.get("keywords") or "").split(",") if k.strip()],
    )


def _text_fields(text: str, ctx: FeedContext) -> dict[str, Any]:
    cleaned = clean_text(text)
    lines = [line for line in cleaned.split("\n") if line and not _is_boilerplate(line)]
    if not lines:
        raise ParseError("web copy: no text", format=WebCopyParser.name)
    headline = lines[0]
    rest = cleaned.split(headline, 1)[1]
    paragraphs = split_paragraphs(rest) if "\n\n" in rest else [line for line in rest.split("\n") if line]
    paragraphs = [p.replace("\n", " ") for p in paragraphs]
    byline = paragraphs[0] if paragraphs and re.match(r"By [^.!?]{2,80}$", paragraphs[0]) else None
    return _fields(
        ctx,
        headline,
        _article_paragraphs(paragraphs, headline, byline),
        agency_id=derived_id(ctx.agency, headline),
        byline=byline,
    )


def _fields(ctx: FeedContext, headline: str, paragraphs: list[str], **extra: Any) -> dict[str, Any]:
    flag = _HEADLINE_FLAG.match(headline)
    flags = [flag[1]] if flag else []
    signals = flag_signals(flags)
    return {
        "agency": ctx.agency,
        "headline": headline,
        "version": version_from_flags(flags),
        "signals": signals,
        "pubstatus": pubstatus_from_signals(signals),
        "dateline": find_dateline(paragraphs[0]) if paragraphs else None,
        "body_text": "\n\n".join(paragraphs),
        **extra,
    }


def _is_boilerplate(paragraph: str) -> bool:
    return bool(_BOILERPLATE.match(paragraph)) or (len(paragraph) <= 80 and bool(_SHORT_PITCH.search(paragraph)))


def _article_paragraphs(paragraphs: list[str], headline: str, byline: str | None) -> list[str]:
    return [p for p in paragraphs if p not in (headline, byline) and not _is_boilerplate(p)]


def _meta(root: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in root.iterfind(".//meta"):
        key = (node.get("property") or node.get("name") or "").lower()
        value = text_of(node.get("content"))
        if key and value and key not in found:
            found[key] = value
    return found


def _first_text(root: etree._Element, expr: str) -> str | None:
    return next((text for node in xpath(root, expr) if (text := text_of(node))), None)


def _first_attr(root: etree._Element, expr: str) -> str | None:
    return next((value.strip() for value in xpath(root, expr) if str(value).strip()), None)


def _strip_chrome(root: etree._Element) -> None:
    # Collect first, then drop: removing while iterating would skip siblings.
    doomed = []
    for node in root.iter():
        tag = node.tag
        if not isinstance(tag, str) or tag in _KEPT_CONTAINERS:
            continue
        classes, ident = node.get("class"), node.get("id")
        if (
            tag in _CHROME_TAGS
            or ((classes or ident) and _CHROME_NAMES.search(f"{classes or ''} {ident or ''}"))
            or (tag in _TEXT_BLOCKS and _is_boilerplate(text_of(node) or ""))
        ):
            doomed.append(node)
    for node in doomed:
        _drop_keeping_tail(node)


def _drop_keeping_tail(node: etree._Element) -> None:
    # The text after a dropped element belongs to its parent's flow: it joins the text before it. (A node
    # inside an element dropped earlier still has that parent: it is removed from the detached subtree.)
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + node.tail
        else:
            previous.tail = (previous.tail or "") + node.tail
    parent.remove(node)
