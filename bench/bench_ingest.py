"""The ingest service on the broker: items per second acknowledged by Kafka, per connector.

The service runs as its own process (`python -m services.ingest`), publishing to `wire.raw.v1` with acks
from all replicas; the rate is taken from the first to the last record's timestamp, so start-up is not
counted. Spool: files already complete in the folder when the service starts (each claimed, published and
archived only after the ack). APIs: the agency simulator's AP, Reuters and AFP APIs and TASS RSS feeds over
loopback, with every item already available when ingest starts.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
from pathlib import Path

from bench.pipeline import synthetic_raw
from bench.workspace import fresh_namespace, own_broker, timestamp_span
from cli.commands.run import SIMULATOR_CREDENTIALS
from shared.kafka.broker import free_port
from shared.topics import RAW

SPOOL_FILES = 5_000
API_ITEMS = 2_000
REPEATS = 3
API_FEEDS = "ap-media,reuters-connect,afp-search,tass-ru,tass-en"


def spool_rate(bootstrap: str, workdir: Path) -> float:
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


def api_rate(bootstrap: str, workdir: Path) -> tuple[float, int]:
    """Items/s from the simulator's APIs and feeds (every item already there), and how many items."""
    namespace = fresh_namespace(bootstrap, workdir, "ing")
    folder = namespace.folder
    simulator_port = free_port()
    truth = folder / "truth.jsonl"
    command = [sys.executable, "-m", "services.simulator", "--port", str(simulator_port), "--truth", str(truth)]
    command += ["--spool", str(folder / "unused"), "--rate", "2000", "--duration", str(API_ITEMS / 2000)]
    simulator = subprocess.Popen(
        [*command, "--linger", "600"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    supervisor = namespace.supervisor()
    try:
        assert simulator.stderr is not None
        while b"done" not in simulator.stderr.readline():
            if simulator.poll() is not None:
                raise RuntimeError("ingest bench: the simulator exited")
        api_items = sum(
            1 for line in truth.read_bytes().splitlines() if b'"channel":"spool"' not in line.replace(b" ", b"")
        )
        env = {**SIMULATOR_CREDENTIALS, "WIREDESK_INGEST_FEEDS": API_FEEDS}
        env["WIREDESK_SIMULATOR_URL"] = f"http://127.0.0.1:{simulator_port}"
        supervisor.start("ingest", free_port(), extra_env=env)
        seen, seconds = asyncio.run(timestamp_span(bootstrap, namespace.name + RAW, api_items, 300, quiet_seconds=10))
    finally:
        supervisor.stop()
        simulator.terminate()
        simulator.wait()
    return (seen - 1) / seconds, seen


def run_on_broker(bootstrap: str, workdir: Path) -> str:
    spool = [spool_rate(bootstrap, workdir) for _ in range(REPEATS)]
    api = [api_rate(bootstrap, workdir) for _ in range(REPEATS)]
    rates = [rate for rate, _ in api]
    return "\n".join(
        [
            "## Ingest: items acknowledged by Kafka per second",
            "",
            "The ingest service as its own process, `acks=all`, idempotent producer; rate from the first to the "
            "last record's timestamp on `wire.raw.v1`. Spool: ready files claimed, published and archived only "
            f"after the ack ({SPOOL_FILES:,} files). APIs: the simulator's AP, Reuters and AFP APIs and two TASS "
            f"RSS feeds over loopback, all items already available ({api[0][1]:,} items; RSS keeps only its "
            "last 40 items per feed, so a backlog is partly out of reach, as with real RSS).",
            "",
            "| connector | items/s (median) | runs | goal |",
            "|---|---|---|---|",
            f"| spool | {statistics.median(spool):,.0f} | " + ", ".join(f"{r:,.0f}" for r in spool) + " | ≥ 5,000 |",
            f"| APIs and RSS | {statistics.median(rates):,.0f} | "
            + ", ".join(f"{r:,.0f}" for r in rates)
            + " | ≥ 2,000 |",
            "",
        ]
    )


if __name__ == "__main__":
    workdir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/wiredesk-bench-ingest")
    with own_broker(workdir) as broker:
        print(run_on_broker(broker.bootstrap, workdir))
