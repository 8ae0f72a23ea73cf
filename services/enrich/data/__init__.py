"""Compact data tables the enrich core reads: place aliases, media topics, topic keyword rules, people aliases."""

__all__: list[str] = []
