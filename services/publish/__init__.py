"""The publish stage: stories and events out as IPTC ninjs on every routed topic, exactly once.

The pure logic lives in `ninjs` (rendering), `routing` (which topics) and `embargo` (holding until
release); `app.py` is the thin transactional shell around them.
"""

__all__: list[str] = []
