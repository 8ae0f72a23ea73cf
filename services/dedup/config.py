"""Settings of the dedup stage (environment prefix WIREDESK_DEDUP_)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DedupSettings"]


class DedupSettings(BaseSettings):
    """Thresholds and retention of the dedup index; the defaults are the ones the eval set was tuned with."""

    model_config = SettingsConfigDict(env_prefix="WIREDESK_DEDUP_", frozen=True, extra="ignore")

    shingle_size: int = Field(default=3, ge=1, le=8, description="Words per shingle.")
    lead_words: int = Field(default=100, ge=1, description="Words from the top of the body that are shingled.")
    permutations: int = Field(default=128, ge=8, le=1024, description="MinHash bins (signature length).")
    bands: int = Field(default=32, ge=1, description="LSH bands; permutations must be a multiple of it.")
    threshold: float = Field(default=0.5, gt=0.0, le=1.0, description="Estimated Jaccard that makes a near-dup.")
    related_threshold: float = Field(
        default=0.3, gt=0.0, le=1.0, description="Lower estimated Jaccard that is a near-dup when anchors agree."
    )
    headline_agreement: float = Field(default=0.5, ge=0.0, le=1.0, description="Headline-word Jaccard it needs.")
    figure_agreement: float = Field(default=0.4, ge=0.0, le=1.0, description="Jaccard of the figures it needs.")
    min_shingles: int = Field(default=20, ge=1, description="Shorter copy is only checked for exact re-sends.")
    window_hours: float = Field(default=72.0, gt=0, description="How far back re-sends and near-dups are found.")
    chain_hours: float = Field(default=336.0, gt=0, description="How long story ids are kept for versions/kills.")
    kill_hold_hours: float = Field(
        default=720.0,
        gt=0,
        description="How long a kill that arrived before its story waits for it (longer than the window: "
        "a kill must not be lost because its story is late).",
    )
    max_candidates: int = Field(default=16, ge=1, description="Most LSH candidates compared in full per story.")
    band_bucket_limit: int = Field(default=32, ge=1, description="Most story ids one LSH bucket keeps.")
    seed: int = Field(default=20170629, description="Seed of the hash family; changing it invalidates the index.")

    @model_validator(mode="after")
    def _bands_divide_permutations(self) -> Self:
        if self.permutations & (self.permutations - 1):
            raise ValueError(f"permutations must be a power of two, not {self.permutations}")
        if self.permutations % self.bands:
            raise ValueError(f"permutations ({self.permutations}) must be a multiple of bands ({self.bands})")
        if self.related_threshold > self.threshold:
            raise ValueError("related_threshold must not exceed threshold")
        if self.chain_hours < self.window_hours:
            raise ValueError("chain_hours must be at least window_hours")
        return self
