"""The Prometheus alerting rules load, say what they are for, and name only metrics wiredesk exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.supervisor import STAGES

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"

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


@pytest.fixture(scope="module")
def exported() -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _EXPORTED, *STAGES], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(result.stdout))


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_prometheus_loads_the_rules() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "./deploy/prometheus:/etc/prometheus:ro" in compose["services"]["prometheus"]["volumes"]


def test_every_target_is_labelled_with_its_stage() -> None:
    # The rules group families that every stage exports (dead letters, lag) by this label.
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            for target in static["targets"]:
                assert static["labels"]["stage"] == target.split(":")[0], target


def _promtool() -> str:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: scripts/install-system-deps.sh installs it (Debian package prometheus)"
    return promtool


def test_promtool_accepts_the_config_and_the_rules() -> None:
    result = subprocess.run(
        [_promtool(), "check", "config", "prometheus.yml"], cwd=PROMETHEUS, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in result.stdout


def test_every_rule_fires_on_a_failing_deployment_and_only_there() -> None:
    # tests/contract/alerts_test.yml: series a failing (and a healthy) deployment exports, and the alerts,
    # labels and words expected of each rule; promtool evaluates the real rules over them.
    result = subprocess.run(
        [_promtool(), "test", "rules", "alerts_test.yml"], cwd=Path(__file__).parent, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert {rule["alert"] for rule in _rules()} <= set(
        re.findall(r"alertname: (\w+)", (Path(__file__).parent / "alerts_test.yml").read_text())
    ), "a rule without a promtool test"


def test_every_rule_is_named_graded_and_explained() -> None:
    rules = _rules()
    assert len({rule["alert"] for rule in rules}) == len(rules)
    for rule in rules:
        assert rule["alert"].startswith("Wiredesk"), rule
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


def test_every_metric_in_a_rule_is_exported(exported: set[str]) -> None:
    assert {"wiredesk_publish_schema_invalid_total", "wiredesk_ingest_last_success_timestamp_seconds"} <= exported
    for rule in _rules():
        names = re.findall(r"\bwiredesk_[a-z_]+\b", rule["expr"])
        patterns = re.findall(r'__name__=~"([^"]+)"', rule["expr"])
        for name in names:
            if not any(name in pattern for pattern in patterns):
                assert name in exported, f"{rule['alert']}: {name} is not a wiredesk metric"
        for pattern in patterns:
            assert any(re.fullmatch(pattern, metric) for metric in exported), f"{rule['alert']}: {pattern} matches none"
    assert any(re.fullmatch("wiredesk_.+_deadletter_total", metric) for metric in exported)
