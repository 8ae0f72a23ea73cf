"""The local broker's cluster id: a fresh one never looks like a command-line option, a kept one is reused."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from shared.kafka.broker import LocalBroker


def _broker(tmp_path: Path) -> LocalBroker:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return LocalBroker(tmp_path, version="test", kafka_home=tmp_path / "home")


def test_an_id_that_would_start_with_a_dash_is_drawn_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 0xF8 makes the first base64 character index 62, which is "-" in the URL-safe alphabet.
    draws = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(bytes=b"\x10" * 16)])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(draws))
    cluster_id = _broker(tmp_path)._cluster_id()
    assert cluster_id == "EBAQEBAQEBAQEBAQEBAQEA"
    assert (tmp_path / "cluster.id").read_text() == cluster_id


def test_a_kept_id_is_reused(tmp_path: Path) -> None:
    (tmp_path / "cluster.id").write_text("kept-id-from-format\n")
    assert _broker(tmp_path)._cluster_id() == "kept-id-from-format"
