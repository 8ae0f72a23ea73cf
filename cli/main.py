"""The `wiredesk` console script."""

from __future__ import annotations

import click

from cli.commands.cluster import cluster
from cli.commands.dedup import dedup
from cli.commands.embargoes import embargoes
from cli.commands.enrich import enrich
from cli.commands.kafka import kafka
from cli.commands.parse import parse
from cli.commands.replay import replay
from cli.commands.route import route
from cli.commands.run import run
from cli.commands.schemas import schemas
from cli.commands.topics import tail, topics

__all__ = ["cli", "main"]


@click.group()
@click.version_option(package_name="wiredesk")
def cli() -> None:
    """wiredesk: a Kafka-native wire desk."""


for command in (kafka, topics, tail, replay, run, schemas, parse, dedup, enrich, cluster, route, embargoes):
    cli.add_command(command)


def main() -> None:
    """Entry point of the `wiredesk` console script."""
    cli()
