"""The accurate tier of the framing models: heads over the shared MiniLM pass.

The shared encoder pass (:mod:`unspin.neural.shared`, all-MiniLM-L6-v2,
layers 3 and 4, computed once per article by the pipeline) gives every word
piece a 768-dimensional vector. The framing heads read it as:

* **frames** (article level): the mean piece vector of the article,
  standardised, next to the fast tier's hashed word/bigram TF-IDF vector.
  One ridge classifier per frame over both (solved in the dual: the kernel is
  the sum of the TF-IDF and the embedding linear kernels), Platt-scaled on
  out-of-fold scores, per-frame thresholds on out-of-fold micro-F1, exactly
  like the fast tier otherwise;
* **genre** (article level): class-balanced multinomial logistic regressions
  over the standardised mean piece vector and over the article's persuasion
  profile from the accurate techniques model
  (:func:`unspin.techniques.accurate.technique_profile`), their temperatures
  and offsets fitted on out-of-fold logits (class-balanced), averaged with the
  fast tier's probabilities (all assume the three genres equally likely). The
  profile head is trained on out-of-fold profiles (the techniques training
  writes them) and is refused at load beside another techniques model.

Narratives have no accurate head: article vectors did not beat the fast tier
in cross-validation (see ``docs/framing-eval.md``); its analyzer uses the
fast model whatever the tier.

Inference is numpy only. Artifacts: ``weights.npz`` + ``meta.json`` (SHA-256
of the weights, :mod:`unspin.techniques.artifact`) with the
:class:`~unspin.neural.shared.EncoderSpec` they were trained on; loading
refuses a changed file or an incompatible encoder (:class:`ModelError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import models
from ..errors import ModelError
from ..models import artifact
from ..neural.shared import SHARED_LAYERS, EncodedText, EncoderSpec
from ..techniques.accurate import WEIGHTS as TECH_WEIGHTS
from ..techniques.accurate import default_model_dir as techniques_dir
from .doc import genre_proba
from .features import DocFeatures, Vocabulary
from .model import FramingModel, Head, sigmoid, softmax

WEIGHTS = "weights.npz"
FORMAT = "unspin-framing-accurate/1"
LAYERS: tuple[int, ...] = SHARED_LAYERS
#: tasks with a shipped accurate head (genre has one model over writing signals, :mod:`.genre`;
#: :class:`GenreAccurate` remains for comparisons in cross-validation)
ACCURATE_TASKS = ("frames",)  # roles: one model for both tiers (unspin.framing.treatment)


def model_dir(task: str) -> Path:
    return models.packaged_dir(f"{task}-accurate")


# --------------------------------------------------------------------------
# Inputs from the shared pass
# --------------------------------------------------------------------------


def article_vector(encoded: EncodedText, layers: Sequence[int] = LAYERS) -> np.ndarray:
    """Mean piece vector of the whole article (zeros for an empty text)."""
    v = encoded.select(layers)
    if not len(v):
        return np.zeros(v.shape[1] if v.ndim == 2 else encoded.hidden_size * len(layers), dtype=np.float32)
    return v.astype(np.float64).mean(axis=0).astype(np.float32)


@dataclass
class Standardizer:
    """``(x - mean) / std / sqrt(dim) · scale``: unit-variance columns whose rows
    have about unit length, like the TF-IDF rows they sit beside."""

    mean: np.ndarray
    std: np.ndarray
    scale: float = 1.0

    @classmethod
    def fit(cls, X: np.ndarray, scale: float = 1.0) -> "Standardizer":
        X = np.asarray(X, dtype=np.float64)
        return cls(X.mean(axis=0), X.std(axis=0) + 1e-6, float(scale))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        return (X - self.mean) / self.std * (self.scale / np.sqrt(X.shape[-1]))


# --------------------------------------------------------------------------
# Frames: ridge over [TF-IDF, embedding] (dual solve)
# --------------------------------------------------------------------------


@dataclass
class DenseLexHead:
    """``z = x_lex·W_lex + std(e)·W_emb + b``, calibrated per label (sigmoid)."""

    task: str
    labels: list[str]
    vocab: Vocabulary
    W_lex: np.ndarray
    W_emb: np.ndarray
    b: np.ndarray
    std: Standardizer
    calib: np.ndarray
    thresholds: np.ndarray
    spec: EncoderSpec = field(default_factory=EncoderSpec)
    layers: tuple[int, ...] = LAYERS
    meta: dict[str, Any] = field(default_factory=dict)

    def logits(self, f: DocFeatures, vec: np.ndarray) -> np.ndarray:
        pos, vals = self.vocab.vector(f.ids, f.counts)
        z = vals @ self.W_lex[pos] if len(pos) else np.zeros(len(self.labels))
        return z + self.std(vec[None])[0] @ self.W_emb + self.b

    def proba(self, f: DocFeatures, vec: np.ndarray) -> np.ndarray:
        z = self.logits(f, vec)
        return sigmoid(z * self.calib[:, 0] + self.calib[:, 1])

    def predict(self, f: DocFeatures, vec: np.ndarray) -> dict[str, float]:
        p = self.proba(f, vec)
        return {self.labels[j]: float(p[j]) for j in np.flatnonzero(p >= self.thresholds)}

    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(d / WEIGHTS, ids=self.vocab.ids.astype(np.uint32), idf=self.vocab.idf.astype(np.float32),
                            W_lex=self.W_lex.astype(np.float16), W_emb=self.W_emb.astype(np.float32),
                            b=self.b.astype(np.float64), emb_mean=self.std.mean.astype(np.float32),
                            emb_std=self.std.std.astype(np.float32), calib=self.calib.astype(np.float64))
        meta = dict(self.meta, **meta, format=FORMAT, task=self.task, kind="dense-lex-sigmoid", labels=self.labels,
                    thresholds=[round(float(t), 6) for t in self.thresholds], embedding_scale=self.std.scale,
                    vocabulary_size=len(self.vocab), layers=list(self.layers), encoder=self.spec.to_meta())
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path, task: str | None = None) -> "DenseLexHead":
        d = Path(model_dir)
        meta = _read_checked(d, task, "dense-lex-sigmoid")
        spec = EncoderSpec.from_meta(meta.get("encoder") or {})
        spec.check_compatible(str(d))
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            layers = tuple(int(x) for x in meta["layers"])
            head = cls(str(meta["task"]), list(meta["labels"]),
                       Vocabulary(a["ids"].astype(np.int64), a["idf"].astype(np.float64)),
                       a["W_lex"].astype(np.float32), a["W_emb"].astype(np.float64), a["b"],
                       Standardizer(a["emb_mean"].astype(np.float64), a["emb_std"].astype(np.float64),
                                    float(meta["embedding_scale"])),
                       a["calib"], np.asarray(meta["thresholds"], dtype=np.float64), spec, layers, meta)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        _check_layers(d, spec, layers, head.W_emb.shape[0])
        return head


def _read_checked(d: Path, task: str | None, kind: str) -> dict[str, Any]:
    return models.read(d, FORMAT, task=task, kind=kind, what=f"accurate {task or 'framing'} model").raw


def _check_layers(d: Path, spec: EncoderSpec, layers: tuple[int, ...], rows: int, per: int = 1) -> None:
    if not set(layers) <= set(spec.layers) or rows != per * spec.hidden_size * len(layers):
        raise ModelError(f"{d}: the weights do not match the encoder layers in meta.json")


# --------------------------------------------------------------------------
# Genre: the fast model averaged with a logistic head over the article vector
# --------------------------------------------------------------------------


def _pack(model: FramingModel, prefix: str, extra: dict[str, np.ndarray] | None = None,
          w_dtype: type = np.float16, b_dtype: type = np.float32) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """A framing model's vocabulary and heads as named arrays (``extra`` arrays
    after the vocabulary) plus the heads' metadata."""
    arrays = {f"{prefix}ids": model.vocab.ids.astype(np.uint32), f"{prefix}idf": model.vocab.idf.astype(np.float32),
              **(extra or {})}
    heads = {}
    for name, h in model.heads.items():
        arrays[f"{prefix}{name}.W"] = h.W.astype(w_dtype)
        arrays[f"{prefix}{name}.b"] = h.b.astype(b_dtype)
        arrays[f"{prefix}{name}.calib"] = h.calib.astype(np.float64)
        heads[name] = {"kind": h.kind, "labels": h.labels,
                       "thresholds": None if h.thresholds is None else [round(float(t), 6) for t in h.thresholds],
                       **h.extra}
    return arrays, heads


