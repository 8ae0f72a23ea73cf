"""The near-duplicate rule on the labelled corpus pairs; runs only where ../shared/corpus is present."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.dedup.config import DedupSettings


@pytest.fixture(scope="module")
def parse_core(corpus_dir: Path) -> None:
    try:
        import services.parse.core  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"parse core not importable yet ({exc}); corpus eval not run")


@pytest.mark.usefixtures("parse_core")
def test_reuters_pairs_meet_the_precision_and_recall_goals() -> None:
    from bench.bench_dedup import reuters_pairs

    every, long_enough = reuters_pairs(DedupSettings())
    assert (every.positives, long_enough.positives) == (118, 112)
    assert every.precision >= 0.98 and every.recall >= 0.95
    assert long_enough.precision >= 0.98 and long_enough.recall >= 0.97


@pytest.mark.usefixtures("parse_core")
def test_dpa_short_and_long_story_of_one_match_stay_apart() -> None:
    from bench.bench_dedup import dpa_pair

    assert dpa_pair(DedupSettings()).startswith("outcome `new`")
