"""People and organisations named in a story, each under one canonical name.

Three sources, best first:
- an alias table of well-known names in every desk language ("Лавров", "Poutine" -> one English
  canonical name), matched in any language;
- Russian and Ukrainian copy: natasha's NER (its model ships inside the wheel), with names put back
  in the nominative ("Владимиром Путиным" -> "Владимир Путин"), then through the alias table;
- other Latin-script copy: a deliberately narrow pattern, a capitalised name after a title
  ("President Emmanuel Macron", "le ministre Jean Dupont") for people, and a capitalised name
  ending in an organisation word ("Bank of Japan", "Ministerio de Hacienda") for organisations.
  There is no statistical English/French/Spanish NER: names without a title are missed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from services.enrich.matcher import NameMatcher, Span

__all__ = ["EntityFinder", "FoundEntities"]

Kind = Literal["person", "organisation"]

# No dots inside a word and no line breaks between words, so a name never runs across sentences.
_CAPITALISED = r"(?!(?:The|La|Le|Les|El|Los|Las|Die|Der|Das)\b)[A-ZÀ-ÖØ-Þ][\w'’-]*"
_NAME = rf"{_CAPITALISED}(?:[ ]+(?:(?:van|von|der|de|da|del|la|le|bin)[ ]+)?{_CAPITALISED}){{1,3}}"
_TITLES = (
    r"President|Prime Minister|Minister|Chancellor|Secretary|Governor|Senator|Mayor|Chairman|Chairwoman|"
    r"Chief Executive|CEO|Spokesman|Spokeswoman|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|"
    r"président|présidente|ministre|Premier ministre|M\.|Mme|porte-parole|"
    r"presidente|ministro|ministra|portavoz|"
    r"Präsident|Präsidentin|Bundeskanzler|Kanzler|Ministerin"
)
_PERSON = re.compile(rf"\b(?:{_TITLES})[ ]+(?P<name>{_NAME})")
_ORG_WORDS = (
    r"(?:Bank|Ministry|Party|Council|Commission|Agency|Corp\.?|Corporation|Inc\.?|Ltd\.?|Group|Union|"
    r"Organisation|Organization|Fund|Association|Exchange|Court|Parliament|Company|Airlines|"
    r"Banque|Ministère|Parti|Conseil|Banco|Ministerio|Partido|Consejo|Comisión|Tribunal)\b"
)
_ORG_CONNECTORS = r"(?:[ ]+(?:of|for|the|de|du|des|la|le|del|de la|für|der)[ ]+|[ ]+)"
_ORGANISATION = re.compile(
    rf"(?P<name>(?:{_CAPITALISED}[ ]+)*(?:{_ORG_WORDS})(?:{_ORG_CONNECTORS}{_CAPITALISED})*)"
    rf"|(?P<reverse>(?:{_ORG_WORDS}){_ORG_CONNECTORS}{_CAPITALISED}(?:[ ]+{_CAPITALISED})*)"
)
_NATASHA_LANGUAGES = frozenset({"ru", "uk"})


@dataclass
class FoundEntities:
    """People and organisations (canonical names, first-mention order) and where they are in the text."""

    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, kind: Kind, start: int, end: int, source: str) -> None:
        """Record one mention; the first source to name an entity is kept."""
        names = self.people if kind == "person" else self.organisations
        if name not in names:
            names.append(name)
            self.sources[name] = source
        self.spans.append((start, end, kind))


def _load_aliases() -> dict[str, tuple[str, Kind]]:
    text = resources.files("services.enrich.data").joinpath("name_aliases.json").read_text("utf-8")
    table = json.loads(text)
    aliases: dict[str, tuple[str, Kind]] = {}
    for kind in ("person", "organisation"):
        for canonical, surfaces in table[kind].items():
            for surface in [canonical, *surfaces]:
                aliases.setdefault(surface, (canonical, kind))
    return aliases


class _Natasha:
    """natasha's Russian NER pipeline; about 3 s and 150 MB to load, so loaded on first Russian story."""

    def __init__(self) -> None:
        from natasha import (
            Doc,
            MorphVocab,
            NewsEmbedding,
            NewsMorphTagger,
            NewsNERTagger,
            Segmenter,
        )

        embedding = NewsEmbedding()
        self.doc_type: Any = Doc
        self.segmenter = Segmenter()
        self.ner = NewsNERTagger(embedding)
        self.morph = NewsMorphTagger(embedding)
        self.vocab = MorphVocab()

    def spans(self, text: str) -> list[tuple[int, int, Kind, str]]:
        doc = self.doc_type(text)
        doc.segment(self.segmenter)
        doc.tag_ner(self.ner)
        doc.tag_morph(self.morph)
        found: list[tuple[int, int, Kind, str]] = []
        for span in doc.spans:
            if span.type in ("PER", "ORG"):
                span.normalize(self.vocab)
                kind: Kind = "person" if span.type == "PER" else "organisation"
                found.append((span.start, span.stop, kind, span.normal or span.text))
        return found


class EntityFinder:
    """Finds people and organisations; one per process (the alias matcher is built at construction)."""

    def __init__(self, *, use_natasha: bool = True) -> None:
        self.aliases = _load_aliases()
        self.matcher = NameMatcher(self.aliases)
        self.use_natasha = use_natasha
        self._natasha: _Natasha | None = None

    def find(self, text: str, language: str) -> FoundEntities:
        """The people and organisations `text` (in `language`, BCP-47 or 'und') names."""
        found = FoundEntities()
        for start, end, (canonical, kind) in self.matcher.find(text):
            found.add(canonical, kind, start, end, "alias")
        if language.split("-")[0] in _NATASHA_LANGUAGES and self.use_natasha:
            self._russian(text, found)
        elif text.isascii() or any(ch.isalpha() and ch.isascii() for ch in text[:200]):
            self._patterns(text, found)
        return found

    def _russian(self, text: str, found: FoundEntities) -> None:
        if self._natasha is None:
            self._natasha = _Natasha()
        for start, end, kind, normal in self._natasha.spans(text):
            canonical, known_kind = self.aliases.get(normal, (normal, kind))
            found.add(canonical, known_kind, start, end, "alias" if canonical != normal else "natasha")

    def _patterns(self, text: str, found: FoundEntities) -> None:
        for match in _PERSON.finditer(text):
            name = match.group("name")
            canonical, kind = self.aliases.get(name, (name, "person"))
            found.add(canonical, kind, match.start("name"), match.end("name"), "pattern")
        for match in _ORGANISATION.finditer(text):
            group = "name" if match.group("name") else "reverse"
            name = match.group(group).strip()
            if " " in name:
                canonical, kind = self.aliases.get(name, (name, "organisation"))
                found.add(canonical, kind, match.start(group), match.end(group), "pattern")
