"""Training the fast (lexical) framing models: frames and narratives.

Inference for these models lives in :mod:`unspin.framing.doc`; this module
only fits them: vocabularies, out-of-fold logits, thresholds and decision
rules chosen on inner folds.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

import numpy as np

from ..framing.doc import OTHER, NarrativeDecision, decode_narratives
from ..framing.features import DocFeatures, Vocabulary, doc_features
from ..framing.metrics import samples_f1
from ..framing.model import FramingModel, Head
from .folds import kfold
from .framing_fit import fit_platt_columns, fit_ridge, fit_sigmoid

logger = logging.getLogger(__name__)



def featurize(texts: Sequence[str]) -> list[DocFeatures]:
    return [doc_features(t) for t in texts]


def _vocab(feats: Sequence[DocFeatures], min_df: int) -> Vocabulary:
    return Vocabulary.fit([f.ids for f in feats], min_df=min_df)


def _matrix(vocab: Vocabulary, feats: Sequence[DocFeatures]):
    return vocab.matrix([(f.ids, f.counts) for f in feats])


def oof_logits(feats: Sequence[DocFeatures], fit: Callable, n_out: int, folds: int, seed: int, min_df: int,
               strata: list | None = None, extra: Sequence[DocFeatures] = ()) -> np.ndarray:
    """Out-of-fold logits of ``feats``: ``fit(X, idx) -> (W, b)`` on each training part.

    ``extra`` articles join every training part and are never scored; ``fit`` sees them as the indices
    ``len(feats)``, ``len(feats) + 1``, ….
    """
    Z = np.zeros((len(feats), n_out))
    tail = np.arange(len(feats), len(feats) + len(extra))
    for test in kfold(len(feats), folds, seed, strata=strata):
        train = np.setdiff1d(np.arange(len(feats)), test)
        rows = [*(feats[i] for i in train), *extra]
        vocab = _vocab(rows, min_df)
        W, b = fit(_matrix(vocab, rows), np.concatenate([train, tail]))
        Z[test] = _matrix(vocab, [feats[i] for i in test]) @ W + b
    return Z


FRAMES_DEFAULTS: dict[str, Any] = {"l2": 3.0, "min_df": 2, "inner_folds": 5, "solver": "ridge"}


def _label_matrix(sets: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    index = {lab: j for j, lab in enumerate(labels)}
    Y = np.zeros((len(sets), len(labels)))
    for i, s in enumerate(sets):
        for lab in s:
            if lab in index:
                Y[i, index[lab]] = 1.0
    return Y


def micro_thresholds(P: np.ndarray, Y: np.ndarray, passes: int = 3) -> np.ndarray:
    """Per-label thresholds maximising the pooled micro-F1 (coordinate ascent)."""
    grid = np.linspace(0.05, 0.9, 86)
    L = P.shape[1]
    t = np.full(L, 0.5)
    pred = P >= t
    tp = float((pred & (Y > 0)).sum())
    fp = float((pred & (Y == 0)).sum())
    fn = float((~pred & (Y > 0)).sum())
    for _ in range(passes):
        for j in range(L):
            pj = P[:, j] >= t[j]
            yj = Y[:, j] > 0
            tp0, fp0, fn0 = tp - (pj & yj).sum(), fp - (pj & ~yj).sum(), fn - (~pj & yj).sum()
            best_t, best_f = t[j], -1.0
            for g in grid:
                q = P[:, j] >= g
                a, bb, c = tp0 + (q & yj).sum(), fp0 + (q & ~yj).sum(), fn0 + (~q & yj).sum()
                f = 2 * a / (2 * a + bb + c) if a > 0 else 0.0
                if f > best_f + 1e-12:
                    best_t, best_f = g, f
            t[j] = best_t
            q = P[:, j] >= t[j]
            tp, fp, fn = tp0 + (q & yj).sum(), fp0 + (q & ~yj).sum(), fn0 + (~q & yj).sum()
    return t


def train_frames(feats: Sequence[DocFeatures], label_sets: Sequence[Sequence[str]], labels: Sequence[str],
                 seed: int = 13, l2: float = 0.3, min_df: int = 2, inner_folds: int = 5, tune: bool = True,
                 max_iter: int = 150, solver: str = "logistic") -> FramingModel:
    Y = _label_matrix(label_sets, labels)

    def fit(X, idx):
        if solver == "ridge":
            return fit_ridge(X, Y[idx], lam=l2)
        return fit_sigmoid(X, Y[idx], l2=l2, max_iter=max_iter)

    if tune:
        Z = oof_logits(feats, fit, len(labels), inner_folds, seed, min_df)
        calib = fit_platt_columns(Z, Y)
        P = 1 / (1 + np.exp(-(Z * calib[:, 0] + calib[:, 1])))
        thresholds = micro_thresholds(P, Y)
    else:
        calib = np.column_stack([np.ones(len(labels)), np.zeros(len(labels))])
        thresholds = np.full(len(labels), 0.5)
    vocab = _vocab(feats, min_df)
    W, b = fit(_matrix(vocab, feats), np.arange(len(feats)))
    logger.info(f"frames: {len(vocab)} features")
    return FramingModel("frames", vocab, {"frames": Head("sigmoid", list(labels), W, b, calib, thresholds)})


NARRATIVES_DEFAULTS: dict[str, Any] = {"l2": 1.0, "min_df": 2, "inner_folds": 5, "solver": "ridge"}


def narrative_sets(decoded: list[tuple[str, float, list[tuple[str, float]]]]) -> tuple[list[str], list[str]]:
    if not decoded:
        return [OTHER], [OTHER]
    return [n for n, _, _ in decoded], [s for _, _, subs in decoded for s, _ in subs]


def choose_narrative_decision(PN: np.ndarray, PS: np.ndarray, narr_labels: Sequence[str], sub_labels: Sequence[str],
                              gold_n: Sequence[Sequence[str]], gold_s: Sequence[Sequence[str]]) -> NarrativeDecision:

    best, best_score = NarrativeDecision(0.5, 0.5), -1.0
    for tn in np.linspace(0.1, 0.7, 25):
        for ts in np.linspace(0.1, 0.7, 13):
            d = NarrativeDecision(float(tn), float(ts))
            pred = [narrative_sets(decode_narratives(PN[i], PS[i], narr_labels, sub_labels, d)) for i in range(len(PN))]
            score = samples_f1(gold_n, [p[0] for p in pred]) + samples_f1(gold_s, [p[1] for p in pred])
            if score > best_score + 1e-12:
                best, best_score = d, score
    return best


def train_narratives(feats: Sequence[DocFeatures], gold_n: Sequence[Sequence[str]], gold_s: Sequence[Sequence[str]],
                     seed: int = 13, l2: float = 1.0, min_df: int = 3, inner_folds: int = 5, tune: bool = True,
                     max_iter: int = 100, solver: str = "ridge",
                     negatives: Sequence[DocFeatures] = ()) -> FramingModel:
    """The fast narratives model. ``negatives`` are off-topic articles that carry none of the narratives:
    they join every fit as ``Other`` (so that words of other topics weigh against every narrative), while
    calibration and the decision thresholds are chosen on the annotated articles' out-of-fold scores only."""
    narr_labels = sorted({n for s in gold_n for n in s if n != OTHER})
    sub_labels = sorted({n for s in gold_s for n in s if n != OTHER})
    YN, YS = _label_matrix(gold_n, narr_labels), _label_matrix(gold_s, sub_labels)
    Y = np.hstack([YN, YS])
    L = len(narr_labels)
    Y_fit = np.vstack([Y, np.zeros((len(negatives), Y.shape[1]))])

    def fit(X, idx):
        if solver == "ridge":
            return fit_ridge(X, Y_fit[idx], lam=l2)
        return fit_sigmoid(X, Y_fit[idx], l2=l2, max_iter=max_iter)

    if tune:
        Z = oof_logits(feats, fit, Y.shape[1], inner_folds, seed, min_df, extra=negatives)
        calib = fit_platt_columns(Z, Y)
        P = 1 / (1 + np.exp(-(Z * calib[:, 0] + calib[:, 1])))
        d = choose_narrative_decision(P[:, :L], P[:, L:], narr_labels, sub_labels, gold_n, gold_s)
    else:
        calib = np.column_stack([np.ones(Y.shape[1]), np.zeros(Y.shape[1])])
        d = NarrativeDecision(0.5, 0.5)
    rows = [*feats, *negatives]
    vocab = _vocab(rows, min_df)
    W, b = fit(_matrix(vocab, rows), np.arange(len(rows)))
    heads = {
        "narratives": Head("sigmoid", narr_labels, W[:, :L], b[:L], calib[:L], np.full(L, d.t_narrative)),
        "subnarratives": Head("sigmoid", sub_labels, W[:, L:], b[L:], calib[L:], np.full(len(sub_labels), d.t_sub)),
    }
    logger.info(f"narratives: {len(vocab)} features, thresholds {d.t_narrative:.3f} / {d.t_sub:.3f}")
    return FramingModel("narratives", vocab, heads)
