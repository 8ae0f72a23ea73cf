from __future__ import annotations

from typing import Any

from services.dedup.core.expiry import ExpiryLedger


def ledger(stores: dict[str, dict[str, Any]]) -> ExpiryLedger:
    return ExpiryLedger(stores, bucket_seconds=60)


def test_records_go_when_their_bucket_closes_and_not_before() -> None:
    first: dict[str, Any] = {"a": {"x": 1_000.0}}
    second: dict[str, Any] = {"band": [["s1", 1_000.0], ["s2", 5_000.0]]}
    expiry = ledger({"first": first, "second": second})
    expiry.schedule("first", ["a"], 1_000.0, now=0.0)
    expiry.schedule("second", ["band"], 1_000.0, now=0.0)
    assert expiry.expire(1_019.0) == 0  # bucket 16 (960-1019 s) closes only at 1020
    assert expiry.expire(1_080.0) == 2
    assert "a" not in first
    assert second["band"] == [["s2", 5_000.0]]


def test_bucket_lists_are_chunked_and_removed_after_use() -> None:
    store: dict[str, Any] = {f"k{number}": {"x": 100.0} for number in range(1_200)}
    expiry = ledger({"store": store})
    for number in range(1_200):
        expiry.schedule("store", [f"k{number}"], 100.0, now=0.0)
    chunks = [key for key in store if key.startswith("~expiry:1:")]
    assert len(chunks) == 3
    assert expiry.expire(200.0) == 1_200
    assert store == {"~expiry:cursor": 2}


def test_late_schedule_never_lands_in_a_walked_bucket() -> None:
    store: dict[str, Any] = {"old": {"x": 10.0}}
    expiry = ledger({"store": store})
    expiry.expire(600.0)
    expiry.schedule("store", ["old"], 10.0, now=600.0)
    assert expiry.expire(700.0) == 1
    assert "old" not in store
