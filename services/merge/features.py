"""What a story shares with the other stories of its event: English topical words, numbers, dates, names, places.

Text is read from the English translation when the story is not in English, so copy in four languages
lands in one vocabulary. Words are lower-cased and lightly stemmed ("talks", "talked" -> "talk"), so
machine translations and native English copy meet; the words of the story's own people, organisations
and places are left out of the text because they are compared on their own, and counting them twice
would merge the same minister's unrelated stories of one day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from shared.models import Story

__all__ = ["Features", "extract", "stem"]

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")
_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ),
        start=1,
    )
    for name in names.split()
}
_DATE = re.compile(
    r"\b(?:(?P<month1>[A-Za-z]{3,9})\.? (?P<day1>\d{1,2})|(?P<day2>\d{1,2}) (?P<month2>[A-Za-z]{3,9}))\b"
)
# Function words, reporting verbs and newsroom filler that every story shares.
_STOP_WORDS = """
    a about above after again against all also among an and any are around as at be because been before
    being between both but by can could did do does during each for from further had has have having he
    her here his how i if in into is it its just last more most new no not now of on one or other our out
    over own said same say says she should since so some such than that the their them then there these
    they this those through to told two under until up very was we were what when where which while who
    will with within would year years week today yesterday tomorrow reuters tass afp ap agency news report
    reported reports monday tuesday wednesday thursday friday saturday sunday percent per cent according
    official officials people s u k
"""
_STOP = frozenset(_STOP_WORDS.split())
# (suffix, replacement, shortest word it applies to); "es" only where English adds it (boxes, crashes)
_SUFFIXES: tuple[tuple[str, str, int], ...] = (
    ("ies", "y", 5),
    ("ing", "", 6),
    ("ed", "", 5),
    ("xes", "x", 5),
    ("ches", "ch", 6),
    ("shes", "sh", 6),
    ("s", "", 4),
)
_HEADLINE_WEIGHT = 2.0
_YEARS = range(1900, 2101)


def stem(word: str) -> str:
    """A light English stem: enough to meet "talks"/"talked"/"talking" on "talk"."""
    for suffix, replacement, min_length in _SUFFIXES:
        if len(word) >= min_length and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)] + replacement
    return word


@dataclass(frozen=True, slots=True)
class Features:
    """The keys a story is indexed by and the values it is compared on."""

    terms: dict[str, float]
    """Stemmed content word -> weight in the story (headline words count double)."""
    entities: dict[str, str]
    """'p:<person>' / 'o:<organisation>' (lower case) -> the name as the story spells it."""
    countries: frozenset[str]
    numbers: frozenset[str]
    """Numbers ('7.1', '1200') and dates ('date:11-28') in the text, years left out."""
    moment: datetime

    def index_keys(self) -> list[str]:
        """Index keys of the story, for candidate retrieval; countries are too common to retrieve by."""
        return [*(f"t:{t}" for t in self.terms), *self.entities, *(f"n:{n}" for n in self.numbers)]


def _english(story: Story) -> tuple[str, str]:
    language = (story.language_detected or story.language or "").split("-")[0].lower()
    translation = story.translations.get("en")
    # a story of unknown language with an English translation was translated for a reason: use it
    if language != "en" and translation is not None and translation.headline:
        lede = translation.lede or (translation.body_text or "").split("\n\n", 1)[0]
        return translation.headline, lede
    return story.headline, story.lede


def _name_words(story: Story) -> set[str]:
    names = [e.name for e in (*story.people, *story.organisations)] + [p.name for p in story.places]
    return {stem(word.lower()) for name in names for word in _WORD.findall(name)}


def _words(text: str, skip: set[str]) -> list[str]:
    words = (w.lower().removesuffix("'s") for w in _WORD.findall(text))
    stems = (stem(w) for w in words if w not in _STOP and w not in _MONTHS)
    return [w for w in stems if len(w) > 2 and w not in skip]


def _numbers(text: str, today: datetime) -> set[str]:
    found: set[str] = set()
    # the story's own date is in every dateline of the day: it says no more than time proximity does
    own_date = f"date:{today.month:02d}-{today.day:02d}"
    for match in _DATE.finditer(text):
        month_name = (match["month1"] or match["month2"]).lower()
        day = int(match["day1"] or match["day2"])
        if month_name in _MONTHS and 1 <= day <= 31:
            found.add(f"date:{_MONTHS[month_name]:02d}-{day:02d}")
            text = text.replace(match[0], " ")
    found.discard(own_date)
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "")
        # single digits and years are in most stories and would tie unrelated ones together
        if len(value) < 2 or (value.isdigit() and int(value) in _YEARS):
            continue
        found.add(value)
    return found


def extract(story: Story, now: datetime) -> Features:
    """The story's features, on its English translation when it is not in English.

    `now` is the story's time when the copy carries none.
    """
    headline, lede = _english(story)
    skip = _name_words(story)
    terms: dict[str, float] = {}
    for word in _words(lede, skip):
        terms[word] = 1.0
    for word in _words(headline, skip):
        terms[word] = _HEADLINE_WEIGHT
    entities = {f"p:{e.name.lower()}": e.name for e in story.people}
    entities.update({f"o:{e.name.lower()}": e.name for e in story.organisations})
    countries = frozenset(p.country for p in story.places if p.country)
    moment = story.version_created or story.first_created or now
    numbers = _numbers(f"{headline}\n{lede}", moment)
    return Features(terms, entities, countries, frozenset(numbers), moment)
