"""What every HTTP polling connector shares: auth, a rate limiter, retries with back-off, 429 handling.

`HttpFetcher.request` returns a 2xx or 304 response, or raises `FetchError` once retries are spent.
Retried: timeouts and connection errors, 5xx, 429 (waiting what Retry-After says), a 401 with OAuth2
(the token is refreshed once), and — through `fetch_json` — a body that is not complete JSON (a
truncated response). Never retried: other 4xx, which mean the configuration is wrong.

Randomness, sleeping and the clock are injected so tests run the exact back-off schedule instantly.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import orjson

from services.ingest.feeds import FeedConfig, RateLimit
from services.ingest.ports import FeedStats

__all__ = [
    "ApiKeyAuth",
    "Auth",
    "Backoff",
    "FetchError",
    "HttpFetcher",
    "OAuth2ClientCredentials",
    "RateLimiter",
    "auth_for",
    "retry_after_seconds",
]

SleepFn = Callable[[float], Awaitable[None]]
ClockFn = Callable[[], float]
_MAX_RETRY_AFTER = 300.0


class FetchError(Exception):
    """A request that failed for good (retries spent, or a 4xx that retrying cannot fix)."""

    def __init__(self, reason: str, *, kind: str) -> None:
        super().__init__(reason)
        self.kind = kind


@dataclass(slots=True)
class Backoff:
    """Exponential back-off with jitter: attempt n waits a random time in [½, 1] × min(cap, base × 2ⁿ)."""

    base: float = 0.5
    cap: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (0 for the first retry)."""
        ceiling = min(self.cap, self.base * (2**attempt))
        return float(ceiling * self.rng.uniform(0.5, 1.0))


class RateLimiter:
    """A token bucket: bursts up to `requests`, refilled at `requests / per_seconds` per second."""

    def __init__(self, limit: RateLimit, *, clock: ClockFn = time.monotonic, sleep: SleepFn = asyncio.sleep) -> None:
        self.capacity = float(limit.requests)
        self.rate = limit.requests / limit.per_seconds
        self.tokens = self.capacity
        self.clock = clock
        self.sleep = sleep
        self.updated = clock()

    async def acquire(self) -> None:
        """Wait until one request may be made, and take its token."""
        while True:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await self.sleep((1 - self.tokens) / self.rate)


class Auth(Protocol):
    """Adds credentials to a request's headers."""

    async def headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        """The headers to send."""
        ...

    def invalidate(self) -> None:
        """Forget cached credentials (the server rejected them)."""
        ...


@dataclass(slots=True)
class ApiKeyAuth:
    """A static API key in a header (AP sends `x-api-key`)."""

    key: str
    header: str = "x-api-key"

    async def headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        """The key header."""
        return {self.header: self.key}

    def invalidate(self) -> None:
        """Nothing to refresh: a static key is either right or wrong."""


@dataclass(slots=True)
class OAuth2ClientCredentials:
    """An OAuth2 client-credentials token, cached and fetched again shortly before it expires."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str | None = None
    refresh_margin: float = 60.0
    clock: ClockFn = time.monotonic
    _token: str | None = field(default=None, repr=False)
    _expires_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        """A bearer header with a token valid for at least `refresh_margin` seconds (or half its life)."""
        async with self._lock:
            if self._token is None or self.clock() >= self._expires_at:
                await self._fetch_token(client)
        return {"Authorization": f"Bearer {self._token}"}

    async def _fetch_token(self, client: httpx.AsyncClient) -> None:
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret}
        if self.scope:
            form["scope"] = self.scope
        try:
            response = await client.post(self.token_url, data=form)
        except httpx.HTTPError as exc:
            raise FetchError(f"token endpoint: {type(exc).__name__}", kind="token") from exc
        if response.status_code != 200:
            raise FetchError(f"token endpoint answered {response.status_code}", kind="token")
        try:
            body = orjson.loads(response.content)
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 3600))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise FetchError("token endpoint: no access_token in the answer", kind="token") from exc
        self._token = token
        self._expires_at = self.clock() + max(lifetime - min(self.refresh_margin, lifetime / 2), 0.0)

    def invalidate(self) -> None:
        """Drop the token; the next request fetches a new one."""
        self._token = None


def auth_for(feed: FeedConfig, environ: Mapping[str, str] | None = None) -> Auth | None:
    """The auth a feed's configuration asks for: OAuth2 with a token URL, an API key with a secret only."""
    secret = feed.secret(environ)
    if secret is None:
        return None
    if feed.token_url:
        client_id = feed.client_id(environ) or ""
        return OAuth2ClientCredentials(feed.token_url, client_id, secret)
    return ApiKeyAuth(secret)


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), capped at five minutes; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), _MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    delta = when.timestamp() - (time.time() if now is None else now)
    return min(max(delta, 0.0), _MAX_RETRY_AFTER)


