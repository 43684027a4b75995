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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..techniques import artifact
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
        meta = artifact.read_meta(d)
        if meta.get("format") != FORMAT or (task is not None and meta.get("task") != task):
            raise ModelError(f"{d / artifact.META}: not an unspin {task or 'framing'} model "
                             f"(format {meta.get('format')!r}, task {meta.get('task')!r})")
        artifact.verify(d, meta)
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


def fit_sigmoid(X, Y: np.ndarray, l2: float = 1.0, pos_weight: float = 1.0, max_iter: int = 300
                ) -> tuple[np.ndarray, np.ndarray]:
    """Independent logistic regressions (one per column of ``Y``)."""
    from ..techniques.linear import Block, fit_blocks

    (W,), b = fit_blocks([Block(X)], Y, l2=l2, pos_weight=pos_weight, max_iter=max_iter)
    return W, b


def fit_softmax(X, y: np.ndarray, n_classes: int, sample_weight: np.ndarray | None = None, l2: float = 1.0,
                max_iter: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with per-example weights (L-BFGS)."""
    from scipy.optimize import minimize

    n, V = X.shape
    L = n_classes
    Y = np.zeros((n, L))
    Y[np.arange(n), y] = 1.0
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    Xt = X.T.tocsr()

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W = theta[: V * L].reshape(V, L)
        b = theta[V * L:]
        z = X @ W + b
        z -= z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        loss = float((w * (lse - (z * Y).sum(axis=1))).sum()) + 0.5 * l2 * float((W * W).sum())
        p = np.exp(z - lse[:, None])
        r = (p - Y) * w[:, None]
        gW = Xt @ r + l2 * W
        return loss, np.concatenate([gW.ravel(), r.sum(axis=0)])

    theta0 = np.zeros(V * L + L)
    res = minimize(fun, theta0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    return res.x[: V * L].reshape(V, L), res.x[V * L:]


def fit_platt_columns(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Platt scaling per column of out-of-fold logits (``L × 2``; a label never
    seen gets a bias of -6: practically never predicted)."""
    from ..techniques.linear import fit_calibration_columns

    return fit_calibration_columns(Z[:, :, None], Y)


def fit_softmax_calibration(Z: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Temperature and per-class offsets on out-of-fold logits (weighted NLL)."""
    from scipy.optimize import minimize

    n, L = Z.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

    def fun(p: np.ndarray) -> tuple[float, np.ndarray]:
        a, c = p[0], p[1:]
        s = a * Z + c
        s = s - s.max(axis=1, keepdims=True)
        lse = np.log(np.exp(s).sum(axis=1))
        ll = lse - s[np.arange(n), y]
        prob = np.exp(s - lse[:, None])
        r = prob.copy()
        r[np.arange(n), y] -= 1.0
        r *= w[:, None]
        reg = 0.01 * float((c * c).sum())
        return float((w * ll).sum()) + reg, np.concatenate([[float((r * Z).sum())], r.sum(axis=0) + 0.02 * c])

    res = minimize(fun, np.concatenate([[1.0], np.zeros(L)]), jac=True, method="L-BFGS-B",
                   bounds=[(1e-3, 100.0)] + [(None, None)] * L)
    out = np.zeros((L, 2))
    out[:, 0] = res.x[0]
    out[:, 1] = res.x[1:]
    return out


def best_threshold(scores: np.ndarray, gold: np.ndarray, grid: np.ndarray | None = None) -> float:
    """The threshold on ``scores`` maximising F1 of one label (ties: the lowest)."""
    grid = np.linspace(0.05, 0.95, 91) if grid is None else grid
    best, best_f = 0.5, -1.0
    for t in grid:
        p = scores >= t
        tp = float((p & (gold > 0)).sum())
        fp = float((p & (gold == 0)).sum())
        fn = float((~p & (gold > 0)).sum())
        f = 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0
        if f > best_f + 1e-12:
            best, best_f = float(t), f
    return best


def kfold(n: int, k: int, seed: int, strata: list | None = None, groups: list | None = None) -> list[np.ndarray]:
    """Fold index of each item (as ``k`` arrays of test indices), seeded; with
    ``groups`` all items of a group share a fold; with ``strata`` each stratum
    is spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    if groups is not None:
        uniq = sorted(set(groups))
        perm = rng.permutation(len(uniq))
        fold_of = {uniq[i]: r % k for r, i in enumerate(perm)}
        assign = np.array([fold_of[g] for g in groups])
    elif strata is not None:
        assign = np.zeros(n, dtype=int)
        start = 0
        for s in sorted(set(strata), key=str):
            idx = np.array([i for i in range(n) if strata[i] == s])
            idx = idx[rng.permutation(len(idx))]
            for r, i in enumerate(idx):
                assign[i] = (start + r) % k
            start += len(idx)
    else:
        assign = rng.permutation(n) % k
    return [np.flatnonzero(assign == f) for f in range(k)]


def model_meta_json(meta: dict[str, Any]) -> str:
    return json.dumps(meta, indent=2, ensure_ascii=False)


def fit_ridge(X, Y: np.ndarray, lam: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression on ±1 targets, solved in the dual (``n × n``): as
    fast for a hundred labels as for one. Scores are then Platt-scaled."""
    T = np.where(Y > 0, 1.0, -1.0)
    b = T.mean(axis=0)
    K = (X @ X.T).toarray() if hasattr(X, "toarray") else X @ X.T
    A = np.linalg.solve(K + lam * np.eye(K.shape[0]), T - b)
    W = np.asarray(X.T @ A)
    return W, b
