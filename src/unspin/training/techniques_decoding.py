"""How calibrated word and paragraph probabilities become findings, and how
that decoding is chosen on out-of-fold predictions (both tiers).

A :class:`Decoding` holds, per technique, the span threshold and the unit its
spans are widened to (words, clause or sentence), the smoothing radius of the
word probabilities, the paragraph threshold, and whether spans made only of
function words are dropped. :func:`choose_thresholds` picks it to maximise the
pooled SI F1 (spans) and paragraph micro-F1 of out-of-fold predictions;
:func:`~unspin.techniques.artifact.decoding_meta` and
:func:`~unspin.techniques.artifact.decoding_fields` write it to and read it back
from a model's meta.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

import numpy as np

from ..datasets.semeval2023 import Doc
from ..evaluation.techniques import SpanCounts, TechniqueScores, gold_spans, span_counts
from ..techniques.fast import SPAN_UNITS, decode_spans, smooth_within_lines, spans_from_smoothed
from ..techniques.text import Tokens
from .framing_lexical import micro_thresholds

#: global span thresholds tried (calibrated probabilities)
GRID = tuple(round(x, 3) for x in np.arange(0.05, 0.801, 0.025))
#: span smoothing radii (words each side) tried with the span threshold
SMOOTHING = (0, 1, 2)


class Scored(Protocol):
    """A training article as the decoding search reads it."""

    doc: Doc
    tk: Tokens
    py: np.ndarray  # paragraphs × labels (gold)
    gold_par: list[list[str]]


@dataclass
class Decoding:
    """How calibrated probabilities become findings (chosen on out-of-fold predictions)."""

    span_threshold: np.ndarray  # one per label
    span_units: list[str]  # one of SPAN_UNITS per label
    span_smoothing: int
    paragraph_threshold: np.ndarray  # one per label
    #: the global span threshold the per-label ones were searched around
    base_span_threshold: float
    #: spans made only of function words are dropped
    needs_content_word: bool = False

    def model_fields(self) -> dict[str, Any]:
        """The model fields it sets (:class:`~unspin.techniques.accurate.AccurateModel` and
        :class:`~unspin.techniques.fast.FastModel` share them)."""
        return {"span_threshold": self.span_threshold, "span_units": list(self.span_units),
                "span_smoothing": self.span_smoothing, "paragraph_threshold": self.paragraph_threshold,
                "span_needs_content_word": self.needs_content_word}


def score_items(items: Sequence[Scored], probs: dict[str, tuple[np.ndarray, np.ndarray]], labels: Sequence[str],
                span_t: float | np.ndarray, par_t: float | np.ndarray, scores: TechniqueScores | None = None,
                smooth: int = 0, units: Sequence[str] | None = None, needs_content_word: bool = False
                ) -> TechniqueScores:
    s = scores if scores is not None else TechniqueScores()
    for it in items:
        pw, pp = probs[it.doc.id]
        spans = decode_spans(it.tk, pw, list(labels), span_t, smooth, units, needs_content_word) if len(pw) else []
        paras = [[labels[j] for j in np.flatnonzero(row >= par_t)] for row in pp]
        s.add_article(it.gold_par, paras, gold_spans(it.doc), [(a, b, t) for a, b, t, _ in spans])
    return s


def score_decoding(items: Sequence[Scored], probs: dict, labels: Sequence[str], d: Decoding,
                   scores: TechniqueScores | None = None) -> TechniqueScores:
    return score_items(items, probs, labels, d.span_threshold, d.paragraph_threshold, scores, d.span_smoothing,
                       d.span_units, d.needs_content_word)


def _micro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float((pred & gold).sum())
    return 2 * tp / (pred.sum() + gold.sum()) if tp else 0.0


def _best(values: dict[float, float]) -> float:
    best = max(values.values())
    return min(t for t, v in values.items() if v >= best - 1e-3)


#: factors of the global span threshold tried per technique
THRESHOLD_FACTORS = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def choose_span_rules(items: Sequence[Scored], probs: dict, labels: Sequence[str], threshold: float, radius: int,
                      rounds: int = 2, needs_content_word: bool = False) -> tuple[np.ndarray, list[str]]:
    """Per technique, the span threshold (a factor of ``threshold`` among
    :data:`THRESHOLD_FACTORS`) and the unit its spans are widened to (one of
    :data:`~unspin.techniques.fast.SPAN_UNITS`) that maximise the pooled SI F1
    of ``items``: coordinate ascent from (``threshold``, words), ``rounds``
    passes over the techniques, a change kept only if it gains over 1e-4.

    SI ignores the label, so each technique's rule is judged by what its spans
    add to (or take from) the union of all techniques' spans."""

    L = len(labels)
    # factor 1 first within each unit: among options that tie, the first tried is kept
    options = [(f, u) for u in SPAN_UNITS for f in sorted(THRESHOLD_FACTORS, key=lambda f: abs(np.log(f)))]
    start = options.index((1.0, "words"))
    # spans[i][j][o]: article i, technique j, option o
    spans: list[list[list[list[tuple[int, int]]]]] = []
    gold: list[list[tuple[int, int]]] = []
    for it in items:
        pw = probs[it.doc.id][0]
        gold.append([(a, b) for a, b, _ in gold_spans(it.doc)])
        if not len(pw):
            spans.append([[[] for _ in options] for _ in range(L)])
            continue
        sm = smooth_within_lines(it.tk, pw, radius)
        bounds: dict[str, np.ndarray] = {}
        spans.append([[[(a, b) for a, b, _, _ in spans_from_smoothed(it.tk, pw[:, [j]], sm[:, [j]], [labels[j]],
                                                                     threshold * f, [u], bounds,
                                                                     needs_content_word)]
                       for f, u in options] for j in range(L)])
    choice = [start] * L

    def article_counts(i: int, j: int, o: int) -> SpanCounts:
        pred = [sp for k in range(L) for sp in spans[i][k][o if k == j else choice[k]]]
        return span_counts(pred, gold[i])

    counts = [article_counts(i, 0, choice[0]) for i in range(len(items))]

    def f1(cs) -> float:
        total = SpanCounts()
        for c in cs:
            total.add(c)
        return total.f1

    best = f1(counts)
    for _ in range(rounds):
        changed = False
        for j in range(L):
            for o in range(len(options)):
                if o == choice[j]:
                    continue
                touched = [i for i in range(len(items)) if spans[i][j][o] != spans[i][j][choice[j]]]
                if not touched:
                    continue
                trial = list(counts)
                for i in touched:
                    trial[i] = article_counts(i, j, o)
                score = f1(trial)
                if score > best + 1e-4:
                    best, counts, choice[j], changed = score, trial, o, True
        if not changed:
            break
    return (np.array([threshold * options[c][0] for c in choice]), [options[c][1] for c in choice])


