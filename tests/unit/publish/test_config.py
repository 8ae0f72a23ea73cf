from __future__ import annotations

import pytest

from services.publish.config import PublishSettings
from services.publish.routing import load_rules
from shared.settings import PROJECT_ROOT


def test_defaults_point_at_the_shipped_rules_and_serve_31_everywhere() -> None:
    settings = PublishSettings()
    assert settings.routing_file == PROJECT_ROOT / "deploy" / "routing.yaml"
    assert load_rules(settings.routing_file).base_topics == ["stories.published.v1", "stories.latest.v1"]
    assert settings.ninjs2_topics == []
    assert settings.event_topics == ["stories.published.v1", "stories.latest.v1"]


def test_topic_lists_are_comma_separated_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREDESK_PUBLISH_NINJS2_TOPICS", "stories.desk.world.v1, stories.legacy.v1,")
    assert PublishSettings().ninjs2_topics == ["stories.desk.world.v1", "stories.legacy.v1"]
