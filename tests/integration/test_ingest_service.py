"""The ingest service on the real broker: against the agency simulator (killed with -9 mid-stream, and with
the simulator injecting faults), a spool folder with files still being written, and the push endpoint.

The simulator plays Reuters (GraphQL), AP (cursor API), AFP (search API), TASS (two RSS feeds) and spool
drops, and writes the ground truth of every item it made available. Ingest is at least once: a crash may
make it read an item again, always under the same raw_id, never lose one, never invent one.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml
from aiokafka import AIOKafkaProducer

from cli.commands.run import SIMULATOR_CREDENTIALS
from cli.supervisor import Supervisor
from services.ingest.app import BatchSender
from services.ingest.push import SIGNATURE_HEADER, sign
from shared.kafka.admin import apply_topics
from shared.kafka.broker import free_port
from shared.kafka.partition import partition_for
from shared.kafka.producer import MAX_BATCH_BYTES
from shared.models import DeadLetter, RawEnvelope
from shared.serde import decode
from shared.settings import PROJECT_ROOT
from shared.topics import RAW, deadletter_topic, spec
from tests.integration.conftest import high_watermark, read_until, scrape

pytestmark = pytest.mark.broker

# Feed names of deploy/feeds.yaml for the simulator's channels.
FEEDS = {
    "spool": "spool",
    "ap_api": "ap-media",
    "reuters_api": "reuters-connect",
    "afp_api": "afp-search",
    "tass_rss_ru": "tass-ru",
    "tass_rss_en": "tass-en",
}
RATE = 20.0
DURATION = 12.0
PUSH_SECRET = "test-push-secret"


def truth_raw_ids(truth: Path) -> list[str]:
    """The raw_id of every delivery the simulator logged (an exact re-send is there twice)."""
    lines = [orjson.loads(line) for line in truth.read_bytes().splitlines()]
    return [f"{FEEDS[line['channel']]}:{line['raw_key']}" for line in lines]


def expected_raw_ids(truth: Path) -> set[str]:
    return set(truth_raw_ids(truth))


def keys(records: list[dict[str, Any]]) -> Counter[str]:
    return Counter(str(record["key"]) for record in records)


def start_ingest(
    pipeline: Supervisor,
    tmp_path: Path,
    port: int,
    feeds: Iterable[str],
    *,
    settings: Mapping[str, Mapping[str, object]] | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Start ingest on `feeds` of deploy/feeds.yaml, each with its `settings` overridden; wait until healthy."""
    config = yaml.safe_load((PROJECT_ROOT / "deploy" / "feeds.yaml").read_text())
    for feed in config["feeds"]:
        feed.update((settings or {}).get(feed["name"], {}))
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(yaml.safe_dump(config))
    ingest_env = {
        **SIMULATOR_CREDENTIALS,
        "WIREDESK_INGEST_FEEDS_FILE": str(feeds_file),
        "WIREDESK_INGEST_FEEDS": ",".join(feeds),
        "WIREDESK_SPOOL_DIR": str(tmp_path / "spool"),
        **(env or {}),
    }
    pipeline.start("ingest", port, extra_env=ingest_env)
    pipeline.wait_healthy(["ingest"], timeout=60)


def start_simulator(pipeline: Supervisor, tmp_path: Path, port: int, *args: str) -> Any:
    spool, truth = tmp_path / "spool", tmp_path / "truth.jsonl"
    common = ["--port", str(port), "--spool", str(spool), "--truth", str(truth), "--linger", "300"]
    return pipeline.start("simulator", free_port(), [*common, *args])


