"""The fast tier: linear models over sparse lexical features, numpy only at
inference (training needs scipy).

*Spans.* Every token gets, for each technique, the calibrated probability
that it lies inside a span of that technique: ``σ(a·z + b)`` with
``z = token-features·W_tok + sentence-features·W_sent + bias`` (sentence
features make long-span techniques light up whole clauses; token features
catch the short loaded words and labels). A span is a maximal run of tokens
of one line whose probability reaches the threshold, trimmed of punctuation
at both ends; its score is the highest token probability in it.

*Paragraphs.* A separate multi-label logistic model over each line's words
and bigrams gives calibrated paragraph probabilities; a paragraph carries the
techniques at or above the paragraph threshold.

*Calibration and thresholds.* Platt scaling per technique is fitted on
out-of-fold logits (``inner_folds``-fold split of the training articles by
article, seeded), and the default span and paragraph thresholds maximise,
on the same out-of-fold predictions, the SI span F1 and the paragraph
micro-F1. The final weights are then fitted on all training articles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import ModelError
from .. import models
from ..models import artifact
from .features import WORD_TEMPLATES, ArticleFeatures, article_features, word_template_keys
from .text import CLAUSE_MARKS, FUNCTION_WORDS, Tokens, tokenize
from . import reading as reading_module  # noqa: E402  (it reads this module's spans at call time)

WEIGHTS = "weights.npz"
VOCAB = "vocab.json"
FORMAT = "unspin-techniques-fast/1"


@dataclass
class Prediction:
    """Spans ``(start, end, technique, score)`` sorted by position, and per
    non-blank line the techniques with their probabilities."""

    spans: list[tuple[int, int, str, float]]
    paragraphs: list[tuple[int, int, dict[str, float]]]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def unit_logits(units: np.ndarray, rows: np.ndarray, n_units: int, W: np.ndarray) -> np.ndarray:
    """``z[u] = Σ W[row]`` over the (unit, row) pairs with a known row (≥ 0)."""
    m = rows >= 0
    units, rows = units[m], rows[m]
    order = np.argsort(units, kind="stable")
    cs = np.zeros((len(order) + 1, W.shape[1]), dtype=np.float64)
    np.cumsum(W[rows[order]], axis=0, out=cs[1:])
    bounds = np.searchsorted(units[order], np.arange(n_units + 1))
    return cs[bounds[1:]] - cs[bounds[:-1]]


def logits(f: ArticleFeatures, rows: np.ndarray, W: np.ndarray, b: np.ndarray, P: np.ndarray, pb: np.ndarray,
           tok_sent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token logits (token + sentence blocks) and paragraph logits of one article;
    ``rows`` maps each of ``f.keys`` to a row of ``W`` (token/sentence keys) or
    of ``P`` (paragraph keys), -1 when unknown."""
    zt = unit_logits(f.tok_unit, rows[f.tok_key], f.n_tokens, W)
    zs = unit_logits(f.sent_unit, rows[f.sent_key], f.n_sentences, W)
    z = zt + zs[tok_sent] + b
    zp = unit_logits(f.par_unit, rows[f.par_key], f.n_paragraphs, P) + pb
    return z, zp


def token_sentence_index(tk: Tokens) -> np.ndarray:
    idx = np.zeros(len(tk.text), dtype=np.int64)
    for k, (a, b) in enumerate(tk.sentences):
        idx[a:b] = k
    return idx


def smooth_within_lines(tk: Tokens, probs: np.ndarray, radius: int) -> np.ndarray:
    """Moving average of each column over ``2·radius + 1`` tokens, never
    across a line (the window shrinks at line ends).

    Gold spans are clauses, and word probabilities dip on function words
    inside them; averaging over neighbours closes those gaps and drops lone
    spikes (measured on out-of-fold predictions: ``docs/techniques-eval.md``)."""
    if radius <= 0 or not len(probs):
        return probs
    n = len(probs)
    i = np.arange(n)
    first, stop = i.copy(), i + 1  # each token's line [first, stop); a token outside any line keeps its value
    for _, _, a, b in tk.lines:
        first[a:b], stop[a:b] = a, b
    lo, hi = np.maximum(i - radius, first), np.minimum(i + radius + 1, stop)
    c = np.zeros((n + 1, probs.shape[1]))
    np.cumsum(probs, axis=0, out=c[1:])
    return (c[hi] - c[lo]) / (hi - lo)[:, None]


