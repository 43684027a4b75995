"""``unspin train techniques`` and ``unspin eval techniques``.

Plain click commands over :mod:`unspin.training.techniques`, added to the
``train`` and ``eval`` groups by :mod:`unspin.cli`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from ..analyzers.techniques import load_techniques_model
from ..training import techniques as training

__all__ = ["eval_techniques", "train_techniques"]

MODELS = ("accurate", "fast")
TRAINABLE = ("accurate", "fast", "both")


def _data_option(f):
    return click.option("--data", "data_dir", required=True,
                        type=click.Path(exists=True, file_okay=False, path_type=Path),
                        help="A SemEval-2023 task 3 folder holding articles/, span-labels/ and "
                             "paragraph-technique-labels.txt (the English training set).")(f)


@click.command(name="techniques")
@_data_option
@click.option("--model", "model_name", type=click.Choice(TRAINABLE), default="accurate", show_default=True,
              help="Which tier to train: the head over the MiniLM encoder, stacked with the packaged "
                   "fast tier (needs PyTorch: pip install torch==2.13.0), the lexical fast tier, or both "
                   "(the fast tier, then the accurate tier stacked on it, into the packaged folders; the "
                   "accurate tier's folds are the fast tier's --inner-folds).")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (default: the packaged src/unspin/models/techniques-<tier>).")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed of the fold splits.")
@click.option("--cv/--no-cv", default=True, show_default=True,
              help="Fast tier: also run 5-fold cross-validation and store its figures in meta.json.")
@click.option("--max-iter", type=click.IntRange(min=1), default=80, show_default=True, help="L-BFGS iterations per fit.")
@click.option("--inner-folds", type=click.IntRange(min=2), default=2, show_default=True,
              help="Folds of the out-of-fold calibration and threshold choice.")
@click.option("--fast-model", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Accurate tier: the fast-tier model folder to stack on (default: the packaged one).")
@click.option("--part", type=click.Choice(training.PARTS), default="training", show_default=True,
              help="Articles to train on: the training part of the forward split (the oldest 80 % by id; "
                   "`unspin eval techniques --forward` measures the model on the newest 20 %), or all of them.")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Accurate tier: cross-validation folds (out-of-fold predictions fit the calibration and decoding).")
@click.option("--members", type=click.IntRange(min=1), default=None,
              help="Accurate tier: heads per ensemble (default: the tier's hyperparameters).")
@click.option("--fold-heads", is_flag=True,
              help="Accurate tier: ship the cross-validation heads as one ensemble instead of a final fit on "
                   "every article (half the training time).")
@click.option("--final-members", type=click.IntRange(min=1), default=None,
              help="With --model both: heads of the final fit on every article (default: --members); the "
                   "cross-validation's heads, --members per fold, only give the out-of-fold predictions.")
@click.option("--unlabelled", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Accurate tier: a folder of unannotated news articles (.txt, UTF-8) for self-training; may be "
                   "repeated. Each head first learns from the annotated articles, labels these, and is retrained "
                   "on both.")
@click.option("--unlabelled-max", type=click.IntRange(min=1), default=None,
              help="At most this many unlabelled articles (a seeded random choice).")
def train_techniques(data_dir: Path, model_name: str, output: Path | None, seed: int, cv: bool, max_iter: int,
                     inner_folds: int, fast_model: Path | None, part: str, folds: int, members: int | None,
                     fold_heads: bool, final_members: int | None, unlabelled: tuple[Path, ...],
                     unlabelled_max: int | None) -> None:
    """Train a persuasion-technique model on SemEval-2023 task 3 data."""
    if final_members and (model_name != "both" or fold_heads):
        raise click.UsageError("--final-members needs --model both without --fold-heads (it sets the final fit's heads)")
    if unlabelled and model_name == "fast":
        raise click.UsageError("--unlabelled self-trains the accurate tier's heads; the fast tier does not use it")
    if model_name == "both":
        if output or fast_model:
            raise click.UsageError("--model both writes the packaged folders: no -o or --fast-model")
        training.train_both(data_dir, seed, max_iter, inner_folds, members, part, fold_heads=fold_heads,
                            final_members=final_members, unlabelled=unlabelled, unlabelled_max=unlabelled_max)
    elif model_name == "accurate":
        training.train_accurate(data_dir, output, seed, fast_model, part, folds, members, fold_heads=fold_heads,
                                unlabelled=unlabelled, unlabelled_max=unlabelled_max)
    else:
        training.train_fast(data_dir, output, seed, cv, max_iter, inner_folds, part)


@click.command(name="techniques")
@_data_option
@click.option("--model", "model_name", type=click.Choice(MODELS), default="accurate", show_default=True)
@click.option("--model-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Score this trained model folder on --data as a gold folder (no cross-validation).")
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--max-iter", type=click.IntRange(min=1), default=80, show_default=True)
@click.option("--inner-folds", type=click.IntRange(min=2), default=2, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--forward", is_flag=True,
              help="Measure the packaged model of --model (or --model-dir) on the forward part of --data "
                   "(the newest 20 %% of the articles by id) through inference, with the highlighted share of "
                   "characters and the calibration (ECE) of its scores.")
@click.option("--recall", is_flag=True, help="With --forward: the model's recall reading instead of the default one.")
@click.option("--record", is_flag=True,
              help="With --forward and --model-dir: write the figures (and the constant baseline's) into the "
                   "model's meta.json and re-render its CARD.md.")
def eval_techniques(data_dir: Path, model_name: str, model_dir: Path | None, seed: int, max_iter: int,
                    inner_folds: int, as_json: bool, forward: bool, recall: bool, record: bool) -> None:
    """Paragraph micro-F1, span F1 (SemEval-2020 t11 formula), per-technique F1, articles/s.

    Without --model-dir: 5-fold cross-validation split by article (each fold
    trains its own model). With --model-dir: scores that model on --data.
    With --forward: the model on the forward part, through inference.
    """
    if record and (not forward or model_dir is None or recall):
        raise click.UsageError("--record needs --forward and --model-dir (and the default reading)")
    if forward:
        fmodel = load_techniques_model(str(model_dir) if model_dir is not None else model_name)
        t0 = time.perf_counter()
        report = training.evaluate_forward(data_dir, fmodel, recall=recall, label=model_dir.name if model_dir else model_name)
        click.echo(json.dumps(report, indent=2) if as_json else training.format_forward(report))
        if record:
            training.record_forward(model_dir, report, training.forward_baseline(data_dir),
                                    time.perf_counter() - t0)
        return
    model = load_techniques_model(str(model_dir)) if model_dir is not None else None
    scores, extra = training.evaluate(data_dir, model_name, model, str(model_dir), seed, max_iter, inner_folds)
    if as_json:
        click.echo(json.dumps({**scores.to_dict(), **extra}, indent=2))
    else:
        click.echo(scores.format())
        for k, v in extra.get("folds", {}).items():
            click.echo(f"{k}: mean {v['mean']:.3f} (folds {', '.join(f'{x:.3f}' for x in v['folds'])})")
