import asyncio
import itertools

import httpx
import pytest

from services.ingest.ports import send_in_flight
from shared.models import RawEnvelope
from tests.unit.ingest.helpers import Recorder, connector, feed_for, simulator


class Gauge:
    """A send that yields to the loop, counting how many sends are waiting for their 'ack' at once."""

    def __init__(self, fail_on: set[int] | None = None) -> None:
        self.now = 0
        self.peak = 0
        self.started: list[int] = []
        self.fail_on = fail_on or set()

    async def send(self, item: int) -> int:
        self.started.append(item)
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            await asyncio.sleep(0.001 * (item % 3))
            if item in self.fail_on:
                raise RuntimeError(f"no ack for {item}")
            return item * 10
        finally:
            self.now -= 1


async def test_results_come_in_item_order_with_up_to_limit_in_flight():
    gauge = Gauge()
    assert await send_in_flight(list(range(50)), gauge.send, limit=8) == [n * 10 for n in range(50)]
    assert gauge.peak == 8
    assert sorted(gauge.started) == list(range(50))


async def test_a_failure_stops_unstarted_sends_waits_for_the_others_and_is_raised():
    gauge = Gauge(fail_on={3, 5})
    with pytest.raises(RuntimeError, match="no ack for 3"):
        await send_in_flight(list(range(40)), gauge.send, limit=4)
    assert gauge.now == 0  # every started send finished before the call returned
    assert set(range(4)) <= set(gauge.started)
    assert len(gauge.started) < 12  # the sends queued behind the failure never went out


async def test_nothing_to_send():
    assert await send_in_flight([], Gauge().send) == []


class Acks:
    """A publish that takes a while to be acknowledged, and checkpoints that note what was pending at each save."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.in_flight = 0
        self.peak = 0
        self.pending_at_save: list[int] = []
        self.acked_at_save: list[int] = []

    async def publish(self, envelope: RawEnvelope) -> None:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        await self.recorder.publish(envelope)

    def checkpoints(self) -> dict[str, str]:
        acks = self

        class Noting(dict[str, str]):
            def __setitem__(self, key: str, value: str) -> None:
                acks.pending_at_save.append(acks.in_flight)
                acks.acked_at_save.append(len(acks.recorder.envelopes))
                super().__setitem__(key, value)

        return Noting()


@pytest.mark.parametrize("kind", ["ap_api", "reuters_api", "afp_api", "rss"])
async def test_a_page_is_published_in_flight_and_its_cursor_saved_after_every_ack(kind):
    async with simulator() as (sim, base), httpx.AsyncClient() as client:
        rec = Recorder()
        acks = Acks(rec)
        conn = connector(feed_for(kind, base, page_size=20), client, rec, acks.checkpoints())
        conn.publish = acks.publish
        sim.emit(400)
        while await conn.poll_once():
            pass
        assert set(acks.pending_at_save) == {0}  # no cursor was saved while an item was unacknowledged
        saves = [0, *acks.acked_at_save]
        pages = [after - before for before, after in itertools.pairwise(saves)]
        assert min(pages) >= 0 and saves[-1] == len(rec.envelopes) > 20
        # A whole page (RSS: the whole feed) waits for its acks together. AFP re-reads the last item of
        # the previous page and sends a page's exact re-sends once, so its pages hold up to 20 new items.
        assert acks.peak == max(pages) >= 19
