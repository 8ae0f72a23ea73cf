from __future__ import annotations

import random

import pytest

from services.dedup.core import MinHasher


def hasher(**overrides: int) -> MinHasher:
    settings = {"shingle_size": 3, "permutations": 128, "bands": 32, "seed": 7} | overrides
    return MinHasher(**settings)


def jaccard(left: list[str], right: list[str]) -> float:
    a = {tuple(left[i : i + 3]) for i in range(len(left) - 2)}
    b = {tuple(right[i : i + 3]) for i in range(len(right) - 2)}
    return len(a & b) / len(a | b)


def test_identical_text_scores_one_and_shares_every_band() -> None:
    tokens = ["the", "ecb", "kept", "rates", "on", "hold", "on", "thursday", "and", "signalled", "a", "cut"]
    m = hasher()
    assert m.similarity(m.signature(tokens), m.signature(list(tokens))) == 1.0  # type: ignore[arg-type]
    assert m.band_keys(m.signature(tokens)) == m.band_keys(m.signature(list(tokens)))  # type: ignore[arg-type]


@pytest.mark.parametrize("changed", [5, 20, 40])
def test_estimate_tracks_true_jaccard(changed: int) -> None:
    rng = random.Random(changed)
    vocabulary = [f"w{number}" for number in range(3000)]
    left = [rng.choice(vocabulary) for _ in range(100)]
    right = list(left)
    for position in rng.sample(range(100), changed):
        right[position] = rng.choice(vocabulary)
    estimates = []
    for seed in range(40):
        m = hasher(seed=seed)
        estimates.append(m.similarity(m.signature(left), m.signature(right)))  # type: ignore[arg-type]
    assert abs(sum(estimates) / len(estimates) - jaccard(left, right)) < 0.03


def test_unrelated_text_scores_near_zero() -> None:
    m = hasher()
    left = [f"a{number}" for number in range(100)]
    right = [f"b{number}" for number in range(100)]
    assert m.similarity(m.signature(left), m.signature(right)) < 0.05  # type: ignore[arg-type]


def test_short_text_is_one_shingle_and_empty_text_has_no_signature() -> None:
    m = hasher()
    assert m.shingle_count(["flash"]) == 1
    assert m.shingle_count([]) == 0
    assert m.signature([]) is None
    signature = m.signature(["flash", "quake"])
    assert signature is not None and len(set(signature)) == 1  # every bin borrowed from the one shingle


def test_signature_encodes_to_ascii_and_back() -> None:
    m = hasher()
    signature = m.signature(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"])
    assert signature is not None
    text = m.encode(signature)
    assert text.isascii() and len(text) == 684
    assert m.decode(text) == signature


def test_band_keys_name_their_band() -> None:
    m = hasher(permutations=64, bands=16)
    keys = m.band_keys(m.signature(["one", "two", "three", "four", "five", "six"]))  # type: ignore[arg-type]
    assert [key >> 32 for key in keys] == list(range(16))
    assert len(set(keys)) == 16
