"""Publish stage benchmark on the broker: stories/s with transactions on, and latency at a steady 200 stories/s.

The stage runs as its own process (`python -m services.publish`, as in production), with the repository's
routing rules (deploy/routing.yaml), on a fresh topic namespace per run, so its state starts empty.

* **Throughput.** The publisher is started and warmed up (one story through), then N enriched stories are
  written to wire.clustered.v1 in ONE producer transaction: a read_committed consumer (the publisher) sees
  none of them until the commit, so the clock starts at the commit and no producer speed is measured.
  The clock stops when the last of them is visible on stories.published.v1 to a read_committed reader.
* **Latency.** Stories are produced one every 5 ms against a warmed-up publisher; a story's latency is the
  timestamp of its record on stories.published.v1 (set when the publisher sends it, inside its transaction)
  minus the timestamp of its input record (set when the bench sends it). "Visible" adds what a read_committed
  consumer waits on top: the transaction's commit and the reader's fetch.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.workspace import fresh_namespace, own_broker, produce
from shared.kafka.broker import free_port
from shared.models import Dateline, Entity, Lineage, Place, Story, Subject, utcnow
from shared.serde import encode
from shared.topics import CLUSTERED, PUBLISHED

__all__ = ["LatencyRun", "measure_latency", "measure_throughput", "run_on_broker", "synthetic_stories"]

REPEATS = 3
THROUGHPUT_STORIES = 5_000
RATE = 200  # stories/s for the latency runs
LATENCY_SECONDS = 10.0
WARM_SECONDS = 2.0
GOAL_RATE = 2_000
GOAL_P99_MS = 50.0

_SUBJECTS = (
    Subject(scheme="subj", code="11000000", name="politics", source="agency"),
    Subject(scheme="subj", code="04000000", name="economy, business and finance", source="agency"),
    Subject(scheme="subj", code="15000000", name="sport", source="agency"),
    Subject(scheme="medtop", code="20000385", name="commodity market", source="classifier", confidence=0.8),
    Subject(scheme="subj", code="01000000", name="arts, culture and entertainment", source="agency"),
)
_AGENCIES = ("reuters", "ap", "afp", "tass")
_WORDS = (
    "government", "minister", "said", "on", "Tuesday", "that", "the", "talks", "would", "resume", "after",
    "the", "vote", "in", "parliament", "where", "prices", "rose", "sharply", "as", "traders", "weighed", "the",
    "outlook", "for", "growth", "and", "officials", "warned", "of", "further", "delays", "in", "the", "port",
    "city", "while", "police", "reported", "no", "injuries", "and", "the", "company", "declined", "to",
    "comment", "on", "the", "report",
)  # fmt: skip


def synthetic_stories(count: int, batch: str, seed: int = 11) -> list[Story]:
    """`count` enriched stories shaped like the merge stage's output: ~250-word bodies, subjects, places.

    One in twenty is a bulletin (the alerts desk), a quarter are TASS (the Russia desk); every story goes to
    the two base topics and most to one subject desk, so a story averages about three documents.
    """
    rng = random.Random(seed)
    now = utcnow()
    stories = []
    for number in range(count):
        agency = _AGENCIES[number % len(_AGENCIES)]
        paragraphs = [" ".join(rng.choices(_WORDS, k=50)).capitalize() + "." for _ in range(5)]
        agency_id = f"{batch}-{number}"
        stories.append(
            Story(
                id=f"{agency}:{agency_id}",
                agency=agency,
                agency_id=agency_id,
                format="ninjs",
                headline=" ".join(rng.choices(_WORDS, k=9)).capitalize(),
                byline="By Staff Reporter",
                dateline=Dateline(text="LONDON, Nov 28", place="LONDON"),
                language="en",
                language_detected="en",
                urgency=2 if number % 20 == 0 else 4,
                first_created=now,
                version_created=now,
                body_text="\n\n".join(paragraphs),
                subjects=[rng.choice(_SUBJECTS)],
                keywords=["bench"],
                places=[Place(name="London", country="GB", role="dateline")],
                people=[Entity(name="Jane Doe", source="gazetteer")],
                lineage=Lineage(
                    raw_id=f"bench:{agency_id}",
                    feed="bench",
                    content_hash="0" * 64,
                    source_ref=f"bench:{agency_id}",
                    received_at=now - timedelta(seconds=1),
                ),
            )
        )
    return stories


@dataclass(frozen=True)
class LatencyRun:
    """Latencies (ms) of one steady-rate run: at the stage (record timestamps) and as seen by a reader."""

    stage_ms: list[float]
    visible_ms: list[float]
    achieved_rate: float


class _Bench:
    """One namespace with the publish service running on it, warmed up."""

    def __init__(self, bootstrap: str, workdir: Path) -> None:
        self.bootstrap = bootstrap
        self.workdir = workdir

    def __enter__(self) -> _Bench:
        created = fresh_namespace(self.bootstrap, self.workdir, "bp")
        self.namespace = created.name
        self.source = self.namespace + CLUSTERED
        self.target = self.namespace + PUBLISHED
        self.supervisor = created.supervisor()
        self.supervisor.start("publish", free_port())
        self.supervisor.wait_healthy(timeout=180)
        asyncio.run(self._warm_up())
        return self

    def __exit__(self, *_: object) -> None:
        self.supervisor.stop()

    async def _warm_up(self) -> None:
        # Healthy comes before the consumer has its partitions; one story through proves the loop runs.
        [story] = synthetic_stories(1, "warmup")
        reader = await self._reader()
        try:
            await produce(self.bootstrap, self.source, [(story.id, story)])
            await _wait_for(reader, {story.id.encode()}, timeout=180)
        finally:
            await reader.stop()

    async def _reader(self) -> AIOKafkaConsumer:
        reader = AIOKafkaConsumer(
            self.target,
            bootstrap_servers=self.bootstrap,
            group_id=None,
            auto_offset_reset="latest",
            isolation_level="read_committed",
            fetch_max_wait_ms=20,
        )
        await reader.start()
        await reader.seek_to_end()
        return reader


async def _wait_for(reader: AIOKafkaConsumer, keys: set[bytes], timeout: float) -> dict[bytes, tuple[int, float]]:
    """Record timestamp (ms) and the wall time it was read, of each of `keys` on the reader's topic."""
    seen: dict[bytes, tuple[int, float]] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(keys):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(keys) - len(seen)} of {len(keys)} stories not published in {timeout:.0f}s")
        batch = await reader.getmany(timeout_ms=200)
        read_at = time.time()
        for records in batch.values():
            for record in records:
                if record.key in keys and record.key not in seen:
                    seen[record.key] = (record.timestamp, read_at)
    return seen


