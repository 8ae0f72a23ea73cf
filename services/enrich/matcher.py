"""One Aho-Corasick pass over a text for many names, with the checks that make a hit a real name.

A name matches when:
- it starts with a capital in scripts that have case ("turkey" the bird is no country);
- an all-capital short form is written exactly so ("US", "UK", "WHO"; not "us", "who");
- it sits on word boundaries, except in CJK, which has no spaces ("新华社北京3月5日电");
- in Cyrillic it may carry up to three more letters of case ending ("России", "в Киеве", "Лаврова"),
  which is why single-word Cyrillic names ending in a vowel are also indexed by stem ("Франци|и").
Overlapping hits keep the longest, leftmost one ("New York" over "York").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

import ahocorasick

__all__ = ["NameMatcher", "Span", "is_cjk", "is_cyrillic", "lower_same_length"]

ValueT = TypeVar("ValueT")

Span = tuple[int, int, Literal["person", "organisation"]]
"""A character span of a person or organisation name: (start, end, kind)."""

_CYRILLIC_ENDINGS = "аяийьеоуы"
_MAX_ENDING = 3
_MIN_STEM = 4
_MAX_EXACT_CASE = 4


def is_cjk(ch: str) -> bool:
    """Whether `ch` is a Chinese, Japanese or Korean character."""
    try:
        return unicodedata.name(ch).split(" ", 1)[0] in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")
    except ValueError:
        return False


def is_cyrillic(ch: str) -> bool:
    """Whether `ch` is a Cyrillic letter."""
    return "\u0400" <= ch <= "\u04ff"


def lower_same_length(text: str) -> str:
    """`text` lower-cased without changing its length, so match offsets still index the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _stem(surface: str) -> str | None:
    if " " in surface or not is_cyrillic(surface[0]) or surface[-1] not in _CYRILLIC_ENDINGS:
        return None
    stem = surface[:-1]
    return stem if len(stem) >= _MIN_STEM else None


@dataclass(frozen=True, slots=True)
class _Key(Generic[ValueT]):
    value: ValueT
    length: int
    exact_case: str | None


class NameMatcher(Generic[ValueT]):
    """Finds any of many names in a text in one pass; built once, then read-only."""

    def __init__(self, names: Mapping[str, ValueT]) -> None:
        self.automaton = ahocorasick.Automaton()
        for surface, value in names.items():
            if not surface:
                continue
            exact = surface if surface.isupper() and len(surface) <= _MAX_EXACT_CASE else None
            for key in filter(None, (surface, _stem(surface))):
                lowered = lower_same_length(key)
                if lowered not in self.automaton:
                    self.automaton.add_word(lowered, _Key(value, len(lowered), exact))
        if len(self.automaton):
            self.automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, ValueT]]:
        """(start, end, value) of every name in `text`, left to right, without overlaps."""
        if not len(self.automaton):
            return []
        candidates: list[tuple[int, int, ValueT]] = []
        for last, key in self.automaton.iter(lower_same_length(text)):
            start = last + 1 - key.length
            end = _accepted_end(text, start, last + 1, key)
            if end is not None:
                candidates.append((start, end, key.value))
        candidates.sort(key=lambda c: (c[0], c[0] - c[1]))
        kept: list[tuple[int, int, ValueT]] = []
        reach = -1
        for start, end, value in candidates:
            if start >= reach:
                kept.append((start, end, value))
                reach = end
        return kept


def _accepted_end(text: str, start: int, end: int, key: _Key[ValueT]) -> int | None:
    """Where the match really ends (after any Cyrillic case ending), or None when it is no name."""
    first = text[start]
    if key.exact_case is not None and text[start:end] != key.exact_case:
        return None
    if is_cjk(first):
        return end
    if first.islower():  # scripts without case (Arabic) have no capitals to require
        return None
    if start > 0 and text[start - 1].isalnum():
        return None
    if is_cyrillic(first):
        stop = end
        while stop < len(text) and stop - end <= _MAX_ENDING and is_cyrillic(text[stop]):
            stop += 1
        end = stop if stop - end <= _MAX_ENDING else end
    if end < len(text) and text[end].isalnum():
        return None
    return end
