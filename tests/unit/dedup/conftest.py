"""Fixtures of the dedup unit tests."""

from __future__ import annotations

import pytest

from tests.unit.dedup.builders import Stores


@pytest.fixture
def stores() -> Stores:
    return Stores()
