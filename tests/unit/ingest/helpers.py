"""Shared test helpers: an in-memory publish, a simulator on loopback, connectors with instant sleeps."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

from services.ingest.apis import ApiConnector
from services.ingest.connectors import build_connector
from services.ingest.feeds import FeedConfig
from services.ingest.http_base import Backoff
from services.simulator.driver import Simulator
from services.simulator.server import SimState, build_app, start_server
from shared.models import RawEnvelope

ENV = {"AP_KEY": "sim-ap-key", "CLIENT_ID": "sim-client", "CLIENT_SECRET": "sim-secret"}


@dataclass
class Recorder:
    envelopes: list[RawEnvelope] = field(default_factory=list)
    dead: list[tuple[bytes, str, str]] = field(default_factory=list)
    fail_after: int | None = None
    batches: list[int] = field(default_factory=list)

    async def publish(self, envelope: RawEnvelope) -> None:
        if self.fail_after is not None and len(self.envelopes) >= self.fail_after:
            self.fail_after = None
            raise RuntimeError("broker did not acknowledge")
        self.envelopes.append(envelope)

    async def publish_batch(self, envelopes: Sequence[RawEnvelope]) -> None:
        """All or nothing, as a failed record batch leaves the whole chunk unarchived."""
        if self.fail_after is not None and len(self.envelopes) + len(envelopes) > self.fail_after:
            self.fail_after = None
            raise RuntimeError("broker did not acknowledge")
        self.envelopes.extend(envelopes)
        self.batches.append(len(envelopes))

    async def dead_letter(self, data: bytes, code: str, reason: str) -> None:
        self.dead.append((data, code, reason))

    def keys(self) -> set[str]:
        return {e.raw_id.split(":", 1)[1] for e in self.envelopes}


@asynccontextmanager
async def simulator(seed: int = 1, state: SimState | None = None) -> AsyncIterator[tuple[Simulator, str]]:
    state = state or SimState()
    runner, base = await start_server(build_app(state))
    sim = Simulator(seed, state=state, base_url=base)
    try:
        yield sim, base
    finally:
        await runner.cleanup()


def feed_for(kind: str, base: str, **extra: object) -> FeedConfig:
    paths = {
        "ap_api": ("ap", "/ap/media/v/content/feed", {"secret_env": "AP_KEY"}),
        "reuters_api": ("reuters", "/reuters/graphql", {"token_url": base + "/reuters/oauth/token"}),
        "afp_api": ("afp", "/afp/v1/api/search", {"token_url": base + "/afp/oauth/token"}),
        "rss": ("tass", "/tass/rss/en.xml", {}),
        "http_doc": ("reuters", "/doc/latest.xml", {}),
    }
    agency, path, auth = paths[kind]
    if "token_url" in auth:
        auth = {**auth, "client_id_env": "CLIENT_ID", "secret_env": "CLIENT_SECRET"}
    return FeedConfig.model_validate(
        {
            "name": f"sim-{agency}",
            "agency": agency,
            "connector": kind,
            "url": base + path,
            "poll_interval": 0.01,
            "page_size": 20,
            **auth,
            **extra,
        }
    )


async def no_sleep(_: float) -> None:
    return None


def connector(feed: FeedConfig, client: httpx.AsyncClient, rec: Recorder, checkpoints: dict[str, str]) -> ApiConnector:
    built = build_connector(
        feed,
        client=client,
        publish=rec.publish,
        publish_batch=rec.publish_batch,
        checkpoints=checkpoints,
        dead_letter=rec.dead_letter,
        environ=ENV,
        max_attempts=50,
    )
    assert isinstance(built, ApiConnector)
    built.fetcher.sleep = no_sleep
    built.fetcher.backoff = Backoff(rng=random.Random(0))
    if built.fetcher.limiter:
        built.fetcher.limiter.sleep = no_sleep
    return built
