"""Fit the article-level technique score (:mod:`unspin.techniques.share`).

Protocol. The target is each SemEval-2023 training article's share of
non-blank lines (paragraphs) that the annotators labelled with at least one
technique. The feature is the sum over techniques of the mean paragraph
probability of the accurate tier, read from the model's out-of-fold technique
profiles (``oof-profiles.npz``: each article's profile comes from a fold
model that never saw it). On the training part of the forward split
(:mod:`unspin.datasets.splits`) a logistic curve ``σ(a·x + b)`` is fitted by
maximum likelihood with the share as a fractional target (a Platt mapping);
whether ``x`` enters raw or as ``log x`` is chosen by the mean absolute error
of 5-fold cross-validation inside the training part. The forward part (newer
articles) only measures the choice: mean absolute error, correlation, the
mean estimate against the mean observed share, the same by thirds of the
estimate, and the error of the constant baseline (the training part's mean
share). Forward articles whose out-of-fold profile the model holds are read
from it; the others are run through the model (``encoded`` optionally maps
article ids to their saved encoder pass).

``python -m unspin.training.technique_share --data DIR [--model DIR] [--out FILE]``
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..datasets.semeval2023 import Doc, load_corpus
from ..datasets.splits import semeval2023_is_forward
from ..models import artifact
from ..techniques import accurate
from ..techniques.share import CALIBRATION_FILE, FORMAT

FOLDS, SEED = 5, 13
TRANSFORMS = ("raw", "log")


def labelled_share(doc: Doc) -> float:
    """The share of the article's non-blank lines that carry a technique label."""
    lines = doc.lines()
    return sum(1 for number, _, _ in lines if doc.line_labels.get(number)) / len(lines) if lines else 0.0


def profile_feature(profile: np.ndarray, n_labels: int) -> float:
    """The sum over techniques of their mean paragraph probability (the profile's first ``n_labels`` numbers)."""
    return float(np.sum(profile[:n_labels]))


def _transform(x: np.ndarray, how: str) -> np.ndarray:
    return np.log(np.maximum(x, 1e-6)) if how == "log" else x


def fit_logistic(x: np.ndarray, y: np.ndarray, iterations: int = 100) -> tuple[float, float]:
    """``(a, b)`` maximising Σ y·log σ(a·x+b) + (1-y)·log(1-σ(a·x+b)) (Newton's method; y in [0, 1])."""
    a, b = 0.0, math.log(max(y.mean(), 1e-6) / max(1 - y.mean(), 1e-6))
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a * x + b)))
        g = np.array([np.sum((p - y) * x), np.sum(p - y)])
        w = p * (1 - p) + 1e-9
        h = np.array([[np.sum(w * x * x), np.sum(w * x)], [np.sum(w * x), np.sum(w)]])
        step = np.linalg.solve(h + 1e-9 * np.eye(2), g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-10:
            break
    return float(a), float(b)


def _predict(a: float, b: float, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(a * x + b)))


def choose_transform(x: np.ndarray, y: np.ndarray) -> tuple[str, dict[str, float]]:
    """The transform with the lowest mean absolute error in seeded k-fold CV (and each one's error)."""
    folds = np.random.default_rng(SEED).permutation(len(x)) % FOLDS
    errors = {}
    for how in TRANSFORMS:
        tx = _transform(x, how)
        err = np.empty(len(x))
        for k in range(FOLDS):
            a, b = fit_logistic(tx[folds != k], y[folds != k])
            err[folds == k] = np.abs(_predict(a, b, tx[folds == k]) - y[folds == k])
        errors[how] = round(float(err.mean()), 4)
    return min(TRANSFORMS, key=lambda h: errors[h]), errors


