"""Training and cross-validation of the accurate tier (needs PyTorch: the
``train`` extra, ``pip install torch==2.13.0``).

The encoder stays frozen: every article goes through the shared pass once
(:func:`encode_docs`, about 9 articles/s on 2 cores), and only the small head
of :mod:`unspin.techniques.accurate` is trained, so a 5-fold
cross-validation plus the final fit take minutes on a laptop CPU instead of
the hours a full fine-tune of the encoder would take there.

One run of :func:`train`:

1. 5-fold cross-validation split by article (:func:`~unspin.evaluation.techniques.kfold_by_article`):
   each fold's heads (``members`` of them, seeds ``seed``, ``seed + 1``, …,
   logits averaged) are trained on the other four folds and predict the
   held-out fold with the numpy inference code that ships;
2. with a fast-tier model to stack on, the fast tier is cross-fitted on the
   same folds (its own hyperparameters) for out-of-fold fast logits;
   the stacked calibration per technique (:func:`~unspin.techniques.accurate.stack_inputs`;
   Platt scaling of the head's logits alone without a fast model), the
   default thresholds and the span smoothing radius are fitted on these
   out-of-fold logits. The reported
   cross-validation figures are *cross-fitted*: the articles of fold *i* are
   scored with calibration, thresholds and radius fitted on the other folds'
   out-of-fold logits only; the out-of-fold technique profiles of all
   articles are kept for models stacked on this one (the genre head);
3. the final heads are trained on all articles with the same seeds
   (``final_members`` of them: the cross-validation's heads only supply the
   out-of-fold predictions, so the shipped ensemble may be larger; the
   standard refit after cross-validation, each head seeing every article).

Self-training (``unlabelled`` articles, optional): every head above is
trained twice. The first (the teacher) learns from the annotated articles
only; it then labels the unlabelled news articles with soft targets (its
probabilities with the ``pos_weight`` bias removed, :func:`pseudo_labelled`),
and the head kept (the student) learns from the annotated articles and those
together. A fold's teacher never sees the fold's articles, so the
out-of-fold predictions, and every figure made from them, stay honest.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np

from ..datasets.semeval2023 import Doc
from ..errors import ModelError
from ..evaluation.techniques import TechniqueScores, gold_paragraph_labels
from ..neural.layers import sigmoid
from ..neural.shared import EncodedText, EncoderSpec, default_threads, encode, shared_encoder
from ..techniques.accurate import (
    PARAM_NAMES,
    AccurateModel,
    HeadEnsemble,
    TaggerHead,
    calibrate,
    stack_inputs,
    technique_profile,
    word_paragraphs,
)
from ..techniques.fast import FastModel
from ..techniques.text import Tokens, tokenize
from .folds import kfold_by_article
from .linear import fit_calibration_columns
from .techniques_decoding import choose_thresholds, score_decoding
from .techniques_fast import cross_fitted_logits

logger = logging.getLogger(__name__)


#: Hyperparameters (chosen on one fold of the training data, see the model card).
DEFAULTS: dict[str, Any] = {"hidden": 256, "kernel": 5, "epochs": 10, "max_lr": 2e-3, "weight_decay": 1e-2,
                            "pos_weight": 3.0, "dropout_in": 0.1, "dropout": 0.2, "members": 3}



def _torch():
    try:
        import torch
    except ImportError:
        raise ModelError("training the accurate tier needs PyTorch: pip install torch==2.13.0 "
                         "(the 'train' extra); inference does not") from None
    return torch


@dataclass
class Item:
    doc: Doc
    tk: Tokens
    x: np.ndarray  # words × features
    y: np.ndarray  # words × labels (inside a gold span)
    par: np.ndarray  # paragraph index of each word
    py: np.ndarray  # paragraphs × labels
    gold_par: list[list[str]]


def encode_docs(docs: Sequence[Doc], base: bool = False) -> dict[str, EncodedText]:
    """The shared encoder pass over every article (float16 to halve memory); ``base``:
    the package's weights alone, without the shipped fine-tuned layers."""
    enc = shared_encoder(base=base)
    out: dict[str, EncodedText] = {}
    t0 = time.perf_counter()
    for i, d in enumerate(docs):
        e = encode(d.text, enc)
        e.pieces.vectors = e.pieces.vectors.astype(np.float16)
        out[d.id] = e
        if (i + 1) % 100 == 0:
            logger.info(f"  encoded {i + 1}/{len(docs)} articles ({time.perf_counter() - t0:.0f} s)")
    return out