#: How far a technique's spans are widened after decoding: not at all, to the
#: clause or to the sentence around them. Annotators mark some techniques
#: (Doubt, Causal_Oversimplification, Appeal_to_Fear …) as whole
#: sentences while the word probabilities fire on a few cue words; the unit
#: is chosen per technique on out-of-fold SI F1 (``docs/techniques-eval.md``).
SPAN_UNITS = ("words", "clause", "sentence")


def unit_bounds(tk: Tokens, unit: str) -> np.ndarray:
    """``(n × 2)`` token range ``[first, last)`` of the clause or sentence that
    holds each token. Clauses are the stretches of a sentence between
    :data:`~unspin.techniques.text.CLAUSE_MARKS` (a mark is its own clause)."""
    if unit not in SPAN_UNITS[1:]:
        raise ValueError(f"unknown span unit {unit!r} (one of {', '.join(SPAN_UNITS)})")
    n = len(tk.text)
    if not n:
        return np.zeros((0, 2), dtype=np.int64)
    # a unit starts at each sentence start and, for clauses, at each mark and after it (a mark is its own clause)
    starts = np.zeros(n, dtype=bool)
    starts[0] = True
    starts[[a for a, b in tk.sentences if b > a]] = True
    if unit == "clause":
        mark = np.fromiter((w in CLAUSE_MARKS for w in tk.text), dtype=bool, count=n)
        starts |= mark
        starts[1:] |= mark[:-1]
    first = np.flatnonzero(starts)
    unit_of = np.cumsum(starts) - 1
    stop = np.append(first[1:], n)
    return np.stack([first[unit_of], stop[unit_of]], axis=1)


def check_span_units(units: Sequence[str] | None, labels: Sequence[str]) -> None:
    """Refuse span units that are not one of :data:`SPAN_UNITS` per label (None: words for all)."""
    if units is not None and (len(units) != len(labels) or not set(units) <= set(SPAN_UNITS)):
        raise ModelError(f"span units must be one of {', '.join(SPAN_UNITS)} for each label")


def _trim(word: np.ndarray, a: int, b: int) -> tuple[int, int]:
    """``[a, b)`` without the non-word tokens at both ends."""
    while a < b and not word[a]:
        a += 1
    while b > a and not word[b - 1]:
        b -= 1
    return a, b


def decode_spans(tk: Tokens, probs: np.ndarray, labels: Sequence[str], threshold: float | np.ndarray,
                 smooth: int = 0, units: Sequence[str] | None = None, needs_content_word: bool = False
                 ) -> list[tuple[int, int, str, float]]:
    """Maximal runs of tokens of one line whose probability, averaged over
    ``smooth`` tokens each side (:func:`smooth_within_lines`), reaches
    ``threshold`` (one for all labels or one per label), trimmed of
    non-alphanumeric tokens at both ends; score = the highest token
    probability in the span, or its highest averaged one where that is higher
    (neighbours can lift a word over the threshold: a span's score is never
    below the threshold that selected it). With ``units`` (one of
    :data:`SPAN_UNITS` per label) a label's spans are widened to the clauses or
    sentences they start and end in; spans of one label that then overlap are
    merged (highest score kept). With ``needs_content_word`` a run made only of
    :data:`~unspin.techniques.text.FUNCTION_WORDS` ("and", "the") is dropped
    before any widening."""
    return spans_from_smoothed(tk, probs, smooth_within_lines(tk, probs, smooth), labels, threshold, units,
                               needs_content_word=needs_content_word)


