"""Settings of the ingest stage (WIREDESK_INGEST_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import PROJECT_ROOT
from shared.topics import RAW, spec

__all__ = ["LARGEST_ITEM", "RAW_RECORD_LIMIT", "IngestSettings"]

# The largest record wire.raw.v1 takes (its max.message.bytes), and so the largest request the producer sends.
RAW_RECORD_LIMIT: int = spec(RAW).max_message_bytes or 1024 * 1024
# An item travels base64url-encoded (4/3 of its size) in a JSON envelope beside a few hundred bytes of
# metadata and its source path; this much room is kept for those. A bigger item could never be written:
# Kafka would refuse it on every try, so the spool moves it to failed/ at once, with the reason.
_ENVELOPE_ROOM = 64 * 1024
LARGEST_ITEM: int = (RAW_RECORD_LIMIT - _ENVELOPE_ROOM) * 3 // 4


class IngestSettings(BaseSettings):
    """Where the feeds file is, and the limits of the spool and push connectors."""

    model_config = SettingsConfigDict(env_prefix="WIREDESK_INGEST_", frozen=True, extra="ignore")

    feeds_file: Path = Field(default=PROJECT_ROOT / "deploy" / "feeds.yaml", description="The feeds YAML.")
    push_max_bytes: int = Field(
        default=8 * 1024 * 1024, gt=0, le=LARGEST_ITEM, description="Largest push body (413 above)."
    )
    spool_max_bytes: int = Field(
        default=LARGEST_ITEM,
        gt=0,
        le=LARGEST_ITEM,
        description="Largest spool file (failed/ above); at most what one wire.raw.v1 record can carry.",
    )
    spool_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "spool" / "incoming",
        validation_alias="WIREDESK_SPOOL_DIR",
        description="The default spool folder, ${WIREDESK_SPOOL_DIR} in the feeds file.",
    )
    simulator_url: str = Field(
        default="http://127.0.0.1:8900",
        validation_alias="WIREDESK_SIMULATOR_URL",
        description="Base URL of the simulator, ${WIREDESK_SIMULATOR_URL} in the feeds file.",
    )
    feeds: str = Field(default="", description="Names of the feeds to run, comma separated; empty runs every feed.")
    http_max_attempts: int = Field(default=6, gt=0, description="Tries per HTTP request before a poll fails.")
