"""Settings of the merge stage (WIREDESK_MERGE_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["MergeSettings"]


class MergeSettings(BaseSettings):
    """Thresholds of event clustering, the lead preference and the agencies' display names."""

    model_config = SettingsConfigDict(env_prefix="WIREDESK_MERGE_", frozen=True, extra="ignore")

    join_threshold: float = Field(default=0.40, description="Lowest score at which a story joins an event.")
    min_text_similarity: float = Field(
        default=0.25, description="Lowest text overlap to join, whatever people and places are shared."
    )
    quiet_hours: float = Field(default=48.0, description="An event with no new member for this long is closed.")
    max_candidates: int = Field(default=20, description="Events scored per story (the most-shared keys first).")
    max_postings: int = Field(default=50, description="Events kept per index key (newest).")
    lead_preference: str = Field(default="reuters,ap,afp,tass", description="Agencies preferred as lead, in order.")
    display_names: str = Field(
        default="reuters=Reuters,ap=AP,afp=AFP,tass=TASS,dpa=dpa,aap=AAP",
        description="agency=Display Name pairs for the credit line, comma separated.",
    )

    @property
    def preference(self) -> list[str]:
        """`lead_preference` as a list."""
        return [a.strip() for a in self.lead_preference.split(",") if a.strip()]

    @property
    def names(self) -> dict[str, str]:
        """`display_names` as a mapping."""
        pairs = (item.split("=", 1) for item in self.display_names.split(",") if "=" in item)
        return {key.strip(): value.strip() for key, value in pairs}
