"""Keywords of a story: yake's statistical key phrases, with the stopword list of the story's language.

yake needs no model, only its own stopword lists (34 languages ship in the wheel). It cannot segment
Chinese, Japanese or Korean (whole clauses come back as "keywords"), and a text in no known language
has no stopwords to lean on, so those get no keywords rather than bad ones.
"""

from __future__ import annotations

from typing import Any

import yake

__all__ = ["KeywordExtractor"]

_NO_WORD_SPACES = frozenset({"zh", "ja", "ko", "th"})
_MAX_WORDS = 2


class KeywordExtractor:
    """yake key phrases, one extractor per language, built on first use."""

    def __init__(self, *, top: int = 8, max_chars: int = 600) -> None:
        self.top = top
        self.max_chars = max_chars
        self._extractors: dict[str, Any] = {}

    def keywords(self, text: str, language: str) -> list[str]:
        """Up to `top` key phrases of `text`, best first; none for 'und' or unsegmented scripts."""
        base = language.split("-")[0]
        if self.top == 0 or base in _NO_WORD_SPACES or base == "und" or not text.strip():
            return []
        extractor = self._extractors.get(base)
        if extractor is None:
            extractor = yake.KeywordExtractor(lan=base, n=_MAX_WORDS, top=self.top, dedupLim=0.7)
            self._extractors[base] = extractor
        phrases: list[tuple[str, float]] = extractor.extract_keywords(text[: self.max_chars])
        seen: dict[str, str] = {}
        for phrase, _score in phrases:
            seen.setdefault(phrase.lower(), phrase)
        return list(seen.values())
