"""MinHash signatures and LSH band keys over word shingles, in pure Python.

The signature is one-permutation MinHash (Li, Owen & Zhang 2012) with optimal densification
(Shrivastava 2017): each shingle is hashed once and falls into one of `permutations` bins, and a bin
keeps its smallest value; empty bins borrow from a fixed pseudo-random probe sequence of other bins.
Two signatures agree in a bin with probability equal to the Jaccard similarity of the shingle sets,
like classic MinHash, but it costs one hash per shingle instead of one per shingle and permutation,
which is what lets a pure-Python index decide thousands of stories a second.
"""

from __future__ import annotations

import base64
import random
import struct
import zlib
from collections.abc import Sequence

__all__ = ["MinHasher", "Signature"]

Signature = tuple[int, ...]
"""One 32-bit value per bin."""

_EMPTY = 1 << 32


class MinHasher:
    """Signatures of `permutations` bins over `shingle_size`-word shingles, cut into `bands` LSH bands.

    `permutations` must be a power of two (the low bits of a shingle's hash pick its bin) and a multiple
    of `bands`; `DedupSettings` checks both.
    """

    def __init__(self, *, shingle_size: int, permutations: int, bands: int, seed: int) -> None:
        self.shingle_size = shingle_size
        self.permutations = permutations
        self.bands = bands
        self.rows = permutations // bands
        self._seed = seed & 0xFFFFFFFF
        rng = random.Random(seed)
        # Each empty bin borrows from the first non-empty bin on its own probe list; both sides of a
        # comparison use the same lists, which keeps the agreement probability equal to the Jaccard.
        self._probes = [rng.sample(range(permutations), permutations) for _ in range(permutations)]
        self._struct = struct.Struct(f"<{permutations}I")

    def shingle_count(self, tokens: Sequence[str]) -> int:
        """How many shingles `tokens` make (a text shorter than one shingle still makes one)."""
        return max(len(tokens) - self.shingle_size + 1, 1) if tokens else 0

    def signature(self, tokens: Sequence[str]) -> Signature | None:
        """The signature of the shingle set of `tokens`; None when there is no word at all."""
        if not tokens:
            return None
        size = self.shingle_size
        columns = [tokens[offset:] for offset in range(size)] if len(tokens) >= size else [[" ".join(tokens)]]
        seed = self._seed
        shingles = map(" ".join, zip(*columns, strict=False))
        hashes = [zlib.crc32(shingle.encode("utf-8"), seed) for shingle in shingles]
        # Low bits pick the bin, the rest is the value; sorting descending lets the dict keep each bin's minimum.
        mask = self.permutations - 1
        minimum = {value & mask: value for value in sorted(hashes, reverse=True)}
        bins = [minimum.get(slot, _EMPTY) for slot in range(self.permutations)]
        return tuple(self._densify(bins))

    def _densify(self, bins: list[int]) -> list[int]:
        empty = [slot for slot, value in enumerate(bins) if value == _EMPTY]
        if not empty:
            return bins
        filled = list(bins)
        for slot in empty:
            for probe in self._probes[slot]:
                if bins[probe] != _EMPTY:
                    filled[slot] = bins[probe]
                    break
        return filled

    def band_keys(self, signature: Signature) -> list[int]:
        """One key per band, the band's number above the CRC of its rows: stories sharing a key are candidates.

        A CRC of the band is enough: a collision only adds a candidate, which the full comparison drops. Keys
        are ints, which are cheaper to build, hash and hold than strings (the index keeps 32 per story).
        """
        packed = self._struct.pack(*signature)
        width = self.rows * 4
        return [(band << 32) | zlib.crc32(packed[band * width : (band + 1) * width]) for band in range(self.bands)]

    @staticmethod
    def similarity(left: Signature, right: Signature) -> float:
        """The estimated Jaccard similarity: the share of bins in which the two signatures agree."""
        return sum(map(int.__eq__, left, right)) / len(left)

    def encode(self, signature: Signature) -> str:
        """The signature as a JSON-able ASCII string (base64 of little-endian 32-bit values)."""
        return base64.b64encode(self._struct.pack(*signature)).decode("ascii")

    def decode(self, text: str) -> Signature:
        """The signature `encode` wrote."""
        return tuple(self._struct.unpack(base64.b64decode(text)))
