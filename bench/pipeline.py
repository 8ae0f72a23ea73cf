"""Stories per second through the whole pipeline, beside a plain aiokafka pass-through of as many hops.

Both runs use the same broker, the same number of records and one process per hop. Records are produced
to wire.raw.v1 before the clock starts; the clock stops when the last one is on stories.published.v1.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer

from bench.workspace import fresh_namespace, is_package, produce, timestamp_span
from cli.supervisor import STAGES
from shared.models import RawEnvelope
from shared.topics import PUBLISHED, RAW

PIPELINE_STAGES = ["parse", "dedup", "enrich", "merge", "publish"]
REPEATS = 3
STORIES = 2000
_SYLLABLES = "ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru ta te ti to tu"


def _vocabulary(size: int, seed: int = 3) -> list[str]:
    """`size` made-up words: news text is sparse, so stories share few content words (as real ones do)."""
    rng = random.Random(seed)
    syllables = _SYLLABLES.split()
    return sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size)})


WORDS = _vocabulary(5000)


def synthetic_raw(count: int, seed: int = 7) -> list[RawEnvelope]:
    """`count` distinct ninjs stories of random words (no two are near-duplicates or one event)."""
    rng = random.Random(seed)
    envelopes = []
    for i in range(count):
        body = "\n\n".join(" ".join(rng.choices(WORDS, k=40)) + "." for _ in range(4))
        doc = {
            "uri": f"urn:bench:{i}",
            "version": "1",
            "type": "text",
            "language": "en",
            "headlines": [{"value": " ".join(rng.choices(WORDS, k=8)).capitalize()}],
            "bodies": [{"role": "main", "contenttype": "text/plain", "value": body}],
            "versioncreated": "2026-11-28T12:00:00Z",
        }
        payload = orjson.dumps({"$schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json", **doc})
        envelopes.append(
            RawEnvelope.wrap(payload, feed="bench", agency="bench", source_ref=f"bench:{i}", item_id=str(i))
        )
    return envelopes


async def _count_until(bootstrap: str, topic: str, expected: int, timeout: float, started: float) -> float:
    """Seconds from `started` until `expected` stories are on `topic` (read from the beginning); inf on timeout.

    Event packages share the published topic with stories; they are not counted.
    """
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    seen = 0
    try:
        while seen < expected:
            if time.perf_counter() - started > timeout:
                return float("inf")
            batch = await consumer.getmany(timeout_ms=500)
            seen += sum(1 for records in batch.values() for record in records if not is_package(record.key))
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def _timed(bootstrap: str, source: str, target: str, count: int, timeout: float) -> float:
    """Seconds from the first record produced to `source` until `count` records are on `target`."""
    envelopes = synthetic_raw(count)
    counting = asyncio.create_task(_count_until(bootstrap, target, count, timeout, time.perf_counter()))
    await produce(bootstrap, source, ((envelope.raw_id, envelope) for envelope in envelopes))
    return await counting


def run_pipeline(bootstrap: str, count: int, workdir: Path, timeout: float = 600) -> float:
    """Stories per second through parse → dedup → enrich → merge → publish."""
    namespace = fresh_namespace(bootstrap, workdir, "b")
    supervisor = namespace.supervisor()
    try:
        for name in PIPELINE_STAGES:
            supervisor.start(name, STAGES[name] + 100)
        supervisor.wait_healthy(timeout=180)
        elapsed = asyncio.run(_timed(bootstrap, namespace.name + RAW, namespace.name + PUBLISHED, count, timeout))
    finally:
        supervisor.stop()
    return count / elapsed


def run_passthrough(bootstrap: str, count: int, timeout: float = 600) -> float:
    """Records per second through as many plain aiokafka hops as the pipeline has stages."""
    namespace = f"p{uuid.uuid4().hex[:6]}."
    hops = [f"{namespace}hop{i}.v1" for i in range(len(PIPELINE_STAGES) + 1)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.passthrough",
                "--bootstrap",
                bootstrap,
                "--source",
                source,
                "--target",
                target,
                "--group",
                f"{namespace}g{i}",
            ],
        )
        for i, (source, target) in enumerate(itertools.pairwise(hops))
    ]
    try:
        time.sleep(5)  # let every hop join its group before the clock starts
        elapsed = asyncio.run(_timed(bootstrap, hops[0], hops[-1], count, timeout))
    finally:
        for process in processes:
            process.terminate()
            process.wait()
    return count / elapsed


STAGE_TOPICS = {
    "parse": ("wire.raw.v1", "wire.parsed.v1"),
    "dedup": ("wire.parsed.v1", "wire.unique.v1"),
    "enrich": ("wire.unique.v1", "wire.enriched.v1"),
    "merge": ("wire.enriched.v1", "wire.clustered.v1"),
    "publish": ("wire.clustered.v1", PUBLISHED),
}


def run_stages_alone(bootstrap: str, count: int, workdir: Path, timeout: float = 600) -> dict[str, float]:
    """Stories per second of each stage run alone on a full backlog (the previous stage's output).

    Stages run one after another, each reading what the one before wrote, so each has both cores and a
    backlog; the rate is taken from the output records' timestamps, so start-up is not counted.
    """
    namespace = fresh_namespace(bootstrap, workdir, "s")
    raw = synthetic_raw(count)
    asyncio.run(produce(bootstrap, namespace.name + RAW, ((envelope.raw_id, envelope) for envelope in raw)))
    rates: dict[str, float] = {}
    for name in PIPELINE_STAGES:
        supervisor = namespace.supervisor()
        try:
            supervisor.start(name, STAGES[name] + 100)
            supervisor.wait_healthy(timeout=180)
            output = namespace.name + STAGE_TOPICS[name][1]
            seen, seconds = asyncio.run(timestamp_span(bootstrap, output, count, timeout))
            rates[name] = (count - 1) / seconds if seen == count else 0.0
        finally:
            supervisor.stop()
    return rates


def run_on_broker(bootstrap: str, workdir: Path) -> str:
    """The markdown section for BENCHMARKS.md."""
    pipeline, passthrough = [], []
    for _ in range(REPEATS):
        passthrough.append(run_passthrough(bootstrap, STORIES))
        pipeline.append(run_pipeline(bootstrap, STORIES, workdir))
    alone = [run_stages_alone(bootstrap, STORIES, workdir) for _ in range(REPEATS)]
    p, c = statistics.median(pipeline), statistics.median(passthrough)
    runs = ", ".join(f"{x:.0f}" for x in pipeline)
    ceiling = ", ".join(f"{x:.0f}" for x in passthrough)
    return "\n".join(
        [
            "## Whole pipeline vs. plain pass-through",
            "",
            f"{STORIES} distinct ninjs stories produced to `wire.raw.v1`, clocked until the last is on "
            "`stories.published.v1` (parse → dedup → enrich → merge → publish, one process each, 1 partition). "
            "The ceiling is a plain aiokafka consumer→producer per hop, same hops, same broker, no processing.",
            "",
            "| run | stories/s (median) | runs |",
            "|---|---|---|",
            f"| wiredesk pipeline | {p:.0f} | {runs} |",
            f"| aiokafka pass-through (ceiling) | {c:.0f} | {ceiling} |",
            f"| ratio pipeline / ceiling | {p / c:.2f} | |",
            "",
            "Each stage alone, as a service on the broker, on a backlog of the same stories (the previous "
            "stage's output), one after another so each has both cores; rate from the first to the last output "
            "record's timestamp, so start-up is not counted. The whole pipeline shares two cores between five "
            "stages and the broker, so it runs at about the harmonic sum of these, not the slowest alone.",
            "",
            "| stage | stories/s (median) | runs |",
            "|---|---|---|",
            *(
                f"| {name} | {statistics.median(run[name] for run in alone):.0f} | "
                + ", ".join(f"{run[name]:.0f}" for run in alone)
                + " |"
                for name in PIPELINE_STAGES
            ),
            "",
        ]
    )
