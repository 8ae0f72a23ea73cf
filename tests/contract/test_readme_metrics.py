"""The README's "Metrics and health" section names every metric the stages export, and only those."""

from __future__ import annotations

import re

from tests.contract.promql import ROOT

_SERIES_SUFFIX = re.compile(r"_(total|bucket|sum|count)$")


def _family(name: str) -> str:
    return _SERIES_SUFFIX.sub("", name)


def _documented_patterns() -> list[re.Pattern[str]]:
    """Each metric the section's tables name, as a pattern (`<stage>` is any stage)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Metrics and health", 1)[1].split("\n## ", 1)[0]
    patterns = []
    for row in (line for line in section.splitlines() if line.startswith("| ")):
        previous = ""
        for token in re.findall(r"`(wiredesk_[^`{]+|_[a-z_]+)(?:\{[^`]*\})?`", row):
            # "`wiredesk_x_consumer_end_offset`, `_committed_offset`": the short form replaces as many of
            # the previous name's last words as it has.
            if token.startswith("_"):
                words = token.strip("_").split("_")
                token = "_".join(previous.split("_")[: -len(words)] + words)
            previous = token
            patterns.append(re.compile(re.escape(_family(token)).replace(re.escape("<stage>"), "[a-z]+")))
    return patterns


def test_every_metric_the_readme_names_is_exported(exported: set[str]) -> None:
    families = {_family(name) for name in exported}
    missing = [p.pattern for p in _documented_patterns() if not any(p.fullmatch(f) for f in families)]
    assert missing == []


def test_every_exported_metric_is_in_the_readme(exported: set[str]) -> None:
    patterns = _documented_patterns()
    families = {_family(name) for name in exported if name.startswith("wiredesk_")}
    undocumented = sorted(f for f in families if not any(p.fullmatch(f) for p in patterns))
    assert undocumented == []
