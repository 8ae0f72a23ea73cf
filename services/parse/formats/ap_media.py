"""AP Media API JSON (api_version 1.1, 2.0, 2.1): feed pages ``{"data": {"items": [...]}}`` and single items.

An item is ninjs 1.x with AP fields: ``altids.itemid`` (the id), a 0-based ``version``, ``bylines``,
``ednote``, ``editorialtypes``, ``signals``, ``headline_extended``, ``description_summary`` and
``description_caption``. Only text items become stories: picture, video, audio and graphic items are
skipped (as NewsML-G2's are), and a document holding items but no text item is a ParseError with code
``no_text_item``; an empty feed page is no story, not an error (a quiet poll is normal).

Decisions: the story version is AP's version + 1 (AP counts edits from 0); "1st Ld-Writethru" in the
slugline never lowers it. The body is the first of: ``body_text`` (wiredesk's simulator and relays that
fetched the NITF rendition send it), an inlined rendition (a top-level ``"nitf": {"body_html": ...}``,
as Superdesk CP's ingest stores it), ``description_summary``, ``headline_extended``. Signals come from
``editorialtypes`` (Lead, Correction, Kill …), ``ednote``, slugline flag words, AP's ``signals`` (real
feeds list content flags such as ``newscontent`` there, which name no signal and are ignored), the
status and the version. AP's agency is ``provider``; an item without it takes the feed's.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from services.parse.formats.base import FeedContext
from services.parse.formats.ninjs import (
    JsonFields,
    load_json,
    markup_body,
    status_and_signals,
    subject_of,
    text_body,
    timestamp,
    urgency_of,
    version_of,
)
from services.parse.formats.story import agency_from, build_story
from services.parse.formats.xmlfields import Body
from services.parse.text import check_story_count, dateline_from_text, find_dateline, version_from_flags
from shared.errors import ParseError
from shared.models import Dateline, Story, Subject

__all__ = ["ApMediaParser"]

_LABEL = "AP Media API"
_SNIFF = re.compile(rb'"api_version"\s*:|"altids"\s*:\s*\{\s*"itemid"')
# AP editorial types that name an item's place in a story's history, as the flag words flag_signals reads.
_EDITORIAL_FLAGS = {
    "lead": "new lede",
    "writethru": "writethru",
    "correction": "correction",
    "clarification": "correction",
    "kill": "kill",
    "elimination": "kill",
    "advisory": "advisory",
}
_CATEGORY_SCHEMES = {"category": "anpa-category", "suppcategory": "ap-suppcategory"}


class ApMediaParser:
    """AP Media API content: each item of a feed page, or the single item of a content response."""

    name: ClassVar[str] = "ap_media"

    def sniff(self, data: bytes) -> bool:
        """A JSON object carrying AP's ``api_version`` or an ``altids.itemid``."""
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head.startswith(b"{") and bool(_SNIFF.search(head))

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """Every text item of the page, in order (an empty feed page gives no story)."""
        document = load_json(data, self.name, _LABEL, ctx.limits)
        items = _items(document)
        check_story_count(len(items), ctx.limits.max_stories, self.name)
        texts = [item for item in items if item.text("type") in (None, "text")]
        if items and not texts:
            kinds = "/".join(sorted({item.text("type") or "" for item in items}))
            raise ParseError(
                f"{_LABEL}: only {kinds} items, no text item (non-text items are skipped)",
                format=self.name,
                code="no_text_item",
            )
        inlined = _inlined_nitf(document) if len(items) == 1 else None
        return [
            build_story(self.name, _LABEL, ctx, index, _fields(item, index, inlined))
            for index, item in enumerate(texts)
        ]


