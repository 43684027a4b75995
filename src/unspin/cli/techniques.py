"""``unspin train techniques`` and ``unspin eval techniques``.

Plain click commands, added to the ``train`` and ``eval`` groups by :mod:`unspin.cli`.
"""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

import click

MODELS = ("accurate", "fast")


def _data_option(f):
    return click.option("--data", "data_dir", required=True,
                        type=click.Path(exists=True, file_okay=False, path_type=Path),
                        help="A SemEval-2023 task 3 folder holding articles/, span-labels/ and "
                             "paragraph-technique-labels.txt (e.g. ../shared/data/persuasion-semeval2023-en/train).")(f)


def _meta_head(tier: str, data_dir: Path, n_docs: int, command: str, seed: int) -> dict:
    """The meta.json fields every trained techniques model records."""
    from ..models.artifact import training_meta

    return training_meta(f"unspin techniques, {tier} tier",
                         {"folder": str(data_dir), "articles": n_docs,
                          "corpus": "SemEval-2023 task 3, English training set (articles with span labels)"},
                         command, seed)


@click.command(name="techniques")
@_data_option
@click.option("--model", "model_name", type=click.Choice(MODELS), default="accurate", show_default=True,
              help="Which tier to train: the head over the MiniLM encoder, stacked with the packaged "
                   "fast tier (needs PyTorch: pip install torch==2.13.0), or the lexical fast tier.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (default: the packaged src/unspin/models/techniques-<tier>).")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed of the fold splits.")
@click.option("--cv/--no-cv", default=True, show_default=True,
              help="Also run 5-fold cross-validation and store its figures in meta.json.")
@click.option("--max-iter", type=click.IntRange(min=1), default=80, show_default=True, help="L-BFGS iterations per fit.")
@click.option("--inner-folds", type=click.IntRange(min=2), default=2, show_default=True,
              help="Folds of the out-of-fold calibration and threshold choice.")
