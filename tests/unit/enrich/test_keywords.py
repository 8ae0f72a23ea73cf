from __future__ import annotations

from services.enrich.keywords import KeywordExtractor


def test_key_phrases_in_english_and_russian() -> None:
    extractor = KeywordExtractor(top=5)
    english = extractor.keywords("Dock workers strike shuts Rotterdam container terminals.", "en")
    assert len(english) == 5 and any("Rotterdam" in k for k in english)
    russian = extractor.keywords("Министр иностранных дел России Сергей Лавров провёл переговоры.", "ru")
    assert any("Лавров" in k for k in russian)


def test_no_keywords_for_unsegmented_or_unknown_language_or_when_off() -> None:
    assert KeywordExtractor().keywords("阿里巴巴第三季度营收增长", "zh") == []
    assert KeywordExtractor().keywords("whatever words here", "und") == []
    assert KeywordExtractor(top=0).keywords("Oil prices rose", "en") == []
