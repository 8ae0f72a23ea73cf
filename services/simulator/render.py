"""The simulator's documents, one function per wire format, modelled on real agency files.

Each renderer takes a `Story` and the item's metadata and returns a complete, valid document:
ANPA-1312 (AP's teletype), IPTC 7901 (TASS's English service on the spool), NewsML-G2 (Reuters, AFP),
AP Media API item JSON, and RSS 2.0 (TASS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

import orjson

from services.simulator.newscopy import Story

__all__ = ["ItemMeta", "anpa", "ap_item", "ap_item_document", "iptc7901", "newsml_g2", "rss_feed", "rss_item"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ANPA_PRIORITY = {1: "f", 2: "b", 3: "u", 4: "r", 5: "r", 6: "d"}


@dataclass(frozen=True, slots=True)
class ItemMeta:
    """What the wire says about an item besides its copy."""

    item_id: str
    version: int
    when: datetime
    urgency: int = 5
    pubstatus: str = "usable"
    signals: tuple[str, ...] = ()
    flags: tuple[str, ...] = field(default=())
    """Words the text formats print (``1st Ld-Writethru``, ``CORRECTED``, ``URGENT``)."""
    embargo: datetime | None = None


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _words(story: Story) -> int:
    return sum(len(p.split()) for p in story.paragraphs)


def anpa(story: Story, meta: ItemMeta, *, msg_no: int) -> bytes:
    """An AP ANPA-1312 take: SYN SYN SOH header, STX text, ETX trailer, FF EOT."""
    keyword = meta.item_id
    take = " ".join(meta.flags) or ""
    header = f"{_ANPA_PRIORITY.get(meta.urgency, 'r')} i\x13\x11 {keyword[:24]} {take}".rstrip()
    mmdd = meta.when.strftime("%m-%d")
    lines = [
        f"\x16\x16\x01w{msg_no % 10000:04d}\x1fintl",
        f"{header}   {mmdd} {_words(story)}",
        f"\x02^{keyword}{', ' + take if take else ''},{_words(story)}<",
        f"^{story.headline}<",
    ]
    if meta.embargo is not None:
        lines.append(f"^Eds: Embargoed until {meta.embargo.strftime('%H%M')} GMT.<")
    lines.append("^Associated Press=")
    for paragraph in story.paragraphs:
        lines += [f"\t   {paragraph}", ""]
    lines.append(f"\x03 AP-WF-{meta.when.strftime('%m-%d-%y %H%M')}GMT<")
    return ("\n".join(lines) + "\n\n\x0c\x04").encode("utf-8")


def iptc7901(story: Story, meta: ItemMeta, *, msg_no: int, source: str = "tass") -> bytes:
    """An IPTC 7901 message: SOH header, keyword line, STX flags and text, ETX stamp, EOT.

    The keyword line is the item id: it is what a 7901 agency repeats on every version of a story, while
    the header's service + message number (``ten0009``) numbers the transmission.
    """
    words = _words(story)
    stamp = f"{meta.when.strftime('%d%H%M')} GMT {_MONTHS[meta.when.month - 1]} {meta.when.strftime('%y')}"
    lines = [f"\x01ten{msg_no % 100000:04d} {min(meta.urgency, 6)} i {words}  {source} {msg_no % 1000:03d}", ""]
    lines.append(f"{meta.item_id}/")
    flags = [*meta.flags, *([f"EMBARGOED UNTIL {_iso(meta.embargo)}"] if meta.embargo else [])]
    lines.append("\x02" + "\r\n".join(flags).strip())
    lines += [f"{story.headline} =", ""]
    for paragraph in story.paragraphs:
        lines += [paragraph, ""]
    lines.append(f"\x03{stamp}")
    return ("\r\n".join(lines) + "\r\n\x7f\x04").encode("utf-8")


def newsml_g2(story: Story, meta: ItemMeta, *, agency: str, first_created: datetime) -> bytes:
    """A NewsML-G2 newsMessage holding one text newsItem, the way Reuters and AFP send them."""
    provider = {"reuters": "reuters.com", "afp": "afp.com"}[agency]
    guid = f"urn:newsml:{provider}:{meta.item_id}"
    signals = "".join(f'\n        <signal qcode="sig:{s}"/>' for s in meta.signals)
    embargo = f"\n        <embargoed>{_iso(meta.embargo)}</embargoed>" if meta.embargo else ""
    body = "".join(f"\n            <p>{escape(p)}</p>" for p in story.paragraphs)
    lang = story.language
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
  <header>
    <sent>{_iso(meta.when)}</sent>
    <sender>{provider}</sender>
    <priority>{meta.urgency}</priority>
  </header>
  <itemSet>
    <newsItem guid={quoteattr(guid)} version="{meta.version}" standard="NewsML-G2"
        standardversion="2.29" conformance="power" xml:lang="{lang}">
      <catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"/>
      <rightsInfo><copyrightHolder literal={quoteattr(agency.upper())}/></rightsInfo>
      <itemMeta>
        <itemClass qcode="ninat:text"/>
        <provider literal={quoteattr(provider)}/>
        <versionCreated>{_iso(meta.when)}</versionCreated>
        <firstCreated>{_iso(first_created)}</firstCreated>{embargo}
        <pubStatus qcode="stat:{meta.pubstatus}"/>{signals}
      </itemMeta>
      <contentMeta>
        <urgency>{meta.urgency}</urgency>
        <creator literal={quoteattr(agency.upper() if agency == "afp" else "Reuters")}/>
        <language tag="{lang}"/>
        <slugline>{escape(story.slug)}</slugline>
        <headline>{escape(story.headline)}</headline>
      </contentMeta>
      <contentSet>
        <inlineXML contenttype="application/xhtml+xml">
          <html xmlns="http://www.w3.org/1999/xhtml">
            <head><title/></head>
            <body>{body}
            </body>
          </html>
        </inlineXML>
      </contentSet>
    </newsItem>
  </itemSet>
</newsMessage>
""".encode()


