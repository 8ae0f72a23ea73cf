from __future__ import annotations

import pytest

from services.enrich.keywords import KeywordEngine, KeywordExtractor


def test_fast_key_phrases_in_english_and_russian() -> None:
    extractor = KeywordExtractor(top=5)
    english = extractor.keywords("Dock workers strike shuts Rotterdam container terminals.", "en")
    assert english == ["Rotterdam", "Dock workers", "strike shuts", "container terminals"]
    russian = extractor.keywords("Министр иностранных дел России Сергей Лавров провёл переговоры.", "ru")
    assert "Лавров" in russian and not any(k.lower() in {"дел", "и"} for k in russian)


def test_fast_keywords_weigh_the_headline_and_skip_stopwords_and_repeats() -> None:
    found = KeywordExtractor(top=4).keywords(
        "The central bank said on Tuesday it would keep interest rates unchanged as the yen slid.",
        "en",
        headline="Bank of Japan holds rates as yen slides",
    )
    assert found[0] == "Japan" and "rates" in found and len(found) == 4
    assert not {"the", "of", "as", "on"} & {k.lower() for k in found}
    # no word appears in two keywords
    words = [w.lower() for k in found for w in k.split()]
    assert len(words) == len(set(words))


def test_yake_engine_still_available() -> None:
    english = KeywordExtractor(top=5, engine="yake").keywords(
        "Dock workers strike shuts Rotterdam container terminals.", "en"
    )
    assert len(english) == 5 and any("Rotterdam" in k for k in english)


@pytest.mark.parametrize("engine", ["fast", "yake"])
def test_no_keywords_for_unsegmented_or_unknown_language_or_when_off(engine: KeywordEngine) -> None:
    assert KeywordExtractor(engine=engine).keywords("阿里巴巴第三季度营收增长", "zh") == []
    assert KeywordExtractor(engine=engine).keywords("whatever words here", "und") == []
    assert KeywordExtractor(top=0, engine=engine).keywords("Oil prices rose", "en") == []


def test_fast_engine_gives_nothing_for_a_language_without_a_stopword_list() -> None:
    assert KeywordExtractor().keywords("Mae gweithwyr y porthladd ar streic heddiw", "cy") == []
