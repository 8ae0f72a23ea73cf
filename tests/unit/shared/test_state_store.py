"""The exactly-once runner's state: changes, rollback, load, and sections walked without the rest."""

from __future__ import annotations

import orjson
import pytest

from shared.txrunner import StateStore


def _store() -> StateStore:
    store = StateStore()
    for number in range(5):
        store.load(f"published:reuters:{number}", orjson.dumps({"version": 1}))
    store.load("embargo:ap:1", orjson.dumps({"release": "2026-11-29T12:00:00Z"}))
    return store


def test_a_section_holds_only_its_keys_without_the_prefix() -> None:
    store = _store()
    holds = store.section("embargo:")
    assert list(holds) == ["ap:1"] and len(holds) == 1
    holds["tass:9"] = {"release": "2026-11-29T13:00:00Z"}
    assert sorted(holds) == ["ap:1", "tass:9"]
    assert store["embargo:tass:9"] == {"release": "2026-11-29T13:00:00Z"}
    del holds["ap:1"]
    assert list(holds) == ["tass:9"] and len(store.section("published:")) == 5
    assert store.changes() == {"embargo:tass:9": b'{"release":"2026-11-29T13:00:00Z"}', "embargo:ap:1": None}


def test_rollback_restores_values_and_sections() -> None:
    store = _store()
    holds = store.section("embargo:")
    del holds["ap:1"]
    holds["tass:9"] = {"release": "x"}
    store["published:reuters:0"] = {"version": 2}
    store.rollback()
    assert list(holds) == ["ap:1"]
    assert store["published:reuters:0"] == {"version": 1}
    assert store.changes() == {}


def test_a_tombstone_on_load_removes_the_key_from_its_section() -> None:
    store = _store()
    store.load("embargo:ap:1", None)
    store.load("embargo:never-held", None)
    assert len(store.section("embargo:")) == 0 and "embargo:ap:1" not in store


def test_a_section_prefix_must_end_at_the_first_colon() -> None:
    with pytest.raises(ValueError, match="ends at the key's first ':'"):
        StateStore().section("published:reuters:")
    with pytest.raises(ValueError, match="ends at the key's first ':'"):
        StateStore().section("embargo")
