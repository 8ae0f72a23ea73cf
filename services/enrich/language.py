"""Language of a story: lingua restricted to the desk's languages, py3langid as an out-of-set check.

Restricting lingua to the desk's languages makes it fast and small (about 0.1 ms a paragraph) but
forces any other language onto a desk label: Italian comes out as Spanish. An unrestricted py3langid
second opinion catches that. Short headlines are often misread ("Biden pardons son" reads as
French), so too few letters or a low lingua confidence give 'und' rather than a guess.
"""

from __future__ import annotations

from functools import cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from shared.errors import InvalidInput

__all__ = ["LanguageGuesser"]

UNDETERMINED = "und"
# py3langid labels that are a desk language under another name (short Chinese reads as Wu, Arabic as Darija).
_LANGID_CHARS = 160
_SAME_LANGUAGE = {"wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar"}


@cache
def _lingua(languages: tuple[str, ...]) -> LanguageDetector:
    codes = []
    for code in languages:
        try:
            codes.append(IsoCode639_1.from_str(code))
        except ValueError as exc:
            raise InvalidInput(
                f"desk language {code!r} is not an ISO 639-1 code lingua knows", code="bad_setting"
            ) from exc
    if len(codes) < 2:
        raise InvalidInput("at least two desk languages are needed to detect one", code="bad_setting")
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()


@cache
def _langid() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


class LanguageGuesser:
    """Detects the language of a text among the desk's languages, or says 'und'."""

    def __init__(self, languages: list[str], *, min_confidence: float, min_letters: int) -> None:
        self.languages = frozenset(languages)
        self.lingua = _lingua(tuple(sorted(self.languages)))
        self.langid = _langid()
        self.min_confidence = min_confidence
        self.min_letters = min_letters

    def detect(self, text: str) -> str:
        """The ISO 639-1 (BCP-47) code of `text`'s language, or 'und' when unsure or not a desk language."""
        language, _ = self.detect_with_confidence(text)
        return language

    def detect_with_confidence(self, text: str) -> tuple[str, float]:
        """(language or 'und', lingua's confidence in its best desk language)."""
        if sum(ch.isalpha() for ch in text) < self.min_letters:
            return UNDETERMINED, 0.0
        values = self.lingua.compute_language_confidence_values(text)
        if not values:
            return UNDETERMINED, 0.0
        best = values[0]
        language = best.language.iso_code_639_1.name.lower()
        if best.value < self.min_confidence:
            return UNDETERMINED, best.value
        # py3langid's cost grows with length (0.6 ms at 300 chars) and the out-of-set check needs only a sample.
        other, other_confidence = self.langid.classify(text[:_LANGID_CHARS])
        other = _SAME_LANGUAGE.get(str(other), str(other))
        if other not in self.languages and other_confidence >= self.min_confidence:
            return UNDETERMINED, best.value
        return language, best.value
