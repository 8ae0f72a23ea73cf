"""Fixtures the contract tests share."""

from __future__ import annotations

import pytest

from tests.contract.promql import exported_metrics


@pytest.fixture(scope="session")
def exported() -> set[str]:
    """The names of every series a scrape of the wiredesk stages shows (imported once, in a fresh process)."""
    return exported_metrics()
