"""What counts as "the same copy": text with markup, entities and spacing normalised away."""

from __future__ import annotations

import hashlib
import html
import re
import string
import unicodedata

from shared.models import Story

__all__ = ["anchors", "content_key", "normalised_text", "plain_text", "shingle_words"]

_CHARS_PER_WORD = 16  # generous: wire copy averages about 6 characters a word with its space
_TAG = re.compile(r"<[^>]*>")
# str.translate + split is several times faster than a `\w+` regex, and decide() runs per story.
_PUNCTUATION_TO_SPACE = str.maketrans(dict.fromkeys(string.punctuation + "‘’“”„«»‹›–—…·•¡¿", " "))


def plain_text(markup: str) -> str:
    """`markup` as plain text: tags dropped, entities decoded, NFKC, runs of space made one."""
    text = _TAG.sub(" ", markup) if "<" in markup else markup
    text = html.unescape(text) if "&" in text else text
    return " ".join(unicodedata.normalize("NFKC", text).split())


def normalised_text(story: Story) -> str:
    """Headline and body as plain text: equal for two deliveries of the same copy."""
    return plain_text(f"{story.headline}\n{story.body_text or story.body_html or ''}")


def content_key(text: str) -> str:
    """A short stable digest of normalised text: two deliveries with equal keys are one re-sent story."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def shingle_words(story: Story, limit: int) -> list[str]:
    """The first `limit` case-folded words of the body (the headline when there is no body).

    Rewrites keep the top of a story and change the headline and the tail, while shared boilerplate
    (an "About us" block, a sign-off) sits at the tail: comparing the top is what separates the two.
    """
    body = story.body_text or story.body_html or ""
    # Only the top is read: normalising a whole long body would cost more than the rest of decide().
    cut = len(body) > limit * _CHARS_PER_WORD
    text = plain_text(body[: limit * _CHARS_PER_WORD]) or plain_text(story.headline)
    tokens = text.casefold().translate(_PUNCTUATION_TO_SPACE).split()
    return tokens[: min(limit, len(tokens) - 1)] if cut else tokens[:limit]  # a cut body's last word may be partial


def anchors(story: Story, tokens: list[str]) -> dict[str, list[str]]:
    """What a lower-scoring pair must share to still be one story: headline words and the figures of the top.

    A re-worded repeat keeps its headline and its numbers; the templated notices of different companies
    (dividends, earnings) and a recurring daily report share phrasing but not both of these.
    """
    headline = plain_text(story.headline).casefold().translate(_PUNCTUATION_TO_SPACE).split()
    return {"hw": sorted(set(headline)), "fig": sorted({token for token in tokens if token[:1].isdigit()})}
