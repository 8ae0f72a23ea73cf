from datetime import UTC, datetime

import orjson
import pytest
from lxml import etree

from services.ingest.conditional import split_feed
from services.simulator.driver import Simulator
from services.simulator.plan import Planner
from services.simulator.render import rss_feed

START = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def take(seed, n):
    stream = Planner(seed, start=START).items()
    return [next(stream) for _ in range(n)]


def test_same_seed_same_items():
    assert [i.payload for i in take(7, 80)] == [i.payload for i in take(7, 80)]
    assert [i.payload for i in take(7, 80)] != [i.payload for i in take(8, 80)]


def test_every_agency_and_kind_appears():
    items = take(1, 600)
    assert {i.filer.agency for i in items} == {"reuters", "ap", "afp", "tass"}
    kinds = {i.kind for i in items}
    assert {
        "new",
        "flash",
        "urgent",
        "embargo",
        "update",
        "correction",
        "refile",
        "kill",
        "resend",
        "rerun",
        "broken",
    } <= kinds
    event = items[0].event_key
    assert {i.filer.language for i in items if i.event_key == event} == {"en", "fr", "ru"}


def test_xml_and_json_documents_are_well_formed():
    for item in take(2, 300):
        if item.kind == "broken":
            continue
        if item.filer.format == "newsml_g2":
            root = etree.fromstring(item.payload)
            assert root.tag.endswith("newsMessage")
        elif item.filer.format == "ap_json":
            assert orjson.loads(item.payload)["data"]["item"]["altids"]["itemid"] == item.item_id
        elif item.filer.format == "rss":
            ((guid, doc),) = split_feed(
                rss_feed([item.payload.decode()], title="T", link="l", language="en", built=START)
            )
            assert guid == item.raw_key and etree.fromstring(doc).find("channel/item") is not None
        else:
            assert item.payload.startswith((b"\x16\x16\x01", b"\x01")) and item.payload.endswith(b"\x04")


@pytest.mark.parametrize(
    ("module", "cls", "fmt"),
    [
        ("anpa", "AnpaParser", "anpa1312"),
        ("iptc7901", "Iptc7901Parser", "iptc7901"),
        ("newsml_g2", "NewsMLG2Parser", "newsml_g2"),
    ],
)
def test_parse_stage_reads_simulator_copy(module, cls, fmt):
    parser_module = pytest.importorskip(f"services.parse.formats.{module}")
    from services.parse.formats.base import FeedContext

    parser = getattr(parser_module, cls)()
    items = [i for i in take(3, 300) if i.filer.format == fmt and i.kind != "broken"]
    assert items
    for item in items:
        assert parser.sniff(item.payload), item.payload[:80]
        stories = parser.parse(item.payload, FeedContext(agency=item.filer.agency))
        assert stories and stories[0].headline


def test_spool_files_and_truth_log(tmp_path):
    sim = Simulator(1, spool=tmp_path / "spool", truth=tmp_path / "truth.jsonl")
    items = sim.emit(100)
    sim.close()
    lines = [orjson.loads(line) for line in (tmp_path / "truth.jsonl").read_bytes().splitlines()]
    assert len(lines) == 100 and lines[0]["item_id"] == items[0].item_id
    files = sorted((tmp_path / "spool").iterdir())
    assert len(files) == sum(1 for i in items if i.filer.channel == "spool")
    assert not any(f.name.endswith(".tmp") for f in files)


def test_ap_items_parse_to_the_planned_version():
    # AP counts versions from 0; the simulator once sent the 1-based version and every AP story came out one ahead.
    ap_media = pytest.importorskip("services.parse.formats.ap_media")
    from services.parse.formats.base import FeedContext

    parser = ap_media.ApMediaParser()
    items = [i for i in take(3, 400) if i.filer.format == "ap_json" and i.kind != "broken"]
    assert {i.version for i in items} >= {1, 2}, "the plan should include AP updates"
    for item in items:
        stories = parser.parse(item.payload, FeedContext(agency="ap"))
        assert [s.version for s in stories] == [item.version]


def test_rss_channels_plan_only_what_rss_can_say():
    # An RSS item states no version, kill or embargo: its feeds get new items, re-sends and re-runs.
    items = take(1, 1200)
    rss_kinds = {i.kind for i in items if i.filer.channel.startswith("tass_rss")}
    assert rss_kinds == {"new", "flash", "urgent", "resend", "rerun"}
    assert {"kill", "correction", "embargo"} <= {i.kind for i in items if not i.filer.channel.startswith("tass_rss")}
