"""The article-level technique score: how much of an article persuades.

The score is the *expected share of the article's paragraphs that carry a
persuasion technique*, as the SemEval-2023 annotators label paragraphs: an
estimate in [0, 1], calibrated (on held-out articles, the mean estimate in a
range of scores is the mean observed share), not a probability.

It is read off the accurate tier's paragraph probabilities: the feature is
``x``, the sum over techniques of their mean paragraph probability (the
expected number of labels per paragraph), mapped by a logistic curve
``σ(a·x + b)`` (or ``σ(a·log x + b)``, whichever fitted better) fitted on the out-of-fold technique profiles of the training
part of the forward split (:mod:`unspin.training.technique_share`). The fit
belongs to one head of the accurate tier: it records the SHA-256 of the
head's weights, and :func:`load_for` gives ``None`` beside another model, so
that an uncalibrated number is never shown as calibrated.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["CALIBRATION_FILE", "FORMAT", "ShareCalibration", "expected_labels", "load", "load_for"]

#: The fitted calibration, in ``unspin/data``.
CALIBRATION_FILE = "technique-share.json"
FORMAT = "unspin-technique-share/1"


def expected_labels(pp: np.ndarray) -> float:
    """The sum over techniques of the mean paragraph probability (paragraphs × techniques)."""
    if not len(pp):
        return 0.0
    return float(np.asarray(pp, dtype=np.float64).mean(axis=0).sum())


@dataclass(frozen=True)
class ShareCalibration:
    """``σ(weight · f(expected_labels) + bias)``, fitted for the head whose weights have ``head_sha256``
    (``f`` the identity, or ``log`` when ``transform`` is ``"log"``)."""

    head_sha256: str
    weight: float
    bias: float
    transform: str = "raw"
    #: the fit's data, protocol and figures, as written by the training command
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def expected_share(self, pp: np.ndarray) -> float | None:
        """The expected share of the paragraphs (rows of ``pp``) that carry a technique; None without paragraphs."""
        if not len(pp):
            return None
        x = expected_labels(pp)
        if self.transform == "log":
            x = math.log(max(x, 1e-6))
        z = self.weight * x + self.bias
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "head_sha256": self.head_sha256, "weight": self.weight, "bias": self.bias,
                "transform": self.transform, **self.meta}


@functools.lru_cache(maxsize=1)
def load() -> ShareCalibration | None:
    """The packaged calibration, or None when none is installed."""
    path = resources.files("unspin").joinpath("data", CALIBRATION_FILE)
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("format") != FORMAT:
        return None
    meta = {k: v for k, v in raw.items() if k not in ("format", "head_sha256", "weight", "bias", "transform")}
    return ShareCalibration(str(raw["head_sha256"]), float(raw["weight"]), float(raw["bias"]),
                            str(raw.get("transform", "raw")), meta)


def load_for(model_meta: dict[str, Any] | None) -> ShareCalibration | None:
    """The packaged calibration if it was fitted for the accurate model with ``model_meta`` (its meta.json), else None."""
    calibration = load()
    head = ((model_meta or {}).get("files") or {}).get("head.npz")
    if calibration is None or not head or head != calibration.head_sha256:
        return None
    return calibration
