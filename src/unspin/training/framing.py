"""Training and evaluating the framing models (genre, frames, narratives, roles), as the CLI runs them.

:func:`train` writes a model folder with its ``meta.json`` and card;
:func:`evaluate` returns the cross-validation figures. Progress goes to the
module's logger.
"""

from __future__ import annotations

import logging
import re
import shlex
import time
from pathlib import Path
from typing import Any, Sequence

from ..datasets import framing as FD
from ..datasets.unlabelled import describe, load_unlabelled
from ..errors import ConfigError
from ..framing.accurate import ACCURATE_TASKS
from ..framing.accurate import model_dir as accurate_model_dir
from ..framing.model import FramingModel
from ..models import load as load_models
from ..models import packaged_dir
from ..models.artifact import training_meta
from . import framing_accurate as FA
from . import framing_cv as E
from . import framing_lexical as FL
from . import framing_forward as FF
from . import genre_signals as GS
from . import roles_treatment as RT
from .cards import write_model_card

logger = logging.getLogger(__name__)


TASKS = ("genre", "frames", "narratives", "roles")


#: the training data of the models trained here (genre and roles: :mod:`.genre_signals`, :mod:`.roles_treatment`)
CORPUS = {
    "frames": "SemEval-2023 task 3, English training set: the training part of the forward split (the older 80 % "
              "of the 433 articles with frame labels)",
    "narratives": "SemEval-2025 task 10, English training set: the training part of the forward split (the older "
                  "80 % of each domain's articles with narrative labels, of 398)",
}


#: off-topic negatives for the narratives model must not be about the two domains of its taxonomy: an article
#: naming any of these is left out, so that no climate or Ukraine-war article is taught as "Other"
NARRATIVE_DOMAINS = re.compile(r"\b(?:climat\w*|global warming|greenhouse|carbon|emissions?|fossil|renewables?|"
                               r"ukrain\w*|russia\w*|kremlin|putin\w*|nato|zelensk\w*)\b", re.IGNORECASE)


def load_negatives(folders: Sequence[Path], limit: int | None, seed: int) -> tuple[list[Any], dict[str, Any]]:
    """Off-topic articles for the narratives model (:func:`~unspin.datasets.unlabelled.load_unlabelled`
    without those :data:`NARRATIVE_DOMAINS` finds anything in) and their description for ``meta.json``."""
    docs = load_unlabelled(folders, limit, seed, exclude=NARRATIVE_DOMAINS, purpose="off-topic articles (--negatives)")
    if not docs:
        raise ConfigError(f"--negatives: no article in {', '.join(map(str, folders))} is off the narratives' "
                          "topics (each names climate or the Ukraine war)")
    return docs, {"articles": len(docs), "sources": describe(folders, docs),
                  "rule": "news articles naming neither climate nor the Ukraine war (the regular expression "
                          "NARRATIVE_DOMAINS of unspin.training.framing), taken as Other in every fit; "
                          "calibration and thresholds from the annotated articles only"}


def _defaults(task: str) -> dict[str, Any]:
    return dict({"frames": FL.FRAMES_DEFAULTS, "narratives": FL.NARRATIVES_DEFAULTS}[task])


def _accurate_params(task: str) -> dict[str, Any]:
    if task not in ACCURATE_TASKS:
        raise ConfigError(f"there is no accurate {task} model; use --model fast")
    return dict(FA.FRAMES_ACCURATE_DEFAULTS if task == "frames" else FA.NARRATIVES_ACCURATE_DEFAULTS)


def accurate_inputs(data_dir: Path, task: str = "frames") -> dict[str, Any]:
    """The training articles of an accurate head with their encoder-pass vectors, pooled as the head reads
    them (the encoder runs here, over every training article)."""

    t0 = time.perf_counter()
    docs = FD.load_persuasion(data_dir) if task == "frames" else FD.load_narratives(data_dir)
    params = _accurate_params(task)
    out: dict[str, Any] = {"docs": docs, "vecs": FA.article_vectors([d.text for d in docs], params["layers"],
                                                                     params.get("pooling", ("mean",)))}
    out["encode_s"] = round(time.perf_counter() - t0, 1)
    return out


def run_cv_accurate(task: str, data_dir: Path, seed: int) -> dict[str, Any]:
    """Cross-validation of the accurate frames head or narratives stack beside the fast model, on the same folds
    (over the training part of the forward split, with the forward figures, for narratives)."""
    params = _accurate_params(task)
    inp = accurate_inputs(data_dir, task)
    if task == "narratives":
        return _forward_train(task, data_dir, seed, True, "accurate", inp["vecs"])[2]
    return E.cv_frames_accurate(inp["docs"], FD.frame_inventory(data_dir), inp["vecs"], seed=seed, **params)


