"""Cross-validated evaluation of the framing models, with simple baselines.

Protocol (every task): 5 folds split by article, seeded. For each
fold the model is trained on the other four exactly as ``unspin train``
trains the shipped model (its calibration and thresholds come from an inner
out-of-fold split of those four folds only) and predicts the held-out fold;
the official metric is computed on the pooled held-out predictions, and its
spread over the five folds is reported too. Frames and narratives run it
over the training part of the forward split (:mod:`.framing_forward`); genre
and roles have their own protocols (:mod:`.genre_signals`,
:mod:`.roles_treatment`).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Sequence

import numpy as np

from ..datasets.framing import LabelledDoc
from ..framing import doc as D
from ..framing.metrics import micro_f1, samples_f1
from . import framing_lexical as FL
from .folds import kfold
from .framing_accurate import train_frames_accurate, train_narratives_accurate

logger = logging.getLogger(__name__)


def _summary(values: list[float]) -> dict[str, float]:
    a = np.array(values)
    return {"mean": round(float(a.mean()), 4), "std": round(float(a.std()), 4),
            "min": round(float(a.min()), 4), "max": round(float(a.max()), 4)}


def cv_frames(docs: Sequence[LabelledDoc], labels: Sequence[str], k: int = 5, seed: int = 13,
              **params: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    feats = FL.featurize([d.text for d in docs])
    gold = [d.frames for d in docs]
    # the simple baseline: TF-IDF + logistic regression (C = 1), threshold 0.5
    systems = {"fast": dict(params), "baseline_tfidf_lr": dict(params, tune=False, solver="logistic", l2=1.0)}
    preds: dict[str, list] = {name: [None] * len(docs) for name in systems}
    fold_scores: dict[str, list[float]] = {name: [] for name in systems}
    for f, test in enumerate(kfold(len(docs), k, seed)):
        train = np.setdiff1d(np.arange(len(docs)), test)
        for name, kw in systems.items():
            m = FL.train_frames([feats[i] for i in train], [gold[i] for i in train], labels, seed=seed, **kw)
            out = D.frames_predict(m, [feats[i] for i in test])
            for i, p in zip(test, out, strict=True):
                preds[name][i] = sorted(p)
            fold_scores[name].append(micro_f1([gold[i] for i in test], [preds[name][i] for i in test]))
        logger.info(f"frames fold {f + 1}/{k}: fast micro-F1 {fold_scores['fast'][-1]:.3f}, "
            f"baseline {fold_scores['baseline_tfidf_lr'][-1]:.3f}")
    result: dict[str, Any] = {}
    for name in systems:
        result[name] = {"micro_f1": round(micro_f1(gold, preds[name]), 4),
                        "folds_micro_f1": _summary(fold_scores[name]),
                        "mean_predicted": round(float(np.mean([len(p) for p in preds[name]])), 2)}
    # every frame on every article that has at least 1 (an upper bound on recall)
    freq = {lab: sum(lab in g for g in gold) / len(gold) for lab in labels}
    top = [lab for lab in labels if freq[lab] >= 0.5]
    result["baseline_frequent_frames"] = {"micro_f1": round(micro_f1(gold, [top] * len(gold)), 4), "frames": top}
    result["mean_gold"] = round(float(np.mean([len(g) for g in gold])), 2)
    result["protocol"] = _protocol(k, seed, len(docs), "articles")
    result["wall_time_s"] = round(time.perf_counter() - t0, 1)
    return result


def cv_narratives(docs: Sequence[LabelledDoc], k: int = 5, seed: int = 13,
                  negatives: Sequence[Any] = (), **params: Any) -> dict[str, Any]:
    """5-fold CV of the fast narratives model (with the off-topic ``negatives``' features in every fit) beside
    a plain TF-IDF + logistic-regression baseline and the always-Other answer."""
    t0 = time.perf_counter()
    feats = FL.featurize([d.text for d in docs])
    gn = [d.narratives for d in docs]
    gs = [d.subnarratives for d in docs]
    systems = {"fast": dict(params, negatives=negatives),
               "baseline_tfidf_lr": dict(params, tune=False, solver="logistic", l2=1.0, max_iter=100)}
    preds: dict[str, list] = {name: [None] * len(docs) for name in systems}
    fold_scores: dict[str, list[tuple[float, float]]] = {name: [] for name in systems}
    for f, test in enumerate(kfold(len(docs), k, seed)):
        train = np.setdiff1d(np.arange(len(docs)), test)
        for name, kw in systems.items():
            m = FL.train_narratives([feats[i] for i in train], [gn[i] for i in train], [gs[i] for i in train],
                                   seed=seed, **kw)
            for i in test:
                preds[name][i] = FL.narrative_sets(D.narratives_decide(m, feats[i]))
            fold_scores[name].append((samples_f1([gn[i] for i in test], [preds[name][i][0] for i in test]),
                                      samples_f1([gs[i] for i in test], [preds[name][i][1] for i in test])))
        logger.info(f"narratives fold {f + 1}/{k}: fast {fold_scores['fast'][-1][0]:.3f}/{fold_scores['fast'][-1][1]:.3f}, "
            f"baseline {fold_scores['baseline_tfidf_lr'][-1][0]:.3f}/{fold_scores['baseline_tfidf_lr'][-1][1]:.3f}")
    return _narratives_result(gn, gs, preds, fold_scores, k, seed, t0)


def _narratives_result(gn: list, gs: list, preds: dict[str, list], fold_scores: dict[str, list[tuple[float, float]]],
                       k: int, seed: int, t0: float) -> dict[str, Any]:
    """The figures of each system's out-of-fold narrative sets, beside the always-Other baseline."""
    result: dict[str, Any] = {}
    for name in preds:
        result[name] = {
            "samples_f1_narratives": round(samples_f1(gn, [p[0] for p in preds[name]]), 4),
            "samples_f1_subnarratives": round(samples_f1(gs, [p[1] for p in preds[name]]), 4),
            "folds_narratives": _summary([a for a, _ in fold_scores[name]]),
            "folds_subnarratives": _summary([b for _, b in fold_scores[name]]),
            "folds": [round(a, 4) for a, _ in fold_scores[name]],
        }
    other = [["Other"]] * len(gn)
    result["baseline_other"] = {"samples_f1_narratives": round(samples_f1(gn, other), 4),
                                "samples_f1_subnarratives": round(samples_f1(gs, other), 4)}
    result["protocol"] = _protocol(k, seed, len(gn), "articles")
    result["wall_time_s"] = round(time.perf_counter() - t0, 1)
    return result


def _protocol(k: int, seed: int, n: int, unit: str) -> str:
    return (f"{k}-fold cross-validation over {n} {unit} (seed {seed}); each fold's model trained on the other "
            f"folds with its own inner out-of-fold calibration and thresholds; metric on pooled held-out predictions")


# --------------------------------------------------------------------------
# The accurate tier (heads over the shared MiniLM pass), on the same folds
# --------------------------------------------------------------------------


def cv_frames_accurate(docs: Sequence[LabelledDoc], labels: Sequence[str], vecs: np.ndarray, k: int = 5,
                       seed: int = 13, **params: Any) -> dict[str, Any]:
    """As :func:`cv_frames` (same folds), for the accurate head and the fast model."""

    t0 = time.perf_counter()
    feats = FL.featurize([d.text for d in docs])
    gold = [d.frames for d in docs]
    systems = ("accurate", "fast")
    preds: dict[str, list] = {name: [None] * len(docs) for name in systems}
    fold_scores: dict[str, list[float]] = {name: [] for name in systems}
    for f, test in enumerate(kfold(len(docs), k, seed)):
        train = np.setdiff1d(np.arange(len(docs)), test)
        acc = train_frames_accurate([feats[i] for i in train], vecs[train], [gold[i] for i in train], labels,
                                    seed=seed, **params)
        fast = FL.train_frames([feats[i] for i in train], [gold[i] for i in train], labels, seed=seed,
                              **FL.FRAMES_DEFAULTS)
        out = {"accurate": [acc.predict(feats[i], vecs[i]) for i in test],
               "fast": D.frames_predict(fast, [feats[i] for i in test])}
        for name in systems:
            for i, p in zip(test, out[name], strict=True):
                preds[name][i] = sorted(p)
            fold_scores[name].append(micro_f1([gold[i] for i in test], [preds[name][i] for i in test]))
        logger.info(f"frames fold {f + 1}/{k}: accurate micro-F1 {fold_scores['accurate'][-1]:.3f}, "
            f"fast {fold_scores['fast'][-1]:.3f}")
    result: dict[str, Any] = {}
    for name in systems:
        result[name] = {"micro_f1": round(micro_f1(gold, preds[name]), 4),
                        "folds_micro_f1": _summary(fold_scores[name]),
                        "folds": [round(x, 4) for x in fold_scores[name]],
                        "mean_predicted": round(float(np.mean([len(p) for p in preds[name]])), 2)}
    result["mean_gold"] = round(float(np.mean([len(g) for g in gold])), 2)
    result["protocol"] = _protocol(k, seed, len(docs), "articles")
    result["wall_time_s"] = round(time.perf_counter() - t0, 1)
    return result


def cv_narratives_accurate(docs: Sequence[LabelledDoc], vecs: np.ndarray, k: int = 5, seed: int = 13,
                           fast_params: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """As :func:`cv_narratives` (same folds), for the narratives stack and the fast model under it: each fold
    fits the fast model on the other folds, then the stack over it."""
    t0 = time.perf_counter()
    fast_params = dict(fast_params or FL.NARRATIVES_DEFAULTS)
    feats = FL.featurize([d.text for d in docs])
    gn, gs = [d.narratives for d in docs], [d.subnarratives for d in docs]
    systems = ("accurate", "fast")
    preds: dict[str, list] = {name: [None] * len(docs) for name in systems}
    fold_scores: dict[str, list[tuple[float, float]]] = {name: [] for name in systems}
    weights = []
    for f, test in enumerate(kfold(len(docs), k, seed)):
        train = np.setdiff1d(np.arange(len(docs)), test)
        sub = [feats[i] for i in train]
        fast = FL.train_narratives(sub, [gn[i] for i in train], [gs[i] for i in train], seed=seed, **fast_params)
        acc = train_narratives_accurate(sub, vecs[train], [gn[i] for i in train], [gs[i] for i in train], fast, None,
                                        seed=seed, fast_params=fast_params, **params)
        weights.append(acc.fast_weight)
        for i in test:
            preds["accurate"][i] = FL.narrative_sets(acc.decide(feats[i], vecs[i]))
            preds["fast"][i] = FL.narrative_sets(D.narratives_decide(fast, feats[i]))
        for name in systems:
            fold_scores[name].append((samples_f1([gn[i] for i in test], [preds[name][i][0] for i in test]),
                                      samples_f1([gs[i] for i in test], [preds[name][i][1] for i in test])))
        logger.info(f"narratives fold {f + 1}/{k}: accurate {fold_scores['accurate'][-1][0]:.3f}, "
                    f"fast {fold_scores['fast'][-1][0]:.3f} (fast weight {acc.fast_weight})")
    result = _narratives_result(gn, gs, preds, fold_scores, k, seed, t0)
    result["accurate"]["fast_weights_chosen"] = weights
    return result
