"""Near-duplicate detection: MinHash over word shingles, banded for LSH.

A syndicated copy of an article (the same text with another header, a
footer, a trimmed paragraph) shares most of its 5-word shingles with the
original. The MinHash signature (128 values) estimates the Jaccard
similarity of two shingle sets; its 16 bands of 8 rows are the LSH keys
under which the store looks up candidates, so that finding the copies of a
new article is a few index look-ups, not a scan. Pairs whose estimated
similarity reaches :data:`THRESHOLD` are near-duplicates.

A small numpy implementation (the same scheme as datasketch's ``MinHash``
with 32-bit hashes and the Mersenne prime 2^61-1) keeps the signatures
stable across processes and versions, and needs no extra dependency.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
#: Estimated Jaccard similarity at which a pair counts as near-duplicate.
THRESHOLD = 0.7

_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_rng = np.random.RandomState(1)
_A = _rng.randint(1, 1 << 32, size=NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, 1 << 32, size=NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """The set of ``k``-word shingles of ``text`` (lower-cased words)."""
    words = _WORD.findall(text.lower())
    if len(words) <= k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def signature(text: str) -> np.ndarray:
    """The MinHash signature of ``text``: ``NUM_PERM`` unsigned 32-bit values."""
    grams = shingles(text)
    if not grams:
        return np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64).astype(np.uint32)
    hashes = np.fromiter((zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams))
    # (a*h + b) mod p: a, h < 2^32 so a*h + b < 2^64 never overflows.
    perm = (np.outer(_A, hashes) + _B[:, None]) % _PRIME
    return (perm.min(axis=1) & _MAX_HASH).astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (for an SQLite index)."""
    raw = sig.astype("<u4").tobytes()
    step = ROWS * 4
    return [
        int.from_bytes(hashlib.blake2b(raw[i * step : (i + 1) * step], digest_size=8).digest(), "little", signed=True)
        for i in range(BANDS)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)