#: forward-split targets of the framing models (what "on by default" needs)
TARGETS = {"frames": 0.72, "narratives": 0.58}


def forward_figures(task: str, metrics: dict[str, Any], system: str) -> list[dict[str, Any]]:
    """The card's figures (CV beside forward, the simple baseline, the target) of a frames or narratives model."""
    fw = metrics["forward"]
    cv = metrics.get(system) or {}
    ece = {"metric": "expected calibration error of the label probabilities (lower is better)",
           "forward": fw["reliability"]["ece"], "target": "≤ 0.05"}
    if task == "frames":
        base = fw["baseline_constant"]
        return [{"metric": "micro-F1", "cross_validation": cv.get("micro_f1"), "forward": fw["micro_f1"],
                 "baseline": base["micro_f1"], "baseline_name": "always " + ", ".join(base["frames"]),
                 "target": f"≥ {TARGETS['frames']:.2f}"}, ece]
    rows = [{"metric": "samples-F1, narratives (coarse)", "cross_validation": cv.get("samples_f1_narratives"),
             "forward": fw["samples_f1_narratives"], "baseline": fw["baseline_other"]["samples_f1_narratives"],
             "baseline_name": "always Other", "target": f"≥ {TARGETS['narratives']:.2f}"},
            {"metric": "samples-F1, subnarratives (fine)", "cross_validation": cv.get("samples_f1_subnarratives"),
             "forward": fw["samples_f1_subnarratives"],
             "baseline": fw["baseline_other"]["samples_f1_subnarratives"], "baseline_name": "always Other"}]
    for a, b in (("UA", "CC"), ("CC", "UA")):
        r = metrics.get(f"cross_domain_{a}_to_{b}")
        if r:
            rows.append({"metric": f"samples-F1, narratives, fitted on {a} and measured on {b}",
                         "forward": r["samples_f1_narratives"],
                         "baseline": r["baseline_other"]["samples_f1_narratives"], "baseline_name": "always Other"})
    return rows + [ece]


def _forward_train(task: str, data_dir: Path, seed: int, cv: bool, tier: str = "fast",
                   vecs: Any = None, negatives: Sequence[Any] = ()) -> tuple[Any, int, dict[str, Any]]:
    """Frames or narratives: the model fitted on the training part of the forward split, its number of
    training articles and its metrics (CV on the training part beside the forward part)."""
    if task == "frames":
        docs = FD.load_persuasion(data_dir)
        params = _accurate_params(task) if tier == "accurate" else _defaults(task)
        model, out = FF.frames_forward(docs, FD.frame_inventory(data_dir), tier, seed, vecs=vecs, params=params, cv=cv)
    elif tier == "accurate":
        fast_dir = packaged_dir(f"{task}-fast")
        fast = load_models(fast_dir, FramingModel.load, task)
        model, out = FF.narratives_forward_accurate(FD.load_narratives(data_dir), vecs, fast, fast_dir, seed,
                                                    _accurate_params(task), fast.meta.get("hyperparameters"), cv=cv)
    else:
        model, out = FF.narratives_forward(FD.load_narratives(data_dir), seed, _defaults(task), cv=cv,
                                           negatives=[d.text for d in negatives])
    metrics = dict(out.pop("cross_validation", None) or {}, **out)
    metrics["figures"] = forward_figures(task, metrics, tier)
    return model, int(metrics["forward"]["training_articles"]), metrics


def _train_accurate(task: str, data_dir: Path, output: Path | None, seed: int, cv: bool) -> Path:
    """The accurate frames head or narratives stack, fitted on the training part of the forward split and measured
    forward (the narratives stack over the packaged fast narratives model, which must be fitted on that part)."""
    _accurate_params(task)
    command = (f"unspin train {task} --model accurate --data {shlex.quote(str(data_dir))} --seed {seed}"
               + ("" if cv else " --no-cv") + (f" -o {shlex.quote(str(output))}" if output else ""))
    out = output or accurate_model_dir(task)
    t0 = time.perf_counter()
    inputs = accurate_inputs(data_dir, task)
    t_enc = time.perf_counter() - t0
    model, n, metrics = _forward_train(task, data_dir, seed, cv, "accurate", inputs["vecs"])
    t_train, t_cv = metrics.pop("fit_s", 0.0), metrics.pop("cv_s", 0.0)
    meta = {
        **training_meta(f"unspin {task}, accurate tier",
                        {"folder": str(data_dir), "examples": n, "corpus": CORPUS[task]}, command, seed),
        "hyperparameters": _accurate_params(task),
        "wall_time_s": {"encoder_pass": round(t_enc, 1), "final_training": round(t_train, 1),
                        "cross_validation": round(t_cv, 1)},
        "metrics": metrics,
    }
    written = model.save(out, meta)
    write_model_card(out)
    size = sum((out / f).stat().st_size for f in written["files"])
    logger.info(f"wrote {out} ({size / 1e6:.1f} MB; encoder pass {t_enc:.1f} s, final training {t_train:.1f} s)")
    return out


