"""A translation cache that survives restarts: one sqlite3 file under the stage's state dir, bounded LRU.

Translations cost an engine call (and DeepL characters); a restarted worker that forgot them would pay
again for every correction and repeat of a story it has already seen. sqlite3 is in the stdlib and one
worker owns the file, so there is no server and no locking to speak of. Recency is a counter, not a
clock, so a changed system time cannot reorder it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, MutableMapping
from pathlib import Path

__all__ = ["SqliteCache"]


class SqliteCache(MutableMapping[str, str]):
    """str -> str, at most `max_entries`; past that the least recently used tenth is dropped at once."""

    def __init__(self, path: Path, *, max_entries: int = 100_000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: each translation is written once and must outlive a crash right after it.
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, used INTEGER)")
        self.db.execute("CREATE INDEX IF NOT EXISTS cache_used ON cache (used)")
        self.max_entries = max_entries
        self.tick: int = self.db.execute("SELECT coalesce(max(used), 0) FROM cache").fetchone()[0]
        self.count: int = self.db.execute("SELECT count(*) FROM cache").fetchone()[0]

    def _next(self) -> int:
        self.tick += 1
        return self.tick

    def __getitem__(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        self.db.execute("UPDATE cache SET used = ? WHERE key = ?", (self._next(), key))
        value: str = row[0]
        return value

    def __contains__(self, key: object) -> bool:
        # Membership must not count as a use, or checking a batch would reorder it.
        return self.db.execute("SELECT 1 FROM cache WHERE key = ?", (key,)).fetchone() is not None

    def __setitem__(self, key: str, value: str) -> None:
        new = key not in self
        self.db.execute(
            "INSERT INTO cache (key, value, used) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, used = excluded.used",
            (key, value, self._next()),
        )
        if not new:
            return
        self.count += 1
        if self.count > self.max_entries:
            drop = max(1, self.max_entries // 10)
            self.db.execute(
                "DELETE FROM cache WHERE key IN (SELECT key FROM cache ORDER BY used LIMIT ?)",
                (self.count - self.max_entries + drop,),
            )
            self.count = self.db.execute("SELECT count(*) FROM cache").fetchone()[0]

    def __delitem__(self, key: str) -> None:
        if self.db.execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 0:
            raise KeyError(key)
        self.count -= 1

    def __iter__(self) -> Iterator[str]:
        return iter([row[0] for row in self.db.execute("SELECT key FROM cache ORDER BY used")])

    def __len__(self) -> int:
        return self.count

    def close(self) -> None:
        """Close the file; the cache is unusable afterwards."""
        self.db.close()
