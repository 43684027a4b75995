"""Training and evaluating the techniques tiers, as ``unspin train/eval techniques`` run them.

:func:`train_fast` and :func:`train_accurate` write a model folder with its
``meta.json`` and card; :func:`evaluate` returns scores. The accurate tier is
stacked on a fast model, so the fast one is trained first. Progress goes to
the module's logger.
"""

from __future__ import annotations

import json
import logging
import shlex
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np

from ..datasets.semeval2023 import Doc, load_corpus
from ..datasets.splits import SEMEVAL2023_FORWARD_FIRST_ID, semeval2023_parts
from ..datasets.unlabelled import describe, load_unlabelled
from ..evaluation.techniques import (
    TechniqueScores,
    expected_calibration_error,
    gold_paragraph_labels,
    gold_spans,
    prf,
    reliability,
    score_predictions,
    span_hits,
)
from ..models import artifact
from ..models.artifact import META, read_meta, training_meta
from ..techniques import accurate, fast
from ..techniques.fast import decode_spans
from ..techniques.reading import read
from ..techniques.text import tokenize
from . import techniques_accurate, techniques_fast
from .cards import write_model_card
from .techniques_cv import cross_validate_fast, summarize_folds
from .techniques_reading import choose_reading, fit_span_calibration

logger = logging.getLogger(__name__)

CORPUS = "SemEval-2023 task 3, English training set (articles with span labels)"
#: which articles of the corpus a model is trained on
PARTS = ("training", "all")
PART_DESCRIPTION = {
    "training": f"the training part of the forward split: the oldest 80 % of the articles by id "
                f"(ids below {SEMEVAL2023_FORWARD_FIRST_ID}); the newest 20 % (the forward part) measure it",
    "all": "all articles (no forward part is held out)",
}


def load_part(data_dir: Path, part: str = "training") -> list[Doc]:
    """The annotated articles of ``data_dir`` in ``part`` (:data:`PARTS`)."""
    docs = load_corpus(data_dir)
    if part == "all":
        return docs
    if part != "training":
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    return semeval2023_parts(docs, lambda d: d.id)[0]


def forward_part(data_dir: Path) -> list[Doc]:
    """The annotated articles of the forward part (the newest 20 % by id)."""
    return semeval2023_parts(load_corpus(data_dir), lambda d: d.id)[1]


def _meta_head(tier: str, data_dir: Path, n_docs: int, command: str, seed: int, part: str = "all") -> dict[str, Any]:
    """The meta.json fields every trained techniques model records."""
    return training_meta(f"unspin techniques, {tier} tier",
                         {"folder": str(data_dir), "articles": n_docs, "corpus": CORPUS, "part": part,
                          "part_description": PART_DESCRIPTION[part]}, command, seed)


