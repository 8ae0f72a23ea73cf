"""Keywords of a story: a cheap stopword-and-position scorer by default, yake's key phrases on request.

yake costs about 4 ms a story (its per-term statistics dominate the enrich stage), so the default is
"fast": candidate words and two-word phrases between stopwords, scored by how often and how early they
occur (headline counts double) with a bonus for capitalised names. Both use the stopword lists shipped
in yake's wheel (34 languages). Neither can segment Chinese, Japanese or Korean (whole clauses come back
as "keywords"), and a text in no known language has no stopwords to lean on, so those get no keywords
rather than bad ones.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, Literal

import yake

__all__ = ["KeywordEngine", "KeywordExtractor"]

KeywordEngine = Literal["fast", "yake"]

_NO_WORD_SPACES = frozenset({"zh", "ja", "ko", "th"})
_MAX_WORDS = 2
# yake names a few stopword files by something other than the ISO 639-1 code.
_STOPWORD_FILE = {"cs": "cz"}
# A word: letters/digits with inner apostrophes, hyphens or dots ("U.S.", "Rolls-Royce", "O'Neill").
_WORD = re.compile(r"\w+(?:['’\-.]\w+)*")
# Clause breaks: a phrase never spans them.
_BREAK = re.compile(r"[.,;:!?()\[\]\"«»“”\n]+")
# Lower-case words that sit inside names between capitalised words ("Bank of Japan", "Banco de España");
# not "and", which mostly joins two names ("Britain and France").
_NAME_CONNECTORS = frozenset({"of", "de", "del", "la", "le", "du", "des", "der", "von", "van", "for"})
# Languages where capitals mark names and names do not decline: German capitalises every noun, and
# Russian "России Сергей Лавров" is two names side by side.
_GLUE_NAMES = frozenset({"en", "fr", "es", "pt", "it", "nl"})
_HEADLINE_WEIGHT = 2.0
_NAME_BONUS = 1.5
_PHRASE_BONUS = 1.3


@cache
def _stopwords(language: str) -> frozenset[str]:
    """The stopword list yake ships for `language`, empty when it has none."""
    name = f"stopwords_{_STOPWORD_FILE.get(language, language)}.txt"
    path = resources.files(yake).joinpath("core", "StopwordsList", name)
    if not path.is_file():
        return frozenset()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _is_name_word(word: str, stopwords: frozenset[str]) -> bool:
    return word[0].isupper() and word.lower() not in stopwords


def _sentence_case(clauses: list[list[str]]) -> bool:
    """Whether capitals mark names: not in ALL-CAPS or Title Case copy, where most words have one.

    Counted over all words, stopwords too: a name-dense lede still has its verbs and "the" in lower
    case (about a third capitalised), a Title Case headline only its short words (two thirds and more).
    """
    words = [w for clause in clauses for w in clause]
    return bool(words) and sum(w[0].isupper() for w in words) <= 0.6 * len(words)


def _names_glued(words: list[str], stopwords: frozenset[str]) -> list[str]:
    """`words` with each multi-word capitalised name as one item ("Bank of Japan", "Banque de France")."""
    glued: list[str] = []
    i, count = 0, len(words)
    while i < count:
        end = i + 1
        if words[i][0].isupper() and words[i].lower() not in stopwords:
            while end < count:
                if _is_name_word(words[end], stopwords):
                    end += 1
                elif words[end] in _NAME_CONNECTORS and end + 1 < count and _is_name_word(words[end + 1], stopwords):
                    end += 2
                else:
                    break
        glued.append(words[i] if end == i + 1 else " ".join(words[i:end]))
        i = end
    return glued


def _candidates(text: str, stopwords: frozenset[str], glue_names: bool) -> list[tuple[list[str], bool]]:
    """Runs of consecutive content words split at clause breaks and stopwords, each with whether it opens a clause.

    With `glue_names`, a multi-word name in sentence-case copy is one item of a run, so it is neither
    split at its "of" nor cut into pairs.
    """
    clauses = [_WORD.findall(clause) for clause in _BREAK.split(text)]
    if glue_names and _sentence_case(clauses):
        clauses = [_names_glued(words, stopwords) for words in clauses]
    runs: list[tuple[list[str], bool]] = []
    for words in clauses:
        run: list[str] = []
        opens = True
        for word in words:
            if word.lower() in stopwords or (len(word) < 3 and not word.isupper()) or word.isdigit():
                if run:
                    runs.append((run, opens))
                run = []
                opens = False
            else:
                run.append(word)
        if run:
            runs.append((run, opens))
    return runs


def fast_keywords(headline: str, body: str, language: str, top: int) -> list[str]:
    """Up to `top` words and two-word phrases of headline and body, most salient first."""
    stopwords = _stopwords(language)
    if not stopwords:
        return []
    scores: dict[str, float] = {}
    forms: dict[str, str] = {}
    first: dict[str, int] = {}
    names: set[str] = set()
    position = 0
    for weight, text in ((_HEADLINE_WEIGHT, headline), (1.0, body)):
        for run, opens in _candidates(text, stopwords, language in _GLUE_NAMES):
            names.update(w.lower() for w in run if " " in w)
            pairs = [run[i : i + _MAX_WORDS] for i in range(len(run) - _MAX_WORDS + 1)]
            # A name is a whole keyword already: "Bank of Japan holds" is no better a phrase.
            phrases = [[w] for w in run] + [pair for pair in pairs if not any(" " in w for w in pair)]
            for words in phrases:
                phrase = " ".join(words)
                key = phrase.lower()
                # A capital at the start of a clause says nothing; elsewhere it marks a name.
                start = opens and words[0] is run[0]
                # A glued multi-word name is a name even where a clause opens with it.
                name = " " in words[0] or (not start and all(w[0].isupper() for w in words))
                bonus = _NAME_BONUS if name else 1.0
                bonus *= _PHRASE_BONUS if len(words) > 1 else 1.0
                # Earlier mentions count more: a wire story's point is in its first lines.
                scores[key] = scores.get(key, 0.0) + weight * bonus / (1.0 + position / 50)
                forms.setdefault(key, phrase)
                first.setdefault(key, position)
            position += len(run)
    chosen: list[str] = []
    taken: set[str] = set()
    for key in sorted(scores, key=lambda k: (-scores[k], first[k])):
        # A name is one unit: "Bank of Japan" repeats neither "bank" nor "Japan" said on their own.
        members = frozenset({key}) if key in names else frozenset(key.split())
        # A phrase sharing a word with a chosen one mostly repeats it ("workers strike" after "dock workers").
        if members & taken:
            continue
        chosen.append(forms[key])
        taken |= members
        if len(chosen) == top:
            break
    return chosen


class KeywordExtractor:
    """Key phrases of a story's headline and lede, by the fast scorer or by yake."""

    def __init__(self, *, top: int = 8, max_chars: int = 600, engine: KeywordEngine = "fast") -> None:
        self.top = top
        self.max_chars = max_chars
        self.engine = engine
        self._extractors: dict[str, Any] = {}

    def keywords(self, text: str, language: str, headline: str = "") -> list[str]:
        """Up to `top` key phrases of `headline` + `text`, best first; none for 'und' or unsegmented scripts."""
        base = language.split("-")[0]
        if self.top == 0 or base in _NO_WORD_SPACES or base == "und" or not (headline + text).strip():
            return []
        if self.engine == "fast":
            return fast_keywords(headline, text[: self.max_chars], base, self.top)
        extractor = self._extractors.get(base)
        if extractor is None:
            extractor = yake.KeywordExtractor(lan=base, n=_MAX_WORDS, top=self.top, dedupLim=0.7)
            self._extractors[base] = extractor
        joined = f"{headline}.\n{text}" if headline else text
        phrases: list[tuple[str, float]] = extractor.extract_keywords(joined[: self.max_chars])
        seen: dict[str, str] = {}
        for phrase, _score in phrases:
            seen.setdefault(phrase.lower(), phrase)
        return list(seen.values())
