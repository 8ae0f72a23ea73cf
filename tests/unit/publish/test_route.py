"""`wiredesk route`: the command object, run through click's runner, and its import rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cli.commands.route import route
from shared.settings import PROJECT_ROOT

BASE = ["stories.published.v1", "stories.latest.v1"]


def test_prints_one_line_per_story_with_its_topics(fixtures_dir: Path) -> None:
    wire = fixtures_dir / "publish" / "wire"
    result = CliRunner().invoke(route, [str(wire / "tass_flood.json"), str(wire / "two_sport_items.json")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines == [
        {
            "path": str(wire / "tass_flood.json"),
            "id": "tass:urn:newsml:tass.ru:20240305:1745",
            "topics": [*BASE, "stories.alerts.v1", "stories.desk.world.v1", "stories.desk.russia.v1"],
        },
        {
            "path": str(wire / "two_sport_items.json"),
            "id": "ap:urn:example:ap:match-report-88",
            "topics": [*BASE, "stories.desk.sport.v1"],
        },
        {
            "path": str(wire / "two_sport_items.json"),
            "id": "ap:urn:example:ap:markets-close-12",
            "topics": [*BASE, "stories.desk.business.v1"],
        },
    ]


def test_other_rules_file_is_used(fixtures_dir: Path) -> None:
    rules = fixtures_dir / "publish" / "rules_desks.yaml"
    wire = fixtures_dir / "publish" / "wire" / "tass_flood.json"
    result = CliRunner().invoke(route, ["--rules", str(rules), str(wire)])
    assert json.loads(result.output)["topics"] == [
        *BASE,
        "stories.alerts.v1",
        "stories.desk.russia.v1",
        "stories.desk.world.v1",
    ]


def test_unreadable_file_is_reported_and_exits_2(fixtures_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    good = fixtures_dir / "publish" / "wire" / "tass_flood.json"
    result = CliRunner().invoke(route, [str(empty), str(good)])
    assert result.exit_code == 2
    assert f"{empty}: input is empty" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_bad_rules_stop_with_the_reason(tmp_path: Path, fixtures_dir: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: []\n", encoding="utf-8")
    result = CliRunner().invoke(
        route, ["--rules", str(rules), str(fixtures_dir / "publish" / "wire" / "tass_flood.json")]
    )
    assert result.exit_code == 1
    assert f"{rules}: rules: List should have at least 1 item after validation, not 0" in result.output


def test_route_command_does_not_import_faust() -> None:
    code = "import sys, cli.commands.route; sys.exit('faust' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=False).returncode == 0
