"""Genre from signals that carry across topics and years.

The earlier lexical genre model read topic words; trained on 2017-2022 articles, it
learnt "recent topic → satire" and called most news reports of a newer
period satire. This model reads only how an article is written, never what
it is about:

* attribution: the share of sentences that say who said or reported
  something ("said", "told", "according to", "in a statement", …);
* quotation: the share of characters inside quotation marks, and the share
  of sentences that carry a quotation;
* wire copy: a dateline at the start of the body ("LONDON (Reuters) -") and
  wire credits (Reuters, AP, AFP, Associated Press, Bloomberg);
* the writer's voice: first-person singular and plural, second person,
  modal verbs of obligation ("should", "must"), questions and exclamations;
* news furniture: weekdays, numbers, capitalised words (names), sentence and
  paragraph length.

A class-balanced multinomial logistic regression over these signals
(standardised after ``log1p``) gives probabilities assuming the three genres
equally likely; its temperature and offsets are fitted on out-of-fold
logits. The analyzer then moves them to the mix of a real news feed
(:data:`NEWS_PRIOR`, mostly reporting), and decides:

* ``satire`` only when its probability reaches the model's (high) satire bar;
* ``uncertain`` when no genre reaches the model's confidence bar;
* else the most probable of reporting and opinion.

Numpy only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import models
from ..errors import ModelError
from ..models import artifact
from ..techniques.text import tokenize
from .labels import GENRES
from .model import softmax

FORMAT = "unspin-genre-signals/1"
WEIGHTS = "weights.npz"
UNCERTAIN = "uncertain"

#: The genre mix of a real news feed that the analyzer assumes: reporting is
#: most of what news sites publish, opinion a good part of the rest, satire rare.
NEWS_PRIOR: dict[str, float] = {"reporting": 0.6, "opinion": 0.38, "satire": 0.02}

_FP1 = frozenset({"i", "me", "my", "mine", "myself"})
_FP2 = frozenset({"we", "us", "our", "ours", "ourselves"})
_SP = frozenset({"you", "your", "yours", "yourself", "yourselves"})
_HE = frozenset({"he", "she", "they", "him", "her", "them", "his", "their"})
_MODAL = frozenset({"should", "must", "ought", "need", "needs"})
_WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_INTENS = frozenset({"very", "really", "truly", "absolutely", "totally", "clearly", "obviously", "simply",
                     "utterly", "completely", "indeed", "certainly", "surely"})
_ATTRIB = re.compile(
    r"\b(?:said|says|say|told|tells|according to|stated|states|added|announced|asked|explained|noted|reported|"
    r"reports|confirmed|declined to|spokes(?:man|woman|person)|in a statement|wrote|writes|testified|"
    r"acknowledged|insisted|argued|warned)\b", re.IGNORECASE)
_WIRE = re.compile(r"\b(?:Reuters|Associated Press|AFP|Agence France-Presse|Bloomberg|UPI)\b|\(AP\)|\bAP\b —")
_DATELINE = re.compile(r"^\s*[A-Z][A-Za-z.'’\- ]{1,40}?(?:,\s*[A-Z][A-Za-z. ]{1,25})?\s*(?:\([^)\n]{1,40}\))?\s*[—–-]{1,2}\s")
_QUOTE_PAIR = re.compile(r"\"[^\"\n]{1,600}\"|“[^”\n]{1,600}”")

SIGNALS = ("attribution_sentences", "quoted_chars", "quoted_sentences", "dateline", "wire_credit",
           "first_person_singular", "first_person_plural", "second_person", "third_person", "modals",
           "intensifiers", "questions", "exclamations", "weekdays", "numbers", "capitalised",
           "words_per_sentence", "words_per_paragraph", "log_words")


def genre_signals(text: str) -> np.ndarray:
    """The :data:`SIGNALS` of one article (rates per word, per sentence or per character)."""
    tk = tokenize(text)
    low = [w.lower() for w in tk.text]
    n, ns = max(1, len(low)), max(1, len(tk.sentences))
    lines = [text[a:b] for a, b, _, _ in tk.lines]
    body = lines[1:] if len(lines) > 1 else lines  # the first line is usually the title
    sentences = [text[tk.start[a]:tk.end[b - 1]] for a, b in tk.sentences if b > a]
    attributed = sum(bool(_ATTRIB.search(s)) for s in sentences)
    quoted = sum(m.end() - m.start() for m in _QUOTE_PAIR.finditer(text))
    quoted_sent = sum(bool(_QUOTE_PAIR.search(s)) or s.count('"') >= 1 or "“" in s for s in sentences)
    dateline = float(any(_DATELINE.match(x) for x in body[:2]))
    wire = float(bool(_WIRE.search(text)))

    def rate(words: frozenset[str]) -> float:
        return sum(w in words for w in low) / n

    return np.array([
        attributed / ns, quoted / max(1, len(text)), quoted_sent / ns, dateline, wire,
        rate(_FP1), rate(_FP2), rate(_SP), rate(_HE), rate(_MODAL), rate(_INTENS),
        low.count("?") / ns, low.count("!") / ns, rate(_WEEKDAYS),
        sum(w[:1].isdigit() for w in low) / n, sum(w[:1].isupper() for w in tk.text) / n,
        len(low) / ns, len(low) / max(1, len(tk.lines)), float(np.log1p(len(low))),
    ], dtype=np.float64)


def transform(S: np.ndarray) -> np.ndarray:
    """``log1p`` of the rates (long tails), kept as is for the 0/1 signals."""
    return np.log1p(np.maximum(np.asarray(S, dtype=np.float64), 0.0))


@dataclass
class GenreDecision:
    label: str
    score: float
    #: probabilities under the assumed news mix, by genre
    probabilities: dict[str, float]


@dataclass
class GenreSignalsModel:
    """Softmax over standardised signals; ``calib`` = temperature (col 0) and offsets (col 1)."""

    W: np.ndarray  # (S × 3)
    b: np.ndarray
    calib: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    #: probabilities below this for every genre: ``uncertain``
    confidence: float = 0.6
    #: satire is answered only at or above this probability
    satire_bar: float = 0.9
    prior: dict[str, float] = field(default_factory=lambda: dict(NEWS_PRIOR))
    meta: dict[str, Any] = field(default_factory=dict)

    labels: tuple[str, ...] = GENRES

    def balanced_proba(self, S: np.ndarray) -> np.ndarray:
        """Probabilities assuming the three genres equally likely (rows of signals)."""
        X = (transform(np.atleast_2d(S)) - self.mean) / self.std
        z = X @ self.W + self.b
        return softmax(z * self.calib[:, 0] + self.calib[:, 1])

    def proba(self, S: np.ndarray) -> np.ndarray:
        """Probabilities under the assumed news mix (:attr:`prior`)."""
        p = self.balanced_proba(S) * np.array([self.prior[g] for g in self.labels])
        return p / p.sum(axis=-1, keepdims=True)

    def decide_row(self, p: np.ndarray) -> tuple[str, float]:
        return decide(p, self.labels, self.confidence, self.satire_bar)

    def decide(self, text: str) -> GenreDecision:
        p = self.proba(genre_signals(text))[0]
        label, score = self.decide_row(p)
        return GenreDecision(label, score, {g: float(x) for g, x in zip(self.labels, p, strict=True)})

    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(d / WEIGHTS, W=self.W.astype(np.float64), b=self.b.astype(np.float64),
                            calib=self.calib.astype(np.float64), mean=self.mean.astype(np.float64),
                            std=self.std.astype(np.float64))
        meta = dict(self.meta, **meta, format=FORMAT, task="genre", kind="genre-signals", labels=list(self.labels),
                    signals=list(SIGNALS), confidence=round(float(self.confidence), 6),
                    satire_bar=round(float(self.satire_bar), 6), prior=self.prior)
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path, task: str | None = "genre") -> "GenreSignalsModel":
        d = Path(model_dir)
        meta = models.read(d, FORMAT, task="genre", kind="genre-signals", what="genre model").raw
        try:
            if list(meta["signals"]) != list(SIGNALS) or tuple(meta["labels"]) != GENRES:
                raise ValueError("signals or labels differ from this version of unspin")
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            prior = {g: float(meta["prior"][g]) for g in GENRES}
            return cls(a["W"], a["b"], a["calib"], a["mean"], a["std"], float(meta["confidence"]),
                       float(meta["satire_bar"]), prior, meta)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None


def decide(p: np.ndarray, labels: Sequence[str], confidence: float, satire_bar: float) -> tuple[str, float]:
    """``(label, probability)``: satire only at or above ``satire_bar``; ``uncertain``
    (with the top probability) when the most probable other genre is below ``confidence``."""
    j_sat = list(labels).index("satire")
    if p[j_sat] >= satire_bar:
        return "satire", float(p[j_sat])
    q = np.array(p, dtype=np.float64)
    q[j_sat] = -1.0
    j = int(np.argmax(q))
    if q[j] < confidence:
        return UNCERTAIN, float(q[j])
    return labels[j], float(q[j])
