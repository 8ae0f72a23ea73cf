"""What the alerting rules and the Grafana dashboard share: the metrics wiredesk exports, and checks of the
PromQL expressions that name them (by promtool, which parses them as Prometheus would)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import yaml

from cli.supervisor import STAGES

ROOT = Path(__file__).resolve().parents[2]

# Run where no other test has registered metrics: each stage's module-level metrics, the metrics every
# stage shares (a Faust stage makes them when its app is imported, publish only when it runs), and
# ingest's per-feed collector; printed as the names a scrape shows.
_EXPORTED = """
import importlib, json, sys
from prometheus_client import REGISTRY
from shared.metrics import StageMetrics
stages = sys.argv[1:]
for stage in stages:
    importlib.import_module(f"services.{stage}.app")
for stage in stages:
    try:
        StageMetrics(stage)
    except ValueError:  # the stage's app already made them when imported
        pass
from services.ingest.app import FeedCollector
REGISTRY.register(FeedCollector({}))
suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"], "summary": ["_sum", "_count"]}
names = [f.name + s for f in REGISTRY.collect() for s in suffixes.get(f.type, [""])]
print(json.dumps(names))
"""


def exported_metrics() -> set[str]:
    """The names of every series a scrape of the wiredesk stages shows."""
    result = subprocess.run(
        [sys.executable, "-c", _EXPORTED, *STAGES], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(result.stdout))


def unknown_metrics(expr: str, exported: set[str]) -> list[str]:
    """The metric names and `__name__=~` patterns in `expr` that no exported metric answers to."""
    patterns = re.findall(r'__name__=~"([^"]+)"', expr)
    names = [name for name in re.findall(r"\bwiredesk_[a-z_]+\b", expr) if not any(name in p for p in patterns)]
    unknown = [name for name in names if name not in exported]
    return unknown + [p for p in patterns if not any(re.fullmatch(p, metric) for metric in exported)]


def promtool() -> str:
    """The promtool binary; a failed assertion naming the install step when it is missing."""
    path = shutil.which("promtool")
    assert path, "promtool is missing: scripts/install-system-deps.sh installs it (Debian package prometheus)"
    return path


def promql_errors(exprs: Mapping[str, str]) -> str:
    """promtool's complaints about the expressions (by name), parsed as recording rules; "" when all parse."""
    rules = {
        "groups": [
            {"name": "check", "rules": [{"record": f"check:{i}", "expr": e} for i, e in enumerate(exprs.values())]}
        ]
    }
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as file:
        yaml.safe_dump(rules, file)
        file.flush()
        result = subprocess.run([promtool(), "check", "rules", file.name], capture_output=True, text=True)
    if result.returncode == 0:
        return ""
    return result.stdout + result.stderr + "\n" + "\n".join(f"check:{i} = {name}" for i, name in enumerate(exprs))
