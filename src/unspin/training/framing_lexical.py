"""Training the fast (lexical) framing models: genre, frames, narratives, roles.

Inference for these models lives in :mod:`unspin.framing` (``doc``, ``roles``);
this module only fits them: vocabularies, out-of-fold logits, thresholds and
decision rules chosen on inner folds.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ..datasets.framing import RoleMention
from ..framing.doc import OTHER, STYLE_NAMES, NarrativeDecision, decode_narratives, style_vector
from ..framing.features import DocFeatures, Vocabulary, doc_features, key_counts
from ..framing.labels import GENRES, MAIN_ROLES
from ..framing.model import FramingModel, Head, sigmoid
from .folds import kfold
from .framing_fit import fit_platt_columns, fit_ridge, fit_sigmoid, fit_softmax, fit_softmax_calibration

if TYPE_CHECKING:
    from spacy.tokens import Doc
from ..analyzers.groups import entity_groups
from ..framing.metrics import exact_match, samples_f1
from ..framing.model import softmax
from ..framing.roles import (
    ROLE_TYPES,
    _lemmas,
    _stem,
    article_domain,
    decode_fine,
    group_name,
    mention_keys,
)
from .framing_fit import best_threshold

logger = logging.getLogger(__name__)



def featurize(texts: Sequence[str]) -> list[DocFeatures]:
    return [doc_features(t) for t in texts]


def _vocab(feats: Sequence[DocFeatures], min_df: int) -> Vocabulary:
    return Vocabulary.fit([f.ids for f in feats], min_df=min_df)


def _matrix(vocab: Vocabulary, feats: Sequence[DocFeatures]):
    return vocab.matrix([(f.ids, f.counts) for f in feats])


def oof_logits(feats: Sequence[DocFeatures], fit: Callable, n_out: int, folds: int, seed: int, min_df: int,
               strata: list | None = None) -> np.ndarray:
    """Out-of-fold logits: ``fit(X, idx) -> (W, b)`` on each training part."""
    Z = np.zeros((len(feats), n_out))
    for test in kfold(len(feats), folds, seed, strata=strata):
        train = np.setdiff1d(np.arange(len(feats)), test)
        vocab = _vocab([feats[i] for i in train], min_df)
        W, b = fit(_matrix(vocab, [feats[i] for i in train]), train)
        Z[test] = _matrix(vocab, [feats[i] for i in test]) @ W + b
    return Z


GENRE_DEFAULTS: dict[str, Any] = {"l2": 1.0, "min_df": 2, "inner_folds": 5}


def balanced_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    return len(y) / (n_classes * np.maximum(counts, 1.0))[y]


def train_genre(feats: Sequence[DocFeatures], labels: Sequence[str], seed: int = 13, l2: float = 1.0,
                min_df: int = 2, inner_folds: int = 5, balanced: bool = True, calibrate: bool = True,
                stack_l2: float = 1.0) -> FramingModel:
    """n-gram head, then (with ``calibrate``) a stacker over its out-of-fold
    logits and the standardised style signals, both class-balanced."""
    from scipy.sparse import csr_matrix

    y = np.array([GENRES.index(g) for g in labels])
    K = len(GENRES)

    def fit(X, idx):
        w = balanced_weights(y[idx], K) if balanced else None
        return fit_softmax(X, y[idx], K, w, l2=l2)

    vocab = _vocab(feats, min_df)
    W, b = fit(_matrix(vocab, feats), np.arange(len(feats)))
    prior = (np.ones(K) / K) if balanced else np.bincount(y, minlength=K) / len(y)
    extra = {"assumed_prior": [round(float(p), 6) for p in prior],
             "training_mix": {g: int((y == k).sum()) for k, g in enumerate(GENRES)}}
    ident = np.column_stack([np.ones(K), np.zeros(K)])
    heads = {"genre": Head("softmax", list(GENRES), W, b, ident, extra=extra)}
    if calibrate:
        Z = oof_logits(feats, fit, K, inner_folds, seed, min_df, strata=list(y))
        S = np.array([style_vector(f) for f in feats])
        mu, sd = S.mean(axis=0), S.std(axis=0) + 1e-9
        Xs = np.hstack([Z, (S - mu) / sd])
        w = balanced_weights(y, K) if balanced else None
        Ws, bs = fit_softmax(csr_matrix(Xs), y, K, w, l2=stack_l2)
        heads["stack"] = Head("softmax", list(GENRES), Ws, bs, ident,
                              extra={"inputs": [f"logit:{g}" for g in GENRES] + list(STYLE_NAMES),
                                     "style_mean": [float(x) for x in mu], "style_std": [float(x) for x in sd]})
    logger.info(f"genre: {len(vocab)} features")
    return FramingModel("genre", vocab, heads)


FRAMES_DEFAULTS: dict[str, Any] = {"l2": 3.0, "min_df": 2, "inner_folds": 5, "solver": "ridge"}


def _label_matrix(sets: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    index = {lab: j for j, lab in enumerate(labels)}
    Y = np.zeros((len(sets), len(labels)))
    for i, s in enumerate(sets):
        for lab in s:
            if lab in index:
                Y[i, index[lab]] = 1.0
    return Y


def micro_thresholds(P: np.ndarray, Y: np.ndarray, passes: int = 3) -> np.ndarray:
    """Per-label thresholds maximising the pooled micro-F1 (coordinate ascent)."""
    grid = np.linspace(0.05, 0.9, 86)
    L = P.shape[1]
    t = np.full(L, 0.5)
    pred = P >= t
    tp = float((pred & (Y > 0)).sum())
    fp = float((pred & (Y == 0)).sum())
    fn = float((~pred & (Y > 0)).sum())
    for _ in range(passes):
        for j in range(L):
            pj = P[:, j] >= t[j]
            yj = Y[:, j] > 0
            tp0, fp0, fn0 = tp - (pj & yj).sum(), fp - (pj & ~yj).sum(), fn - (~pj & yj).sum()
            best_t, best_f = t[j], -1.0
            for g in grid:
                q = P[:, j] >= g
                a, bb, c = tp0 + (q & yj).sum(), fp0 + (q & ~yj).sum(), fn0 + (~q & yj).sum()
                f = 2 * a / (2 * a + bb + c) if a > 0 else 0.0
                if f > best_f + 1e-12:
                    best_t, best_f = g, f
            t[j] = best_t
            q = P[:, j] >= t[j]
            tp, fp, fn = tp0 + (q & yj).sum(), fp0 + (q & ~yj).sum(), fn0 + (~q & yj).sum()
    return t


def train_frames(feats: Sequence[DocFeatures], label_sets: Sequence[Sequence[str]], labels: Sequence[str],
                 seed: int = 13, l2: float = 0.3, min_df: int = 2, inner_folds: int = 5, tune: bool = True,
                 max_iter: int = 150, solver: str = "logistic") -> FramingModel:
    Y = _label_matrix(label_sets, labels)

    def fit(X, idx):
        if solver == "ridge":
            return fit_ridge(X, Y[idx], lam=l2)
        return fit_sigmoid(X, Y[idx], l2=l2, max_iter=max_iter)

    if tune:
        Z = oof_logits(feats, fit, len(labels), inner_folds, seed, min_df)
        calib = fit_platt_columns(Z, Y)
        P = 1 / (1 + np.exp(-(Z * calib[:, 0] + calib[:, 1])))
        thresholds = micro_thresholds(P, Y)
    else:
        calib = np.column_stack([np.ones(len(labels)), np.zeros(len(labels))])
        thresholds = np.full(len(labels), 0.5)
    vocab = _vocab(feats, min_df)
    W, b = fit(_matrix(vocab, feats), np.arange(len(feats)))
    logger.info(f"frames: {len(vocab)} features")
    return FramingModel("frames", vocab, {"frames": Head("sigmoid", list(labels), W, b, calib, thresholds)})


NARRATIVES_DEFAULTS: dict[str, Any] = {"l2": 1.0, "min_df": 2, "inner_folds": 5, "solver": "ridge"}


def narrative_sets(decoded: list[tuple[str, float, list[tuple[str, float]]]]) -> tuple[list[str], list[str]]:
    if not decoded:
        return [OTHER], [OTHER]
    return [n for n, _, _ in decoded], [s for _, _, subs in decoded for s, _ in subs]


def choose_narrative_decision(PN: np.ndarray, PS: np.ndarray, narr_labels: Sequence[str], sub_labels: Sequence[str],
                              gold_n: Sequence[Sequence[str]], gold_s: Sequence[Sequence[str]]) -> NarrativeDecision:

    best, best_score = NarrativeDecision(0.5, 0.5), -1.0
    for tn in np.linspace(0.1, 0.7, 25):
        for ts in np.linspace(0.1, 0.7, 13):
            d = NarrativeDecision(float(tn), float(ts))
            pred = [narrative_sets(decode_narratives(PN[i], PS[i], narr_labels, sub_labels, d)) for i in range(len(PN))]
            score = samples_f1(gold_n, [p[0] for p in pred]) + samples_f1(gold_s, [p[1] for p in pred])
            if score > best_score + 1e-12:
                best, best_score = d, score
    return best


def train_narratives(feats: Sequence[DocFeatures], gold_n: Sequence[Sequence[str]], gold_s: Sequence[Sequence[str]],
                     seed: int = 13, l2: float = 1.0, min_df: int = 3, inner_folds: int = 5, tune: bool = True,
                     max_iter: int = 100, solver: str = "ridge") -> FramingModel:
    narr_labels = sorted({n for s in gold_n for n in s if n != OTHER})
    sub_labels = sorted({n for s in gold_s for n in s if n != OTHER})
    YN, YS = _label_matrix(gold_n, narr_labels), _label_matrix(gold_s, sub_labels)
    Y = np.hstack([YN, YS])
    L = len(narr_labels)

    def fit(X, idx):
        if solver == "ridge":
            return fit_ridge(X, Y[idx], lam=l2)
        return fit_sigmoid(X, Y[idx], l2=l2, max_iter=max_iter)

    if tune:
        Z = oof_logits(feats, fit, Y.shape[1], inner_folds, seed, min_df)
        calib = fit_platt_columns(Z, Y)
        P = 1 / (1 + np.exp(-(Z * calib[:, 0] + calib[:, 1])))
        d = choose_narrative_decision(P[:, :L], P[:, L:], narr_labels, sub_labels, gold_n, gold_s)
    else:
        calib = np.column_stack([np.ones(Y.shape[1]), np.zeros(Y.shape[1])])
        d = NarrativeDecision(0.5, 0.5)
    vocab = _vocab(feats, min_df)
    W, b = fit(_matrix(vocab, feats), np.arange(len(feats)))
    heads = {
        "narratives": Head("sigmoid", narr_labels, W[:, :L], b[:L], calib[:L], np.full(L, d.t_narrative)),
        "subnarratives": Head("sigmoid", sub_labels, W[:, L:], b[L:], calib[L:], np.full(len(sub_labels), d.t_sub)),
    }
    logger.info(f"narratives: {len(vocab)} features, thresholds {d.t_narrative:.3f} / {d.t_sub:.3f}")
    return FramingModel("narratives", vocab, heads)


def role_lexicons(taxonomy: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Role name → sorted stems of its definition words (words shared by more
    than a third of the fine roles are dropped as uninformative)."""
    per_fine = {fine: {_stem(w) for w in _lemmas(text + " " + fine)} for roles in taxonomy.values()
                for fine, text in roles.items()}
    df = Counter(w for ws in per_fine.values() for w in ws)
    limit = max(2, len(per_fine) // 3)
    lex = {fine: sorted(w for w in ws if df[w] <= limit) for fine, ws in per_fine.items()}
    for main, roles in taxonomy.items():
        lex[main] = sorted({w for fine in roles for w in lex[fine]})
    return lex


@dataclass
class MentionRow:
    doc: str
    start: int
    end: int
    keys: list[str]
    framed: int
    main: str | None = None
    fine: tuple[str, ...] = ()


def build_rows(docs: dict[str, "Doc"], mentions: Sequence[RoleMention], lexicons: dict[str, list[str]]
               ) -> list[MentionRow]:
    """Labelled mentions (framed = 1) and unlabelled named-entity groups'
    mentions of the same articles (framed = 0)."""
    by_doc: dict[str, list[RoleMention]] = {}
    for m in mentions:
        by_doc.setdefault(m.doc, []).append(m)
    rows = []
    for name in sorted(by_doc):
        doc = docs[name]
        dom = article_domain(doc.text)
        ents = [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents if e.label_ in ROLE_TYPES]
        groups = entity_groups(doc, ents)
        size = Counter(groups)
        gold_groups = set()
        for m in by_doc[name]:
            g = None
            for (s, e, _t, _l), grp in zip(ents, groups, strict=True):
                if s < m.end and e > m.start:
                    g = grp
            g = g or group_name(m.text, "")
            gold_groups.add(g.lower())
            rows.append(MentionRow(name, m.start, m.end, mention_keys(doc, m.start, m.end, size.get(g, 1), lexicons, dom),
                                   1, m.main, m.fine))
        for (s, e, _t, _l), grp in zip(ents, groups, strict=True):
            if grp.lower() in gold_groups or any(s < m.end and e > m.start for m in by_doc[name]):
                continue
            rows.append(MentionRow(name, s, e, mention_keys(doc, s, e, size[grp], lexicons, dom), 0))
    return rows


ROLES_DEFAULTS: dict[str, Any] = {"l2": 1.0, "min_df": 2, "inner_folds": 5}


def _xy(rows: Sequence[MentionRow], vocab: Vocabulary):
    return vocab.matrix([key_counts(r.keys) for r in rows])


def train_roles(rows: Sequence[MentionRow], parent: dict[str, str], lexicons: dict[str, list[str]], seed: int = 13,
                l2: float = 1.0, min_df: int = 2, inner_folds: int = 5, tune: bool = True, dense: Callable[[Sequence[MentionRow]], np.ndarray] | None = None
                ) -> FramingModel:
    """The three heads (see the module docstring). ``dense(rows)``, when
    given, returns extra dense columns for those rows, appended after the
    hashed features (the accurate tier's mention vectors)."""

    def xy(rs: Sequence[MentionRow], vocab: Vocabulary):
        X = _xy(rs, vocab)
        if dense is None:
            return X
        from scipy.sparse import csr_matrix, hstack

        return hstack([X, csr_matrix(dense(rs))]).tocsr()

    pos_rows = [r for r in rows if r.framed]
    fine_labels = sorted(parent)
    y_main = np.array([MAIN_ROLES.index(r.main) for r in pos_rows])
    YF = np.zeros((len(pos_rows), len(fine_labels)))
    for i, r in enumerate(pos_rows):
        for f in r.fine:
            YF[i, fine_labels.index(f)] = 1
    y_framed = np.array([[r.framed] for r in rows], dtype=np.float64)
    K = len(MAIN_ROLES)

    def fit_all(sub_rows, idx_pos, idx_all):
        vocab = Vocabulary.fit([key_counts(r.keys)[0] for r in sub_rows], min_df=min_df)
        Xp = xy([pos_rows[i] for i in idx_pos], vocab)
        Wm, bm = fit_softmax(Xp, y_main[idx_pos], K, None, l2=l2)
        Wf, bf = fit_sigmoid(Xp, YF[idx_pos], l2=l2)
        Xa = xy([rows[i] for i in idx_all], vocab)
        Wr, br = fit_sigmoid(Xa, y_framed[idx_all], l2=l2)
        return vocab, (Wm, bm), (Wf, bf), (Wr, br)

    ident = lambda n: np.column_stack([np.ones(n), np.zeros(n)])  # noqa: E731
    cal_m, cal_f, cal_r, t2 = ident(K), ident(len(fine_labels)), ident(1), 0.5
    t_framed = 0.5
    if tune:
        docs = [r.doc for r in rows]
        pos_index = {id(r): i for i, r in enumerate(pos_rows)}
        Zm = np.zeros((len(pos_rows), K))
        Zf = np.zeros((len(pos_rows), len(fine_labels)))
        Zr = np.zeros((len(rows), 1))
        for test in kfold(len(rows), inner_folds, seed, groups=docs):
            train = np.setdiff1d(np.arange(len(rows)), test)
            tp = [pos_index[id(rows[i])] for i in train if rows[i].framed]
            vocab, (Wm, bm), (Wf, bf), (Wr, br) = fit_all([rows[i] for i in train], tp, train)
            tpos = [pos_index[id(rows[i])] for i in test if rows[i].framed]
            Xp = xy([pos_rows[i] for i in tpos], vocab)
            Zm[tpos] = Xp @ Wm + bm
            Zf[tpos] = Xp @ Wf + bf
            Zr[test] = xy([rows[i] for i in test], vocab) @ Wr + br
        cal_m = fit_softmax_calibration(Zm, y_main)
        cal_f = fit_platt_columns(Zf, YF)
        cal_r = fit_platt_columns(Zr, y_framed)

        PM = softmax(Zm * cal_m[:, 0] + cal_m[:, 1])
        PF = sigmoid(Zf * cal_f[:, 0] + cal_f[:, 1])
        gold = [r.fine for r in pos_rows]
        best = -1.0
        for cand in np.linspace(0.1, 0.9, 33):
            pred = [[f for f, _ in decode_fine(PM[i], PF[i], fine_labels, parent, cand)[1]] for i in range(len(pos_rows))]
            s = exact_match(gold, pred)
            if s > best + 1e-12:
                best, t2 = s, float(cand)
        t_framed = best_threshold(sigmoid(Zr[:, 0] * cal_r[0, 0] + cal_r[0, 1]), y_framed[:, 0])
    vocab, (Wm, bm), (Wf, bf), (Wr, br) = fit_all(rows, np.arange(len(pos_rows)), np.arange(len(rows)))
    heads = {
        "main": Head("softmax", list(MAIN_ROLES), Wm, bm, cal_m),
        "fine": Head("sigmoid", fine_labels, Wf, bf, cal_f, np.full(len(fine_labels), t2),
                     extra={"parent": parent}),
        "framed": Head("sigmoid", ["framed"], Wr, br, cal_r, np.array([t_framed])),
    }
    logger.info(f"roles: {len(vocab)} features, second-role threshold {t2:.3f}, framed threshold {t_framed:.3f}")
    model = FramingModel("roles", vocab, heads, meta={})
    model.meta["lexicons"] = lexicons
    return model
