"""Expiry without iterating a store: each store keeps, under `~expiry:<bucket>` keys, what to drop when.

Faust tables cannot be scanned cheaply, so every record is listed in the bucket of its expiry time
when it is written, and `expire` walks the buckets that have closed since the last call (the cursor
lives in the first store). A record rewritten later carries a later expiry time and is listed again,
so removal checks the record's own `x` before dropping it.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

__all__ = ["ExpiryLedger"]

_CURSOR = "~expiry:cursor"
_CHUNK = 512


class ExpiryLedger:
    """Schedules keys of several stores for removal and removes them once their time has passed.

    Records are dicts with an `x` field (expiry, epoch seconds) or lists of `[member, x]` pairs
    (bounded buckets, where each member expires on its own).
    """

    def __init__(self, stores: Mapping[str, MutableMapping[str, Any]], *, bucket_seconds: int) -> None:
        self._stores = stores
        self._cursor_store = next(iter(stores.values()))
        self._bucket_seconds = bucket_seconds

    def schedule(self, store: str, keys: Sequence[str], expires_at: float, now: float) -> None:
        """List `keys` of `store` for removal at `expires_at` (never in a bucket already walked)."""
        bucket = max(int(expires_at // self._bucket_seconds), self._cursor(now) + 1)
        target = self._stores[store]
        # A bucket's list is cut into chunks so that appending stays cheap: a table rewrites a whole
        # value on every change.
        last_chunk: int = target.get(f"~expiry:{bucket}", 0)
        chunk_key = f"~expiry:{bucket}:{last_chunk}"
        listed: list[str] = target.get(chunk_key, [])
        if listed and len(listed) + len(keys) > _CHUNK:
            last_chunk += 1
            target[f"~expiry:{bucket}"] = last_chunk
            chunk_key, listed = f"~expiry:{bucket}:{last_chunk}", []
        target[chunk_key] = [*listed, *keys]

    def expire(self, now: float) -> int:
        """Drop every record whose time has passed in the buckets closed by `now`; how many were dropped."""
        last_closed = int(now // self._bucket_seconds) - 1
        cursor = self._cursor(now)
        removed = 0
        for bucket in range(cursor + 1, last_closed + 1):
            for store in self._stores.values():
                last_chunk = store.pop(f"~expiry:{bucket}", 0)
                for chunk in range(last_chunk + 1):
                    listed = store.pop(f"~expiry:{bucket}:{chunk}", None) or []
                    removed += sum(_drop_expired(store, key, now) for key in dict.fromkeys(listed))
        if last_closed > cursor:
            self._cursor_store[_CURSOR] = last_closed
        return removed

    def _cursor(self, now: float) -> int:
        cursor = self._cursor_store.get(_CURSOR)
        if cursor is None:
            cursor = int(now // self._bucket_seconds) - 1
            self._cursor_store[_CURSOR] = cursor
        return int(cursor)


def _drop_expired(store: MutableMapping[str, Any], key: str, now: float) -> int:
    value = store.get(key)
    if isinstance(value, dict):
        if value["x"] > now:
            return 0
        del store[key]
        return 1
    if isinstance(value, list):
        kept = [member for member in value if member[1] > now]
        if not kept:
            del store[key]
        elif len(kept) < len(value):
            store[key] = kept
        return len(value) - len(kept)
    return 0