def measure_throughput(bootstrap: str, workdir: Path, count: int = THROUGHPUT_STORIES) -> float:
    """Stories per second through a fresh publish service, from the commit of `count` stories to the last visible."""
    stories = synthetic_stories(count, f"tp{uuid.uuid4().hex[:4]}")
    payloads = [(story.id.encode(), encode(story)) for story in stories]
    with _Bench(bootstrap, workdir) as bench:

        async def timed() -> float:
            reader = await bench._reader()
            producer = AIOKafkaProducer(
                bootstrap_servers=bootstrap, transactional_id=f"{bench.namespace}bench", linger_ms=5
            )
            await producer.start()
            try:
                await producer.begin_transaction()
                for key, value in payloads:
                    await producer.send(bench.source, value, key=key)
                await producer.flush()
                started = time.perf_counter()
                await producer.commit_transaction()
                await _wait_for(reader, {key for key, _ in payloads}, timeout=600)
                return time.perf_counter() - started
            finally:
                await producer.stop()
                await reader.stop()

        return count / asyncio.run(timed())


def measure_latency(bootstrap: str, workdir: Path, rate: float = RATE, seconds: float = LATENCY_SECONDS) -> LatencyRun:
    """Per-story latency through a publish service fed at a steady `rate`, after a warm-up at that rate.

    The warm-up (WARM_SECONDS at the same rate, not counted) is what a running desk has behind it: the
    broker's JIT and the transaction coordinator's first rounds would otherwise be measured as the stage.
    """
    batch = uuid.uuid4().hex[:4]
    warm_up = synthetic_stories(int(rate * WARM_SECONDS), f"wu{batch}")
    stories = synthetic_stories(int(rate * seconds), f"lt{batch}")
    with _Bench(bootstrap, workdir) as bench:

        async def steady(chosen: list[Story]) -> LatencyRun:
            payloads = [(story.id.encode(), encode(story)) for story in chosen]
            reader = await bench._reader()
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
            await producer.start()
            sent: dict[bytes, int] = {}

            async def feed() -> float:
                began = time.perf_counter()
                for number, (key, value) in enumerate(payloads):
                    # An absolute schedule, so a late send is followed by an early one and the rate holds.
                    await asyncio.sleep(max(0.0, began + number / rate - time.perf_counter()))
                    sent[key] = int(time.time() * 1000)
                    await producer.send(bench.source, value, key=key, timestamp_ms=sent[key])
                return len(payloads) / (time.perf_counter() - began)

            try:
                achieved, seen = await asyncio.gather(
                    feed(), _wait_for(reader, {key for key, _ in payloads}, timeout=300)
                )
            finally:
                await producer.stop()
                await reader.stop()
            return LatencyRun(
                stage_ms=sorted(float(seen[key][0] - sent[key]) for key in sent),
                visible_ms=sorted(seen[key][1] * 1000 - sent[key] for key in sent),
                achieved_rate=achieved,
            )

        asyncio.run(steady(warm_up))
        return asyncio.run(steady(stories))


