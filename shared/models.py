"""The canonical models every stage reads and writes.

A wire item travels as:

    RawEnvelope  (wire.raw.v1)      the agency's original bytes and where they came from
    Story        (wire.parsed.v1 …) one canonical story, enriched field by field along the pipeline
    Event        (events.v1)        several agencies' stories of one news event, merged with one credit line
    DeadLetter   (*.deadletter.v1)  what a stage could not process: the original bytes and the reason

Field names of `Story` are fixed by the wire-formats and enrichment issues; stages may add fields,
never rename them. All models are immutable: a stage returns a new copy (`model_copy(update=...)`).
All timestamps are timezone-aware UTC and serialise as ISO-8601.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

__all__ = [
    "Dateline",
    "DeadLetter",
    "Entity",
    "Event",
    "EventMember",
    "Lineage",
    "Place",
    "PubStatus",
    "RawEnvelope",
    "Signal",
    "Story",
    "Subject",
    "Translation",
    "TranslationStatus",
    "content_hash",
    "utcnow",
]


def _iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcDatetime = Annotated[AwareDatetime, PlainSerializer(_iso_utc, return_type=str, when_used="json")]
"""A timezone-aware datetime, written as ISO-8601 UTC with a trailing Z."""

PubStatus = Literal["usable", "withheld", "canceled"]
Signal = Literal[
    "update", "correction", "refile", "kill", "withdrawal", "advisory", "repeat", "writethru", "embargo", "test"
]
TranslationStatus = Literal["none", "not_needed", "done", "pending", "failed"]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def content_hash(data: bytes) -> str:
    """The SHA-256 of `data` as lowercase hex: the identity of a raw message's bytes."""
    return hashlib.sha256(data).hexdigest()


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")


class RawEnvelope(_Model):
    """One item as an agency delivered it (the value of `wire.raw.v1`).

    `payload` is the original bytes, untouched (base64 in JSON). A multi-story file (an ANPA stream,
    a NewsML envelope) is one envelope; the parse stage splits it.
    """

    raw_id: str = Field(description="Unique id of this delivery: '{feed}:{item id or content hash}'.")
    feed: str = Field(description="Name of the configured feed that delivered the item.")
    agency: str = Field(description="Agency the feed carries (reuters, ap, afp, tass, or the feed's name).")
    format_hint: str | None = Field(default=None, description="Format named by the feed; null means sniff.")
    received_at: UtcDatetime = Field(description="When ingest received the item.")
    content_hash: str = Field(description="SHA-256 (hex) of payload.")
    source_ref: str = Field(description="Where the item came from: a spool path, a URL, a push request id.")
    payload: bytes = Field(description="The original bytes, base64 encoded in JSON.")

    @classmethod
    def wrap(
        cls,
        payload: bytes,
        *,
        feed: str,
        agency: str,
        source_ref: str,
        item_id: str | None = None,
        format_hint: str | None = None,
        received_at: datetime | None = None,
    ) -> RawEnvelope:
        """Build an envelope around `payload`, hashing it; `item_id` defaults to the content hash."""
        digest = content_hash(payload)
        return cls(
            raw_id=f"{feed}:{item_id or digest}",
            feed=feed,
            agency=agency,
            format_hint=format_hint,
            received_at=received_at or utcnow(),
            content_hash=digest,
            source_ref=source_ref,
            payload=payload,
        )


class Lineage(_Model):
    """Where a story came from: the raw message and its position in it."""

    raw_id: str
    feed: str
    content_hash: str
    source_ref: str
    received_at: UtcDatetime
    item_index: int = Field(default=0, description="Position of this story in a multi-story raw message.")
    repaired_from: list[str] = Field(
        default_factory=list,
        description="Charsets (cp1252, cp1251) whose misreading of the message's UTF-8 parse repaired before"
        " reading it; empty when the bytes were read as sent.",
    )


class Dateline(_Model):
    """The dateline as written ("MOSCOW, March 5 (Reuters)") and the place it names."""

    text: str
    place: str | None = None


