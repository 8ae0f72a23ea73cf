"""`wiredesk embargoes [--json]`: the stories the publish stage holds for an embargo, earliest release first."""

from __future__ import annotations

import asyncio
from datetime import datetime

import click
import orjson

from services.publish.embargo import EMBARGO_PREFIX, EmbargoHold
from shared.kafka.compacted import read_compacted
from shared.models import Story
from shared.settings import KafkaSettings
from shared.topics import PUBLISH_STATE
from shared.txrunner import StateStore

__all__ = ["embargoes", "held_lines", "publish_state"]


async def publish_state(bootstrap: str, namespace: str) -> StateStore:
    """The publish stage's committed state (publish.state.v1), loaded as the stage itself loads it."""
    state = StateStore()
    for key, value in (await read_compacted(bootstrap, namespace + PUBLISH_STATE)).items():
        state.load(key, value)
    return state


def held_lines(state: StateStore, *, as_json: bool) -> list[str]:
    """One line per held story of the publish state: release time, id, version, headline."""
    return [_line(release, story, as_json) for release, story in EmbargoHold(state.section(EMBARGO_PREFIX)).listing()]


def _line(release: datetime, story: Story, as_json: bool) -> str:
    at = release.isoformat().replace("+00:00", "Z")
    if as_json:
        return orjson.dumps(
            {"release": at, "id": story.id, "version": story.version, "headline": story.headline}
        ).decode()
    return f"{at}  {story.id}  v{story.version}  {story.headline}"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
def embargoes(as_json: bool) -> None:
    """List the stories held for an embargo (read from publish.state.v1), earliest release first."""
    settings = KafkaSettings()
    lines = held_lines(asyncio.run(publish_state(settings.bootstrap, settings.namespace)), as_json=as_json)
    for line in lines:
        click.echo(line)
    if not lines and not as_json:
        click.echo("no story is held", err=True)
