"""Linear heads over hashed TF-IDF features, saved as checksummed artifacts.

A :class:`FramingModel` is one :class:`~.features.Vocabulary` and one or more
:class:`Head`\\ s (narratives: a narrative head and a subnarrative head;
roles: a main-role head, a fine-role head and a "framed or not" head). A
head is ``z = x·W + b`` followed by its calibration:

* ``sigmoid`` heads (multi-label): Platt scaling per label, ``p = σ(a z + c)``,
  and one decision threshold per label (or a shared one), all fitted on
  out-of-fold logits;
* ``softmax`` heads (one label): a temperature and per-class offsets fitted
  on out-of-fold logits; the class weights of training decide which label
  mix the probabilities assume (the genre head: all classes equally likely).

Inference is numpy only. Training (:func:`fit_sigmoid`, :func:`fit_softmax`)
needs scipy; the multi-label fit and Platt scaling reuse
:mod:`unspin.techniques.linear`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import models
from ..errors import ModelError
from ..models import artifact
from .features import Vocabulary

WEIGHTS = "weights.npz"
FORMAT = "unspin-framing-linear/1"


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class Head:
    kind: str  # "sigmoid" | "softmax"
    labels: list[str]
    W: np.ndarray  # (V × L)
    b: np.ndarray  # (L,)
    calib: np.ndarray  # (L × 2): sigmoid: a, c per label; softmax: temperature (col 0), offsets (col 1)
    thresholds: np.ndarray | None = None  # sigmoid heads: (L,)
    extra: dict[str, Any] = field(default_factory=dict)

    def logits(self, pos: np.ndarray, vals: np.ndarray) -> np.ndarray:
        return vals @ self.W[pos] + self.b if len(pos) else self.b.astype(np.float64).copy()

    def proba_from_logits(self, z: np.ndarray) -> np.ndarray:
        if self.kind == "sigmoid":
            return sigmoid(z * self.calib[:, 0] + self.calib[:, 1])
        return softmax(z * self.calib[:, 0] + self.calib[:, 1])

    def proba(self, pos: np.ndarray, vals: np.ndarray) -> np.ndarray:
        return self.proba_from_logits(self.logits(pos, vals))


@dataclass
class FramingModel:
    task: str
    vocab: Vocabulary
    heads: dict[str, Head]
    log_tf: bool = True
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"ids": self.vocab.ids.astype(np.uint32), "idf": self.vocab.idf.astype(np.float32)}
        heads_meta = {}
        for name, h in self.heads.items():
            arrays[f"{name}.W"] = h.W.astype(np.float16)
            arrays[f"{name}.b"] = h.b.astype(np.float32)
            arrays[f"{name}.calib"] = h.calib.astype(np.float64)
            heads_meta[name] = {"kind": h.kind, "labels": h.labels,
                                "thresholds": None if h.thresholds is None else [round(float(t), 6) for t in h.thresholds],
                                **h.extra}
        np.savez_compressed(d / WEIGHTS, **arrays)
        meta = dict(self.meta, **meta, format=FORMAT, task=self.task, log_tf=self.log_tf, vocabulary_size=len(self.vocab),
                    heads=heads_meta)
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path, task: str | None = None) -> "FramingModel":
        d = Path(model_dir)
        meta = models.read(d, FORMAT, task=task, what=f"{task or 'framing'} model").raw
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            vocab = Vocabulary(arrays["ids"].astype(np.int64), arrays["idf"].astype(np.float64))
            heads = {}
            for name, hm in meta["heads"].items():
                th = hm.get("thresholds")
                extra = {k: v for k, v in hm.items() if k not in ("kind", "labels", "thresholds")}
                heads[name] = Head(hm["kind"], list(hm["labels"]), arrays[f"{name}.W"].astype(np.float32),
                                   arrays[f"{name}.b"].astype(np.float64), arrays[f"{name}.calib"],
                                   None if th is None else np.asarray(th, dtype=np.float64), extra)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        return cls(str(meta["task"]), vocab, heads, bool(meta.get("log_tf", True)), meta)


# --------------------------------------------------------------------------
# Training (scipy)
# --------------------------------------------------------------------------


