"""Machine translation of a story's headline, lede and body, without ever holding the story up.

Backends speak three documented HTTP APIs over httpx: LibreTranslate (`POST /translate`), DeepL
(`POST /v2/translate`) and Apertium APy (`POST /translate`, direct pairs only, e.g. spa|eng). Each
source-target pair is routed to one backend ("es-en" first, then "*-en"). Around every backend:
- a cache keyed by (text hash, pair, backend), any MutableMapping (the service backs it with a sqlite file, cache.py);
- a timeout per request and retries with exponential back-off on 429, 5xx and timeouts;
- a circuit breaker, so a dead engine is skipped until it may be back.
Headline and lede go first, then the body. When the engine is down or slow the story goes on:
translation_status "pending" (may work later: timeout, 429, 5xx, open breaker) or "failed" (will
not: refused key, quota, unsupported pair), with whatever part was translated.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any, ClassVar, Protocol

import httpx

from services.enrich.breaker import CircuitBreaker
from services.enrich.config import EnrichSettings
from shared.errors import InvalidInput, WiredeskError
from shared.models import Story, Translation, TranslationStatus

__all__ = [
    "ApertiumTranslator",
    "DeepLTranslator",
    "LibreTranslateTranslator",
    "TranslationError",
    "TranslationService",
    "Translator",
    "cache_key",
    "translation_service",
]

_APERTIUM_CODES = {"es": "spa", "en": "eng", "fr": "fra", "pt": "por", "ca": "cat", "gl": "glg", "it": "ita"}


class TranslationError(WiredeskError):
    """A backend could not translate; `retryable` says whether trying later may work."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Translator(Protocol):
    """One translation engine: texts in `source` to `target` (ISO 639-1), same order, same length."""

    name: ClassVar[str]

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """The translations of `texts`; raises TranslationError."""
        ...


