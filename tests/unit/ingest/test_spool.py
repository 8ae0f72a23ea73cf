import os

import pytest

from services.ingest import spool
from services.ingest.config import LARGEST_ITEM, RAW_RECORD_LIMIT, IngestSettings
from services.ingest.feeds import FeedConfig
from services.ingest.spool import SpoolConnector, is_temporary_name
from shared.models import RawEnvelope, content_hash
from shared.serde import encode
from tests.unit.ingest.helpers import Recorder


def in_chunks(folder):
    """{file name: bytes} of the files in the chunk folders of `folder` (archive/ or processing/)."""
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*/*"))}


def make(tmp_path, rec, **kw):
    feed = FeedConfig(name="spool-ap", agency="ap", connector="spool", directory=tmp_path / "in")
    conn = SpoolConnector(feed, rec.publish_batch, **kw)
    conn.prepare()
    return conn


def test_temporary_names():
    assert all(is_temporary_name(n) for n in ("a.tmp", "a.PART", "a.filepart", ".hidden", "x.reason"))
    assert not is_temporary_name("ap-0001.anpa")


async def test_complete_file_published_after_two_stable_scans(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec)
    (conn.root / "story.txt").write_bytes(b"\x01 story one")
    (conn.root / "story2.txt.tmp").write_bytes(b"half")
    assert await conn.scan_once() == 0  # first sight: not yet known to be stable
    assert await conn.scan_once() == 1
    assert rec.envelopes[0].raw_id == "spool-ap:" + content_hash(b"\x01 story one")
    assert in_chunks(conn.archive) == {"story.txt": b"\x01 story one"}
    assert not any(conn.processing.iterdir())
    assert (conn.root / "story2.txt.tmp").exists() and len(rec.envelopes) == 1


async def test_growing_file_not_picked_up(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec)
    path = conn.root / "growing.anpa"
    path.write_bytes(b"abc")
    await conn.scan_once()
    with path.open("ab") as handle:
        handle.write(b"def")
    assert await conn.scan_once() == 0
    assert await conn.scan_once() == 1
    assert rec.envelopes[0].payload == b"abcdef"


async def test_failed_publish_keeps_file_and_recovery_republishes(tmp_path):
    rec = Recorder(fail_after=0)
    conn = make(tmp_path, rec)
    (conn.root / "a.txt").write_bytes(b"payload")
    await conn.scan_once()
    with pytest.raises(RuntimeError):
        await conn.scan_once()
    assert in_chunks(conn.processing) == {"a.txt": b"payload"} and not any(conn.archive.iterdir())
    restarted = make(tmp_path, rec)
    assert await restarted.recover() == 1
    assert rec.envelopes[0].raw_id == "spool-ap:" + content_hash(b"payload")
    assert rec.envelopes[0].source_ref == str(conn.root / "a.txt")  # where it was found, not processing/
    assert not any(restarted.processing.iterdir())
    assert in_chunks(restarted.archive) == {"a.txt": b"payload"}


async def test_files_left_straight_in_processing_are_recovered(tmp_path):
    """An older version claimed file by file into processing/ itself."""
    rec = Recorder()
    conn = make(tmp_path, rec)
    (conn.processing / "old.txt").write_bytes(b"left by a crash")
    assert await conn.recover() == 1
    assert [(e.payload, e.source_ref) for e in rec.envelopes] == [(b"left by a crash", str(conn.root / "old.txt"))]
    assert in_chunks(conn.archive) == {"old.txt": b"left by a crash"} and not any(conn.processing.iterdir())


async def test_a_pass_is_published_in_chunks_each_archived_as_one_folder(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec, chunk_files=3)
    for n in range(7):
        (conn.root / f"f{n}.txt").write_bytes(b"story %d" % n)
    await conn.scan_once()
    assert await conn.scan_once() == 7
    assert rec.batches == [3, 3, 1]
    assert [e.payload for e in rec.envelopes] == [b"story %d" % n for n in range(7)]  # oldest name first
    folders = sorted(conn.archive.iterdir())
    assert [sorted(p.name for p in folder.iterdir()) for folder in folders] == [
        ["f0.txt", "f1.txt", "f2.txt"],
        ["f3.txt", "f4.txt", "f5.txt"],
        ["f6.txt"],
    ]
    assert not any(conn.processing.iterdir()) and not any(p.is_file() for p in conn.root.iterdir())


async def test_chunks_are_published_in_file_name_order_though_reading_yields(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec, chunk_files=40)  # a chunk of 40 yields once while read, the last (20) never
    for n in range(100):
        (conn.root / f"f{n:03d}.txt").write_bytes(b"story %d" % n)
    await conn.scan_once()
    assert await conn.scan_once() == 100
    assert rec.batches == [40, 40, 20]
    assert [e.payload for e in rec.envelopes] == [b"story %d" % n for n in range(100)]


async def test_a_failed_chunk_stays_for_the_next_pass_and_the_acked_ones_are_archived(tmp_path, monkeypatch):
    monkeypatch.setattr(spool, "_CHUNKS_IN_FLIGHT", 1)
    rec = Recorder(fail_after=2)  # the first chunk is acknowledged, the second is not
    conn = make(tmp_path, rec, chunk_files=2)
    for n in range(4):
        (conn.root / f"f{n}.txt").write_bytes(b"story %d" % n)
    await conn.scan_once()
    with pytest.raises(RuntimeError):
        await conn.scan_once()
    assert in_chunks(conn.archive) == {"f0.txt": b"story 0", "f1.txt": b"story 1"}
    assert in_chunks(conn.processing) == {"f2.txt": b"story 2", "f3.txt": b"story 3"}
    assert await conn.poll_once() == 2
    assert [e.payload for e in rec.envelopes] == [b"story %d" % n for n in range(4)]  # none repeated
    assert len(in_chunks(conn.archive)) == 4 and not any(conn.processing.iterdir())


async def test_an_archive_folder_of_the_same_name_is_merged_into_not_replaced(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec)
    (conn.root / "story.txt").write_bytes(b"new")
    await conn.scan_once()
    chunk = conn._claim_all(str(conn.root), conn._stable_files())[0]
    taken = conn.archive / os.path.basename(chunk.folder)
    taken.mkdir()
    (taken / "story.txt").write_bytes(b"older")
    assert await conn._publish_all([chunk]) == 1
    merged = sorted((path.name, path.read_bytes()) for path in taken.iterdir())
    assert merged == [("story.txt", b"older"), ("story.txt~1", b"new")]
    assert not any(conn.processing.iterdir())


def test_chunked_by_count_and_bytes_a_big_item_alone():
    items = [("a", 10), ("b", 10), ("c", 10), ("big", 100), ("d", 10), ("e", 10)]
    cut = spool.chunked(items, size=lambda item: item[1], max_items=2, max_bytes=25)
    assert [[name for name, _ in chunk] for chunk in cut] == [["a", "b"], ["c"], ["big"], ["d", "e"]]
    assert spool.chunked([], size=len) == []


async def test_unreadable_file_goes_to_failed_with_reason(tmp_path, monkeypatch):
    rec = Recorder()
    conn = make(tmp_path, rec)
    path = conn.root / "locked.txt"
    path.write_bytes(b"x")
    read = spool._read_at_most

    def refuse_locked(name: str, limit: int) -> bytes:
        # chmod 0 would not stop root, who runs CI: refuse as the kernel would for anyone else.
        if name.endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", name)
        return read(name, limit)

    monkeypatch.setattr(spool, "_read_at_most", refuse_locked)
    await conn.scan_once()
    assert await conn.scan_once() == 0
    assert (conn.failed / "locked.txt.reason").read_text().startswith("cannot read")


async def test_oversize_file_goes_to_failed(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec, max_bytes=4)
    (conn.root / "big.txt").write_bytes(b"0123456789")
    await conn.scan_once()
    assert await conn.scan_once() == 0
    assert "limit is 4" in (conn.failed / "big.txt.reason").read_text()


async def test_one_pass_takes_a_backlog_of_five_thousand_files(tmp_path):
    """Its speed is measured by `make bench` (BENCHMARKS.md), not here."""
    rec = Recorder()
    conn = make(tmp_path, rec)
    count = 5000
    for n in range(count):
        (conn.root / f"f{n:05d}.txt").write_bytes(b"\x01story %d\x03" % n)
    await conn.scan_once()
    assert await conn.scan_once() == count
    assert [e.payload for e in rec.envelopes] == [b"\x01story %d\x03" % n for n in range(count)]
    assert not any(conn.processing.iterdir())


async def test_poll_updates_last_success_only_when_publish_succeeds(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec)
    assert conn.stats.last_success_at is None
    assert await conn.poll_once() == 0
    first = conn.stats.last_success_at
    assert first is not None and len(conn.stats.fetch_seconds) == 1

    async def refuse(envelopes):
        raise RuntimeError("not acked")

    conn.publish_batch = refuse
    (conn.root / "story.txt").write_bytes(b"story")
    await conn.poll_once()  # first sight only
    with pytest.raises(RuntimeError):
        await conn.poll_once()
    assert len(conn.stats.fetch_seconds) == 2  # the failed pass recorded no success


@pytest.mark.parametrize("native", [True, False], ids=["renameat2", "check-then-rename"])
async def test_same_name_twice_keeps_both_in_archive(tmp_path, monkeypatch, native):
    if not native:
        monkeypatch.setattr(spool, "_RENAMEAT2", None)
    elif spool._RENAMEAT2 is None:
        pytest.skip("this C library has no renameat2 (not Linux, or glibc < 2.28)")
    rec = Recorder()
    conn = make(tmp_path, rec)
    for body in (b"first copy", b"second copy"):
        (conn.root / "wire.txt").write_bytes(body)
        await conn.scan_once()
        assert await conn.scan_once() == 1
    copies = [path.read_bytes() for path in sorted(conn.archive.glob("*/wire.txt"))]
    assert copies == [b"first copy", b"second copy"]  # one chunk folder each, named by claim time
    assert [e.payload for e in rec.envelopes] == [b"first copy", b"second copy"]


def test_read_at_most(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    assert spool._read_at_most(str(path), 5) == b"12345"
    with pytest.raises(spool._TooBig) as raised:
        spool._read_at_most(str(path), 4)
    assert raised.value.size == 5
    path.write_bytes(b"")
    assert spool._read_at_most(str(path), 4) == b""


def test_the_largest_spool_file_fits_one_raw_record_and_the_default_limit_is_it():
    """A bigger file could never be written (Kafka refuses it on every try): it must go to failed/ instead."""
    path = "/var/spool/" + "deep/" * 800 + "f" * 200 + ".xml"  # a 4 KB source path
    envelope = RawEnvelope.wrap(
        b"\xff" * LARGEST_ITEM, feed="spool-" + "x" * 200, agency="a" * 100, source_ref=path, format_hint="nitf"
    )
    assert RAW_RECORD_LIMIT - 64 * 1024 < len(encode(envelope)) <= RAW_RECORD_LIMIT
    assert IngestSettings().spool_max_bytes == LARGEST_ITEM
    with pytest.raises(ValueError, match="less than or equal"):
        IngestSettings(spool_max_bytes=LARGEST_ITEM + 1)