def _items(document: Any) -> list[JsonFields]:
    data = JsonFields(document).object("data") if isinstance(document, dict) else None
    if data is None:
        raise ParseError(f"{_LABEL}: no data object", format=ApMediaParser.name)
    if isinstance(data.raw("items"), list):
        entries = data.values("items")
        if not all(isinstance(entry, dict) for entry in entries):
            raise ParseError(f"{_LABEL}: a feed entry is not a JSON object", format=ApMediaParser.name)
        # A feed entry is {"meta": ..., "item": {...}}; older pages list the items bare.
        return [JsonFields(entry).object("item") or JsonFields(entry) for entry in entries]
    item = data.object("item")
    if item is None:
        raise ParseError(f"{_LABEL}: no data.item or data.items", format=ApMediaParser.name)
    return [item]


def _inlined_nitf(document: dict[str, Any]) -> str | None:
    nitf = JsonFields(document).object("nitf")
    return nitf.text("body_html") if nitf else None


def _fields(item: JsonFields, index: int, inlined_html: str | None) -> dict[str, Any]:
    altids = item.object("altids")
    agency_id = altids.text("itemid") if altids else None
    if not agency_id:
        raise ParseError(f"{_LABEL}: item {index} without altids.itemid", format=ApMediaParser.name)
    headline = item.text("headline", "title")
    if not headline:
        raise ParseError(f"{_LABEL}: item {index}: no headline or title", format=ApMediaParser.name)
    slugline = item.text("slugline")
    flags = [flag for flag in (slugline, item.text("ednote"), *item.texts("signals")) if flag]
    flags += [_EDITORIAL_FLAGS.get(kind.lower(), "") for kind in item.texts("editorialtypes")]
    version = max(version_of(item.raw("version"), offset=1), version_from_flags(flags))
    embargoed = timestamp(item.text("embargoed"))
    pubstatus, signals = status_and_signals(item.text("pubstatus"), flags, version, embargoed)
    body = _body(item, index, inlined_html)
    located = item.text("located")
    return {
        "agency": agency_from((item.text("provider"),)),
        "agency_id": agency_id,
        "version": version,
        "headline": headline.replace("\n", " "),
        "slugline": slugline,
        "byline": "; ".join(by for entry in item.objects("bylines") if (by := entry.text("by"))) or None,
        "dateline": dateline_from_text(located) if located else _lede_dateline(body),
        "language": item.text("language"),
        "urgency": urgency_of(item.raw("urgency")),
        "pubstatus": pubstatus,
        "signals": signals,
        "embargoed_until": embargoed,
        "first_created": timestamp(item.text("firstcreated")),
        "version_created": timestamp(item.text("versioncreated")),
        "body_text": body.text,
        "body_html": body.html,
        "subjects": _subjects(item),
        "keywords": item.texts("keywords"),
    }


def _body(item: JsonFields, index: int, inlined_html: str | None) -> Body:
    if full_text := item.text("body_text"):
        return text_body(full_text)
    if inlined_html:
        body = markup_body(inlined_html, _LABEL, index)
        if body.paragraphs:
            return body
    summary = item.text("description_summary", "headline_extended")
    return text_body(summary) if summary else Body([], None)


def _lede_dateline(body: Body) -> Dateline | None:
    return find_dateline(body.paragraphs[0]) if body.paragraphs else None


def _subjects(item: JsonFields) -> list[Subject]:
    subjects: list[Subject] = []
    for entry in item.objects("subject"):
        rels = [rel for rel in entry.texts("rels") if rel in _CATEGORY_SCHEMES]
        code = entry.text("code")
        if rels and code:
            name = entry.text("name")
            subjects.append(
                Subject(
                    scheme=_CATEGORY_SCHEMES[rels[0]], code=code, name=None if name == code else name, source="agency"
                )
            )
        elif entry.text("scheme") == "http://cv.ap.org/id/" and code:
            subjects.append(Subject(scheme="ap", code=code, name=entry.text("name"), source="agency"))
        elif subject := subject_of(entry, "ap"):
            subjects.append(subject)
    return list(dict.fromkeys(subjects))
