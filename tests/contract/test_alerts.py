"""The Prometheus alerting rules load, say what they are for, and name only metrics wiredesk exports."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.contract.promql import ROOT, promtool, unknown_metrics

PROMETHEUS = ROOT / "deploy" / "prometheus"


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


def test_promtool_accepts_the_config_and_the_rules() -> None:
    result = subprocess.run(
        [promtool(), "check", "config", "prometheus.yml"], cwd=PROMETHEUS, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in result.stdout


def test_every_rule_fires_on_a_failing_deployment_and_only_there() -> None:
    # tests/contract/alerts_test.yml: series a failing (and a healthy) deployment exports, and the alerts,
    # labels and words expected of each rule; promtool evaluates the real rules over them.
    result = subprocess.run(
        [promtool(), "test", "rules", "alerts_test.yml"], cwd=Path(__file__).parent, capture_output=True, text=True
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
    assert any(re.fullmatch("wiredesk_.+_deadletter_total", metric) for metric in exported)
    for rule in _rules():
        assert not unknown_metrics(rule["expr"], exported), rule["alert"]
