"""``unspin train genre|frames|narratives|roles`` and ``unspin eval …``.

The lead wires these click commands into :mod:`unspin.cli`::

    from .cli_framing import eval_framing, train_framing
    for task in ("genre", "frames", "narratives", "roles"):
        train_group.add_command(train_framing(task), task)
        eval_group.add_command(eval_framing(task), task)

(each factory returns a command bound to one task), or registers the
task-argument commands :data:`train_framing_cmd` / :data:`eval_framing_cmd`.
"""

from __future__ import annotations

import json
import platform
import shlex
import time
from datetime import date
from pathlib import Path
from typing import Any

import click

TASKS = ("genre", "frames", "narratives", "roles")
DATA_HELP = {
    "genre": "../shared/data/persuasion-semeval2023-en/train",
    "frames": "../shared/data/persuasion-semeval2023-en/train",
    "narratives": "../shared/data/narratives-semeval2025-en/train",
    "roles": "../shared/data/narratives-semeval2025-en/train",
}
CORPUS = {
    "genre": "SemEval-2023 task 3, English training set (433 articles with genre labels)",
    "frames": "SemEval-2023 task 3, English training set (433 articles with frame labels)",
    "narratives": "SemEval-2025 task 10, English training set (398 articles with narrative labels)",
    "roles": "SemEval-2025 task 10, English training set (413 entity mentions with roles, 105 articles)",
}


def _defaults(task: str) -> dict[str, Any]:
    from .framing import doc, roles

    return dict({"genre": doc.GENRE_DEFAULTS, "frames": doc.FRAMES_DEFAULTS,
                 "narratives": doc.NARRATIVES_DEFAULTS, "roles": roles.ROLES_DEFAULTS}[task])


def run_cv(task: str, data_dir: Path, seed: int, log) -> dict[str, Any]:
    from .framing import data as FD
    from .framing import evaluate as E

    params = _defaults(task)
    if task == "genre":
        return E.cv_genre(FD.load_persuasion(data_dir), seed=seed, log=log, **params)
    if task == "frames":
        return E.cv_frames(FD.load_persuasion(data_dir), FD.frame_inventory(data_dir), seed=seed, log=log, **params)
    if task == "narratives":
        return E.cv_narratives(FD.load_narratives(data_dir), seed=seed, log=log, **params)
    texts, mentions = FD.load_role_mentions(data_dir)
    return E.cv_roles(texts, mentions, FD.role_taxonomy(data_dir), seed=seed, log=log, **params)


def train_task(task: str, data_dir: Path, seed: int, log):
    from .framing import data as FD
    from .framing import doc as D

    params = _defaults(task)
    if task == "genre":
        docs = FD.load_persuasion(data_dir)
        return D.train_genre(D.featurize([d.text for d in docs]), [d.genre for d in docs], seed=seed, log=log,
                             **params), len(docs)
    if task == "frames":
        docs = FD.load_persuasion(data_dir)
        return D.train_frames(D.featurize([d.text for d in docs]), [d.frames for d in docs],
                              FD.frame_inventory(data_dir), seed=seed, log=log, **params), len(docs)
    if task == "narratives":
        docs = FD.load_narratives(data_dir)
        return D.train_narratives(D.featurize([d.text for d in docs]), [d.narratives for d in docs],
                                  [d.subnarratives for d in docs], seed=seed, log=log, **params), len(docs)
    from .framing import evaluate as E
    from .framing import roles as R

    texts, mentions = FD.load_role_mentions(data_dir)
    taxonomy = FD.role_taxonomy(data_dir)
    parent = {fine: main for main, fines in taxonomy.items() for fine in fines}
    lex = R.role_lexicons(taxonomy)
    rows = R.build_rows(E.parse_role_docs(texts, log), mentions, lex)
    return R.train_roles(rows, parent, lex, seed=seed, log=log, **params), len(mentions)


def _data_option(f):
    return click.option("--data", "data_dir", required=True,
                        type=click.Path(exists=True, file_okay=False, path_type=Path),
                        help="Training folder (genre/frames: SemEval-2023 task 3 train; narratives/roles: "
                             "SemEval-2025 task 10 train).")(f)


