"""Runs the simulator: emits planned items at a rate onto its channels and writes the ground truth."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import orjson

from services.simulator.plan import Planner, SimItem
from services.simulator.server import SimState

__all__ = ["Simulator"]

_SPOOL_EXTENSIONS = {"anpa1312": "anpa", "iptc7901": "txt"}


class Simulator:
    """The planner, the served state, the spool writer and the truth log, driven together."""

    def __init__(
        self,
        seed: int,
        *,
        state: SimState | None = None,
        spool: Path | None = None,
        truth: Path | None = None,
        base_url: str = "http://127.0.0.1:8900",
        start: datetime | None = None,
        channels: Iterable[str] | None = None,
    ) -> None:
        self.planner = Planner(seed, start=start or datetime(2026, 3, 5, 9, 0, tzinfo=UTC), base_url=base_url)
        # Items of other channels are planned (so a channel's items do not depend on the filter) but never sent.
        only = frozenset(channels) if channels is not None else None
        self.stream = (item for item in self.planner.items() if only is None or item.filer.channel in only)
        self.state = state or SimState()
        self.spool = spool
        self.truth_path = truth
        self._truth: IO[bytes] | None = None
        self.sent = 0
        if spool is not None:
            spool.mkdir(parents=True, exist_ok=True)
        if truth is not None:
            truth.parent.mkdir(parents=True, exist_ok=True)
            self._truth = truth.open("ab")

    def emit(self, count: int = 1) -> list[SimItem]:
        """Send the next `count` items now."""
        items = [next(self.stream) for _ in range(count)]
        for item in items:
            self.sent += 1
            if item.filer.channel == "spool":
                if self.spool is None:
                    continue  # no spool configured: spool items are neither written nor logged
                self._write_spool(item)
            else:
                self.state.add(item)
            if self._truth is not None:
                self._truth.write(orjson.dumps(item.truth()) + b"\n")
        if self._truth is not None:
            self._truth.flush()
        return items

    def _write_spool(self, item: SimItem) -> None:
        assert self.spool is not None
        name = f"{item.filer.agency}-{self.sent:07d}.{_SPOOL_EXTENSIONS.get(item.filer.format, 'dat')}"
        temporary = self.spool / (name + ".tmp")
        temporary.write_bytes(item.payload)
        os.replace(temporary, self.spool / name)  # readers never see a half-written file

    async def run(self, rate: float, *, duration: float | None = None, stop: asyncio.Event | None = None) -> None:
        """Emit `rate` items per second until `duration` seconds passed or `stop` is set."""
        loop = asyncio.get_running_loop()
        began, sent_before = loop.time(), self.sent  # a backlog emitted before does not count against the rate
        stop = stop or asyncio.Event()
        while not stop.is_set():
            elapsed = loop.time() - began
            if duration is not None and elapsed >= duration:
                break
            due = int(elapsed * rate) + 1 - (self.sent - sent_before)
            if due > 0:
                self.emit(due)
            await asyncio.sleep(min(0.1, 1 / rate))

    def close(self) -> None:
        """Close the truth log."""
        if self._truth is not None:
            self._truth.close()
