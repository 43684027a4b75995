"""How a techniques model's calibrated probabilities become what a reader sees.

Both tiers produce, per word and per paragraph (line), a calibrated
probability of each technique. A *reading* turns them into findings:

* **spans**: maximal runs of words whose probability (averaged over
  ``span_smoothing`` words each side) reaches the technique's
  ``span_threshold``, trimmed, optionally widened to the clause or sentence
  (``span_units``; :func:`~unspin.techniques.fast.decode_spans`); then, for
  the default precision-first reading, a span is kept only if its highest
  word probability reaches ``span_min_peak`` (a low threshold draws the
  extent of a span, a higher one decides whether there is one) and, with
  ``span_needs_paragraph``, only where its paragraph carries the same
  technique: a highlight is evidence for a paragraph label, never a lone guess;
* **paragraph labels**: the techniques whose paragraph probability reaches
  ``paragraph_threshold``.

A model ships two readings, both chosen on out-of-fold predictions of its
training articles (never on the articles its forward figures are measured
on): the **default** one, chosen for readers (highlights right at least as
often as not, covering at most 1.5 times the share of characters annotators
mark, and within those limits the best technique-aware span F1), and the
**recall** one (the best SI span F1, whatever it costs in precision) for
analysts who want every lead.

*Span scores.* A span's *peak* is its highest word probability; the score a
reader sees is ``σ(a · logit(peak) + b)`` with ``(a, b)`` =
``span_calibration``, fitted on out-of-fold spans: the estimated probability
that annotators marked the same technique somewhere inside the highlighted
text. A model without ``span_calibration`` shows the peak, which is not the
probability that the span is right (reports must not call it one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import fast
from .text import Tokens


@dataclass(frozen=True)
class Reading:
    """One decoding rule (see the module doc); arrays hold one value per label."""

    span_threshold: np.ndarray
    span_units: list[str] | None
    span_smoothing: int
    span_needs_content_word: bool
    paragraph_threshold: np.ndarray
    #: a span's highest word probability must reach this (None: the span threshold is enough)
    span_min_peak: np.ndarray | None = None
    #: keep a span only where its paragraph carries the same technique
    span_needs_paragraph: bool = False


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def span_probability(peak: np.ndarray | float, calibration: np.ndarray | Sequence[float] | None) -> np.ndarray:
    """The shown score of spans with these peaks (the peaks themselves without a calibration)."""
    if calibration is None:
        return np.asarray(peak, dtype=np.float64)
    a, b = float(calibration[0]), float(calibration[1])
    return 1.0 / (1.0 + np.exp(-(a * logit(peak) + b)))


def of(model, recall: bool = False, span_threshold: float | None = None,
       paragraph_threshold: float | np.ndarray | None = None) -> Reading:
    """The default reading of a techniques model (either tier), or its recall
    reading (the default one where the model has none). A ``span_threshold``
    replaces the reading's span threshold of every label and drops its peak
    rule; a ``paragraph_threshold`` replaces its paragraph thresholds."""
    L = len(model.labels)
    r = model.recall if recall and model.recall is not None else {
        "span_threshold": model.span_threshold, "span_units": model.span_units,
        "span_smoothing": model.span_smoothing, "span_needs_content_word": model.span_needs_content_word,
        "paragraph_threshold": model.paragraph_threshold, "span_min_peak": model.span_min_peak,
        "span_needs_paragraph": model.span_needs_paragraph}
    st = r["span_threshold"] if span_threshold is None else span_threshold
    pt = r["paragraph_threshold"] if paragraph_threshold is None else paragraph_threshold
    return Reading(np.broadcast_to(np.asarray(st, dtype=np.float64), (L,)), r.get("span_units"),
                   int(r.get("span_smoothing", 0)), bool(r.get("span_needs_content_word", False)),
                   np.broadcast_to(np.asarray(pt, dtype=np.float64), (L,)),
                   r.get("span_min_peak") if span_threshold is None else None,
                   bool(r.get("span_needs_paragraph", False)))


def calibration_of(model, recall: bool = False) -> np.ndarray | None:
    """The span calibration of the model's default or recall reading."""
    if recall and model.recall is not None:
        return model.recall.get("span_calibration")
    return model.span_calibration


def read(tk: Tokens, pw: np.ndarray, pp: np.ndarray, labels: Sequence[str], reading: Reading,
         span_calibration: np.ndarray | Sequence[float] | None = None,
         min_score: float | None = None) -> "fast.Prediction":
    """Spans and paragraph labels of one article from its calibrated word
    (n × L) and paragraph (lines × L) probabilities. With ``min_score``, spans
    whose shown score falls below it are dropped (after the reading's own
    rules) and the paragraph labels are those of at least that probability."""
    L = len(labels)
    pt = np.broadcast_to(np.asarray(reading.paragraph_threshold, dtype=np.float64), (L,))
    par_sets = []
    for (ls, le, _, _), row in zip(tk.lines, pp, strict=True):
        keep = row >= (pt if min_score is None else min_score)
        par_sets.append((ls, le, {labels[j]: float(row[j]) for j in np.flatnonzero(keep)}))
    spans: list[tuple[int, int, str, float]] = []
    if tk.text and len(pw):
        raw = fast.decode_spans(tk, pw, list(labels), reading.span_threshold, reading.span_smoothing,
                           reading.span_units, reading.span_needs_content_word)
        index = {t: j for j, t in enumerate(labels)}
        peaks = reading.span_min_peak
        line_starts = [ls for ls, _, _ in par_sets]
        for a, b, t, peak in raw:
            j = index[t]
            if peaks is not None and peak < peaks[j]:
                continue
            if reading.span_needs_paragraph:
                k = int(np.searchsorted(line_starts, a, side="right")) - 1
                if k < 0 or t not in par_sets[k][2]:
                    continue
            score = float(span_probability(peak, span_calibration))
            if min_score is not None and score < min_score:
                continue
            spans.append((a, b, t, score))
    return fast.Prediction(spans, par_sets)
