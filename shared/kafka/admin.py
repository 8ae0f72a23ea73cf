"""Create and check the catalogue's topics, idempotently."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError

from shared.topics import TopicSpec

__all__ = ["TopicReport", "apply_topics", "topic_partitions", "wait_for_broker"]


@dataclass(frozen=True)
class TopicReport:
    """What `apply_topics` did or found for one topic."""

    name: str
    action: Literal["created", "ok", "drift"]
    detail: str = ""


async def wait_for_broker(bootstrap: str, timeout: float = 30.0) -> None:
    """Return once the broker answers a metadata request; TimeoutError after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no Kafka broker answered at {bootstrap} within {timeout:.0f}s") from None
            await asyncio.sleep(0.5)
        finally:
            await admin.close()


async def topic_partitions(bootstrap: str, topic: str) -> list[int]:
    """The partition ids of `topic`, asked of the broker (empty when the topic does not exist)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(p["partition"] for t in described if t["topic"] == topic for p in t.get("partitions", []))


async def apply_topics(
    bootstrap: str, specs: Iterable[TopicSpec], *, partitions: int | None = None, namespace: str = ""
) -> list[TopicReport]:
    """Create every missing topic of `specs` with its configs; report drift of existing ones.

    `partitions` overrides the catalogue's partition counts (tests and small machines); `namespace` prefixes
    every name (tests, several pipelines on one cluster). Drift is reported,
    never "fixed": changing a live topic's partitions or cleanup policy is an operator's decision.
    """
    specs = [s.model_copy(update={"name": namespace + s.name}) for s in specs]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        reports = [TopicReport(s.name, "created") for s in missing]
        if missing:
            new_topics = [
                NewTopic(s.name, partitions or s.partitions, s.replication_factor, topic_configs=s.configs())
                for s in missing
            ]
            # another process may apply the catalogue at the same moment
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new_topics, timeout_ms=15000)
        reports += await _check(admin, [s for s in specs if s.name in existing], partitions)
        return sorted(reports, key=lambda r: r.name)
    finally:
        await admin.close()


async def _check(admin: AIOKafkaAdminClient, specs: list[TopicSpec], partitions: int | None) -> list[TopicReport]:
    if not specs:
        return []
    described = {t["topic"]: t for t in await admin.describe_topics([s.name for s in specs])}
    resources = [ConfigResource(ConfigResourceType.TOPIC, s.name) for s in specs]
    responses = await admin.describe_configs(resources)
    actual: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.resources:
            actual[resource[3]] = {entry[0]: entry[1] for entry in resource[4]}
    reports = []
    for topic in specs:
        problems = []
        have = len(described.get(topic.name, {}).get("partitions", []))
        want = partitions or topic.partitions
        if have != want:
            problems.append(f"partitions {have}, catalogue says {want}")
        for key, value in topic.configs().items():
            if actual.get(topic.name, {}).get(key) != value:
                problems.append(f"{key}={actual.get(topic.name, {}).get(key)}, catalogue says {value}")
        reports.append(TopicReport(topic.name, "drift" if problems else "ok", "; ".join(problems)))
    return reports
