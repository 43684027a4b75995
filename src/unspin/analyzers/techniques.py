"""Persuasion techniques (SemEval-2023 task 3 taxonomy): spans and paragraph labels.

Fills ``analysis.techniques`` with character spans into the text (sorted by
start, end, technique; ``text[start:end]`` is the evidence, spans of
different techniques may overlap) and ``paragraph.labels`` (and
``paragraph.techniques``, the same techniques) for every non-blank line.
Paragraph scores are calibrated probabilities; a span's score is the
calibrated probability that annotators marked its technique within it where
the model has a span calibration (:mod:`unspin.techniques.reading`), else its
highest word probability (not the probability that it is right).

*Boilerplate is not persuasion.* The boilerplate analyzer runs first
(``requires``): no span lies inside page furniture (a span that reaches into
it is cut back to the article's own words, trimmed of spaces and punctuation,
and dropped when no word is left), and a paragraph that is mostly boilerplate
(:data:`MOSTLY_BOILERPLATE` of its non-space characters: a syndication footer,
a photo credit with its caption) gets neither labels nor spans.

*One story per paragraph* (:func:`paragraph_labels`). A paragraph's labels are
the techniques of its spans (evidence ``"spans"``) and the paragraph model's
labels that no span shows (evidence ``"paragraph"``, a judgement on the
paragraph as a whole); so every span's technique is a label of its paragraph,
and every label either has a span to point at or says it has none.

Options: ``options.model`` (``--model``): ``accurate`` (default: the head over
the shared MiniLM pass, :mod:`unspin.techniques.accurate`), ``fast`` (lexical
linear models, :mod:`unspin.techniques.fast`) or a path to a trained model
folder of either tier. By default the model's precision-first reading is used;
``options.recall`` (``--recall``) uses its recall reading (every lead), and
``options.min_score`` (``--min-score``, in [0, 1]) the recall reading's spans
scored at least ``min_score`` and the paragraph labels of at least that probability.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Options
from ..errors import ConfigError, ModelError
from ..models import artifact
from ..techniques import accurate, fast
from ..techniques import share
from ..techniques.accurate import load_default
from ..types import (
    EVIDENCE_PARAGRAPH,
    EVIDENCE_SPANS,
    Analysis,
    Paragraph,
    ParagraphLabel,
    Span,
    Technique,
    TechniqueHighlight,
    TechniqueOverview,
)
from .base import Context, registry

#: A paragraph whose non-space characters are at least this share boilerplate gets no technique.
MOSTLY_BOILERPLATE = 0.5
#: The article summary's strongest techniques, and the spans shown for each.
STRONGEST, EVIDENCE_PER_TECHNIQUE = 3, 2

#: meta.json fields that change the findings without changing the weights (part of the version tag)
DECODING_KEYS = artifact.LEGACY_KEYS + artifact.DECODING_KEYS


class TechniqueDetector:
    name = "techniques"

    def __init__(self, options: Options) -> None:
        self.model = load_techniques_model(options.techniques_model or options.model)
        self.neural = self.model.meta.get("format", "").startswith("unspin-techniques-accurate")
        self.packaged_accurate = self.neural and self.model is _packaged_accurate()
        # tier, version and the short SHA-256 of the weights and thresholds: a retrained model gets another
        # version string
        self.version = (f"{'accurate' if self.neural else 'fast'}-{self.model.meta.get('version', '?')}"
                        + artifact.weights_tag(self.model.meta, "head.npz" if self.neural else "weights.npz",
                                               DECODING_KEYS))
        min_score = options.min_score
        if min_score is not None:
            try:
                min_score = float(min_score)
            except (TypeError, ValueError):
                raise ConfigError(f"min_score must be a number in [0, 1], not {min_score!r}") from None
            if not 0.0 <= min_score <= 1.0:
                raise ConfigError(f"min_score must lie in [0, 1], not {min_score}")
        self.min_score = min_score
        # --min-score explores: the recall reading's spans, filtered by their shown score
        self.recall = bool(options.recall) or min_score is not None

    def annotate(self, ctx: Context) -> None:
        text = ctx.analysis.text
        if self.packaged_accurate:  # shared with the genre head stacked on the technique profile
            pred = self.model.decode(*ctx.product("technique_probabilities"), recall=self.recall,
                                     min_score=self.min_score)
        else:
            kw = {"encoded": ctx.product("encoded")} if self.neural else {}
            pred = self.model.predict(text, recall=self.recall, min_score=self.min_score, **kw)
        furniture = sorted((b.start, b.end) for b in ctx.analysis.boilerplate if b.end > b.start)
        furnished = [(p.start, p.end) for p in ctx.analysis.paragraphs
                     if boilerplate_share(text, p, furniture) >= MOSTLY_BOILERPLATE]
        spans = [(a, b, t, s) for a, b, t, s in outside(text, pred.spans, furniture)
                 if not any(ps <= a < pe for ps, pe in furnished)]
        ctx.analysis.techniques = [
            Technique(technique=t, start=a, end=b, score=round(s, 4), text=text[a:b]) for a, b, t, s in spans
        ]
        by_start = {a: labels for a, _, labels in pred.paragraphs}
        for para in ctx.analysis.paragraphs:
            if (para.start, para.end) in furnished:
                para.labels, para.techniques = [], []
                continue
            inside = [t for t in ctx.analysis.techniques if para.start <= t.start < para.end]
            para.labels = paragraph_labels(by_start.get(para.start, {}), inside)
            para.techniques = [label.technique for label in para.labels]


def paragraph_labels(judged: dict[str, float], spans: list[Technique]) -> list[ParagraphLabel]:
    """A paragraph's labels from the paragraph model's labels (technique →
    probability) and the technique spans that lie in the paragraph: each
    span's technique (evidence ``spans``; score the highest of its spans'
    and, if the paragraph model gave it too, of that probability), then each
    judged technique without a span (evidence ``paragraph``); strongest first."""
    labels: dict[str, ParagraphLabel] = {}
    for span in spans:
        best = max(span.score, labels[span.technique].score if span.technique in labels else 0.0,
                   judged.get(span.technique, 0.0))
        labels[span.technique] = ParagraphLabel(span.technique, round(best, 4), EVIDENCE_SPANS)
    for technique, score in judged.items():
        if technique not in labels:
            labels[technique] = ParagraphLabel(technique, round(score, 4), EVIDENCE_PARAGRAPH)
    return sorted(labels.values(), key=lambda lab: (-lab.score, lab.technique))


def boilerplate_share(text: str, para: Paragraph, furniture: list[tuple[int, int]]) -> float:
    """The share of the paragraph's non-space characters that lie in boilerplate."""
    total = sum(not c.isspace() for c in text[para.start:para.end])
    if not total:
        return 0.0
    covered = 0
    for s, e in furniture:
        a, b = max(s, para.start), min(e, para.end)
        if a < b:
            covered += sum(not c.isspace() for c in text[a:b])
    return covered / total


