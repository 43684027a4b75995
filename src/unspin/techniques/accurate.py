"""The accurate tier: a small tagging head over the shared MiniLM pass.

*Inputs.* The article is tokenized into words (:func:`~unspin.techniques.text.tokenize`,
the same words as the fast tier) and each word takes the mean of the
word-piece vectors of the shared encoder pass that overlap it
(:class:`~unspin.neural.shared.EncodedText`, layers 3 and 4 of
all-MiniLM-L6-v2, windowed: long articles are never truncated).

*Head* (numpy at inference, trained with PyTorch by
:mod:`~unspin.techniques.train_accurate`)::

    h  = GELU(W_in · x + b_in)                 per word
    c  = GELU(Conv1d_k(h))                     a few words of context each side
    zt = W_tok · [h, c] + b_tok                per word: one logit per technique
    zp = W_par · [mean(h, c), max(zt)] + b_par per paragraph (line)

*Calibration and thresholds.* Platt scaling per technique on out-of-fold
logits of the training run's cross-validation; the default span and
paragraph thresholds maximise the out-of-fold SI span F1 and paragraph
micro-F1. Spans are decoded as in the fast tier: maximal runs of words of
one line whose calibrated probability reaches the threshold, trimmed of
punctuation; a span's score is its highest word probability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..neural import layers as nn
from ..neural.shared import EncodedText, EncoderSpec, encode
from . import artifact
from .fast import Prediction, decode_spans
from .text import Tokens, tokenize

WEIGHTS = "head.npz"
FORMAT = "unspin-techniques-accurate/1"
PARAM_NAMES = ("in_w", "in_b", "conv_w", "conv_b", "tok_w", "tok_b", "par_w", "par_b")


def word_paragraphs(tk: Tokens) -> np.ndarray:
    """Index of the line (paragraph) of every word."""
    par = np.full(len(tk.text), -1, dtype=np.int64)
    for k, (_, _, first, last) in enumerate(tk.lines):
        par[first:last] = k
    return par


@dataclass
class TaggerHead:
    """The head's weights (PyTorch layout) and its forward pass in numpy."""

    params: dict[str, np.ndarray]

    @property
    def n_labels(self) -> int:
        return int(self.params["par_b"].shape[0])

    def forward(self, x: np.ndarray, par: np.ndarray, n_par: int) -> tuple[np.ndarray, np.ndarray]:
        """Word logits (n × L) and paragraph logits (n_par × L) of one article."""
        p = self.params
        h = nn.gelu(nn.linear(x, p["in_w"], p["in_b"]))
        c = nn.gelu(nn.conv1d_same(h, p["conv_w"], p["conv_b"]))
        g = np.concatenate([h, c], axis=1)
        zt = nn.linear(g, p["tok_w"], p["tok_b"])
        pooled = np.concatenate([nn.segment_mean(g, par, n_par), nn.segment_max(zt, par, n_par)], axis=1)
        return zt, nn.linear(pooled, p["par_w"], p["par_b"])


@dataclass
class AccurateModel:
    labels: list[str]
    head: TaggerHead
    platt_tok: np.ndarray  # (L × 2): a, b
    platt_par: np.ndarray
    span_threshold: float
    #: one threshold per label (chosen for the pooled paragraph micro-F1)
    paragraph_threshold: np.ndarray
    spec: EncoderSpec = field(default_factory=EncoderSpec)
    meta: dict[str, Any] = field(default_factory=dict)

    def word_inputs(self, tk: Tokens, encoded: EncodedText) -> np.ndarray:
        return encoded.pool(tk.start, tk.end, self.spec.layers)

    def probabilities(self, text: str, encoded: EncodedText | None = None) -> tuple[Tokens, np.ndarray, np.ndarray]:
        """Words, calibrated word probabilities (n × L), paragraph probabilities."""
        tk = tokenize(text)
        L = len(self.labels)
        if not tk.text:
            return tk, np.zeros((0, L)), np.zeros((len(tk.lines), L))
        if encoded is None:
            encoded = encode(text)
        elif encoded.text != text:
            raise ValueError("the encoder pass belongs to a different text")
        zt, zp = self.head.forward(self.word_inputs(tk, encoded), word_paragraphs(tk), len(tk.lines))
        return (tk, nn.sigmoid(zt * self.platt_tok[:, 0] + self.platt_tok[:, 1]),
                nn.sigmoid(zp * self.platt_par[:, 0] + self.platt_par[:, 1]))

    def predict(self, text: str, encoded: EncodedText | None = None, span_threshold: float | None = None,
                paragraph_threshold: float | None = None) -> Prediction:
        st = self.span_threshold if span_threshold is None else span_threshold
        pt = self.paragraph_threshold if paragraph_threshold is None else paragraph_threshold
        tk, pw, pp = self.probabilities(text, encoded)
        spans = decode_spans(tk, pw, self.labels, st) if tk.text else []
        pt = np.broadcast_to(np.asarray(pt, dtype=np.float64), (len(self.labels),))
        paragraphs = [(ls, le, {self.labels[j]: float(row[j]) for j in np.flatnonzero(row >= pt)})
                      for (ls, le, _, _), row in zip(tk.lines, pp)]
        return Prediction(spans, paragraphs)

    # -- persistence -------------------------------------------------------
    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        arrays = {k: self.head.params[k].astype(np.float32) for k in PARAM_NAMES}
        np.savez_compressed(d / WEIGHTS, platt_tok=self.platt_tok.astype(np.float64),
                            platt_par=self.platt_par.astype(np.float64), **arrays)
        pt = np.broadcast_to(np.asarray(self.paragraph_threshold, dtype=np.float64), (len(self.labels),))
        meta = dict(meta, format=FORMAT, labels=self.labels, span_threshold=self.span_threshold,
                    paragraph_thresholds={lab: round(float(t), 4) for lab, t in zip(self.labels, pt)},
                    encoder=self.spec.to_meta())
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path) -> "AccurateModel":
        d = Path(model_dir)
        meta = artifact.read_meta(d)
        if meta.get("format") != FORMAT:
            raise ModelError(f"{d / artifact.META}: not an accurate-tier techniques model (format {meta.get('format')!r})")
        artifact.verify(d, meta)
        spec = EncoderSpec.from_meta(meta.get("encoder") or {})
        spec.check_compatible(str(d))
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            head = TaggerHead({k: arrays[k] for k in PARAM_NAMES})
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        labels = list(meta["labels"])
        if head.n_labels != len(labels) or head.params["in_w"].shape[1] != spec.hidden_size * len(spec.layers):
            raise ModelError(f"{d}: the weights do not match the labels or the encoder layers in meta.json")
        try:
            pt = np.array([float(meta["paragraph_thresholds"][lab]) for lab in labels])
        except (KeyError, TypeError, ValueError):
            raise ModelError(f"{d / artifact.META}: needs a paragraph threshold for every label") from None
        return cls(labels=labels, head=head, platt_tok=arrays["platt_tok"], platt_par=arrays["platt_par"],
                   span_threshold=float(meta["span_threshold"]), paragraph_threshold=pt, spec=spec, meta=meta)


def default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "models" / "techniques-accurate"


_CACHE: dict[str, AccurateModel] = {}


def load_default() -> AccurateModel:
    path = default_model_dir()
    key = str(path)
    if key not in _CACHE:
        if not (path / artifact.META).is_file():
            raise ModelError(f"{path}: the accurate techniques model is not installed (train it with "
                             "`unspin train techniques --model accurate`)")
        _CACHE[key] = AccurateModel.load(path)
    return _CACHE[key]