def _fast_kwargs(max_iter: int, inner_folds: int) -> dict[str, Any]:
    return dict(inner_folds=inner_folds, max_iter=max_iter, warm_iter=max(10, max_iter // 2))


def train_fast(data_dir: Path, output: Path | None = None, seed: int = 13, cv: bool = True, max_iter: int = 80,
               inner_folds: int = 2, part: str = "training", command: str | None = None,
               keep: dict[str, Any] | None = None) -> Path:
    """Train the fast tier on the ``part`` of ``data_dir`` (optionally with 5-fold
    cross-validation) and write its folder; ``keep`` receives the training report."""
    command = command or (
        f"unspin train techniques --data {shlex.quote(str(data_dir))} --model fast --part {part} --seed {seed} "
        f"--max-iter {max_iter} --inner-folds {inner_folds}" + ("" if cv else " --no-cv")
        + (f" -o {shlex.quote(str(output))}" if output else ""))
    out = output or fast.default_model_dir()
    docs = load_part(data_dir, part)
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
    if keep is not None:
        keep.update(report)
    report = {k: v for k, v in report.items() if k not in ("oof_logits", "fold_ids")}
    t_train = time.perf_counter() - t0
    meta = {
        **_meta_head("fast", data_dir, len(docs), command, seed, part),
        "hyperparameters": {**kwargs, "l2": 1.0, "l2_paragraph": 1.0, "min_df": 2},
        "wall_time_s": {"final_training": round(t_train, 1), "cross_validation": round(t_cv, 1)},
        "selection": report,
        "metrics": metrics,
    }
    written = model.save(out, meta)
    write_model_card(out)
    logger.info(f"wrote {out} ({', '.join(written['files'])}); final training {t_train:.0f} s")
    return out


def train_accurate(data_dir: Path, output: Path | None = None, seed: int = 13, fast_model: Path | None = None,
                   part: str = "training", folds: int = 5, members: int | None = None,
                   encoded: dict | None = None, fold_heads: bool = False,
                   unlabelled: Sequence[Path] = (), unlabelled_max: int | None = None) -> tuple[Path, dict[str, Any]]:
    """Train the accurate tier on the ``part`` of ``data_dir`` (``folds``-fold
    cross-validated, stacked on ``fast_model`` or the packaged fast tier;
    ``members`` heads per ensemble, default :data:`~.techniques_accurate.DEFAULTS`).
    ``encoded``: the shared encoder pass of the articles by id, when already
    computed. ``fold_heads``: ship the cross-validation's heads as one ensemble
    instead of a final fit. ``unlabelled``: folders of news texts for
    self-training (:func:`~unspin.datasets.unlabelled.load_unlabelled`, at most
    ``unlabelled_max`` of them). Returns the folder and the training report."""
    command = (f"unspin train techniques --data {shlex.quote(str(data_dir))} --model accurate --part {part} "
               f"--folds {folds} --seed {seed}" + (f" --members {members}" if members else "")
               + (" --fold-heads" if fold_heads else "")
               + (f" -o {shlex.quote(str(output))}" if output else "")
               + (f" --fast-model {shlex.quote(str(fast_model))}" if fast_model else "")
               + unlabelled_options(unlabelled, unlabelled_max))
    out = output or accurate.default_model_dir()
    docs = load_part(data_dir, part)
    extra, sources = self_training_articles(unlabelled, unlabelled_max, seed)
    stacked = fast.FastModel.load(fast_model) if fast_model else fast.load_default()
    cfg = {"members": members} if members else None
    model, report = techniques_accurate.train(docs, seed=seed, folds=folds, cfg=cfg, fast=stacked,
                                              encoded=encoded, final="folds" if fold_heads else True,
                                              unlabelled=extra, unlabelled_sources=sources)
    return finish_accurate(data_dir, out, model, report, docs, command, seed, part, encoded), report


def self_training_articles(unlabelled: Sequence[Path], unlabelled_max: int | None, seed: int
                           ) -> tuple[list[Doc], str | None]:
    """The unannotated articles of ``--unlabelled`` and a line saying where they came from."""
    if not unlabelled:
        return [], None
    extra = load_unlabelled(unlabelled, unlabelled_max, seed)
    return extra, describe(unlabelled, extra)


def unlabelled_options(unlabelled: Sequence[Path], unlabelled_max: int | None) -> str:
    """The ``--unlabelled`` options of a training command, as typed."""
    return ("".join(f" --unlabelled {shlex.quote(str(p))}" for p in unlabelled)
            + (f" --unlabelled-max {unlabelled_max}" if unlabelled and unlabelled_max is not None else ""))


def both_command(data_dir: Path, seed: int, max_iter: int, inner_folds: int, members: int | None, part: str,
                 fold_heads: bool = False, final_members: int | None = None, unlabelled: Sequence[Path] = (),
                 unlabelled_max: int | None = None) -> str:
    return (f"unspin train techniques --data {shlex.quote(str(data_dir))} --model both --part {part} --seed {seed} "
            f"--max-iter {max_iter} --inner-folds {inner_folds}" + (f" --members {members}" if members else "")
            + (" --fold-heads" if fold_heads else "") + (f" --final-members {final_members}" if final_members else "")
            + unlabelled_options(unlabelled, unlabelled_max))


def train_both(data_dir: Path, seed: int = 13, max_iter: int = 80, inner_folds: int = 2, members: int | None = None,
               part: str = "training", encoded: dict | None = None, fold_heads: bool = False,
               final_members: int | None = None, unlabelled: Sequence[Path] = (),
               unlabelled_max: int | None = None) -> Path:
    """Train the fast tier, then the accurate tier stacked on it, into the
    packaged folders: the accurate tier's cross-validation uses the fast tier's
    inner folds and stacks on their out-of-fold logits (no second fit of the
    fast tier per fold), so both tiers cost little more than the fast one alone.
    With ``fold_heads`` the accurate tier ships its cross-validation heads as one
    ensemble instead of a final fit on every article (half the head training);
    without it, ``final_members`` heads (default ``members``) are fitted on every article.
    ``unlabelled``, ``unlabelled_max``: self-training of the accurate tier's heads (:func:`train_accurate`)."""
    command = both_command(data_dir, seed, max_iter, inner_folds, members, part, fold_heads, final_members,
                           unlabelled, unlabelled_max)
    kept: dict[str, Any] = {}
    fast_dir = train_fast(data_dir, None, seed, False, max_iter, inner_folds, part, command=command, keep=kept)
    docs = load_part(data_dir, part)
    finish_fast(fast_dir, kept, docs)
    extra, sources = self_training_articles(unlabelled, unlabelled_max, seed)
    model, report = techniques_accurate.train(
        docs, seed=seed, folds=inner_folds, cfg={"members": members} if members else None,
        fast=fast.FastModel.load(fast_dir), encoded=encoded, fast_oof=(kept["fold_ids"], kept["oof_logits"]),
        final="folds" if fold_heads else True, final_members=final_members, unlabelled=extra,
        unlabelled_sources=sources)
    return finish_accurate(data_dir, accurate.default_model_dir(), model, report, docs, command, seed, part, encoded)


def add_readings(model: Any, report: dict[str, Any], docs: list[Doc], cv: bool = True) -> dict[str, Any]:
    """Give ``model`` its precision-first default reading and keep the decoding
    the training run chose (the best SI F1) as its recall reading, both with a
    span calibration, chosen on the out-of-fold predictions of ``report``
    (:func:`~.techniques_reading.choose_reading`). With ``cv``, the default
    reading is also cross-fitted (fold *i* read with a reading chosen on the
    other folds) for its cross-validation figures. Returns the figures."""
    inputs = report["oof_inputs"]
    platt_tok, platt_par = report["calibration"]
    probs = techniques_accurate.calibrated(inputs, list(inputs), platt_tok, platt_par)
    return _readings(model, probs, docs, report["decoding"], report["fold_ids"], cv)


def add_fast_readings(model: Any, oof_logits: dict, fold_ids: list, docs: list[Doc], cv: bool = True) -> dict[str, Any]:
    """:func:`add_readings` for the fast tier, on the out-of-fold logits of its inner folds."""
    def sig(x):
        return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))
    probs = {i: (sig(zt * model.platt_tok[:, 0] + model.platt_tok[:, 1]), sig(zp * model.platt_par[:, 0] + model.platt_par[:, 1]))
             for i, (zt, zp) in oof_logits.items()}
    dec = SimpleNamespace(span_threshold=model.span_threshold, span_units=model.span_units,
                          span_smoothing=model.span_smoothing, needs_content_word=model.span_needs_content_word,
                          paragraph_threshold=np.broadcast_to(np.asarray(model.paragraph_threshold, dtype=np.float64),
                                                              (len(model.labels),)).copy())
    return _readings(model, probs, docs, dec, fold_ids, cv)