def _percentile(values: Sequence[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(len(values) * fraction))]


def run_on_broker(bootstrap: str, workdir: Path) -> str:
    """The markdown section for BENCHMARKS.md."""
    rates = [measure_throughput(bootstrap, workdir) for _ in range(REPEATS)]
    latencies = [measure_latency(bootstrap, workdir) for _ in range(REPEATS)]
    rate = statistics.median(rates)
    p99 = statistics.median(_percentile(run.stage_ms, 0.99) for run in latencies)

    def row(name: str, pick: str) -> str:
        per_run = [getattr(run, pick) for run in latencies]
        cells = [statistics.median(_percentile(v, q) for v in per_run) for q in (0.5, 0.9, 0.99)]
        worst = max(v[-1] for v in per_run)
        return f"| {name} | " + " | ".join(f"{c:.1f}" for c in cells) + f" | {worst:.0f} |"

    return "\n".join(
        [
            "## Publish: exactly-once stage",
            "",
            "`python -m services.publish` as its own process (aiokafka transactions: documents, state and offsets "
            "in one transaction per batch), deploy/routing.yaml, ninjs 3.1, fresh state per run. Stories are "
            "enriched ~250-word stories; each goes to ~3 topics (published, latest, a desk; 1 in 20 to alerts).",
            "",
            f"**Throughput**: {THROUGHPUT_STORIES:,} stories committed to `wire.clustered.v1` in one transaction, "
            "clocked from that commit until the last is visible on `stories.published.v1` to a read_committed "
            f"reader: **{rate:,.0f} stories/s** median (runs: {', '.join(f'{r:,.0f}' for r in rates)}; "
            f"goal ≥ {GOAL_RATE:,}).",
            "",
            f"**Latency** at a steady {RATE} stories/s for {LATENCY_SECONDS:.0f} s, after {WARM_SECONDS:.0f} s at "
            "that rate not counted "
            f"(achieved {statistics.median(run.achieved_rate for run in latencies):.0f}/s), median of "
            f"{REPEATS} runs; stage = output record timestamp − input record timestamp; visible = read by a "
            f"read_committed consumer − input timestamp. **p99 {p99:.1f} ms** (goal ≤ {GOAL_P99_MS:.0f} ms).",
            "",
            "| latency (ms) | p50 | p90 | p99 | max |",
            "|---|---|---|---|---|",
            row("stage", "stage_ms"),
            row("visible (read_committed)", "visible_ms"),
            "",
        ]
    )


if __name__ == "__main__":
    import sys

    workdir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/wiredesk-bench-publish")
    with own_broker(workdir) as broker:
        print(run_on_broker(broker.bootstrap, workdir))
