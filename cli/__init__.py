"""The `wiredesk` command line: the one place that imports every stage's core (never a stage's app)."""

__all__: list[str] = []
