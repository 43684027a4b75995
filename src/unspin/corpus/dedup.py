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

from ..store import Store

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


# -- in the store ----------------------------------------------------------------


def index_signature(store: Store, article_id: int, sig: np.ndarray) -> None:
    """Keep an article's signature and its band keys (inside the open write transaction)."""
    store.db.execute("INSERT INTO minhash VALUES (?, ?)", (article_id, to_blob(sig)))
    store.db.executemany(
        "INSERT INTO minhash_bands VALUES (?, ?, ?)",
        [(band, key, article_id) for band, key in enumerate(band_keys(sig))],
    )


def link_duplicate(store: Store, article_id: int, published: str | None,
                   sig: np.ndarray) -> tuple[int | None, float | None]:
    """Link a new article and its near-duplicates to their earliest original.

    Returns ``(original, similarity)`` when the new article is a copy, else
    ``(None, None)`` (it is an original, possibly of articles stored before
    it, which are re-pointed to it). Call before :func:`index_signature`.
    """
    db = store.db
    keys = band_keys(sig)
    candidates = {
        r[0]
        for band, key in enumerate(keys)
        for r in db.execute("SELECT article_id FROM minhash_bands WHERE band = ? AND key = ?", (band, key))
    }
    matches: dict[int, float] = {}
    for cand in candidates:
        blob = db.execute("SELECT signature FROM minhash WHERE article_id = ?", (cand,)).fetchone()
        if blob is None:
            continue
        sim = similarity(sig, from_blob(blob[0]))
        if sim >= THRESHOLD:
            matches[cand] = sim
    if not matches:
        return None, None
    # The group: the matches, their originals, and everything linked to those.
    roots = set()
    for cand in matches:
        (dup_of,) = db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (cand,)).fetchone()
        roots.add(dup_of or cand)
    order = {
        i: (p is None, p or "", i)
        for i, p in db.execute(
            f"SELECT id, published FROM articles WHERE id IN ({','.join('?' * len(roots))})", tuple(roots)
        )
    }
    order[article_id] = (published is None, published or "", article_id)
    original = min(order, key=order.__getitem__)
    for root in roots - {original}:
        # A root that turns out later than another original follows it, with its copies.
        db.execute("UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ? OR id = ?", (original, root, root))
    if original == article_id:
        return None, None
    sim = matches.get(original)
    if sim is None:
        blob = db.execute("SELECT signature FROM minhash WHERE article_id = ?", (original,)).fetchone()
        sim = similarity(sig, from_blob(blob[0])) if blob else max(matches.values())
    db.execute("UPDATE articles SET duplicate_of = ?, similarity = ? WHERE id = ?", (original, sim, article_id))
    return original, sim
