"""Settings of the publish stage (environment prefix WIREDESK_PUBLISH_)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.settings import PROJECT_ROOT

__all__ = ["PublishSettings"]


class PublishSettings(BaseSettings):
    """Where the routing rules are and which topics get which ninjs version."""

    model_config = SettingsConfigDict(env_prefix="WIREDESK_PUBLISH_", frozen=True, extra="ignore")

    routing_file: Path = Field(default=PROJECT_ROOT / "deploy" / "routing.yaml", description="Routing rules.")
    ninjs2_topics: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Topics served ninjs 2.1 instead of 3.1 (comma separated in the env)."
    )
    schema_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "vocab" / "ninjs",
        description="IPTC's ninjs JSON Schemas (ninjs-schema_3.1.json, ninjs-schema_2.1.json), for the sampled "
        "check of what is published; absent: no check, said once at start.",
    )
    check_every: int = Field(
        default=100,
        ge=0,
        description="Check one rendered document in this many against its official schema (0: none).",
    )
    event_topics: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["stories.published.v1", "stories.latest.v1"],
        description="Topics event packages go to (comma separated in the env).",
    )

    @field_validator("ninjs2_topics", "event_topics", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        # Operators write lists in the environment as "a,b"; JSON arrays would be needless ceremony.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
