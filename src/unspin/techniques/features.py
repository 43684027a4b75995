"""Sparse lexical features of the fast tier.

:func:`article_features` returns the article's distinct feature strings
(``keys``) and, per unit group, a coordinate list ``(unit, key)``:

* *token* features (the word, its neighbours within the line, bigrams,
  suffix, shape, inside quotation marks, how often the word and its bigrams
  recur in the article);
* *sentence* features shared by every token of a sentence (its words and
  bigrams, ``?``/``!``, length, first in paragraph, in the title);
* *paragraph* features for the paragraph classifier (words, bigrams, length,
  title, quotation marks).

Training interns the keys; inference looks each distinct key up once in the
model's vocabulary (unknown keys are dropped), so the work per article is a
few thousand dictionary look-ups plus numpy gathers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .text import Tokens

_QUOTES = ('"', "“", "”")
_SHAPES = ("d", "p", "X", "Xx", "x", "B", "E")  # B/E: line begin/end markers for shape context
_BUCKETS = ("1", "2", "3", "5")


def _shape(w: str) -> int:
    if w.isdigit():
        return 0
    if not w[0].isalnum():
        return 1
    if w.isupper() and len(w) > 1:
        return 2
    if w[0].isupper():
        return 3
    return 4


def _bucket(n: np.ndarray) -> np.ndarray:
    """0: ≤1, 1: 2, 2: 3-4, 3: ≥5."""
    return np.where(n <= 1, 0, np.where(n == 2, 1, np.where(n <= 4, 2, 3)))


#: Templates whose key is a function of one word: prefix + word (or its suffix).
WORD_TEMPLATES = ("w=", "p=", "n=", "pp=", "nn=", "s3=", "sw=", "pw=")


def word_template_keys(word: str) -> list[str]:
    """The keys of ``word`` under every template of :data:`WORD_TEMPLATES`."""
    return ["w=" + word, "p=" + word, "n=" + word, "pp=" + word, "nn=" + word, "s3=" + word[-3:],
            "sw=" + word, "pw=" + word]


def _bucket1(n: int) -> int:
    return 0 if n <= 1 else 1 if n == 2 else 2 if n <= 4 else 3


@dataclass
class ArticleFeatures:
    keys: list[str]
    tok_unit: np.ndarray
    tok_key: np.ndarray
    sent_unit: np.ndarray
    sent_key: np.ndarray
    par_unit: np.ndarray
    par_key: np.ndarray
    n_tokens: int
    n_sentences: int
    n_paragraphs: int
    #: With ``word_keys=False``: the features that depend on one word only,
    #: left unresolved as (group, unit, template, word) so that inference can
    #: look each distinct word up once (see :data:`WORD_TEMPLATES`).
    words: list[str] | None = None
    word_group: np.ndarray | None = None  # 0 token, 1 sentence, 2 paragraph
    word_unit: np.ndarray | None = None
    word_tmpl: np.ndarray | None = None
    word_id: np.ndarray | None = None


class _Keys:
    """Distinct feature strings of one article, numbered in first-seen order."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    @property
    def keys(self) -> list[str]:
        return list(self.ids)

    def __call__(self, s: str) -> int:
        ids = self.ids
        return ids.setdefault(s, len(ids))

    def table(self, codes: np.ndarray, name) -> np.ndarray:
        """Key id per element of ``codes``; ``name(code)`` builds the string."""
        if not len(codes):
            return np.empty(0, dtype=np.int64)
        u, inv = np.unique(codes, return_inverse=True)
        ids = self.ids
        return np.array([ids.setdefault(name(c), len(ids)) for c in u.tolist()], dtype=np.int64)[inv]