def wait_until_done(simulator: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while b"simulator: done" not in simulator.log_path.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert simulator.process.poll() is None, f"the simulator exited; see {simulator.log_path}"
    assert b"simulator: done" in simulator.log_path.read_bytes(), "the simulator did not finish in time"


def test_kill_nine_of_ingest_loses_and_invents_nothing(pipeline: Supervisor, bootstrap: str, tmp_path: Path) -> None:
    simulator_port, ingest_port = free_port(), free_port()
    (tmp_path / "spool").mkdir(parents=True, exist_ok=True)
    sim_url = {"WIREDESK_SIMULATOR_URL": f"http://127.0.0.1:{simulator_port}"}
    start_ingest(pipeline, tmp_path, ingest_port, FEEDS.values(), env=sim_url)
    simulator = start_simulator(
        pipeline, tmp_path, simulator_port, "--rate", str(RATE), "--duration", str(DURATION), "--seed", "5"
    )

    time.sleep(DURATION / 3)
    pipeline.kill("ingest")
    time.sleep(1.0)
    start_ingest(pipeline, tmp_path, ingest_port, FEEDS.values(), env=sim_url)
    wait_until_done(simulator, DURATION + 60)

    expected = expected_raw_ids(tmp_path / "truth.jsonl")
    assert len(expected) > RATE * DURATION / 2
    assert {raw_id.split(":", 1)[0] for raw_id in expected} == set(FEEDS.values())

    ns = pipeline.namespace
    records = asyncio.run(read_until(bootstrap, ns + RAW, lambda found: expected <= set(keys(found)), timeout=90))
    published = keys(records)
    assert sorted(expected - set(published))[:5] == [], f"{len(expected - set(published))} items lost"
    assert sorted(set(published) - expected)[:5] == [], "items that the simulator never sent"
    repeated = {raw_id: n for raw_id, n in published.items() if n > 1}
    # At least once: a page read again after the crash repeats its items under the same raw_id.
    assert len(repeated) <= len(expected) // 4, f"{len(repeated)} items repeated"


def error_counts(url: str) -> Counter[str]:
    """wiredesk_ingest_errors_total by kind, summed over the feeds."""
    counts: Counter[str] = Counter()
    for (name, labels), value in scrape(url).items():
        if name == "wiredesk_ingest_errors_total":
            counts[dict(labels)["kind"]] += int(value)
    return counts


def test_agency_faults_neither_lose_nor_repeat_an_item(pipeline: Supervisor, bootstrap: str, tmp_path: Path) -> None:
    """429 with Retry-After, 500s, truncated bodies and answers slower than the feed's timeout, on every API
    and RSS feed: every item the simulator made available reaches wire.raw.v1 as often as it was delivered
    (no crash, so no repeat), and only truncated RSS documents are dead-lettered."""
    simulator_port, ingest_port = free_port(), free_port()
    channels = [channel for channel in FEEDS if channel != "spool"]
    api_feeds = [FEEDS[channel] for channel in channels]
    faults = "slow=0.15,slow_seconds=1.5,error=0.12,throttle=0.12,truncate=0.12"
    duration = 8.0
    simulator = start_simulator(
        pipeline, tmp_path, simulator_port, "--rate", "10", "--duration", str(duration), "--seed", "11",
        "--faults", faults, "--channels", ",".join(channels),
    )  # fmt: skip
    # A timeout well under the slow answers; RSS polled often, so its 40-item window never drops an item;
    # four attempts per request keep back-off short (a poll that runs out starts over from its checkpoint).
    settings = {name: {"timeout": 0.6, "poll_interval": 1.0} for name in api_feeds}
    start_ingest(
        pipeline, tmp_path, ingest_port, api_feeds, settings=settings,
        env={"WIREDESK_SIMULATOR_URL": f"http://127.0.0.1:{simulator_port}", "WIREDESK_INGEST_HTTP_MAX_ATTEMPTS": "4"},
    )  # fmt: skip
    wait_until_done(simulator, duration + 60)

    # An exact re-send is on a cursor API twice, as the agency sent it, and ingest writes both (dedup's
    # job to drop one); RSS's seen-set and AFP's paging by date take it once. Nothing else may repeat.
    deliveries = Counter(truth_raw_ids(tmp_path / "truth.jsonl"))
    once = {"afp-search", "tass-ru", "tass-en"}
    expected = Counter({raw_id: 1 if raw_id.split(":")[0] in once else n for raw_id, n in deliveries.items()})
    assert {raw_id.split(":", 1)[0] for raw_id in expected} == set(api_feeds)
    ns = pipeline.namespace
    records = asyncio.run(read_until(bootstrap, ns + RAW, lambda found: keys(found) >= expected, timeout=60))
    published = keys(records)
    assert sorted((expected - published).elements())[:5] == [], f"{(expected - published).total()} items lost"
    assert sorted((published - expected).elements())[:5] == [], "items published more often than delivered"
    # An API page cut short is not JSON and is fetched again: nothing dead-lettered. An RSS document cut
    # short is a broken feed document: dead-lettered once, bytes and reason, and the next poll reads the
    # whole feed (no validators were saved from the broken answer), which is why no item was lost above.
    dead = asyncio.run(read_until(bootstrap, ns + deadletter_topic("ingest"), lambda found: True, timeout=5))
    for letter in (decode(DeadLetter, orjson.dumps(record["value"])) for record in dead):
        assert (letter.stage, letter.code) == ("ingest", "bad_body")
        assert re.match(r"feed tass-(ru|en): feed is not well-formed XML", letter.reason), letter.reason
        assert letter.original.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss')

    errors = error_counts(f"http://127.0.0.1:{ingest_port}/metrics")
    # Every fault happened and was seen for what it is (each kind is counted once per failed attempt).
    assert {kind: errors[kind] > 0 for kind in ("throttled", "http_500", "bad_body", "timeout")} == dict.fromkeys(
        ("throttled", "http_500", "bad_body", "timeout"), True
    ), errors


class Grower(threading.Thread):
    """Appends to a file every `every` seconds until stopped, as a slow FTP upload does."""

    def __init__(self, path: Path, every: float) -> None:
        super().__init__(daemon=True)
        self.path, self.every = path, every
        self.halt = threading.Event()
        self.written = b""

    def run(self) -> None:
        number = 0
        while not self.halt.is_set():
            chunk = b"line %04d of a story still being uploaded\n" % number
            with self.path.open("ab") as handle:
                handle.write(chunk)
            self.written += chunk
            number += 1
            self.halt.wait(self.every)


def test_half_written_spool_files_wait_and_push_answers_after_the_ack(
    pipeline: Supervisor, bootstrap: str, tmp_path: Path
) -> None:
    """A spool file under a temporary name, or still growing, is not published until complete (then once,
    whole); a push with a bad or missing signature gets 401 and writes nothing; a good one gets 202, and
    its record is already in the topic when the 202 arrives."""
    ingest_port = free_port()
    spool = tmp_path / "spool"
    spool.mkdir()
    start_ingest(
        pipeline, tmp_path, ingest_port, ["spool", "partner-push"],
        settings={"spool": {"poll_interval": 1.5}}, env={"WIREDESK_PUSH_SECRET": PUSH_SECRET},
    )  # fmt: skip
    raw = pipeline.namespace + RAW
    push_url = f"http://127.0.0.1:{ingest_port}/push/partner-push"

    late = b"\x01 a take written under a temporary name, renamed when complete \x03"
    (spool / "late.anpa.tmp").write_bytes(late)
    grower = Grower(spool / "growing.txt", every=0.05)
    grower.start()
    try:
        # 2 MB: past aiokafka's default request limit (1 MiB), well inside what wire.raw.v1 takes (16 MiB).
        body = b'{"headline": "pushed", "body_text": "' + b"long copy " * 200_000 + b'"}'
        forged = httpx.post(push_url, content=body, headers={SIGNATURE_HEADER: sign(body, b"wrong secret")})
        assert (forged.status_code, forged.json()["reason"]) == (401, "signature does not match the body")
        assert httpx.post(push_url, content=body).status_code == 401
        time.sleep(3 * 1.5)  # three scans: a stable file would have been claimed by now
        assert asyncio.run(high_watermark(bootstrap, raw)) == 0, "something was published too early"
        assert sorted(path.name for path in spool.iterdir() if path.is_file()) == ["growing.txt", "late.anpa.tmp"]

        accepted = httpx.post(push_url, content=body, headers={SIGNATURE_HEADER: sign(body, PUSH_SECRET.encode())})
        assert accepted.status_code == 202
        assert asyncio.run(high_watermark(bootstrap, raw)) == 1  # acknowledged before the answer
    finally:
        grower.halt.set()
        grower.join()
    (spool / "late.anpa.tmp").rename(spool / "late.anpa")

    asyncio.run(read_until(bootstrap, raw, lambda found: len(found) >= 3, timeout=45))
    time.sleep(2 * 1.5)  # two more scans: nothing else may come
    records = asyncio.run(read_until(bootstrap, raw, lambda found: len(found) >= 3, timeout=10))
    payloads = [decode(RawEnvelope, orjson.dumps(record["value"])).payload for record in records]
    assert sorted(payloads) == sorted([late, grower.written, body])
    assert accepted.json()["raw_id"] in {record["key"] for record in records}
    archived = {path.name: path.read_bytes() for path in (spool / "archive").glob("*/*")}  # chunk folders
    assert archived == {"growing.txt": grower.written, "late.anpa": late}
    assert not any((spool / "processing").iterdir())


def test_record_batches_land_where_their_keys_hash_in_call_order_and_a_big_one_goes_alone(bootstrap: str) -> None:
    """`BatchSender` (the spool's record batches) on a four-partition topic, with the app's producer; two
    calls at once are written in call order."""
    namespace = f"t{uuid.uuid4().hex[:8]}.p4."
    topic = namespace + RAW
    asyncio.run(apply_topics(bootstrap, [spec(RAW)], partitions=4, namespace=namespace))
    records = [(f"spool:{n:04d}".encode(), orjson.dumps({"n": n, "pad": "x" * 2000})) for n in range(600)]
    records.insert(300, (b"spool:big", orjson.dumps({"n": -1, "pad": "y" * (MAX_BATCH_BYTES + 1000)})))

    async def send() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", max_batch_size=MAX_BATCH_BYTES
        )
        await producer.start()
        try:
            sender = BatchSender(producer, topic)
            await asyncio.gather(sender.send(records[:350]), sender.send(records[350:]))
        finally:
            await producer.stop()

    asyncio.run(send())
    found = asyncio.run(read_until(bootstrap, topic, lambda found: len(found) >= len(records), timeout=30))
    assert sorted((record["key"], record["partition"]) for record in found) == sorted(
        (key.decode(), partition_for(key, [0, 1, 2, 3], [0, 1, 2, 3])) for key, _ in records
    )
    assert len({record["partition"] for record in found}) == 4
    big = next(record for record in found if record["key"] == "spool:big")
    assert len(big["value"]["pad"]) == MAX_BATCH_BYTES + 1000
    for partition in range(4):  # in each partition, in the order sent
        sent = [key.decode() for key, _ in records if partition_for(key, [0, 1, 2, 3], [0, 1, 2, 3]) == partition]
        got = sorted((r for r in found if r["partition"] == partition), key=lambda record: record["offset"])
        assert [record["key"] for record in got] == sent
