"""The dedup stage's pure core: one decision per story against an index kept in plain key-value stores."""

from services.dedup.core.index import Decision, DedupIndex, Outcome
from services.dedup.core.minhash import MinHasher, Signature
from services.dedup.core.normalise import content_key, normalised_text, plain_text, shingle_words

__all__ = [
    "Decision",
    "DedupIndex",
    "MinHasher",
    "Outcome",
    "Signature",
    "content_key",
    "normalised_text",
    "plain_text",
    "shingle_words",
]
