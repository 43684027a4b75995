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
from typing import Sequence

import numpy as np

from .features import DocFeatures
from .model import FramingModel

# --------------------------------------------------------------------------
# Genre
# --------------------------------------------------------------------------


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
