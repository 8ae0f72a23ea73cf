"""Ingest: agency feeds (spool folders, HTTP APIs, RSS, push) to raw envelopes, without touching Kafka.

Each connector is given `publish` (the spool: `publish_batch`), `dead_letter` and a checkpoint store
(see `ports`); the app wires them to Kafka.
"""

from services.ingest.apis import AfpConnector, ApConnector, ApiConnector, ReutersConnector
from services.ingest.conditional import DocumentConnector, RssConnector, split_feed
from services.ingest.config import IngestSettings
from services.ingest.connectors import build_connector
from services.ingest.feeds import FeedConfig, load_feeds, parse_feeds
from services.ingest.http_base import Backoff, FetchError, HttpFetcher
from services.ingest.ports import Checkpoints, DeadLetterFn, FeedStats, PublishBatchFn, PublishFn, poll_forever
from services.ingest.push import PushFeed, add_push_routes, sign
from services.ingest.spool import SpoolConnector

__all__ = [
    "AfpConnector",
    "ApConnector",
    "ApiConnector",
    "Backoff",
    "Checkpoints",
    "DeadLetterFn",
    "DocumentConnector",
    "FeedConfig",
    "FeedStats",
    "FetchError",
    "HttpFetcher",
    "IngestSettings",
    "PublishBatchFn",
    "PublishFn",
    "PushFeed",
    "ReutersConnector",
    "RssConnector",
    "SpoolConnector",
    "add_push_routes",
    "build_connector",
    "load_feeds",
    "parse_feeds",
    "poll_forever",
    "sign",
    "split_feed",
]
