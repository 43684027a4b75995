"""``unspin train genre|frames|narratives|roles`` and ``unspin eval …``.

Each factory returns a click command bound to one task; :mod:`unspin.cli` adds
them to the ``train`` and ``eval`` groups.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..training import framing as training
from ..training.framing import TASKS

__all__ = ["TASKS", "eval_framing", "train_framing"]

DATA_HELP = {
    "genre": "../shared/data/persuasion-semeval2023-en/train",
    "frames": "../shared/data/persuasion-semeval2023-en/train",
    "narratives": "../shared/data/narratives-semeval2025-en/train",
    "roles": "../shared/data/narratives-semeval2025-en/train",
}


def _model_option(f):
    return click.option("--model", "tier", type=click.Choice(["fast", "accurate"]), default="fast",
                        show_default=True,
                        help="Tier: 'fast' (lexical) or 'accurate' (frames: a head over the shared MiniLM encoder "
                             "pass; narratives: a head over that pass stacked on the fast model, trained and "
                             "measured but not shipped; genre and roles have one model for both tiers).")(f)


def _data_option(f):
    return click.option("--data", "data_dir", required=True,
                        type=click.Path(exists=True, file_okay=False, path_type=Path),
                        help="Training folder (genre/frames: SemEval-2023 task 3 train; narratives/roles: "
                             "SemEval-2025 task 10 train).")(f)


def _negatives_options(task: str):
    """``--negatives`` and ``--negatives-max``, for the fast narratives model only."""
    def apply(f):
        if task != "narratives":
            return f
        f = click.option("--negatives-max", type=click.IntRange(min=1), metavar="N",
                         help="At most N of those articles (a seeded choice).")(f)
        return click.option("--negatives", type=click.Path(exists=True, file_okay=False, path_type=Path),
                            multiple=True,
                            help="Folder of off-topic news articles (.txt) to learn 'Other' from: those that name "
                                 "neither climate nor the Ukraine war join every fit (fast tier; repeatable).")(f)
    return apply


def _negatives(task: str, tier: str, kw: dict) -> dict:
    folders, limit = tuple(kw.get("negatives") or ()), kw.get("negatives_max")
    if limit and not folders:
        raise click.UsageError("--negatives-max: give the folders with --negatives")
    if folders and tier != "fast":
        raise click.UsageError("--negatives: only for the fast narratives model")
    return {"negatives": folders, "negatives_max": limit} if folders else {}


def train_framing(task: str) -> click.Command:
    @click.command(name=task, help=f"Train the {task} model (data: {DATA_HELP[task]}).")
    @_data_option
    @_model_option
    @click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
                  help=f"Model folder to write (default: the packaged src/unspin/models/{task}-<tier>).")
    @click.option("--seed", type=int, default=13, show_default=True, help="Seed of the fold splits.")
    @click.option("--cv/--no-cv", default=True, show_default=True,
                  help="Also run 5-fold cross-validation by article and store its figures in meta.json.")
    @_negatives_options(task)
    def command(data_dir: Path, tier: str, output: Path | None, seed: int, cv: bool, **kw) -> None:
        training.train(task, data_dir, tier, output, seed, cv, **_negatives(task, tier, kw))

    return command


def eval_framing(task: str) -> click.Command:
    @click.command(name=task, help=f"5-fold cross-validation by article of the {task} model (fast: against "
                                   f"simple baselines; accurate: against the fast model on the same folds; genre, frames and "
                                   f"narratives: over the training part of the forward split, the forward "
                                   f"figures beside; "
                                   f"data: {DATA_HELP[task]}).")
    @_data_option
    @_model_option
    @click.option("--seed", type=int, default=13, show_default=True, help="Seed of the fold splits.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the JSON here.")
    @_negatives_options(task)
    def command(data_dir: Path, tier: str, seed: int, output: Path | None, **kw) -> None:
        text = json.dumps(training.evaluate(task, data_dir, seed, tier, **_negatives(task, tier, kw)), indent=2)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
        click.echo(text)

    return command


