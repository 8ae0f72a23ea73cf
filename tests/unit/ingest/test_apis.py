import httpx
import pytest

from services.ingest.http_base import Backoff, retry_after_seconds
from services.simulator.server import Faults, SimState
from tests.unit.ingest.helpers import Recorder, connector, feed_for, simulator

CHANNEL = {"ap_api": "ap_api", "reuters_api": "reuters_api", "afp_api": "afp_api", "rss": "tass_rss_en"}


def expected(items, channel):
    return {i.raw_key for i in items if i.filer.channel == channel}


async def drain(conn, rounds=50):
    total = 0
    for _ in range(rounds):
        got = await conn.poll_once()
        total += got
        if got == 0:
            break
    return total


@pytest.mark.parametrize("kind", ["ap_api", "reuters_api", "afp_api", "rss"])
async def test_connector_reads_every_item_once(kind):
    async with simulator() as (sim, base), httpx.AsyncClient() as client:
        rec, checkpoints = Recorder(), {}
        conn = connector(feed_for(kind, base), client, rec, checkpoints)
        items = sim.emit(60)
        await drain(conn)
        assert rec.keys() == expected(items, CHANNEL[kind])
        more = sim.emit(40)
        await drain(conn)
        assert rec.keys() == expected(items + more, CHANNEL[kind])
        assert len(rec.envelopes) == len(rec.keys())  # nothing published twice
        assert await conn.poll_once() == 0
        assert conn.stats.items == len(rec.envelopes)


@pytest.mark.parametrize("kind", ["ap_api", "reuters_api", "afp_api", "rss"])
async def test_faults_lose_nothing(kind):
    state = SimState(faults=Faults(error=0.2, throttle=0.2, truncate=0.2, slow=0.05, slow_seconds=0.01))
    async with simulator(state=state) as (sim, base), httpx.AsyncClient() as client:
        rec = Recorder()
        conn = connector(feed_for(kind, base), client, rec, {})
        items = sim.emit(150)
        for _ in range(20):
            await drain(conn)
        assert rec.keys() == expected(items, CHANNEL[kind])
        assert conn.stats.errors["http_500"] + conn.stats.errors["throttled"] + conn.stats.errors["bad_body"] > 0


async def test_timeouts_are_retried():
    state = SimState(faults=Faults(slow=0.7, slow_seconds=0.3))
    async with simulator(state=state) as (sim, base), httpx.AsyncClient() as client:
        rec = Recorder()
        conn = connector(feed_for("ap_api", base, timeout=0.1), client, rec, {})
        items = sim.emit(40)
        await drain(conn)
        assert rec.keys() == expected(items, "ap_api")
        assert conn.stats.errors["timeout"] > 0


@pytest.mark.parametrize("kind", ["ap_api", "reuters_api", "afp_api", "rss"])
async def test_publish_failure_mid_page_resumes_from_saved_cursor(kind):
    async with simulator() as (sim, base), httpx.AsyncClient() as client:
        rec, checkpoints = Recorder(fail_after=3), {}
        feed = feed_for(kind, base)
        items = sim.emit(60)
        with pytest.raises(RuntimeError):
            await connector(feed, client, rec, checkpoints).poll_once()
        assert len(rec.envelopes) == 3
        # a new process (new connector) starts from the checkpoint store
        await drain(connector(feed, client, rec, checkpoints))
        assert rec.keys() == expected(items, CHANNEL[kind])
        duplicates = len(rec.envelopes) - len(rec.keys())
        assert duplicates <= 3  # only items acknowledged before the failure may come again


async def test_bad_item_is_dead_lettered_not_skipped():
    async with simulator() as (sim, base), httpx.AsyncClient() as client:
        rec = Recorder()
        sim.emit(20)
        sim.state.ap.insert(1, {"headline": "no altids"})
        await drain(connector(feed_for("ap_api", base), client, rec, {}))
        assert [code for _, code, _ in rec.dead] == ["bad_item"]
        assert b"no altids" in rec.dead[0][0]


async def test_unchanged_ap_feed_is_a_304():
    async with simulator() as (sim, base), httpx.AsyncClient() as client:
        rec, checkpoints = Recorder(), {}
        conn = connector(feed_for("ap_api", base), client, rec, checkpoints)
        sim.emit(10)
        await drain(conn)
        assert '"etag": ' not in checkpoints["sim-ap"] or "ap-" in checkpoints["sim-ap"]
        assert await conn.poll_once() == 0


async def test_http_document_published_when_changed():
    async with simulator() as (sim, base), httpx.AsyncClient() as client:
        rec = Recorder()
        conn = connector(feed_for("http_doc", base), client, rec, {})
        sim.emit(3)
        assert await conn.poll_once() == 1
        assert await conn.poll_once() == 0
        sim.emit(20)
        assert await conn.poll_once() == 1
        assert rec.envelopes[-1].payload == sim.state.reuters[-1].payload


def test_backoff_grows_with_jitter_and_caps():
    import random

    backoff = Backoff(base=1, cap=10, rng=random.Random(3))
    delays = [backoff.delay(n) for n in range(6)]
    assert 0.5 <= delays[0] <= 1 and 1 <= delays[1] <= 2 and 5 <= delays[5] <= 10


def test_retry_after_parses_seconds_and_dates():
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("Thu, 01 Jan 1970 00:00:30 GMT", now=0) == 30
    assert retry_after_seconds("99999") == 300
    assert retry_after_seconds(None) is None


async def test_a_backlog_drains_in_pages_on_loopback():
    """Every item of a backlog bigger than many pages is published once. Speed is `make bench`'s job."""
    async with simulator() as (sim, base), httpx.AsyncClient() as client:
        rec = Recorder()
        conn = connector(feed_for("ap_api", base, page_size=500), client, rec, {})
        sim.emit(12000)  # all agencies; the AP share is several pages
        count = len(sim.state.ap)
        assert count > 2 * 500
        assert await drain(conn) == count
        assert len(rec.envelopes) == count  # agency re-sends included: dropping them is dedup's job


async def test_broken_feed_document_is_dead_lettered_once_and_the_feed_goes_on():
    documents = [b"<rss><channel><item><title>cut off", b"<rss><channel><item><title>cut off"]
    documents.append(
        b'<rss version="2.0"><channel><title>T</title><item><guid>g-1</guid><title>Whole</title></item></channel></rss>'
    )

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=documents.pop(0) if len(documents) > 1 else documents[0])

    async with httpx.AsyncClient(transport=httpx.MockTransport(serve)) as client:
        rec, checkpoints = Recorder(), {}
        conn = connector(feed_for("rss", "http://feeds.test"), client, rec, checkpoints)
        assert await conn.poll_once() == 0
        assert await conn.poll_once() == 0  # the same broken bytes again: not dead-lettered twice
        assert [(data, code) for data, code, _ in rec.dead] == [(b"<rss><channel><item><title>cut off", "bad_body")]
        assert "not well-formed" in rec.dead[0][2]
        assert conn.stats.errors["bad_body"] == 1
        assert await conn.poll_once() == 1  # the feed recovered: its items flow again
        assert rec.keys() == {"g-1"}