def _readings(model: Any, probs: dict, docs: list[Doc], dec: Any, fold_ids: list, cv: bool) -> dict[str, Any]:
    labels = list(model.labels)
    by_id = {d.id: d for d in docs}
    items = [SimpleNamespace(doc=by_id[i], tk=tokenize(by_id[i].text)) for i in probs]
    t0 = time.perf_counter()
    choice = choose_reading(items, probs, labels, dec.paragraph_threshold, dec.span_smoothing, dec.needs_content_word)
    t_search = time.perf_counter() - t0
    # the recall reading: the SI-F1 decoding, with its own span calibration
    peaks, hits = [], []
    for it in items:
        pw = probs[it.doc.id][0]
        sp = decode_spans(it.tk, pw, labels, dec.span_threshold, dec.span_smoothing, dec.span_units,
                          dec.needs_content_word) if len(pw) else []
        peaks.extend(s[3] for s in sp)
        hits.extend(span_hits(sp, gold_spans(it.doc)))
    recall = {"span_threshold": dec.span_threshold,
              "span_units": list(dec.span_units) if dec.span_units is not None else None,
              "span_smoothing": dec.span_smoothing, "span_needs_content_word": dec.needs_content_word,
              "paragraph_threshold": dec.paragraph_threshold,
              "span_calibration": fit_span_calibration(np.array(peaks), np.array(hits))}
    r = choice.reading
    model.span_threshold, model.span_units, model.span_smoothing = r.span_threshold, r.span_units, r.span_smoothing
    model.span_needs_content_word, model.paragraph_threshold = r.span_needs_content_word, r.paragraph_threshold
    model.span_min_peak, model.span_needs_paragraph = r.span_min_peak, r.span_needs_paragraph
    model.span_calibration, model.recall = choice.span_calibration, recall
    out: dict[str, Any] = {"default_reading_out_of_fold": choice.figures, "search_s": round(t_search, 1)}
    if cv:
        pooled = TechniqueScores(protocol=f"{len(fold_ids)}-fold cross-validation by article, "
                                          f"{len(items)} articles; default reading chosen on the other folds (the word "
                                          "calibration and paragraph thresholds on all folds' out-of-fold predictions)")
        for fold in fold_ids:
            held = set(fold)
            rest = [it for it in items if it.doc.id not in held]
            c = choose_reading(rest, probs, labels, dec.paragraph_threshold, dec.span_smoothing,
                               dec.needs_content_word)
            test = [it for it in items if it.doc.id in held]
            for it in test:
                pw, pp = probs[it.doc.id]
                pred = read(it.tk, pw, pp, labels, c.reading, c.span_calibration)
                pooled.add_article(gold_paragraph_labels(it.doc), [list(x) for _, _, x in pred.paragraphs],
                                   gold_spans(it.doc), [(a, b, t) for a, b, t, _ in pred.spans], len(it.doc.text))
        out["cross_validation_default_reading"] = pooled.to_dict()
    return out


