"""The Faust shell notices when its consumer passes over source records (no broker: the check is pure)."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from shared.runtime import Stage
from shared.settings import ServiceSettings
from shared.topics import PARSED


def _skipped(name: str) -> float:
    return REGISTRY.get_sample_value(f"wiredesk_{name}_skipped_records_total") or 0.0


def test_a_jump_forward_is_counted_and_logged_and_replays_are_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # No unit test imports the merge app, so the metrics of a stage named merge are free to register here.
    stage = Stage("merge", source=PARSED, default_port=9199, settings=ServiceSettings(state_dir=tmp_path))
    for offset in (0, 1, 2):
        stage._check_contiguous(0, offset)
    stage._check_contiguous(1, 7)  # the first record seen on a partition sets its start
    assert _skipped("merge") == 0
    stage._check_contiguous(0, 6)  # 3, 4 and 5 never reached the handler
    assert _skipped("merge") == 3
    assert [(r.levelname, r.expected, r.got) for r in caplog.records] == [("ERROR", 3, 6)]  # type: ignore[attr-defined]
    stage._check_contiguous(0, 2)  # a redelivery after a restart goes back: at least once, not a loss
    stage._check_contiguous(0, 3)
    stage._check_contiguous(1, 8)
    assert _skipped("merge") == 3