def _unpack(task: str, a: dict[str, np.ndarray], heads_meta: dict[str, Any], prefix: str) -> FramingModel:
    vocab = Vocabulary(a[f"{prefix}ids"].astype(np.int64), a[f"{prefix}idf"].astype(np.float64))
    heads = {}
    for name, hm in heads_meta.items():
        th = hm.get("thresholds")
        extra = {k: v for k, v in hm.items() if k not in ("kind", "labels", "thresholds")}
        heads[name] = Head(hm["kind"], list(hm["labels"]), a[f"{prefix}{name}.W"].astype(np.float32),
                           a[f"{prefix}{name}.b"].astype(np.float64), a[f"{prefix}{name}.calib"],
                           None if th is None else np.asarray(th, dtype=np.float64), extra)
    return FramingModel(task, vocab, heads)


@dataclass
class SoftmaxMember:
    """A class-balanced multinomial logistic regression over standardised dense
    inputs; its temperature and offsets are fitted on out-of-fold logits."""

    W: np.ndarray  # (D × K)
    b: np.ndarray
    calib: np.ndarray  # (K × 2): temperature, offsets
    std: Standardizer

    def proba(self, X: np.ndarray) -> np.ndarray:

        z = self.std(np.atleast_2d(X)) @ self.W + self.b
        return softmax(z * self.calib[:, 0] + self.calib[:, 1])

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}W": self.W.astype(np.float32), f"{prefix}b": self.b.astype(np.float64),
                f"{prefix}calib": self.calib.astype(np.float64), f"{prefix}mean": self.std.mean.astype(np.float32),
                f"{prefix}std": self.std.std.astype(np.float32)}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray], prefix: str, scale: float) -> "SoftmaxMember":
        return cls(a[f"{prefix}W"].astype(np.float64), a[f"{prefix}b"], a[f"{prefix}calib"],
                   Standardizer(a[f"{prefix}mean"].astype(np.float64), a[f"{prefix}std"].astype(np.float64), scale))