def finish_fast(fast_dir: Path, kept: dict[str, Any], docs: list[Doc], cv: bool = True) -> dict[str, Any]:
    """Give the fast model in ``fast_dir`` its readings (:func:`add_fast_readings`,
    on the out-of-fold logits ``kept`` from its training run) and its
    cross-validation figures, rewriting meta.json and the card only (its weight
    files, which an accurate model stacked on it checks, stay as they are)."""
    model = fast.FastModel.load(fast_dir)
    figures = add_fast_readings(model, kept["oof_logits"], kept["fold_ids"], docs, cv=cv)
    meta = read_meta(fast_dir)
    meta = {**{k: v for k, v in meta.items() if k not in artifact.DECODING_KEYS},
            **artifact.fields_meta(model.labels, model.decoding_fields())}
    meta.setdefault("wall_time_s", {})["reading_search"] = figures.pop("search_s")
    meta["selection"] = {**(meta.get("selection") or {}),
                         "default_reading_out_of_fold": figures["default_reading_out_of_fold"]}
    if figures.get("cross_validation_default_reading"):
        meta["metrics"] = {**(meta.get("metrics") or {}),
                           "cross_validation": figures["cross_validation_default_reading"]}
    (Path(fast_dir) / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_model_card(fast_dir)
    return figures


def finish_accurate(data_dir: Path, out: Path, model: Any, report: dict[str, Any], docs: list[Doc], command: str,
                    seed: int, part: str, encoded: dict | None = None, cv_reading: bool = True) -> Path:
    """Add the readings (:func:`add_readings`) to a trained accurate model and write its folder and card."""
    readings = add_readings(model, report, docs, cv=cv_reading)
    pooled = report["cv"]
    logger.info(pooled.format())
    meta = {
        **_meta_head("accurate", data_dir, len(docs), command, seed, part),
        "hyperparameters": report["hyperparameters"],
        "wall_time_s": {**report["wall_time_s"], "reading_search": readings.pop("search_s")},
        "selection": {"span_threshold": report["decoding"].base_span_threshold,
                      "span_smoothing": report["decoding"].span_smoothing, "out_of_fold": report["oof_selection"],
                      "default_reading_out_of_fold": readings["default_reading_out_of_fold"]},
        "metrics": {"cross_validation": readings.get("cross_validation_default_reading"),
                    "cross_validation_recall_reading": pooled.to_dict(),
                    "folds": summarize_folds(report["cv_folds"]),
                    "ablation": {"span_si_without_function_word_rule": prf(report["cv_span_si_without_content_rule"])}},
    }
    profiles = dict(report["oof_profiles"])
    if part != "all":  # the held-out articles' profiles, from the final model (which never saw them)
        for d in forward_part(data_dir):
            profiles[d.id] = model.profile(d.text, (encoded or {}).get(d.id)).astype("float32")
    out.mkdir(parents=True, exist_ok=True)
    written = model.save(out, meta, extra_files=[accurate.save_profiles(out, profiles)])
    write_model_card(out)
    logger.info(f"wrote {out} ({', '.join(written['files'])}); wall time {meta['wall_time_s']}")
    return out


def score_model(docs: list[Doc], model: Any, label: str) -> TechniqueScores:
    """Scores of a trained model (either tier) on annotated ``docs``."""
    def predict(text: str):
        p = model.predict(text)
        return [(a, b, t) for a, b, t, _ in p.spans], [list(d) for _, _, d in p.paragraphs]

    return score_predictions(docs, predict, protocol=f"model {label} ({len(docs)} articles)")


def evaluate_forward(data_dir: Path, model: Any, recall: bool = False, min_score: float | None = None,
                     label: str = "") -> dict[str, Any]:
    """Figures of ``model`` (either tier) on the forward part of ``data_dir`` (the
    newest 20 % of the articles by id), measured through inference: the text of
    each article goes through the model's own path (for the accurate tier the
    encoder pass on onnxruntime, then the numpy head, calibration and reading),
    exactly as ``unspin analyze`` runs it. Besides the scores of
    :class:`~unspin.evaluation.techniques.TechniqueScores`: the highlighted
    share of characters against the annotators', and the calibration (ECE,
    reliability bins) of the paragraph probabilities (over every paragraph and
    technique, and over the labels shown) and of the span scores (against
    "annotators marked the same technique inside the span")."""
    docs = forward_part(data_dir)
    trained_on = (model.meta.get("training_data") or {}).get("part", "all")
    reading = "recall reading" if recall else ("recall reading, scores ≥ %g" % min_score if min_score is not None
                                               else "default reading")
    protocol = (f"forward split: {label or 'model'} ({reading}) on the newest 20 % of the articles by id "
                f"({len(docs)} articles), through inference; trained on "
                + ("the oldest 80 %" if trained_on == "training" else "ALL articles, forward part included: "
                   "these figures are not a measure on new articles"))
    scores = TechniqueScores(protocol=protocol)
    labels = list(model.labels)
    index = {t: j for j, t in enumerate(labels)}
    par_p: list[float] = []
    par_y: list[float] = []
    shown_p: list[float] = []
    shown_y: list[float] = []
    span_p: list[float] = []
    span_y: list[int] = []
    for d in docs:
        t0 = time.perf_counter()
        tk, pw, pp = model.probabilities(d.text)
        pred = model.decode(tk, pw, pp, recall=recall, min_score=min_score)
        scores.seconds += time.perf_counter() - t0
        gold_par = gold_paragraph_labels(d)
        spans = [(a, b, t) for a, b, t, _ in pred.spans]
        scores.add_article(gold_par, [list(x) for _, _, x in pred.paragraphs], gold_spans(d), spans, len(d.text))
        Y = np.zeros_like(pp)
        for k, techs in enumerate(gold_par):
            for t in techs:
                if t in index:
                    Y[k, index[t]] = 1.0
        par_p.extend(pp.ravel().tolist())
        par_y.extend(Y.ravel().tolist())
        for k, (_, _, shown) in enumerate(pred.paragraphs):
            for t, p in shown.items():
                shown_p.append(p)
                shown_y.append(float(t in gold_par[k]))
        span_p.extend(s for *_, s in pred.spans)
        span_y.extend(span_hits(pred.spans, gold_spans(d)))
    calibrated_spans = (model.recall or {}).get("span_calibration") if recall and model.recall else \
        model.span_calibration
    return {**scores.to_dict(), "trained_on": trained_on, "calibration": {
        "paragraph_ece_all": round(expected_calibration_error(par_p, par_y), 4),
        "paragraph_ece_shown": round(expected_calibration_error(shown_p, shown_y), 4),
        "span_ece": round(expected_calibration_error(span_p, span_y), 4),
        "span_scores_calibrated": calibrated_spans is not None,
        "span_precision_observed": round(float(np.mean(span_y)), 4) if span_y else None,
        "reliability": {"paragraph_shown": reliability(shown_p, shown_y), "span": reliability(span_p, span_y)}}}


#: the constant baseline: the most frequent technique of the training part, on every paragraph
BASELINE_TECHNIQUE = "Loaded_Language"


def forward_baseline(data_dir: Path, technique: str = BASELINE_TECHNIQUE) -> dict[str, Any]:
    """The constant baseline on the forward part: every paragraph labelled
    ``technique`` and highlighted whole as one span of it."""
    docs = forward_part(data_dir)
    scores = TechniqueScores(protocol=f"forward split: constant baseline, {technique} on every paragraph, "
                                      f"each paragraph one span ({len(docs)} articles)")
    for d in docs:
        lines = d.lines()
        scores.add_article(gold_paragraph_labels(d), [[technique]] * len(lines), gold_spans(d),
                           [(a, b, technique) for _, a, b in lines], len(d.text))
    return scores.to_dict()


def record_forward(model_dir: Path, report: dict[str, Any], baseline: dict[str, Any], seconds: float) -> None:
    """Write forward figures (:func:`evaluate_forward`) and the baseline into the
    model's meta.json (``metrics.forward``, ``metrics.forward_baseline``) and re-render its card."""
    meta = read_meta(model_dir)
    meta["metrics"] = meta.get("metrics") or {}
    meta["metrics"]["forward"] = {k: v for k, v in report.items() if k != "per_technique"} | {
        "per_technique": report.get("per_technique", {})}
    meta["metrics"]["forward_baseline"] = {k: baseline[k] for k in ("protocol", "paragraph_micro", "span_si",
                                                                     "span_technique_aware", "highlighted_share")}
    meta["wall_time_s"] = {**(meta.get("wall_time_s") or {}), "forward_evaluation": round(seconds, 1)}
    (Path(model_dir) / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_model_card(model_dir)


def format_forward(r: dict[str, Any]) -> str:
    """A plain-text summary of :func:`evaluate_forward`'s figures."""
    lines = [r["protocol"], f"articles: {r['articles']}   paragraphs: {r['paragraphs']}", ""]
    for name, key in (("paragraph micro (official)", "paragraph_micro"), ("span SI", "span_si"),
                      ("span technique-aware", "span_technique_aware")):
        x = r[key]
        lines.append(f"{name:30s} P {x['precision']:.3f}  R {x['recall']:.3f}  F1 {x['f1']:.3f}")
    sh = r.get("highlighted_share") or {}
    if sh:
        lines.append(f"{'highlighted share of chars':30s} {sh['predicted']:.3f} (annotators {sh['annotated']:.3f}, "
                     f"ratio {sh['ratio']})")
    c = r["calibration"]
    lines.append(f"{'calibration (ECE)':30s} paragraphs {c['paragraph_ece_all']:.3f} (labels shown "
                 f"{c['paragraph_ece_shown']:.3f}), spans {c['span_ece']:.3f}"
                 + ("" if c["span_scores_calibrated"] else " (span scores are not calibrated probabilities)"))
    lines.append(f"speed: {r['articles_per_s']:.1f} articles/s (one process, inference incl. the encoder pass)")
    return "\n".join(lines)


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
