"""What a story of an event shares with the others: English topical words, numbers, people, places."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.models import Story

__all__ = ["Features", "features"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Function words and newsroom filler that every story shares; they would join unrelated stories.
_STOP_WORDS = """
about above after again against also among around because been before being between both could
during each from further have having here into just more most other over said says same should since
some such than that their them then there these they this those through under until very were what
when where which while will with within would year years week today told reuters tass afp news
monday tuesday wednesday thursday friday saturday sunday january february march april june july
august september october november december official officials people percent according
"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True, slots=True)
class Features:
    """The keys a story is indexed by and compared on."""

    tokens: frozenset[str]
    entities: frozenset[str]
    countries: frozenset[str]


def _english_text(story: Story) -> str:
    translation = story.translations.get("en")
    if translation is not None:
        return f"{translation.headline or ''}\n{translation.lede or ''}"
    return f"{story.headline}\n{story.lede}"


def features(story: Story) -> Features:
    """The story's features, on its English translation when it has one."""
    # Capitalised words are names and places: people and countries are compared on their own, and
    # counting them again as text would merge the same minister's unrelated stories of one day.
    words = (w for w in _WORD.findall(_english_text(story)) if not w[0].isupper())
    tokens = frozenset(
        w.lower() for w in words if (len(w) >= 4 and w.lower() not in _STOP) or (w.isdigit() and len(w) >= 2)
    )
    entities = frozenset(e.name.lower() for e in [*story.people, *story.organisations])
    countries = frozenset(p.country for p in story.places if p.country)
    return Features(tokens, entities, countries)