def spans_from_smoothed(tk: Tokens, probs: np.ndarray, smoothed: np.ndarray, labels: Sequence[str],
                        threshold: float | np.ndarray, units: Sequence[str] | None = None,
                        bounds: dict[str, np.ndarray] | None = None, needs_content_word: bool = False
                        ) -> list[tuple[int, int, str, float]]:
    """:func:`decode_spans` given the smoothed probabilities (and, optionally,
    a cache of :func:`unit_bounds` by unit)."""
    n = len(tk.text)
    out: list[tuple[int, int, str, float]] = []
    if not n:
        return out
    mask = smoothed >= np.asarray(threshold, dtype=np.float64)
    if not mask.any():
        return out
    line_start = np.zeros(n, dtype=bool)
    line_end = np.zeros(n, dtype=bool)
    for _, _, a, b in tk.lines:
        if b > a:
            line_start[a] = True
            line_end[b - 1] = True
    word = np.fromiter((w[0].isalnum() for w in tk.text), dtype=bool, count=n)
    starts_c, ends_c = tk.start, tk.end
    prev = np.zeros_like(mask)
    prev[1:] = mask[:-1]
    nxt = np.zeros_like(mask)
    nxt[:-1] = mask[1:]
    run_start = mask & (~prev | line_start[:, None])
    run_end = mask & (~nxt | line_end[:, None])
    bounds = {} if bounds is None else bounds
    for j in np.flatnonzero(run_start.any(axis=0)):
        s_idx = np.flatnonzero(run_start[:, j])
        e_idx = np.flatnonzero(run_end[:, j]) + 1
        label = labels[j]
        unit = units[j] if units is not None else "words"
        col = np.maximum(probs[:, j], smoothed[:, j])
        found: list[tuple[int, int, float]] = []  # token ranges and scores
        for a, b in zip(s_idx.tolist(), e_idx.tolist(), strict=True):
            a, b = _trim(word, a, b)
            if a >= b or (needs_content_word and all(tk.text[k].lower() in FUNCTION_WORDS or not word[k]
                                                     for k in range(a, b))):
                continue
            score = float(col[a:b].max())  # over the words that fired, before any widening
            if unit != "words":
                if unit not in bounds:
                    bounds[unit] = unit_bounds(tk, unit)
                a, b = _trim(word, int(bounds[unit][a, 0]), int(bounds[unit][b - 1, 1]))
            if found and a < found[-1][1]:  # widened into the previous span of this label
                pa, pb, ps = found[-1]
                found[-1] = (pa, max(pb, b), max(ps, score))
            else:
                found.append((a, b, score))
        out.extend((starts_c[a], ends_c[b - 1], label, score) for a, b, score in found)
    out.sort(key=lambda s: (s[0], s[1], s[2]))
    return out


