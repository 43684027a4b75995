"""The official metrics of the framing tasks, in plain Python (no scikit-learn).

* genre (SemEval-2023 task 3 subtask 1): macro-F1 over the three genres;
  :func:`macro_f1` takes optional per-example weights (a weighted test set
  is the expected confusion matrix of a test set with another label mix);
* frames (subtask 2): micro-F1 over (article, frame) pairs;
* narratives (SemEval-2025 task 10 subtask 2): samples-F1 (the F1 of each
  article's predicted and gold label sets, averaged over articles; as
  ``sklearn.metrics.f1_score(average="samples")``, an article with both sets
  empty scores 0 — never happens here, ``Other`` fills empty sets).

The roles figures (main-role accuracy, fine-role exact match over all
annotated mentions) are computed by :mod:`unspin.training.roles_treatment`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def _f1(tp: float, fp: float, fn: float) -> float:
    denom = 2 * tp + fp + fn
    return 2 * tp / denom if denom > 0 else 0.0


def per_class_f1(gold: Sequence[str], pred: Sequence[str], labels: Iterable[str],
                 weights: Sequence[float] | None = None) -> dict[str, float]:
    w = [1.0] * len(gold) if weights is None else list(weights)
    out = {}
    for lab in labels:
        tp = sum(wi for g, p, wi in zip(gold, pred, w, strict=True) if g == lab and p == lab)
        fp = sum(wi for g, p, wi in zip(gold, pred, w, strict=True) if g != lab and p == lab)
        fn = sum(wi for g, p, wi in zip(gold, pred, w, strict=True) if g == lab and p != lab)
        out[lab] = _f1(tp, fp, fn)
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Iterable[str] | None = None,
             weights: Sequence[float] | None = None) -> float:
    """Unweighted mean of the per-class F1 (classes: ``labels``, or those in gold ∪ pred)."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    labs = list(labels) if labels is not None else sorted(set(gold) | set(pred))
    if not labs:
        return 0.0
    f = per_class_f1(gold, pred, labs, weights)
    return sum(f.values()) / len(labs)


def micro_f1(gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]]) -> float:
    """F1 over all (example, label) pairs."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    tp = fp = fn = 0
    for g, p in zip(gold, pred, strict=True):
        g, p = set(g), set(p)
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    return _f1(tp, fp, fn)


def samples_f1(gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]]) -> float:
    """Mean over examples of the F1 between the gold and predicted label sets."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    if not gold:
        return 0.0
    total = 0.0
    for g, p in zip(gold, pred, strict=True):
        g, p = set(g), set(p)
        total += _f1(len(g & p), len(p - g), len(g - p))
    return total / len(gold)
