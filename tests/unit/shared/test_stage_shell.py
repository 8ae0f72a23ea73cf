"""The Faust stage shell's own decisions, without a broker: skipped records, and faults that are not the input's."""

from __future__ import annotations

import pytest
from faust.exceptions import PartitionsMismatch
from prometheus_client import REGISTRY

from shared import runtime
from shared.runtime import Incoming, Output, Stage
from shared.settings import ServiceSettings
from shared.topics import PARSED


def _skipped(name: str) -> float:
    return REGISTRY.get_sample_value(f"wiredesk_{name}_skipped_records_total") or 0.0


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Stage:
    # No unit test imports the merge app, so the metrics of a stage named merge are free to register here.
    settings = ServiceSettings(state_dir=tmp_path_factory.mktemp("state"))
    return Stage("merge", source=PARSED, default_port=9199, settings=settings)


def test_a_jump_forward_is_counted_and_logged_and_replays_are_not(
    stage: Stage, caplog: pytest.LogCaptureFixture
) -> None:
    for offset in (0, 1, 2):
        stage.metrics.positions.saw(PARSED, 0, offset)
    stage.metrics.positions.saw(PARSED, 1, 7)  # the first record seen on a partition sets its start
    assert _skipped("merge") == 0
    stage.metrics.positions.saw(PARSED, 0, 6)  # 3, 4 and 5 never reached the handler
    assert _skipped("merge") == 3
    assert [(r.levelname, r.expected, r.got) for r in caplog.records] == [("ERROR", 3, 6)]  # type: ignore[attr-defined]
    stage.metrics.positions.saw(PARSED, 0, 2)  # a redelivery after a restart goes back: at least once, not a loss
    stage.metrics.positions.saw(PARSED, 0, 3)
    stage.metrics.positions.saw(PARSED, 1, 8)
    assert _skipped("merge") == 3


async def test_a_changelog_fault_exits_for_a_restart_instead_of_dead_lettering(
    stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Exited(Exception):
        pass

    def exit_now(status: int) -> None:
        raise Exited(status)

    async def handler(incoming: Incoming) -> list[Output]:
        raise PartitionsMismatch("changelog has 0 partitions")

    dead: list[str] = []

    async def dead_letter(incoming: Incoming, code: str, reason: str, raw_id: str | None = None) -> None:
        dead.append(code)

    monkeypatch.setattr(runtime.os, "_exit", exit_now)
    monkeypatch.setattr(stage, "dead_letter", dead_letter)
    with pytest.raises(Exited) as exited:
        await stage.handle(handler, Incoming(value=b"{}", key=b"k", topic="t", partition=0, offset=5))
    assert exited.value.args == (runtime.EXIT_FOR_RESTART,)
    assert dead == []

    async def buggy(incoming: Incoming) -> list[Output]:
        raise KeyError("a bug in a core")

    await stage.handle(buggy, Incoming(value=b"{}", key=b"k", topic="t", partition=0, offset=6))
    assert dead == ["internal_error"]  # a bug is the record's problem alone: dead-lettered, the stage goes on
