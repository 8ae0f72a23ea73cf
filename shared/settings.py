"""Settings every stage shares, read from WIREDESK_* environment variables (defaults documented in README).

Each stage adds its own `<Stage>Settings` with its own prefix (WIREDESK_PARSE_, …) in its config module.
Secrets are never settings with defaults: they are read from the environment variable a feed names.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PROJECT_ROOT", "KafkaSettings", "ServiceSettings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class KafkaSettings(BaseSettings):
    """Where Kafka is, and where the project's own local broker keeps its jars and data."""

    model_config = SettingsConfigDict(env_prefix="WIREDESK_", frozen=True, extra="ignore")

    bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers, comma separated.")
    kafka_version: str = Field(default="4.3.1", description="Apache Kafka version of the local broker.")
    kafka_home: Path = Field(
        default=PROJECT_ROOT / ".kafka", description="Cache of the broker jars, one folder per version."
    )
    kafka_dir: Path = Field(default=PROJECT_ROOT / "var" / "kafka", description="Data and logs of the local broker.")
    kafka_port: int = Field(default=9092, description="Port of the local broker; 0 picks a free one.")
    kafka_heap: str = Field(default="512m", description="Maximum heap of the local broker JVM.")
    namespace: str = Field(default="", description="Prefix of every topic name (several pipelines on one cluster).")
    topic_partitions: int | None = Field(
        default=None, description="Override every catalogue topic's partition count (tests, small machines)."
    )


class ServiceSettings(BaseSettings):
    """What every stage process shares: its web port for /metrics and /healthz, logging, state."""

    model_config = SettingsConfigDict(env_prefix="WIREDESK_", frozen=True, extra="ignore")

    bootstrap: str = "127.0.0.1:9092"
    namespace: str = Field(default="", description="Prefix of every topic name and consumer group.")
    topic_partitions: int | None = Field(default=None, description="Must equal the value `topics apply` used.")
    web_host: str = Field(default="127.0.0.1", description="Address /metrics and /healthz listen on.")
    web_port: int | None = Field(default=None, description="Port of /metrics and /healthz; default per stage.")
    state_dir: Path = Field(default=PROJECT_ROOT / "var" / "state", description="RocksDB table state, per stage.")
    log_level: str = Field(default="INFO")
    producer_linger_ms: float = Field(
        default=5.0,
        ge=0.0,
        description="How long a stage's producer waits to batch records into one request: a few ms of latency "
        "for many times the throughput (0 sends a request per record).",
    )
    session_timeout_seconds: float = Field(
        default=30.0,
        ge=6.0,
        description="How long Kafka waits for a silent worker before handing its partitions to another; "
        "after a crash, the partitions of the dead worker wait this long.",
    )
    shared_dir: Path = Field(default=PROJECT_ROOT.parent / "shared", description="Corpus and vocabularies.")
