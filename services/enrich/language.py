"""Language of a story: detected from its text, restricted to the desk's languages, 'und' when unsure."""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["LanguageDetector"]


@cache
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


class LanguageDetector:
    """py3langid restricted to the desk's languages, with a confidence floor.

    Restricting the set forces out-of-set text onto an in-set label, and short headlines are often
    misread ("Biden pardons son" reads as French), so low confidence and too little text give 'und'
    rather than a guess.
    """

    def __init__(self, languages: list[str], *, min_confidence: float, min_letters: int) -> None:
        self.identifier = _identifier(tuple(languages))
        self.min_confidence = min_confidence
        self.min_letters = min_letters

    def detect(self, text: str) -> str:
        """The BCP-47 language of `text`, or 'und'."""
        if sum(ch.isalpha() for ch in text) < self.min_letters:
            return "und"
        language, confidence = self.identifier.classify(text)
        return str(language) if confidence >= self.min_confidence else "und"