class Subject(_Model):
    """A subject code: agency codes as sent, plus media topics added by enrichment."""

    scheme: str = Field(description="subj (IPTC subject code), medtop, anpa-category, or an agency scheme.")
    code: str
    name: str | None = None
    source: str | None = Field(default=None, description="agency, mapping or classifier.")
    confidence: float | None = None


class Place(_Model):
    """A place the story is about."""

    name: str
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2.")
    role: Literal["dateline", "mentioned"] = "mentioned"
    source: str = "gazetteer"


class Entity(_Model):
    """A person or organisation named in the story, in one canonical form."""

    name: str
    source: str


class Translation(_Model):
    """A machine (or human) translation of a story's text into one language."""

    headline: str | None = None
    lede: str | None = None
    body_text: str | None = None
    engine: str
    machine: bool = True


class Story(_Model):
    """One canonical story, the unit every stage after parse works on."""

    id: str = Field(description="'{agency}:{agency_id}', stable across versions.")
    agency: str
    agency_id: str = Field(description="The agency's item id with any version suffix stripped.")
    version: int = Field(default=1, ge=1)
    format: str = Field(description="Name of the wire format parser that read it.")
    headline: str
    slugline: str | None = None
    byline: str | None = None
    dateline: Dateline | None = None
    language: str | None = Field(default=None, description="BCP-47 as declared by the agency, else null.")
    urgency: int | None = Field(default=None, ge=1, le=9, description="IPTC scale: 1 most urgent … 9 least.")
    pubstatus: PubStatus = "usable"
    signals: list[Signal] = Field(default_factory=list)
    replaces: str | None = Field(default=None, description="Id or version this item supersedes, if the format says.")
    embargoed_until: UtcDatetime | None = None
    first_created: UtcDatetime | None = None
    version_created: UtcDatetime | None = None
    body_text: str = Field(default="", description="Paragraphs separated by a blank line.")
    body_html: str | None = None
    subjects: list[Subject] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    credits: list[str] = Field(default_factory=list, description="Agencies the copy itself credits.")
    lineage: Lineage | None = None

    # dedup
    near_duplicate_of: str | None = Field(default=None, description="Story id this one lightly rewrites.")
    # enrich
    language_detected: str | None = None
    places: list[Place] = Field(default_factory=list)
    people: list[Entity] = Field(default_factory=list)
    organisations: list[Entity] = Field(default_factory=list)
    translations: dict[str, Translation] = Field(default_factory=dict)
    translation_status: TranslationStatus = "none"
    # merge
    event_id: str | None = None

    @property
    def lede(self) -> str:
        """The first paragraph of the body."""
        return self.body_text.split("\n\n", 1)[0]


class EventMember(_Model):
    """One agency story inside an event, with the evidence that put it there."""

    story_id: str
    agency: str
    version: int
    score: float
    evidence: list[str] = Field(default_factory=list)
    canceled: bool = False


class Event(_Model):
    """One news event covered by one or more agencies (the value of `events.v1`)."""

    event_id: str
    version: int = Field(default=1, ge=1)
    members: list[EventMember]
    lead: str = Field(description="Story id of the lead story.")
    credit_line: str = Field(description="'With reporting by Reuters, TASS, AFP, and AP'.")
    headline: str | None = Field(default=None, description="The lead story's headline.")
    language: str | None = Field(default=None, description="The lead story's language (declared, else detected).")
    located: str | None = Field(default=None, description="The lead story's dateline place.")
    urgency: int | None = Field(default=None, ge=1, le=9, description="The most urgent live member's urgency.")
    pubstatus: PubStatus = "usable"
    opened_at: UtcDatetime
    updated_at: UtcDatetime


class DeadLetter(_Model):
    """A message a stage could not process (the value of every `*.deadletter.v1` topic)."""

    stage: str
    code: str = Field(description="Stable machine code of the failure, e.g. parse_error, bad_envelope.")
    reason: str = Field(description="What is wrong, for a person.")
    source_topic: str
    source_partition: int | None = None
    source_offset: int | None = None
    source_key: bytes | None = None
    original: bytes = Field(description="The original bytes of the failed message, base64 in JSON.")
    raw_id: str | None = Field(default=None, description="The raw message's id, when it could be read.")
    failed_at: UtcDatetime
