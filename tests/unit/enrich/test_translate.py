from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from services.enrich.breaker import CircuitBreaker
from services.enrich.config import EnrichSettings
from services.enrich.translate import (
    ApertiumTranslator,
    DeepLTranslator,
    LibreTranslateTranslator,
    TranslationError,
    TranslationService,
    translation_service,
)
from shared.errors import InvalidInput
from shared.models import Story

STORY = Story(
    id="efe:1",
    agency="efe",
    agency_id="1",
    format="t",
    headline="Huelga en el puerto",
    body_text="Los estibadores paran.\n\nEl Gobierno pide diálogo.",
)


class StandIn:
    """A 127.0.0.1 server speaking LibreTranslate, DeepL and APy shapes; `plan` scripts status codes."""

    def __init__(self) -> None:
        self.plan: list[int] = []
        self.requests: list[dict[str, Any]] = []
        self.hang = False

    async def _status(self) -> int:
        if self.hang:
            await asyncio.sleep(1.5)
        return self.plan.pop(0) if self.plan else 200

    async def libre(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        status = await self._status()
        if status != 200:
            return web.json_response({"error": "no"}, status=status)
        return web.json_response({"translatedText": [f"EN<{q}>" for q in body["q"]]})

    async def deepl(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({**body, "auth": request.headers.get("Authorization")})
        status = await self._status()
        if status != 200:
            return web.json_response({"message": "no"}, status=status)
        return web.json_response(
            {"translations": [{"detected_source_language": "ES", "text": f"EN<{t}>"} for t in body["text"]]}
        )

    async def apertium(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.requests.append(dict(form))
        status = await self._status()
        text = f"EN<{form['q']}>"
        return web.json_response({"responseData": {"translatedText": text}, "responseStatus": 200}, status=status)


@pytest.fixture
async def server() -> AsyncIterator[tuple[StandIn, str]]:
    stand_in = StandIn()
    app = web.Application()
    app.router.add_post("/translate", stand_in.libre)
    app.router.add_post("/v2/translate", stand_in.deepl)
    app.router.add_post("/apy/translate", stand_in.apertium)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield stand_in, f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def no_sleep(_: float) -> None:
    return None


def service(backend: Any, **kw: Any) -> TranslationService:
    return TranslationService({backend.name: backend}, {"*-en": backend.name}, {}, sleep=no_sleep, **kw)


async def test_libretranslate_headline_lede_then_body(server: tuple[StandIn, str]) -> None:
    stand_in, url = server
    out = await service(LibreTranslateTranslator(url, api_key="k", timeout=2)).translate_story(STORY, "es", "en")
    assert out.translation_status == "done"
    translation = out.translations["en"]
    assert (translation.headline, translation.lede, translation.engine) == (
        "EN<Huelga en el puerto>",
        "EN<Los estibadores paran.>",
        "libretranslate",
    )
    assert translation.body_text == f"EN<{STORY.body_text}>"
    assert stand_in.requests[0] == {
        "q": ["Huelga en el puerto", "Los estibadores paran."],
        "source": "es",
        "target": "en",
        "format": "text",
        "api_key": "k",
    }
    assert stand_in.requests[1]["q"] == [STORY.body_text]


async def test_deepl_shape_and_auth_header(server: tuple[StandIn, str]) -> None:
    stand_in, url = server
    out = await service(DeepLTranslator(url, auth_key="abc:fx", timeout=2)).translate_story(STORY, "es", "en")
    assert out.translations["en"].headline == "EN<Huelga en el puerto>"
    first = stand_in.requests[0]
    assert (first["auth"], first["source_lang"], first["target_lang"]) == ("DeepL-Auth-Key abc:fx", "ES", "EN-GB")


async def test_apertium_form_fields(server: tuple[StandIn, str]) -> None:
    stand_in, url = server
    out = await service(ApertiumTranslator(url + "/apy", timeout=2)).translate_story(STORY, "es", "en")
    assert out.translations["en"].lede == "EN<Los estibadores paran.>"
    assert stand_in.requests[0] == {"q": "Huelga en el puerto", "langpair": "spa|eng", "markUnknown": "no"}
    with pytest.raises(TranslationError, match="no pair ru-en"):
        await ApertiumTranslator(url, timeout=1).translate(["x"], "ru", "en")


async def test_429_and_5xx_are_retried_with_exponential_backoff(server: tuple[StandIn, str]) -> None:
    stand_in, url = server
    stand_in.plan = [429, 503]
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    translator = LibreTranslateTranslator(url, timeout=2)
    svc = TranslationService({"libretranslate": translator}, {"es-en": "libretranslate"}, {}, backoff=0.5, sleep=sleep)
    out = await svc.translate_story(STORY, "es", "en")
    assert out.translation_status == "done"
    assert delays == [0.5, 1.0]


async def test_retries_exhausted_is_pending_and_refusal_is_failed(server: tuple[StandIn, str]) -> None:
    stand_in, url = server
    stand_in.plan = [500, 500, 500]
    out = await service(LibreTranslateTranslator(url, timeout=2), retries=2).translate_story(STORY, "es", "en")
    assert (out.translation_status, out.translations) == ("pending", {})
    stand_in.plan = [456]
    out = await service(DeepLTranslator(url, auth_key="k", timeout=2)).translate_story(STORY, "es", "en")
    assert out.translation_status == "failed"


async def test_hanging_server_times_out_and_story_goes_on(server: tuple[StandIn, str]) -> None:
    stand_in, url = server
    stand_in.hang = True
    started = asyncio.get_running_loop().time()
    out = await service(LibreTranslateTranslator(url, timeout=0.2), retries=1).translate_story(STORY, "es", "en")
    assert out.translation_status == "pending"
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_open_breaker_skips_the_engine_and_cache_avoids_requests(server: tuple[StandIn, str]) -> None:
    stand_in, url = server
    svc = service(
        LibreTranslateTranslator(url, timeout=2),
        retries=0,
        breaker_factory=lambda: CircuitBreaker(failures=1, reset_after=60),
    )
    stand_in.plan = [500]
    assert (await svc.translate_story(STORY, "es", "en")).translation_status == "pending"
    sent = len(stand_in.requests)
    assert (await svc.translate_story(STORY, "es", "en")).translation_status == "pending"
    assert len(stand_in.requests) == sent  # breaker open: nothing sent

    fresh = service(LibreTranslateTranslator(url, timeout=2))
    await fresh.translate_story(STORY, "es", "en")
    sent = len(stand_in.requests)
    again = await fresh.translate_story(STORY, "es", "en")
    assert again.translation_status == "done" and len(stand_in.requests) == sent


def test_unrouted_or_same_language_is_not_translated() -> None:
    svc = TranslationService({}, {}, {})
    assert svc.translate_story_sync(STORY, "es", "en").translation_status == "none"
    assert svc.translate_story_sync(STORY, "en", "en").translation_status == "not_needed"


def test_service_from_settings_routes_pairs() -> None:
    settings = EnrichSettings(translation_routes="es-en=apertium,*-en=libretranslate")
    svc = translation_service(settings, {})
    assert svc is not None and svc.route("es", "en") == "apertium" and svc.route("fr", "en") == "libretranslate"
    assert translation_service(EnrichSettings(), {}) is None
    with pytest.raises(InvalidInput, match="deepl"):
        translation_service(EnrichSettings(translation_routes="*-en=deepl"), {})