class HttpFetcher:
    """Sends a feed's requests with auth, rate limit, retries and statistics."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        stats: FeedStats,
        *,
        auth: Auth | None = None,
        rate_limit: RateLimit | None = None,
        backoff: Backoff | None = None,
        max_attempts: int = 6,
        sleep: SleepFn = asyncio.sleep,
    ) -> None:
        self.client = client
        self.stats = stats
        self.auth = auth
        self.limiter = RateLimiter(rate_limit, sleep=sleep) if rate_limit else None
        self.backoff = backoff or Backoff()
        self.max_attempts = max_attempts
        self.sleep = sleep

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A 2xx or 304 response to the request; FetchError when it cannot be had."""
        response, _ = await self._attempts(method, url, kwargs, as_json=False)
        return response

    async def fetch_json(self, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, Any]:
        """The response and its decoded JSON body (None on 304); a body that is not JSON is retried."""
        return await self._attempts(method, url, kwargs, as_json=True)

    async def _attempts(
        self, method: str, url: str, kwargs: dict[str, Any], *, as_json: bool
    ) -> tuple[httpx.Response, Any]:
        last = "no attempt made"
        for attempt in range(self.max_attempts):
            outcome = await self._attempt(method, url, kwargs, as_json=as_json)
            if isinstance(outcome[0], httpx.Response):
                return outcome[0], outcome[1]
            kind, last, wait = outcome
            self.stats.error(kind)
            if kind == "http_4xx":
                raise FetchError(last, kind=kind)
            await self.sleep(wait if wait is not None else self.backoff.delay(attempt))
        raise FetchError(f"{method} {url}: gave up after {self.max_attempts} attempts; last: {last}", kind="gave_up")

    async def _attempt(
        self, method: str, url: str, kwargs: dict[str, Any], *, as_json: bool
    ) -> tuple[httpx.Response, Any] | tuple[str, str, float | None]:
        """A success (response, body) or a failure (kind, reason, wait override)."""
        if self.limiter:
            await self.limiter.acquire()
        headers = dict(kwargs.get("headers") or {})
        started = time.perf_counter()
        try:
            if self.auth:
                headers.update(await self.auth.headers(self.client))
            response = await self.client.request(method, url, **{**kwargs, "headers": headers})
        except httpx.TimeoutException:
            return "timeout", f"{method} {url}: timed out", None
        except httpx.HTTPError as exc:
            return "transport", f"{method} {url}: {type(exc).__name__}", None
        except FetchError as exc:
            return exc.kind, str(exc), None
        status = response.status_code
        if status == 429:
            return "throttled", f"{url}: 429", retry_after_seconds(response.headers.get("retry-after"))
        if status == 401 and self.auth is not None:
            self.auth.invalidate()
            return "unauthorised", f"{url}: 401", 0.0
        if status >= 500:
            return f"http_{status}", f"{url}: {status}", None
        if status >= 400:
            return "http_4xx", f"{method} {url}: {status} {response.text[:200]}", None
        if not as_json or status == 304:
            self.stats.fetched(started)
            return response, None
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return "bad_body", f"{url}: body is not complete JSON ({len(response.content)} bytes)", None
        self.stats.fetched(started)
        return response, body
