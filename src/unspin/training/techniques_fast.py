"""Training of the fast tier (needs scipy; see :mod:`.fast` for the model).

``train(docs, seed)``:

1. features of every article are interned once (feature string → global id);
2. ``inner_folds`` folds of the training articles (by article, seeded):
   for each, fit on the other folds and predict the held-out one → out-of-fold
   token and paragraph logits;
3. Platt scaling per technique on those logits; the span threshold that
   maximises the SI F1 and the paragraph threshold that maximises the
   paragraph micro-F1 of the calibrated out-of-fold predictions (grid of
   0.01…0.80);
4. the final weights on all training articles (features seen in ≥ ``min_df``
   training articles).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..datasets.semeval2023 import Doc
from ..evaluation.techniques import gold_paragraph_labels
from ..techniques.fast import FastModel, _is_par, _sigmoid, logits, token_sentence_index
from ..techniques.features import ArticleFeatures, article_features
from ..techniques.text import Tokens, tokenize
from .folds import kfold_by_article
from .linear import Block, fit_blocks, fit_platt
from .techniques_decoding import choose_thresholds

logger = logging.getLogger(__name__)

GRID = [0.01, 0.02, 0.03, 0.04] + [round(float(x), 3) for x in np.arange(0.05, 0.801, 0.025)]


@dataclass
class Encoded:
    doc: Doc
    tk: Tokens
    f: ArticleFeatures
    gid: np.ndarray  # key of f → global feature id
    tok_sent: np.ndarray
    Y_tok: np.ndarray
    Y_par: np.ndarray
    gold_par: list[list[str]]

    @property
    def py(self) -> np.ndarray:
        """Gold paragraph labels (the name :mod:`~unspin.techniques.decoding` reads)."""
        return self.Y_par


class Interner:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, keys: list[str]) -> np.ndarray:
        ids = self.ids
        return np.fromiter((ids.setdefault(k, len(ids)) for k in keys), dtype=np.int64, count=len(keys))

    @property
    def strings(self) -> list[str]:
        return list(self.ids)


def encode(docs: Sequence[Doc], labels: list[str], interner: Interner) -> list[Encoded]:
    li = {t: j for j, t in enumerate(labels)}
    out = []
    for doc in docs:
        tk = tokenize(doc.text)
        n = len(tk.text)
        Y = np.zeros((n, len(labels)), dtype=np.uint8)
        starts = np.array(tk.start, dtype=np.int64)
        ends = np.array(tk.end, dtype=np.int64)
        for s in doc.spans:
            if s.technique in li and n:
                Y[(starts < s.end) & (ends > s.start), li[s.technique]] = 1
        gold_par = gold_paragraph_labels(doc)
        if len(gold_par) != len(tk.lines):
            raise AssertionError(f"article {doc.id}: paragraphs and lines differ")
        Yp = np.zeros((len(tk.lines), len(labels)), dtype=np.uint8)
        for k, ts in enumerate(gold_par):
            for t in ts:
                if t in li:
                    Yp[k, li[t]] = 1
        f = article_features(tk)
        out.append(Encoded(doc, tk, f, interner(f.keys), token_sentence_index(tk), Y, Yp, gold_par))
    return out


def _csr(units: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int):
    from scipy.sparse import csr_matrix

    m = cols >= 0
    return csr_matrix((np.ones(int(m.sum())), (units[m], cols[m])), shape=(n_rows, n_cols))


@dataclass
class Vocab:
    remap: np.ndarray  # global id → row of W or P (-1: dropped)
    V: int
    Vp: int


def build_vocab(encs: Sequence[Encoded], interner: Interner, min_df: int) -> Vocab:
    strings = interner.strings
    df = np.zeros(len(strings), dtype=np.int64)
    for e in encs:
        df[e.gid] += 1
    is_par = np.array([_is_par(k) for k in strings], dtype=bool)
    remap = np.full(len(strings), -1, dtype=np.int64)
    keep_ts = np.flatnonzero((df >= min_df) & ~is_par)
    keep_p = np.flatnonzero((df >= min_df) & is_par)
    remap[keep_ts] = np.arange(len(keep_ts))
    remap[keep_p] = np.arange(len(keep_p))
    return Vocab(remap, len(keep_ts), len(keep_p))


@dataclass
class Core:
    W: np.ndarray
    b: np.ndarray
    P: np.ndarray
    pb: np.ndarray


def fit_core(encs: Sequence[Encoded], vocab: Vocab, L: int, l2: float, l2_par: float, max_iter: int,
             warm: Core | None = None) -> Core:
    from scipy.sparse import csr_matrix, vstack

    Xt, Xs, Xp, rows = [], [], [], []
    off = 0
    for e in encs:
        r = vocab.remap[e.gid]
        Xt.append(_csr(e.f.tok_unit, r[e.f.tok_key], e.f.n_tokens, vocab.V))
        Xs.append(_csr(e.f.sent_unit, r[e.f.sent_key], e.f.n_sentences, vocab.V))
        Xp.append(_csr(e.f.par_unit, r[e.f.par_key], e.f.n_paragraphs, vocab.Vp))
        rows.append(e.tok_sent + off)
        off += e.f.n_sentences
    rows = np.concatenate(rows)
    M = csr_matrix((np.ones(len(rows)), (np.arange(len(rows)), rows)), shape=(len(rows), off))
    Y = np.vstack([e.Y_tok for e in encs])
    # The token and sentence blocks share one weight matrix in the model; their
    # feature rows are disjoint (different prefixes), so fitting two blocks and
    # adding them gives the same model.
    w0 = None if warm is None else ([warm.W, warm.W], warm.b)
    (W1, W2), b = fit_blocks([Block(vstack(Xt).tocsr()), Block(vstack(Xs).tocsr(), M)], Y, l2=l2,
                             max_iter=max_iter, init=w0)
    Yp = np.vstack([e.Y_par for e in encs])
    p0 = None if warm is None else ([warm.P], warm.pb)
    (P,), pb = fit_blocks([Block(vstack(Xp).tocsr())], Yp, l2=l2_par, max_iter=max_iter, init=p0)
    return Core(W1 + W2, b, P, pb)


def core_logits(core: Core, vocab: Vocab, e: Encoded) -> tuple[np.ndarray, np.ndarray]:
    return logits(e.f, vocab.remap[e.gid], core.W, core.b, core.P, core.pb, e.tok_sent)


def cross_fitted_logits(docs: Sequence[Doc], labels: list[str], folds: Sequence[Sequence[str]],
                        l2: float = 1.0, l2_par: float = 1.0, min_df: int = 2, max_iter: int = 80) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Out-of-fold token and paragraph logits of the fast tier on the given
    folds (article ids): each fold is predicted by a model fitted on the others
    (vocabulary from those articles only). The accurate tier stacks on them."""
    interner = Interner()
    encs = encode(docs, labels, interner)
    by_id = {e.doc.id: e for e in encs}
    oof: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for k, fold in enumerate(folds):
        held = set(fold)
        rest = [e for e in encs if e.doc.id not in held]
        vocab = build_vocab(rest, interner, min_df)
        core = fit_core(rest, vocab, len(labels), l2, l2_par, max_iter)
        for i in fold:
            oof[i] = core_logits(core, vocab, by_id[i])
        logger.info(f"  fast tier, fold {k + 1}/{len(folds)} done")
    return oof


