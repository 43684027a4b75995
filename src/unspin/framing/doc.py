"""Article-level framing models: frames and narratives (fast tier).

Both read the same hashed TF-IDF vector of an article (word unigrams
and bigrams within sentences, plus a few bucketed style signals) and differ
in their heads and decisions (genre: :mod:`.genre`):

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
