"""Fixtures every test may use. The broker fixtures live in tests/integration/conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def shared_dir() -> Path:
    """The shared corpus/vocab folder: WIREDESK_SHARED_DIR, default ../shared beside the project."""
    return Path(os.environ.get("WIREDESK_SHARED_DIR", ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """../shared/corpus; tests that need it are skipped, saying so, when it is absent."""
    path = shared_dir() / "corpus"
    if not path.is_dir():
        pytest.skip(f"wire corpus not found at {path} (set WIREDESK_SHARED_DIR); corpus tests not run")
    return path


@pytest.fixture(scope="session")
def vocab_dir() -> Path:
    """../shared/vocab; tests that need it are skipped, saying so, when it is absent."""
    path = shared_dir() / "vocab"
    if not path.is_dir():
        pytest.skip(f"IPTC vocabularies not found at {path} (set WIREDESK_SHARED_DIR); vocab tests not run")
    return path


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The project's own hand-written fixtures."""
    return FIXTURES
