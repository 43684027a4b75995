"""The precision-first reading of a techniques model, chosen on out-of-fold predictions.

:func:`choose_reading` searches, per technique, the span threshold (which
draws a span's extent), the peak a span needs (its highest word
probability), the unit spans are widened to (words, clause, sentence) or
"off", and, for all techniques at once, whether a span needs its paragraph to
carry the same technique (:mod:`unspin.techniques.reading`). It maximises the
pooled technique-aware span F1 of the given articles subject to

* SI precision (technique-agnostic, :mod:`unspin.evaluation.techniques`) of
  at least ``min_precision`` and
* a mean highlighted share of characters of at most ``max_share_ratio``
  times the annotators' share,

by coordinate ascent (two passes over the techniques) on a penalised
objective: ``aware F1 − 4·(precision shortfall) − (share ratio excess)``, so
that the search first moves into the limits and then improves F1 within
them. The limits are applied with a margin (:data:`PRECISION_TARGET`,
:data:`SHARE_RATIO_TARGET`) so that they still hold on new articles.

:func:`fit_span_calibration` fits the shown span score: Platt scaling of the
logit of a span's peak against whether annotators marked the same technique
somewhere inside it, on the out-of-fold spans of the chosen reading.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..evaluation.techniques import SpanCounts, covered, gold_spans, span_counts, span_hits
from ..techniques.fast import SPAN_UNITS, smooth_within_lines, spans_from_smoothed
from ..techniques.reading import Reading, logit

logger = logging.getLogger(__name__)

#: the limits the default reading must meet on new articles, and the margins it is chosen with
MIN_PRECISION, MAX_SHARE_RATIO = 0.5, 1.5
PRECISION_TARGET, SHARE_RATIO_TARGET = 0.53, 1.35
#: extent thresholds and peaks tried per technique (0: no peak rule)
THRESHOLDS = (0.1, 0.15, 0.2, 0.3, 0.4)
PEAKS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7)
OFF = (1.1, 0.0, "words")


@dataclass
class ReadingChoice:
    reading: Reading
    span_calibration: np.ndarray
    #: out-of-fold figures of the chosen reading
    figures: dict


def _objective(aware: SpanCounts, si: SpanCounts, ratio: float, p_target: float, r_target: float) -> float:
    return aware.f1 - 4.0 * max(0.0, p_target - si.precision) - max(0.0, ratio - r_target)


def choose_reading(items: Sequence, probs: dict, labels: Sequence[str], paragraph_threshold: np.ndarray,
                   smoothing: int, needs_content_word: bool = True, p_target: float = PRECISION_TARGET,
                   r_target: float = SHARE_RATIO_TARGET, rounds: int = 2) -> ReadingChoice:
    """The precision-first reading of ``items`` (objects with ``doc`` and ``tk``;
    ``probs[id] = (word probs, paragraph probs)``, out of fold); see the module doc."""
    L = len(labels)
    options = [OFF] + [(t, m, u) for u in SPAN_UNITS for t in THRESHOLDS for m in PEAKS if m == 0.0 or m > t]
    pt = np.broadcast_to(np.asarray(paragraph_threshold, dtype=np.float64), (L,))
    best_choice = None
    for needs_par in (False, True):
        spans = _candidates(items, probs, labels, options, smoothing, needs_content_word, needs_par, pt)
        choice, figures = _ascend(items, spans, labels, options, p_target, r_target, rounds)
        score = _objective(figures["aware"], figures["si"], figures["ratio"], p_target, r_target)
        logger.info(f"reading search, spans need their paragraph's label: {needs_par}: aware F1 "
                    f"{figures['aware'].f1:.4f}, SI P {figures['si'].precision:.4f} F1 {figures['si'].f1:.4f}, "
                    f"share ratio {figures['ratio']:.3f}")
        if best_choice is None or score > best_choice[0]:
            best_choice = (score, needs_par, choice, figures, spans)
    _, needs_par, choice, figures, spans = best_choice
    t = np.array([options[c][0] for c in choice])
    m = np.array([options[c][1] for c in choice])
    units = [options[c][2] for c in choice]
    reading = Reading(t, units, smoothing, needs_content_word, pt.copy(), m, needs_par)
    # the shown score: Platt scaling of the peaks of the chosen spans against "annotators marked it"
    peaks, hits = [], []
    for i, it in enumerate(items):
        chosen = [sp for j in range(L) for sp in spans[i][j][choice[j]]]
        hits.extend(span_hits(chosen, gold_spans(it.doc)))
        peaks.extend(sp[3] for sp in chosen)
    calibration = fit_span_calibration(np.array(peaks), np.array(hits))
    out = {"span_si": {"precision": round(figures["si"].precision, 4), "recall": round(figures["si"].recall, 4),
                       "f1": round(figures["si"].f1, 4)},
           "span_technique_aware": {"precision": round(figures["aware"].precision, 4),
                                    "recall": round(figures["aware"].recall, 4), "f1": round(figures["aware"].f1, 4)},
           "highlighted_share": {"predicted": round(figures["share_pred"], 4),
                                 "annotated": round(figures["share_gold"], 4), "ratio": round(figures["ratio"], 3)},
           "spans_need_paragraph_label": needs_par, "spans": len(peaks)}
    return ReadingChoice(reading, calibration, out)


def _candidates(items, probs, labels, options, smoothing, needs_content_word, needs_par, pt):
    """spans[i][j][o]: article i, technique j, option o: ``(start, end, technique, peak)``."""
    L = len(labels)
    out = []
    for it in items:
        pw, pp = probs[it.doc.id]
        per_label: list[list[list[tuple]]] = []
        if not len(pw):
            out.append([[[] for _ in options] for _ in range(L)])
            continue
        sm = smooth_within_lines(it.tk, pw, smoothing)
        bounds: dict = {}
        line_starts = [a for a, _, _, _ in it.tk.lines]
        for j in range(L):
            raw = {}
            for t in THRESHOLDS:
                for u in SPAN_UNITS:
                    raw[(t, u)] = spans_from_smoothed(it.tk, pw[:, [j]], sm[:, [j]], [labels[j]], t, [u], bounds,
                                                      needs_content_word)
            if needs_par:
                for key, sps in raw.items():
                    keep = []
                    for sp in sps:
                        k = int(np.searchsorted(line_starts, sp[0], side="right")) - 1
                        if k >= 0 and pp[k, j] >= pt[j]:
                            keep.append(sp)
                    raw[key] = keep
            per_label.append([[] if o == OFF else [sp for sp in raw[(o[0], o[2])] if sp[3] >= o[1]]
                              for o in options])
        out.append(per_label)
    return out


def _ascend(items, spans, labels, options, p_target, r_target, rounds):
    L = len(labels)
    n = len(items)
    golds = [gold_spans(it.doc) for it in items]
    gold_iv = [[(a, b) for a, b, _ in g] for g in golds]
    lengths = [max(len(it.doc.text), 1) for it in items]
    share_gold = sum(covered(g) / ln for g, ln in zip(golds, lengths, strict=True)) / n
    # technique-aware counts do not interact across techniques: precompute them
    aware = [[[span_counts([(a, b) for a, b, *_ in spans[i][j][o]],
                           [(a, b) for a, b, t in golds[i] if t == labels[j]]) for o in range(len(options))]
              for j in range(L)] for i in range(n)]
    # start: every technique at its lowest-recall option that is not off (highest extent threshold and peak, words)
    start = options.index((THRESHOLDS[-1], PEAKS[-1], "words"))
    choice = [start] * L

    def article(i: int, j: int, o: int) -> tuple[SpanCounts, float]:
        pred = [sp for k in range(L) for sp in spans[i][k][o if k == j else choice[k]]]
        return span_counts([(a, b) for a, b, *_ in pred], gold_iv[i]), covered(pred) / lengths[i]

    state = [article(i, 0, choice[0]) for i in range(n)]
    aware_total = [SpanCounts() for _ in range(L)]
    for j in range(L):
        for i in range(n):
            aware_total[j].add(aware[i][j][choice[j]])

    def totals(st, aw):
        si, a = SpanCounts(), SpanCounts()
        share = 0.0
        for c, s in st:
            si.add(c)
            share += s
        for c in aw:
            a.add(c)
        share /= n
        return si, a, share

    si, aw, share = totals(state, aware_total)
    best = _objective(aw, si, share / share_gold, p_target, r_target)
    for _ in range(rounds):
        changed = False
        for j in range(L):
            for o in range(len(options)):
                if o == choice[j]:
                    continue
                touched = [i for i in range(n) if spans[i][j][o] != spans[i][j][choice[j]]]
                if not touched:
                    continue
                trial = list(state)
                for i in touched:
                    trial[i] = article(i, j, o)
                trial_aw = list(aware_total)
                col = SpanCounts()
                for i in range(n):
                    col.add(aware[i][j][o])
                trial_aw[j] = col
                si, aw, share = totals(trial, trial_aw)
                score = _objective(aw, si, share / share_gold, p_target, r_target)
                if score > best + 1e-5:
                    best, state, aware_total, choice[j], changed = score, trial, trial_aw, o, True
        if not changed:
            break
    si, aw, share = totals(state, aware_total)
    logger.info("reading per technique: " + ", ".join(f"{labels[j]} {options[choice[j]]}" for j in range(L)))
    return choice, {"si": si, "aware": aw, "share_pred": share, "share_gold": share_gold,
                    "ratio": share / share_gold if share_gold else 0.0}


def fit_span_calibration(peaks: np.ndarray, hits: np.ndarray, l2: float = 1e-3, iters: int = 50) -> np.ndarray:
    """``(a, b)`` of ``P(hit) = σ(a · logit(peak) + b)`` by Newton's method on the
    log-loss (a small L2 on ``a`` and ``b``); ``(1, 0)`` without spans of both kinds."""
    if len(peaks) == 0 or hits.min() == hits.max():
        return np.array([1.0, 0.0])
    x = logit(peaks)
    X = np.stack([x, np.ones_like(x)], axis=1)
    w = np.array([1.0, 0.0])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(X @ w)))
        g = X.T @ (p - hits) + l2 * w
        H = (X * (p * (1 - p))[:, None]).T @ X + l2 * np.eye(2)
        step = np.linalg.solve(H, g)
        w = w - step
        if np.abs(step).max() < 1e-8:
            break
    return w