def _train(task: str, data_dir: Path, output: Path | None, seed: int, cv: bool,
           negatives: Sequence[Path] = (), negatives_max: int | None = None) -> Path:
    """The fast frames or narratives model, fitted on the training part of the forward split and measured forward
    (narratives: with off-topic ``negatives`` as Other, if given)."""
    command = (f"unspin train {task} --data {shlex.quote(str(data_dir))} --seed {seed}" + ("" if cv else " --no-cv")
               + "".join(f" --negatives {shlex.quote(str(f))}" for f in negatives)
               + (f" --negatives-max {negatives_max}" if negatives_max else "")
               + (f" -o {shlex.quote(str(output))}" if output else ""))
    out = output or packaged_dir(f"{task}-fast")
    neg_docs, neg_meta = load_negatives(negatives, negatives_max, seed) if negatives else ([], None)
    t0 = time.perf_counter()
    model, n, metrics = _forward_train(task, data_dir, seed, cv, negatives=neg_docs)
    t_all = time.perf_counter() - t0
    t_cv = metrics.pop("cv_s", 0.0)
    t_train = metrics.pop("fit_s", round(t_all - t_cv, 1))
    meta = {
        **training_meta(f"unspin {task}, fast tier",
                        {"folder": str(data_dir), "examples": n, "corpus": CORPUS[task],
                         **({"negatives": neg_meta} if neg_meta else {})}, command, seed),
        "hyperparameters": _defaults(task),
        "wall_time_s": {"final_training": round(t_train, 1), "cross_validation": round(t_cv, 1)},
        "metrics": metrics,
    }
    written = model.save(out, meta)
    write_model_card(out)
    size = sum((out / f).stat().st_size for f in written["files"])
    logger.info(f"wrote {out} ({size / 1e6:.1f} MB; final training {t_train:.1f} s)")
    return out


def train(task: str, data_dir: Path, tier: str = "fast", output: Path | None = None, seed: int = 13,
          cv: bool = True, negatives: Sequence[Path] = (), negatives_max: int | None = None) -> Path:
    """Train the ``tier`` model of ``task`` on ``data_dir`` and write its folder (default: the packaged one).
    Genre has one model (writing signals, fitted on the training part of the forward split) whatever the tier;
    roles have one model for both tiers, read from the article's treatment of each entity (:mod:`.roles_treatment`)."""
    if negatives and (task != "narratives" or tier == "accurate"):
        raise ConfigError("--negatives: only for the fast narratives model")
    if task == "genre":
        return GS.train(data_dir, output, seed)
    if task == "roles":
        return RT.train(data_dir, output, seed, cv)
    if tier == "accurate":
        return _train_accurate(task, data_dir, output, seed, cv)
    return _train(task, data_dir, output, seed, cv, negatives, negatives_max)


def evaluate(task: str, data_dir: Path, seed: int = 13, tier: str = "fast", negatives: Sequence[Path] = (),
             negatives_max: int | None = None) -> dict[str, Any]:
    """Cross-validation figures of the ``tier`` model of ``task`` (see :mod:`.framing_cv`); genre, fast frames
    and narratives: the cross-validation over the training part beside the forward figures
    (:mod:`.genre_signals`, :mod:`.framing_forward`); roles: forward, cross-domain and cross-validation
    figures (:mod:`.roles_treatment`)."""
    if negatives and (task != "narratives" or tier == "accurate"):
        raise ConfigError("--negatives: only for the fast narratives model")
    if task == "genre":
        return GS.measure(data_dir, seed)[1]["metrics"]
    if task == "roles":
        return RT.evaluate(data_dir, seed)
    if tier != "accurate":
        neg_docs = load_negatives(negatives, negatives_max, seed)[0] if negatives else []
        return _forward_train(task, data_dir, seed, True, negatives=neg_docs)[2]
    return run_cv_accurate(task, data_dir, seed)
