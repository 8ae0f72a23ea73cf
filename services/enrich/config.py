"""Settings of the enrich stage (WIREDESK_ENRICH_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["EnrichSettings"]


class EnrichSettings(BaseSettings):
    """Which languages the desk works in, and how sure the detector must be."""

    model_config = SettingsConfigDict(env_prefix="WIREDESK_ENRICH_", frozen=True, extra="ignore")

    desk_languages: str = Field(
        default="en,ru,fr,es,de,uk,pt,ar,zh", description="Languages the detector chooses from, comma separated."
    )
    min_confidence: float = Field(
        default=0.80, ge=0, le=1, description="Below this detector confidence the language is 'und'."
    )
    min_letters: int = Field(default=12, ge=1, description="Texts with fewer letters are 'und'.")
    desk_language: str = Field(default="en", description="The language stories are translated into.")

    @property
    def languages(self) -> list[str]:
        """`desk_languages` as a list."""
        return [code.strip() for code in self.desk_languages.split(",") if code.strip()]
