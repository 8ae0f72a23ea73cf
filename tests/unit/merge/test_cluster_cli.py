from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from cli.commands.cluster import cluster

WIRE = Path(__file__).resolve().parents[2] / "fixtures" / "merge" / "wire"


def test_cluster_prints_one_line_per_event_and_reports_unreadable_files(tmp_path: Path) -> None:
    files = [str(WIRE / name) for name in ("reuters_quake.json", "ap_quake.json", "reuters_transfer.json")]
    result = CliRunner().invoke(cluster, [*files, str(tmp_path / "missing.xml")])
    assert result.exit_code == 2
    assert "missing.xml: cannot read file" in result.stderr
    events = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [len(e["members"]) for e in events] == [2, 1]
    quake, transfer = events
    assert quake["credit_line"] == "With reporting by Reuters and AP"
    assert [m["agency"] for m in quake["members"]] == ["reuters", "ap"]
    assert quake["members"][1]["path"] == files[1]
    assert any(e.startswith("text cosine") for e in quake["members"][1]["evidence"])
    assert "numbers: 6.8" in quake["members"][1]["evidence"]
    assert quake["lead"] == quake["members"][0]["id"]
    assert transfer["credit_line"] == "With reporting by Reuters"
