"""The lead story and the credit line of an event, in newsroom style."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["credit_line", "pick_lead"]


def credit_line(agencies: Sequence[str], names: Mapping[str, str]) -> str:
    """'With reporting by Reuters, TASS, AFP, and AP' for agencies in order of first contribution.

    Two agencies are joined by 'and', one stands alone, none gives ''; an agency without a configured
    display name is shown by its id.
    """
    shown = [names.get(a, a) for a in dict.fromkeys(agencies)]
    if not shown:
        return ""
    if len(shown) == 1:
        listed = shown[0]
    elif len(shown) == 2:
        listed = f"{shown[0]} and {shown[1]}"
    else:
        listed = ", ".join(shown[:-1]) + f", and {shown[-1]}"
    return f"With reporting by {listed}"


def pick_lead(members: Sequence[Mapping[str, Any]], preference: Sequence[str]) -> str:
    """The story id of the lead: preferred agency first, then the most complete copy, then the earliest.

    Completeness is body length, then having a dateline. Killed members lead only when all are killed.
    Each member needs `story_id`, `agency`, `canceled`, `body_len`, `has_dateline` and `story_at`.
    """
    live = [m for m in members if not m["canceled"]] or list(members)
    rank = {agency: position for position, agency in enumerate(preference)}
    best = min(
        live,
        key=lambda m: (rank.get(m["agency"], len(rank)), -m["body_len"], not m["has_dateline"], m["story_at"]),
    )
    return str(best["story_id"])
