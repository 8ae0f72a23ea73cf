"""Nothing but ParseError ever escapes a parser, whatever bytes it is given (hypothesis, mutated samples)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.parse.formats.base import FeedContext
from services.parse.formats.registry import PARSERS
from shared.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEEDS = sorted(p for p in (FIXTURES / "parse").rglob("*") if p.is_file()) + sorted((FIXTURES / "e2e").glob("*"))
CTX = FeedContext(agency="fuzz")


def _mutate(data: bytes, cuts: list[int], flips: list[tuple[int, int]]) -> bytes:
    buffer = bytearray(data)
    for position, value in flips:
        if buffer:
            buffer[position % len(buffer)] = value
    for cut in cuts:
        if buffer:
            del buffer[cut % len(buffer) :]
    return bytes(buffer)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    cuts=st.lists(st.integers(min_value=0), max_size=1),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
)
def test_mutated_samples_raise_only_parse_error(parser: object, seed: Path, cuts: list[int], flips: list) -> None:
    data = _mutate(seed.read_bytes(), cuts, flips)
    try:
        stories = parser.parse(data, CTX)  # type: ignore[attr-defined]
    except ParseError as exc:
        assert exc.reason
    else:
        assert isinstance(stories, list)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2048))
def test_random_bytes_raise_only_parse_error(parser: object, data: bytes) -> None:
    try:
        parser.parse(data, CTX)  # type: ignore[attr-defined]
    except ParseError as exc:
        assert exc.reason


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
def test_sniff_never_raises_on_any_seed(parser: object) -> None:
    for seed in SEEDS:
        assert isinstance(parser.sniff(seed.read_bytes()[:4096]), bool)  # type: ignore[attr-defined]
