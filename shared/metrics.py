"""The metrics every stage exports, named `wiredesk_<stage>_<thing>_<unit>` (README "Metrics")."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["StageMetrics"]


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
        self.processing_seconds = Histogram(
            f"wiredesk_{stage}_processing_seconds", f"Time the {stage} stage spends on one message."
        )
