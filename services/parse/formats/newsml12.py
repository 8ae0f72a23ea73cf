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
    render_embedded,
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
# A "//" step with a predicate is written "descendant::X[...]" (the same nodes): libxml2 turns a plain
# ".//X" into one walk, but for ".//X[...]" it first collects every node of the item, at twice the cost.
_FIELDS: FieldMap = {
    "agency_id": (
        "Identification/NewsIdentifier/NewsItemId",
        ".//guid",
        "Identification/NewsIdentifier/PublicIdentifier",
    ),
    "version": ("Identification/NewsIdentifier/RevisionId",),
    "update": ("Identification/NewsIdentifier/RevisionId/@Update",),
    "headline": (".//NewsLines/HeadLine",),
    "slugline": (".//NewsLines/SlugLine", "Identification/NameLabel"),
    "byline": (".//NewsLines/ByLine",),
    "dateline": (".//NewsLines/DateLine",),
    "place": (
        "descendant::Location[@HowPresent='Origin']/Property[@FormalName='City']/@Value",
        ".//Location/Property[@FormalName='City']/@Value",
    ),
    "language": (".//DescriptiveMetadata/Language/@FormalName", ".//Language/@FormalName", "@xml:lang"),
    "urgency": (
        "NewsManagement/Urgency/@FormalName",
        "NewsManagement/Urgency",
        "../NewsEnvelope/Priority/@FormalName",
        "descendant::Property[@FormalName='Priority']/@Value",
    ),
    "status": ("NewsManagement/Status/@FormalName",),
    "status_changes": ("NewsManagement/StatusWillChange/DateAndTime",),
    "first_created": ("NewsManagement/FirstCreated",),
    "version_created": ("NewsManagement/ThisRevisionCreated",),
    "advisory": ("descendant::NewsLine[NewsLineType/@FormalName='AdvisoryLine']/NewsLineText",),
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
        root = parse_xml(data, _LABEL, ctx.limits)
        # The bodies leave the tree (ours, parsed for this call) first: the "//" field paths then no longer
        # walk every paragraph and table cell of them (a Business Wire release is mostly its XHTML body),
        # and only the envelope has its namespaces stripped (the renderer reads a body's local names). No
        # field but the NITF headline lives inside a body.
        bodies = _detach_bodies(root)
        root = strip_namespaces(root, data)
        if root.tag != "NewsML":
            raise ParseError(f"NewsML 1.2: root element is <{root.tag}>, not <NewsML>", format=self.name)
        items = root.findall("NewsItem")
        if not items:
            raise ParseError("NewsML 1.2: no <NewsItem> in the envelope", format=self.name)
        return [build_story(self.name, _LABEL, ctx, i, _item_fields(item, bodies)) for i, item in enumerate(items)]


def _detach_bodies(root: etree._Element) -> dict[etree._Element, etree._Element]:
    """Each ContentItem's DataContent, taken out of the tree; keyed by the ContentItem."""
    bodies: dict[etree._Element, etree._Element] = {}
    for content in list(root.iter("{*}ContentItem")):
        data = next(content.iterchildren("{*}DataContent"), None)
        if data is not None:
            content.remove(data)
            bodies[content] = data
    return bodies


def _item_fields(item: etree._Element, all_bodies: dict[etree._Element, etree._Element]) -> dict[str, Any]:
    bodies = _body_candidates(item, all_bodies)
    # With the bodies chosen, the ContentItems (media descriptions: formats, sizes, dozens of Property
    # elements in a Business Wire release) leave the tree too; no field is read from them.
    for content in list(item.iter("ContentItem")):
        content.getparent().remove(content)
    found = extract(item, _FIELDS)
    if not found["agency_id"]:
        raise ParseError("NewsML 1.2: NewsItem without NewsItemId", format=NewsML12Parser.name)
    body = _body(bodies)
    headline = found["headline"] or _nitf_headline(bodies) or (body.paragraphs[0][:120] if body.paragraphs else None)
    if not headline:
        raise ParseError(f"NewsML 1.2: NewsItem {found['agency_id']} has no HeadLine", format=NewsML12Parser.name)
    status = (found["status"] or "usable").lower()
    signals = _signals(found, status)
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
        "keywords": _keywords(item),
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


def _keywords(item: etree._Element) -> list[str]:
    # Keyword properties, KeywordLines (Belga) and TASS's item_keywords, in document order: one walk in C
    # instead of the three an XPath union of them takes.
    words = []
    for node in item.iter("Property", "KeywordLine", "item_keyword"):
        if node.tag != "Property":
            words.append(text_of(node))
        elif node.get("FormalName") == "Keyword":
            words.append(text_of(node.get("Value")))
    return list(dict.fromkeys(word for word in words if word))


def _subjects(item: etree._Element) -> list[Subject]:
    codes = xpath(item, ".//SubjectCode/*/@FormalName")
    return [subject_from_code(str(code)) for code in dict.fromkeys(codes) if str(code).strip()]


def _is_text(content: etree._Element) -> bool:
    kinds = xpath(content, "MimeType/@FormalName | Format/@FormalName | MediaType/@FormalName")
    return not any(_BINARY.search(str(kind)) for kind in kinds)


def _role(content: etree._Element) -> str:
    roles = xpath(content, "ancestor::NewsComponent/Role/@FormalName")
    return str(roles[-1]).lower() if roles else ""


def _body_candidates(item: etree._Element, bodies: dict[etree._Element, etree._Element]) -> list[etree._Element]:
    """The DataContent of each textual ContentItem, those in a Body or Main NewsComponent only if any."""
    candidates = [content for content in item.iter("ContentItem") if content in bodies and _is_text(content)]
    preferred = [content for content in candidates if _role(content) in ("body", "main")] or candidates
    return [bodies[content] for content in preferred]


def _body(bodies: list[etree._Element]) -> Body:
    for data in bodies:
        body = _render_data(data)
        if body.paragraphs:
            return body
    return Body([], None)


def _nitf_headline(bodies: list[etree._Element]) -> str | None:
    return next((text for data in bodies for hl1 in data.iter("{*}hl1") if (text := text_of(hl1))), None)


def _render_data(data: etree._Element) -> Body:
    # Element content is an embedded document; plain content is text or escaped markup (Belga).
    return render_embedded(data) if len(data) else render_markup_text(data.text or "")
