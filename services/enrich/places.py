"""Places a story is about: the dateline place, and countries named in the text, with ISO codes.

The gazetteer is CLDR's country names (Babel) in every desk language plus the ISO names (pycountry),
built once per process. Russian and Ukrainian names are also indexed by stem, so case endings
("в России", "во Франции") still match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import pycountry
from babel import Locale

from shared.models import Place, Story

__all__ = ["Gazetteer"]

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_MAX_WORDS = 4


def _cyrillic_stem(word: str) -> str | None:
    return word[:-1] if len(word) >= 5 and _CYRILLIC.search(word) and word[-1] in "аяийьео" else None


@cache
def _names(languages: tuple[str, ...]) -> dict[str, str]:
    """Lower-case name (or Cyrillic stem) -> ISO 3166 alpha-2 code."""
    names: dict[str, str] = {}
    for language in languages:
        try:
            territories = Locale.parse(language).territories
        except (ValueError, LookupError):
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(name.lower(), code)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.setdefault(value.lower(), country.alpha_2)
    for name, code in list(names.items()):
        stem = _cyrillic_stem(name)
        if stem and " " not in name:
            names.setdefault(stem, code)
    return names


class Gazetteer:
    """Finds country names in text, and resolves a dateline place to a country where it is one."""

    def __init__(self, languages: Iterable[str]) -> None:
        self.names = _names(tuple(languages))

    def countries(self, text: str) -> list[tuple[str, str]]:
        """(name as written, ISO code) of every country named in `text`, first mention order, no repeats."""
        words = [m.group(0) for m in _WORD.finditer(text)]
        found: dict[str, str] = {}
        i = 0
        while i < len(words):
            for size in range(min(_MAX_WORDS, len(words) - i), 0, -1):
                phrase = " ".join(words[i : i + size])
                code = self._lookup(phrase, single=size == 1)
                if code:
                    found.setdefault(code, phrase)
                    i += size
                    break
            else:
                i += 1
        return [(name, code) for code, name in found.items()]

    def _lookup(self, phrase: str, *, single: bool) -> str | None:
        # Capitalised words only: "turkey" the bird and "chad" the verb are not countries.
        if not phrase[:1].isupper():
            return None
        lowered = phrase.lower()
        code = self.names.get(lowered)
        if code is None and single and _CYRILLIC.search(lowered):
            code = self.names.get(lowered[:-1]) or self.names.get(lowered[:-2])
        return code

    def places(self, story: Story) -> list[Place]:
        """The dateline place first (role dateline), then the countries the headline and body name."""
        places: list[Place] = []
        if story.dateline and story.dateline.place:
            name = story.dateline.place.title()
            country = self._lookup(name, single=" " not in name)
            places.append(Place(name=name, country=country, role="dateline", source="dateline"))
        seen = {p.country for p in places if p.country}
        for name, code in self.countries(f"{story.headline}\n{story.body_text}"):
            if code not in seen:
                seen.add(code)
                places.append(Place(name=name, country=code, role="mentioned", source="gazetteer"))
        return places
