"""`wiredesk kafka start|stop|status`: the project's own local Kafka broker."""

from __future__ import annotations

import sys

import click
import orjson

from shared.errors import FatalError
from shared.kafka.broker import LocalBroker
from shared.settings import KafkaSettings

__all__ = ["kafka", "local_broker"]


def local_broker(settings: KafkaSettings) -> LocalBroker:
    """The broker `wiredesk kafka` and `wiredesk run` manage: WIREDESK_KAFKA_DIR, version, heap."""
    return LocalBroker(
        settings.kafka_dir, version=settings.kafka_version, kafka_home=settings.kafka_home, heap=settings.kafka_heap
    )


@click.group()
def kafka() -> None:
    """Manage the local single-node Kafka broker (KRaft, jars from Maven Central)."""


@kafka.command()
def fetch() -> None:
    """Fetch the broker's jars with Maven (once; cached)."""
    from shared.kafka.broker import fetch_jars

    settings = KafkaSettings()
    click.echo(str(fetch_jars(settings.kafka_version, settings.kafka_home)))


@kafka.command()
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for the broker.")
def start(timeout: float) -> None:
    """Start the broker in WIREDESK_KAFKA_DIR on WIREDESK_KAFKA_PORT and print it as JSON."""
    settings = KafkaSettings()
    try:
        info = local_broker(settings).start(port=settings.kafka_port, timeout=timeout)
    except FatalError as exc:
        click.echo(f"kafka: {exc}", err=True)
        sys.exit(1)
    click.echo(orjson.dumps({**info.__dict__, "bootstrap": info.bootstrap}).decode())


@kafka.command()
def stop() -> None:
    """Stop the broker (SIGTERM, then SIGKILL after 30 s)."""
    stopped = local_broker(KafkaSettings()).stop()
    click.echo("stopped" if stopped else "not running")


@kafka.command()
def status() -> None:
    """Print the running broker as JSON; exit 1 when none runs."""
    info = local_broker(KafkaSettings()).status()
    if info is None:
        click.echo("not running")
        sys.exit(1)
    click.echo(orjson.dumps({**info.__dict__, "bootstrap": info.bootstrap}).decode())
