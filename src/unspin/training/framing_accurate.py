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
    DenseLexHead,
    Standardizer,
    article_vector,
)
from ..framing.features import DocFeatures
from ..framing.model import sigmoid
from ..neural.shared import encode
from .folds import kfold
from .framing_fit import fit_platt_columns
from .framing_lexical import _label_matrix, _matrix, _vocab, micro_thresholds

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


def article_vectors(texts: Sequence[str], layers: Sequence[int] = LAYERS) -> np.ndarray:
    """The shared pass over each text (the training command runs the encoder
    itself), reduced to :func:`article_vector`."""

    out = []
    t0 = time.perf_counter()
    for i, t in enumerate(texts):
        out.append(article_vector(encode(t), layers))
        if (i + 1) % 100 == 0 or i + 1 == len(texts):
            logger.info(f"encoded {i + 1}/{len(texts)} articles ({time.perf_counter() - t0:.0f} s)")
    return np.array(out)
