"""A spool-directory connector: files dropped into a folder become raw envelopes.

Life of a file (all moves are renames inside the watched folder, so they are atomic):

    <dir>/story.txt  --(size and mtime equal on two scans)-->  <dir>/processing/<chunk>/story.txt
                     --(every file of the chunk acknowledged)-> <dir>/archive/<chunk>/story.txt
                     --(cannot be read)-->                     <dir>/failed/story.txt + story.txt.reason

Names that writers use while a file is incomplete (``*.tmp``, ``*.part``, ``*.filepart``, ``.hidden``)
are never picked up. A multi-story file is one envelope; parse splits it.

A pass claims the stable files in chunks (up to `CHUNK_FILES` files or `CHUNK_BYTES` of records, a bigger
file alone), each into a folder of its own named after the claim time, UTC (so archive/ sorts by arrival).
A chunk is one `publish_batch` call, and once all its files are acknowledged its folder moves to archive/
whole: one rename per chunk instead of one per file (a rename costs ~25 µs on the 2-core bench machine;
claim and archive renames were 40 % of the spool's time, profiled).

A crash between the claim and the archive leaves the chunk in processing/; `recover()` (at the start of
every pass) publishes it again, as it does a chunk whose publish failed. The envelope's raw_id is the feed
plus the SHA-256 of the bytes, so a repeat has the same Kafka key and raw_id and the dedup stage drops it:
at-least-once, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar, cast

from services.ingest.config import LARGEST_ITEM
from services.ingest.feeds import FeedConfig
from services.ingest.ports import FeedStats, PublishBatchFn, poll_forever, send_in_flight
from shared.kafka.producer import MAX_BATCH_BYTES
from shared.models import RawEnvelope

__all__ = ["CHUNK_BYTES", "CHUNK_FILES", "TEMPORARY_SUFFIXES", "SpoolConnector", "chunked", "is_temporary_name"]

log = logging.getLogger(__name__)

TEMPORARY_SUFFIXES = (".tmp", ".part", ".filepart", ".partial", ".crdownload", "~")
_WORK_DIRS = ("processing", "archive", "failed")

CHUNK_FILES = 512
"""Files per chunk at most: few enough that a crash repeats little."""
CHUNK_BYTES = MAX_BATCH_BYTES
"""Record bytes per chunk, so that a chunk is one record batch, one produce request: a chunk split over two
batches costs two broker round trips, the second for a handful of files. A file bigger than that is a chunk
of its own, so if Kafka refuses it, only it waits."""
_ENVELOPE_BYTES = 448
"""What an envelope adds to a file's base64 as a record, besides the file's path (field names, raw id, hash,
time, key, record header: ~390 measured)."""
_CHUNKS_IN_FLIGHT = 3
"""Chunks handled at once: one awaiting its ack while the next is read and queued behind it."""
_FILES_BETWEEN_YIELDS = 32
"""Files read between two returns to the event loop. Reading a chunk takes ~8 ms, and an ack arriving
meanwhile held the next produce request that long: a chunk cost a broker round trip plus its reading
instead of the longer of the two."""

T = TypeVar("T")


def is_temporary_name(name: str) -> bool:
    """Whether a writer is presumably still writing the file called `name`."""
    return name.startswith(".") or name.lower().endswith(TEMPORARY_SUFFIXES) or name.endswith(".reason")


@dataclass(frozen=True, slots=True)
class _Seen:
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Claimed files, all in `folder` (in processing/): (path, the path it was found at, size) each."""

    folder: str
    files: list[tuple[str, str, int]]


