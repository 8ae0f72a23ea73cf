"""Settings of the merge stage (WIREDESK_MERGE_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["MergeSettings"]


class MergeSettings(BaseSettings):
    """Thresholds of event clustering, the lead preference and the agencies' display names.

    The defaults are the ones the evaluation set in tests/fixtures/merge was tuned on.
    """

    model_config = SettingsConfigDict(env_prefix="WIREDESK_MERGE_", frozen=True, extra="ignore")

    join_threshold: float = Field(default=0.40, ge=0.0, le=1.0, description="Lowest score to join an event.")
    min_text_similarity: float = Field(
        default=0.20,
        ge=0.0,
        le=1.0,
        description="Lowest text cosine to join, whatever people and places are shared.",
    )
    weight_text: float = Field(default=0.50, ge=0.0, description="Weight of the headline+lede cosine.")
    weight_entities: float = Field(default=0.20, ge=0.0, description="Weight of shared people/organisations.")
    weight_places: float = Field(default=0.10, ge=0.0, description="Weight of shared countries.")
    weight_numbers: float = Field(default=0.10, ge=0.0, description="Weight of shared numbers and dates.")
    weight_time: float = Field(default=0.10, ge=0.0, description="Weight of time proximity.")
    time_scale_hours: float = Field(default=12.0, gt=0.0, description="Time gap at which proximity halves.")
    quiet_hours: float = Field(default=48.0, gt=0.0, description="An event with no change for this long closes.")
    max_candidates: int = Field(default=8, ge=1, description="Events scored per story (most shared keys first).")
    max_postings: int = Field(default=50, ge=1, description="Event ids kept per index key (newest).")
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
