"""Persuasion techniques (SemEval-2023 task 3 taxonomy): spans and paragraph labels.

Fills ``analysis.techniques`` with character spans into the text (sorted by
start, end, technique; ``text[start:end]`` is the evidence, spans of
different techniques may overlap) and ``paragraph.techniques`` for every
non-blank line. Scores are calibrated probabilities.

Options: ``options.model`` (``--model``): ``accurate`` (default: the head over
the shared MiniLM pass, :mod:`unspin.techniques.accurate`), ``fast`` (lexical
linear models, :mod:`unspin.techniques.fast`) or a path to a trained model
folder of either tier; ``options.min_score`` (``--min-score``): a probability
in [0, 1] replacing the model's default thresholds (chosen on held-out folds)
for spans and paragraph labels (for accurate-tier spans it applies to the word
probabilities after the model's smoothing over neighbouring words; a span's
score is its highest word probability, or its highest smoothed one where that
is higher, so no span scores below ``min_score``).
"""

from __future__ import annotations

from pathlib import Path

from ..config import Options
from ..errors import ConfigError, ModelError
from ..models import artifact
from ..techniques import accurate, fast
from ..techniques.accurate import load_default
from ..types import Technique
from .base import Context, registry

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

    def annotate(self, ctx: Context) -> None:
        text = ctx.analysis.text
        if self.packaged_accurate:  # shared with the genre head stacked on the technique profile
            pred = self.model.decode(*ctx.product("technique_probabilities"), span_threshold=self.min_score,
                                     paragraph_threshold=self.min_score)
        else:
            kw = {"encoded": ctx.product("encoded")} if self.neural else {}
            pred = self.model.predict(text, span_threshold=self.min_score, paragraph_threshold=self.min_score, **kw)
        ctx.analysis.techniques = [
            Technique(technique=t, start=a, end=b, score=round(s, 4), text=text[a:b]) for a, b, t, s in pred.spans
        ]
        by_start = {a: labels for a, _, labels in pred.paragraphs}
        for para in ctx.analysis.paragraphs:
            labels = by_start.get(para.start, {})
            para.techniques = sorted(labels, key=lambda t: (-labels[t], t))


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


@registry.register("techniques", assigns=("techniques", "paragraphs.techniques"),
                   uses=("encoded", "technique_probabilities"), scope="block")
def make_techniques(options: Options) -> TechniqueDetector:
    return TechniqueDetector(options)