def installed_techniques_head() -> dict[str, str]:
    """Which accurate techniques model the genre model's technique profiles come
    from: its folder name and the SHA-256 of its weights."""

    d = techniques_dir()
    meta = artifact.read_meta(d)
    return {"model": d.name, TECH_WEIGHTS: str(meta.get("files", {}).get(TECH_WEIGHTS, ""))}


@dataclass
class GenreAccurate:
    """``p = mean(p_fast, p_emb, p_tech)``: the fast genre model, a softmax head
    over the standardised article vector and, when trained with it, a softmax
    head over the article's persuasion profile from the accurate techniques
    model (:func:`unspin.techniques.accurate.technique_profile`); all
    class-balanced."""

    fast: FramingModel
    embedding: SoftmaxMember
    techniques: SoftmaxMember | None = None
    #: the techniques model the profiles come from (:func:`installed_techniques_head`)
    stacked_on: dict[str, str] | None = None
    spec: EncoderSpec = field(default_factory=EncoderSpec)
    layers: tuple[int, ...] = LAYERS
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return self.fast.heads["genre"].labels

    def proba(self, feats: Sequence[DocFeatures], vecs: np.ndarray, profiles: np.ndarray | None = None) -> np.ndarray:

        parts = [genre_proba(self.fast, feats), self.embedding.proba(vecs)]
        if self.techniques is not None:
            if profiles is None:
                raise ValueError("this genre model also reads the articles' technique profiles")
            parts.append(self.techniques.proba(profiles))
        return np.mean(parts, axis=0)

    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        arrays, heads = _pack(self.fast, "lex.")
        arrays.update(self.embedding.arrays("emb."))
        if self.techniques is not None:
            arrays.update(self.techniques.arrays("tech."))
        np.savez_compressed(d / WEIGHTS, **arrays)
        meta = dict(self.meta, **meta, format=FORMAT, task="genre", kind="genre-average", labels=self.labels,
                    heads=heads, vocabulary_size=len(self.fast.vocab), embedding_scale=self.embedding.std.scale,
                    assumed_prior=self.fast.heads["genre"].extra.get("assumed_prior"),
                    layers=list(self.layers), encoder=self.spec.to_meta(),
                    members=["fast", "embedding"] + (["techniques"] if self.techniques is not None else []),
                    stacked_on=self.stacked_on)
        if self.techniques is not None:
            meta["techniques_scale"] = self.techniques.std.scale
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path) -> "GenreAccurate":
        d = Path(model_dir)
        meta = _read_checked(d, "genre", "genre-average")
        spec = EncoderSpec.from_meta(meta.get("encoder") or {})
        spec.check_compatible(str(d))
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            fast = _unpack("genre", a, meta["heads"], "lex.")
            emb = SoftmaxMember.from_arrays(a, "emb.", float(meta["embedding_scale"]))
            tech = (SoftmaxMember.from_arrays(a, "tech.", float(meta["techniques_scale"]))
                    if "techniques" in meta.get("members", []) else None)
            layers = tuple(int(x) for x in meta["layers"])
            model = cls(fast, emb, tech, meta.get("stacked_on"), spec, layers, meta)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        _check_layers(d, spec, layers, emb.W.shape[0])
        if tech is not None:
            installed = installed_techniques_head()
            if installed != model.stacked_on:
                raise ModelError(f"{d}: trained on the technique profiles of another techniques model "
                                 f"({model.stacked_on}, installed: {installed}); retrain it with "
                                 "`unspin train genre --model accurate`")
        return model


# --------------------------------------------------------------------------
# Loading and training entry points
# --------------------------------------------------------------------------


def load(task: str, path: str | Path | None = None):
    """The accurate model of ``task`` from its packaged folder or ``path`` (not cached: see
    :func:`unspin.models.load`)."""
    return load_folder(Path(path) if path else model_dir(task), task)


def load_folder(d: Path, task: str):
    """The accurate model of ``task`` in folder ``d``."""
    if task == "frames":
        return DenseLexHead.load(d, task)
    if task == "genre":
        return GenreAccurate.load(d)
    raise ModelError(f"no accurate {task} model exists (the fast tier serves it)")


__all__ = ["ACCURATE_TASKS", "DenseLexHead", "GenreAccurate", "article_vector", "load", "load_folder"]
