"""Scores of persuasion-technique detection (SemEval-2023 task 3 data).

Metrics (all micro-averaged over the whole corpus)
--------------------------------------------------
*Paragraph micro-F1* (the official metric of SemEval-2023 task 3, subtask 3):
every non-blank line of an article is a paragraph with a set of gold
techniques; over all (paragraph, technique) pairs, TP = predicted and gold,
FP = predicted not gold, FN = gold not predicted; P = TP/(TP+FP),
R = TP/(TP+FN), F1 their harmonic mean (0 when undefined). Per-technique
paragraph F1 counts the pairs of one technique.

*Span identification (SI) F1*, after SemEval-2020 task 11 (Da San Martino et
al., 2020), technique-agnostic: in each article, gold spans are merged where
they overlap (share at least one character; spans that only touch stay
apart), and so are predicted spans. For predicted spans S and gold spans T of
an article, ``C(s, t, h) = |s ∩ t| / h`` (characters);
precision credit ``Σ_{s∈S} Σ_{t∈T} C(s, t, |s|)``, recall credit
``Σ_{s∈S} Σ_{t∈T} C(s, t, |t|)``. Credits and span counts are summed over all
articles, then ``P = Σ credit_P / Σ |S|`` and ``R = Σ credit_R / Σ |T|``
(P = 0 when nothing is predicted, R = 0 when there is no gold span).
Because both sides are merged, the spans on each side are disjoint and each
credit is at most 1 per span.

*Technique-aware span F1* (the SemEval-2020 TC/2019 FLC variant): the same
formula with ``δ(l(s), l(t))``: spans are merged per technique, and a
predicted span earns credit only from gold spans of its own technique. The
micro figure sums credits and counts over all techniques; per-technique span
F1 uses one technique's spans.

*Highlighted share*: per article, the characters inside at least one
predicted span (any technique) over the article's characters, averaged over
articles; the same for the gold spans ("annotators' share").

*Calibration* (:func:`expected_calibration_error`): scores are put in 10
equal-width bins; ECE is the mean over bins of ``|mean score − observed
frequency|`` weighted by the bin's share of the scores.

*Speed*: articles per second of the model's prediction (features included,
loading excluded), single process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Interval = tuple[int, int]


def merge_spans(spans: Iterable[Interval]) -> list[Interval]:
    """Sorted union of half-open intervals; overlapping ones are merged,
    touching ones (``a.end == b.start``) are not."""
    out: list[list[int]] = []
    for s, e in sorted((s, e) for s, e in spans if e > s):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


@dataclass
class SpanCounts:
    credit_p: float = 0.0
    n_pred: int = 0
    credit_r: float = 0.0
    n_gold: int = 0

    def add(self, other: "SpanCounts") -> None:
        self.credit_p += other.credit_p
        self.n_pred += other.n_pred
        self.credit_r += other.credit_r
        self.n_gold += other.n_gold

    @property
    def precision(self) -> float:
        return self.credit_p / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.credit_r / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


def span_counts(pred: Iterable[Interval], gold: Iterable[Interval]) -> SpanCounts:
    """SI credits of one article (both sides merged first)."""
    S, T = merge_spans(pred), merge_spans(gold)
    c = SpanCounts(n_pred=len(S), n_gold=len(T))
    j0 = 0
    for s0, s1 in S:
        while j0 < len(T) and T[j0][1] <= s0:
            j0 += 1
        j = j0
        while j < len(T) and T[j][0] < s1:
            inter = min(s1, T[j][1]) - max(s0, T[j][0])
            if inter > 0:
                c.credit_p += inter / (s1 - s0)
                c.credit_r += inter / (T[j][1] - T[j][0])
            j += 1
    return c


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


LabelledSpan = tuple[int, int, str]


def prf(x: PRF | SpanCounts) -> dict:
    """Precision, recall and F1 of ``x``, rounded for reports."""
    return {"precision": round(x.precision, 4), "recall": round(x.recall, 4), "f1": round(x.f1, 4)}


@dataclass
class TechniqueScores:
    """Every figure of one evaluation run (see the module docstring)."""

    paragraph: PRF = field(default_factory=PRF)
    paragraph_by_technique: dict[str, PRF] = field(default_factory=dict)
    si: SpanCounts = field(default_factory=SpanCounts)
    span_aware: SpanCounts = field(default_factory=SpanCounts)
    span_by_technique: dict[str, SpanCounts] = field(default_factory=dict)
    n_articles: int = 0
    n_paragraphs: int = 0
    seconds: float = 0.0
    protocol: str = ""
    #: sums over articles of the highlighted share of characters (predicted, gold) and the articles counted
    share_pred: float = 0.0
    share_gold: float = 0.0
    n_shared: int = 0

    @property
    def articles_per_s(self) -> float:
        return self.n_articles / self.seconds if self.seconds else 0.0

    def add_article(self, gold_paragraphs: Sequence[Iterable[str]], pred_paragraphs: Sequence[Iterable[str]],
                    gold_spans: Iterable[LabelledSpan], pred_spans: Iterable[LabelledSpan],
                    text_length: int | None = None) -> None:
        """Add one article: paragraph label sets (same order, one per
        non-blank line) and labelled spans ``(start, end, technique)``;
        with ``text_length``, its highlighted shares of characters too."""
        if len(gold_paragraphs) != len(pred_paragraphs):
            raise ValueError("gold and predicted paragraphs differ in number")
        self.n_articles += 1
        for g, p in zip(gold_paragraphs, pred_paragraphs, strict=True):
            self.n_paragraphs += 1
            g, p = set(g), set(p)
            for t in g | p:
                prf = self.paragraph_by_technique.setdefault(t, PRF())
                if t in g and t in p:
                    prf.tp += 1
                    self.paragraph.tp += 1
                elif t in p:
                    prf.fp += 1
                    self.paragraph.fp += 1
                else:
                    prf.fn += 1
                    self.paragraph.fn += 1
        gold_spans, pred_spans = list(gold_spans), list(pred_spans)
        if text_length:
            self.share_pred += covered(pred_spans) / text_length
            self.share_gold += covered(gold_spans) / text_length
            self.n_shared += 1
        self.si.add(span_counts([(s, e) for s, e, _ in pred_spans], [(s, e) for s, e, _ in gold_spans]))
        for t in {t for *_, t in gold_spans} | {t for *_, t in pred_spans}:
            c = span_counts([(s, e) for s, e, u in pred_spans if u == t], [(s, e) for s, e, u in gold_spans if u == t])
            self.span_by_technique.setdefault(t, SpanCounts()).add(c)
            self.span_aware.add(c)

    def to_dict(self) -> dict:
        techs = sorted(set(self.paragraph_by_technique) | set(self.span_by_technique))
        return {
            "protocol": self.protocol,
            "articles": self.n_articles,
            "paragraphs": self.n_paragraphs,
            "paragraph_micro": prf(self.paragraph),
            "span_si": prf(self.si),
            "span_technique_aware": prf(self.span_aware),
            "per_technique": {
                t: {
                    "paragraph_f1": round(self.paragraph_by_technique.get(t, PRF()).f1, 4),
                    "paragraph_gold": (lambda x: x.tp + x.fn)(self.paragraph_by_technique.get(t, PRF())),
                    "span_f1": round(self.span_by_technique.get(t, SpanCounts()).f1, 4),
                    "span_gold": self.span_by_technique.get(t, SpanCounts()).n_gold,
                }
                for t in techs
            },
            "articles_per_s": round(self.articles_per_s, 1),
            **({"highlighted_share": self.shares()} if self.n_shared else {}),
        }

    def shares(self) -> dict:
        """Mean highlighted share of characters per article: predicted, annotated, and their ratio."""
        pred, gold = self.share_pred / self.n_shared, self.share_gold / self.n_shared
        return {"predicted": round(pred, 4), "annotated": round(gold, 4),
                "ratio": round(pred / gold, 3) if gold else None}

    def format(self) -> str:
        d = self.to_dict()
        lines = [f"{self.protocol}", f"articles: {self.n_articles}   paragraphs: {self.n_paragraphs}", ""]
        for name, key in (("paragraph micro (official)", "paragraph_micro"), ("span SI (SemEval-2020 t11)", "span_si"),
                          ("span technique-aware", "span_technique_aware")):
            x = d[key]
            lines.append(f"{name:30s} P {x['precision']:.3f}  R {x['recall']:.3f}  F1 {x['f1']:.3f}")
        lines.append("")
        lines.append(f"{'technique':36s} {'para F1':>8s} {'gold¶':>6s} {'span F1':>8s} {'gold':>5s}")
        for t, x in sorted(d["per_technique"].items(), key=lambda kv: -kv[1]["span_gold"]):
            lines.append(f"{t:36s} {x['paragraph_f1']:8.3f} {x['paragraph_gold']:6d} {x['span_f1']:8.3f} {x['span_gold']:5d}")
        if self.n_shared:
            sh = self.shares()
            lines.append(f"{'highlighted share of characters':30s} {sh['predicted']:.3f} "
                         f"(annotators {sh['annotated']:.3f}, ratio {sh['ratio']})")
        lines.append("")
        lines.append(f"speed: {d['articles_per_s']:.1f} articles/s (one process, prediction only)")
        return "\n".join(lines)


def covered(spans: Iterable[LabelledSpan]) -> int:
    """Characters inside at least one of ``spans``."""
    return sum(e - s for s, e in merge_spans((s, e) for s, e, *_ in spans))


def reliability(scores: Sequence[float], outcomes: Sequence[float], bins: int = 10) -> list[dict]:
    """Per equal-width score bin (non-empty ones): count, mean score, observed frequency."""
    import numpy as np

    p, y = np.asarray(scores, dtype=float), np.asarray(outcomes, dtype=float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        if m.any():
            out.append({"bin": [b / bins, (b + 1) / bins], "n": int(m.sum()),
                        "mean_score": round(float(p[m].mean()), 4), "observed": round(float(y[m].mean()), 4)})
    return out


def expected_calibration_error(scores: Sequence[float], outcomes: Sequence[float], bins: int = 10) -> float:
    """ECE over equal-width bins (see the module doc); 0 without scores."""
    rows = reliability(scores, outcomes, bins)
    n = sum(r["n"] for r in rows)
    return sum(r["n"] * abs(r["mean_score"] - r["observed"]) for r in rows) / n if n else 0.0


def span_hits(pred_spans: Iterable[tuple], gold: Iterable[LabelledSpan]) -> list[int]:
    """1 for each predicted ``(start, end, technique, …)`` span that overlaps a gold span of its technique, else 0."""
    gold = list(gold)
    return [int(any(t == u and s < e2 and s2 < e for s2, e2, u in gold)) for s, e, t, *_ in pred_spans]


def gold_paragraph_labels(doc) -> list[list[str]]:  # doc: unspin.techniques.data.Doc
    """Gold techniques of every non-blank line: the paragraph-label file where
    it lists the line, else the techniques of the gold spans overlapping it."""
    out = []
    for number, start, end in doc.lines():
        if number in doc.line_labels:
            out.append(sorted(set(doc.line_labels[number])))
        else:
            out.append(sorted({s.technique for s in doc.spans if s.start < end and start < s.end}))
    return out


def gold_spans(doc) -> list[LabelledSpan]:
    return [(s.start, s.end, s.technique) for s in doc.spans]


def score_predictions(docs: Sequence, predict: Callable, protocol: str = "") -> TechniqueScores:
    """Score ``predict(text) -> (spans [(start, end, technique)], paragraph label sets)``
    on ``docs`` (timing the calls)."""
    import time

    scores = TechniqueScores(protocol=protocol)
    for doc in docs:
        t0 = time.perf_counter()
        spans, paras = predict(doc.text)
        scores.seconds += time.perf_counter() - t0
        scores.add_article(gold_paragraph_labels(doc), paras, gold_spans(doc), spans, len(doc.text))
    return scores