class _HttpTranslator:
    """Shared HTTP plumbing: one request, its status mapped to a retryable or final TranslationError."""

    name: ClassVar[str] = "http"

    def __init__(self, base_url: str, *, timeout: float, client: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.client = client

    async def _post(self, path: str, **kwargs: Any) -> Any:
        try:
            if self.client is not None:
                response = await self.client.post(self.base_url + path, timeout=self.timeout, **kwargs)
            else:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.post(self.base_url + path, **kwargs)
        except httpx.TimeoutException as exc:
            raise TranslationError(f"{self.name}: no answer within {self.timeout} s", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise TranslationError(f"{self.name}: {type(exc).__name__}: {exc}", retryable=True) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TranslationError(f"{self.name}: HTTP {response.status_code}", retryable=True)
        if response.status_code != 200:
            raise TranslationError(f"{self.name}: HTTP {response.status_code}: {response.text[:200]}", retryable=False)
        try:
            return response.json()
        except ValueError as exc:
            raise TranslationError(f"{self.name}: answer is not JSON", retryable=True) from exc


def _strings(value: Any, count: int, backend: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) != count or not all(isinstance(v, str) for v in value):
        raise TranslationError(f"{backend}: answer does not hold {count} translations", retryable=False)
    return value


class LibreTranslateTranslator(_HttpTranslator):
    """A LibreTranslate server: POST /translate {q: [...], source, target, format, api_key}."""

    name: ClassVar[str] = "libretranslate"

    def __init__(self, base_url: str, *, api_key: str = "", timeout: float, client: httpx.AsyncClient | None = None):
        super().__init__(base_url, timeout=timeout, client=client)
        self.api_key = api_key

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """Translate all `texts` in one request."""
        body: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        answer = await self._post("/translate", json=body)
        return _strings(answer.get("translatedText") if isinstance(answer, dict) else None, len(texts), self.name)


class DeepLTranslator(_HttpTranslator):
    """DeepL API v2: POST /v2/translate with `Authorization: DeepL-Auth-Key`; 456 (quota) is final."""

    name: ClassVar[str] = "deepl"

    def __init__(self, base_url: str, *, auth_key: str, timeout: float, client: httpx.AsyncClient | None = None):
        super().__init__(base_url, timeout=timeout, client=client)
        self.auth_key = auth_key

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """Translate all `texts` in one request (DeepL takes a list)."""
        body = {
            "text": texts,
            "source_lang": source.upper(),
            "target_lang": "EN-GB" if target == "en" else target.upper(),
        }
        headers = {"Authorization": f"DeepL-Auth-Key {self.auth_key}"}
        answer = await self._post("/v2/translate", json=body, headers=headers)
        items = answer.get("translations") if isinstance(answer, dict) else None
        texts_out = [item.get("text") for item in items] if isinstance(items, list) else None
        return _strings(texts_out, len(texts), self.name)


class ApertiumTranslator(_HttpTranslator):
    """Apertium APy: POST /translate form {q, langpair=spa|eng, markUnknown=no}, one text per request."""

    name: ClassVar[str] = "apertium"

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """Translate each text; pairs APy lacks are a final error."""
        if source not in _APERTIUM_CODES or target not in _APERTIUM_CODES:
            raise TranslationError(f"apertium: no pair {source}-{target}", retryable=False)
        langpair = f"{_APERTIUM_CODES[source]}|{_APERTIUM_CODES[target]}"
        out = []
        for text in texts:
            answer = await self._post("/translate", data={"q": text, "langpair": langpair, "markUnknown": "no"})
            data = answer.get("responseData") if isinstance(answer, dict) else None
            out.extend(_strings(data.get("translatedText") if isinstance(data, dict) else None, 1, self.name))
        return out


def cache_key(text: str, source: str, target: str, backend: str) -> str:
    """The cache key of one text: its SHA-256, the pair and the backend."""
    return f"{hashlib.sha256(text.encode()).hexdigest()}:{source}-{target}:{backend}"


class TranslationService:
    """Routes, caches, retries and breaks; `translate_story` never raises for an engine's failure."""

    def __init__(
        self,
        backends: Mapping[str, Translator],
        routes: Mapping[str, str],
        cache: MutableMapping[str, str],
        *,
        retries: int = 2,
        backoff: float = 0.5,
        breaker_factory: Callable[[], CircuitBreaker] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.backends = dict(backends)
        self.routes = dict(routes)
        self.cache = cache
        self.retries = retries
        self.backoff = backoff
        factory = breaker_factory or (lambda: CircuitBreaker(failures=5, reset_after=30.0))
        self.breakers = {name: factory() for name in self.backends}
        self.sleep = sleep
        self.cache_hits = 0
        self.cache_misses = 0

    def route(self, source: str, target: str) -> str | None:
        """The backend configured for source->target ("es-en", else "*-en"), if it exists."""
        name = self.routes.get(f"{source}-{target}") or self.routes.get(f"*-{target}")
        return name if name in self.backends else None

    async def translate_story(self, story: Story, source: str, target: str) -> Story:
        """`story` with `translations[target]` and `translation_status` set; never waits past the retries."""
        backend = self.route(source, target)
        if source in ("und", target) or backend is None:
            status: TranslationStatus = "not_needed" if source == target else "none"
            return story.model_copy(update={"translation_status": status})
        parts = {"headline": story.headline, "lede": story.lede, "body_text": story.body_text}
        done: dict[str, str] = {}
        try:
            for names in (("headline", "lede"), ("body_text",)):
                wanted = [name for name in names if parts[name].strip()]
                texts = await self._translate([parts[n] for n in wanted], source, target, backend)
                done.update(zip(wanted, texts, strict=True))
            status = "done"
        except TranslationError as exc:
            status = "pending" if exc.retryable else "failed"
        update: dict[str, Any] = {"translation_status": status}
        if done:
            translation = Translation(engine=backend, machine=True, **done)
            update["translations"] = {**story.translations, target: translation}
        return story.model_copy(update=update)

    def translate_story_sync(self, story: Story, source: str, target: str) -> Story:
        """`translate_story` for callers without an event loop (the CLI)."""
        return asyncio.run(self.translate_story(story, source, target))

    async def _translate(self, texts: list[str], source: str, target: str, backend: str) -> list[str]:
        keys = [cache_key(text, source, target, backend) for text in texts]
        missing = [i for i, key in enumerate(keys) if key not in self.cache]
        self.cache_hits += len(keys) - len(missing)
        self.cache_misses += len(missing)
        if missing:
            fresh = await self._call(backend, [texts[i] for i in missing], source, target)
            for i, text in zip(missing, fresh, strict=True):
                self.cache[keys[i]] = text
        return [self.cache[key] for key in keys]

    async def _call(self, backend: str, texts: list[str], source: str, target: str) -> list[str]:
        breaker = self.breakers[backend]
        attempt = 0
        while True:
            if not breaker.allow():
                raise TranslationError(f"{backend}: circuit open", retryable=True)
            try:
                result = await self.backends[backend].translate(texts, source, target)
            except TranslationError as exc:
                breaker.record_failure()
                if not exc.retryable or attempt >= self.retries:
                    raise
                await self.sleep(self.backoff * 2**attempt)
                attempt += 1
            else:
                breaker.record_success()
                return result


def translation_service(
    settings: EnrichSettings, cache: MutableMapping[str, str], client: httpx.AsyncClient | None = None
) -> TranslationService | None:
    """The service the settings describe, or None when no route is configured."""
    if not settings.routes:
        return None
    timeout = settings.translation_timeout_s
    backends: dict[str, Translator] = {
        "libretranslate": LibreTranslateTranslator(
            settings.libretranslate_url, api_key=settings.libretranslate_api_key, timeout=timeout, client=client
        ),
        "apertium": ApertiumTranslator(settings.apertium_url, timeout=timeout, client=client),
    }
    if settings.deepl_auth_key:
        backends["deepl"] = DeepLTranslator(
            settings.deepl_url, auth_key=settings.deepl_auth_key, timeout=timeout, client=client
        )
    unknown = sorted(set(settings.routes.values()) - set(backends))
    if unknown:
        raise InvalidInput(f"translation routes name unknown or unconfigured backends: {unknown}", code="bad_setting")
    return TranslationService(
        backends,
        settings.routes,
        cache,
        retries=settings.translation_retries,
        backoff=settings.translation_backoff_s,
        breaker_factory=lambda: CircuitBreaker(
            failures=settings.breaker_failures, reset_after=settings.breaker_reset_s
        ),
    )