def _train(task: str, data_dir: Path, output: Path | None, seed: int, cv: bool) -> None:
    from .analyzers.framing import model_dir

    log = lambda m: click.echo(m, err=True)  # noqa: E731
    command = (f"unspin train {task} --data {shlex.quote(str(data_dir))} --seed {seed}" + ("" if cv else " --no-cv")
               + (f" -o {shlex.quote(str(output))}" if output else ""))
    out = output or model_dir(task)
    metrics = None
    t_cv = 0.0
    if cv:
        t0 = time.perf_counter()
        metrics = run_cv(task, data_dir, seed, log)
        t_cv = time.perf_counter() - t0
        click.echo(json.dumps(metrics, indent=2))
    t0 = time.perf_counter()
    model, n = train_task(task, data_dir, seed, log)
    t_train = time.perf_counter() - t0
    meta = {
        "name": f"unspin {task}, fast tier",
        "version": "1",
        "trained": date.today().isoformat(),
        "training_data": {"folder": str(data_dir), "examples": n, "corpus": CORPUS[task]},
        "command": command,
        "seed": seed,
        "hyperparameters": _defaults(task),
        "wall_time_s": {"final_training": round(t_train, 1), "cross_validation": round(t_cv, 1)},
        "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(),
        "metrics": metrics,
    }
    written = model.save(out, meta)
    write_card(out, task)
    size = sum((out / f).stat().st_size for f in written["files"])
    click.echo(f"wrote {out} ({size / 1e6:.1f} MB; final training {t_train:.1f} s)", err=True)


def _eval(task: str, data_dir: Path, seed: int, output: Path | None) -> None:
    log = lambda m: click.echo(m, err=True)  # noqa: E731
    result = run_cv(task, data_dir, seed, log)
    text = json.dumps(result, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    click.echo(text)


def train_framing(task: str) -> click.Command:
    @click.command(name=task, help=f"Train the fast {task} model (data: {DATA_HELP[task]}).")
    @_data_option
    @click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
                  help=f"Model folder to write (default: the packaged src/unspin/models/{task}-fast).")
    @click.option("--seed", type=int, default=13, show_default=True, help="Seed of the fold splits.")
    @click.option("--cv/--no-cv", default=True, show_default=True,
                  help="Also run 5-fold cross-validation by article and store its figures in meta.json.")
    def command(data_dir: Path, output: Path | None, seed: int, cv: bool) -> None:
        _train(task, data_dir, output, seed, cv)

    return command


def eval_framing(task: str) -> click.Command:
    @click.command(name=task, help=f"5-fold cross-validation by article of the fast {task} model "
                                   f"against simple baselines (data: {DATA_HELP[task]}).")
    @_data_option
    @click.option("--seed", type=int, default=13, show_default=True, help="Seed of the fold splits.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the JSON here.")
    def command(data_dir: Path, seed: int, output: Path | None) -> None:
        _eval(task, data_dir, seed, output)

    return command


DESCRIPTION = {
    "genre": "Multinomial logistic regression over hashed word/bigram TF-IDF features, trained with balanced class "
             "weights; its out-of-fold logits and 16 standardised style signals (first/second person, quotation "
             "marks, questions, said-cues, sentence and paragraph length, …) feed a class-balanced stacker, so the "
             "probabilities assume the three genres equally likely.",
    "frames": "One ridge classifier per frame over hashed word/bigram TF-IDF features (dual solve), Platt-scaled on "
              "out-of-fold scores, with per-frame thresholds chosen by coordinate ascent on out-of-fold micro-F1.",
    "narratives": "Ridge classifiers over hashed word/bigram TF-IDF features for the 21 narratives and every "
                  "subnarrative seen in training, Platt-scaled out of fold; hierarchical decoding (narratives within "
                  "the domain of the most probable one, subnarratives under each) with two thresholds chosen on "
                  "out-of-fold samples-F1. Evidence: the sentences adding most to the label's score.",
    "roles": "Three logistic heads (main role, fine roles, framed-or-not) over hashed features of each entity "
             "mention's context in the spaCy parse (dependency relation, governing verb and side, modifiers, "
             "window words, sentence lemmas) and lexicons drawn from the role definitions of "
             "entity-roles-taxonomy.json; calibrated and thresholded out of fold.",
}

