"""The parse stage's pure core: raw bytes or a raw envelope in, canonical stories out."""

from __future__ import annotations

from dataclasses import replace

from services.parse.formats.base import FeedContext, ParseLimits
from services.parse.formats.registry import by_name, detect
from services.parse.mojibake import mis_decoded_charsets, repair_mis_decoded
from shared.errors import ParseError
from shared.models import Lineage, RawEnvelope, Story

__all__ = ["parse_bytes", "parse_envelope"]

AUTO = ("auto", "", None)
# Frozen: one instance serves every call that names no limits.
_DEFAULT_LIMITS = ParseLimits()


def parse_bytes(
    data: bytes,
    *,
    agency: str,
    format_name: str | None = None,
    ctx: FeedContext | None = None,
    limits: ParseLimits | None = None,
) -> list[Story]:
    """Every story in `data`, read as `format_name` (sniffed when None or "auto").

    UTF-8 that was once read as Windows-1252 or Windows-1251 ("worldâ€™s") is first decoded right; with a
    lineage in `ctx`, the stories' `lineage.repaired_from` names the charsets.
    Raises `ParseError` (and nothing else) when the bytes cannot be read, or hold no story.
    """
    limits = limits or _DEFAULT_LIMITS
    ctx = ctx or FeedContext(agency=agency, limits=limits)
    if not data or data.isspace():  # not data.strip(), which copies the whole message
        raise ParseError("input is empty", code="empty")
    if len(data) > limits.max_bytes:
        raise ParseError(
            f"input is {len(data) / 1_048_576:.1f} MB; limit is {limits.max_bytes / 1_048_576:.0f} MB",
            code="too_large",
        )
    # Before any format reads it: every field and the HTML body are repaired alike (see mojibake.py), and
    # the stories' lineage says their text is not the bytes as sent.
    repaired = repair_mis_decoded(data)
    if repaired is not data and ctx.lineage is not None:
        charsets = list(mis_decoded_charsets(data))
        ctx = replace(ctx, lineage=ctx.lineage.model_copy(update={"repaired_from": charsets}))
    data = repaired
    parser = detect(data) if format_name in AUTO else by_name(str(format_name))
    try:
        stories = parser.parse(data, ctx)
    except ParseError:
        raise
    except Exception as exc:  # a parser bug must still reach dead-letter as a ParseError with a reason
        raise ParseError(
            f"{parser.name}: parser failed: {type(exc).__name__}: {exc}", format=parser.name, code="parser_bug"
        ) from exc
    if not stories:
        raise ParseError(f"{parser.name}: no story in input", format=parser.name, code="no_story")
    if len(stories) > limits.max_stories:
        raise ParseError(
            f"{parser.name}: {len(stories)} stories; limit is {limits.max_stories}",
            format=parser.name,
            code="too_many_stories",
        )
    lineage = ctx.lineage
    if lineage is None:
        return stories
    # A parser that forgot lineage must not break the chain back to the raw message.
    return [
        story if story.lineage else story.model_copy(update={"lineage": lineage.model_copy(update={"item_index": i})})
        for i, story in enumerate(stories)
    ]


def parse_envelope(envelope: RawEnvelope, limits: ParseLimits | None = None) -> list[Story]:
    """Every story in a raw message, each carrying lineage back to it."""
    lineage = Lineage(
        raw_id=envelope.raw_id,
        feed=envelope.feed,
        content_hash=envelope.content_hash,
        source_ref=envelope.source_ref,
        received_at=envelope.received_at,
    )
    limits = limits or _DEFAULT_LIMITS
    ctx = FeedContext(
        agency=envelope.agency,
        feed=envelope.feed,
        received_at=envelope.received_at,
        lineage=lineage,
        limits=limits,
    )
    return parse_bytes(envelope.payload, agency=envelope.agency, format_name=envelope.format_hint, ctx=ctx)
