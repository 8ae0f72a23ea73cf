import os
import time

import pytest

from services.ingest import spool
from services.ingest.feeds import FeedConfig
from services.ingest.spool import SpoolConnector, is_temporary_name
from shared.models import content_hash
from tests.unit.ingest.helpers import Recorder


def make(tmp_path, rec, **kw):
    feed = FeedConfig(name="spool-ap", agency="ap", connector="spool", directory=tmp_path / "in")
    conn = SpoolConnector(feed, rec.publish, **kw)
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
    assert (conn.archive / "story.txt").read_bytes() == b"\x01 story one"
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
    assert (conn.processing / "a.txt").exists()
    restarted = make(tmp_path, rec)
    assert await restarted.recover() == 1
    assert rec.envelopes[0].raw_id == "spool-ap:" + content_hash(b"payload")
    assert not any(restarted.processing.iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
async def test_unreadable_file_goes_to_failed_with_reason(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec)
    path = conn.root / "locked.txt"
    path.write_bytes(b"x")
    path.chmod(0)
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


async def test_spool_speed(tmp_path, record_property):
    async def noop(_):
        return None

    conn = make(tmp_path, Recorder())
    conn.publish = noop
    count = 5000
    for n in range(count):
        (conn.root / f"f{n:05d}.txt").write_bytes(b"\x01story %d\x03" % n)
    await conn.scan_once()
    started = time.perf_counter()
    assert await conn.scan_once() == count
    rate = count / (time.perf_counter() - started)
    record_property("spool_files_per_second", round(rate))
    assert rate > 1000


async def test_poll_updates_last_success_only_when_publish_succeeds(tmp_path):
    rec = Recorder()
    conn = make(tmp_path, rec)
    assert conn.stats.last_success_at is None
    assert await conn.poll_once() == 0
    first = conn.stats.last_success_at
    assert first is not None and len(conn.stats.fetch_seconds) == 1

    async def refuse(envelope):
        raise RuntimeError("not acked")

    conn.publish = refuse
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
    assert (conn.archive / "wire.txt").read_bytes() == b"first copy"
    assert (conn.archive / "wire.txt~1").read_bytes() == b"second copy"
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
