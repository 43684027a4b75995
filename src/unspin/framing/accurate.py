"""The accurate tier of the framing models: a head over the shared MiniLM pass.

The shared encoder pass (:mod:`unspin.neural.shared`, all-MiniLM-L6-v2,
layers 3 and 4, computed once per article by the pipeline) gives every word
piece a 768-dimensional vector. The **frames** head (article level) reads the
mean piece vector of the article, standardised, next to the fast tier's
hashed word/bigram TF-IDF vector: one ridge classifier per frame over both
(solved in the dual: the kernel is the sum of the TF-IDF and the embedding
linear kernels), Platt-scaled on out-of-fold scores, per-frame thresholds on
out-of-fold micro-F1, exactly like the fast tier otherwise.

The **narratives** head (:class:`NarrativesStack`) reads the same pass,
pooled two ways: the mean piece vector of the article and, per dimension, the
highest mean piece vector of its paragraphs (a narrative often lives in one
paragraph). A ridge classifier per narrative and subnarrative over those
vectors (standardised), Platt-scaled on out-of-fold scores, gives
probabilities that are averaged with those of the fast narratives model it is
stacked on (the weight, and the two decoding thresholds, chosen on
out-of-fold samples-F1); the decoding is the fast tier's
(:func:`~.doc.decode_narratives`) and the evidence sentences are the fast
model's. It records the SHA-256 of that fast model and refuses another.
None ships: on the inner folds of the training part it did not beat the
fast model (``docs/framing-eval.md``), so the narratives analyzer uses the
fast model in both tiers unless a stack is trained into its folder.

Genre and roles have one model for both tiers (:mod:`.genre`,
:mod:`.treatment`).

Inference is numpy only. Artifacts: ``weights.npz`` + ``meta.json`` (SHA-256
of the weights, :mod:`unspin.techniques.artifact`) with the
:class:`~unspin.neural.shared.EncoderSpec` they were trained on; loading
refuses a changed file or an incompatible encoder (:class:`ModelError`).
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
from ..neural.shared import SHARED_LAYERS, EncodedText, EncoderSpec
from .doc import NarrativeDecision, decode_narratives, narratives_proba
from .features import DocFeatures, Vocabulary
from .model import FramingModel, sigmoid

WEIGHTS = "weights.npz"
FORMAT = "unspin-framing-accurate/1"
LAYERS: tuple[int, ...] = SHARED_LAYERS
#: tasks with a shipped accurate head (genre and roles: one model for both tiers, :mod:`.genre`, :mod:`.treatment`)
ACCURATE_TASKS = ("frames", "narratives")
#: poolings of the shared pass a head may read, concatenated in the order given (:func:`pooled_vector`)
POOLINGS = ("mean", "paragraph_max")


def model_dir(task: str) -> Path:
    return models.packaged_dir(f"{task}-accurate")


# --------------------------------------------------------------------------
# Inputs from the shared pass
# --------------------------------------------------------------------------


def article_vector(encoded: EncodedText, layers: Sequence[int] = LAYERS) -> np.ndarray:
    """Mean piece vector of the whole article (zeros for an empty text)."""
    v = encoded.select(layers)
    if not len(v):
        return np.zeros(v.shape[1] if v.ndim == 2 else encoded.hidden_size * len(layers), dtype=np.float32)
    return v.astype(np.float64).mean(axis=0).astype(np.float32)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line of ``text`` that holds more than white space."""
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            out.append((pos, pos + len(line.rstrip("\r\n"))))
        pos += len(line)
    return out


def pooled_vector(encoded: EncodedText, pooling: Sequence[str], layers: Sequence[int] = LAYERS) -> np.ndarray:
    """The article's vector for a head: the poolings of :data:`POOLINGS` named in ``pooling``, concatenated.
    ``mean`` is :func:`article_vector`; ``paragraph_max`` the highest value, per dimension, of the paragraphs'
    mean piece vectors (zeros when the text has no paragraph)."""
    parts = []
    for name in pooling:
        if name == "mean":
            parts.append(article_vector(encoded, layers))
        elif name == "paragraph_max":
            spans = paragraph_spans(encoded.text)
            width = encoded.hidden_size * len(layers)
            if not spans or not len(encoded.pieces.vectors):
                parts.append(np.zeros(width, dtype=np.float32))
            else:
                pooled = encoded.pool([a for a, _ in spans], [b for _, b in spans], layers)
                parts.append(pooled.max(axis=0).astype(np.float32))
        else:
            raise ModelError(f"unknown pooling {name!r} (known: {', '.join(POOLINGS)})")
    return np.concatenate(parts)


