"""ninjs (IPTC News in JSON) 1.x, 2.x and 3.x: one item, a list of items, or a wrapper holding them.

Field names moved between versions; every spelling is read:

* 1.x: ``headline``, ``body_text``/``body_html``/``body_xhtml``, ``description_text``, ``byline``,
  ``subject`` [{scheme, code, name}], ``embargoed``; Superdesk/AAP add ``guid``, ``slugline``, ``source``;
  the 1.6 user-guide drafts spell ``headline_main``, ``body_main``, ``body_richtext``;
* 2.x: ``headlines``/``bodies``/``descriptions`` arrays of {role, contenttype, value}, ``by``,
  ``subjects`` [{uri, literal, name}];
* 3.x: the same in camelCase (``versionCreated``, ``pubStatus``, ``contentType``): keys are read case-blind.

Decisions: the id is ``uri``, else ``guid``, else ``id``; the agency is the one ``copyrightholder``,
``source`` or the id names, else the feed's. wiredesk's own output (``urn:wiredesk:story:{agency}:{id}``, the
story id URL-quoted) is read back as the story it was: agency and agency id come from the uri. The body is the
first of: an HTML body, a NITF body (its ``<body.content>``), a plain-text body, a description (the caption of
a picture, the summary of an event); an item with none of them has an empty body. An item with no headline
falls back to its ``title`` (3.x events carry only that); an item with neither is a ParseError. ninjs has no
signal field, so signals come from ``ednote``, the status (``canceled`` is a kill), ``embargoed`` and the
version (above 1 is an update). Subjects with only a name are keywords. A wrapper object holding the items in
``items`` or ``item`` (the BBC API's ``{total, item: [...]}``) is read as a list of items.

The JSON helpers here also serve the AP Media API parser, whose items are ninjs 1.x with AP fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import unquote

import orjson

from services.parse.formats.base import FeedContext, ParseLimits
from services.parse.formats.story import agency_from, build_story
from services.parse.formats.xmlfields import (
    Body,
    render_body,
    render_markup_text,
    strip_namespaces,
    subject_from_code,
    urgency_or_none,
)
from services.parse.text import (
    check_size,
    check_story_count,
    clean_text,
    dateline_from_text,
    find_dateline,
    flag_signals,
    parse_datetime,
    pubstatus_from_signals,
    split_paragraphs,
)
from services.parse.xmlsafe import parse_xml
from shared.errors import ParseError
from shared.models import Dateline, PubStatus, Signal, Story, Subject

__all__ = [
    "JsonFields",
    "NinjsParser",
    "load_json",
    "markup_body",
    "status_and_signals",
    "subject_of",
    "text_body",
    "timestamp",
    "urgency_of",
    "version_of",
]

_LABEL = "ninjs"
_MARKERS = re.compile(
    rb'"(?:headlines?|bodies|body_text|body_html|descriptions|description_text|versioncreated|versionCreated'
    rb'|firstcreated|pubstatus|pubStatus)"\s*:'
)
_ID_KEY = re.compile(rb'"(?:uri|guid|id|standard)"\s*:')
_HTML_ROLES = {"html", "xhtml", "richtext", "html5", "richhtml5"}
_STATUSES: dict[str, PubStatus] = {"usable": "usable", "withheld": "withheld", "canceled": "canceled"}
_STATUSES["cancelled"] = "canceled"
_IPTC_URIS = (
    ("http://cv.iptc.org/newscodes/mediatopic/", "medtop"),
    ("http://cv.iptc.org/newscodes/subjectcode/", "subj"),
)
_SUBJECT_NUMBER = re.compile(r"\d{8}")
_WIREDESK_URI = re.compile(r"urn:wiredesk:story:(?P<agency>[^:]+):(?P<agency_id>.+)")


class NinjsParser:
    """ninjs documents: each item (one object, a list, or a wrapper's ``items``) is one story."""

    name: ClassVar[str] = "ninjs"

    def sniff(self, data: bytes) -> bool:
        """A JSON object or list naming an id and a ninjs content field, and not an AP Media API page."""
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith((b"{", b"[")) or b'"api_version"' in head:
            return False
        return bool(_MARKERS.search(head) and _ID_KEY.search(head))

    def parse(self, data: bytes, ctx: FeedContext) -> list[Story]:
        """Every item of the document, in order."""
        items = _items(load_json(data, self.name, "ninjs", ctx.limits))
        check_story_count(len(items), ctx.limits.max_stories, self.name)
        return [build_story(self.name, _LABEL, ctx, index, _fields(item, index)) for index, item in enumerate(items)]


class JsonFields:
    """Type-safe reads from one JSON object: keys are case-blind, a value of the wrong type reads as absent."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = {key.lower(): value for key, value in values.items()}

    def raw(self, key: str) -> Any:
        """The value under `key` as sent, None when absent."""
        return self._values.get(key)

    def text(self, *keys: str) -> str | None:
        """The first of `keys` holding non-blank text (a number counts as its digits), cleaned."""
        for key in keys:
            value = self._values.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            if isinstance(value, str) and (cleaned := clean_text(value)):
                return cleaned
        return None

    def texts(self, key: str) -> list[str]:
        """The non-blank strings of the list under `key`."""
        return [cleaned for value in self.values(key) if isinstance(value, str) and (cleaned := clean_text(value))]

    def values(self, key: str) -> list[Any]:
        """The list under `key`; empty when absent or not a list."""
        value = self._values.get(key)
        return value if isinstance(value, list) else []

    def objects(self, key: str) -> list[JsonFields]:
        """The objects of the list under `key` (a lone object counts as a list of one)."""
        value = self._values.get(key)
        entries = value if isinstance(value, list) else [value]
        return [JsonFields(entry) for entry in entries if isinstance(entry, dict)]

    def object(self, key: str) -> JsonFields | None:
        """The object under `key`, None when absent or not an object."""
        value = self._values.get(key)
        return JsonFields(value) if isinstance(value, dict) else None


def load_json(data: bytes, fmt: str, label: str, limits: ParseLimits) -> Any:
    """The JSON value of `data` (size-capped, BOM tolerated); ParseError naming `label` when it is not JSON."""
    check_size(data, limits.max_bytes, fmt)
    try:
        return orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"{label}: not JSON: {exc}", format=fmt, code="json_syntax") from exc


def timestamp(value: str | None) -> str | None:
    """`value` when it is a readable timestamp, else None (an unreadable date never fails an item)."""
    try:
        return value if parse_datetime(value) else None
    except (ValueError, OverflowError):  # parse_datetime lets an impossible date (month 13, year 1 at +01:00) out
        return None


def urgency_of(value: Any) -> int | None:
    """An IPTC urgency (1–9) from a JSON number or digit string; None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return urgency_or_none(value) if isinstance(value, str) else None


def version_of(value: Any, *, offset: int = 0) -> int:
    """A version from a JSON number or digit string plus `offset`; 1 when absent or unreadable."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value + offset >= 1:
        return value + offset
    return 1


def status_and_signals(
    declared: str | None, flags: Iterable[str], version: int, embargoed_until: str | None
) -> tuple[PubStatus, list[Signal]]:
    """The publication status and signals of an item from its declared status, flag words, version and embargo.

    A declared ``canceled`` adds a kill; a kill or withdrawal in the flags cancels whatever is declared;
    without a declared status the flags decide (an embargo with no readable time is withheld).
    """
    signals: list[Signal] = flag_signals(flags)
    status = _STATUSES.get((declared or "").lower())
    if status == "canceled":
        signals.append("kill")
    if embargoed_until:
        signals.append("embargo")
    if version > 1:
        signals.append("update")
    signals = list(dict.fromkeys(signals))
    implied = pubstatus_from_signals(signals, parse_datetime(embargoed_until))
    return (implied if status is None or implied == "canceled" else status), signals


def markup_body(markup: str, label: str, index: int) -> Body:
    """Paragraphs and sanitised HTML of an HTML body held as a JSON string."""
    try:
        return render_markup_text(markup)
    except ParseError as exc:
        raise ParseError(f"{label}: item {index}: {exc.reason}", format=exc.format, code=exc.code) from exc


def text_body(text: str) -> Body:
    """A plain-text body: paragraphs split on blank lines, or on line ends when there is no blank line."""
    paragraphs = split_paragraphs(text)
    if len(paragraphs) == 1 and "\n" in paragraphs[0]:
        paragraphs = paragraphs[0].split("\n")
    return Body([p for p in paragraphs if p], None)


def subject_of(entry: JsonFields, agency: str) -> Subject | None:
    """A subject from a ninjs or AP subject object; None when it names only a label (that is a keyword)."""
    name = entry.text("name")
    code = entry.text("code")
    uri = entry.text("uri")
    literal = entry.text("literal")
    if code:
        scheme = entry.text("scheme")
        return (
            Subject(scheme=scheme, code=code, name=name, source="agency") if scheme else subject_from_code(code, name)
        )
    for prefix, scheme in _IPTC_URIS:
        if uri and uri.startswith(prefix):
            return Subject(scheme=scheme, code=uri.removeprefix(prefix), name=name, source="agency")
    if literal:
        scheme = "subj" if _SUBJECT_NUMBER.fullmatch(literal) else agency
        return Subject(scheme=scheme, code=literal, name=name, source="agency")
    return Subject(scheme="uri", code=uri, name=name, source="agency") if uri else None


def _items(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        wrapped = next((document[key] for key in ("items", "item") if isinstance(document.get(key), list)), None)
        document = wrapped if wrapped is not None else [document]
    if not isinstance(document, list):
        raise ParseError('ninjs: expected an object, a list of objects or {"items": [...]}', format=_LABEL)
    if not all(isinstance(item, dict) for item in document):
        raise ParseError("ninjs: an item is not a JSON object", format=_LABEL)
    return document


def _fields(values: dict[str, Any], index: int) -> dict[str, Any]:
    item = JsonFields(values)
    headline = item.text("headline", "headline_main") or _role_value(item, "headlines", "main") or item.text("title")
    if not headline:
        raise ParseError(f"ninjs: item {index}: no headline/headlines", format=_LABEL)
    agency, agency_id = _identity(item, index)
    body = _body(item, index)
    version = version_of(item.raw("version"))
    embargoed = timestamp(item.text("embargoed", "embargoeduntil"))
    pubstatus, signals = status_and_signals(item.text("pubstatus"), _flags(item), version, embargoed)
    subjects, keywords = _subjects(item, agency or _LABEL)
    return {
        "agency": agency,
        "agency_id": agency_id,
        "version": version,
        "headline": headline.replace("\n", " "),
        "slugline": item.text("slugline"),
        "byline": item.text("byline", "by"),
        "dateline": _dateline(item, body),
        "language": item.text("language"),
        "urgency": urgency_of(item.raw("urgency")),
        "pubstatus": pubstatus,
        "signals": signals,
        "embargoed_until": embargoed,
        "first_created": timestamp(item.text("firstcreated")),
        "version_created": timestamp(item.text("versioncreated")),
        "body_text": body.text,
        "body_html": body.html,
        "subjects": subjects,
        "keywords": keywords + item.texts("keywords"),
    }


def _identity(item: JsonFields, index: int) -> tuple[str | None, str]:
    """The agency (None: the feed's) and the agency's id of an item."""
    uri = item.text("uri", "guid", "id")
    if not uri:
        raise ParseError(f"ninjs: item {index}: no uri/guid", format=_LABEL)
    if own := _WIREDESK_URI.fullmatch(uri):
        return unquote(own["agency"]).lower(), unquote(own["agency_id"])
    return agency_from((item.text("copyrightholder"), item.text("source"), uri)), uri


def _role_value(item: JsonFields, key: str, role: str) -> str | None:
    entries = [entry for entry in item.objects(key) if entry.text("value")]
    chosen = next((entry for entry in entries if entry.text("role") == role), entries[0] if entries else None)
    return chosen.text("value") if chosen else None


def _body(item: JsonFields, index: int) -> Body:
    for kind in ("html", "nitf", "text"):
        for markup in _bodies_of_kind(item, kind):
            body = _render(kind, markup, index)
            if body.paragraphs:
                return body
    description = _role_value(item, "descriptions", "text")
    if description := item.text("description_text") or description:
        return text_body(description)
    html = item.text("description_html", "description_xhtml")
    return markup_body(html, _LABEL, index) if html else Body([], None)


def _bodies_of_kind(item: JsonFields, kind: str) -> list[str]:
    legacy = {"html": ("body_html", "body_xhtml", "body_richtext"), "nitf": (), "text": ("body_text", "body_main")}
    found = [text for key in legacy[kind] if (text := item.text(key))]
    for entry in item.objects("bodies"):
        content_type = (entry.text("contenttype") or "").lower()
        role = (entry.text("role") or "").lower()
        if "nitf" in content_type or role == "nitf":
            entry_kind = "nitf"
        elif "html" in content_type or role in _HTML_ROLES:
            entry_kind = "html"
        else:
            entry_kind = "text" if content_type in ("", "text/plain") else "other"
        if entry_kind == kind and (value := entry.raw("value")) and isinstance(value, str):
            found.append(value)
    return found


def _render(kind: str, markup: str, index: int) -> Body:
    if kind == "text":
        return text_body(markup)
    if kind == "html":
        return markup_body(markup, _LABEL, index)
    try:
        root = strip_namespaces(parse_xml(markup.encode("utf-8"), "NITF body", ParseLimits()))
    except ParseError as exc:
        raise ParseError(f"ninjs: item {index}: {exc.reason}", format=_LABEL, code=exc.code) from exc
    content = root.find(".//body.content")
    return render_body(content) if content is not None else Body([], None)


def _flags(item: JsonFields) -> list[str]:
    codes = [entry.text("code", "name") for entry in item.objects("signals")]
    return [flag for flag in (item.text("ednote"), *item.texts("signals"), *codes) if flag]


def _subjects(item: JsonFields, agency: str) -> tuple[list[Subject], list[str]]:
    subjects: list[Subject] = []
    keywords: list[str] = []
    for entry in item.objects("subject") + item.objects("subjects"):
        subject = subject_of(entry, agency)
        if subject:
            subjects.append(subject)
        elif name := entry.text("name"):
            keywords.append(name)
    return subjects, keywords


def _dateline(item: JsonFields, body: Body) -> Dateline | None:
    located = item.text("located")
    if located:
        return dateline_from_text(located)
    return find_dateline(body.paragraphs[0]) if body.paragraphs else None
