from __future__ import annotations

import asyncio

from services.enrich.late import LateTranslations
from services.enrich.translate import TranslationError, TranslationService
from shared.models import Story

SPANISH = Story(
    id="efe:1",
    agency="efe",
    agency_id="1",
    format="ninjs",
    language="es",
    version=3,
    headline="Huelga en el puerto",
    body_text="Los estibadores paran hoy.\n\nEl puerto cierra.",
)


class Engine:
    def __init__(self, *, fail: bool = False, gate: asyncio.Event | None = None) -> None:
        self.fail = fail
        self.gate = gate
        self.calls = 0

    async def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise TranslationError("down", retryable=True)
        return [f"EN[{t}]" for t in texts]


def late(engine: Engine, emitted: list[Story], outcomes: list[str], **kwargs: int) -> LateTranslations:
    service = TranslationService({"fake": engine}, {"es-en": "fake"}, {}, retries=0)

    async def emit(story: Story) -> None:
        emitted.append(story)

    return LateTranslations(
        service,
        emit,
        target="en",
        on_outcome=lambda backend, outcome: outcomes.append(f"{backend}:{outcome}"),
        **kwargs,
    )


async def test_story_is_pending_at_once_and_re_emitted_translated_with_same_id_and_version() -> None:
    emitted: list[Story] = []
    outcomes: list[str] = []
    worker = late(Engine(), emitted, outcomes)
    now, sent = worker.submit(SPANISH, "es")
    assert now.translation_status == "pending" and now.translations == {}
    await asyncio.sleep(0.05)
    assert emitted == []  # the revision waits until the pending story has been sent
    sent.set()
    await asyncio.wait_for(worker.drain(), 5)
    await worker.stop()
    [done] = emitted
    assert (done.id, done.version, done.translation_status) == ("efe:1", 3, "done")
    english = done.translations["en"]
    assert english.engine == "fake" and english.machine is True
    assert english.headline == "EN[Huelga en el puerto]" and english.lede == "EN[Los estibadores paran hoy.]"
    assert (worker.service.cache_hits, worker.service.cache_misses) == (0, 3)
    assert outcomes == ["fake:done"]


async def test_full_queue_fails_at_once_and_a_down_engine_ends_failed() -> None:
    emitted: list[Story] = []
    outcomes: list[str] = []
    gate = asyncio.Event()
    worker = late(Engine(fail=True, gate=gate), emitted, outcomes, queue_size=1, concurrency=1)
    submitted = [worker.submit(SPANISH, "es")]
    await asyncio.sleep(0.01)  # the worker takes the first story and waits on the engine
    submitted += [worker.submit(SPANISH, "es"), worker.submit(SPANISH, "es")]
    assert [story.translation_status for story, _ in submitted] == ["pending", "pending", "failed"]
    for _, sent in submitted:
        sent.set()
    gate.set()
    await asyncio.wait_for(worker.drain(), 5)
    await worker.stop()
    assert [s.translation_status for s in emitted] == ["failed", "failed"]
    assert outcomes == ["fake:queue_full", "fake:failed", "fake:failed"]


async def test_no_route_or_same_language_leaves_the_story_alone() -> None:
    worker = late(Engine(), [], [])
    assert worker.submit(SPANISH, "ru")[0] is SPANISH
    assert worker.submit(SPANISH, "en")[0] is SPANISH
    assert worker.submit(SPANISH, "und")[0] is SPANISH
    assert worker.queue.qsize() == 0


async def test_open_breaker_fails_at_once_without_queueing() -> None:
    outcomes: list[str] = []
    worker = late(Engine(), [], outcomes)
    breaker = worker.service.breakers["fake"]
    for _ in range(5):
        breaker.record_failure()
    story, _ = worker.submit(SPANISH, "es")
    assert story.translation_status == "failed" and worker.queue.qsize() == 0
    assert outcomes == ["fake:breaker_open"]