@dataclass
class Standardizer:
    """``(x - mean) / std / sqrt(dim) · scale``: unit-variance columns whose rows
    have about unit length, like the TF-IDF rows they sit beside."""

    mean: np.ndarray
    std: np.ndarray
    scale: float = 1.0

    @classmethod
    def fit(cls, X: np.ndarray, scale: float = 1.0) -> "Standardizer":
        X = np.asarray(X, dtype=np.float64)
        return cls(X.mean(axis=0), X.std(axis=0) + 1e-6, float(scale))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        return (X - self.mean) / self.std * (self.scale / np.sqrt(X.shape[-1]))


# --------------------------------------------------------------------------
# Frames: ridge over [TF-IDF, embedding] (dual solve)
# --------------------------------------------------------------------------


@dataclass
class DenseLexHead:
    """``z = x_lex·W_lex + std(e)·W_emb + b``, calibrated per label (sigmoid)."""

    task: str
    labels: list[str]
    vocab: Vocabulary
    W_lex: np.ndarray
    W_emb: np.ndarray
    b: np.ndarray
    std: Standardizer
    calib: np.ndarray
    thresholds: np.ndarray
    spec: EncoderSpec = field(default_factory=EncoderSpec.current)
    layers: tuple[int, ...] = LAYERS
    meta: dict[str, Any] = field(default_factory=dict)

    def logits(self, f: DocFeatures, vec: np.ndarray) -> np.ndarray:
        pos, vals = self.vocab.vector(f.ids, f.counts)
        z = vals @ self.W_lex[pos] if len(pos) else np.zeros(len(self.labels))
        return z + self.std(vec[None])[0] @ self.W_emb + self.b

    def proba(self, f: DocFeatures, vec: np.ndarray) -> np.ndarray:
        z = self.logits(f, vec)
        return sigmoid(z * self.calib[:, 0] + self.calib[:, 1])

    def predict(self, f: DocFeatures, vec: np.ndarray) -> dict[str, float]:
        p = self.proba(f, vec)
        return {self.labels[j]: float(p[j]) for j in np.flatnonzero(p >= self.thresholds)}

    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(d / WEIGHTS, ids=self.vocab.ids.astype(np.uint32), idf=self.vocab.idf.astype(np.float32),
                            W_lex=self.W_lex.astype(np.float16), W_emb=self.W_emb.astype(np.float32),
                            b=self.b.astype(np.float64), emb_mean=self.std.mean.astype(np.float32),
                            emb_std=self.std.std.astype(np.float32), calib=self.calib.astype(np.float64))
        meta = dict(self.meta, **meta, format=FORMAT, task=self.task, kind="dense-lex-sigmoid", labels=self.labels,
                    thresholds=[round(float(t), 6) for t in self.thresholds], embedding_scale=self.std.scale,
                    vocabulary_size=len(self.vocab), layers=list(self.layers), encoder=self.spec.to_meta())
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path, task: str | None = None) -> "DenseLexHead":
        d = Path(model_dir)
        meta = _read_checked(d, task, "dense-lex-sigmoid")
        spec = EncoderSpec.from_meta(meta.get("encoder") or {})
        spec.check_compatible(str(d))
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            layers = tuple(int(x) for x in meta["layers"])
            head = cls(str(meta["task"]), list(meta["labels"]),
                       Vocabulary(a["ids"].astype(np.int64), a["idf"].astype(np.float64)),
                       a["W_lex"].astype(np.float32), a["W_emb"].astype(np.float64), a["b"],
                       Standardizer(a["emb_mean"].astype(np.float64), a["emb_std"].astype(np.float64),
                                    float(meta["embedding_scale"])),
                       a["calib"], np.asarray(meta["thresholds"], dtype=np.float64), spec, layers, meta)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        _check_layers(d, spec, layers, head.W_emb.shape[0])
        return head