def article_features(tk: Tokens, word_keys: bool = True) -> ArticleFeatures:
    """Features of one article. ``word_keys=False`` leaves the one-word
    templates unresolved (fields ``words``/``word_*``) for fast inference;
    both forms describe exactly the same features."""
    K = _Keys()
    low = [w.lower() for w in tk.text]
    n = len(low)
    vocab: dict[str, int] = {}
    wid = np.fromiter((vocab.setdefault(w, len(vocab)) for w in low), dtype=np.int64, count=n)
    words = list(vocab) + ["<s>", "</s>"]
    BOS, EOS = len(vocab), len(vocab) + 1
    U = len(words)
    raw_shape: dict[str, int] = {}
    shape = np.fromiter((raw_shape[w] if w in raw_shape else raw_shape.setdefault(w, _shape(w)) for w in tk.text),
                        dtype=np.int64, count=n)
    first = np.zeros(n, dtype=np.int64)
    last = np.zeros(n, dtype=np.int64)
    line_of = np.zeros(n, dtype=np.int64)
    for k, (_, _, a, b) in enumerate(tk.lines):
        first[a:b], last[a:b], line_of[a:b] = a, b, k
    i = np.arange(n)
    has_p, has_pp = i - 1 >= first, i - 2 >= first
    has_n, has_nn = i + 1 < last, i + 2 < last
    wp = np.where(has_p, np.roll(wid, 1), BOS)
    wpp = np.where(has_pp, np.roll(wid, 2), BOS)
    wn = np.where(has_n, np.roll(wid, -1), EOS)
    wnn = np.where(has_nn, np.roll(wid, -2), EOS)
    title = (line_of == 0).astype(np.int64)

    word_cols = (wid, wp, wn, wpp, wnn, wid)  # templates 0-5

    def word_table(t: int) -> np.ndarray:
        return K.table(word_cols[t], lambda c: word_template_keys(words[c])[t])

    # Keys are numbered in order of first use, and the training's vocabulary and the order of
    # its sparse sums follow that numbering: the order below (the suffix template after the
    # bigrams) is the one the packaged fast model was trained with, so that its command
    # reproduces it byte for byte.
    tok_cols = [word_table(t) for t in range(5)] if word_keys else []
    tok_cols += [
        K.table(wp * U + wid, lambda c: "b=" + words[c // U] + "|" + words[c % U]),
        K.table(wid * U + wn, lambda c: "bn=" + words[c // U] + "|" + words[c % U]),
    ]
    if word_keys:
        tok_cols.append(word_table(5))
    tok_cols.append(K.table(shape * 2 + title, lambda c: "sh=" + _SHAPES[c // 2] + ("T" if c % 2 else "")))
    sp = np.where(has_p, np.roll(shape, 1), 5)
    sn = np.where(has_n, np.roll(shape, -1), 6)
    tok_cols.append(K.table(sp * 49 + shape * 7 + sn,
                            lambda c: "shc=" + _SHAPES[c // 49] + _SHAPES[(c // 7) % 7] + _SHAPES[c % 7]))
    counts = np.bincount(wid, minlength=U)
    wlen = np.array([len(w) for w in words])
    rw = np.where((shape >= 2) & (wlen[wid] > 3), _bucket(counts[wid]) + 1, 0)
    tok_cols.append(K.table(rw, lambda c: "rw=" + ("0" if c == 0 else _BUCKETS[c - 1])))
    # counts of adjacent word pairs in the article (pairs within a line)
    inner = np.flatnonzero(has_n)
    pair_codes = wid[inner] * U + wid[inner + 1]
    pu, pc = np.unique(pair_codes, return_counts=True)

    def pair_count(codes: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(pu, codes)
        pos = np.minimum(pos, max(len(pu) - 1, 0))
        return np.where((len(pu) > 0) & (pu[pos] == codes) if len(pu) else np.zeros(len(codes), bool), pc[pos] if len(pu) else 0, 0)

    rb = _bucket(pair_count(wid * U + wn)) * 4 + _bucket(pair_count(wp * U + wid))
    tok_cols.append(K.table(rb, lambda c: "rb=" + _BUCKETS[c // 4] + _BUCKETS[c % 4]))
    tok_unit = [np.tile(i, len(tok_cols))] if tok_cols else [np.empty(0, dtype=np.int64)]
    tok_key = [np.concatenate(tok_cols)] if n and tok_cols else [np.empty(0, dtype=np.int64)]
    # inside quotation marks (the opening mark itself counts as inside)
    quote_ids = [vocab[q] for q in _QUOTES if q in vocab]
    if quote_ids:
        isq = np.isin(wid, quote_ids).astype(np.int64)
        cs = np.cumsum(isq)
        before = np.concatenate([[0], cs])[first]
        inq = np.flatnonzero((cs - before) % 2 == 1)
        tok_unit.append(inq)
        tok_key.append(np.full(len(inq), K("q"), dtype=np.int64))

    sent_unit, sent_key, sw = _group_features(K, tk, [(a, b) for a, b in tk.sentences], wid, words, U, "s",
                                              _sentence_extras(tk), word_keys)
    par_unit, par_key, pw = _group_features(K, tk, [(a, b) for _, _, a, b in tk.lines], wid, words, U, "p",
                                            _paragraph_extras(tk), word_keys)
    f = ArticleFeatures(K.keys, np.concatenate(tok_unit), np.concatenate(tok_key), sent_unit, sent_key,
                        par_unit, par_key, n, len(tk.sentences), len(tk.lines))
    if not word_keys:
        f.words = words
        f.word_group = np.concatenate([np.zeros(6 * n, np.int64), np.ones(len(sw[0]), np.int64),
                                       np.full(len(pw[0]), 2, np.int64)])
        f.word_unit = np.concatenate([np.tile(i, 6), sw[0], pw[0]])
        f.word_tmpl = np.concatenate([np.repeat(np.arange(6), n), np.full(len(sw[0]), 6), np.full(len(pw[0]), 7)])
        f.word_id = np.concatenate(list(word_cols) + [sw[1], pw[1]]).astype(np.int64)
    return f


def _sentence_extras(tk: Tokens) -> list[list[str]]:
    line_firsts = {a for _, _, a, _ in tk.lines}
    t_end = tk.lines[0][3] if tk.lines else -1
    out = []
    for a, b in tk.sentences:
        ws = tk.text[a:b]
        f = ["sl=" + _BUCKETS[_bucket1((b - a) // 8)]]
        if "?" in ws:
            f.append("s?")
        if "!" in ws:
            f.append("s!")
        if a in line_firsts:
            f.append("sfirst")
        if b <= t_end:
            f.append("stitle")
        out.append(f)
    return out


def _paragraph_extras(tk: Tokens) -> list[list[str]]:
    out = []
    for k, (_, _, a, b) in enumerate(tk.lines):
        ws = tk.text[a:b]
        f = ["pl=" + _BUCKETS[_bucket1((b - a) // 10)]]
        if k == 0:
            f.append("ptitle")
        if "?" in ws:
            f.append("p?")
        if "!" in ws:
            f.append("p!")
        if '"' in ws or "“" in ws:
            f.append("pquote")
        out.append(f)
    return out


def _group_features(K: _Keys, tk: Tokens, groups: list[tuple[int, int]], wid: np.ndarray, words: list[str],
                    U: int, p: str, extras: list[list[str]], word_keys: bool):
    n = len(wid)
    gid = np.full(n, -1, dtype=np.int64)
    for g, (a, b) in enumerate(groups):
        gid[a:b] = g
    units, keys = [], []
    m = gid >= 0
    # distinct words per group
    codes = np.unique(gid[m] * U + wid[m])
    if word_keys:
        units.append(codes // U)
        keys.append(K.table(codes % U, lambda c: p + "w=" + words[c]))
    word_pairs = (codes // U, codes % U)
    # distinct bigrams per group
    j = np.flatnonzero(m[:-1] & (gid[:-1] == gid[1:])) if n > 1 else np.empty(0, dtype=np.int64)
    if len(j):
        bc = np.unique((gid[j] * U + wid[j]) * U + wid[j + 1])
        units.append(bc // (U * U))
        keys.append(K.table(bc % (U * U), lambda c: p + "b=" + words[c // U] + "|" + words[c % U]))
    eu = [g for g, fs in enumerate(extras) for _ in fs]
    ek = [K(f) for fs in extras for f in fs]
    units.append(np.array(eu, dtype=np.int64))
    keys.append(np.array(ek, dtype=np.int64))
    return np.concatenate(units).astype(np.int64), np.concatenate(keys).astype(np.int64), word_pairs
