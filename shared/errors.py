"""The errors wiredesk raises.

    WiredeskError
    ├── InvalidInput (also ValueError)   bad input: goes to the stage's dead-letter topic, never crashes
    │   ├── ParseError                   a wire document that cannot be read as its format
    │   └── EnvelopeError                a Kafka message that is not the envelope a topic promises
    └── FatalError (also RuntimeError)   a bug or a broken environment: the process stops

Every `InvalidInput` carries a stable machine `code` (used in dead-letter records and metric labels)
and a `reason` a person understands ("NITF: no <body.content>").
"""

from __future__ import annotations

__all__ = ["EnvelopeError", "FatalError", "InvalidInput", "ParseError", "WiredeskError"]


class WiredeskError(Exception):
    """Base of every error wiredesk raises on purpose."""


class InvalidInput(WiredeskError, ValueError):
    """Input that cannot be processed; it is dead-lettered with its original bytes and this reason."""

    raw_id: str | None = None
    """The raw message's id, when the failing stage could read it (set by the stage, not the raiser)."""

    def __init__(self, reason: str, *, code: str = "invalid_input") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class ParseError(InvalidInput):
    """A wire document that cannot be read as `format`.

    `reason` names the format and what is wrong, e.g. "NITF: no <body.content>" or
    "input is 48 MB; limit is 8 MB".
    """

    def __init__(self, reason: str, *, format: str | None = None, code: str = "parse_error") -> None:
        super().__init__(reason, code=code)
        self.format = format


class EnvelopeError(InvalidInput):
    """A Kafka message whose value is not the JSON envelope its topic's schema promises."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, code="bad_envelope")


class FatalError(WiredeskError, RuntimeError):
    """A condition no retry or dead-letter can fix; the process should stop and be restarted."""
