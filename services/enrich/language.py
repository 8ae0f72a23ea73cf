"""Language of a story: lingua restricted to the desk's languages, checked by py3langid.

Restricting lingua to the desk's languages makes it fast and small (about 0.1 ms a paragraph) but
forces any other language onto a desk label: Norwegian comes out as German. An unrestricted py3langid
second opinion catches that. Short headlines are often misread ("Biden pardons son" reads as
French), so too few letters or a low lingua confidence give 'und' rather than a guess, unless
py3langid, among the same languages, independently agrees with lingua: two detectors built on
different features agreeing is stronger evidence than either one's confidence ("Fed to halt QE to
avert 'bubble'" is English at lingua 0.36 but py3langid 0.99).

Agency boilerplate is not language: bylines, datelines and agency tags ("BUFFALO, N.Y. (AP) —",
"(ANSA) - ROME, JUL 11 -") are dropped before detection by `detection_text`.
"""

from __future__ import annotations

import re
from functools import cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from shared.errors import InvalidInput

__all__ = ["UNDETERMINED", "LanguageGuesser", "detection_text"]

UNDETERMINED = "und"
# py3langid's cost grows with length (0.6 ms at 300 chars) and its opinions need only a sample.
_LANGID_CHARS = 160
# py3langid labels that are a desk language under another name (short Chinese reads as Wu, Arabic as
# Darija, terse English financial copy as Nigerian Pidgin, an English-based creole).
_SAME_LANGUAGE = {"wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar", "pcm": "en"}
# "No linguistic content" (tables, codes) is no evidence of another language.
_NOT_A_LANGUAGE = {"zxx"}

# A lead-in up to 60 characters that ends in an agency tag and a separator ("BUFFALO, N.Y. (AP) —",
# "Tegucigalpa, Jan 2 (EFE).-", "MOSCOW, January 21. /TASS/."), or a parenthesis that opens the text
# ("(ANSA) -", an editor's "(Adds comments) *").
_AGENCY_TAG = re.compile(
    r"^(?:[^\n()]{0,60}?(?:\([A-Za-z][A-Za-z .&/-]{0,24}\)[\s.]*[-–—_:]{1,2}|/[A-Za-z]{2,12}/[\s.]*[-–—_:.]?)"
    r"|\([A-Z][^()\n]{0,39}\)[\s*.:]*(?:[-–—_]{1,2})?)\s*"
)
# An all-capitals dateline "ROME, JUL 11 -" or "MOSCOW, January 21." ahead of the text.
_CAPS_DATELINE = re.compile(r"^[A-Z][A-Z .'/-]{2,30},[^\n\-–—]{0,30}?[-–—]+\s*")
# An agency slug ahead of a headline: ">>>ANSA/".
_SLUG = re.compile(r"^[>*\s]*[A-Z]{2,10}/(?=\S)")
# A paragraph that is only a byline: "By Toby Davis", "Von Christian Hollmann, dpa".
_BYLINE = re.compile(
    r"^(?:By|Von|Par|Por|De)\s+[A-Z][\w.'’-]*(?:[\s,]+(?:and\s+|und\s+|et\s+)?[A-Z][\w.'’-]*){0,6}\s*$"
)


def _strip_lead(text: str, byline: str | None, dateline: str | None) -> str:
    """`text` without the byline, dateline and agency tags it starts with."""
    text = text.strip()
    for _ in range(3):  # "(ANSA) - ROME, JUL 11 - ..." carries two lead-ins
        before = text
        for known in (byline, dateline):
            if known and text.lower().startswith(known.lower()):
                text = text[len(known) :].lstrip(" ,.:;-–—_")
        text = _SLUG.sub("", text, count=1)
        text = _AGENCY_TAG.sub("", text, count=1)
        text = _CAPS_DATELINE.sub("", text, count=1)
        text = text.strip()
        if text == before:
            break
    return text


def detection_text(text: str, *, byline: str | None = None, dateline: str | None = None, max_chars: int = 400) -> str:
    """The language-bearing part of a headline or body: paragraphs without boilerplate, up to `max_chars`.

    A paragraph that is only a byline is skipped; the others lose the byline, dateline and agency tags
    they start with. The story keeps its text unchanged: this is only what the detector reads.
    """
    kept: list[str] = []
    size = 0
    for paragraph in text.split("\n\n"):
        if size >= max_chars:
            break
        cleaned = _strip_lead(paragraph, byline, dateline)
        if not cleaned or _BYLINE.match(cleaned):
            continue
        kept.append(cleaned[: max_chars - size])
        size += len(kept[-1]) + 2
    return "\n\n".join(kept)


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

    def __init__(
        self,
        languages: list[str],
        *,
        min_confidence: float,
        min_letters: int,
        agree_confidence: float = 0.3,
        agree_langid: float = 0.7,
        other_confidence: float = 0.4,
        sure_langid: float = 0.95,
        sure_chars: int = 60,
    ) -> None:
        self.languages = frozenset(languages)
        self.lingua = _lingua(tuple(sorted(self.languages)))
        self.langid = _langid()
        self.min_confidence = min_confidence
        self.min_letters = min_letters
        self.agree_confidence = agree_confidence
        self.agree_langid = agree_langid
        self.other_confidence = other_confidence
        self.sure_langid = sure_langid
        self.sure_chars = sure_chars

    def detect(self, text: str) -> str:
        """The ISO 639-1 (BCP-47) code of `text`'s language, or 'und' when unsure or not a desk language."""
        language, _ = self.detect_with_confidence(text)
        return language

    def detect_with_confidence(self, text: str) -> tuple[str, float]:
        """(language or 'und', the deciding detector's confidence in it)."""
        if sum(ch.isalpha() for ch in text) < self.min_letters:
            return UNDETERMINED, 0.0
        # py3langid's byte n-grams are case-sensitive and were trained on mixed case: all-capitals
        # headlines read better in lower case (lingua lower-cases by itself).
        sample = text[:_LANGID_CHARS]
        if any(line.isupper() for line in sample.split("\n")):
            sample = "\n".join(line.lower() if line.isupper() else line for line in sample.split("\n"))
        other, other_confidence = self.langid.classify(sample)
        other = _SAME_LANGUAGE.get(str(other), str(other))
        if other not in self.languages and other not in _NOT_A_LANGUAGE and other_confidence >= self.other_confidence:
            return UNDETERMINED, 0.0
        # Most copy opens with a sentence of one clear language that unrestricted py3langid names almost
        # surely: lingua, the costlier detector (0.6 ms at 400 characters against 0.2), adds nothing there.
        if other in self.languages and other_confidence >= self.sure_langid and len(sample) >= self.sure_chars:
            return other, other_confidence
        values = self.lingua.compute_language_confidence_values(text)
        if not values:
            return UNDETERMINED, 0.0
        best = values[0]
        language = best.language.iso_code_639_1.name.lower()
        if best.value >= self.min_confidence:
            return language, best.value
        if best.value >= self.agree_confidence and self._langid_among_desk(sample) == language:
            return language, best.value
        return UNDETERMINED, best.value

    def _langid_among_desk(self, sample: str) -> str | None:
        """py3langid's best desk language for `sample` if sure enough, else None.

        Renormalising its probabilities over the desk's languages is exactly what restricting it would
        give, without a second copy of its model in memory.
        """
        ranked = [(code, p) for code, p in self.langid.rank(sample) if code in self.languages]
        total = sum(p for _, p in ranked)
        if not ranked or total <= 0:
            return None
        code, p = ranked[0]
        return str(code) if p / total >= self.agree_langid else None
