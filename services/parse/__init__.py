"""Parse stage: raw wire bytes (`wire.raw.v1`) into canonical stories (`wire.parsed.v1`)."""

__all__: list[str] = []
