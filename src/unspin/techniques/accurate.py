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

*Stacking with the fast tier.* The lexical fast model
(:mod:`~unspin.techniques.fast`, a few milliseconds an article) sees what a
frozen encoder misses (words and phrases typical of rarer techniques such as
Causal_Oversimplification or Appeal_to_Authority), so its logits are stacked
with the head's: per technique, a word's probability is
``σ(a·z_head + b·z_fast + c)`` and a paragraph's
``σ(a·z_head + b·z_fast + d·max z_fast over its words + c)``. The model
records the SHA-256 of the fast model it was stacked on and refuses to run
beside another one.

*Calibration and thresholds.* The stacking weights (Platt scaling with
several inputs) are fitted per technique on out-of-fold logits of the
training run's cross-validation; the default span and
paragraph thresholds maximise the out-of-fold SI span F1 and paragraph
micro-F1. Spans are decoded as in the fast tier: maximal runs of words of
one line whose calibrated probability, averaged over ``span_smoothing`` words
each side (chosen with the threshold, out of fold), reaches the threshold,
trimmed of punctuation (and dropped when made only of function words such as
"and" or "the", which are no evidence a reader can check); a span's score is its highest word probability (or
its highest averaged one, where neighbours lifted a word over the threshold).
Each technique has its own span threshold and *span unit*: its runs are kept
as they are or widened to the clause or sentence they lie in (annotators mark
Doubt or Causal_Oversimplification as whole sentences while the probabilities
fire on a few cue words); both are chosen by coordinate ascent on out-of-fold
SI F1 (:func:`~unspin.techniques.decoding.choose_span_rules`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import models
from ..errors import ModelError
from ..models import artifact
from ..neural import layers as nn
from ..neural.shared import EncodedText, EncoderSpec, encode
from . import fast as fast_tier
from . import reading
from .fast import FastModel, Prediction, check_span_units
from .text import Tokens, tokenize

WEIGHTS = "head.npz"
#: the training articles' out-of-fold technique profiles (:func:`technique_profile`), for models stacked on this one
PROFILES = "oof-profiles.npz"
FORMAT = "unspin-techniques-accurate/1"
#: inputs of the stacked calibration, in order (see the module doc)
WORD_INPUTS = ("head", "fast")
PARAGRAPH_INPUTS = ("head", "fast", "fast_word_max")
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


def stack_inputs(head: tuple[np.ndarray, np.ndarray], fast: tuple[np.ndarray, np.ndarray] | None,
                 par: np.ndarray, n_par: int) -> tuple[np.ndarray, np.ndarray]:
    """The calibration's inputs: words × labels × k and paragraphs × labels × k
    (k = 1, the head's logits alone, without a fast model; else
    :data:`WORD_INPUTS` and :data:`PARAGRAPH_INPUTS`)."""
    zt, zp = head
    if fast is None:
        return zt[:, :, None], zp[:, :, None]
    ft, fp = fast
    return np.stack([zt, ft], axis=2), np.stack([zp, fp, nn.segment_max(ft, par, n_par)], axis=2)


def calibrate(inputs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``σ(Σ_k w_k · input_k + bias)`` per label; ``weights`` is labels × (k + 1)."""
    return nn.sigmoid(np.einsum("nlk,lk->nl", inputs, weights[:, :-1]) + weights[:, -1])


def technique_profile(pw: np.ndarray, pp: np.ndarray) -> np.ndarray:
    """An article's persuasion profile (``3·L + 3`` numbers) from its calibrated
    word (n × L) and paragraph probabilities: per technique the mean and the
    highest paragraph probability and the mean word probability; then the mean
    "any technique" word probability (highest over techniques), the share of
    words where it reaches 0.3, and log(1 + words). The accurate genre model
    stacks on it: opinion pieces persuade more, and differently, than reports."""
    L = pw.shape[1] if pw.ndim == 2 else pp.shape[1]
    if not len(pw) or not len(pp):
        return np.zeros(3 * L + 3)
    anyw = pw.max(axis=1)
    return np.concatenate([pp.mean(axis=0), pp.max(axis=0), pw.mean(axis=0),
                           [anyw.mean(), (anyw >= 0.3).mean(), np.log1p(len(pw))]])


def save_profiles(model_dir: str | Path, profiles: dict[str, np.ndarray]) -> str:
    """Write the training articles' out-of-fold profiles (article id → profile)
    into ``model_dir``; returns the file name, to be checksummed in meta.json."""
    ids = sorted(profiles)
    np.savez_compressed(Path(model_dir) / PROFILES, ids=np.array(ids),
                        profiles=np.stack([profiles[i] for i in ids]).astype(np.float32))
    return PROFILES


def load_profiles(model_dir: str | Path) -> dict[str, np.ndarray]:
    """The out-of-fold profiles written by :func:`save_profiles` (the model's
    checksums are verified first)."""
    d = Path(model_dir)
    artifact.verify(d, artifact.read_meta(d))
    if not (d / PROFILES).is_file():
        raise ModelError(f"{d / PROFILES}: missing; retrain the techniques model (`unspin train techniques`) "
                         "before a model stacked on it")
    with np.load(d / PROFILES, allow_pickle=False) as z:
        return dict(zip(z["ids"].tolist(), z["profiles"].astype(np.float64), strict=True))


@dataclass
class HeadEnsemble:
    """Heads trained alike from different seeds; their logits are averaged
    (one shared encoder pass: each member costs only its small head)."""

    members: list[TaggerHead]

    @property
    def n_labels(self) -> int:
        return self.members[0].n_labels

    @property
    def params(self) -> dict[str, np.ndarray]:
        return self.members[0].params

    def forward(self, x: np.ndarray, par: np.ndarray, n_par: int) -> tuple[np.ndarray, np.ndarray]:
        outs = [m.forward(x, par, n_par) for m in self.members]
        if len(outs) == 1:
            return outs[0]
        return np.mean([o[0] for o in outs], axis=0), np.mean([o[1] for o in outs], axis=0)


@dataclass
class AccurateModel:
    labels: list[str]
    head: TaggerHead | HeadEnsemble
    #: stacked calibration (L × (inputs + 1)): weights of :data:`WORD_INPUTS`, then the bias;
    #: (L × 2) Platt scaling of the head's logits alone when ``fast`` is None
    platt_tok: np.ndarray
    platt_par: np.ndarray  # the same over :data:`PARAGRAPH_INPUTS`
    #: one span threshold for all labels, or one per label
    span_threshold: float | np.ndarray
    #: one threshold per label (chosen for the pooled paragraph micro-F1)
    paragraph_threshold: np.ndarray
    spec: EncoderSpec = field(default_factory=EncoderSpec.current)
    #: words each side over which word probabilities are averaged before the span threshold
    span_smoothing: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    #: the fast-tier model whose logits are stacked with the head's (None: the head alone)
    fast: FastModel | None = None
    #: per label, the unit spans are widened to (:data:`~unspin.techniques.fast.SPAN_UNITS`; None: words)
    span_units: list[str] | None = None
    #: drop spans made only of function words ("and", "the"; see :func:`~unspin.techniques.fast.decode_spans`)
    span_needs_content_word: bool = False
    #: per label, the highest word probability a span needs (None: none; :mod:`~unspin.techniques.reading`)
    span_min_peak: np.ndarray | None = None
    #: keep a span only where its paragraph carries the same technique
    span_needs_paragraph: bool = False
    #: Platt scaling ``(a, b)`` of a span's peak into the shown score (None: the peak is shown)
    span_calibration: np.ndarray | None = None
    #: the recall reading's decoding fields (None: the default reading is the only one)
    recall: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        k_tok, k_par = (len(WORD_INPUTS), len(PARAGRAPH_INPUTS)) if self.fast is not None else (1, 1)
        if self.platt_tok.shape[1] != k_tok + 1 or self.platt_par.shape[1] != k_par + 1:
            raise ModelError("the calibration weights do not match the stacked inputs "
                             f"({'with' if self.fast is not None else 'without'} a fast model)")
        if self.fast is not None and list(self.fast.labels) != list(self.labels):
            raise ModelError("the fast model stacked on this one has other technique labels")
        check_span_units(self.span_units, self.labels)
        if self.recall is not None:
            check_span_units(self.recall.get("span_units"), self.labels)

    def decoding_fields(self) -> dict[str, Any]:
        """The decoding fields (as :func:`~unspin.models.artifact.decoding_fields` returns them)."""
        return fast_tier.decoding_fields_of(self)

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
        par = word_paragraphs(tk)
        head = self.head.forward(self.word_inputs(tk, encoded), par, len(tk.lines))
        fast = self.fast.raw_logits(tk) if self.fast is not None else None
        xt, xp = stack_inputs(head, fast, par, len(tk.lines))
        return tk, calibrate(xt, self.platt_tok), calibrate(xp, self.platt_par)

    def profile(self, text: str, encoded: EncodedText | None = None) -> np.ndarray:
        """:func:`technique_profile` of ``text``."""
        return technique_profile(*self.probabilities(text, encoded)[1:])

    def span_thresholds(self) -> np.ndarray:
        """The default span threshold of each label."""
        return np.broadcast_to(np.asarray(self.span_threshold, dtype=np.float64), (len(self.labels),))

    def predict(self, text: str, encoded: EncodedText | None = None, span_threshold: float | None = None,
                paragraph_threshold: float | None = None, recall: bool = False,
                min_score: float | None = None) -> Prediction:
        return self.decode(*self.probabilities(text, encoded), span_threshold=span_threshold,
                           paragraph_threshold=paragraph_threshold, recall=recall, min_score=min_score)

    def decode(self, tk: Tokens, pw: np.ndarray, pp: np.ndarray, span_threshold: float | None = None,
               paragraph_threshold: float | np.ndarray | None = None, recall: bool = False,
               min_score: float | None = None) -> Prediction:
        """Spans and paragraph labels from :meth:`probabilities`' output, read
        by the default or (``recall``) the recall reading
        (:mod:`~unspin.techniques.reading`). A ``span_threshold`` or
        ``paragraph_threshold`` given here replaces the reading's threshold of
        every label (and its peak rule; the span units stay); ``min_score``
        drops spans and labels scored below it."""
        return reading.read(tk, pw, pp, self.labels, reading.of(self, recall, span_threshold, paragraph_threshold),
                            reading.calibration_of(self, recall), min_score)

    # -- persistence -------------------------------------------------------
    def save(self, model_dir: str | Path, meta: dict[str, Any], extra_files: Sequence[str] = ()) -> dict[str, Any]:
        """Write the weights and meta.json (with the SHA-256 of the weights and of
        ``extra_files``, already written into ``model_dir``)."""
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        members = self.head.members if isinstance(self.head, HeadEnsemble) else [self.head]
        arrays = {f"m{i}.{k}": m.params[k].astype(np.float32) for i, m in enumerate(members) for k in PARAM_NAMES}
        np.savez_compressed(d / WEIGHTS, platt_tok=self.platt_tok.astype(np.float64),
                            platt_par=self.platt_par.astype(np.float64), **arrays)
        if self.fast is not None:
            meta = dict(meta, stacked_on=fast_reference(self.fast, d))
        meta = artifact.with_decoding(
            dict(meta, format=FORMAT, labels=self.labels, ensemble_members=len(members), encoder=self.spec.to_meta()),
            artifact.fields_meta(self.labels, self.decoding_fields()))
        return artifact.write_meta(d, meta, [WEIGHTS, *extra_files])

    @classmethod
    def load(cls, model_dir: str | Path) -> "AccurateModel":
        d = Path(model_dir)
        meta = models.read(d, FORMAT, what="accurate-tier techniques model").raw
        spec = EncoderSpec.from_meta(meta.get("encoder") or {})
        spec.check_compatible(str(d))
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            n = int(meta.get("ensemble_members", 0))
            if n:  # "m0.in_w", "m1.in_w", …
                head: TaggerHead | HeadEnsemble = HeadEnsemble(
                    [TaggerHead({k: arrays[f"m{i}.{k}"] for k in PARAM_NAMES}) for i in range(n)])
            else:  # a single head saved before ensembles
                head = TaggerHead({k: arrays[k] for k in PARAM_NAMES})
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        labels = list(meta["labels"])
        if head.n_labels != len(labels) or head.params["in_w"].shape[1] != spec.hidden_size * len(spec.layers):
            raise ModelError(f"{d}: the weights do not match the labels or the encoder layers in meta.json")
        decoding = artifact.decoding_fields(meta, labels, str(d / artifact.META))
        fast = _stacked_fast_model(d, meta["stacked_on"]) if meta.get("stacked_on") else None
        try:
            return cls(labels=labels, head=head, platt_tok=arrays["platt_tok"], platt_par=arrays["platt_par"],
                       spec=spec, meta=meta, fast=fast, **decoding)
        except ModelError as exc:  # the consistency checks of __post_init__: name the model folder
            raise ModelError(f"{d}: {exc}") from None


def fast_reference(model: FastModel, model_dir: Path) -> dict[str, Any]:
    """What an accurate model saved in ``model_dir`` records of the fast model it
    is stacked on: its folder (relative to ``model_dir``) and the SHA-256 of its files."""
    files = model.meta.get("files") or {}
    if model.folder is None or not files:
        raise ModelError("the fast model to stack on must be loaded from its folder (FastModel.load)")
    try:
        folder = os.path.relpath(Path(model.folder).resolve(), Path(model_dir).resolve())
    except ValueError:  # another drive
        folder = str(Path(model.folder).resolve())
    return {"model": "techniques-fast", "folder": Path(folder).as_posix(), "files": dict(files)}


def _stacked_fast_model(d: Path, ref: dict[str, Any]) -> FastModel:
    """The fast model ``ref`` names (its folder, relative to ``d``), if its files
    are the ones recorded when the accurate model was trained. A model moved
    away from that folder (trained with ``-o`` elsewhere, then copied into the
    package) finds the packaged fast tier instead, if its files are those."""

    folder = (d / str(ref.get("folder", "../techniques-fast"))).resolve()
    if not (folder / artifact.META).is_file():
        packaged = fast_tier.default_model_dir()
        if (packaged / artifact.META).is_file() and ref.get("files") \
                and (artifact.read_meta(packaged).get("files") or {}) == ref.get("files"):
            return fast_tier.load_default()
        raise ModelError(f"{d}: stacked on the fast techniques model in {folder}, which is missing")
    if folder == fast_tier.default_model_dir().resolve():
        fast = fast_tier.load_default()  # cached: the fast tier may run beside it
    else:
        fast = fast_tier.FastModel.load(folder)
    if (fast.meta.get("files") or {}) != ref.get("files"):
        raise ModelError(f"{d}: stacked on another fast techniques model than the one in {folder} (its files' "
                         "SHA-256 differ); retrain it with `unspin train techniques --model accurate`")
    return fast


def default_model_dir() -> Path:
    return models.packaged_dir("techniques-accurate")


def load_default() -> AccurateModel:
    """The packaged accurate model, loaded once per process."""
    path = default_model_dir()
    if not (path / artifact.META).is_file():
        raise ModelError(f"{path}: the accurate techniques model is not installed (train it with "
                         "`unspin train techniques --model accurate`)")
    return models.load(path, AccurateModel.load)