class SpoolConnector:
    """Publishes every complete file of `feed.directory`, once per scan, oldest name first."""

    def __init__(
        self,
        feed: FeedConfig,
        publish_batch: PublishBatchFn,
        *,
        max_bytes: int = LARGEST_ITEM,
        chunk_files: int = CHUNK_FILES,
    ) -> None:
        if feed.directory is None:
            raise ValueError(f"feed {feed.name}: spool connector needs a directory")
        self.feed = feed
        self.publish_batch = publish_batch
        self.max_bytes = max_bytes
        self.chunk_files = chunk_files
        self.stats = FeedStats(feed.name)
        self.root = feed.directory
        self.processing, self.archive, self.failed = (self.root / sub for sub in _WORK_DIRS)
        self._seen: dict[str, _Seen] = {}
        self._reading = asyncio.Lock()

    def prepare(self) -> None:
        """Create the folder and its work folders."""
        for folder in (self.root, self.processing, self.archive, self.failed):
            folder.mkdir(parents=True, exist_ok=True)

    async def recover(self) -> int:
        """Publish again what a crash left in processing/ (see the module docstring); returns the count.

        Files straight in processing/ (left by a version that claimed file by file) are claimed into a
        chunk folder first.
        """
        self.prepare()
        chunks: list[_Chunk] = []
        loose: list[tuple[str, int]] = []
        with os.scandir(self.processing) as entries:
            for entry in sorted(entries, key=lambda entry: entry.name):
                try:
                    if entry.is_dir(follow_symlinks=False):
                        chunk = self._chunk_in(entry.path)
                        if chunk is not None:
                            chunks.append(chunk)
                    elif entry.is_file(follow_symlinks=False):
                        loose.append((entry.name, entry.stat(follow_symlinks=False).st_size))
                except FileNotFoundError:
                    continue
        chunks += self._claim_all(str(self.processing), loose)
        return await self._publish_all(chunks)

    def _stable_files(self) -> list[tuple[str, int]]:
        """(name, size) of the files whose size and mtime did not change since the previous scan, by name."""
        ready: list[tuple[str, int]] = []
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
                    ready.append((entry.name, info.st_size))
        self._seen = current
        return sorted(ready)

    async def scan_once(self) -> int:
        """One pass: claim every stable file, then publish them; returns how many were published."""
        return await self._publish_all(self._claim_all(str(self.root), self._stable_files()))

    # Paths are plain strings from here on: a file costs a few system calls, and pathlib's objects cost
    # about as much again (profiled), which the spool's goal of 5,000 files/s cannot afford.

    def _claim_all(self, folder: str, files: list[tuple[str, int]]) -> list[_Chunk]:
        """Move (name, size) `files` of `folder` into chunk folders in processing/; the chunks, in order."""
        path_bytes = len(os.fsencode(self.root)) + 1

        def record_size(file: tuple[str, int]) -> int:  # about: the file's base64, the envelope, the path
            return file[1] * 4 // 3 + _ENVELOPE_BYTES + path_bytes + len(file[0])

        parts = chunked(files, size=record_size, max_items=self.chunk_files)
        return [chunk for part in parts if (chunk := self._claim(folder, part)) is not None]

    def _claim(self, folder: str, files: list[tuple[str, int]]) -> _Chunk | None:
        """Move `files` of `folder` into a new chunk folder; None when none of them could be had."""
        target = self._new_chunk_folder()
        claimed: list[tuple[str, str, int]] = []
        for name, size in files:
            try:
                path = _move(os.path.join(folder, name), target, name)
            except FileNotFoundError:
                self.stats.error("vanished")  # taken by another reader or deleted by its writer
                continue
            except OSError as exc:
                self.stats.error("claim_failed")
                log.warning("spool %s: cannot claim %s: %s", self.feed.name, name, exc.strerror)
                continue
            self._seen.pop(name, None)
            claimed.append((path, os.path.join(self.root, name), size))
        if not claimed:
            _remove_folder(target)
            return None
        return _Chunk(target, claimed)

    def _chunk_in(self, folder: str) -> _Chunk | None:
        """The chunk a crash or a failed publish left in `folder`; None (and the folder removed) if empty."""
        files: list[tuple[str, str, int]] = []
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    size = entry.stat(follow_symlinks=False).st_size
                    files.append((entry.path, os.path.join(self.root, entry.name), size))
        if not files:
            _remove_folder(folder)
            return None
        return _Chunk(folder, sorted(files))

    def _new_chunk_folder(self) -> str:
        """A new empty folder in processing/, named after the time (UTC), with -N added when taken."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        counter = 0
        while True:
            path = os.path.join(self.processing, f"{stamp}-{counter}" if counter else stamp)
            try:
                os.mkdir(path)
                return path
            except FileExistsError:
                counter += 1

    async def _publish_all(self, chunks: list[_Chunk]) -> int:
        """Publish claimed chunks, a few in flight; how many files were published.

        A chunk is archived only after all its files were acknowledged; a chunk whose publish failed stays
        in processing/ for the next pass, and so do the chunks not yet started (the first failure is raised).
        """
        return sum(await send_in_flight(chunks, self._publish_chunk, limit=_CHUNKS_IN_FLIGHT))

    async def _publish_chunk(self, chunk: _Chunk) -> int:
        # One chunk read at a time, in order, and handed to publish_batch before the next is read: chunks
        # are written to Kafka in file-name order even though reading yields to the event loop.
        async with self._reading:
            envelopes = await self._read_chunk(chunk)
        if not envelopes:
            _remove_folder(chunk.folder)
            return 0
        await self.publish_batch(envelopes)  # raises when Kafka did not ack: the chunk stays in processing/
        for envelope in envelopes:
            self.stats.published(envelope)
        self._archive(chunk.folder)
        return len(envelopes)

    async def _read_chunk(self, chunk: _Chunk) -> list[RawEnvelope]:
        """Envelopes of the chunk's files; a file that cannot be read goes to failed/."""
        feed = self.feed
        envelopes: list[RawEnvelope] = []
        for number, (path, source, _) in enumerate(chunk.files, 1):
            if number % _FILES_BETWEEN_YIELDS == 0:
                await asyncio.sleep(0)
            try:
                payload = _read_at_most(path, self.max_bytes)
            except OSError as exc:
                self._fail(path, f"cannot read: {exc.strerror or exc}")
                continue
            except _TooBig as exc:
                self._fail(path, f"file is {exc.size} bytes; limit is {self.max_bytes}")
                continue
            envelopes.append(
                RawEnvelope.wrap(
                    payload, feed=feed.name, agency=feed.agency, source_ref=source, format_hint=feed.format_hint
                )
            )
        return envelopes

    def _archive(self, folder: str) -> None:
        """Move a published chunk folder into archive/; file by file into the folder there if the name is taken."""
        name = os.path.basename(folder)
        target = os.path.join(self.archive, name)
        if _rename_no_replace(folder, target):
            return
        os.makedirs(target, exist_ok=True)  # taken by another reader's chunk, or a part of this one: merge
        with os.scandir(folder) as entries:
            for entry in entries:
                _move(entry.path, target, entry.name)
        _remove_folder(folder)

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


def chunked(
    items: Sequence[T], *, size: Callable[[T], int], max_items: int = CHUNK_FILES, max_bytes: int = CHUNK_BYTES
) -> list[list[T]]:
    """`items` in order, cut into chunks of at most `max_items` items and `max_bytes` (a bigger item alone)."""
    chunks: list[list[T]] = []
    current: list[T] = []
    total = 0
    for item in items:
        item_size = size(item)
        if current and (len(current) >= max_items or total + item_size > max_bytes):
            chunks.append(current)
            current, total = [], 0
        current.append(item)
        total += item_size
    if current:
        chunks.append(current)
    return chunks


def _remove_folder(folder: str) -> None:
    """Remove an empty chunk folder; one that is not empty (or already gone) stays as it is."""
    with contextlib.suppress(OSError):
        os.rmdir(folder)


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