def outside(text: str, spans: list[tuple[int, int, str, float]], furniture: list[tuple[int, int]]
            ) -> list[tuple[int, int, str, float]]:
    """``spans`` cut back to the text outside the ``furniture`` ranges (sorted,
    non-overlapping): a span that reaches into boilerplate keeps its pieces
    outside it, each trimmed of spaces and punctuation at both ends and kept
    only if a letter or digit is left; sorted by start, end, technique."""
    out: list[tuple[int, int, str, float]] = []
    for a, b, technique, score in spans:
        pieces, pos = [], a
        for s, e in furniture:
            if e <= pos or s >= b:
                continue
            pieces.append((pos, min(s, b)))
            pos = max(pos, e)
        pieces.append((pos, b))
        if pieces == [(a, b)]:  # untouched: the decoder's span as it is
            out.append((a, b, technique, score))
            continue
        for s, e in pieces:
            s, e = _trim(text, s, e)
            if s < e:
                out.append((s, e, technique, score))
    out.sort(key=lambda x: (x[0], x[1], x[2]))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without non-alphanumeric characters at either end (empty when none is left)."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _packaged_accurate():

    try:
        return load_default()
    except ModelError:
        return None


def load_techniques_model(which: str):
    """``accurate``, ``fast`` or a model folder (its meta.json says which tier)."""

    if which == "accurate":
        return accurate.load_default()
    if which == "fast":
        return fast.load_default()
    path = Path(which)
    if not path.is_dir():
        raise ConfigError(f"model must be 'accurate', 'fast' or a model folder, not {which!r}")
    fmt = artifact.read_meta(path).get("format", "")
    return (accurate.AccurateModel if fmt == accurate.FORMAT else fast.FastModel).load(path)


