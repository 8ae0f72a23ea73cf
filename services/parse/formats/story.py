"""What every wire format does to turn the fields it read into a `Story`: the agency, the id, the checks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from services.parse.formats.base import FeedContext
from services.parse.text import extract_credits, parse_datetime
from shared.errors import ParseError
from shared.models import Story

__all__ = ["agency_from", "build_story", "derived_id"]

# Order matters: longer names first, so "Australian Associated Press" is AAP, not AP.
_AGENCIES = (
    (re.compile(r"australian associated press|\baap\b", re.I), "aap"),
    (re.compile(r"reuters", re.I), "reuters"),
    (re.compile(r"associated press|\bap\b|approvider", re.I), "ap"),
    (re.compile(r"agence france|\bafp\b", re.I), "afp"),
    (re.compile(r"tass\b", re.I), "tass"),
    (re.compile(r"\bdpa\b", re.I), "dpa"),
    (re.compile(r"\befe\b", re.I), "efe"),
    (re.compile(r"\bansa\b", re.I), "ansa"),
    (re.compile(r"press association|\bpa\b", re.I), "pa"),
    (re.compile(r"canadian press", re.I), "cp"),
    (re.compile(r"ritzau", re.I), "ritzau"),
    (re.compile(r"\bntb\b", re.I), "ntb"),
    (re.compile(r"\bstt\b", re.I), "stt"),
    (re.compile(r"\btt\b", re.I), "tt"),
    (re.compile(r"belga", re.I), "belga"),
    (re.compile(r"sda-ats|\bats\b|\bsda\b", re.I), "ats"),
    (re.compile(r"business ?wire", re.I), "businesswire"),
    (re.compile(r"globenewswire", re.I), "globenewswire"),
)


def agency_from(candidates: Iterable[str | None]) -> str | None:
    """The short agency name the first recognisable candidate (provider, copyright holder) names."""
    for candidate in candidates:
        if not candidate:
            continue
        for pattern, short in _AGENCIES:
            if pattern.search(candidate):
                return short
    return None


def derived_id(*parts: str | None) -> str:
    """A stable id for an item its agency sent without one: a hash of what identifies it."""
    return hashlib.sha1("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:20]


def build_story(fmt: str, label: str, ctx: FeedContext, index: int, fields: dict[str, Any]) -> Story:
    """A `Story` from parsed `fields`: id, credits, dates and lineage filled in; ParseError when invalid.

    `fields` holds Story field values plus "agency" (may be None: the feed's agency is used) and
    "first_created"/"version_created"/"embargoed_until" as aware UTC datetimes or raw strings (parsed here).
    """
    agency = fields.pop("agency", None) or ctx.agency
    for stamp in ("first_created", "version_created", "embargoed_until"):
        value = fields.get(stamp)
        fields[stamp] = value if isinstance(value, datetime) else parse_datetime(value)
    body_text = fields.get("body_text") or ""
    fields["credits"] = extract_credits(body_text)
    lineage = ctx.lineage
    # Lineage is immutable: the first (usually only) story of a message shares the message's.
    if lineage is not None and lineage.item_index != index:
        lineage = lineage.model_copy(update={"item_index": index})
    try:
        return Story(id=f"{agency}:{fields['agency_id']}", agency=agency, format=fmt, lineage=lineage, **fields)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise ParseError(f"{label}: item {index}: {where}: {problem['msg']}", format=fmt) from exc
