"""The simulator's deterministic item stream: news events filed by several agencies at about the same time.

For every event each filer (an agency in one language on one channel) sends a first take — sometimes a
FLASH or URGENT, sometimes embargoed — and then maybe a follow-up: an update, a correction, a refile,
a kill, an exact re-send, a lightly rewritten re-run, or (spool only) a broken file. The same seed gives
the same items, ids and bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.simulator import render
from services.simulator.newscopy import EVENTS, STYLES, Story, draw_facts, rewrite_lightly, write_story
from services.simulator.render import ItemMeta
from shared.models import content_hash

__all__ = ["CHANNELS", "FILERS", "Filer", "Planner", "SimItem", "rss_guid"]

CHANNELS = ("reuters_api", "ap_api", "afp_api", "tass_rss_ru", "tass_rss_en", "spool")
_FOLLOW_UPS = ("update", "correction", "refile", "kill", "resend", "rerun", "broken", None, None, None)
# An RSS item says nothing of versions, kills or embargoes (a withdrawn item just leaves the feed, an
# update is a new item): TASS-style feeds get new items, re-sends and re-runs only.
_NOT_ON_RSS = frozenset({"update", "correction", "refile", "kill"})


@dataclass(frozen=True, slots=True)
class Filer:
    """One agency writing in one language to one channel in one format."""

    agency: str
    language: str
    channel: str
    format: str


FILERS = (
    Filer("reuters", "en", "reuters_api", "newsml_g2"),
    Filer("ap", "en", "ap_api", "ap_json"),
    Filer("ap", "en", "spool", "anpa1312"),
    Filer("afp", "fr", "afp_api", "newsml_g2"),
    Filer("afp", "en", "afp_api", "newsml_g2"),
    Filer("tass", "ru", "tass_rss_ru", "rss"),
    Filer("tass", "en", "tass_rss_en", "rss"),
    Filer("tass", "en", "spool", "iptc7901"),
)


def rss_guid(item_id: str, version: int) -> str:
    """The RSS guid of a version: a feed gives each version of a story its own guid."""
    return item_id if version == 1 else f"{item_id}.{version}"


@dataclass(frozen=True, slots=True)
class SimItem:
    """One item the simulator sends, with what the ground truth records about it."""

    filer: Filer
    item_id: str
    version: int
    kind: str
    event_key: str
    when: datetime
    payload: bytes
    """The bytes ingest should publish (for AP, the item document; for RSS, the `<item>` element)."""
    record: dict[str, object] | None = None
    """The AP feed's item object (AP only)."""

    @property
    def raw_key(self) -> str:
        """What follows '{feed}:' in the raw_id ingest gives this item."""
        if self.filer.channel == "spool" or self.kind == "broken":
            return content_hash(self.payload)
        if self.filer.channel.startswith("tass_rss"):
            return rss_guid(self.item_id, self.version)
        if self.filer.channel == "ap_api":
            return f"{self.item_id}:{render.ap_version_of(self.version)}"
        return f"{self.item_id}:{self.version}"

    def truth(self) -> dict[str, object]:
        """The ground-truth line for this item."""
        return {
            "agency": self.filer.agency,
            "language": self.filer.language,
            "channel": self.filer.channel,
            "format": self.filer.format,
            "item_id": self.item_id,
            "version": self.version,
            "kind": self.kind,
            "event_key": self.event_key,
            "raw_key": self.raw_key,
            "sent_at": self.when.isoformat(),
        }


