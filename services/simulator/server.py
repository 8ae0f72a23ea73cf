"""The simulator's HTTP side: AP-, Reuters-, AFP- and TASS-style endpoints on one aiohttp app.

    GET  /ap/media/v/content/feed?cursor=&page_size=   AP Media API feed page (x-api-key; ETag)
    POST /reuters/oauth/token, /afp/oauth/token        OAuth2 client credentials
    POST /reuters/graphql                              Reuters Connect-style search with a cursor
    POST /afp/v1/api/search                            AFP-style search paged by published date
    GET  /tass/rss/{ru|en}.xml                         TASS-style RSS: the latest items, repeated
    GET  /doc/latest.xml                               the newest Reuters item alone (If-None-Match)

Faults (slow answers, 500s, 429s with Retry-After, truncated bodies) hit the data endpoints with the
probabilities in `Faults`, drawn from a seeded generator.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import hashlib
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Middleware

from services.simulator.plan import SimItem
from services.simulator.render import rss_feed

__all__ = ["TOKEN_LIFETIME", "Faults", "SimState", "build_app", "parse_faults", "start_server"]

TOKEN_LIFETIME = 3600
_RSS_WINDOW = 40
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Faults:
    """Probabilities (0–1) of each fault per data request, and how slow "slow" is."""

    slow: float = 0.0
    slow_seconds: float = 0.5
    error: float = 0.0
    throttle: float = 0.0
    truncate: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))


def parse_faults(text: str, seed: int) -> Faults:
    """Faults from ``slow=0.1,error=0.05,throttle=0.05,truncate=0.02,slow_seconds=1``."""
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, number = part.partition("=")
        if name not in {"slow", "slow_seconds", "error", "throttle", "truncate"}:
            raise ValueError(f"unknown fault {name!r}; known: slow, slow_seconds, error, throttle, truncate")
        values[name] = float(number)
    return Faults(**values, rng=random.Random(seed ^ 0x5EED))


@dataclass(slots=True)
class SimState:
    """What the simulator has published so far, per channel, and the credentials it accepts."""

    api_key: str = "sim-ap-key"
    clients: dict[str, str] = field(default_factory=lambda: {"sim-client": "sim-secret"})
    ap: list[dict[str, object]] = field(default_factory=list)
    reuters: list[SimItem] = field(default_factory=list)
    afp: list[tuple[str, int, SimItem]] = field(default_factory=list)
    """AFP items ordered by (published time, arrival): the search answers a date range with a bisection."""
    rss: dict[str, list[str]] = field(default_factory=lambda: {"ru": [], "en": []})
    tokens: set[str] = field(default_factory=set)
    faults: Faults = field(default_factory=Faults)
    updated: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def add(self, item: SimItem) -> None:
        """Make `item` available on its channel."""
        channel = item.filer.channel
        if channel == "ap_api" and item.record is not None:
            self.ap.append(item.record)
        elif channel == "reuters_api":
            self.reuters.append(item)
        elif channel == "afp_api":
            bisect.insort(self.afp, (item.when.isoformat(), len(self.afp), item), key=lambda entry: entry[:2])
        elif channel.startswith("tass_rss"):
            self.rss[item.filer.language].append(item.payload.decode("utf-8"))
        self.updated = max(self.updated, item.when)


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"pos:{index}".encode()).decode()


def _position(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("pos:"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise web.HTTPBadRequest(text='{"error":"bad cursor"}', content_type="application/json") from exc


def _json(body: object, **kwargs: Any) -> web.Response:
    return web.Response(body=orjson.dumps(body), content_type="application/json", **kwargs)


def build_app(state: SimState, *, base_url: str = "") -> web.Application:
    """The aiohttp app serving `state`; `base_url` prefixes the AP `next_page` links."""
    routes = web.RouteTableDef()

    def bearer(request: web.Request) -> None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in state.tokens:
            raise web.HTTPUnauthorized(text='{"error":"invalid token"}', content_type="application/json")

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials" or state.clients.get(str(form.get("client_id"))) != str(
            form.get("client_secret")
        ):
            return _json({"error": "invalid_client"}, status=401)
        issued = secrets.token_hex(16)
        state.tokens.add(issued)
        return _json({"access_token": issued, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME})

    @routes.get("/ap/media/v/content/feed")
    async def ap_feed(request: web.Request) -> web.Response:
        if request.headers.get("x-api-key") != state.api_key:
            return _json({"error": "invalid api key"}, status=401)
        start = _position(request.query.get("cursor"))
        size = int(request.query.get("page_size", "100"))
        page = state.ap[start : start + size]
        end = start + len(page)
        etag = f'"ap-{start}-{end}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        data = {
            "current_item_count": len(page),
            "next_page": f"{base_url or request.url.origin()}/ap/media/v/content/feed?cursor={_cursor(end)}"
            f"&page_size={size}",
            "items": [{"meta": {}, "item": item} for item in page],
        }
        return _json({"api_version": "2.0", "method": "/content/feed.GET", "data": data}, headers={"ETag": etag})

    @routes.post("/reuters/graphql")
    async def reuters_graphql(request: web.Request) -> web.Response:
        bearer(request)
        body = await request.json(loads=orjson.loads)
        variables = body.get("variables") or {}
        start = _position(variables.get("cursor"))
        limit = int(variables.get("limit", 100))
        page = state.reuters[start : start + limit]
        end = start + len(page)
        items = [
            {"versionedGuid": f"{i.item_id}:{i.version}", "guid": i.item_id, "version": i.version,
             "sortTimestamp": i.when.isoformat(), "newsML": i.payload.decode()}
            for i in page
        ]  # fmt: skip
        search = {"totalHits": len(state.reuters), "pageInfo": {"endCursor": _cursor(end),
                  "hasNextPage": end < len(state.reuters)}, "items": items}  # fmt: skip
        return _json({"data": {"search": search}})

    @routes.post("/afp/v1/api/search")
    async def afp_search(request: web.Request) -> web.Response:
        bearer(request)
        body = await request.json(loads=orjson.loads)
        since = str((body.get("dateRange") or {}).get("from") or "")
        rows = int(body.get("maxRows", 100))
        start = bisect.bisect_left(state.afp, since, key=lambda entry: entry[0])
        docs = [
            {"uno": i.item_id, "version": i.version, "published": published, "lang": i.filer.language,
             "newsml": i.payload.decode()}
            for published, _, i in state.afp[start : start + rows]
        ]  # fmt: skip
        return _json({"response": {"numFound": len(state.afp) - start, "docs": docs}})

    @routes.get("/tass/rss/{lang}.xml")
    async def tass_rss(request: web.Request) -> web.Response:
        lang = request.match_info["lang"]
        if lang not in state.rss:
            raise web.HTTPNotFound()
        items = state.rss[lang][-_RSS_WINDOW:][::-1]
        title = "ТАСС" if lang == "ru" else "TASS"
        body = rss_feed(items, title=title, link="http://tass.example/", language=lang, built=state.updated)
        return _conditional(request, body, "application/rss+xml; charset=utf-8", state.updated)

    @routes.get("/doc/latest.xml")
    async def latest_doc(request: web.Request) -> web.Response:
        if not state.reuters:
            raise web.HTTPNotFound()
        newest = state.reuters[-1]
        return _conditional(request, newest.payload, "application/xml", newest.when)

    app = web.Application(middlewares=[_fault_middleware(state)])
    app.router.add_post("/reuters/oauth/token", token)
    app.router.add_post("/afp/oauth/token", token)
    app.add_routes(routes)
    return app


def _fault_middleware(state: SimState) -> Middleware:
    @web.middleware
    async def faults(request: web.Request, handler: Handler) -> web.StreamResponse:
        fault = state.faults
        if request.path.endswith("/token"):
            return await handler(request)
        roll = fault.rng.random
        if roll() < fault.slow:
            await asyncio.sleep(fault.slow_seconds)
            if request.transport is None or request.transport.is_closing():
                raise web.HTTPRequestTimeout()  # the client gave up waiting: nothing to read or answer
        if roll() < fault.error:
            return _json({"error": "simulated failure"}, status=500)
        if roll() < fault.throttle:
            return _json({"error": "rate limit"}, status=429, headers={"Retry-After": "1"})
        response = await handler(request)
        if roll() < fault.truncate and isinstance(response, web.Response) and isinstance(response.body, bytes):
            body = response.body
            return web.Response(body=body[: len(body) // 2], status=response.status, content_type="application/json")
        return response

    return faults


def _conditional(request: web.Request, body: bytes, content_type: str, modified: datetime) -> web.Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    last_modified = format_datetime(modified.astimezone(UTC), usegmt=True)
    headers = {"ETag": etag, "Last-Modified": last_modified}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, headers={**headers, "Content-Type": content_type})


async def start_server(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, str]:
    """Serve `app`; returns the runner (call `cleanup()` to stop) and the base URL (port 0 picks one)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    return runner, f"http://{host}:{bound}"
