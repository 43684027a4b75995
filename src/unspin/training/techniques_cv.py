"""Cross-validation of the fast techniques tier and fold summaries."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..evaluation.techniques import PRF, SpanCounts, TechniqueScores, score_predictions
from .folds import kfold_by_article
from .techniques_fast import train

logger = logging.getLogger(__name__)


def summarize_folds(fold_scores: Sequence[TechniqueScores]) -> dict:
    """Mean and range of the headline figures over folds (the pooled figures
    come from adding every fold's articles to one :class:`TechniqueScores`)."""
    import statistics

    out = {}
    for key, get in (("paragraph_micro_f1", lambda s: s.paragraph.f1), ("span_si_f1", lambda s: s.si.f1),
                     ("span_technique_aware_f1", lambda s: s.span_aware.f1)):
        vals = [get(s) for s in fold_scores]
        out[key] = {"mean": round(statistics.mean(vals), 4), "min": round(min(vals), 4), "max": round(max(vals), 4),
                    "folds": [round(v, 4) for v in vals]}
    return out


def cross_validate_fast(docs: Sequence, k: int = 5, seed: int = 13, **train_kwargs) -> tuple[TechniqueScores, list[TechniqueScores]]:
    """``k``-fold cross-validation of the fast tier split by article: each
    fold's model (with its own inner calibration and thresholds) is trained on
    the other folds only. Returns the pooled scores and the per-fold scores."""

    folds = kfold_by_article([d.id for d in docs], k=k, seed=seed)
    pooled = TechniqueScores(protocol=f"{k}-fold cross-validation by article (seed {seed}), {len(docs)} articles; "
                                      "thresholds and calibration chosen inside each training split")
    per_fold = []
    for i, fold in enumerate(folds):
        held = set(fold)
        logger.info(f"fold {i + 1}/{k}: training on {len(docs) - len(held)} articles")
        model, _ = train([d for d in docs if d.id not in held], seed=seed, **train_kwargs)
        test = [d for d in docs if d.id in held]

        def predict(text: str, model=model):
            p = model.predict(text)
            return [(a, b, t) for a, b, t, _ in p.spans], [list(d) for _, _, d in p.paragraphs]

        s = score_predictions(test, predict, protocol=f"fold {i + 1}")
        logger.info(f"fold {i + 1}: paragraph micro-F1 {s.paragraph.f1:.3f}, span SI F1 {s.si.f1:.3f}, "
            f"{s.articles_per_s:.0f} articles/s")
        per_fold.append(s)
        _merge(pooled, s)
    return pooled, per_fold


def _merge(into: TechniqueScores, s: TechniqueScores) -> None:
    for a, b in ((into.paragraph, s.paragraph),):
        a.tp, a.fp, a.fn = a.tp + b.tp, a.fp + b.fp, a.fn + b.fn
    for t, b in s.paragraph_by_technique.items():
        a = into.paragraph_by_technique.setdefault(t, PRF())
        a.tp, a.fp, a.fn = a.tp + b.tp, a.fp + b.fp, a.fn + b.fn
    into.si.add(s.si)
    into.span_aware.add(s.span_aware)
    for t, b in s.span_by_technique.items():
        into.span_by_technique.setdefault(t, SpanCounts()).add(b)
    into.n_articles += s.n_articles
    into.n_paragraphs += s.n_paragraphs
    into.seconds += s.seconds
