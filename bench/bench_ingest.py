"""The ingest service on the broker: items per second acknowledged by Kafka, per connector.

The service runs as its own process (`python -m services.ingest`) with one feed at a time, publishing to
`wire.raw.v1` with acks from all replicas; the rate is taken from the first to the last record's
timestamp, so start-up is not counted. Spool: files already complete in the folder when the service
starts, claimed (one rename each, all before the first record, so not in the span) into chunks of one
record batch each, a chunk archived with one folder rename only after its ack. APIs: the agency simulator over
loopback with a backlog of items of that one channel already available (`--backlog`, `--channels`).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.pipeline import synthetic_raw
from bench.workspace import fresh_namespace, own_broker, timestamp_span
from cli.commands.run import SIMULATOR_CREDENTIALS
from shared.kafka.broker import free_port
from shared.topics import RAW

SPOOL_FILES = 5_000
API_BACKLOG = 5_000
REPEATS = 3


@dataclass(frozen=True, slots=True)
class Source:
    """One connector to clock: its row label, the simulator channel and the feed of deploy/feeds.yaml."""

    label: str
    channel: str
    feed: str
    backlog: int


SOURCES = (
    Source("AP Media API (cursor)", "ap_api", "ap-media", API_BACKLOG),
    Source("Reuters Connect (GraphQL cursor)", "reuters_api", "reuters-connect", API_BACKLOG),
    Source("AFP search (paged by date)", "afp_api", "afp-search", API_BACKLOG),
)


def spool_rate(bootstrap: str, workdir: Path) -> float:
    """Files/s from a spool folder holding SPOOL_FILES complete files."""
    namespace = fresh_namespace(bootstrap, workdir, "ing")
    spool = namespace.folder / "spool"
    spool.mkdir(parents=True)
    for number, envelope in enumerate(synthetic_raw(SPOOL_FILES)):
        (spool / f"story-{number:05d}.json").write_bytes(envelope.payload)
    supervisor = namespace.supervisor()
    try:
        supervisor.start(
            "ingest", free_port(), extra_env={"WIREDESK_INGEST_FEEDS": "spool", "WIREDESK_SPOOL_DIR": str(spool)}
        )
        seen, seconds = asyncio.run(timestamp_span(bootstrap, namespace.name + RAW, SPOOL_FILES, 300, quiet_seconds=10))
    finally:
        supervisor.stop()
    if seen < SPOOL_FILES:
        raise RuntimeError(f"ingest bench: {SPOOL_FILES - seen} spool files never reached {RAW}")
    return (seen - 1) / seconds


def source_rate(bootstrap: str, workdir: Path, source: Source) -> tuple[float, int]:
    """Items/s from one simulated agency with its backlog already there, and how many distinct items."""
    namespace = fresh_namespace(bootstrap, workdir, "ing")
    folder = namespace.folder
    folder.mkdir(parents=True, exist_ok=True)
    simulator_port = free_port()
    truth = folder / "truth.jsonl"
    command = [sys.executable, "-m", "services.simulator", "--port", str(simulator_port), "--truth", str(truth)]
    command += ["--spool", str(folder / "unused"), "--channels", source.channel, "--backlog", str(source.backlog)]
    simulator = subprocess.Popen(
        [*command, "--duration", "0", "--linger", "600"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    supervisor = namespace.supervisor()
    try:
        assert simulator.stderr is not None
        while b"done" not in simulator.stderr.readline():
            if simulator.poll() is not None:
                raise RuntimeError("ingest bench: the simulator exited")
        # Distinct items: an exact re-send has the raw_id of its first copy.
        items = len({orjson.loads(line)["raw_key"] for line in truth.read_bytes().splitlines()})
        env = {**SIMULATOR_CREDENTIALS, "WIREDESK_INGEST_FEEDS": source.feed}
        env["WIREDESK_SIMULATOR_URL"] = f"http://127.0.0.1:{simulator_port}"
        supervisor.start("ingest", free_port(), extra_env=env)
        seen, seconds = asyncio.run(timestamp_span(bootstrap, namespace.name + RAW, items, 300, quiet_seconds=10))
    finally:
        supervisor.stop()
        simulator.terminate()
        simulator.wait()
    if seen < items:
        raise RuntimeError(f"ingest bench: {items - seen} {source.feed} items never reached {RAW}")
    return (seen - 1) / seconds, items


def _row(label: str, rates: list[float], items: int, goal: str) -> str:
    runs = ", ".join(f"{rate:,.0f}" for rate in rates)
    return f"| {label} | {items:,} | {statistics.median(rates):,.0f} | {runs} | {goal} |"


def run_on_broker(bootstrap: str, workdir: Path, repeats: int = REPEATS) -> str:
    """The markdown section: one row per connector, the median of `repeats` runs each."""
    rows = [_row("spool folder", [spool_rate(bootstrap, workdir) for _ in range(repeats)], SPOOL_FILES, "≥ 5,000")]
    for source in SOURCES:
        runs = [source_rate(bootstrap, workdir, source) for _ in range(repeats)]
        rows.append(_row(source.label, [rate for rate, _ in runs], runs[0][1], "≥ 2,000"))
    return "\n".join(
        [
            "## Ingest: items acknowledged by Kafka per second, per connector",
            "",
            "The ingest service as its own process running one feed, `acks=all`, idempotent producer; rate from "
            "the first to the last record's timestamp on `wire.raw.v1`. Spool: ready files claimed (before the "
            "first record: ~30 µs a file, outside the span), sent a record batch per chunk of ~200 files, each "
            "chunk's folder archived only after its ack. APIs: the simulator over loopback with a backlog of that "
            "agency's items already available; a page's items are published together and its cursor saved once "
            "all are acked. "
            "RSS has no row: a feed holds its last few dozen items (the simulator's, 40), which one poll publishes "
            "in one produce batch, so its pace is the feed's window per poll interval, not ingest's speed.",
            "",
            f"| connector | items | items/s (median of {repeats}) | runs | goal |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


if __name__ == "__main__":
    workdir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/wiredesk-bench-ingest")
    with own_broker(workdir) as broker:
        print(run_on_broker(broker.bootstrap, workdir, int(sys.argv[2]) if len(sys.argv) > 2 else REPEATS))
