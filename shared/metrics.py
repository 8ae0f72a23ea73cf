"""The metrics every stage exports, named `wiredesk_<stage>_<thing>_<unit>` (README "Metrics")."""

from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram

__all__ = ["SourcePositions", "StageMetrics"]

log = logging.getLogger("wiredesk.metrics")


class SourcePositions:
    """Counts and logs the source records a consumer passes over without handing them to its stage.

    Every source topic is written by non-transactional producers, so its offsets have no holes: a jump
    forward on one partition within one assignment means records were never handled. A consumer would
    commit past them (a loss nothing else reports); this makes it visible in the logs and in
    `wiredesk_<stage>_skipped_records_total`. Going back (a redelivery after a restart or an aborted
    transaction) is at least once, not a loss, and is not counted.
    """

    def __init__(self, skipped: Counter) -> None:
        self._skipped = skipped
        self._next: dict[tuple[str, int], int] = {}

    def saw(self, topic: str, partition: int, offset: int) -> None:
        """Note that the record at `offset` reached the stage."""
        expected = self._next.get((topic, partition))
        if expected is not None and offset > expected:
            self._skipped.inc(offset - expected)
            log.error(
                "source records passed over",
                extra={"topic": topic, "partition": partition, "expected": expected, "got": offset},
            )
        self._next[(topic, partition)] = offset + 1

    def forget(self) -> None:
        """Start over after a rebalance: a partition may come back at offsets another worker committed."""
        self._next.clear()


class StageMetrics:
    """Messages handled, dead-lettered and produced, and time per message, for one stage."""

    def __init__(self, stage: str) -> None:
        self.processed = Counter(
            f"wiredesk_{stage}_messages_total", f"Messages the {stage} stage handled, by outcome.", ["outcome"]
        )
        self.dead_lettered = Counter(
            f"wiredesk_{stage}_deadletter_total", f"Messages the {stage} stage dead-lettered, by code.", ["code"]
        )
        self.sent = Counter(f"wiredesk_{stage}_sent_total", f"Records the {stage} stage produced, by topic.", ["topic"])
        self.skipped = Counter(
            f"wiredesk_{stage}_skipped_records_total",
            f"Source records the {stage} stage's consumer passed over without handling them: should stay 0.",
        )
        self.positions = SourcePositions(self.skipped)
        self.processing_seconds = Histogram(
            f"wiredesk_{stage}_processing_seconds", f"Time the {stage} stage spends on one message."
        )
