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
    GenreAccurate,
    SoftmaxMember,
    Standardizer,
    article_vector,
    installed_techniques_head,
)
from ..framing.features import DocFeatures
from ..framing.labels import GENRES
from ..framing.model import FramingModel, sigmoid
from ..neural.shared import encode
from ..techniques.accurate import default_model_dir, load_default, load_profiles
from .folds import kfold
from .framing_fit import fit_platt_columns, fit_softmax, fit_softmax_calibration
from .framing_lexical import _label_matrix, _matrix, _vocab, balanced_weights, micro_thresholds, train_genre

logger = logging.getLogger(__name__)

GENRE_ACCURATE_DEFAULTS: dict[str, Any] = {"l2": 100.0, "techniques_l2": 10.0, "inner_folds": 5,
                                           "layers": list(LAYERS), "fast": {"l2": 1.0, "min_df": 2, "inner_folds": 5}}


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


def fit_softmax_member(X: np.ndarray, y: np.ndarray, K: int, l2: float, inner_folds: int = 5,
                       seed: int = 13) -> SoftmaxMember:
    """Class-balanced softmax over standardised ``X`` (unit-variance columns),
    calibrated on ``inner_folds`` out-of-fold logits (stratified by class)."""
    from scipy.sparse import csr_matrix


    X = np.asarray(X, dtype=np.float64)
    n, dim = X.shape

    def fit(idx: np.ndarray) -> tuple[Standardizer, np.ndarray, np.ndarray]:
        std = Standardizer.fit(X[idx], float(np.sqrt(dim)))
        W, b = fit_softmax(csr_matrix(std(X[idx])), y[idx], K, balanced_weights(y[idx], K), l2=l2)
        return std, W, b

    Z = np.zeros((n, K))
    for test in kfold(n, inner_folds, seed, strata=list(y)):
        std, W, b = fit(np.setdiff1d(np.arange(n), test))
        Z[test] = std(X[test]) @ W + b
    calib = fit_softmax_calibration(Z, y, balanced_weights(y, K))
    std, W, b = fit(np.arange(n))
    return SoftmaxMember(W, b, calib, std)


def train_genre_accurate(feats: Sequence[DocFeatures], vecs: np.ndarray, labels: Sequence[str], seed: int = 13,
                         l2: float = 100.0, inner_folds: int = 5, layers: Sequence[int] = LAYERS,
                         fast: dict[str, Any] | None = None, fast_model: FramingModel | None = None,
                         profiles: np.ndarray | None = None, techniques_l2: float | None = 10.0,
                         stacked_on: dict[str, str] | None = None) -> GenreAccurate:
    """The fast genre model (or ``fast_model`` when already trained on the same
    articles), the embedding head and, given ``profiles`` (out-of-sample
    technique profiles of the same articles) and ``techniques_l2``, the
    technique-profile head; each calibrated out of fold."""

    y = np.array([GENRES.index(g) for g in labels])
    emb = fit_softmax_member(vecs, y, len(GENRES), l2, inner_folds, seed)
    tech = None
    if profiles is not None and techniques_l2 is not None:
        tech = fit_softmax_member(profiles, y, len(GENRES), techniques_l2, inner_folds, seed)
    if fast_model is None:
        fast_model = train_genre(feats, labels, seed=seed, **(fast or GENRE_ACCURATE_DEFAULTS["fast"]))
    logger.info(f"genre (accurate): embedding head over {emb.W.shape[0]} dimensions (temperature {emb.calib[0, 0]:.3f})"
        + (f", technique-profile head over {tech.W.shape[0]} (temperature {tech.calib[0, 0]:.3f})" if tech else ""))
    return GenreAccurate(fast_model, emb, tech, stacked_on if tech else None, layers=tuple(int(x) for x in layers))


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


def training_profiles(ids: Sequence[str], texts: Sequence[str]
                      ) -> tuple[np.ndarray, dict[str, str]]:
    """Out-of-sample technique profiles of training articles, for the genre
    head stacked on the accurate techniques model: an article the techniques
    model was trained on takes its out-of-fold profile (``oof-profiles.npz``,
    written by ``unspin train techniques``); any other article is profiled by
    the installed model, which never saw it."""

    oof = load_profiles(default_model_dir())
    model = load_default()
    out, fresh = [], 0
    for i, text in zip(ids, texts, strict=True):
        if i in oof:
            out.append(oof[i])
        else:  # a few articles: their own encoder pass
            out.append(model.profile(text))
            fresh += 1
    logger.info(f"technique profiles: {len(ids) - fresh} out of fold, {fresh} from the installed model (unseen articles)")
    return np.array(out), installed_techniques_head()
