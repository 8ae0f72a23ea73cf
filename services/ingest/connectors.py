"""Builds the connector a feed's configuration names."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from services.ingest.apis import AfpConnector, ApConnector, ApiConnector, ReutersConnector
from services.ingest.conditional import DocumentConnector, RssConnector
from services.ingest.config import LARGEST_ITEM
from services.ingest.feeds import FeedConfig, RateLimit
from services.ingest.http_base import HttpFetcher, auth_for
from services.ingest.ports import Checkpoints, DeadLetterFn, FeedStats, PublishBatchFn, PublishFn
from services.ingest.spool import SpoolConnector

__all__ = ["build_connector"]

_API_CLASSES: dict[str, type[ApiConnector]] = {
    "ap_api": ApConnector,
    "reuters_api": ReutersConnector,
    "afp_api": AfpConnector,
    "http_doc": DocumentConnector,
    "rss": RssConnector,
}
_DEFAULT_RATE = {"reuters_api": 500}


def build_connector(
    feed: FeedConfig,
    *,
    client: httpx.AsyncClient,
    publish: PublishFn,
    publish_batch: PublishBatchFn,
    checkpoints: Checkpoints,
    dead_letter: DeadLetterFn,
    environ: Mapping[str, str] | None = None,
    max_attempts: int = 6,
    spool_max_bytes: int = LARGEST_ITEM,
) -> SpoolConnector | ApiConnector:
    """The connector for `feed` (push feeds are served by `push.add_push_routes`, not built here)."""
    if feed.connector == "spool":
        return SpoolConnector(feed, publish_batch, max_bytes=spool_max_bytes)
    if feed.connector == "push":
        raise ValueError(f"feed {feed.name}: push feeds are routes, see services.ingest.push")
    rate = feed.rate_limit
    if rate is None and feed.connector in _DEFAULT_RATE:
        rate = RateLimit(requests=_DEFAULT_RATE[feed.connector], per_seconds=60)
    fetcher = HttpFetcher(
        client, FeedStats(feed.name), auth=auth_for(feed, environ), rate_limit=rate, max_attempts=max_attempts
    )
    return _API_CLASSES[feed.connector](feed, fetcher, publish, checkpoints, dead_letter)