class Planner:
    """Generates `SimItem`s forever from a seed, starting at `start` (UTC)."""

    def __init__(self, seed: int, *, start: datetime, base_url: str = "http://127.0.0.1:8900") -> None:
        self.rng = random.Random(seed)
        self.clock = start
        self.base_url = base_url
        self.sequence = 0
        self.rounds = 0

    def items(self) -> Iterator[SimItem]:
        """The endless stream, one event round after another."""
        while True:
            yield from self.event_round()

    def event_round(self) -> list[SimItem]:
        """Every filer's copy on one new event, in time order."""
        event = EVENTS[self.rounds % len(EVENTS)]
        self.rounds += 1
        key = f"{event.key}-{self.rounds}"
        facts = draw_facts(self.rng)
        out: list[SimItem] = []
        for filer in FILERS:
            self.clock += timedelta(seconds=self.rng.randint(1, 20))
            story = write_story(event, facts, STYLES[(filer.agency, filer.language)], self.clock)
            first = self._first_take(filer, story, key)
            out.append(first)
            follow = self.rng.choice(_FOLLOW_UPS)
            if follow in _NOT_ON_RSS and filer.format == "rss":
                follow = None
            if follow is not None and (follow != "broken" or filer.channel == "spool"):
                self.clock += timedelta(seconds=self.rng.randint(5, 90))
                out.append(self._follow_up(first, story, follow))
        return out

    def _new_id(self, filer: Filer, story: Story) -> str:
        self.sequence += 1
        token = self.rng.getrandbits(64)
        if filer.format == "anpa1312":
            # ANPA names a story by its selector keyword alone; a number keeps each story's keyword its own.
            return f"BC-{story.slug.replace('-', '--', 1)}"[:18] + f"-{self.sequence % 10000:04d}"
        if filer.format == "iptc7901":
            # A 7901 story is named by its keyword line; a number keeps each story's line its own.
            return f"{story.slug.replace('-', '/')}/{self.sequence % 10000:04d}"
        return {
            "reuters": f"L8N{self.sequence:04d}{token % 36**4:06X}"[:11],
            "ap": f"{token:016x}{self.sequence:016x}",
            "afp": f"newsml.afp.com.{self.clock:%Y%m%d}.doc-{token % 36**6:x}",
            "tass": str(20_000_000 + self.sequence),
        }[filer.agency]

    def _first_take(self, filer: Filer, story: Story, key: str) -> SimItem:
        roll = self.rng.random()
        kind, urgency, embargo = "new", 4, None
        if roll < 0.1:
            kind, urgency = "flash", 1
            story = replace(story, paragraphs=story.paragraphs[:1])
        elif roll < 0.25:
            kind, urgency = "urgent", 3  # IPTC: FLASH 1, BULLETIN 2, URGENT 3
        elif roll < 0.32 and filer.format != "rss":
            kind, embargo = "embargo", self.clock + timedelta(hours=2)
        flags = {"flash": ("FLASH",), "urgent": ("URGENT",)}.get(kind, ())
        meta = ItemMeta(self._new_id(filer, story), 1, self.clock, urgency=urgency, flags=flags, embargo=embargo)
        return self._render(filer, story, meta, kind, key, first_created=self.clock)

    def _follow_up(self, first: SimItem, story: Story, kind: str) -> SimItem:
        if kind == "resend":
            return replace(first, kind="resend")
        if kind == "broken":
            return replace(first, kind="broken", payload=first.payload[: len(first.payload) // 2])
        filer = first.filer
        meta = ItemMeta(first.item_id, first.version + 1, self.clock)
        if kind == "rerun":
            story = rewrite_lightly(story, self.rng)
            meta = replace(meta, item_id=self._new_id(filer, story), version=1)
        else:
            # The text formats number a later version by its lead ("1st Ld-Writethru" is version 2).
            lead = f"{_ordinal(meta.version - 1)} Ld-Writethru"
            if kind == "kill":
                meta = replace(meta, pubstatus="canceled", signals=("kill",), flags=(lead, "KILL"))
                withdrawn = ("This story has been withdrawn.",)
                story = replace(story, headline="KILLED: " + story.headline, paragraphs=withdrawn)
            else:
                word = {"update": None, "correction": "CORRECTED", "refile": "REFILE"}[kind]
                meta = replace(meta, flags=(lead,) if word is None else (lead, word), signals=(kind,))
        first_created = first.when
        return self._render(filer, story, meta, kind, first.event_key, first_created=first_created)

    def _render(
        self, filer: Filer, story: Story, meta: ItemMeta, kind: str, key: str, *, first_created: datetime
    ) -> SimItem:
        record: dict[str, object] | None = None
        if filer.format == "newsml_g2":
            payload = render.newsml_g2(story, meta, agency=filer.agency, first_created=first_created)
        elif filer.format == "ap_json":
            record = render.ap_item(story, meta, base_url=self.base_url, first_created=first_created)
            payload = render.ap_item_document(record)
        elif filer.format == "anpa1312":
            payload = render.anpa(story, meta, msg_no=self.sequence)
        elif filer.format == "iptc7901":
            payload = render.iptc7901(story, meta, msg_no=self.sequence)
        else:
            link = f"{self.base_url}/tass/{filer.language}"
            guid = rss_guid(meta.item_id, meta.version)
            payload = render.rss_item(story, replace(meta, item_id=guid), link_base=link).encode("utf-8")
        return SimItem(filer, meta.item_id, meta.version, kind, key, self.clock, payload, record)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
