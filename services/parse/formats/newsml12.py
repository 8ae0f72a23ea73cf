"""NewsML 1.2: an envelope of one or more NewsItems, each one story (bare or in the IPTC namespace).

Flavours differ in where the text sits, so the body is the first textual ContentItem, preferring
one whose NewsComponent has the role Body or Main: AFP/ATS wrap NITF in DataContent, AFP's
broadcast profile puts bare <p> there, TASS nests three NewsComponents deep, Belga sends the
same story in several languages (the first wins) as plain text with escaped tags, Business Wire
embeds XHTML, Solita a CDATA HTML page. Binary items (images, video, PDF, CSS) are never bodies.

Urgency is the item's Urgency, else the envelope Priority, else Belga's Priority property, else an
agency flag word in the slugline (TASS "URGENT"); all are already on the IPTC 1–9 scale.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from lxml import etree

from services.parse.formats.base import FeedContext
from services.parse.formats.story import agency_from, build_story
from services.parse.formats.xmlfields import (
    XML_LANG,
    Body,
    FieldMap,
    extract,
    int_or_none,
    render_body,
    render_markup_text,
    strip_namespaces,
    subject_from_code,
    text_of,
    urgency_or_none,
    xpath,
)
from services.parse.text import urgency_from_word
from services.parse.xmlsafe import markup_head, parse_xml
from shared.errors import ParseError
from shared.models import Dateline, Signal, Story, Subject

__all__ = ["NewsML12Parser"]

_LABEL = "NewsML 1.2"
_FIELDS: FieldMap = {
    "agency_id": (
        "Identification/NewsIdentifier/NewsItemId",
        ".//guid",
        "Identification/NewsIdentifier/PublicIdentifier",
    ),
    "version": ("Identification/NewsIdentifier/RevisionId",),
    "update": ("Identification/NewsIdentifier/RevisionId/@Update",),
    "headline": (".//NewsLines/HeadLine", ".//hl1"),
    "slugline": (".//NewsLines/SlugLine", "Identification/NameLabel"),
    "byline": (".//NewsLines/ByLine",),
    "dateline": (".//NewsLines/DateLine",),
    "place": (
        ".//Location[@HowPresent='Origin']/Property[@FormalName='City']/@Value",
        ".//Location/Property[@FormalName='City']/@Value",
    ),
    "language": (".//DescriptiveMetadata/Language/@FormalName", ".//Language/@FormalName", "@xml:lang"),
    "urgency": (
        "NewsManagement/Urgency/@FormalName",
        "NewsManagement/Urgency",
        "../NewsEnvelope/Priority/@FormalName",
        ".//Property[@FormalName='Priority']/@Value",
    ),
    "status": ("NewsManagement/Status/@FormalName",),
    "status_changes": ("NewsManagement/StatusWillChange/DateAndTime",),
    "first_created": ("NewsManagement/FirstCreated",),
    "version_created": ("NewsManagement/ThisRevisionCreated",),
    "advisory": (".//NewsLine[NewsLineType/@FormalName='AdvisoryLine']/NewsLineText",),
    "provider": (
        "Identification/NewsIdentifier/ProviderId",
        ".//AdministrativeMetadata/Provider/Party/@FormalName",
    ),
    "copyright": (".//NewsLines/CopyrightLine", ".//AdministrativeMetadata/Source/Party/@FormalName"),
}
_STATUS = {"usable": "usable", "withheld": "withheld", "canceled": "canceled", "cancelled": "canceled"}
_ADVISORY_SIGNALS: tuple[tuple[re.Pattern[str], Signal], ...] = (
    (re.compile(r"^\s*(CORRECT|FIX)", re.I), "correction"),
    (re.compile(r"^\s*(REPEAT|RPT)", re.I), "repeat"),
    (re.compile(r"^\s*(UPDATE|ADDS|RECASTS|REWRITES|NEW LEAD)", re.I), "update"),
)
_BINARY = re.compile(r"^(image|video|audio|application)/|^text/css$|jpeg|css|video|quicktime", re.I)


class NewsML12Parser:
    """NewsML 1.2 envelopes from AFP, TASS, ATS/SDA, Belga, Business Wire and Solita."""

    name: ClassVar[str] = "newsml12"

    def sniff(self, data: bytes) -> bool:
        """Whether a `<NewsML>` root (NewsML 1.x, not G2's `newsMessage`) opens the document."""
        return b"<NewsML" in markup_head(data)

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """One story per NewsItem of the envelope."""
        root = strip_namespaces(parse_xml(data, _LABEL, ctx.limits), data)
        if root.tag != "NewsML":
            raise ParseError(f"NewsML 1.2: root element is <{root.tag}>, not <NewsML>", format=self.name)
        items = root.findall("NewsItem")
        if not items:
            raise ParseError("NewsML 1.2: no <NewsItem> in the envelope", format=self.name)
        return [build_story(self.name, _LABEL, ctx, i, _item_fields(item)) for i, item in enumerate(items)]


def _item_fields(item: etree._Element) -> dict[str, Any]:
    found = extract(item, _FIELDS)
    if not found["agency_id"]:
        raise ParseError("NewsML 1.2: NewsItem without NewsItemId", format=NewsML12Parser.name)
    body = _body(item)
    headline = found["headline"] or (body.paragraphs[0][:120] if body.paragraphs else None)
    if not headline:
        raise ParseError(f"NewsML 1.2: NewsItem {found['agency_id']} has no HeadLine", format=NewsML12Parser.name)
    status = (found["status"] or "usable").lower()
    signals = _signals(found, status)
    keywords = [
        text
        for node in xpath(item, ".//Property[@FormalName='Keyword']/@Value | .//KeywordLine | .//item_keyword")
        if (text := text_of(node))
    ]
    return {
        "agency": agency_from((found["provider"], found["copyright"])),
        "agency_id": found["agency_id"],
        "version": int_or_none(found["version"]) or 1,
        "headline": headline,
        "slugline": found["slugline"],
        "byline": found["byline"],
        "dateline": Dateline(text=found["dateline"], place=found["place"]) if found["dateline"] else None,
        "language": _language(found["language"] or item.get(XML_LANG)),
        "urgency": urgency_or_none(found["urgency"]) or urgency_from_word(found["slugline"]),
        "pubstatus": _STATUS.get(status, "usable"),
        "signals": signals,
        "embargoed_until": found["status_changes"] if "embargo" in signals else None,
        "first_created": found["first_created"],
        "version_created": found["version_created"] or found["first_created"],
        "body_text": body.text,
        "body_html": body.html,
        "subjects": _subjects(item),
        "keywords": list(dict.fromkeys(keywords)),
    }


def _language(value: str | None) -> str | None:
    # ATS sends "FR": BCP-47 is case-insensitive, and the rest of the pipeline compares lowercase tags.
    return value.lower() if value and len(value) <= 3 else value


def _signals(found: dict[str, str | None], status: str) -> list[Signal]:
    signals: list[Signal] = []
    if status == "embargoed":
        signals.append("embargo")
    if _STATUS.get(status) == "canceled":
        signals.append("kill")
    if found["update"] and found["update"].upper() != "N":
        signals.append("update")
    advisory = found["advisory"] or ""
    signals.extend(signal for pattern, signal in _ADVISORY_SIGNALS if pattern.search(advisory))
    return list(dict.fromkeys(signals))


def _subjects(item: etree._Element) -> list[Subject]:
    codes = xpath(item, ".//SubjectCode/*/@FormalName")
    return [subject_from_code(str(code)) for code in dict.fromkeys(codes) if str(code).strip()]


def _is_text(content: etree._Element) -> bool:
    kinds = xpath(content, "MimeType/@FormalName | Format/@FormalName | MediaType/@FormalName")
    return not any(_BINARY.search(str(kind)) for kind in kinds) and content.find("DataContent") is not None


def _role(content: etree._Element) -> str:
    roles = xpath(content, "ancestor::NewsComponent/Role/@FormalName")
    return str(roles[-1]).lower() if roles else ""


def _body(item: etree._Element) -> Body:
    candidates = [content for content in item.iter("ContentItem") if _is_text(content)]
    bodies = [content for content in candidates if _role(content) in ("body", "main")] or candidates
    for content in bodies:
        body = _render_data(content.find("DataContent"))
        if body.paragraphs:
            return body
    return Body([], None)


def _render_data(data: etree._Element | None) -> Body:
    if data is None:
        return Body([], None)
    nitf_body = data.find(".//body.content")
    if nitf_body is not None:
        return render_body(nitf_body)
    html_body = data.find(".//body")
    if html_body is not None:
        return render_body(html_body)
    if len(data):
        return render_body(data)
    return render_markup_text(data.text or "")
