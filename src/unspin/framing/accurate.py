"""The accurate tier of the framing models: a head over the shared MiniLM pass.

The shared encoder pass (:mod:`unspin.neural.shared`, all-MiniLM-L6-v2,
layers 3 and 4, computed once per article by the pipeline) gives every word
piece a 768-dimensional vector. The **frames** head (article level) reads the
mean piece vector of the article, standardised, next to the fast tier's
hashed word/bigram TF-IDF vector: one ridge classifier per frame over both
(solved in the dual: the kernel is the sum of the TF-IDF and the embedding
linear kernels), Platt-scaled on out-of-fold scores, per-frame thresholds on
out-of-fold micro-F1, exactly like the fast tier otherwise.

Genre and roles have one model for both tiers (:mod:`.genre`,
:mod:`.treatment`). Narratives have no accurate head: article vectors did not beat the fast tier
in cross-validation (see ``docs/framing-eval.md``); its analyzer uses the
fast model whatever the tier.

Inference is numpy only. Artifacts: ``weights.npz`` + ``meta.json`` (SHA-256
of the weights, :mod:`unspin.techniques.artifact`) with the
:class:`~unspin.neural.shared.EncoderSpec` they were trained on; loading
refuses a changed file or an incompatible encoder (:class:`ModelError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import models
from ..errors import ModelError
from ..models import artifact
from ..neural.shared import SHARED_LAYERS, EncodedText, EncoderSpec
from .features import DocFeatures, Vocabulary
from .model import sigmoid

WEIGHTS = "weights.npz"
FORMAT = "unspin-framing-accurate/1"
LAYERS: tuple[int, ...] = SHARED_LAYERS
#: tasks with a shipped accurate head (genre and roles: one model for both tiers, :mod:`.genre`, :mod:`.treatment`)
ACCURATE_TASKS = ("frames",)


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
    spec: EncoderSpec = field(default_factory=EncoderSpec)
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
    raise ModelError(f"no accurate {task} model exists (the fast tier serves it)")


__all__ = ["ACCURATE_TASKS", "DenseLexHead", "article_vector", "load", "load_folder"]
