"""Late translations: the story goes downstream at once, its translation follows as a revision.

The shell must not await an engine per message, so `submit` only queues the story (bounded: a full
queue marks it "failed" rather than growing without limit) and a few worker tasks translate and hand
the SAME story (same id and version) with `translations` filled to `emit`. A crash between the two
loses the queued translations; the pending story is already downstream and stays untranslated (the
desk can ask again with `wiredesk enrich --translate`), which is accepted rather than replaying input.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.enrich.translate import TranslationService
from shared.models import Story

__all__ = ["LateTranslations"]

Emit = Callable[[Story], Awaitable[None]]
Outcome = Callable[[str, str], None]


class LateTranslations:
    """A bounded queue of stories awaiting translation and `concurrency` workers draining it."""

    def __init__(
        self,
        service: TranslationService,
        emit: Emit,
        *,
        target: str,
        queue_size: int = 1000,
        concurrency: int = 4,
        on_outcome: Outcome = lambda backend, outcome: None,
    ) -> None:
        self.service = service
        self.emit = emit
        self.target = target
        self.concurrency = concurrency
        self.on_outcome = on_outcome
        self.queue: asyncio.Queue[tuple[Story, str, str, asyncio.Event]] = asyncio.Queue(maxsize=queue_size)
        self._workers: list[asyncio.Task[None]] = []

    def submit(self, story: Story, source: str) -> tuple[Story, asyncio.Event]:
        """The story to emit now, and an event to set once it is sent.

        The story is 'pending' when queued, 'failed' when the queue is full, else as it was. The
        translation waits for the event, so the revision never overtakes the original on the topic.
        """
        sent = asyncio.Event()
        backend = self.service.route(source, self.target)
        if source in ("und", self.target) or backend is None:
            return story, sent
        if self.service.breakers[backend].state == "open":
            # The engine is known to be down: waiting for it would only leave the story pending.
            self.on_outcome(backend, "breaker_open")
            return story.model_copy(update={"translation_status": "failed"}), sent
        try:
            self.queue.put_nowait((story, source, backend, sent))
        except asyncio.QueueFull:
            self.on_outcome(backend, "queue_full")
            return story.model_copy(update={"translation_status": "failed"}), sent
        self._start()
        return story.model_copy(update={"translation_status": "pending"}), sent

    def _start(self) -> None:
        # Workers need the running loop, which exists only once the first message arrives.
        if not self._workers:
            self._workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]

    async def _work(self) -> None:
        while True:
            story, source, backend, sent = await self.queue.get()
            try:
                translated = await self.service.translate_story(story, source, self.target)
                if translated.translation_status != "done":
                    # Retries are spent: say so downstream instead of leaving the story pending for ever.
                    translated = translated.model_copy(update={"translation_status": "failed"})
                self.on_outcome(backend, translated.translation_status)
                await sent.wait()
                await self.emit(translated)
            except Exception:  # one bad send must not stop the worker for every later story
                self.on_outcome(backend, "error")
            finally:
                self.queue.task_done()

    async def drain(self) -> None:
        """Wait until every queued story has been translated and emitted."""
        await self.queue.join()

    async def stop(self) -> None:
        """Cancel the workers (queued stories are dropped, as on a crash)."""
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
