from __future__ import annotations

from pathlib import Path

from services.enrich.cache import SqliteCache
from services.enrich.translate import cache_key


def test_a_new_cache_over_the_same_file_answers_a_hit(tmp_path: Path) -> None:
    key = cache_key("Привет, мир", "ru", "en", "apertium")
    first = SqliteCache(tmp_path / "enrich" / "translations.sqlite3")
    first[key] = "Hello, world"
    first.close()
    restarted = SqliteCache(tmp_path / "enrich" / "translations.sqlite3")
    assert key in restarted
    assert restarted[key] == "Hello, world"
    assert len(restarted) == 1


def test_bounded_and_least_recently_used_goes_first(tmp_path: Path) -> None:
    cache = SqliteCache(tmp_path / "c.sqlite3", max_entries=10)
    for i in range(10):
        cache[f"k{i}"] = f"v{i}"
    assert cache["k0"] == "v0"  # k0 is now the most recently used
    cache["k10"] = "v10"  # over the bound: the oldest tenth (and the excess) go
    assert len(cache) == 9
    assert "k0" in cache and "k10" in cache
    assert "k1" not in cache and "k2" not in cache
    assert "k3" in cache


def test_recency_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    cache = SqliteCache(path, max_entries=3)
    cache["a"], cache["b"], cache["c"] = "1", "2", "3"
    assert cache["a"] == "1"
    cache.close()
    cache = SqliteCache(path, max_entries=3)
    cache["d"] = "4"
    assert sorted(cache) == ["a", "d"]  # the excess and a tenth (at least one): b, then c
