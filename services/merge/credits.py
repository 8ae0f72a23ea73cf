"""The credit line in newsroom style."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["credit_line"]


def credit_line(agencies: Sequence[str], names: Mapping[str, str]) -> str:
    """'With reporting by Reuters, TASS, AFP, and AP' for agencies in order of first contribution.

    Two agencies are joined by 'and', one stands alone; unknown agencies are shown as configured ids.
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