# --------------------------------------------------------------------------
# Narratives: a ridge head over pooled vectors, averaged with the fast model
# --------------------------------------------------------------------------


@dataclass
class NarrativesStack:
    """Narrative and subnarrative probabilities: ``w · fast + (1 − w) · σ(calib(std(v)·W + b))``, where ``v`` is
    the article's :func:`pooled_vector` and ``fast`` the calibrated probabilities of the fast narratives model
    (its labels: narratives first, then subnarratives); decoded as the fast tier decodes, with this model's
    thresholds."""

    fast: FramingModel
    fast_folder: Path | None  # where ``fast`` was loaded from (recorded relative to this model's folder)
    W: np.ndarray  # (D × (narratives + subnarratives))
    b: np.ndarray
    std: Standardizer
    calib: np.ndarray
    fast_weight: float
    decision: NarrativeDecision
    pooling: tuple[str, ...] = POOLINGS
    spec: EncoderSpec = field(default_factory=EncoderSpec.current)
    layers: tuple[int, ...] = LAYERS
    meta: dict[str, Any] = field(default_factory=dict)
    task: str = "narratives"

    def __post_init__(self) -> None:
        n = len(self.narrative_labels) + len(self.subnarrative_labels)
        if self.W.shape[1] != n or len(self.b) != n or len(self.calib) != n:
            raise ModelError("the narratives head does not match the labels of the fast model it is stacked on")

    @property
    def narrative_labels(self) -> list[str]:
        return self.fast.heads["narratives"].labels

    @property
    def subnarrative_labels(self) -> list[str]:
        return self.fast.heads["subnarratives"].labels

    def head_proba(self, vec: np.ndarray) -> np.ndarray:
        """The embedding head's calibrated probabilities (narratives, then subnarratives)."""
        z = self.std(np.asarray(vec)[None])[0] @ self.W + self.b
        return sigmoid(z * self.calib[:, 0] + self.calib[:, 1])

    def proba(self, f: DocFeatures, vec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(narrative probabilities, subnarrative probabilities)`` of the stack."""
        pn, ps = narratives_proba(self.fast, f)
        p = self.fast_weight * np.concatenate([pn, ps]) + (1.0 - self.fast_weight) * self.head_proba(vec)
        return p[:len(pn)], p[len(pn):]

    def decide(self, f: DocFeatures, vec: np.ndarray) -> list[tuple[str, float, list[tuple[str, float]]]]:
        """As :func:`~.doc.narratives_decide`: ``[(narrative, p, [(subnarrative, p), …]), …]``, empty for Other."""
        pn, ps = self.proba(f, vec)
        return decode_narratives(pn, ps, self.narrative_labels, self.subnarrative_labels, self.decision)

    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(d / WEIGHTS, W=self.W.astype(np.float32), b=self.b.astype(np.float64),
                            emb_mean=self.std.mean.astype(np.float32), emb_std=self.std.std.astype(np.float32),
                            calib=self.calib.astype(np.float64))
        meta = dict(self.meta, **meta, format=FORMAT, task=self.task, kind="narratives-stack",
                    labels=self.narrative_labels + self.subnarrative_labels, fast_weight=round(self.fast_weight, 6),
                    thresholds={"narrative": round(self.decision.t_narrative, 6),
                                "subnarrative": round(self.decision.t_sub, 6)},
                    embedding_scale=self.std.scale, pooling=list(self.pooling), layers=list(self.layers),
                    encoder=self.spec.to_meta(), stacked_on=stacked_reference(self.fast, self.fast_folder, d))
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path, task: str | None = None) -> "NarrativesStack":
        d = Path(model_dir)
        meta = _read_checked(d, task or "narratives", "narratives-stack")
        spec = EncoderSpec.from_meta(meta.get("encoder") or {})
        spec.check_compatible(str(d))
        fast, fast_folder = _stacked_fast_model(d, meta.get("stacked_on") or {})
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            layers = tuple(int(x) for x in meta["layers"])
            pooling = tuple(str(x) for x in meta["pooling"])
            th = meta["thresholds"]
            std = Standardizer(a["emb_mean"].astype(np.float64), a["emb_std"].astype(np.float64),
                               float(meta["embedding_scale"]))
            W = a["W"].astype(np.float64)
            labels = list(meta["labels"])
            fast_labels = fast.heads["narratives"].labels + fast.heads["subnarratives"].labels
            decision = NarrativeDecision(float(th["narrative"]), float(th["subnarrative"]))
            weight = float(meta["fast_weight"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        if labels != fast_labels:
            raise ModelError(f"{d}: its labels differ from those of the fast narratives model it is stacked on; "
                             "retrain it with `unspin train narratives --model accurate`")
        if not set(pooling) <= set(POOLINGS):
            raise ModelError(f"{d}: unknown pooling in meta.json: {list(pooling)}")
        _check_layers(d, spec, layers, W.shape[0] // max(1, len(pooling)))
        try:
            return cls(fast, fast_folder, W, a["b"], std, a["calib"], weight, decision, pooling, spec, layers, meta)
        except ModelError as exc:
            raise ModelError(f"{d}: {exc}") from None


def stacked_reference(fast: FramingModel, fast_folder: Path | None, model_dir: Path) -> dict[str, Any]:
    """What a model saved in ``model_dir`` records of the fast model it is stacked on (loaded from
    ``fast_folder``): that folder, relative to ``model_dir``, and the SHA-256 of its files."""
    files = fast.meta.get("files") or {}
    if fast_folder is None or not files:
        raise ModelError("the fast narratives model to stack on must be loaded from its folder")
    try:
        rel = os.path.relpath(Path(fast_folder).resolve(), Path(model_dir).resolve())
    except ValueError:  # another drive
        rel = str(Path(fast_folder).resolve())
    return {"model": "narratives-fast", "folder": Path(rel).as_posix(), "files": dict(files)}


def _stacked_fast_model(d: Path, ref: dict[str, Any]) -> tuple[FramingModel, Path]:
    """The fast narratives model ``ref`` names (its folder, relative to ``d``), if its files are the ones
    recorded when the stacked model was trained."""
    folder = (d / str(ref.get("folder", "../narratives-fast"))).resolve()
    if not (folder / artifact.META).is_file():
        raise ModelError(f"{d}: stacked on the fast narratives model in {folder}, which is missing")
    fast = models.load(folder, FramingModel.load, "narratives")
    if (fast.meta.get("files") or {}) != ref.get("files"):
        raise ModelError(f"{d}: stacked on another fast narratives model than the one in {folder} (its files' "
                         "SHA-256 differ); retrain it with `unspin train narratives --model accurate`")
    return fast, folder


def _read_checked(d: Path, task: str | None, kind: str) -> dict[str, Any]:
    return models.read(d, FORMAT, task=task, kind=kind, what=f"accurate {task or 'framing'} model").raw


def _check_layers(d: Path, spec: EncoderSpec, layers: tuple[int, ...], rows: int) -> None:
    if not set(layers) <= set(spec.layers) or rows != spec.hidden_size * len(layers):
        raise ModelError(f"{d}: the weights do not match the encoder layers in meta.json")


# --------------------------------------------------------------------------
# Loading and training entry points
# --------------------------------------------------------------------------


def load(task: str, path: str | Path | None = None):
    """The accurate model of ``task`` from its packaged folder or ``path`` (not cached: see
    :func:`unspin.models.load`)."""
    return load_folder(Path(path) if path else model_dir(task), task)


def load_folder(d: Path, task: str):
    """The accurate model of ``task`` in folder ``d``."""
    if task == "frames":
        return DenseLexHead.load(d, task)
    if task == "narratives":
        return NarrativesStack.load(d, task)
    raise ModelError(f"no accurate {task} model exists (the fast tier serves it)")


__all__ = ["ACCURATE_TASKS", "POOLINGS", "DenseLexHead", "NarrativesStack", "article_vector", "load", "load_folder",
           "paragraph_spans", "pooled_vector"]