LIMITS = {
    "genre": [
        "Trained on 433 articles of which 41 are reporting and 10 satire: the satire class rests on ten examples "
        "and its F1 swings widely between folds.",
        "Probabilities assume the three genres equally likely (class-balanced training and calibration); on a "
        "collection that is almost all opinion this over-calls reporting and satire. "
        "`unspin.framing.doc.genre_under_prior` re-weights them to a known mix.",
        "Below the issue's target (macro-F1 ≥ 0.65 under shift) in cross-validation; see the metrics.",
        "English only; topic words of 2017-2022 news (US politics, Ukraine, COVID, migration) dominate the features.",
    ],
    "frames": [
        "Frames are article-level and multi-label; the 14 labels are judged by annotators with low agreement, so "
        "even perfect models score far below 1.",
        "Thresholds were chosen on out-of-fold micro-F1 and favour recall (about 4 frames per article predicted "
        "vs. 3.7 gold).",
        "Below the issue's target (micro-F1 ≥ 0.72) in cross-validation; see the metrics.",
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
    "roles": [
        "Trained on 413 labelled mentions from 105 articles: accuracy of the main role is at the level of always "
        "answering Antagonist, and fine-role exact match is far below the issue's target (0.45).",
        "Which entities get a role at all is decided by a 'framed' detector trained against the unlabelled named "
        "entities of the same articles (low precision: annotators labelled a selection of mentions).",
        "Roles are decided per mention group (probabilities averaged over the group's mentions): pronouns and "
        "descriptions ('the Russian leader') are not entities and do not vote.",
        "Depends on spaCy en_core_web_sm's entities and parse; misparsed mentions get context features of the "
        "wrong clause.",
    ],
}


def _fmt(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def write_card(model_dir: Path, task: str) -> Path:
    """``CARD.md`` of a trained model, from its ``meta.json``."""
    meta = json.loads((Path(model_dir) / "meta.json").read_text(encoding="utf-8"))
    m = meta.get("metrics") or {}
    lines = [f"# unspin {task} model, fast tier", "", DESCRIPTION[task] + " Numpy only at inference. Format `"
             + str(meta.get("format")) + "`; weight files checked against the SHA-256 in `meta.json` at load "
             "(a mismatch raises `ModelError`).", "",
             "## Data", "", f"{meta['training_data']['corpus']} (`{meta['training_data']['folder']}`), "
             "research data of the SemEval organisers; see `../shared/README.md`.", "",
             "## Training", "", "```bash", meta["command"], "```", "",
             f"Seed {meta['seed']}; hyperparameters `{json.dumps(meta['hyperparameters'])}`; "
             f"wall time {meta['wall_time_s']['final_training']} s for the final model, "
             f"{meta['wall_time_s']['cross_validation']} s for the cross-validation, on {meta['machine']} "
             "(2-core AMD EPYC, shared), trained " + meta["trained"] + ".", ""]
    if m:
        lines += ["## Evaluation", "", "Protocol: " + m.get("protocol", ""), ""]
        rows = []
        if task == "genre":
            rows.append("| system | macro-F1 | macro-F1, uniform mix | macro-F1, 60/30/10 reporting-heavy | accuracy |")
            rows.append("| --- | --- | --- | --- | --- |")
            for name in ("fast", "baseline_tfidf_lr", "baseline_majority"):
                r = m[name]
                rows.append(f"| {name} | {_fmt(r['macro_f1'])} | {_fmt(r['macro_f1_uniform'])} | "
                            f"{_fmt(r['macro_f1_reporting-heavy'])} | {_fmt(r['accuracy'])} |")
            rows.append("")
            rows.append("Per-class F1 (fast): " + ", ".join(f"{k} {_fmt(v)}" for k, v in m["fast"]["per_class_f1"].items()))
        elif task == "frames":
            rows.append("| system | micro-F1 | folds mean ± sd |")
            rows.append("| --- | --- | --- |")
            for name in ("fast", "baseline_tfidf_lr"):
                r = m[name]
                rows.append(f"| {name} | {_fmt(r['micro_f1'])} | {_fmt(r['folds_micro_f1']['mean'])} ± "
                            f"{_fmt(r['folds_micro_f1']['std'])} |")
            rows.append(f"| baseline_frequent_frames | {_fmt(m['baseline_frequent_frames']['micro_f1'])} | |")
        elif task == "narratives":
            rows.append("| system | samples-F1 narratives | samples-F1 subnarratives |")
            rows.append("| --- | --- | --- |")
            for name in ("fast", "baseline_tfidf_lr", "baseline_other"):
                r = m[name]
                rows.append(f"| {name} | {_fmt(r['samples_f1_narratives'])} | {_fmt(r['samples_f1_subnarratives'])} |")
        else:
            rows.append("| system | fine-role exact match | main-role accuracy | main-role macro-F1 |")
            rows.append("| --- | --- | --- | --- |")
            for name in ("fast", "baseline_tfidf_lr", "baseline_majority"):
                r = m[name]
                rows.append(f"| {name} | {_fmt(r['exact_match_fine'])} | {_fmt(r['main_accuracy'])} | "
                            f"{_fmt(r['main_macro_f1'])} |")
            fd = m.get("framed_detector", {})
            rows.append("")
            rows.append(f"'Framed' detector (mention level, {fd.get('mentions')} entity mentions): F1 {fd.get('f1')}, "
                        f"precision {fd.get('precision')}, recall {fd.get('recall')}.")
        lines += rows + ["", "Full figures: `metrics` in `meta.json`.", ""]
    lines += ["## Known limits", ""] + [f"- {x}" for x in LIMITS[task]] + [""]
    path = Path(model_dir) / "CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
