"""Training and evaluating the techniques tiers, as ``unspin train/eval techniques`` run them.

:func:`train_fast` and :func:`train_accurate` write a model folder with its
``meta.json`` and card; :func:`evaluate` returns scores. The accurate tier is
stacked on a fast model, so the fast one is trained first. Progress goes to
the module's logger.
"""

from __future__ import annotations

import logging
import shlex
import time
from pathlib import Path
from typing import Any

from ..datasets.semeval2023 import Doc, load_corpus
from ..evaluation.techniques import TechniqueScores, prf, score_predictions
from ..models.artifact import training_meta
from ..techniques import accurate, fast
from . import techniques_accurate, techniques_fast
from .cards import write_model_card
from .techniques_cv import cross_validate_fast, summarize_folds

logger = logging.getLogger(__name__)

CORPUS = "SemEval-2023 task 3, English training set (articles with span labels)"


def _meta_head(tier: str, data_dir: Path, n_docs: int, command: str, seed: int) -> dict[str, Any]:
    """The meta.json fields every trained techniques model records."""
    return training_meta(f"unspin techniques, {tier} tier",
                         {"folder": str(data_dir), "articles": n_docs, "corpus": CORPUS}, command, seed)


def _fast_kwargs(max_iter: int, inner_folds: int) -> dict[str, Any]:
    return dict(inner_folds=inner_folds, max_iter=max_iter, warm_iter=max(10, max_iter // 2))


def train_fast(data_dir: Path, output: Path | None = None, seed: int = 13, cv: bool = True, max_iter: int = 80,
               inner_folds: int = 2) -> Path:
    """Train the fast tier on ``data_dir`` (optionally with 5-fold cross-validation) and write its folder."""
    command = (f"unspin train techniques --data {shlex.quote(str(data_dir))} --model fast --seed {seed} "
               f"--max-iter {max_iter} --inner-folds {inner_folds}" + ("" if cv else " --no-cv")
               + (f" -o {shlex.quote(str(output))}" if output else ""))
    out = output or fast.default_model_dir()
    docs = load_corpus(data_dir)
    t_start = time.perf_counter()
    kwargs = _fast_kwargs(max_iter, inner_folds)
    metrics = None
    if cv:
        pooled, per_fold = cross_validate_fast(docs, k=5, seed=seed, **kwargs)
        metrics = {"cross_validation": pooled.to_dict(), "folds": summarize_folds(per_fold)}
        logger.info(pooled.format())
    t_cv = time.perf_counter() - t_start
    t0 = time.perf_counter()
    model, report = techniques_fast.train(docs, seed=seed, **kwargs)
    t_train = time.perf_counter() - t0
    meta = {
        **_meta_head("fast", data_dir, len(docs), command, seed),
        "hyperparameters": {**kwargs, "l2": 1.0, "l2_paragraph": 1.0, "min_df": 2},
        "wall_time_s": {"final_training": round(t_train, 1), "cross_validation": round(t_cv, 1)},
        "selection": report,
        "metrics": metrics,
    }
    written = model.save(out, meta)
    write_model_card(out)
    logger.info(f"wrote {out} ({', '.join(written['files'])}); final training {t_train:.0f} s")
    return out


def train_accurate(data_dir: Path, output: Path | None = None, seed: int = 13,
                   fast_model: Path | None = None) -> Path:
    """Train the accurate tier (cross-validated, stacked on ``fast_model`` or the packaged fast tier)."""
    command = (f"unspin train techniques --data {shlex.quote(str(data_dir))} --model accurate --seed {seed}"
               + (f" -o {shlex.quote(str(output))}" if output else "")
               + (f" --fast-model {shlex.quote(str(fast_model))}" if fast_model else ""))
    out = output or accurate.default_model_dir()
    docs = load_corpus(data_dir)
    stacked = fast.FastModel.load(fast_model) if fast_model else fast.load_default()
    model, report = techniques_accurate.train(docs, seed=seed, fast=stacked)
    pooled = report["cv"]
    logger.info(pooled.format())
    meta = {
        **_meta_head("accurate", data_dir, len(docs), command, seed),
        "hyperparameters": report["hyperparameters"],
        "wall_time_s": report["wall_time_s"],
        "selection": {"span_threshold": report["decoding"].base_span_threshold,
                      "span_smoothing": report["decoding"].span_smoothing, "out_of_fold": report["oof_selection"]},
        "metrics": {"cross_validation": pooled.to_dict(), "folds": summarize_folds(report["cv_folds"]),
                    "ablation": {"span_si_without_function_word_rule": prf(report["cv_span_si_without_content_rule"])}},
    }
    out.mkdir(parents=True, exist_ok=True)
    written = model.save(out, meta, extra_files=[accurate.save_profiles(out, report["oof_profiles"])])
    write_model_card(out)
    logger.info(f"wrote {out} ({', '.join(written['files'])}); wall time {report['wall_time_s']}")
    return out


def score_model(docs: list[Doc], model: Any, label: str) -> TechniqueScores:
    """Scores of a trained model (either tier) on annotated ``docs``."""
    def predict(text: str):
        p = model.predict(text)
        return [(a, b, t) for a, b, t, _ in p.spans], [list(d) for _, _, d in p.paragraphs]

    return score_predictions(docs, predict, protocol=f"model {label} ({len(docs)} articles)")


def evaluate(data_dir: Path, tier: str = "accurate", model: Any = None, model_label: str = "", seed: int = 13,
             max_iter: int = 80, inner_folds: int = 2) -> tuple[TechniqueScores, dict[str, Any]]:
    """Scores on ``data_dir``: of ``model`` when given, else a 5-fold cross-validation of ``tier``
    (each fold trains its own model); with the per-fold summary when cross-validated."""
    docs = load_corpus(data_dir)
    if model is not None:
        return score_model(docs, model, f"{model_label} on {data_dir}"), {}
    if tier == "accurate":
        _, report = techniques_accurate.train(docs, seed=seed, final=False, fast=fast.load_default())
        return report["cv"], {"folds": summarize_folds(report["cv_folds"])}
    scores, per_fold = cross_validate_fast(docs, k=5, seed=seed, **_fast_kwargs(max_iter, inner_folds))
    return scores, {"folds": summarize_folds(per_fold)}