def choose_thresholds(items: Sequence[Scored], probs: dict, labels: Sequence[str],
                      smoothing: Sequence[int] = SMOOTHING, per_technique: bool = True,
                      needs_content_word: bool = True, grid: Sequence[float] = GRID,
                      per_technique_paragraphs: bool = True) -> tuple[Decoding, dict]:
    """The decoding that maximises the out-of-fold scores of ``items``: the
    span smoothing radius and a global span threshold (among ``grid``) maximising SI F1 (SI
    ignores the label; the smallest radius within 0.002 of the best), then
    (``per_technique``) each technique's span threshold and span unit
    (:func:`choose_span_rules`); per-technique paragraph thresholds maximising
    the pooled paragraph micro-F1 (coordinate ascent), or with
    ``per_technique_paragraphs`` False one paragraph threshold among ``grid``
    for all techniques (for a model whose rarer techniques' probabilities are
    too noisy for thresholds of their own). Spans made only of
    function words are dropped throughout unless ``needs_content_word`` is
    False: the rule is a choice about evidence, not a tuned setting."""

    L = len(labels)
    best: dict[int, tuple[float, float]] = {}
    for r in smoothing:
        span_f1 = {t: score_items(items, probs, labels, t, 1.1, smooth=r,
                                  needs_content_word=needs_content_word).si.f1 for t in grid}
        t = _best(span_f1)
        best[r] = (t, span_f1[t])
    top = max(f for _, f in best.values())
    radius = min(r for r, (_, f) in best.items() if f >= top - 2e-3)
    st = best[radius][0]
    if per_technique:
        thresholds, units = choose_span_rules(items, probs, labels, st, radius,
                                              needs_content_word=needs_content_word)
    else:
        thresholds, units = np.full(L, st), ["words"] * L
    P = np.vstack([probs[it.doc.id][1] for it in items])
    Y = np.vstack([it.py for it in items])
    if per_technique_paragraphs:
        par_thresholds = micro_thresholds(P, Y)
    else:
        par_thresholds = np.full(L, _best({t: _micro_f1(P >= t, Y > 0) for t in grid}))
    d = Decoding(thresholds, units, radius, par_thresholds, base_span_threshold=st,
                 needs_content_word=needs_content_word)
    scores = score_decoding(items, probs, labels, d)
    return d, {"span_si_f1": round(scores.si.f1, 4), "span_si_f1_global_threshold": round(best[radius][1], 4),
               "paragraph_micro_f1": round(scores.paragraph.f1, 4),
               "span_si_f1_by_smoothing": {str(r): round(f, 4) for r, (_, f) in best.items()}}
