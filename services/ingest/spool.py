"""A spool-directory connector: files dropped into a folder become raw envelopes.

Life of a file (all moves are renames inside the watched folder, so they are atomic):

    <dir>/story.txt  --(size and mtime equal on two scans)-->  <dir>/processing/story.txt
                     --(publish returned)-->                   <dir>/archive/story.txt
                     --(cannot be read)-->                     <dir>/failed/story.txt + story.txt.reason

Names that writers use while a file is incomplete (``*.tmp``, ``*.part``, ``*.filepart``, ``.hidden``)
are never picked up. A multi-story file is one envelope; parse splits it.

A crash between the claim and the archive leaves the file in processing/; `recover()` (run at start)
publishes it again. The envelope's raw_id is the feed plus the SHA-256 of the bytes, so the repeat has
the same Kafka key and raw_id and the dedup stage drops it: at-least-once, never lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from services.ingest.feeds import FeedConfig
from services.ingest.ports import FeedStats, PublishFn, poll_forever
from shared.models import RawEnvelope

__all__ = ["TEMPORARY_SUFFIXES", "SpoolConnector", "is_temporary_name"]

log = logging.getLogger(__name__)

TEMPORARY_SUFFIXES = (".tmp", ".part", ".filepart", ".partial", ".crdownload", "~")
_WORK_DIRS = ("processing", "archive", "failed")
_IN_FLIGHT = 256


def is_temporary_name(name: str) -> bool:
    """Whether a writer is presumably still writing the file called `name`."""
    return name.startswith(".") or name.lower().endswith(TEMPORARY_SUFFIXES) or name.endswith(".reason")


@dataclass(frozen=True, slots=True)
class _Seen:
    size: int
    mtime_ns: int


class SpoolConnector:
    """Publishes every complete file of `feed.directory`, once per scan, oldest name first."""

    def __init__(self, feed: FeedConfig, publish: PublishFn, *, max_bytes: int = 64 * 1024 * 1024) -> None:
        if feed.directory is None:
            raise ValueError(f"feed {feed.name}: spool connector needs a directory")
        self.feed = feed
        self.publish = publish
        self.max_bytes = max_bytes
        self.stats = FeedStats(feed.name)
        self.root = feed.directory
        self.processing, self.archive, self.failed = (self.root / sub for sub in _WORK_DIRS)
        self._seen: dict[str, _Seen] = {}

    def prepare(self) -> None:
        """Create the folder and its work folders."""
        for folder in (self.root, self.processing, self.archive, self.failed):
            folder.mkdir(parents=True, exist_ok=True)

    async def recover(self) -> int:
        """Publish again what a crash left in processing/ (see the module docstring); returns the count."""
        self.prepare()
        left = [(path, self.root / path.name) for path in sorted(self.processing.iterdir()) if path.is_file()]
        return await self._publish_all(left)

    def _stable_files(self) -> list[Path]:
        """Files whose size and mtime did not change since the previous scan."""
        ready: list[Path] = []
        current: dict[str, _Seen] = {}
        with os.scandir(self.root) as entries:
            for entry in entries:
                if is_temporary_name(entry.name) or not entry.is_file(follow_symlinks=False):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                seen = _Seen(info.st_size, info.st_mtime_ns)
                current[entry.name] = seen
                if self._seen.get(entry.name) == seen:
                    ready.append(Path(entry.path))
        self._seen = current
        return sorted(ready)

    async def scan_once(self) -> int:
        """One pass: claim every stable file, then publish them; returns how many were published."""
        claimed = [pair for path in self._stable_files() if (pair := self._claim(path)) is not None]
        return await self._publish_all(claimed)

    def _claim(self, path: Path) -> tuple[Path, Path] | None:
        """Move `path` into processing/; (claimed path, original path), or None when it cannot be had."""
        claimed = _free_path(self.processing, path.name)
        try:
            path.rename(claimed)
        except FileNotFoundError:
            self.stats.error("vanished")  # taken by another reader or deleted by its writer
            return None
        except OSError as exc:
            self.stats.error("claim_failed")
            log.warning("spool %s: cannot claim %s: %s", self.feed.name, path.name, exc.strerror)
            return None
        self._seen.pop(path.name, None)
        return claimed, path

    async def _publish_all(self, files: list[tuple[Path, Path]]) -> int:
        """Publish claimed files, up to `_IN_FLIGHT` at once; how many were published.

        Awaiting each ack before the next send would cost a broker round trip per file; sends in flight
        together share produce requests. Each file is still archived only after its own ack, and a file
        whose publish failed stays in processing/ for the next pass (the first failure is raised).
        """
        count = 0
        for start in range(0, len(files), _IN_FLIGHT):
            chunk = files[start : start + _IN_FLIGHT]
            results = await asyncio.gather(
                *(self._publish_claimed(claimed, source=source) for claimed, source in chunk), return_exceptions=True
            )
            count += sum(result is True for result in results)
            failures = [result for result in results if isinstance(result, BaseException)]
            if failures:
                raise failures[0]
        return count

    async def _publish_claimed(self, claimed: Path, *, source: Path) -> bool:
        try:
            size = claimed.stat().st_size
            if size > self.max_bytes:
                self._fail(claimed, f"file is {size} bytes; limit is {self.max_bytes}")
                return False
            payload = claimed.read_bytes()
        except OSError as exc:
            self._fail(claimed, f"cannot read: {exc.strerror or exc}")
            return False
        envelope = RawEnvelope.wrap(
            payload,
            feed=self.feed.name,
            agency=self.feed.agency,
            source_ref=str(source),
            format_hint=self.feed.format_hint,
        )
        await self.publish(envelope)  # raises when Kafka did not ack: the file stays in processing/
        self.stats.published(envelope)
        claimed.rename(_free_path(self.archive, claimed.name))
        return True

    def _fail(self, claimed: Path, reason: str) -> None:
        self.stats.error("unreadable")
        log.warning("spool %s: %s: %s", self.feed.name, claimed.name, reason)
        target = _free_path(self.failed, claimed.name)
        try:
            claimed.rename(target)
        except FileNotFoundError:
            target = self.failed / claimed.name  # vanished: the reason file still tells what happened
        target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")

    async def poll_once(self) -> int:
        """Publish what processing/ holds (left by a crash or a failed publish), then scan once.

        A pass that ends without raising counts as a successful fetch even when the folder was empty:
        the last-success metric must tell "quiet spool" apart from "spool the service cannot serve".
        """
        started = time.perf_counter()
        count = await self.recover() + await self.scan_once()
        self.stats.fetched(started)
        return count

    async def run(self, stop: asyncio.Event) -> None:
        """Scan every `poll_interval` seconds until `stop`.

        Always waiting between scans matters: a file is "stable" only when two scans a poll interval
        apart saw the same size and mtime, so back-to-back scans would let a slow writer's file through.
        """
        await poll_forever(self.poll_once, stop, self.feed.poll_interval, self.stats, busy_wait=True)


def _free_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/name~N` when a file of that name is already there."""
    candidate = folder / name
    counter = 1
    while candidate.exists():
        candidate = folder / f"{name}~{counter}"
        counter += 1
    return candidate
