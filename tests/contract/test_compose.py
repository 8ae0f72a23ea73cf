"""docker-compose.yml cannot be run here (no Docker engine), so its promises are checked statically."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from cli.supervisor import SIMULATOR_PORT, STAGES

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(document, dict)
    return document


def _service_folders() -> set[str]:
    return {p.name for p in (ROOT / "services").iterdir() if (p / "__main__.py").exists()}


def test_every_service_folder_has_a_compose_service() -> None:
    folders = _service_folders()
    assert {"ingest", "parse", "dedup", "enrich", "merge", "publish", "simulator"} <= folders | set(STAGES)
    assert folders <= set(_compose()["services"])


def test_compose_runs_the_same_commands_and_ports_as_make_run() -> None:
    services = _compose()["services"]
    for name, port in STAGES.items():
        assert services[name]["command"] == ["python", "-m", f"services.{name}"]
        assert services[name]["environment"]["WIREDESK_WEB_PORT"] == port
    assert services["simulator"]["command"][:3] == ["python", "-m", "services.simulator"]
    assert str(SIMULATOR_PORT) in services["simulator"]["command"]


def test_compose_kafka_image_is_the_pinned_broker_version() -> None:
    pom = (ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)
    assert version is not None
    assert _compose()["services"]["kafka"]["image"] == f"apache/kafka:{version.group(1)}"
    makefile = (ROOT / "Makefile").read_text()
    assert f"KAFKA_VERSION := {version.group(1)}" in makefile


def test_prometheus_scrapes_every_service() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = {t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    expected = {f"{name}:{port}" for name, port in STAGES.items()} | {f"simulator:{SIMULATOR_PORT}"}
    assert targets == expected


def test_topics_are_applied_before_services_start() -> None:
    services = _compose()["services"]
    assert services["topics"]["command"] == ["wiredesk", "topics", "apply"]
    for name in STAGES:
        assert services[name]["depends_on"]["topics"]["condition"] == "service_completed_successfully"
