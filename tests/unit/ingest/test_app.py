import asyncio

import pytest

from services.ingest.app import _run_until_stopped


async def _waits_a_minute(cancelled: asyncio.Event) -> None:
    """A loop in a long back-off; sets `cancelled` when it is cancelled."""
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        cancelled.set()
        raise


async def test_stop_cancels_a_loop_stuck_in_a_long_back_off():
    stop = asyncio.Event()
    cancelled = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, stop.set)
    await asyncio.wait_for(_run_until_stopped([_waits_a_minute(cancelled)], stop), timeout=5)
    assert cancelled.is_set()


async def test_without_loops_it_serves_until_stop():
    stop = asyncio.Event()
    task = asyncio.ensure_future(_run_until_stopped([], stop))
    await asyncio.sleep(0.05)
    assert not task.done()  # a push-only ingest keeps running
    stop.set()
    await asyncio.wait_for(task, timeout=5)


async def test_a_loop_that_dies_stops_the_others_and_is_raised():
    others_cancelled = asyncio.Event()

    async def broken() -> None:
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        loops = [broken(), _waits_a_minute(others_cancelled)]
        await asyncio.wait_for(_run_until_stopped(loops, asyncio.Event()), timeout=5)
    assert others_cancelled.is_set()
