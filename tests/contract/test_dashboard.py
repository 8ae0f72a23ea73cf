"""The Grafana dashboard `make up` provisions: Grafana finds it, its panels query the provisioned Prometheus,
their PromQL parses, and every metric it names is one wiredesk exports."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import yaml

from tests.contract.promql import ROOT, promql_errors, unknown_metrics

PROVISIONING = ROOT / "deploy" / "grafana" / "provisioning"
MOUNTED_AT = "/etc/grafana/provisioning"


def _dashboard() -> dict[str, Any]:
    document = json.loads((PROVISIONING / "dashboards" / "wiredesk.json").read_text())
    assert isinstance(document, dict)
    return document


def _panels() -> list[dict[str, Any]]:
    return [panel for panel in _dashboard()["panels"] if panel["type"] != "row"]


def _exprs() -> dict[str, str]:
    # Grafana fills in $__rate_interval before Prometheus sees the query.
    return {
        f"{panel['title']} ({target['refId']})": target["expr"].replace("$__rate_interval", "1m")
        for panel in _panels()
        for target in panel["targets"]
    }


def test_grafana_loads_the_dashboard_from_the_mounted_folder() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert f"./deploy/grafana/provisioning:{MOUNTED_AT}:ro" in compose["services"]["grafana"]["volumes"]
    provider = yaml.safe_load((PROVISIONING / "dashboards" / "wiredesk.yml").read_text())["providers"][0]
    folder = Path(provider["options"]["path"]).relative_to(MOUNTED_AT)
    assert (PROVISIONING / folder / "wiredesk.json").is_file()
    assert _dashboard()["uid"] == "wiredesk"


def test_every_panel_queries_the_provisioned_prometheus() -> None:
    datasource = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    assert datasource["type"] == "prometheus"
    for panel in _panels():
        for source in [panel["datasource"], *(target["datasource"] for target in panel["targets"])]:
            assert source == {"type": "prometheus", "uid": datasource["uid"]}, panel["title"]


def test_every_query_parses_and_names_only_wiredesk_metrics(exported: set[str]) -> None:
    exprs = _exprs()
    assert len(exprs) >= 15
    errors = promql_errors(exprs)
    assert not errors, errors
    unknown = {title: missing for title, expr in exprs.items() if (missing := unknown_metrics(expr, exported))}
    assert not unknown


def test_panels_have_unique_ids_and_do_not_overlap() -> None:
    panels = _dashboard()["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    cells = [
        {
            (x, y)
            for x in range(p["gridPos"]["x"], p["gridPos"]["x"] + p["gridPos"]["w"])
            for y in range(p["gridPos"]["y"], p["gridPos"]["y"] + p["gridPos"]["h"])
        }
        for p in panels
    ]
    assert all(max(x for x, _ in cell) < 24 for cell in cells)
    for first, second in itertools.combinations(range(len(panels)), 2):
        assert not cells[first] & cells[second], (panels[first]["title"], panels[second]["title"])
