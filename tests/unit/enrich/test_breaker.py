from __future__ import annotations

from services.enrich.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_then_half_opens_and_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=3, reset_after=10.0, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert (breaker.state, breaker.allow()) == ("open", False)
    clock.now += 10.0
    assert breaker.state == "half_open"
    assert breaker.allow() is True
    assert breaker.allow() is False  # one trial at a time
    breaker.record_success()
    assert (breaker.state, breaker.allow()) == ("closed", True)


def test_failed_trial_reopens_for_a_full_period() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, reset_after=5.0, clock=clock)
    breaker.record_failure()
    clock.now += 5.0
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    clock.now += 4.9
    assert breaker.state == "open"
    clock.now += 0.1
    assert breaker.state == "half_open"


def test_success_resets_the_count() -> None:
    breaker = CircuitBreaker(failures=2, reset_after=1.0, clock=Clock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state == "closed"
