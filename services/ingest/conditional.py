"""Polling one URL with conditional requests (ETag / Last-Modified): single documents and RSS/Atom feeds.

`DocumentConnector` publishes a document (ninjs, NewsML-G2) each time its bytes change. `RssConnector`
splits a feed into one raw message per item — each item's XML inside a minimal copy of the feed's
wrapper (rss/channel with title, link and language, or an Atom feed with its title) — so parse's RSS
parser reads it, and so the seen-set can work per item: the last `seen_limit` guids per feed, one JSON
value in the checkpoint store, stop an item that a feed repeats for days from being sent twice.
A feed that is not well-formed XML (a truncated answer) is retried at the next poll.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from lxml import etree

from services.ingest.apis import ApiConnector, PageItem
from services.ingest.http_base import FetchError
from services.ingest.ports import poll_forever
from shared.models import content_hash

__all__ = ["DocumentConnector", "RssConnector", "split_feed"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_CHANNEL_META = ("title", "link", "language")
_MAX_GUID = 200
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


class _ConditionalConnector(ApiConnector):
    async def fetch_if_changed(self, state: dict[str, Any]) -> bytes | None:
        """The URL's body, or None when the server says (304) or the bytes show it has not changed."""
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        response = await self.fetcher.request("GET", self.feed.url or "", headers=headers, timeout=self.feed.timeout)
        if response.status_code == 304:
            return None
        state["etag"] = response.headers.get("etag")
        state["last_modified"] = response.headers.get("last-modified")
        return response.content

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`; one poll per interval (a feed has no 'more pages')."""
        await poll_forever(self.poll_once, stop, self.feed.poll_interval, self.stats, busy_wait=True)


class DocumentConnector(_ConditionalConnector):
    """One document at a URL, published whenever its bytes change (raw_id from the content hash)."""

    async def poll_once(self) -> int:
        """Fetch; publish when changed; returns 1 or 0."""
        state = self.load_checkpoint()
        body = await self.fetch_if_changed(state)
        if body is None or content_hash(body) == state.get("hash"):
            return 0
        await self.send(PageItem(body, content_hash(body), self.feed.url or ""))
        self.save_checkpoint({**state, "hash": content_hash(body)})
        return 1


def split_feed(data: bytes) -> list[tuple[str, bytes]]:
    """(guid, standalone document) per item of an RSS 2.0 or Atom feed, oldest first.

    The guid is the item's guid (or Atom id), else its link, else a hash of its bytes.
    """
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise FetchError(f"feed is not well-formed XML: {exc}", kind="bad_body") from exc
    if root.tag == f"{_ATOM}feed":
        items, head = root.findall(f"{_ATOM}entry"), [root.find(f"{_ATOM}title")]
        opening, closing = b'<feed xmlns="http://www.w3.org/2005/Atom">', b"</feed>"
        guid_tags = (f"{_ATOM}id", f"{_ATOM}link")
    else:
        channel = root.find("channel")
        if channel is None:
            raise FetchError("feed has no <channel> or Atom <feed>", kind="bad_body")
        items, head = channel.findall("item"), [channel.find(tag) for tag in _CHANNEL_META]
        opening, closing = b'<rss version="2.0"><channel>', b"</channel></rss>"
        guid_tags = ("guid", "link")
    wrapper = b"".join(etree.tostring(el, encoding="utf-8") for el in head if el is not None)
    out = []
    for item in reversed(items):  # feeds list the newest first
        body = etree.tostring(item, encoding="utf-8")
        guid = next((_text_or_href(item.find(tag)) for tag in guid_tags if _text_or_href(item.find(tag))), "")
        if not guid or len(guid) > _MAX_GUID:
            guid = hashlib.sha256((guid or "").encode() + body).hexdigest()[:32]
        document = b'<?xml version="1.0" encoding="UTF-8"?>\n' + opening + wrapper + body + closing
        out.append((guid, document))
    return out


def _text_or_href(element: Any) -> str:
    if element is None:
        return ""
    return str(element.text or element.get("href") or "").strip()


class RssConnector(_ConditionalConnector):
    """An RSS/Atom feed, polled conditionally, one raw message per item not in the seen-set."""

    seen_limit = 2000

    async def poll_once(self) -> int:
        """Fetch; publish the unseen items, in flight together, then save the seen-set; returns the count."""
        state = self.load_checkpoint()
        seen: list[str] = list(state.get("seen", []))
        validators = {"etag": state.get("etag"), "last_modified": state.get("last_modified")}
        body = await self.fetch_if_changed(validators)
        if body is None:
            return 0
        try:
            items = split_feed(body)
        except FetchError as exc:
            # A feed document that cannot be read at all goes to dead-letter once, with its bytes; the
            # saved validators make the next polls cheap 304s until the feed changes, instead of a loop.
            digest = content_hash(body)
            if state.get("bad") != digest:
                await self.dead_letter(body, exc.kind, f"feed {self.feed.name}: {exc}")
                self.stats.error(exc.kind)
            self.save_checkpoint({**validators, "seen": seen, "bad": digest})
            return 0
        known = set(seen)
        unseen: dict[str, bytes] = {}
        for guid, document in items:
            if guid not in known:
                unseen.setdefault(guid, document)  # a guid twice in one feed is sent once
        fresh = [PageItem(document, guid, self.feed.url or "") for guid, document in unseen.items()]
        # A failure here saves nothing: the next poll fetches the whole feed again (no validators saved) and
        # sends what was acked again under the same raw_id, which dedup drops.
        await self.send_page(fresh)
        seen = [*seen, *(item.item_id for item in fresh if item.item_id)][-self.seen_limit :]
        self.save_checkpoint({**validators, "seen": seen})
        return len(fresh)
