"""Training the accurate framing heads over the shared encoder pass.

Inference lives in :mod:`unspin.framing.accurate`; this module encodes the
training texts, fits the heads and their calibration on inner folds.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Sequence

import numpy as np

from ..framing.accurate import (
    LAYERS,
    POOLINGS,
    DenseLexHead,
    NarrativesStack,
    Standardizer,
    pooled_vector,
)
from ..framing.doc import decode_narratives
from ..framing.features import DocFeatures
from ..framing.metrics import samples_f1
from ..framing.model import FramingModel, sigmoid
from ..neural.shared import encode
from .folds import kfold
from .framing_fit import fit_platt_columns, fit_ridge
from .framing_lexical import (
    _label_matrix,
    _matrix,
    _vocab,
    choose_narrative_decision,
    micro_thresholds,
    narrative_sets,
    oof_logits,
)

logger = logging.getLogger(__name__)

FRAMES_ACCURATE_DEFAULTS: dict[str, Any] = {"l2": 2.0, "embedding_weight": 1.0, "min_df": 2, "inner_folds": 5,
                                            "layers": list(LAYERS)}



def _ridge_dual(K: np.ndarray, Y: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    T = np.where(Y > 0, 1.0, -1.0)
    b = T.mean(axis=0)
    return np.linalg.solve(K + lam * np.eye(K.shape[0]), T - b), b


def _lex(feats: Sequence[DocFeatures], min_df: int):

    vocab = _vocab(feats, min_df)
    return vocab, _matrix(vocab, feats)


def train_frames_accurate(feats: Sequence[DocFeatures], vecs: np.ndarray, label_sets: Sequence[Sequence[str]],
                          labels: Sequence[str], seed: int = 13, l2: float = 2.0, embedding_weight: float = 1.0,
                          min_df: int = 2, inner_folds: int = 5, layers: Sequence[int] = LAYERS) -> DenseLexHead:
    """Ridge per frame over the TF-IDF and the standardised article vector."""

    vecs = np.asarray(vecs, dtype=np.float64)
    Y = _label_matrix(label_sets, labels)
    scale = float(np.sqrt(embedding_weight))
    n = len(feats)

    def fit(idx: np.ndarray):
        vocab, X = _lex([feats[i] for i in idx], min_df)
        std = Standardizer.fit(vecs[idx], scale)
        E = std(vecs[idx])
        A, b = _ridge_dual((X @ X.T).toarray() + E @ E.T, Y[idx], l2)
        return vocab, np.asarray(X.T @ A), E.T @ A, b, std

    Z = np.zeros((n, len(labels)))
    for test in kfold(n, inner_folds, seed):
        train = np.setdiff1d(np.arange(n), test)
        vocab, Wl, We, b, std = fit(train)
        Z[test] = _matrix(vocab, [feats[i] for i in test]) @ Wl + std(vecs[test]) @ We + b
    calib = fit_platt_columns(Z, Y)
    thresholds = micro_thresholds(sigmoid(Z * calib[:, 0] + calib[:, 1]), Y)
    vocab, Wl, We, b, std = fit(np.arange(n))
    logger.info(f"frames (accurate): {len(vocab)} lexical features + {vecs.shape[1]} embedding dimensions")
    return DenseLexHead("frames", list(labels), vocab, Wl, We, b, std, calib, thresholds,
                        layers=tuple(int(x) for x in layers))


NARRATIVES_ACCURATE_DEFAULTS: dict[str, Any] = {"l2": 1.0, "embedding_weight": 1.0, "inner_folds": 5,
                                                "fast_weights": [0.3, 0.5, 0.7, 0.85], "pooling": list(POOLINGS),
                                                "layers": list(LAYERS)}


def _platt_proba(Z: np.ndarray, calib: np.ndarray) -> np.ndarray:
    return sigmoid(Z * calib[:, 0] + calib[:, 1])


def train_narratives_accurate(feats: Sequence[DocFeatures], vecs: np.ndarray, gold_n: Sequence[Sequence[str]],
                              gold_s: Sequence[Sequence[str]], fast: FramingModel, fast_folder, seed: int = 13,
                              l2: float = 1.0, embedding_weight: float = 1.0, inner_folds: int = 5,
                              fast_weights: Sequence[float] = (0.3, 0.5, 0.7, 0.85),
                              pooling: Sequence[str] = POOLINGS, layers: Sequence[int] = LAYERS,
                              fast_params: dict[str, Any] | None = None) -> NarrativesStack:
    """The narratives stack over ``fast`` (the fast model fitted on the same articles with ``fast_params``, loaded
    from ``fast_folder``): a ridge head per label over the standardised pooled vectors ``vecs``, Platt-scaled on
    inner out-of-fold scores; the fast model's weight in the average and the two thresholds chosen together on
    the inner out-of-fold samples-F1 (narratives plus subnarratives), as the fast model chooses its thresholds."""
    fp = dict(fast_params or {})
    vecs = np.asarray(vecs, dtype=np.float64)
    nl, sl = fast.heads["narratives"].labels, fast.heads["subnarratives"].labels
    Y = np.hstack([_label_matrix(gold_n, nl), _label_matrix(gold_s, sl)])
    n, L = len(feats), len(nl)
    scale = float(np.sqrt(embedding_weight * len(pooling)))
    # the fast model's own out-of-fold probabilities (the folds and fit of framing_lexical.train_narratives)
    Zf = oof_logits(feats, lambda X, idx: fit_ridge(X, Y[idx], lam=float(fp.get("l2", 1.0))), Y.shape[1],
                    int(fp.get("inner_folds", inner_folds)), seed, int(fp.get("min_df", 2)))
    Pf = _platt_proba(Zf, fit_platt_columns(Zf, Y))

    def fit(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, Standardizer]:
        std = Standardizer.fit(vecs[idx], scale)
        W, b = fit_ridge(std(vecs[idx]), Y[idx], lam=l2)
        return W, b, std

    Ze = np.zeros_like(Zf)
    for test in kfold(n, inner_folds, seed):
        W, b, std = fit(np.setdiff1d(np.arange(n), test))
        Ze[test] = std(vecs[test]) @ W + b
    calib = fit_platt_columns(Ze, Y)
    Pe = _platt_proba(Ze, calib)
    best: tuple[float, float, Any] | None = None
    for w in fast_weights:
        P = w * Pf + (1 - w) * Pe
        d = choose_narrative_decision(P[:, :L], P[:, L:], nl, sl, gold_n, gold_s)
        pred = [narrative_sets(decode_narratives(P[i, :L], P[i, L:], nl, sl, d)) for i in range(n)]
        score = samples_f1(gold_n, [p[0] for p in pred]) + samples_f1(gold_s, [p[1] for p in pred])
        logger.info(f"narratives (accurate): fast weight {w}: inner out-of-fold samples-F1 sum {score:.4f}")
        if best is None or score > best[0] + 1e-12:
            best = (score, float(w), d)
    assert best is not None
    _, w, d = best
    W, b, std = fit(np.arange(n))
    logger.info(f"narratives (accurate): fast weight {w}, thresholds {d.t_narrative:.3f} / {d.t_sub:.3f}")
    return NarrativesStack(fast, fast_folder, W, b, std, calib, w, d, tuple(pooling),
                           layers=tuple(int(x) for x in layers),
                           meta={"inner_choice": {"fast_weight": w, "samples_f1_sum": round(best[0], 4)}})


def article_vectors(texts: Sequence[str], layers: Sequence[int] = LAYERS,
                    pooling: Sequence[str] = ("mean",)) -> np.ndarray:
    """The shared pass over each text (the training command runs the encoder
    itself), reduced to :func:`~unspin.framing.accurate.pooled_vector`."""

    out = []
    t0 = time.perf_counter()
    for i, t in enumerate(texts):
        out.append(pooled_vector(encode(t), pooling, layers))
        if (i + 1) % 100 == 0 or i + 1 == len(texts):
            logger.info(f"encoded {i + 1}/{len(texts)} articles ({time.perf_counter() - t0:.0f} s)")
    return np.array(out)
