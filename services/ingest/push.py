"""Agencies that push: POST /push/{feed} with an HMAC-SHA256 signature of the body.

    X-Wiredesk-Signature: sha256=<hex HMAC-SHA256 of the body with the feed's shared secret>

Answers (JSON bodies with a `reason`): 202 only after Kafka acknowledged the item; 401 for a missing or
wrong signature (nothing is published); 404 for an unknown feed; 413 for a body over the limit; 503
when publishing failed (the sender should retry).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from services.ingest.feeds import FeedConfig
from services.ingest.ports import FeedStats, PublishFn
from shared.models import RawEnvelope

__all__ = ["SIGNATURE_HEADER", "PushFeed", "add_push_routes", "sign"]

SIGNATURE_HEADER = "X-Wiredesk-Signature"
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PushFeed:
    """A push feed and its shared secret (read from the env var the config names)."""

    config: FeedConfig
    secret: bytes
    stats: FeedStats


def sign(body: bytes, secret: bytes) -> str:
    """The signature header value for `body`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"status": status, "reason": reason}, status=status)


def add_push_routes(
    app: web.Application, feeds: Mapping[str, PushFeed], publish: PublishFn, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> None:
    """Route POST /push/{feed} on `app` to the feeds in `feeds` (by name)."""

    async def receive(request: web.Request) -> web.Response:
        feed = feeds.get(request.match_info["feed"])
        if feed is None:
            return _error(404, f"unknown push feed {request.match_info['feed']!r}")
        if request.content_length is not None and request.content_length > max_bytes:
            feed.stats.error("too_large")
            return _error(413, f"body is {request.content_length} bytes; limit is {max_bytes}")
        body = await _read_capped(request, max_bytes)
        if body is None:
            feed.stats.error("too_large")
            return _error(413, f"body exceeds the limit of {max_bytes} bytes")
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not given:
            feed.stats.error("unsigned")
            return _error(401, f"missing {SIGNATURE_HEADER} header")
        if not hmac.compare_digest(given.encode(), sign(body, feed.secret).encode()):
            feed.stats.error("bad_signature")
            return _error(401, "signature does not match the body")
        if not body:
            return _error(400, "empty body")
        request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        envelope = RawEnvelope.wrap(
            body,
            feed=feed.config.name,
            agency=feed.config.agency,
            source_ref=f"push:{request_id}",
            format_hint=feed.config.format_hint,
        )
        try:
            await publish(envelope)
        except Exception as exc:  # the sender must learn the item was not taken, whatever broke
            feed.stats.error("publish_failed")
            return _error(503, f"could not publish: {type(exc).__name__}; retry later")
        feed.stats.published(envelope)
        return web.json_response({"status": 202, "raw_id": envelope.raw_id}, status=202)

    app.router.add_post("/push/{feed}", receive)


async def _read_capped(request: web.Request, max_bytes: int) -> bytes | None:
    """The body, or None once it passes `max_bytes` (chunked uploads carry no Content-Length)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
