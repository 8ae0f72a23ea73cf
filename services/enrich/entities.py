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
# "Bank of Japan", "Ministerio de Hacienda": an organisation word first needs a connector, else
# "Corporation Tax" would be a company.
_ORG_OF = r"[ ]+(?:of|for|de|du|des|del|de la|für|der)[ ]+(?:the[ ]+)?"
_ORGANISATION = re.compile(
    rf"(?P<name>(?:{_CAPITALISED}[ ]+)*(?:{_ORG_WORDS})(?:{_ORG_CONNECTORS}{_CAPITALISED})*)"
    rf"|(?P<reverse>(?:{_ORG_WORDS}){_ORG_OF}{_CAPITALISED}(?:[ ]+{_CAPITALISED})*)"
)
_ORG_WORD = re.compile(_ORG_WORDS)
# Found names never start on a sentence's function word or a month ("A Finance Ministry official",
# "At Amro Bank") and end where a person's title starts ("Bank of Japan Governor Satoshi Sumita").
# Checked on the words of a match rather than in the pattern: a look-ahead at every capitalised word
# doubled the cost of the whole entities step.
_ORG_NOT_FIRST = frozenset({
    "A", "An", "At", "In", "On", "Of", "Other", "Its", "Their", "This", "That", "These", "Both", "For", "And",
    "But", "Under", "With", "By", "From", "To", "As", "If", "January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December",
})  # fmt: skip
_ORG_ENDS_BEFORE = frozenset({
    "President", "Chairman", "Chairwoman", "Governor", "Minister", "Ministers", "Secretary", "State",
    "Spokesman", "Spokeswoman", "Chief", "Deputy", "Vice", "Official", "Officials", "Head", "Director",
    "Président", "Presidente", "Ministro", "Präsident",
})  # fmt: skip
# A possessive inside a found name ("Japan's Overseas Economic Cooperation Fund", "Group of Seven's").
_POSSESSIVE = re.compile(r"['’]s\b")
# An organisation word followed by a plain word is a common noun phrase ("Corporation Tax"), unless a
# connector or another organisation word follows ("Bank of Japan", "Union Bank of Switzerland").
_ORG_WORD_THEN_WORD = re.compile(rf"{_ORG_WORDS}[ ]+(?!{_ORG_WORDS}|(?:of|for|de|du|des|del|für|der)\b)")
# Names the pattern takes for organisations that are states or places.
_NOT_ORGANISATIONS = frozenset({"Soviet Union", "West Bank"})
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
        # A known name wins over the pattern's reading of part of it ("Organisation for Economic
        # Cooperation and Development" is OECD, not also "Organisation for Economic Cooperation").
        known = [(start, end) for start, end, kind in found.spans if kind == "organisation"]
        for match in _ORGANISATION.finditer(text):
            group = "name" if match.group("name") else "reverse"
            start, end = _trim_organisation(text, *match.span(group))
            name = text[start:end]
            if any(start < k_end and k_start < end for k_start, k_end in known):
                continue
            if " " in name and name not in _NOT_ORGANISATIONS and not _ORG_WORD_THEN_WORD.match(name):
                canonical, kind = self.aliases.get(name, (name, "organisation"))
                found.add(canonical, kind, start, end, "pattern")


def _trim_organisation(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the organisation inside a pattern match: no owner, function word or trailing title."""
    possessive = _POSSESSIVE.search(text, start, end)
    if possessive is not None:
        # The owner is a place or another body: keep the organisation after it, or before it when the
        # possessive ends the name.
        if possessive.end() < end:
            start = possessive.end()
        else:
            end = possessive.start()
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    while words and text[start + words[0][0] : start + words[0][1]] in _ORG_NOT_FIRST:
        words.pop(0)
    for i, (word_start, word_end) in enumerate(words[1:], 1):
        if text[start + word_start : start + word_end] in _ORG_ENDS_BEFORE and _ORG_WORD.search(
            text, start + words[0][0], start + words[i - 1][1]
        ):
            words = words[:i]
            break
    if not words:
        return start, start
    return start + words[0][0], start + words[-1][1]
