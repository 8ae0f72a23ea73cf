from __future__ import annotations

from services.dedup.core import content_key, normalised_text, plain_text, shingle_words
from tests.unit.dedup.builders import story


def test_plain_text_drops_markup_entities_and_extra_space() -> None:
    assert plain_text("<p>Ships&nbsp;queue</p>\n\n<p>at  anchor &amp; wait</p>") == "Ships queue at anchor & wait"


def test_markup_and_spacing_do_not_change_the_content_key() -> None:
    plain = story(body="Ships queue at anchor.\n\nTalks resume Thursday.")
    marked = story(body="<p>Ships  queue at anchor.</p>\n<p>Talks resume\tThursday.</p>")
    assert content_key(normalised_text(plain)) == content_key(normalised_text(marked))


def test_headline_change_changes_the_content_key() -> None:
    first = story(headline="Dockers strike")
    second = story(headline="Dockers strike again")
    assert content_key(normalised_text(first)) != content_key(normalised_text(second))


def test_shingle_words_are_folded_unpunctuated_and_limited() -> None:
    text = "“Today the port stands still,” said Niek Stam — FNV's negotiator."
    assert shingle_words(story(body=text), 6) == ["today", "the", "port", "stands", "still", "said"]


def test_shingle_words_fall_back_to_headline_without_body() -> None:
    assert shingle_words(story(headline="FLASH: Quake hits Chile", body=""), 100) == ["flash", "quake", "hits", "chile"]


def test_shingle_words_read_only_the_top_of_a_long_body() -> None:
    body = " ".join(f"w{number}" for number in range(5_000))
    assert shingle_words(story(body=body), 100) == [f"w{number}" for number in range(100)]
