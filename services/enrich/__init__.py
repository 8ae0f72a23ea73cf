"""Enrich stage: language, places and translation status on every story (`wire.unique.v1` -> `wire.enriched.v1`)."""

__all__: list[str] = []
