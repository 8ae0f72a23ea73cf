"""Merge stage: one event per news story across agencies, with one credit line."""

__all__: list[str] = []