def prepare(docs: Sequence[Doc], labels: Sequence[str], encoded: dict[str, EncodedText],
            spec: EncoderSpec) -> list[Item]:
    index = {t: j for j, t in enumerate(labels)}
    items = []
    for d in docs:
        tk = tokenize(d.text)
        x = encoded[d.id].pool(tk.start, tk.end, spec.layers).astype(np.float32)
        st, en = np.asarray(tk.start), np.asarray(tk.end)
        y = np.zeros((len(tk.text), len(labels)), dtype=np.float32)
        for s in d.spans:
            if s.technique in index:
                y[(st < s.end) & (en > s.start), index[s.technique]] = 1.0
        gold_par = gold_paragraph_labels(d)
        py = np.zeros((len(tk.lines), len(labels)), dtype=np.float32)
        for k, techs in enumerate(gold_par):
            for t in techs:
                if t in index:  # the gold files hold a few misspelt labels
                    py[k, index[t]] = 1.0
        items.append(Item(d, tk, x, y, word_paragraphs(tk), py, gold_par))
    return items


def _torch_head(torch, d_in: int, n_labels: int, cfg: dict[str, Any]):
    nn = torch.nn
    H, K = int(cfg["hidden"]), int(cfg["kernel"])

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.drop_in = nn.Dropout(cfg["dropout_in"])
            self.inp = nn.Linear(d_in, H)
            self.conv = nn.Conv1d(H, H, K, padding=K // 2)
            self.act = nn.GELU(approximate="tanh")
            self.drop = nn.Dropout(cfg["dropout"])
            self.tok = nn.Linear(2 * H, n_labels)
            self.par = nn.Linear(2 * H + n_labels, n_labels)

        def forward(self, x, par, n_par: int):
            h = self.act(self.inp(self.drop_in(x)))
            c = self.act(self.conv(h.T[None])[0].T)
            g = self.drop(torch.cat([h, c], 1))
            zt = self.tok(g)
            m = par >= 0
            idx = par[m]
            cnt = torch.zeros(n_par).index_add_(0, idx, torch.ones(len(idx)))
            mean = torch.zeros(n_par, g.shape[1]).index_add_(0, idx, g[m]) / cnt.clamp(min=1)[:, None]
            mx = torch.full((n_par, n_labels), -30.0).scatter_reduce(
                0, idx[:, None].expand(-1, n_labels), zt[m], reduce="amax", include_self=True)
            return zt, self.par(torch.cat([mean, mx], 1))

        def _named(self) -> dict[str, Any]:
            return {"in_w": self.inp.weight, "in_b": self.inp.bias, "conv_w": self.conv.weight,
                    "conv_b": self.conv.bias, "tok_w": self.tok.weight, "tok_b": self.tok.bias,
                    "par_w": self.par.weight, "par_b": self.par.bias}

        def numpy_params(self) -> dict[str, np.ndarray]:
            p = self._named()
            return {k: p[k].detach().cpu().numpy().astype(np.float32) for k in PARAM_NAMES}

        def load_numpy_params(self, params: dict[str, np.ndarray]) -> None:
            """Start from a trained head's weights (:meth:`numpy_params`' layout)."""
            with torch.no_grad():
                for k, t in self._named().items():
                    t.copy_(torch.from_numpy(np.asarray(params[k], dtype=np.float32)))

    return Head()


def fit_head(items: Sequence[Item], n_labels: int, cfg: dict[str, Any], seed: int = 13) -> TaggerHead:
    """Train one head on ``items`` (seeded; AdamW with a one-cycle schedule,
    one article per step, BCE on words and paragraphs)."""
    torch = _torch()
    torch.manual_seed(seed)
    torch.set_num_threads(default_threads())  # UNSPIN_THREADS, as the encoder pass
    rng = np.random.default_rng(seed)
    model = _torch_head(torch, items[0].x.shape[1], n_labels, cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["max_lr"], weight_decay=cfg["weight_decay"])
    steps = int(cfg["epochs"]) * len(items)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["max_lr"], total_steps=steps, pct_start=0.1)
    pw = torch.tensor(float(cfg["pos_weight"]))
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    tensors = [(torch.from_numpy(it.x), torch.from_numpy(it.y), torch.from_numpy(it.par), torch.from_numpy(it.py))
               for it in items]
    model.train()
    for _ in range(int(cfg["epochs"])):
        for i in rng.permutation(len(items)):
            x, y, par, py = tensors[i]
            if len(x) == 0:
                continue
            zt, zp = model(x, par, len(py))
            loss = bce(zt, y, pos_weight=pw) + bce(zp, py, pos_weight=pw)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return TaggerHead(model.numpy_params())


