"""`wiredesk replay STAGE`: send a stage's dead letters back to the topic each was read from, after a fix.

A dead letter holds the original record's bytes, key, topic and partition, so the stage reads it again as
it read it first. Only the letters on the topic when the replay starts are read: a letter that fails again
lands behind them and waits for the next replay. Replaying a letter twice sends its record twice; the
pipeline drops the repeat (dedup takes the second copy of a story for a re-send; publish drops an
upstream repeat), so a replay run again after a partial one loses nothing and publishes nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import click
import orjson
from aiokafka import AIOKafkaProducer
from pydantic import ValidationError

from cli.supervisor import STAGES
from shared.kafka.compacted import records_to_end
from shared.models import DeadLetter
from shared.settings import KafkaSettings
from shared.topics import deadletter_topic

__all__ = ["replay", "skip_reason"]


def skip_reason(letter: DeadLetter, codes: Iterable[str]) -> str | None:
    """Why `letter` stays where it is; None when it goes back to its source topic.

    `codes` are the failure codes asked for; none means every code.
    """
    wanted = set(codes)
    if wanted and letter.code not in wanted:
        return f"code {letter.code} not asked for"
    if letter.source_offset is None:
        # Ingest's letters were never on a topic: a feed delivered them, and only the feed can again.
        return f"not read from a topic ({letter.source_topic}): have the feed deliver the item again"
    return None


async def _replay(bootstrap: str, topic: str, codes: tuple[str, ...], dry_run: bool) -> tuple[int, int]:
    """Replay the letters of `topic`, printing a JSON line for each; the letters (to be) replayed, and read."""
    producer = None if dry_run else AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    if producer is not None:
        await producer.start()
    replayed = read = 0
    try:
        async for record in records_to_end(bootstrap, topic):
            read += 1
            line: dict[str, Any] = {"offset": record.offset}
            try:
                letter = DeadLetter.model_validate_json(record.value or b"")
            except ValidationError as exc:
                click.echo(orjson.dumps(line | {"skipped": f"not a dead letter: {exc.errors()[0]['msg']}"}).decode())
                continue
            line |= {"code": letter.code, "raw_id": letter.raw_id}
            if reason := skip_reason(letter, codes):
                line["skipped"] = reason
            else:
                if producer is not None:
                    # To the partition it was read from: the stage meets it again beside the records of its key.
                    await producer.send_and_wait(
                        letter.source_topic, letter.original, key=letter.source_key, partition=letter.source_partition
                    )
                line["replayed_to" if producer is not None else "would_replay_to"] = letter.source_topic
                replayed += 1
            click.echo(orjson.dumps(line).decode())
    finally:
        if producer is not None:
            await producer.stop()
    return replayed, read


@click.command()
@click.argument("stage", type=click.Choice(list(STAGES)))
@click.option("--code", "codes", multiple=True, help="Only letters with this failure code (repeatable).")
@click.option("--dry-run", is_flag=True, help="Say what would be replayed; send nothing.")
def replay(stage: str, codes: tuple[str, ...], dry_run: bool) -> None:
    """Send STAGE's dead letters back to the topic each came from; a JSON line per letter."""
    settings = KafkaSettings()
    topic = settings.namespace + deadletter_topic(stage)
    replayed, read = asyncio.run(_replay(settings.bootstrap, topic, codes, dry_run))
    click.echo(f"{'would replay' if dry_run else 'replayed'} {replayed} of {read} letters on {topic}", err=True)
