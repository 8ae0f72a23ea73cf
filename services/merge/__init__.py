"""Merge stage: one event per news story across agencies, with one credit line.

The core (`cluster.EventIndex`, `features`, `scoring`, `credits`) is pure: state lives in the
key-value stores passed in, and no module here but `app` imports faust.
"""

__all__: list[str] = []