@dataclass
class FastModel:
    labels: list[str]
    #: feature string → row of ``W`` (token and sentence features) or of ``P``
    #: (paragraph features: their prefixes differ, so one look-up serves both)
    vocab: dict[str, int]
    W: np.ndarray  # (V × L) token+sentence weights
    b: np.ndarray  # (L,)
    P: np.ndarray  # (Vp × L) paragraph weights
    pb: np.ndarray
    platt_tok: np.ndarray  # (L × 2): a, b
    platt_par: np.ndarray
    #: one span threshold for all labels, or one per label
    span_threshold: float | np.ndarray
    #: one paragraph threshold for all labels, or one per label
    paragraph_threshold: float | np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    #: the folder it was loaded from (an accurate model stacked on it records it)
    folder: Path | None = field(default=None, compare=False)
    #: words each side over which word probabilities are averaged before the span threshold
    span_smoothing: int = 0
    #: per label, the unit spans are widened to (:data:`SPAN_UNITS`; None: words)
    span_units: list[str] | None = None
    #: drop spans made only of function words (:func:`decode_spans`)
    span_needs_content_word: bool = False
    #: per label, the highest word probability a span needs (None: none; :mod:`~unspin.techniques.reading`)
    span_min_peak: np.ndarray | None = None
    #: keep a span only where its paragraph carries the same technique
    span_needs_paragraph: bool = False
    #: Platt scaling ``(a, b)`` of a span's peak into the shown score (None: the peak is shown)
    span_calibration: np.ndarray | None = None
    #: the recall reading's decoding fields (None: the default reading is the only one)
    recall: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        check_span_units(self.span_units, self.labels)
        if self.recall is not None:
            check_span_units(self.recall.get("span_units"), self.labels)

    def decoding_fields(self) -> dict[str, Any]:
        """The decoding fields (as :func:`~unspin.models.artifact.decoding_fields` returns them)."""
        return decoding_fields_of(self)

    # -- inference ---------------------------------------------------------
    def probabilities(self, text: str) -> tuple[Tokens, np.ndarray, np.ndarray]:
        """Words, calibrated word probabilities (n × L), paragraph probabilities (lines × L)."""
        tk = tokenize(text)
        z, zp = self.raw_logits(tk)
        return (tk, _sigmoid(z * self.platt_tok[:, 0] + self.platt_tok[:, 1]),
                _sigmoid(zp * self.platt_par[:, 0] + self.platt_par[:, 1]))

    def predict(self, text: str, span_threshold: float | None = None, paragraph_threshold: float | None = None,
                recall: bool = False, min_score: float | None = None) -> Prediction:
        """Spans and paragraph labels of ``text`` (:meth:`decode`)."""
        return self.decode(*self.probabilities(text), span_threshold=span_threshold,
                           paragraph_threshold=paragraph_threshold, recall=recall, min_score=min_score)

    def decode(self, tk: Tokens, pw: np.ndarray, pp: np.ndarray, span_threshold: float | None = None,
               paragraph_threshold: float | np.ndarray | None = None, recall: bool = False,
               min_score: float | None = None) -> Prediction:
        """Spans and paragraph labels from :meth:`probabilities`' output, read
        by the default or (``recall``) the recall reading
        (:mod:`~unspin.techniques.reading`). A ``span_threshold`` or
        ``paragraph_threshold`` given here replaces the reading's threshold of
        every label (and its peak rule; the span units and smoothing stay);
        ``min_score`` drops spans and labels scored below it."""
        return reading_module.read(tk, pw, pp, self.labels,
                                   reading_module.of(self, recall, span_threshold, paragraph_threshold),
                                   reading_module.calibration_of(self, recall), min_score)

    def raw_logits(self, tk: Tokens) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated word (n × L) and paragraph logits: the same values as
        :func:`logits` over ``article_features(tk)``, with one-word features
        looked up once per distinct word (cached). The accurate tier stacks them."""
        f = article_features(tk, word_keys=False)
        v = self.vocab
        rows = np.fromiter((v.get(k, -1) for k in f.keys), dtype=np.int64, count=len(f.keys))
        wrows = self._word_rows(f.words)[f.word_id, f.word_tmpl]
        g = f.word_group
        tok_sent = token_sentence_index(tk)
        zt = unit_logits(np.concatenate([f.tok_unit, f.word_unit[g == 0]]),
                         np.concatenate([rows[f.tok_key], wrows[g == 0]]), f.n_tokens, self.W)
        zs = unit_logits(np.concatenate([f.sent_unit, f.word_unit[g == 1]]),
                         np.concatenate([rows[f.sent_key], wrows[g == 1]]), f.n_sentences, self.W)
        zp = unit_logits(np.concatenate([f.par_unit, f.word_unit[g == 2]]),
                         np.concatenate([rows[f.par_key], wrows[g == 2]]), f.n_paragraphs, self.P) + self.pb
        return zt + zs[tok_sent] + self.b, zp

    def _word_rows(self, words: list[str]) -> np.ndarray:
        """Rows (-1: unknown) of every word under :data:`WORD_TEMPLATES`."""
        cache = self.__dict__.setdefault("_wcache", {})
        table = self.__dict__.get("_wtable")
        if table is None or len(cache) > 500_000:
            cache.clear()
            table = self.__dict__["_wtable"] = np.full((4096, len(WORD_TEMPLATES)), -1, dtype=np.int64)
        idx = np.empty(len(words), dtype=np.int64)
        v = self.vocab
        for i, w in enumerate(words):
            j = cache.get(w)
            if j is None:
                j = cache[w] = len(cache)
                if j >= len(table):
                    table = np.vstack([table, np.full_like(table, -1)])
                    self.__dict__["_wtable"] = table
                table[j] = [v.get(k, -1) for k in word_template_keys(w)]
            idx[i] = j
        return table[idx]

    # -- persistence -------------------------------------------------------
    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            d / WEIGHTS, W=self.W.astype(np.float16), b=self.b.astype(np.float32), P=self.P.astype(np.float16),
            pb=self.pb.astype(np.float32), platt_tok=self.platt_tok.astype(np.float64),
            platt_par=self.platt_par.astype(np.float64),
        )
        inv = [k for k in sorted(self.vocab, key=self.vocab.__getitem__) if not _is_par(k)]
        pinv = [k for k in sorted(self.vocab, key=self.vocab.__getitem__) if _is_par(k)]
        (d / VOCAB).write_text(json.dumps({"token_sentence": inv, "paragraph": pinv}, ensure_ascii=False,
                                          separators=(",", ":")), encoding="utf-8")
        meta = artifact.with_decoding(
            dict(meta, format=FORMAT, labels=self.labels),
            artifact.fields_meta(self.labels, self.decoding_fields()))
        return artifact.write_meta(d, meta, [WEIGHTS, VOCAB])

    @classmethod
    def load(cls, model_dir: str | Path) -> "FastModel":
        d = Path(model_dir)
        meta = models.read(d, FORMAT, what="fast-tier techniques model").raw
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            vocab = json.loads((d / VOCAB).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        labels = list(meta["labels"])
        decoding = artifact.decoding_fields(meta, labels, str(d / artifact.META))
        try:
            return cls(
                labels=labels,
                vocab={**{f: i for i, f in enumerate(vocab["token_sentence"])},
                       **{f: i for i, f in enumerate(vocab["paragraph"])}},
                W=arrays["W"].astype(np.float32), b=arrays["b"].astype(np.float64),
                P=arrays["P"].astype(np.float32), pb=arrays["pb"].astype(np.float64),
                platt_tok=arrays["platt_tok"], platt_par=arrays["platt_par"], meta=meta, folder=d, **decoding,
            )
        except ModelError as exc:  # the consistency checks of __post_init__: name the model folder
            raise ModelError(f"{d}: {exc}") from None


_PAR_PREFIXES = ("pw=", "pb=", "pl=")


def _is_par(key: str) -> bool:
    return key.startswith(_PAR_PREFIXES) or key in ("ptitle", "p?", "p!", "pquote")


def decoding_fields_of(model: Any) -> dict[str, Any]:
    """The decoding fields of a techniques model of either tier."""
    return {"span_threshold": model.span_threshold, "paragraph_threshold": model.paragraph_threshold,
            "span_units": model.span_units, "span_smoothing": model.span_smoothing,
            "span_needs_content_word": model.span_needs_content_word, "span_min_peak": model.span_min_peak,
            "span_needs_paragraph": model.span_needs_paragraph, "span_calibration": model.span_calibration,
            "recall": model.recall}


def default_model_dir() -> Path:
    return models.packaged_dir("techniques-fast")


def load_default() -> FastModel:
    """The packaged fast model, loaded once per process."""
    path = default_model_dir()
    if not (path / artifact.META).is_file():
        raise ModelError(f"{path}: the fast techniques model is not installed (train it with "
                         "`unspin train techniques --model fast`)")
    return models.load(path, FastModel.load)

