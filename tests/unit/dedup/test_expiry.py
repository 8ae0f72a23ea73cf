from __future__ import annotations

from services.dedup.core.expiry import ExpiryQueue


def test_entries_come_back_once_their_time_has_passed_earliest_first() -> None:
    queue = ExpiryQueue()
    queue.schedule(300.0, "record", "s:late")
    queue.schedule(100.0, "copy", "abc")
    queue.schedule(200.0, "bands", "s:mid")
    assert list(queue.due(99.0)) == []
    assert list(queue.due(200.0)) == [("copy", "abc"), ("bands", "s:mid")]
    assert len(queue) == 1
    assert list(queue.due(1_000.0)) == [("record", "s:late")]
    assert len(queue) == 0
