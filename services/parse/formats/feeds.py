"""RSS 2.0 and Atom 1.0 news feeds: every ``<item>`` or ``<entry>`` is one story.

Feeds from the wild break the rules, and each break here comes from a real agency or paper feed:
no XML declaration (Reuters 2017), Latin-1 bytes without a declaration and ``<rss>`` without a version
(UOL), ISO-8859-1 declared with CRLF line ends (JN), dates with Portuguese day and month names
("Seg, 24 Set 2018"), HTML escaped or in CDATA inside ``<description>``, and the full text of a story
in ``content:encoded`` or Yandex's ``yandex:full-text``.

Decisions: the id is ``<guid>`` (Atom ``<id>``), else a hash of the link, else a hash of title and date.
The body is the fullest text the item carries (``content:encoded``, ``yandex:full-text``, Atom
``<content>``, then ``<description>``/``<summary>``), HTML reduced to paragraphs; a trailing
"Continue reading..." link is dropped. An item without a title takes its first paragraph as headline.
Categories become subjects in the ``feed-category`` scheme. The agency is the one the channel title
names ("Reuters: Top News"), else the feed's. Feeds carry no version or status: every story is
version 1, usable. Urgency comes only from a flag word heading the title ("URGENT: ", TASS's
"СРОЧНО: "), which is taken off the headline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from lxml import etree

from services.parse.formats.base import FeedContext
from services.parse.formats.ninjs import markup_body, text_body, timestamp
from services.parse.formats.story import agency_from, build_story, derived_id
from services.parse.formats.xmlfields import XML_LANG, Body, text_of
from services.parse.text import (
    check_size,
    check_story_count,
    clean_text,
    decode_bytes,
    find_dateline,
    guess_legacy_encoding,
    month_from_name,
    urgency_from_word,
)
from services.parse.xmlsafe import local_name, parse_xml
from shared.errors import ParseError
from shared.models import Story, Subject

__all__ = ["RssAtomParser"]

_LABEL = "RSS/Atom"
_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_YANDEX = "{http://news.yandex.ru}"
_SNIFF = re.compile(rb"<rss[\s>]|<feed\b[^>]*http://www\.w3\.org/2005/Atom")
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=", re.IGNORECASE)
_READ_MORE = re.compile(r"^(?:continue reading|read more|leia mais|lire la suite|weiterlesen|читать далее)\W*$", re.I)
# "Seg, 24 Set 2018 19:42:40 -0300": RFC 822 laid out, but with the paper's own day and month names.
_LOCAL_DATE = re.compile(
    r"(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?\s+(?P<year>\d{4})\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2}))?\s*(?P<zone>[+-]\d{4})?"
)
_TITLE_FLAG = re.compile(r"(?P<word>[^\W\d_]+)\s*:\s+(?P<rest>\S.*)", re.DOTALL)
_MORE_MONTHS = {"ene": 1, "abr": 4, "ago": 8, "set": 9, "out": 10, "dic": 12}


class RssAtomParser:
    """RSS 2.0 channels and Atom 1.0 feeds."""

    name: ClassVar[str] = "rss_atom"

    def sniff(self, data: bytes) -> bool:
        """An ``<rss>`` root, or a ``<feed>`` in the Atom namespace, near the start."""
        return bool(_SNIFF.search(data[:4096]))

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """Every item (RSS) or entry (Atom) of the feed, in document order."""
        check_size(data, ctx.limits.max_bytes, self.name)
        reader: Callable[[etree._Element, int], dict[str, Any]]
        root = parse_xml(_utf8_when_undeclared(data), self.name, ctx.limits)
        if local_name(root) == "rss":
            channel = root.find("channel")
            if channel is None:
                raise ParseError(f"{_LABEL}: <rss> without <channel>", format=self.name)
            entries, reader, feed = channel.findall("item"), _rss_fields, channel
            language = text_of(channel.findtext("language")) or text_of(channel.findtext(f"{_DC}language"))
            title = channel.findtext("title")
        elif root.tag == f"{_ATOM}feed":
            entries, reader, feed = root.findall(f"{_ATOM}entry"), _atom_fields, root
            language, title = root.get(XML_LANG), root.findtext(f"{_ATOM}title")
        else:
            raise ParseError(f"{_LABEL}: root element is <{local_name(root)}>, not <rss> or <feed>", format=self.name)
        check_story_count(len(entries), ctx.limits.max_stories, self.name)
        agency = agency_from((title,))
        stories = []
        for index, entry in enumerate(entries):
            fields = reader(entry, index)
            fields["agency"] = agency
            fields["language"] = text_of(entry.get(XML_LANG)) or language or text_of(feed.get(XML_LANG))
            stories.append(build_story(self.name, _LABEL, ctx, index, fields))
        return stories


def _utf8_when_undeclared(data: bytes) -> bytes:
    # Without an encoding declaration XML must be UTF-8; a feed that is not gets decoded the way wire
    # copy is (cp1252, or sniffed Cyrillic) and handed on as UTF-8.
    if _DECLARED.match(data[:256]):
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_bytes(data, guess_legacy_encoding(data)).encode("utf-8")
    return data


def _rss_fields(item: etree._Element, index: int) -> dict[str, Any]:
    link = text_of(item.findtext("link"))
    published = _date(item.findtext("pubDate")) or _date(item.findtext(f"{_DC}date"))
    body = _first_body(
        index,
        (item.findtext(f"{_CONTENT}encoded"), True),
        (item.findtext(f"{_YANDEX}full-text"), True),
        (item.findtext("description"), True),
    )
    categories = [text for node in item.findall("category") if (text := text_of(node))]
    byline = text_of(item.findtext(f"{_DC}creator")) or text_of(item.findtext("author"))
    title = text_of(item.findtext("title"))
    return _story_fields(index, text_of(item.findtext("guid")), link, title, body, categories, byline, published, None)


def _atom_fields(entry: etree._Element, index: int) -> dict[str, Any]:
    links = entry.findall(f"{_ATOM}link")
    alternate = next((node for node in links if node.get("rel", "alternate") == "alternate"), None)
    link = text_of(alternate.get("href")) if alternate is not None else None
    body = _first_body(index, _atom_text(entry.find(f"{_ATOM}content")), _atom_text(entry.find(f"{_ATOM}summary")))
    categories = [
        text for node in entry.findall(f"{_ATOM}category") if (text := text_of(node.get("label") or node.get("term")))
    ]
    authors = [name for node in entry.findall(f"{_ATOM}author") if (name := text_of(node.findtext(f"{_ATOM}name")))]
    title_text, title_is_html = _atom_text(entry.find(f"{_ATOM}title"))
    title = markup_body(title_text, _LABEL, index).text if title_text and title_is_html else text_of(title_text)
    updated = _date(entry.findtext(f"{_ATOM}updated"))
    published = _date(entry.findtext(f"{_ATOM}published")) or updated
    return _story_fields(
        index,
        text_of(entry.findtext(f"{_ATOM}id")),
        link,
        title,
        body,
        categories,
        ", ".join(authors),
        published,
        updated,
    )


def _atom_text(node: etree._Element | None) -> tuple[str | None, bool]:
    """The text of an Atom text construct and whether it is markup (type html or xhtml)."""
    if node is None:
        return None, False
    kind = node.get("type", "text")
    if kind == "xhtml":
        return "".join(etree.tostring(child, encoding="unicode") for child in node), True
    return node.text, kind == "html"


def _first_body(index: int, *candidates: tuple[str | None, bool]) -> Body:
    for text, is_markup in candidates:
        if not text or not text.strip():
            continue
        body = markup_body(text, _LABEL, index) if is_markup else text_body(text)
        paragraphs = list(body.paragraphs)
        while paragraphs and _READ_MORE.match(paragraphs[-1]):
            paragraphs.pop()
        if paragraphs:
            return Body(paragraphs, body.html)
    return Body([], None)


def _story_fields(
    index: int,
    guid: str | None,
    link: str | None,
    title: str | None,
    body: Body,
    categories: list[str],
    byline: str | None,
    published: str | None,
    updated: str | None,
) -> dict[str, Any]:
    paragraphs = list(body.paragraphs)
    if not title:
        if not paragraphs:
            raise ParseError(f"{_LABEL}: item {index}: no title and no text", format=RssAtomParser.name)
        title = paragraphs.pop(0)
    agency_id = guid or (derived_id(link) if link else derived_id(title, published))
    flagged = _TITLE_FLAG.fullmatch(title)
    urgency = urgency_from_word(flagged["word"]) if flagged else None
    return {
        "agency_id": agency_id,
        "headline": flagged["rest"] if flagged and urgency else title,
        "urgency": urgency,
        "byline": byline or None,
        "dateline": find_dateline(paragraphs[0]) if paragraphs else None,
        "first_created": published,
        "version_created": updated or published,
        "body_text": Body(paragraphs, None).text,
        "body_html": body.html if paragraphs else None,
        "subjects": [Subject(scheme="feed-category", code=name, source="agency") for name in dict.fromkeys(categories)],
    }


def _date(value: str | None) -> str | None:
    """A readable timestamp string: RFC 822 or ISO as sent, or one rebuilt from local day and month names."""
    if not value or not (value := clean_text(value)):
        return None
    if stamp := timestamp(value):
        return stamp
    match = _LOCAL_DATE.search(value)
    if not match:
        return None
    name = match["month"].lower()
    month = month_from_name(name) or _MORE_MONTHS.get(name[:3])
    if not month:
        return None
    day, year, hour, minute = int(match["day"]), match["year"], int(match["hour"]), match["minute"]
    zone = match["zone"] or "+0000"
    return timestamp(f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute}:{match['second'] or '00'}{zone[:3]}:{zone[3:]}")
