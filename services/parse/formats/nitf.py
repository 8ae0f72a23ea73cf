"""NITF 3.x (News Industry Text Format): one story per document, bare or in the IPTC namespace.

Agencies fill NITF unevenly, so every field is read from a list of places (see `_FIELDS`):
AP's rendition carries no `doc-id/@id-string` (the id is then derived from headline and issue
date, stable across re-deliveries); PA marks embargoes with `management-status="embargoed"` and
`date.release`; NTB/Ritzau put the version on `du-key`; CP sends placeholder dates ("YYYYMMDD…"),
which are read as absent.

Embargoed items keep `pubstatus="usable"` (as NewsML-G2 does) and carry `embargoed_until` and
the `embargo` signal; `management-status="canceled"` is a kill.
"""

from __future__ import annotations

from typing import Any, ClassVar

from lxml import etree

from services.parse.formats.base import FeedContext
from services.parse.formats.story import agency_from, build_story, derived_id
from services.parse.formats.xmlfields import (
    XML_LANG,
    FieldMap,
    extract,
    int_or_none,
    render_body,
    strip_namespaces,
    subject_from_code,
    text_of,
    unique_subjects,
    urgency_or_none,
)
from services.parse.xmlsafe import markup_head, parse_xml
from shared.errors import ParseError
from shared.models import Dateline, Signal, Story, Subject

__all__ = ["NitfParser"]

_LABEL = "NITF"
_FIELDS: FieldMap = {
    "headline": ("body/body.head/hedline/hl1", "head/title"),
    "agency_id": ("head/docdata/doc-id/@id-string",),
    "version": ("head/docdata/du-key/@version",),
    "urgency": ("head/docdata/urgency/@ed-urg", "head/urgency/@ed-urg"),
    "status": ("head/docdata/@management-status",),
    "issued": ("head/docdata/date.issue/@norm", "head/pubdata/@date.publication"),
    "released": ("head/docdata/date.release/@norm",),
    "byline": ("body/body.head/byline",),
    "slugline": ("head/meta[@name='anpa-keyword']/@content", "head/docdata/du-key/@key"),
    "language": ("@xml:lang", "body/body.content//lang/@lang", "@baselang"),
    "copyright": ("head/docdata/doc.copyright/@holder",),
    "owner": ("body/body.head/rights/rights.owner",),
    "distributor": ("body/body.head/distributor",),
    "source": ("head/docdata/doc-id/@regsrc", "head/docdata/del-list/from-src/@src-name"),
}
_STATUS = {"usable": "usable", "withheld": "withheld", "canceled": "canceled", "cancelled": "canceled"}


class NitfParser:
    """NITF 3.1–3.6 documents, including AP Media API's namespaced rendition."""

    name: ClassVar[str] = "nitf"

    def sniff(self, data: bytes) -> bool:
        """Whether the root element is `<nitf>` (bare or namespaced)."""
        head = markup_head(data)
        return b"<nitf" in head and b"<NewsML" not in head and b"newsItem" not in head

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """The one story of a NITF document."""
        root = strip_namespaces(parse_xml(data, _LABEL, ctx.limits), data)
        if root.tag != "nitf":
            raise ParseError(f"NITF: root element is <{root.tag}>, not <nitf>", format=self.name)
        return [build_story(self.name, _LABEL, ctx, 0, nitf_fields(root, ctx))]


def nitf_fields(root: etree._Element, ctx: FeedContext) -> dict[str, Any]:
    """Story fields of a `<nitf>` element (namespaces already stripped)."""
    found = extract(root, _FIELDS)
    content = root.find("body/body.content")
    if content is None:
        raise ParseError("NITF: no <body.content>", format=NitfParser.name)
    body = render_body(content)
    headline = found["headline"] or (body.paragraphs[0][:120] if body.paragraphs else None)
    if not headline:
        raise ParseError("NITF: no headline (<hl1> or <title>) and no text", format=NitfParser.name)
    status = (found["status"] or "usable").lower()
    embargoed = status == "embargoed"
    signals: list[Signal] = ["embargo"] if embargoed else []
    if _STATUS.get(status) == "canceled":
        signals.append("kill")
    agency = agency_from((found["copyright"], found["owner"], found["distributor"], found["source"]))
    return {
        "agency": agency,
        "agency_id": found["agency_id"] or derived_id(agency or ctx.agency, headline, found["issued"]),
        "version": int_or_none(found["version"]) or 1,
        "headline": headline,
        "slugline": found["slugline"],
        "byline": _byline(root.find("body/body.head/byline")),
        "dateline": _dateline(root.find("body/body.head/dateline")),
        "language": found["language"] or root.get(XML_LANG),
        "urgency": urgency_or_none(found["urgency"]),
        "pubstatus": _STATUS.get(status, "usable"),
        "signals": signals,
        "embargoed_until": found["released"] if embargoed else None,
        "first_created": found["issued"],
        "version_created": found["issued"],
        "body_text": body.text,
        "body_html": body.html,
        "subjects": _subjects(root),
        "keywords": _keywords(root),
    }


def _byline(element: etree._Element | None) -> str | None:
    # <byline>By BERNARD CONDON<byttl>AP Business Writer</byttl></byline>: name and title, comma-joined.
    if element is None:
        return None
    parts = [text for piece in element.itertext() if (text := text_of(piece))]
    return ", ".join(parts) or None


def _dateline(element: etree._Element | None) -> Dateline | None:
    if element is None:
        return None
    # <story.date> repeats the issue time (EFE puts nothing else in the dateline): not dateline text.
    parts = [text for node in element.iter() if node.tag != "story.date" and (text := text_of(node.text))]
    if not parts:
        return None
    place = text_of(element.find("location/city")) or text_of(element.find("location")) or parts[0]
    return Dateline(text=", ".join(parts), place=place)


def _subjects(root: etree._Element) -> list[Subject]:
    subjects: list[Subject] = []
    for node in root.iterfind("head/tobject/tobject.subject"):
        code = node.get("tobject.subject.refnum")
        if not code:
            continue
        owner = (node.get("tobject.subject.ipr") or "IPTC").lower()
        # The most specific label the agency gave: detail, else matter, else type.
        labels = (node.get(f"tobject.subject.{part}") for part in ("detail", "matter", "type"))
        name = next((label for label in labels if label), None)
        subjects.append(subject_from_code(code, name, "subj" if owner == "iptc" else owner))
    return unique_subjects(subjects)


def _keywords(root: etree._Element) -> list[str]:
    words = [text_of(node.get("key")) or text_of(node) for node in root.iterfind("head/docdata/key-list/keyword")]
    return list(dict.fromkeys(word for word in words if word))
