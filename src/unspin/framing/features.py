"""Hashed sparse features of the framing models (numpy only at inference).

A *key* is a feature string ("w=sanctions", "b=the|west", "dep=nsubj");
keys are hashed with CRC-32 into ``2**BITS`` ids (stable across runs and
machines, unlike Python's ``hash``). A model keeps only the ids seen in at
least ``min_df`` training articles, as a sorted array ``ids`` with one IDF
weight each, so an artifact stores a few ten thousand rows, not a million.

Document vectors are TF-IDF: ``log(1 + count) · idf`` per kept id, scaled to
unit length. Tokens and sentences come from the fast techniques tier's
tokenizer (:func:`unspin.techniques.text.tokenize`), which keeps exact
character offsets, so sentence evidence is ``text[start:end]`` exactly.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Iterable, Sequence

import numpy as np

from ..techniques.text import Tokens, tokenize

BITS = 22
MASK = (1 << BITS) - 1

_FIRST_PERSON = frozenset({"i", "me", "my", "we", "our", "us", "myself", "ourselves"})
_SECOND_PERSON = frozenset({"you", "your", "yourself"})
_QUOTE_MARKS = frozenset({'"', "“", "”"})


def hash_keys(keys: Iterable[str]) -> np.ndarray:
    return np.fromiter((zlib.crc32(k.encode("utf-8")) & MASK for k in keys), dtype=np.int64)


def _bucket(x: float, edges: Sequence[float]) -> int:
    return sum(x > e for e in edges)


def sentence_keys(words: Sequence[str]) -> list[str]:
    """Unigrams and bigrams of one sentence (lower-cased; punctuation kept as words)."""
    low = [w.lower() for w in words]
    keys = ["w=" + w for w in low]
    keys += ["b=" + a + "|" + b for a, b in pairwise(low)]
    return keys


def style_keys(tk: Tokens) -> list[str]:
    """Article-level style signals (bucketed): first/second person, quotation
    marks, questions and exclamations, paragraph and sentence length. They
    help tell opinion from reporting beyond the topic words."""
    n = max(1, len(tk.text))
    low = [w.lower() for w in tk.text]
    fp = sum(w in _FIRST_PERSON for w in low) / n
    sp = sum(w in _SECOND_PERSON for w in low) / n
    q = sum(w in _QUOTE_MARKS for w in low) / n
    qm = sum(w == "?" for w in low) / max(1, len(tk.sentences))
    ex = sum(w == "!" for w in low) / max(1, len(tk.sentences))
    said = sum(w in ("said", "says", "told", "according") for w in low) / max(1, len(tk.sentences))
    per_line = len(tk.text) / max(1, len(tk.lines))
    per_sent = len(tk.text) / max(1, len(tk.sentences))
    return [
        f"#fp={_bucket(fp, (0.002, 0.008, 0.02))}",
        f"#sp={_bucket(sp, (0.001, 0.005, 0.015))}",
        f"#q={_bucket(q, (0.002, 0.01, 0.025))}",
        f"#qm={_bucket(qm, (0.01, 0.05, 0.15))}",
        f"#ex={_bucket(ex, (0.01, 0.05, 0.15))}",
        f"#said={_bucket(said, (0.05, 0.2, 0.5))}",
        f"#pl={_bucket(per_line, (20, 40, 70, 120))}",
        f"#sl={_bucket(per_sent, (15, 22, 30))}",
        f"#len={_bucket(len(tk.text), (150, 400, 800, 1500))}",
    ]


@dataclass
class DocFeatures:
    """Hashed ids of one article: whole-article counts and per sentence."""

    tokens: Tokens
    ids: np.ndarray  # distinct hashed ids of the article
    counts: np.ndarray  # their counts
    sent_ids: list[np.ndarray]  # distinct ids per sentence (for evidence)


def doc_features(text: str, style: bool = True) -> DocFeatures:
    tk = tokenize(text)
    counter: Counter[int] = Counter()
    sent_ids = []
    for a, b in tk.sentences:
        h = hash_keys(sentence_keys(tk.text[a:b]))
        counter.update(h.tolist())
        sent_ids.append(np.unique(h))
    if style:
        counter.update(hash_keys(style_keys(tk)).tolist())
    ids = np.fromiter(counter.keys(), dtype=np.int64, count=len(counter))
    counts = np.fromiter(counter.values(), dtype=np.float64, count=len(counter))
    order = np.argsort(ids)
    return DocFeatures(tk, ids[order], counts[order], sent_ids)


@dataclass
class Vocabulary:
    """The kept hashed ids (sorted) and their IDF weights."""

    ids: np.ndarray  # int64, sorted
    idf: np.ndarray  # float64

    @classmethod
    def fit(cls, id_lists: Sequence[np.ndarray], min_df: int = 2, use_idf: bool = True) -> "Vocabulary":
        df: Counter[int] = Counter()
        for ids in id_lists:
            df.update(np.unique(ids).tolist())
        kept = np.array(sorted(i for i, c in df.items() if c >= min_df), dtype=np.int64)
        n = len(id_lists)
        if use_idf:
            idf = np.array([np.log((1 + n) / (1 + df[i])) + 1.0 for i in kept.tolist()], dtype=np.float64)
        else:
            idf = np.ones(len(kept), dtype=np.float64)
        return cls(kept, idf)

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of ``ids`` in the vocabulary and a mask of the known ones."""
        if not len(self.ids) or not len(ids):
            return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
        pos = np.searchsorted(self.ids, ids)
        pos = np.minimum(pos, len(self.ids) - 1)
        return pos, self.ids[pos] == ids

    def vector(self, ids: np.ndarray, counts: np.ndarray, log_tf: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Sparse unit-length TF-IDF vector: (positions, values)."""
        pos, known = self.lookup(ids)
        pos, c = pos[known], counts[known]
        v = (np.log1p(c) if log_tf else c) * self.idf[pos]
        norm = float(np.sqrt((v * v).sum()))
        return pos, (v / norm if norm > 0 else v)

    def matrix(self, rows: Sequence[tuple[np.ndarray, np.ndarray]], log_tf: bool = True):
        """A ``scipy.sparse.csr_matrix`` of unit-length rows (training only)."""
        from scipy.sparse import csr_matrix

        indptr = [0]
        indices, data = [], []
        for ids, counts in rows:
            p, v = self.vector(ids, counts, log_tf)
            indices.append(p)
            data.append(v)
            indptr.append(indptr[-1] + len(p))
        return csr_matrix(
            (np.concatenate(data) if data else np.zeros(0), np.concatenate(indices) if indices else np.zeros(0, int),
             np.array(indptr)), shape=(len(rows), len(self.ids)))
