"""`wiredesk topics apply|list` and `wiredesk tail TOPIC`."""

from __future__ import annotations

import asyncio
import contextlib
import sys

import click
import orjson

from shared.kafka.admin import apply_topics, wait_for_broker
from shared.kafka.tail import tail as tail_topic
from shared.settings import KafkaSettings
from shared.topics import PUBLISHED, TopicSpec, catalogue

__all__ = ["all_topics", "tail", "topics"]


@click.group()
def topics() -> None:
    """The topic catalogue (schemas/topics.yaml)."""


def all_topics() -> list[TopicSpec]:
    """The catalogue plus every desk topic the publish routing rules can send to (same layout as published)."""
    from services.publish.config import PublishSettings
    from services.publish.routing import load_rules

    specs = list(catalogue())
    known = {spec.name for spec in specs}
    template = next(spec for spec in specs if spec.name == PUBLISHED)
    rules = load_rules(PublishSettings().routing_file)
    for topic in rules.topics():
        if topic not in known:
            specs.append(template.model_copy(update={"name": topic, "description": "Desk topic (routing rules)."}))
    return specs


@topics.command(name="list")
def list_topics() -> None:
    """Print the catalogue as JSON lines."""
    for topic in all_topics():
        click.echo(orjson.dumps(topic.model_dump()).decode())


@topics.command()
@click.option("--wait", default=30.0, show_default=True, help="Seconds to wait for the broker.")
def apply(wait: float) -> None:
    """Create missing topics with their configs; report drift. Exit 1 on drift."""
    settings = KafkaSettings()

    async def run() -> bool:
        await wait_for_broker(settings.bootstrap, wait)
        reports = await apply_topics(
            settings.bootstrap, all_topics(), partitions=settings.topic_partitions, namespace=settings.namespace
        )
        for report in reports:
            click.echo(orjson.dumps(report.__dict__).decode())
        return all(r.action != "drift" for r in reports)

    if not asyncio.run(run()):
        sys.exit(1)


@click.command()
@click.argument("topic")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest record instead of new ones.")
@click.option("--max", "max_records", type=int, default=None, help="Stop after this many records.")
@click.option("--timeout", type=float, default=None, help="Stop after this many seconds without a record.")
def tail(topic: str, from_beginning: bool, max_records: int | None, timeout: float | None) -> None:
    """Print TOPIC's records as JSON lines (read_committed)."""
    settings = KafkaSettings()

    async def run() -> None:
        async for record in tail_topic(
            settings.bootstrap,
            settings.namespace + topic,
            from_beginning=from_beginning,
            max_records=max_records,
            timeout=timeout,
        ):
            click.echo(orjson.dumps(record).decode())

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
