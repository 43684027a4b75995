"""Shared pieces of the forward-split measurements of the framing models:
bootstrap confidence intervals, reliability tables and expected calibration
error (ECE).

A reliability table bins predicted probabilities into ``bins`` equal-width
bins; per bin it gives the number of predictions, their mean probability and
the observed frequency of the event. ECE is the prediction-weighted mean
absolute gap between the two. For a multi-label model every (article, label)
probability is one prediction; for genre, the probability of the answered
genre (top-label calibration).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np


def reliability(p: np.ndarray, hit: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Reliability table and ECE of probabilities ``p`` for events ``hit`` (0/1)."""
    p = np.asarray(p, dtype=np.float64).ravel()
    hit = np.asarray(hit, dtype=np.float64).ravel()
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    rows, ece = [], 0.0
    for k in range(bins):
        m = which == k
        if not m.any():
            continue
        conf, freq = float(p[m].mean()), float(hit[m].mean())
        ece += m.sum() / max(1, len(p)) * abs(conf - freq)
        rows.append({"bin": f"{edges[k]:.1f}-{edges[k + 1]:.1f}", "n": int(m.sum()), "mean_probability": round(conf, 4),
                     "observed": round(freq, 4)})
    return {"ece": round(float(ece), 4), "predictions": int(len(p)), "bins": rows}


def bootstrap_ci(score: Callable[[np.ndarray], float], n: int, rounds: int = 1000, seed: int = 13,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of ``score(indices)`` over ``n`` items resampled with replacement."""
    rng = np.random.default_rng(seed)
    vals = np.array([score(rng.integers(0, n, n)) for _ in range(rounds)])
    lo, hi = np.quantile(vals, [(1 - level) / 2, 1 - (1 - level) / 2])
    return round(float(lo), 4), round(float(hi), 4)


def reliability_markdown(table: dict[str, Any], what: str) -> str:
    """A reliability table as markdown, for cards and docs."""
    rows = [f"{what}: ECE {table['ece']:.3f} over {table['predictions']} predictions.", "",
            "| probability bin | predictions | mean probability | observed frequency |", "| --- | --- | --- | --- |"]
    rows += [f"| {b['bin']} | {b['n']} | {b['mean_probability']:.3f} | {b['observed']:.3f} |" for b in table["bins"]]
    return "\n".join(rows)


def label_hits(P: np.ndarray, gold: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """0/1 matrix of the gold labels of each article, columns in ``labels`` order."""
    index = {lab: j for j, lab in enumerate(labels)}
    Y = np.zeros((len(gold), len(labels)))
    for i, g in enumerate(gold):
        for lab in g:
            if lab in index:
                Y[i, index[lab]] = 1.0
    return Y
