"""Import rules: stages never import each other, shared/ imports no stage, the CLI never loads faust."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = sorted(p.name for p in (ROOT / "services").iterdir() if p.is_dir() and (p / "__init__.py").exists())


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_no_other_stage(stage: str) -> None:
    others = {f"services.{s}" for s in STAGES if s != stage}
    for path in (ROOT / "services" / stage).rglob("*.py"):
        bad = {name for name in _imports(path) if any(name == o or name.startswith(o + ".") for o in others)}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_shared_imports_no_stage_and_no_cli() -> None:
    for path in (ROOT / "shared").rglob("*.py"):
        bad = {n for n in _imports(path) if n.startswith(("services", "cli"))}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_cores_do_not_import_faust_or_the_runtime() -> None:
    for path in (ROOT / "services").rglob("*.py"):
        if path.name in {"app.py", "__main__.py"}:
            continue
        bad = {n for n in _imports(path) if n.split(".")[0] in {"faust", "mode", "aiokafka"} or n == "shared.runtime"}
        assert not bad, f"{path.relative_to(ROOT)} (a core module) imports {sorted(bad)}"


def test_the_cli_does_not_load_faust() -> None:
    code = "import sys, cli.main; assert 'faust' not in sys.modules, sorted(m for m in sys.modules if 'faust' in m)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