@click.option("--fast-model", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Accurate tier: the fast-tier model folder to stack on (default: the packaged one).")
def train_techniques(data_dir: Path, model_name: str, output: Path | None, seed: int, cv: bool, max_iter: int,
                     inner_folds: int, fast_model: Path | None) -> None:
    """Train a persuasion-technique model on SemEval-2023 task 3 data."""
    if model_name == "accurate":
        _train_accurate(data_dir, output, seed, fast_model)
        return
    from ..datasets.semeval2023 import load_corpus
    from ..techniques.fast import default_model_dir
    from ..training.techniques_cv import cross_validate_fast, summarize_folds
    from ..training.techniques_fast import train

    command = (f"unspin train techniques --data {shlex.quote(str(data_dir))} --model {model_name} --seed {seed} "
               f"--max-iter {max_iter} --inner-folds {inner_folds}" + ("" if cv else " --no-cv")
               + (f" -o {shlex.quote(str(output))}" if output else ""))
    out = output or default_model_dir()
    docs = load_corpus(data_dir)
    log = lambda m: click.echo(m, err=True)  # noqa: E731
    t_start = time.perf_counter()
    kwargs = dict(inner_folds=inner_folds, max_iter=max_iter, warm_iter=max(10, max_iter // 2))
    metrics = None
    if cv:
        pooled, per_fold = cross_validate_fast(docs, k=5, seed=seed, log=log, **kwargs)
        metrics = {"cross_validation": pooled.to_dict(), "folds": summarize_folds(per_fold)}
        click.echo(pooled.format())
    t_cv = time.perf_counter() - t_start
    t0 = time.perf_counter()
    model, report = train(docs, seed=seed, log=log, **kwargs)
    t_train = time.perf_counter() - t0
    meta = {
        **_meta_head("fast", data_dir, len(docs), command, seed),
        "hyperparameters": {**kwargs, "l2": 1.0, "l2_paragraph": 1.0, "min_df": 2},
        "wall_time_s": {"final_training": round(t_train, 1), "cross_validation": round(t_cv, 1)},
        "selection": report,
        "metrics": metrics,
    }
    written = model.save(out, meta)
    from ..models.card import write_card

    write_card(out, written)
    click.echo(f"wrote {out} ({', '.join(written['files'])}); final training {t_train:.0f} s", err=True)


def _train_accurate(data_dir: Path, output: Path | None, seed: int, fast_model: Path | None) -> None:
    from ..datasets.semeval2023 import load_corpus
    from ..evaluation.techniques import prf
    from ..models.card import write_card
    from ..techniques.accurate import default_model_dir, save_profiles
    from ..techniques.fast import FastModel
    from ..techniques.fast import load_default as load_fast
    from ..training.techniques_accurate import train
    from ..training.techniques_cv import summarize_folds

    command = (f"unspin train techniques --data {shlex.quote(str(data_dir))} --model accurate --seed {seed}"
               + (f" -o {shlex.quote(str(output))}" if output else "")
               + (f" --fast-model {shlex.quote(str(fast_model))}" if fast_model else ""))
    out = output or default_model_dir()
    docs = load_corpus(data_dir)
    log = lambda m: click.echo(m, err=True)  # noqa: E731
    fast = FastModel.load(fast_model) if fast_model else load_fast()
    model, report = train(docs, seed=seed, log=log, fast=fast)
    pooled = report["cv"]
    click.echo(pooled.format())
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
    written = model.save(out, meta, extra_files=[save_profiles(out, report["oof_profiles"])])
    write_card(out, written)
    click.echo(f"wrote {out} ({', '.join(written['files'])}); wall time {report['wall_time_s']}", err=True)


@click.command(name="techniques")
@_data_option
@click.option("--model", "model_name", type=click.Choice(MODELS), default="accurate", show_default=True)
@click.option("--model-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Score this trained model folder on --data as a gold folder (no cross-validation).")
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--max-iter", type=click.IntRange(min=1), default=80, show_default=True)
@click.option("--inner-folds", type=click.IntRange(min=2), default=2, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_techniques(data_dir: Path, model_name: str, model_dir: Path | None, seed: int, max_iter: int,
                    inner_folds: int, as_json: bool) -> None:
    """Paragraph micro-F1, span F1 (SemEval-2020 t11 formula), per-technique F1, articles/s.

    Without --model-dir: 5-fold cross-validation split by article (each fold
    trains its own model). With --model-dir: scores that model on --data.
    """
    from ..analyzers.techniques import load_techniques_model
    from ..datasets.semeval2023 import load_corpus
    from ..evaluation.techniques import score_predictions
    from ..training.techniques_cv import cross_validate_fast, summarize_folds

    docs = load_corpus(data_dir)
    log = lambda m: click.echo(m, err=True)  # noqa: E731
    if model_dir is not None:
        model = load_techniques_model(str(model_dir))

        def predict(text: str):
            p = model.predict(text)
            return [(a, b, t) for a, b, t, _ in p.spans], [list(d) for _, _, d in p.paragraphs]

        scores = score_predictions(docs, predict, protocol=f"model {model_dir} on {data_dir} ({len(docs)} articles)")
        extra = {}
    elif model_name == "accurate":
        from ..techniques.fast import load_default as load_fast
        from ..training.techniques_accurate import train

        _, report = train(docs, seed=seed, log=log, final=False, fast=load_fast())
        scores, extra = report["cv"], {"folds": summarize_folds(report["cv_folds"])}
    else:
        scores, per_fold = cross_validate_fast(docs, k=5, seed=seed, log=log, inner_folds=inner_folds,
                                               max_iter=max_iter, warm_iter=max(10, max_iter // 2))
        extra = {"folds": summarize_folds(per_fold)}
    if as_json:
        click.echo(json.dumps({**scores.to_dict(), **extra}, indent=2))
    else:
        click.echo(scores.format())
        if extra:
            for k, v in extra["folds"].items():
                click.echo(f"{k}: mean {v['mean']:.3f} (folds {', '.join(f'{x:.3f}' for x in v['folds'])})")
