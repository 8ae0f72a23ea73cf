"""`wiredesk run` (make run): local broker, topics, every service as its own process, and the simulator."""

from __future__ import annotations

import asyncio
import signal
import time
from types import FrameType

import click

from cli.commands.kafka import local_broker
from cli.commands.topics import all_topics
from cli.supervisor import SIMULATOR_PORT, STAGES, Supervisor
from shared.kafka.admin import apply_topics
from shared.settings import PROJECT_ROOT, KafkaSettings

__all__ = ["run"]

SPOOL = PROJECT_ROOT / "var" / "spool" / "incoming"
# The simulator's own made-up credentials (deploy/feeds.yaml names these variables); never real secrets.
SIMULATOR_CREDENTIALS = {
    "WIREDESK_AP_API_KEY": "sim-ap-key",
    "WIREDESK_REUTERS_CLIENT_ID": "sim-client",
    "WIREDESK_REUTERS_CLIENT_SECRET": "sim-secret",
    "WIREDESK_AFP_CLIENT_ID": "sim-client",
    "WIREDESK_AFP_CLIENT_SECRET": "sim-secret",
}


@click.command()
@click.option("--simulator", type=click.Choice(["on", "off"]), default="on", show_default=True)
@click.option("--rate", default=2.0, show_default=True, help="Simulator items per second.")
def run(simulator: str, rate: float) -> None:
    """Run the whole pipeline on this machine until Ctrl-C."""
    settings = KafkaSettings()
    broker = local_broker(settings)
    info = broker.start(port=settings.kafka_port)
    click.echo(f"kafka {info.version} on {info.bootstrap} (started in {info.started_in_s}s; log {broker.log_path})")
    asyncio.run(apply_topics(info.bootstrap, all_topics(), partitions=settings.topic_partitions))
    SPOOL.mkdir(parents=True, exist_ok=True)
    var = PROJECT_ROOT / "var"
    env = {
        "WIREDESK_BOOTSTRAP": info.bootstrap,
        "WIREDESK_SPOOL_DIR": str(SPOOL),
        "WIREDESK_STATE_DIR": str(var / "state"),
    }
    if simulator == "on":
        env.update(SIMULATOR_CREDENTIALS)
    else:
        env["WIREDESK_INGEST_FEEDS"] = "spool"
    supervisor = Supervisor(env=env, log_dir=var / "logs")
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        for name, port in STAGES.items():
            supervisor.start(name, port)
        if simulator == "on":
            supervisor.start(
                "simulator",
                SIMULATOR_PORT,
                [
                    "--port",
                    str(SIMULATOR_PORT),
                    "--spool",
                    str(SPOOL),
                    "--rate",
                    str(rate),
                    "--truth",
                    str(var / "simulator" / "truth.jsonl"),
                ],
            )
        supervisor.wait_healthy(list(STAGES), timeout=120)
        _print_guide(supervisor, simulator == "on")
        while not stopping:
            for service in supervisor.services.values():
                if service.process.poll() is not None:
                    click.echo(f"{service.name} exited with {service.process.returncode}; see {service.log_path}")
                    stopping = True
            time.sleep(0.5)
    finally:
        click.echo("stopping services …")
        supervisor.stop()
        broker.stop()
        click.echo("stopped")


def _print_guide(supervisor: Supervisor, simulator: bool) -> None:
    click.echo("")
    click.echo(f"spool directory: {SPOOL}  (drop any wire file here)")
    for service in supervisor.services.values():
        click.echo(f"  {service.name:<9} {service.url}/metrics  {service.url}/healthz  log {service.log_path}")
    click.echo("watch published stories:  .venv/bin/wiredesk tail stories.published.v1")
    if not simulator:
        click.echo("simulator is off: only files dropped into the spool directory flow")
    click.echo("Ctrl-C stops everything")