def train(docs: Sequence[Doc], seed: int = 13, inner_folds: int = 3, l2: float = 1.0, l2_par: float = 1.0,
          min_df: int = 2, max_iter: int = 120, warm_iter: int = 60, labels: list[str] | None = None) -> tuple[FastModel, dict]:
    """Train the fast tier; returns the model and a report of the inner
    (out-of-fold) selection: Platt parameters, thresholds, OOF scores."""
    if labels is None:
        labels = sorted({s.technique for d in docs for s in d.spans})
    L = len(labels)
    interner = Interner()
    encs = encode(docs, labels, interner)
    vocab = build_vocab(encs, interner, min_df)
    logger.info(f"  {len(encs)} articles, {vocab.V} token/sentence and {vocab.Vp} paragraph features")
    by_id = {e.doc.id: e for e in encs}
    folds = kfold_by_article([d.id for d in docs], k=inner_folds, seed=seed)
    oof: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    cores = []
    for k, fold in enumerate(folds):
        held = set(fold)
        # no warm start here: a start fitted on the held-out fold would leak it
        core = fit_core([e for e in encs if e.doc.id not in held], vocab, L, l2, l2_par, max_iter)
        cores.append(core)
        for i in fold:
            oof[i] = core_logits(core, vocab, by_id[i])
        logger.info(f"  inner fold {k + 1}/{inner_folds} done")
    zt = np.vstack([oof[e.doc.id][0] for e in encs])
    yt = np.vstack([e.Y_tok for e in encs])
    zp = np.vstack([oof[e.doc.id][1] for e in encs])
    yp = np.vstack([e.Y_par for e in encs])
    platt_tok = np.array([fit_platt(zt[:, j], yt[:, j]) for j in range(L)])
    platt_par = np.array([fit_platt(zp[:, j], yp[:, j]) for j in range(L)])
    # decoding (per-technique span thresholds and units, smoothing, paragraph thresholds) on calibrated OOF
    # predictions: the search the accurate tier runs, over this tier's lower grid
    cal = {i: (_sigmoid(zt_ * platt_tok[:, 0] + platt_tok[:, 1]), _sigmoid(zp_ * platt_par[:, 0] + platt_par[:, 1]))
           for i, (zt_, zp_) in oof.items()}
    # one paragraph threshold: per-technique ones cost this tier 0.002 paragraph micro-F1 when
    # cross-fitted on its out-of-fold logits (docs/techniques-eval.md)
    dec, oof_scores = choose_thresholds(encs, cal, labels, grid=GRID, per_technique_paragraphs=False)
    logger.info(f"  decoding: span {dec.base_span_threshold} (smoothing ±{dec.span_smoothing}; units "
        f"{[u for u in dec.span_units]}), out-of-fold {oof_scores}")
    mean = Core(*(np.mean([getattr(c, a) for c in cores], axis=0) for a in ("W", "b", "P", "pb")))
    core = fit_core(encs, vocab, L, l2, l2_par, warm_iter, mean)
    strings = interner.strings
    model_vocab = {strings[g]: int(r) for g, r in enumerate(vocab.remap) if r >= 0}
    model = FastModel(labels=labels, vocab=model_vocab, W=core.W.astype(np.float32), b=core.b,
                      P=core.P.astype(np.float32), pb=core.pb, platt_tok=platt_tok, platt_par=platt_par,
                      **dec.model_fields())
    report = {"inner_folds": inner_folds, "span_threshold": dec.base_span_threshold,
              "span_smoothing": dec.span_smoothing, "out_of_fold": oof_scores,
              "features": {"token_sentence": vocab.V, "paragraph": vocab.Vp},
              # the inner folds' out-of-fold logits: an accurate model trained on the same folds stacks on them
              "oof_logits": oof, "fold_ids": folds}
    return model, report