def fit_heads(items: Sequence[Item], n_labels: int, cfg: dict[str, Any], seed: int = 13,
              unlabelled: Sequence[Item] = (), teacher: TaggerHead | None = None) -> HeadEnsemble:
    """``cfg["members"]`` heads trained alike from seeds ``seed``, ``seed + 1``, …
    With ``unlabelled`` articles, each head is a student of a teacher trained
    alike on ``items`` alone (see the module doc), or of ``teacher`` when given
    (one model labels the unlabelled articles for every student)."""
    members = []
    shared_targets = pseudo_labelled(teacher, unlabelled, cfg) if teacher is not None and unlabelled else None
    for k in range(int(cfg.get("members", 1))):
        if shared_targets is not None:
            members.append(fit_head([*items, *shared_targets], n_labels, cfg, seed + k))
            continue
        head = fit_head(items, n_labels, cfg, seed + k)
        if unlabelled:
            head = fit_head([*items, *pseudo_labelled(head, unlabelled, cfg)], n_labels, cfg, seed + k)
        members.append(head)
    return HeadEnsemble(members)


def pseudo_labelled(teacher: TaggerHead | HeadEnsemble, unlabelled: Sequence[Item], cfg: dict[str, Any]) -> list[Item]:
    """``unlabelled`` with the teacher's soft targets. A head trained with
    ``pos_weight`` w puts σ(z) near w·q / (1 + (w − 1)·q) for a true rate q, so
    the target is σ(z − log w): an estimate of q, not of the inflated rate
    (training a student on the inflated one would inflate it again)."""
    bias = float(np.log(float(cfg["pos_weight"])))
    out = []
    for it in unlabelled:
        zt, zp = _logits(teacher, it)
        out.append(replace(it, y=sigmoid(zt - bias).astype(np.float32), py=sigmoid(zp - bias).astype(np.float32)))
    return out


def _logits(head: TaggerHead | HeadEnsemble, it: Item) -> tuple[np.ndarray, np.ndarray]:
    if len(it.x) == 0:
        L = head.n_labels
        return np.zeros((0, L)), np.zeros((len(it.tk.lines), L))
    return head.forward(it.x, it.par, len(it.tk.lines))


