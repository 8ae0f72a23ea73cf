from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.dedup.config import DedupSettings


def test_defaults_are_the_tuned_ones() -> None:
    settings = DedupSettings()
    assert (settings.shingle_size, settings.permutations, settings.bands, settings.threshold) == (3, 128, 32, 0.5)
    assert (settings.lead_words, settings.window_hours, settings.chain_hours) == (100, 72.0, 336.0)


def test_environment_overrides_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREDESK_DEDUP_THRESHOLD", "0.75")
    monkeypatch.setenv("WIREDESK_DEDUP_WINDOW_HOURS", "24")
    settings = DedupSettings()
    assert (settings.threshold, settings.window_hours) == (0.75, 24.0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"permutations": 96, "bands": 32}, "power of two"),
        ({"permutations": 128, "bands": 48}, "multiple of bands"),
        ({"window_hours": 400}, "chain_hours"),
        ({"threshold": 0.4, "related_threshold": 0.45}, "related_threshold"),
    ],
)
def test_inconsistent_settings_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DedupSettings(**overrides)  # type: ignore[arg-type]
