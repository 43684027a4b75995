"""Article-level framing models: genre, frames and narratives (fast tier).

All three read the same hashed TF-IDF vector of an article (word unigrams
and bigrams within sentences, plus a few bucketed style signals) and differ
in their heads and decisions:

* **genre** (reporting | opinion | satire): multinomial logistic regression
  trained with *balanced* class weights, calibrated (temperature + offsets)
  on out-of-fold logits with the same weights. Its probabilities therefore
  assume the three genres equally likely, and the decision (the most
  probable genre) does not lean on the training mix (88% opinion), which the
  held-out sets do not share. :func:`genre_under_prior` turns them into
  probabilities under any other mix.
* **frames** (14, multi-label): one logistic regression per frame, Platt
  scaling per frame on out-of-fold logits, and per-frame thresholds chosen
  by coordinate ascent on the out-of-fold micro-F1.
* **narratives**: a narrative head (the 21 narratives; ``Other`` when none
  is predicted) and a subnarrative head (every subnarrative seen in
  training, ``… : Other`` included), Platt-scaled out of fold. Decoding is
  hierarchical: narratives at or above a threshold, kept within the domain
  (URW or CC) of the most probable one; under each, the subnarratives at or
  above a second threshold, else the most probable one. Both thresholds are
  chosen on out-of-fold samples-F1. Evidence: the sentences whose features
  add most to the narrative's (and subnarrative's) logit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .features import DocFeatures, Vocabulary, doc_features
from .model import (FramingModel, Head, fit_platt_columns, fit_ridge, fit_sigmoid, fit_softmax,
                    kfold)
from .data import GENRES

Log = Callable[[str], None]


def _nolog(_: str) -> None:
    pass


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


# --------------------------------------------------------------------------
# Genre
# --------------------------------------------------------------------------

GENRE_DEFAULTS: dict[str, Any] = {"l2": 1.0, "min_df": 2, "inner_folds": 5}


def balanced_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    return len(y) / (n_classes * np.maximum(counts, 1.0))[y]


_FP = frozenset({"i", "me", "my", "we", "our", "us"})
_SP = frozenset({"you", "your"})
_QM = frozenset({'"', "“", "”"})
_SAID = frozenset({"said", "says", "told", "according"})
_WIRE = frozenset({"reuters", "ap", "afp", "reported", "spokesman", "spokesperson", "statement"})
_HE = frozenset({"he", "she", "they"})
_MODAL = frozenset({"should", "must", "need"})
_LAUGH = frozenset({"ha", "lol", "lmao"})
STYLE_NAMES = ("first_person", "second_person", "quote_marks", "questions", "exclamations", "said_cues",
               "words_per_paragraph", "words_per_sentence", "log_words", "wire_words", "capitalised", "digits",
               "third_person", "modals", "i", "laughter")


def style_vector(f: DocFeatures) -> np.ndarray:
    """Dense style signals of an article (rates per word or per sentence)."""
    tk = f.tokens
    low = [w.lower() for w in tk.text]
    n, ns = max(1, len(low)), max(1, len(tk.sentences))

    def c(words: frozenset[str]) -> int:
        return sum(w in words for w in low)

    return np.array([
        c(_FP) / n, c(_SP) / n, c(_QM) / n, low.count("?") / ns, low.count("!") / ns, c(_SAID) / ns,
        len(low) / max(1, len(tk.lines)), len(low) / ns, np.log1p(len(low)), c(_WIRE) / ns,
        sum(w[:1].isupper() for w in tk.text) / n, sum(w.isdigit() for w in low) / n, c(_HE) / n, c(_MODAL) / n,
        low.count("i") / n, c(_LAUGH) / n,
    ], dtype=np.float64)


def train_genre(feats: Sequence[DocFeatures], labels: Sequence[str], seed: int = 13, l2: float = 1.0,
                min_df: int = 2, inner_folds: int = 5, balanced: bool = True, calibrate: bool = True,
                stack_l2: float = 1.0, log: Log = _nolog) -> FramingModel:
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
    log(f"genre: {len(vocab)} features")
    return FramingModel("genre", vocab, heads)


def genre_proba(model: FramingModel, feats: Sequence[DocFeatures]) -> np.ndarray:
    head = model.heads["genre"]
    stack = model.heads.get("stack")
    out = []
    for f in feats:
        pos, vals = model.vocab.vector(f.ids, f.counts)
        if stack is None:
            out.append(head.proba(pos, vals))
            continue
        z = head.logits(pos, vals)
        s = (style_vector(f) - np.asarray(stack.extra["style_mean"])) / np.asarray(stack.extra["style_std"])
        x = np.concatenate([z, s])
        out.append(stack.proba_from_logits(x @ stack.W + stack.b))
    return np.array(out).reshape(len(feats), len(head.labels))


def genre_under_prior(p: np.ndarray, assumed: Sequence[float], target: Sequence[float]) -> np.ndarray:
    """Re-weight probabilities computed under the ``assumed`` label mix to
    another mix (Bayes' rule: p'(y|x) ∝ p(y|x) · target(y) / assumed(y))."""
    q = p * (np.asarray(target) / np.asarray(assumed))
    return q / q.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------
# Frames (and any plain multi-label task)
# --------------------------------------------------------------------------

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
                 max_iter: int = 150, solver: str = "logistic", log: Log = _nolog) -> FramingModel:
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
    log(f"frames: {len(vocab)} features")
    return FramingModel("frames", vocab, {"frames": Head("sigmoid", list(labels), W, b, calib, thresholds)})


def frames_predict(model: FramingModel, feats: Sequence[DocFeatures]) -> list[dict[str, float]]:
    head = model.heads["frames"]
    out = []
    for f in feats:
        pos, vals = model.vocab.vector(f.ids, f.counts)
        p = head.proba(pos, vals)
        out.append({head.labels[j]: float(p[j]) for j in np.flatnonzero(p >= head.thresholds)})
    return out


# --------------------------------------------------------------------------
# Narratives
# --------------------------------------------------------------------------

NARRATIVES_DEFAULTS: dict[str, Any] = {"l2": 1.0, "min_df": 2, "inner_folds": 5, "solver": "ridge"}
OTHER = "Other"


def narrative_of(sub: str) -> str:
    """``"URW: Praise of Russia: Other"`` → ``"URW: Praise of Russia"``."""
    return sub.rsplit(": ", 1)[0] if sub.count(": ") >= 2 else sub


def domain_of(label: str) -> str:
    return label.split(":", 1)[0]


@dataclass
class NarrativeDecision:
    t_narrative: float
    t_sub: float


def decode_narratives(pn: np.ndarray, ps: np.ndarray, narr_labels: Sequence[str], sub_labels: Sequence[str],
                      d: NarrativeDecision) -> list[tuple[str, float, list[tuple[str, float]]]]:
    """``[(narrative, p, [(subnarrative, p), …]), …]``; empty means ``Other``."""
    if not len(narr_labels) or pn.max() < d.t_narrative:
        return []
    top = int(np.argmax(pn))
    dom = domain_of(narr_labels[top])
    out = []
    for j in np.argsort(-pn):
        if pn[j] < d.t_narrative:
            break
        n = narr_labels[j]
        if domain_of(n) != dom:
            continue
        kids = [k for k, s in enumerate(sub_labels) if narrative_of(s) == n]
        chosen: list[tuple[str, float]] = []
        if kids:
            kp = ps[kids]
            chosen = [(sub_labels[kids[i]], float(kp[i])) for i in np.argsort(-kp) if kp[i] >= d.t_sub]
            if not chosen:
                i = int(np.argmax(kp))
                chosen = [(sub_labels[kids[i]], float(kp[i]))]
        else:
            chosen = [(n + ": Other", float(pn[j]))]
        out.append((n, float(pn[j]), chosen))
    return out


def narrative_sets(decoded: list[tuple[str, float, list[tuple[str, float]]]]) -> tuple[list[str], list[str]]:
    if not decoded:
        return [OTHER], [OTHER]
    return [n for n, _, _ in decoded], [s for _, _, subs in decoded for s, _ in subs]


def choose_narrative_decision(PN: np.ndarray, PS: np.ndarray, narr_labels: Sequence[str], sub_labels: Sequence[str],
                              gold_n: Sequence[Sequence[str]], gold_s: Sequence[Sequence[str]]) -> NarrativeDecision:
    from .metrics import samples_f1

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
                     max_iter: int = 100, solver: str = "ridge", log: Log = _nolog) -> FramingModel:
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
    log(f"narratives: {len(vocab)} features, thresholds {d.t_narrative:.3f} / {d.t_sub:.3f}")
    return FramingModel("narratives", vocab, heads)


def narratives_proba(model: FramingModel, f: DocFeatures) -> tuple[np.ndarray, np.ndarray]:
    pos, vals = model.vocab.vector(f.ids, f.counts)
    return model.heads["narratives"].proba(pos, vals), model.heads["subnarratives"].proba(pos, vals)


def narratives_decide(model: FramingModel, f: DocFeatures):
    hn, hs = model.heads["narratives"], model.heads["subnarratives"]
    pn, ps = narratives_proba(model, f)
    d = NarrativeDecision(float(hn.thresholds[0]), float(hs.thresholds[0]))
    return decode_narratives(pn, ps, hn.labels, hs.labels, d)


def sentence_evidence(model: FramingModel, f: DocFeatures, head: str, label: str, k: int = 2
                      ) -> list[tuple[int, int, float]]:
    """The ``k`` sentences whose features add most to ``label``'s logit:
    ``(start, end, contribution)`` with positive contributions only."""
    h = model.heads[head]
    j = h.labels.index(label)
    pos, vals = model.vocab.vector(f.ids, f.counts)
    value = dict(zip(f.ids[np.isin(f.ids, model.vocab.ids)].tolist(), (vals * h.W[pos, j]).tolist(), strict=True))
    tk = f.tokens
    scored = []
    for s, ids in enumerate(f.sent_ids):
        c = sum(value.get(i, 0.0) for i in ids.tolist())
        a, b = tk.sentences[s]
        if b > a:
            scored.append((c, tk.start[a], tk.end[b - 1]))
    scored.sort(key=lambda x: -x[0])
    return [(a, b, c) for c, a, b in scored[:k] if c > 0]
