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
    assert found[:2] == ["Bank of Japan", "rates"] and len(found) == 4
    assert not {"the", "of", "as", "on"} & {k.lower() for k in found}
    # no word appears in two keywords, names apart
    words = [w.lower() for k in found if k != "Bank of Japan" for w in k.split()]
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


def test_fast_keywords_keep_multi_word_names_together() -> None:
    found = KeywordExtractor(top=6).keywords(
        "Governor Haruhiko Kuroda said the Bank of Japan would buy more bonds, and the Banque de France agreed."
        " Britain and France welcomed the move.",
        "en",
        headline="Central bank buys more bonds",
    )
    assert "Bank of Japan" in found and "Banque de France" in found
    assert "Britain and France" not in found
    assert not {"Bank", "Japan", "Banque"} & set(found)


def test_names_are_not_glued_in_all_caps_or_title_case_lines() -> None:
    shouting = KeywordExtractor(top=8).keywords("", "en", headline="BANK OF JAPAN CUTS DISCOUNT RATE TO RECORD LOW")
    assert "BANK OF JAPAN CUTS DISCOUNT RATE TO RECORD LOW" not in shouting and "JAPAN" in " ".join(shouting)
    title = KeywordExtractor(top=8).keywords("", "en", headline="Bank of Japan Cuts Discount Rate to Record Low")
    assert all(len(k.split()) <= 2 for k in title)
