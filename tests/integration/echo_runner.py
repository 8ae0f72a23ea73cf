"""A minimal exactly-once stage for the runner's crash test: copies events.v1 to stories.published.v1.

It counts records per key in its state, and puts the count into each output, so a lost or redone
state change would show as a wrong count.
"""

from __future__ import annotations

import asyncio
import sys

import orjson

from shared.records import Incoming, Output
from shared.settings import ServiceSettings
from shared.txrunner import StateStore, TransactionalRunner


def copy(incoming: Incoming, state: StateStore) -> list[Output]:
    key = (incoming.key or b"").decode()
    count = state.get(key, 0) + 1
    state[key] = count
    value = orjson.dumps({"n": int(incoming.value), "seen": count})
    return [Output("stories.published.v1", key, value)]


if __name__ == "__main__":
    runner = TransactionalRunner(
        "publish",
        sources=["events.v1"],
        state_topic="publish.state.v1",
        handler=copy,
        default_port=int(sys.argv[1]),
        settings=ServiceSettings(),
        max_batch=50,
    )
    asyncio.run(runner.run())
