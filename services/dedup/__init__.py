"""The dedup stage: drops re-sends, orders version chains, holds early kills and marks near-duplicates.

The pure logic lives in `services.dedup.core`; `app.py` is the thin Faust shell around it.
"""

__all__: list[str] = []
