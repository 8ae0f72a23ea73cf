"""When derived and durable entries fall out of the window: a time-ordered queue kept in memory.

It is rebuilt with the index after every restart or rebalance, so it costs no durable write. An entry
only says when to look again: the owner checks the entry's current state before dropping anything,
because a record rewritten since carries a later time and has been queued again.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Literal

__all__ = ["ExpiryQueue", "Kind"]

Kind = Literal["record", "copy", "bands"]


class ExpiryQueue:
    """(time, kind, key) entries, handed back once their time has passed."""

    def __init__(self) -> None:
        self._entries: list[tuple[float, Kind, str]] = []

    def __len__(self) -> int:
        return len(self._entries)

    def schedule(self, at: float, kind: Kind, key: str) -> None:
        """Hand `(kind, key)` back from `due` once `at` (epoch seconds) has passed."""
        heapq.heappush(self._entries, (at, kind, key))

    def due(self, now: float) -> Iterator[tuple[Kind, str]]:
        """Pop and yield every entry whose time is at or before `now`, earliest first."""
        entries = self._entries
        while entries and entries[0][0] <= now:
            _, kind, key = heapq.heappop(entries)
            yield kind, key

    def clear(self) -> None:
        """Forget every entry (before a rebuild)."""
        self._entries.clear()