def fit_calibration(items: Sequence[Item], inputs: dict[str, tuple[np.ndarray, np.ndarray]]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Calibration weights (labels × (k + 1)) of words and paragraphs from the
    out-of-fold :func:`~unspin.techniques.accurate.stack_inputs` of ``items``."""
    words = fit_calibration_columns(np.concatenate([inputs[it.doc.id][0] for it in items]),
                                    np.vstack([it.y for it in items]))
    paragraphs = fit_calibration_columns(np.concatenate([inputs[it.doc.id][1] for it in items]),
                                         np.vstack([it.py for it in items]))
    return words, paragraphs


def calibrated(inputs: dict, ids, platt_tok: np.ndarray, platt_par: np.ndarray) -> dict:
    return {i: (calibrate(inputs[i][0], platt_tok), calibrate(inputs[i][1], platt_par)) for i in ids}


def fast_stack_logits(docs: Sequence[Doc], labels: list[str], fast: FastModel, fold_ids: Sequence[Sequence[str]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Out-of-fold logits of the fast tier on ``fold_ids``, trained with the
    hyperparameters recorded in ``fast``'s meta.json (those of the model that
    is stacked at inference)."""

    if list(fast.labels) != list(labels):
        raise ModelError("the fast model to stack on was trained on other technique labels; retrain it first")
    hp = fast.meta.get("hyperparameters") or {}
    return cross_fitted_logits(docs, labels, fold_ids, l2=float(hp.get("l2", 1.0)),
                               l2_par=float(hp.get("l2_paragraph", 1.0)), min_df=int(hp.get("min_df", 2)),
                               max_iter=int(hp.get("max_iter", 80)))


def _fold_heads(items: Sequence[Item], fold_ids: Sequence[Sequence[str]], n_labels: int, cfg: dict[str, Any],
                seed: int, unlabelled: Sequence[Item]) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]],
                                                               list[HeadEnsemble]]:
    """Heads trained on all folds but one (with ``unlabelled`` for self-training), in fold
    order, and the out-of-fold logits of every article by the heads of its own fold."""
    by_id = {it.doc.id: it for it in items}
    oof: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    heads: list[HeadEnsemble] = []
    t0 = time.perf_counter()
    for f, fold in enumerate(fold_ids):
        held = set(fold)
        head = fit_heads([it for it in items if it.doc.id not in held], n_labels, cfg, seed, unlabelled)
        heads.append(head)
        for i in fold:
            oof[i] = _logits(head, by_id[i])
        logger.info(f"fold {f + 1}/{len(fold_ids)} trained ({time.perf_counter() - t0:.0f} s)")
    return oof, heads