@registry.register("techniques", requires=("boilerplate",),
                   assigns=("techniques", "paragraphs.techniques", "paragraphs.labels"),
                   uses=("encoded", "technique_probabilities"), scope="block")
def make_techniques(options: Options) -> TechniqueDetector:
    return TechniqueDetector(options)


def overview(analysis: Analysis, expected_share: float | None = None) -> TechniqueOverview:
    """The techniques of ``analysis`` at a glance (see :class:`~unspin.types.TechniqueOverview`)."""
    text = analysis.text
    furniture = sorted((b.start, b.end) for b in analysis.boilerplate if b.end > b.start)
    analysed = [p for p in analysis.paragraphs if boilerplate_share(text, p, furniture) < MOSTLY_BOILERPLATE]
    best: dict[str, float] = {}
    count: dict[str, int] = {}
    for para in analysed:
        for label in para.labels:
            best[label.technique] = max(best.get(label.technique, 0.0), label.score)
            count[label.technique] = count.get(label.technique, 0) + 1
    strongest = []
    for technique in sorted(best, key=lambda t: (-best[t], -count[t], t))[:STRONGEST]:
        spans = sorted((t for t in analysis.techniques if t.technique == technique), key=lambda t: (-t.score, t.start))
        evidence = [Span(t.start, t.end, t.text) for t in sorted(spans[:EVIDENCE_PER_TECHNIQUE], key=lambda t: t.start)]
        strongest.append(TechniqueHighlight(technique, best[technique], count[technique], evidence))
    return TechniqueOverview(paragraphs=len(analysed), labelled_paragraphs=sum(1 for p in analysed if p.labels),
                             spans=len(analysis.techniques), strongest=strongest,
                             expected_share=None if expected_share is None else round(expected_share, 3))


class TechniqueSummarizer:
    """Fills ``analysis.technique_summary`` (:func:`overview`), with the
    calibrated expected share when the packaged accurate tier ran and the
    packaged calibration was fitted for its weights."""

    name = "technique_summary"

    def __init__(self, options: Options) -> None:
        which = options.techniques_model or options.model
        model = _packaged_accurate() if which == "accurate" else None
        self.calibration = share.load_for(model.meta) if model is not None else None
        self.version = "1" + (f"+{self.calibration.head_sha256[:8]}" if self.calibration else "")

    def annotate(self, ctx: Context) -> None:
        expected = None
        if self.calibration is not None:
            tk, _, pp = ctx.product("technique_probabilities")
            text = ctx.analysis.text
            furniture = sorted((b.start, b.end) for b in ctx.analysis.boilerplate if b.end > b.start)
            keep = [k for k, (ls, le, _, _) in enumerate(tk.lines)
                    if boilerplate_share(text, Paragraph(ls, le), furniture) < MOSTLY_BOILERPLATE]
            expected = self.calibration.expected_share(pp[keep]) if keep else None
        ctx.analysis.technique_summary = overview(ctx.analysis, expected)


@registry.register("technique_summary", requires=("techniques",), assigns=("technique_summary",),
                   uses=("technique_probabilities",))
def make_technique_summary(options: Options) -> TechniqueSummarizer:
    return TechniqueSummarizer(options)