def ap_version_of(version: int) -> int:
    """AP's `version` for our 1-based story version: AP counts edits from 0 (corpus ap_media_api)."""
    return version - 1


def ap_item(story: Story, meta: ItemMeta, *, base_url: str, first_created: datetime) -> dict[str, object]:
    """An AP Media API (2.x) item as it appears in `data.items[].item` of a feed page."""
    ap_version = ap_version_of(meta.version)
    return {
        "uri": f"{base_url}/ap/media/v/content/{meta.item_id}",
        "altids": {"itemid": meta.item_id, "etag": f"{meta.item_id}_{ap_version}", "friendlykey": meta.item_id[:11]},
        "version": ap_version,
        "type": "text",
        "profile": "Story",
        "language": story.language,
        "urgency": meta.urgency,
        "pubstatus": meta.pubstatus,
        "signals": ["newscontent", *meta.signals],
        "firstcreated": _iso(first_created)[:19] + "Z",
        "versioncreated": _iso(meta.when)[:19] + "Z",
        **({"embargoed": _iso(meta.embargo)[:19] + "Z"} if meta.embargo else {}),
        "headline": story.headline,
        "headline_extended": story.paragraphs[0][:160],
        "slugline": story.slug,
        "ednote": " ".join(meta.flags),
        "bylines": [{"by": "The Associated Press"}],
        "provider": "AP",
        "description_summary": story.paragraphs[0],
        "body_text": "\n\n".join(story.paragraphs),
        "renditions": {"nitf": {"title": "NITF Story Download", "href": f"{base_url}/ap/nitf/{meta.item_id}"}},
    }


def ap_item_document(item: dict[str, object]) -> bytes:
    """One item as the AP item endpoint returns it: the bytes ingest publishes for an AP feed item."""
    return orjson.dumps({"api_version": "2.0", "data": {"item": item}})


def rss_item(story: Story, meta: ItemMeta, *, link_base: str) -> str:
    """One RSS 2.0 `<item>` (TASS style: title, link, guid, pubDate, description, full text)."""
    link = f"{link_base}/{meta.item_id}"
    words = {1: ("МОЛНИЯ: ", "FLASH: "), 3: ("СРОЧНО: ", "URGENT: ")}.get(meta.urgency, ("", ""))
    title = words[0 if story.language == "ru" else 1] + story.headline
    return (
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f'<guid isPermaLink="false">{escape(meta.item_id)}</guid>'
        f"<pubDate>{format_datetime(meta.when, usegmt=True)}</pubDate>"
        f"<category>{escape(story.slug)}</category>"
        f"<description>{escape(story.paragraphs[0])}</description>"
        f"<yandex:full-text>{escape(chr(10).join(story.paragraphs))}</yandex:full-text></item>"
    )


def rss_feed(items: list[str], *, title: str, link: str, language: str, built: datetime) -> bytes:
    """An RSS 2.0 document around `items` (newest first, as feeds list them)."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:yandex="http://news.yandex.ru">\n<channel>\n'
        f"<title>{escape(title)}</title><link>{escape(link)}</link><language>{language}</language>"
        f"<lastBuildDate>{format_datetime(built, usegmt=True)}</lastBuildDate>\n"
    )
    return (head + "\n".join(items) + "\n</channel>\n</rss>\n").encode("utf-8")