def train(docs: Sequence[Doc], seed: int = 13, folds: int = 5, cfg: dict[str, Any] | None = None,
          encoded: dict[str, EncodedText] | None = None, final: bool | str = True,
          time_articles: int = 60, fast: FastModel | None = None,
          fast_oof: tuple[list[list[str]], dict[str, tuple[np.ndarray, np.ndarray]]] | None = None,
          final_members: int | None = None, unlabelled: Sequence[Doc] = (),
          unlabelled_sources: str | None = None,
          oof_logits: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
          teacher: TaggerHead | None = None) -> tuple[AccurateModel | None, dict[str, Any]]:
    """Cross-validate, calibrate and train the final head (see the module doc).

    Returns the model and a report with the cross-fitted CV scores
    (``report["cv"]``: pooled :class:`TechniqueScores`, ``report["cv_folds"]``)
    and the wall times. ``final=False`` skips the final fit (evaluation only).
    Speed is timed on up to ``time_articles`` articles of the last fold with
    the full inference path (shared encoder pass included). ``final="folds"``
    ships the cross-validation's heads as one ensemble (each trained on all
    folds but one) instead of a final fit on every article. With ``fast``
    (a saved fast-tier model) its logits are stacked with the head's; its
    out-of-fold logits are cross-fitted on the folds, unless ``fast_oof``
    gives them: ``(folds, logits by article id)`` of the fast model's own
    training run, whose folds are then the cross-validation's.
    ``final_members``: heads of the final fit on every article (seeds
    ``seed``, ``seed + 1``, …; default ``cfg["members"]``, as in each fold).
    ``unlabelled``: news articles without annotations for self-training (the
    module doc); their shared pass is computed here unless ``encoded`` holds it.
    ``unlabelled_sources``: where they came from, recorded for the model card.
    ``oof_logits``: the heads' out-of-fold logits computed elsewhere on the folds of
    ``fast_oof`` (by heads over a pass fine-tuned per fold,
    :mod:`.techniques_finetune`): no fold heads are trained here; calibration,
    thresholds and figures come from these, and the final fit (required) reads
    ``encoded``. ``teacher``: the one model whose soft targets every student learns
    (the fine-tuned model's own head) instead of a teacher per head."""
    cfg = {**DEFAULTS, **(cfg or {})}
    if final == "folds" and final_members is not None:
        raise ModelError("final_members sets the heads of a final fit; with final='folds' there is none")
    spec = EncoderSpec.current()
    labels = sorted({s.technique for d in docs for s in d.spans})
    L = len(labels)
    t0 = time.perf_counter()
    if encoded is None:
        logger.info(f"encoding {len(docs)} articles with the shared MiniLM pass")
        encoded = encode_docs(docs)
    items = prepare(docs, labels, encoded, spec)
    if unlabelled:
        missing = [d for d in unlabelled if d.id not in encoded]
        if missing:
            logger.info(f"encoding {len(missing)} unlabelled articles for self-training")
            encoded = {**encoded, **encode_docs(missing)}
    u_items = prepare(unlabelled, labels, encoded, spec) if unlabelled else []
    t_encode = time.perf_counter() - t0
    by_id = {it.doc.id: it for it in items}
    fold_ids = kfold_by_article([d.id for d in docs], k=folds, seed=seed)
    if fast_oof is not None:
        fold_ids = [list(f) for f in fast_oof[0]]
        if sorted(i for f in fold_ids for i in f) != sorted(d.id for d in docs):
            raise ModelError("the fast model's out-of-fold logits cover other articles")
        folds = len(fold_ids)
    t1 = time.perf_counter()
    #: the heads trained here on each fold (none when the out-of-fold logits are given)
    fold_heads: list[HeadEnsemble] = []
    if oof_logits is not None:
        if fast_oof is None or final is not True:
            raise ModelError("out-of-fold logits computed elsewhere need their folds (fast_oof) and a final fit")
        missing_oof = [d.id for d in docs if d.id not in oof_logits]
        if missing_oof:
            raise ModelError(f"the out-of-fold logits miss {len(missing_oof)} articles (e.g. {missing_oof[0]})")
        oof = {d.id: oof_logits[d.id] for d in docs}
    else:
        oof, fold_heads = _fold_heads(items, fold_ids, L, cfg, seed, u_items)
    if fast is None:
        fast_logits: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    elif fast_oof is not None:
        fast_logits = fast_oof[1]
    else:
        fast_logits = fast_stack_logits(docs, labels, fast, fold_ids)
    inputs = {i: stack_inputs(oof[i], fast_logits.get(i), by_id[i].par, len(by_id[i].tk.lines)) for i in oof}
    t_cv = time.perf_counter() - t1
    # cross-fitted figures: fold f scored with calibration/thresholds from the other folds
    pooled = TechniqueScores(protocol=f"{folds}-fold cross-validation by article (seed {seed}), {len(docs)} articles; "
                                      "calibration and thresholds fitted on the other folds' out-of-fold predictions")
    per_fold = []
    # ablation: the same decoding without the function-word rule (SI only)
    loose = TechniqueScores(protocol="the same, function-word spans kept")
    for f, fold in enumerate(fold_ids):
        rest = [it for it in items if it.doc.id not in set(fold)]
        pt_, pp_ = fit_calibration(rest, inputs)
        dec, _ = choose_thresholds(rest, calibrated(inputs, [it.doc.id for it in rest], pt_, pp_), labels)
        test = [by_id[i] for i in fold]
        probs = calibrated(inputs, fold, pt_, pp_)
        per_fold.append(score_decoding(test, probs, labels, dec, TechniqueScores(protocol=f"fold {f + 1}")))
        score_decoding(test, probs, labels, dec, pooled)
        score_decoding(test, probs, labels, replace(dec, needs_content_word=False), loose)
        logger.info(f"fold {f + 1}/{folds} span units: " + ", ".join(
            f"{lab} {u}" for lab, u in zip(labels, dec.span_units, strict=True) if u != "words"))
    # the shipped calibration and thresholds: all out-of-fold predictions
    platt_tok, platt_par = fit_calibration(items, inputs)
    dec, oof_scores = choose_thresholds(items, calibrated(inputs, list(oof), platt_tok, platt_par), labels)
    oof_probs = calibrated(inputs, list(oof), platt_tok, platt_par)
    profiles = {i: technique_profile(*oof_probs[i]).astype(np.float32) for i in sorted(oof)}
    logger.info(f"thresholds: span {np.round(dec.span_threshold, 3).tolist()} (smoothing ±{dec.span_smoothing} words; "
        f"units {dec.span_units}), paragraph {np.round(dec.paragraph_threshold, 2).tolist()} "
        f"(out-of-fold {oof_scores})")
    timed = [by_id[i].doc for i in fold_ids[-1][:time_articles]]

    def timing(head: TaggerHead | HeadEnsemble) -> float:
        """Seconds per article of the whole inference path (encoder pass included) with ``head``."""
        probe = AccurateModel(labels=labels, head=head, platt_tok=platt_tok, platt_par=platt_par,
                              spec=spec, fast=fast, **dec.model_fields())
        probe.predict(timed[0].text)  # warm-up: builds the encoder session
        t_pred = time.perf_counter()
        for d in timed:
            probe.predict(d.text)
        per = (time.perf_counter() - t_pred) / max(len(timed), 1)
        logger.info(f"speed: {1 / per:.1f} articles/s with the encoder pass ({len(timed)} articles)")
        return per

    # speed on the last fold's articles with the last fold's head (the final heads' when no fold head is trained)
    per_article = timing(fold_heads[-1]) if fold_heads else 0.0
    model, t_final = None, 0.0
    if final == "folds":
        model = AccurateModel(labels=labels, head=HeadEnsemble([m for h in fold_heads for m in h.members]),
                              platt_tok=platt_tok, platt_par=platt_par, spec=spec, fast=fast, **dec.model_fields())
    elif final:
        t2 = time.perf_counter()
        final_cfg = cfg if final_members is None else {**cfg, "members": int(final_members)}
        model = AccurateModel(labels=labels, head=fit_heads(items, L, final_cfg, seed, u_items, teacher),
                              platt_tok=platt_tok, platt_par=platt_par, spec=spec, fast=fast, **dec.model_fields())
        t_final = time.perf_counter() - t2
        if not fold_heads:
            per_article = timing(model.head)
    pooled.seconds = per_article * pooled.n_articles
    logger.info(f"SI F1 {pooled.si.f1:.4f} with the function-word rule, {loose.si.f1:.4f} without")
    hyper = cfg if final_members is None or final == "folds" else {**cfg, "final_members": int(final_members)}
    if unlabelled:
        hyper = {**hyper, "self_training": {"unlabelled_articles": len(u_items),
                                            "unlabelled_words": int(sum(len(it.y) for it in u_items)),
                                            "target": "teacher probability, pos_weight bias removed",
                                            **({"sources": unlabelled_sources} if unlabelled_sources else {})}}
    report = {"cv": pooled, "cv_folds": per_fold, "cv_span_si_without_content_rule": loose.si, "hyperparameters": hyper,
              "decoding": dec, "oof_selection": oof_scores, "oof": oof, "oof_inputs": inputs, "fold_ids": fold_ids,
              "calibration": (platt_tok, platt_par), "items": items, "unlabelled_items": u_items, "labels": labels,
              "oof_profiles": profiles,
              "wall_time_s": {"encode": round(t_encode, 1), "cross_validation": round(t_cv, 1),
                              "final_training": round(t_final, 1)}, "articles_per_s": round(1 / per_article, 2)}
    return model, report
