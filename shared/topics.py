"""The topic catalogue (schemas/topics.yaml) as typed objects, and the names stages refer to."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from shared.settings import PROJECT_ROOT

__all__ = [
    "CATALOGUE_PATH",
    "RAW",
    "TopicSpec",
    "catalogue",
    "deadletter_topic",
    "spec",
]

CATALOGUE_PATH = PROJECT_ROOT / "schemas" / "topics.yaml"

RAW = "wire.raw.v1"
PARSED = "wire.parsed.v1"
UNIQUE = "wire.unique.v1"
ENRICHED = "wire.enriched.v1"
CLUSTERED = "wire.clustered.v1"
EVENTS = "events.v1"
PUBLISHED = "stories.published.v1"
LATEST = "stories.latest.v1"
ALERTS = "stories.alerts.v1"
CHECKPOINTS = "ingest.checkpoints.v1"
PUBLISH_STATE = "publish.state.v1"
__all__ += [
    "ALERTS",
    "CHECKPOINTS",
    "CLUSTERED",
    "ENRICHED",
    "EVENTS",
    "LATEST",
    "PARSED",
    "PUBLISHED",
    "PUBLISH_STATE",
    "UNIQUE",
]


class TopicSpec(BaseModel):
    """One topic: its name, layout and the Kafka configs `topics apply` sets."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Our own topics carry a version; a Faust table's changelog keeps the name Faust gives it.
    name: str = Field(pattern=r"^[a-z][a-z0-9_.-]*(\.v\d+|-changelog)$")
    description: str
    partitions: int = Field(ge=1)
    cleanup_policy: Literal["delete", "compact"]
    key: str
    value_schema: str
    replication_factor: int = 1
    retention_ms: int | None = None
    max_message_bytes: int | None = None

    def configs(self) -> dict[str, str]:
        """The topic-level Kafka configs this spec sets."""
        configs: dict[str, str] = {"cleanup.policy": self.cleanup_policy}
        if self.retention_ms is not None and self.cleanup_policy == "delete":
            configs["retention.ms"] = str(self.retention_ms)
        if self.max_message_bytes is not None:
            configs["max.message.bytes"] = str(self.max_message_bytes)
        return configs


@cache
def catalogue(path: Path = CATALOGUE_PATH) -> tuple[TopicSpec, ...]:
    """Every topic in the catalogue, defaults applied."""
    document = yaml.safe_load(path.read_text())
    defaults = document.get("defaults", {})
    return tuple(TopicSpec(**{**defaults, **entry}) for entry in document["topics"])


def spec(name: str) -> TopicSpec:
    """The catalogue entry of topic `name`; KeyError when the catalogue does not list it."""
    for topic in catalogue():
        if topic.name == name:
            return topic
    raise KeyError(f"topic {name!r} is not in {CATALOGUE_PATH.name}")


def deadletter_topic(stage: str) -> str:
    """The dead-letter topic beside `stage`."""
    return spec(f"{stage}.deadletter.v1").name


def changelog_topic(stage: str, table: str) -> str:
    """The changelog of `stage`'s Faust table `table`: Faust names it `<app id>-<table name>-changelog`."""
    return spec(f"wiredesk-{stage}-{stage}-{table}-changelog").name