def forward_figures(pred: np.ndarray, y: np.ndarray, baseline: float) -> dict[str, Any]:
    """Error, correlation and calibration of ``pred`` against the observed shares ``y``."""
    order = np.argsort(pred, kind="stable")
    thirds = [
        {"estimate": round(float(pred[idx].mean()), 3), "observed": round(float(y[idx].mean()), 3), "articles": len(idx)}
        for idx in np.array_split(order, 3)
    ]
    return {
        "articles": len(y),
        "mae": round(float(np.abs(pred - y).mean()), 4),
        "pearson_r": round(float(np.corrcoef(pred, y)[0, 1]), 3),
        "mean_estimate": round(float(pred.mean()), 3),
        "mean_observed": round(float(y.mean()), 3),
        "by_thirds_of_the_estimate": thirds,
        "constant_baseline_mae": round(float(np.abs(baseline - y).mean()), 4),
    }


def fit(data_dir: str | Path, model_dir: str | Path | None = None,
        encoded: dict[str, Any] | None = None) -> dict[str, Any]:
    """The calibration's JSON (see the module doc for the protocol)."""
    model_dir = Path(model_dir) if model_dir is not None else accurate.default_model_dir()
    meta = artifact.read_meta(model_dir)
    head = (meta.get("files") or {}).get(accurate.WEIGHTS)
    if not head:
        raise SystemExit(f"{model_dir}: no SHA-256 of {accurate.WEIGHTS} in meta.json")
    n_labels = len(meta["labels"])
    profiles = accurate.load_profiles(model_dir)
    docs = [d for d in load_corpus(data_dir) if d.lines()]
    train = [d for d in docs if not semeval2023_is_forward(d.id) and d.id in profiles]
    forward = [d for d in docs if semeval2023_is_forward(d.id)]
    x = np.array([profile_feature(profiles[d.id], n_labels) for d in train])
    y = np.array([labelled_share(d) for d in train])
    how, cv = choose_transform(x, y)
    a, b = fit_logistic(_transform(x, how), y)

    model = None
    fx, from_oof = [], 0
    for d in forward:
        if d.id in profiles:
            fx.append(profile_feature(profiles[d.id], n_labels))
            from_oof += 1
        else:
            model = model or accurate.AccurateModel.load(model_dir)
            _, _, pp = model.probabilities(d.text, (encoded or {}).get(d.id))
            fx.append(float(pp.mean(axis=0).sum()) if len(pp) else 0.0)
    fy = np.array([labelled_share(d) for d in forward])
    figures = forward_figures(_predict(a, b, _transform(np.array(fx), how)), fy, float(y.mean()))
    return {
        "format": FORMAT,
        "head_sha256": head,
        "weight": a,
        "bias": b,
        "transform": how,
        "target": "share of the article's paragraphs (non-blank lines) labelled with at least one technique",
        "feature": "sum over techniques of the mean paragraph probability of the accurate tier",
        "training": {"articles": len(train), "mean_share": round(float(y.mean()), 3),
                     "cv_mae_by_transform": cv, "folds": FOLDS, "seed": SEED},
        "forward": dict(figures, profiles=("out-of-fold profiles of the model's cross-validation"
                                           if from_oof == len(forward) else
                                           f"{from_oof} out-of-fold profiles, {len(forward) - from_oof} through "
                                           "inference with the model")),
        "protocol": ("fitted on the out-of-fold technique profiles of the training part of the forward split "
                     "(older SemEval-2023 English training articles), transform chosen by 5-fold CV inside it; "
                     "measured on the forward part (newer articles)"),
        "command": "python -m unspin.training.technique_share --data <SemEval-2023 English train folder>",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="the SemEval-2023 English training folder")
    parser.add_argument("--model", default=None, help="accurate techniques model folder (default: the packaged one)")
    parser.add_argument("--out", default=None, help=f"where to write the JSON (default: unspin/data/{CALIBRATION_FILE})")
    args = parser.parse_args(argv)
    result = fit(args.data, args.model)
    out = Path(args.out) if args.out else Path(__file__).resolve().parents[1] / "data" / CALIBRATION_FILE
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    json.dump({k: result[k] for k in ("transform", "training", "forward")}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
