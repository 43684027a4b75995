"""Forward-split measurement of the frames and narratives models.

The shipped models are fitted on the *training part* of the forward split
(:mod:`unspin.datasets.splits`) and measured on the *forward part*, through the
same inference functions the analyzers call; cross-validation over the
training part stands beside. Every threshold and calibration comes from inner
folds of the training part.

* frames (SemEval-2023 task 3): training part the 344 older articles, forward
  part the 89 newest; micro-F1 pooled over (article, frame) decisions;
* narratives (SemEval-2025 task 10): training part the older 80 % of each
  domain, forward part the newest 20 % (newest fifth); also cross-domain
  (fitted on one domain, measured on the other, both ways); samples-F1 of
  narratives (coarse) and subnarratives (fine).

Calibration: reliability tables and ECE of the per-label probabilities on the
forward part (:mod:`.forward`).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Sequence

import numpy as np

from ..datasets.framing import LabelledDoc
from ..datasets.splits import semeval2023_parts, semeval2025_cross_domain, semeval2025_parts
from ..framing import doc as D
from ..framing.metrics import micro_f1, samples_f1
from . import framing_cv as E
from . import framing_lexical as FL
from .forward import bootstrap_ci, label_hits, reliability
from .framing_accurate import train_frames_accurate, train_narratives_accurate

logger = logging.getLogger(__name__)


def _frequent(gold: Sequence[Sequence[str]], labels: Sequence[str]) -> list[str]:
    """The best constant answer on the training part: the most frequent frames, added while they raise its
    micro-F1 there (the simple baseline; chosen on the training part only)."""
    order = sorted(labels, key=lambda lab: -sum(lab in g for g in gold))
    best: list[str] = []
    score = 0.0
    for lab in order:
        s = micro_f1(gold, [best + [lab]] * len(gold))
        if s <= score:
            break
        best, score = best + [lab], s
    return best


def _micro_ci(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> tuple[float, float]:
    return bootstrap_ci(lambda idx: micro_f1([gold[i] for i in idx], [pred[i] for i in idx]), len(gold))


def frames_forward(docs: Sequence[LabelledDoc], labels: Sequence[str], tier: str = "fast", seed: int = 13,
                   vecs: np.ndarray | None = None, params: dict[str, Any] | None = None, cv: bool = True):
    """``(model fitted on the training part, metrics)``: forward micro-F1 through inference, CV on the
    training part, the frequent-frames baseline, reliability of the frame probabilities."""
    idx_tr, idx_fw = semeval2023_parts(list(range(len(docs))), lambda i: docs[i].id)
    tr, fw = [docs[i] for i in idx_tr], [docs[i] for i in idx_fw]
    params = dict(params or (FL.FRAMES_DEFAULTS if tier == "fast" else {}))
    t0 = time.perf_counter()
    feats_tr, feats_fw = FL.featurize([d.text for d in tr]), FL.featurize([d.text for d in fw])
    g_tr, g_fw = [d.frames for d in tr], [d.frames for d in fw]
    if tier == "accurate":
        assert vecs is not None
        v_tr, v_fw = vecs[idx_tr], vecs[idx_fw]
        params = {k: v for k, v in params.items() if k != "layers"}
        model = train_frames_accurate(feats_tr, v_tr, g_tr, labels, seed=seed, **params)
        P = np.array([model.proba(f, v) for f, v in zip(feats_fw, v_fw, strict=True)])
        pred = [sorted(model.predict(f, v)) for f, v in zip(feats_fw, v_fw, strict=True)]
        head_labels = model.labels
    else:
        model = FL.train_frames(feats_tr, g_tr, labels, seed=seed, **params)
        head = model.heads["frames"]
        P = np.array([head.proba(*model.vocab.vector(f.ids, f.counts)) for f in feats_fw])
        pred = [sorted(p) for p in D.frames_predict(model, feats_fw)]
        head_labels = head.labels
    t_fit = time.perf_counter() - t0
    top = _frequent(g_tr, labels)
    forward = {"protocol": f"fitted on the {len(tr)} older articles, measured on the {len(fw)} newest",
               "articles": len(fw), "training_articles": len(tr), "micro_f1": round(micro_f1(g_fw, pred), 4), "micro_f1_ci95": _micro_ci(g_fw, pred),
               "mean_predicted": round(float(np.mean([len(p) for p in pred])), 2),
               "mean_gold": round(float(np.mean([len(g) for g in g_fw])), 2),
               "baseline_constant": {"frames": top, "micro_f1": round(micro_f1(g_fw, [top] * len(fw)), 4)},
               "reliability": reliability(P, label_hits(P, g_fw, head_labels))}
    out: dict[str, Any] = {"forward": forward, "fit_s": round(t_fit, 1)}
    if cv:
        t0 = time.perf_counter()
        if tier == "accurate":
            r = E.cv_frames_accurate(tr, labels, vecs[idx_tr], seed=seed, **params)
        else:
            r = E.cv_frames(tr, labels, seed=seed, **params)
        out["cross_validation"] = r
        out["cv_s"] = round(time.perf_counter() - t0, 1)
    return model, out


def narratives_forward(docs: Sequence[LabelledDoc], seed: int = 13, params: dict[str, Any] | None = None,
                       cv: bool = True, negatives: Sequence[str] = ()):
    """``(model fitted on the training part, metrics)``: newest-fifth forward and cross-domain figures; the
    off-topic ``negatives`` (texts) join every fit, cross-validation folds included."""
    params = dict(params or FL.NARRATIVES_DEFAULTS)
    feats = FL.featurize([d.text for d in docs])
    neg = FL.featurize(negatives)
    idx = list(range(len(docs)))

    def fit_measure(train: list[int], test: list[int], what: str, reliability_too: bool = False):
        t0 = time.perf_counter()
        model = FL.train_narratives([feats[i] for i in train], [docs[i].narratives for i in train],
                                    [docs[i].subnarratives for i in train], seed=seed, negatives=neg, **params)
        gn, gs = [docs[i].narratives for i in test], [docs[i].subnarratives for i in test]
        pred = [FL.narrative_sets(D.narratives_decide(model, feats[i])) for i in test]
        pn, ps = [p[0] for p in pred], [p[1] for p in pred]
        r: dict[str, Any] = {
            "protocol": what, "articles": len(test), "training_articles": len(train),
            "samples_f1_narratives": round(samples_f1(gn, pn), 4),
            "samples_f1_narratives_ci95": bootstrap_ci(
                lambda b: samples_f1([gn[i] for i in b], [pn[i] for i in b]), len(test)),
            "samples_f1_subnarratives": round(samples_f1(gs, ps), 4),
            "baseline_other": {"samples_f1_narratives": round(samples_f1(gn, [["Other"]] * len(test)), 4),
                               "samples_f1_subnarratives": round(samples_f1(gs, [["Other"]] * len(test)), 4)},
            "wall_time_s": round(time.perf_counter() - t0, 1)}
        if reliability_too:
            head = model.heads["narratives"]
            P = np.array([D.narratives_proba(model, feats[i])[0] for i in test])
            r["reliability"] = reliability(P, label_hits(P, gn, head.labels))
        return model, r

    name = lambda i: docs[i].id  # noqa: E731
    tr, fw = semeval2025_parts(idx, name)
    model, forward = fit_measure(tr, fw, f"fitted on the older 80 % of each domain ({len(tr)} articles), measured "
                                         f"on the newest 20 % ({len(fw)})", reliability_too=True)
    out: dict[str, Any] = {"forward": forward}
    for dom, other in (("UA", "CC"), ("CC", "UA")):
        a, b = semeval2025_cross_domain(idx, name, dom)
        out[f"cross_domain_{dom}_to_{other}"] = fit_measure(a, b, f"fitted on the {dom} domain ({len(a)} articles), "
                                                                  f"measured on {other} ({len(b)})")[1]
    if cv:
        t0 = time.perf_counter()
        out["cross_validation"] = E.cv_narratives([docs[i] for i in tr], seed=seed, negatives=neg, **params)
        out["cv_s"] = round(time.perf_counter() - t0, 1)
    return model, out


def narratives_forward_accurate(docs: Sequence[LabelledDoc], vecs: np.ndarray, fast: Any, fast_folder: Any,
                                seed: int = 13, params: dict[str, Any] | None = None,
                                fast_params: dict[str, Any] | None = None, cv: bool = True):
    """``(stack fitted on the training part, metrics)``: the narratives stack over the shipped fast model
    ``fast`` (which must have been fitted on the same training part), measured on the newest fifth through
    :meth:`~unspin.framing.accurate.NarrativesStack.decide`, beside the fast model on the same articles (the
    guard: the stack ships only if not worse there); cross-validation over the training part beside (the choice).
    No cross-domain figures: the stack needs a fast model of the same articles under it."""
    params = {k: v for k, v in dict(params or {}).items() if k != "layers"}
    fast_params = dict(fast_params or FL.NARRATIVES_DEFAULTS)
    feats = FL.featurize([d.text for d in docs])
    tr, fw = semeval2025_parts(list(range(len(docs))), lambda i: docs[i].id)
    if int((fast.meta.get("training_data") or {}).get("examples", -1)) != len(tr):
        raise ValueError("the fast narratives model under the stack must be fitted on the training part "
                         f"({len(tr)} articles); retrain it first with `unspin train narratives`")
    t0 = time.perf_counter()
    model = train_narratives_accurate([feats[i] for i in tr], vecs[tr], [docs[i].narratives for i in tr],
                                      [docs[i].subnarratives for i in tr], fast, fast_folder, seed=seed,
                                      fast_params=fast_params, **params)
    t_fit = time.perf_counter() - t0
    gn, gs = [docs[i].narratives for i in fw], [docs[i].subnarratives for i in fw]
    pred = [FL.narrative_sets(model.decide(feats[i], vecs[i])) for i in fw]
    fast_pred = [FL.narrative_sets(D.narratives_decide(fast, feats[i])) for i in fw]
    pn = [p[0] for p in pred]
    P = np.array([model.proba(feats[i], vecs[i])[0] for i in fw])
    forward = {
        "protocol": f"fitted on the older 80 % of each domain ({len(tr)} articles), measured on the newest 20 % "
                    f"({len(fw)})",
        "articles": len(fw), "training_articles": len(tr),
        "samples_f1_narratives": round(samples_f1(gn, pn), 4),
        "samples_f1_narratives_ci95": bootstrap_ci(lambda b: samples_f1([gn[i] for i in b], [pn[i] for i in b]),
                                                   len(fw)),
        "samples_f1_subnarratives": round(samples_f1(gs, [p[1] for p in pred]), 4),
        "fast": {"samples_f1_narratives": round(samples_f1(gn, [p[0] for p in fast_pred]), 4),
                 "samples_f1_subnarratives": round(samples_f1(gs, [p[1] for p in fast_pred]), 4)},
        "baseline_other": {"samples_f1_narratives": round(samples_f1(gn, [["Other"]] * len(fw)), 4),
                           "samples_f1_subnarratives": round(samples_f1(gs, [["Other"]] * len(fw)), 4)},
        "reliability": reliability(P, label_hits(P, gn, model.narrative_labels))}
    out: dict[str, Any] = {"forward": forward, "fit_s": round(t_fit, 1)}
    if cv:
        t0 = time.perf_counter()
        out["cross_validation"] = E.cv_narratives_accurate([docs[i] for i in tr], vecs[tr], seed=seed,
                                                           fast_params=fast_params, **params)
        out["cv_s"] = round(time.perf_counter() - t0, 1)
    return model, out
