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
import ctypes
import errno
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from services.ingest.feeds import FeedConfig
from services.ingest.ports import FeedStats, PublishFn, poll_forever, send_in_flight
from shared.models import RawEnvelope

__all__ = ["TEMPORARY_SUFFIXES", "SpoolConnector", "is_temporary_name"]

log = logging.getLogger(__name__)

TEMPORARY_SUFFIXES = (".tmp", ".part", ".filepart", ".partial", ".crdownload", "~")
_WORK_DIRS = ("processing", "archive", "failed")


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
        with os.scandir(self.processing) as entries:
            left = sorted((entry.path, os.path.join(self.root, entry.name)) for entry in entries if entry.is_file())
        return await self._publish_all(left)

    def _stable_files(self) -> list[str]:
        """Names of the files whose size and mtime did not change since the previous scan, sorted."""
        ready: list[str] = []
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
                    ready.append(entry.name)
        self._seen = current
        return sorted(ready)

    async def scan_once(self) -> int:
        """One pass: claim every stable file, then publish them; returns how many were published."""
        claimed = [pair for name in self._stable_files() if (pair := self._claim(name)) is not None]
        return await self._publish_all(claimed)

    # Paths are plain strings from here on: a file costs a few system calls, and pathlib's objects cost
    # about as much again (profiled), which the spool's goal of 5,000 files/s cannot afford.

    def _claim(self, name: str) -> tuple[str, str] | None:
        """Move `name` into processing/; (claimed path, original path), or None when it cannot be had."""
        source = os.path.join(self.root, name)
        try:
            claimed = _move(source, str(self.processing), name)
        except FileNotFoundError:
            self.stats.error("vanished")  # taken by another reader or deleted by its writer
            return None
        except OSError as exc:
            self.stats.error("claim_failed")
            log.warning("spool %s: cannot claim %s: %s", self.feed.name, name, exc.strerror)
            return None
        self._seen.pop(name, None)
        return claimed, source

    async def _publish_all(self, files: list[tuple[str, str]]) -> int:
        """Publish claimed files, many in flight (`send_in_flight`); how many were published.

        Each file is archived only after its own ack; a file whose publish failed stays in processing/
        for the next pass (the first failure is raised).
        """
        return sum(await send_in_flight(files, self._publish_claimed))

    async def _publish_claimed(self, file: tuple[str, str]) -> bool:
        claimed, source = file
        try:
            payload = _read_at_most(claimed, self.max_bytes)
        except OSError as exc:
            self._fail(claimed, f"cannot read: {exc.strerror or exc}")
            return False
        except _TooBig as exc:
            self._fail(claimed, f"file is {exc.size} bytes; limit is {self.max_bytes}")
            return False
        envelope = RawEnvelope.wrap(
            payload,
            feed=self.feed.name,
            agency=self.feed.agency,
            source_ref=source,
            format_hint=self.feed.format_hint,
        )
        await self.publish(envelope)  # raises when Kafka did not ack: the file stays in processing/
        self.stats.published(envelope)
        _move(claimed, str(self.archive), os.path.basename(claimed))
        return True

    def _fail(self, claimed: str, reason: str) -> None:
        self.stats.error("unreadable")
        name = os.path.basename(claimed)
        log.warning("spool %s: %s: %s", self.feed.name, name, reason)
        try:
            target = _move(claimed, str(self.failed), name)
        except FileNotFoundError:
            target = os.path.join(self.failed, name)  # vanished: the reason file still tells what happened
        Path(target + ".reason").write_text(reason + "\n", encoding="utf-8")

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


class _TooBig(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def _read_at_most(path: str, limit: int) -> bytes:
    """The file's bytes; `_TooBig` when it holds more than `limit`.

    os.open/fstat/read rather than open().read(): no buffered reader and no buffer of `limit` bytes made
    for a file of a few KiB (that allocation alone took longer than the read).
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise _TooBig(size)
        payload = os.read(fd, size + 1)  # fewer than size + 1 bytes: the end of the file was reached
        while len(payload) > size and len(payload) <= limit and (more := os.read(fd, 65536)):
            payload += more  # it grew since the fstat
        if len(payload) > limit:
            raise _TooBig(len(payload))
        return payload
    finally:
        os.close(fd)


def _move(source: str, folder: str, name: str) -> str:
    """Rename `source` to `folder/name`, or `folder/name~N` when that is taken; the path it got.

    Never replaces a file: an agency that sends the same file name twice keeps both in archive/.
    """
    counter = 0
    while True:
        target = os.path.join(folder, f"{name}~{counter}" if counter else name)
        if _rename_no_replace(source, target):
            return target
        counter += 1


def _load_renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # not Linux, or a C library older than glibc 2.28
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return cast(Callable[[int, bytes, int, bytes, int], int], function)


_RENAMEAT2 = _load_renameat2()
_AT_FDCWD, _RENAME_NOREPLACE = -100, 1


def _rename_no_replace(source: str, target: str) -> bool:
    """Rename unless `target` exists (False then).

    Linux's renameat2(RENAME_NOREPLACE) checks and renames in one atomic system call; elsewhere (or on a
    file system without it) a check then a rename, which a concurrent writer of `target` could race.
    Two calls per move were a tenth of the spool's time per file (profiled).
    """
    if _RENAMEAT2 is not None:
        if _RENAMEAT2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_NOREPLACE) == 0:
            return True
        code = ctypes.get_errno()
        if code == errno.EEXIST:
            return False
        if code not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(code, os.strerror(code), source)
    if os.path.exists(target):
        return False
    os.rename(source, target)
    return True
