"""A circuit breaker per translation backend, so a dead engine costs one timeout, not one per story."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

__all__ = ["BreakerState", "CircuitBreaker"]

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Closed until `failures` calls fail in a row; then open for `reset_after` seconds; then half-open.

    Half-open lets one trial call through: success closes the breaker, failure opens it again. The
    clock is injected so tests can move time.
    """

    def __init__(self, *, failures: int, reset_after: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.reset_after = reset_after
        self.clock = clock
        self.consecutive = 0
        self.opened_at: float | None = None
        self.trial_running = False

    @property
    def state(self) -> BreakerState:
        """closed, open, or half_open (open long enough to try again)."""
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.reset_after else "open"

    def allow(self) -> bool:
        """Whether a call may go ahead now; in half-open, only one trial at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.trial_running:
            self.trial_running = True
            return True
        return False

    def record_success(self) -> None:
        """A call worked: close the breaker."""
        self.consecutive = 0
        self.opened_at = None
        self.trial_running = False

    def record_failure(self) -> None:
        """A call failed: count it, and open (or re-open) the breaker at the threshold or after a failed trial."""
        self.consecutive += 1
        if self.trial_running or self.consecutive >= self.failures:
            self.opened_at = self.clock()
        self.trial_running = False
