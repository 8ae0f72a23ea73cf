"""Cursor-polling connectors for agency APIs: AP Media API, Reuters Connect (GraphQL) and AFP search.

The rule that keeps items from being lost: a page's items are published (in flight together; `send_page`
returns only after Kafka acknowledged every one) or dead-lettered with their bytes, and only THEN is the
cursor that follows the page saved. A crash or a failed publish mid-page restarts from the previous
cursor: the page's acknowledged items come again with the same raw_id (dedup drops them), unacknowledged
ones are not lost.

raw_id is '{feed}:{agency item id}:{version}', so a re-sent version has the same key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson

from services.ingest.feeds import FeedConfig
from services.ingest.http_base import FetchError, HttpFetcher
from services.ingest.ports import Checkpoints, DeadLetterFn, FeedStats, PublishFn, poll_forever, send_in_flight
from shared.models import RawEnvelope

__all__ = ["REUTERS_QUERY", "AfpConnector", "ApConnector", "ApiConnector", "PageItem", "ReutersConnector"]

REUTERS_QUERY = (
    "query Feed($cursor: String, $limit: Int) { search(filter: {cursor: $cursor, limit: $limit}) "
    "{ totalHits pageInfo { endCursor hasNextPage } items { versionedGuid newsML } } }"
)
_MAX_PAGES_PER_POLL = 1000


class PageItem(NamedTuple):
    """One item of a page, ready to send: its bytes, its id (None: dead-letter it) and where it came from."""

    payload: bytes
    item_id: str | None
    source_ref: str


class ApiConnector:
    """What the API connectors share: publishing an item, dead-lettering a bad one, the checkpoint, the loop."""

    def __init__(
        self,
        feed: FeedConfig,
        fetcher: HttpFetcher,
        publish: PublishFn,
        checkpoints: Checkpoints,
        dead_letter: DeadLetterFn,
    ) -> None:
        self.feed = feed
        self.fetcher = fetcher
        self.publish = publish
        self.checkpoints = checkpoints
        self.dead_letter = dead_letter

    @property
    def stats(self) -> FeedStats:
        """This feed's statistics."""
        return self.fetcher.stats

    def load_checkpoint(self) -> dict[str, Any]:
        """The saved position of this feed, {} at first start."""
        saved = self.checkpoints.get(self.feed.name)
        if not saved:
            return {}
        value = orjson.loads(saved)
        return value if isinstance(value, dict) else {}

    def save_checkpoint(self, value: dict[str, Any]) -> None:
        """Save the position; call only once everything before it was published or dead-lettered."""
        self.checkpoints[self.feed.name] = orjson.dumps(value).decode()

    async def send_page(self, items: Sequence[PageItem]) -> None:
        """Send every item of a page, in flight together; returns once each was acked or dead-lettered."""
        await send_in_flight(items, self.send)

    async def send(self, item: PageItem) -> None:
        """Publish one item, or dead-letter its bytes when it has no id; returns after the ack."""
        payload, item_id, source_ref = item
        if not item_id or not payload:
            what = "no item id" if payload else "empty content"
            await self.dead_letter(payload, "bad_item", f"feed {self.feed.name}: item with {what}")
            self.stats.error("bad_item")
            return
        envelope = RawEnvelope.wrap(
            payload,
            feed=self.feed.name,
            agency=self.feed.agency,
            source_ref=source_ref,
            item_id=item_id,
            format_hint=self.feed.format_hint,
        )
        await self.publish(envelope)
        self.stats.published(envelope)

    async def poll_once(self) -> int:
        """Fetch and publish everything new; returns the number of items handled."""
        raise NotImplementedError

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` (an asyncio.Event) is set; see `poll_forever`."""
        await poll_forever(self.poll_once, stop, self.feed.poll_interval, self.stats)


def _require(body: Any, *path: str) -> Any:
    """body[path[0]][path[1]]…; FetchError (retried) when the answer lacks it, as a truncated page does."""
    for key in path:
        if not isinstance(body, dict) or key not in body:
            raise FetchError(f"answer has no {'.'.join(path)}", kind="bad_body")
        body = body[key]
    return body


class ApConnector(ApiConnector):
    """AP Media API feed: GET the feed, follow `next_page` at once while pages bring items.

    The checkpoint is the `next_page` URL still to read and the ETag of the last answer for it, so an
    unchanged feed costs a 304. Each item is published as the item endpoint's document
    (``{"api_version", "data": {"item": ...}}``), which the parse stage reads as AP Media API JSON.
    """

    async def poll_once(self) -> int:
        """Read pages from the saved `next_page` until an empty page; returns the item count."""
        state = self.load_checkpoint()
        url = state.get("next_page") or _with_page_size(self.feed.url or "", self.feed.page_size)
        count = 0
        for _ in range(_MAX_PAGES_PER_POLL):
            headers = {"If-None-Match": state["etag"]} if state.get("etag") and state.get("next_page") == url else {}
            response, body = await self.fetcher.fetch_json("GET", url, headers=headers, timeout=self.feed.timeout)
            if response.status_code == 304:
                break
            data = _require(body, "data")
            entries = _require(data, "items")
            await self.send_page([_ap_item(entry, body.get("api_version", "2.0"), url) for entry in entries])
            count += len(entries)
            next_page = data.get("next_page") or url
            state = {"next_page": next_page, "etag": response.headers.get("etag") if next_page == url else None}
            self.save_checkpoint(state)
            if not entries:
                break
            url = next_page
        return count


def _ap_item(entry: Any, api_version: str, url: str) -> PageItem:
    """A feed entry as the item endpoint's document, keyed by AP's item id and version."""
    item = entry.get("item") if isinstance(entry, dict) else None
    payload = orjson.dumps({"api_version": api_version, "data": {"item": item if item is not None else entry}})
    altids = item.get("altids") if isinstance(item, dict) else None
    itemid = altids.get("itemid") if isinstance(altids, dict) else None
    version = item.get("version", 0) if isinstance(item, dict) else 0
    return PageItem(payload, f"{itemid}:{version}" if itemid else None, url)


def _with_page_size(url: str, size: int) -> str:
    return url if "page_size=" in url else f"{url}{'&' if '?' in url else '?'}page_size={size}"


class ReutersConnector(ApiConnector):
    """Reuters Connect-style GraphQL search with an opaque cursor (OAuth2, 500 requests/min by default)."""

    async def poll_once(self) -> int:
        """Read pages from the saved cursor while the API says there are more; returns the item count."""
        cursor = self.load_checkpoint().get("cursor")
        count = 0
        for _ in range(_MAX_PAGES_PER_POLL):
            query = {"query": REUTERS_QUERY, "variables": {"cursor": cursor, "limit": self.feed.page_size}}
            _, body = await self.fetcher.fetch_json("POST", self.feed.url or "", json=query, timeout=self.feed.timeout)
            search = _require(body, "data", "search")
            items = _require(search, "items")
            page_info = _require(search, "pageInfo")
            await self.send_page([_reuters_item(item, self.feed.url or "") for item in items])
            count += len(items)
            cursor = page_info.get("endCursor") or cursor
            self.save_checkpoint({"cursor": cursor})
            if not items or not page_info.get("hasNextPage"):
                break
        return count


def _reuters_item(item: Any, url: str) -> PageItem:
    """A search hit as its NewsML-G2 document, keyed by the versioned guid (no document: dead-letter)."""
    newsml = item.get("newsML") if isinstance(item, dict) else None
    payload = newsml.encode("utf-8") if isinstance(newsml, str) else orjson.dumps(item)
    guid = item.get("versionedGuid") if isinstance(newsml, str) and isinstance(item, dict) else None
    return PageItem(payload, guid, url)


class AfpConnector(ApiConnector):
    """AFP-style search paged by published date, oldest first.

    The checkpoint is the last published time read and the ids already published at that exact time
    (the API's `from` is inclusive, so they come again and are skipped).
    """

    async def poll_once(self) -> int:
        """Read pages from the saved date until a short page; returns the item count."""
        state = self.load_checkpoint()
        since: str = state.get("from", "")
        seen: set[str] = set(state.get("seen", []))
        count = 0
        for _ in range(_MAX_PAGES_PER_POLL):
            query = {"dateRange": {"from": since}, "sortOrder": "asc", "maxRows": self.feed.page_size}
            _, body = await self.fetcher.fetch_json("POST", self.feed.url or "", json=query, timeout=self.feed.timeout)
            docs = _require(body, "response", "docs")
            self.stats.cursor_lag = float(body["response"].get("numFound", len(docs)) - len(docs))
            page: list[PageItem] = []
            for doc in docs:
                published, key = str(doc.get("published", "")), f"{doc.get('uno')}:{doc.get('version', 1)}"
                if published < since or (published == since and key in seen):
                    continue
                newsml = doc.get("newsml")
                payload = newsml.encode("utf-8") if isinstance(newsml, str) else orjson.dumps(doc)
                item_id = key if doc.get("uno") and isinstance(newsml, str) else None
                page.append(PageItem(payload, item_id, self.feed.url or ""))
                seen = (seen if published == since else set()) | {key}
                since = published
            await self.send_page(page)
            fresh = len(page)
            self.save_checkpoint({"from": since, "seen": sorted(seen)})
            count += fresh
            # A short page is the end; a full page of already-seen items means one instant holds more
            # items than a page, which paging by date cannot pass (raise page_size).
            if len(docs) < self.feed.page_size or fresh == 0:
                break
        return count
