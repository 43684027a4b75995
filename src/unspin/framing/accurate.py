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
* **roles** (mention level): the mean piece vector of the mention and of its
  sentence (spaCy sentence), standardised, appended to the fast tier's
  hashed context features; the three heads (main role, fine roles, framed)
  are trained, calibrated and thresholded as in :mod:`.roles`.

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

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import ModelError
from ..neural.shared import SHARED_LAYERS, EncodedText, EncoderSpec
from ..techniques import artifact
from .data import MAIN_ROLES, LabelledDoc, RoleMention
from .features import DocFeatures, Vocabulary
from .model import FramingModel, Head, fit_platt_columns, kfold, sigmoid

Log = Callable[[str], None]
WEIGHTS = "weights.npz"
FORMAT = "unspin-framing-accurate/1"
LAYERS: tuple[int, ...] = SHARED_LAYERS
ACCURATE_TASKS = ("genre", "frames", "roles")

GENRE_ACCURATE_DEFAULTS: dict[str, Any] = {"l2": 100.0, "techniques_l2": 10.0, "inner_folds": 5,
                                           "layers": list(LAYERS), "fast": {"l2": 1.0, "min_df": 2, "inner_folds": 5}}

FRAMES_ACCURATE_DEFAULTS: dict[str, Any] = {"l2": 2.0, "embedding_weight": 1.0, "min_df": 2, "inner_folds": 5,
                                            "layers": list(LAYERS)}
ROLES_ACCURATE_DEFAULTS: dict[str, Any] = {"l2": 1.0, "min_df": 2, "inner_folds": 5, "embedding_scale": 2.0,
                                           "layers": list(LAYERS)}


def _nolog(_: str) -> None:
    pass


def model_dir(task: str) -> Path:
    return Path(__file__).resolve().parents[1] / "models" / f"{task}-accurate"


# --------------------------------------------------------------------------
# Inputs from the shared pass
# --------------------------------------------------------------------------


def article_vector(encoded: EncodedText, layers: Sequence[int] = LAYERS) -> np.ndarray:
    """Mean piece vector of the whole article (zeros for an empty text)."""
    v = encoded.select(layers)
    if not len(v):
        return np.zeros(v.shape[1] if v.ndim == 2 else encoded.hidden_size * len(layers), dtype=np.float32)
    return v.astype(np.float64).mean(axis=0).astype(np.float32)


def mention_vectors(encoded: EncodedText, spans: Sequence[tuple[int, int]], sentences: Sequence[tuple[int, int]],
                    layers: Sequence[int] = LAYERS) -> np.ndarray:
    """Per mention: the mean piece vector of the mention, then of its sentence."""
    if not len(spans):
        return np.zeros((0, 2 * encoded.hidden_size * len(layers)), dtype=np.float32)
    m = encoded.pool([a for a, _ in spans], [b for _, b in spans], layers)
    s = encoded.pool([a for a, _ in sentences], [b for _, b in sentences], layers)
    return np.concatenate([m, s], axis=1)


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
    meta = artifact.read_meta(d)
    if meta.get("format") != FORMAT or (task is not None and meta.get("task") != task) or meta.get("kind") != kind:
        raise ModelError(f"{d / artifact.META}: not an unspin accurate {task or 'framing'} model "
                         f"(format {meta.get('format')!r}, task {meta.get('task')!r})")
    artifact.verify(d, meta)
    return meta


def _check_layers(d: Path, spec: EncoderSpec, layers: tuple[int, ...], rows: int, per: int = 1) -> None:
    if not set(layers) <= set(spec.layers) or rows != per * spec.hidden_size * len(layers):
        raise ModelError(f"{d}: the weights do not match the encoder layers in meta.json")


def _ridge_dual(K: np.ndarray, Y: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    T = np.where(Y > 0, 1.0, -1.0)
    b = T.mean(axis=0)
    return np.linalg.solve(K + lam * np.eye(K.shape[0]), T - b), b


def _lex(feats: Sequence[DocFeatures], min_df: int):
    from .doc import _matrix, _vocab

    vocab = _vocab(feats, min_df)
    return vocab, _matrix(vocab, feats)


def train_frames_accurate(feats: Sequence[DocFeatures], vecs: np.ndarray, label_sets: Sequence[Sequence[str]],
                          labels: Sequence[str], seed: int = 13, l2: float = 2.0, embedding_weight: float = 1.0,
                          min_df: int = 2, inner_folds: int = 5, layers: Sequence[int] = LAYERS,
                          log: Log = _nolog) -> DenseLexHead:
    """Ridge per frame over the TF-IDF and the standardised article vector."""
    from .doc import _label_matrix, _matrix, micro_thresholds

    vecs = np.asarray(vecs, dtype=np.float64)
    Y = _label_matrix(label_sets, labels)
    scale = float(np.sqrt(embedding_weight))
    n = len(feats)

    def fit(idx: np.ndarray):
        vocab, X = _lex([feats[i] for i in idx], min_df)
        std = Standardizer.fit(vecs[idx], scale)
        E = std(vecs[idx])
        A, b = _ridge_dual((X @ X.T).toarray() + E @ E.T, Y[idx], l2)
        return vocab, np.asarray(X.T @ A), E.T @ A, b, std

    Z = np.zeros((n, len(labels)))
    for test in kfold(n, inner_folds, seed):
        train = np.setdiff1d(np.arange(n), test)
        vocab, Wl, We, b, std = fit(train)
        Z[test] = _matrix(vocab, [feats[i] for i in test]) @ Wl + std(vecs[test]) @ We + b
    calib = fit_platt_columns(Z, Y)
    thresholds = micro_thresholds(sigmoid(Z * calib[:, 0] + calib[:, 1]), Y)
    vocab, Wl, We, b, std = fit(np.arange(n))
    log(f"frames (accurate): {len(vocab)} lexical features + {vecs.shape[1]} embedding dimensions")
    return DenseLexHead("frames", list(labels), vocab, Wl, We, b, std, calib, thresholds,
                        layers=tuple(int(x) for x in layers))


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
        from .model import softmax

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


def fit_softmax_member(X: np.ndarray, y: np.ndarray, K: int, l2: float, inner_folds: int = 5,
                       seed: int = 13) -> SoftmaxMember:
    """Class-balanced softmax over standardised ``X`` (unit-variance columns),
    calibrated on ``inner_folds`` out-of-fold logits (stratified by class)."""
    from scipy.sparse import csr_matrix

    from .doc import balanced_weights
    from .model import fit_softmax, fit_softmax_calibration

    X = np.asarray(X, dtype=np.float64)
    n, dim = X.shape

    def fit(idx: np.ndarray) -> tuple[Standardizer, np.ndarray, np.ndarray]:
        std = Standardizer.fit(X[idx], float(np.sqrt(dim)))
        W, b = fit_softmax(csr_matrix(std(X[idx])), y[idx], K, balanced_weights(y[idx], K), l2=l2)
        return std, W, b

    Z = np.zeros((n, K))
    for test in kfold(n, inner_folds, seed, strata=list(y)):
        std, W, b = fit(np.setdiff1d(np.arange(n), test))
        Z[test] = std(X[test]) @ W + b
    calib = fit_softmax_calibration(Z, y, balanced_weights(y, K))
    std, W, b = fit(np.arange(n))
    return SoftmaxMember(W, b, calib, std)


def installed_techniques_head() -> dict[str, str]:
    """Which accurate techniques model the genre model's technique profiles come
    from: its folder name and the SHA-256 of its weights."""
    from ..techniques.accurate import WEIGHTS as TECH_WEIGHTS
    from ..techniques.accurate import default_model_dir as techniques_dir

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
        from .doc import genre_proba

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


def train_genre_accurate(feats: Sequence[DocFeatures], vecs: np.ndarray, labels: Sequence[str], seed: int = 13,
                         l2: float = 100.0, inner_folds: int = 5, layers: Sequence[int] = LAYERS,
                         fast: dict[str, Any] | None = None, fast_model: FramingModel | None = None,
                         profiles: np.ndarray | None = None, techniques_l2: float | None = 10.0,
                         stacked_on: dict[str, str] | None = None, log: Log = _nolog) -> GenreAccurate:
    """The fast genre model (or ``fast_model`` when already trained on the same
    articles), the embedding head and, given ``profiles`` (out-of-sample
    technique profiles of the same articles) and ``techniques_l2``, the
    technique-profile head; each calibrated out of fold."""
    from .data import GENRES
    from .doc import train_genre

    y = np.array([GENRES.index(g) for g in labels])
    emb = fit_softmax_member(vecs, y, len(GENRES), l2, inner_folds, seed)
    tech = None
    if profiles is not None and techniques_l2 is not None:
        tech = fit_softmax_member(profiles, y, len(GENRES), techniques_l2, inner_folds, seed)
    if fast_model is None:
        fast_model = train_genre(feats, labels, seed=seed, log=log, **(fast or GENRE_ACCURATE_DEFAULTS["fast"]))
    log(f"genre (accurate): embedding head over {emb.W.shape[0]} dimensions (temperature {emb.calib[0, 0]:.3f})"
        + (f", technique-profile head over {tech.W.shape[0]} (temperature {tech.calib[0, 0]:.3f})" if tech else ""))
    return GenreAccurate(fast_model, emb, tech, stacked_on if tech else None, layers=tuple(int(x) for x in layers))


# --------------------------------------------------------------------------
# Roles: the fast tier's heads with mention and sentence vectors appended
# --------------------------------------------------------------------------


@dataclass
class RolesAccurate:
    """A :class:`FramingModel` whose heads have ``V + D`` rows: ``V`` hashed
    features, then ``D`` standardised mention/sentence vector dimensions."""

    model: FramingModel
    std: Standardizer
    spec: EncoderSpec = field(default_factory=EncoderSpec)
    layers: tuple[int, ...] = LAYERS

    @property
    def meta(self) -> dict[str, Any]:
        return self.model.meta

    @property
    def heads(self) -> dict[str, Head]:
        return self.model.heads

    def predict(self, keys_list: Sequence[list[str]], dense: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Main-role, fine-role and framed probabilities of each mention."""
        from .features import key_counts

        V = len(self.model.vocab)
        E = self.std(dense) if len(dense) else np.zeros((0, len(self.std.mean)))
        hm, hf, hr = self.model.heads["main"], self.model.heads["fine"], self.model.heads["framed"]
        out: list[list[np.ndarray]] = [[], [], []]
        for keys, e in zip(keys_list, E, strict=True):
            pos, vals = self.model.vocab.vector(*key_counts(keys))
            for k, h in enumerate((hm, hf, hr)):
                z = (vals @ h.W[pos] if len(pos) else 0.0) + e @ h.W[V:] + h.b
                out[k].append(h.proba_from_logits(z))
        n = len(keys_list)
        return (np.array(out[0]).reshape(n, len(MAIN_ROLES)), np.array(out[1]).reshape(n, len(hf.labels)),
                np.array(out[2]).reshape(n, 1)[:, 0])

    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        m = self.model
        arrays, heads_meta = _pack(m, "", {"emb_mean": self.std.mean.astype(np.float32),
                                           "emb_std": self.std.std.astype(np.float32)},
                                   w_dtype=np.float32, b_dtype=np.float64)
        np.savez_compressed(d / WEIGHTS, **arrays)
        meta = dict(m.meta, **meta, format=FORMAT, task="roles", kind="roles-dense", heads=heads_meta,
                    vocabulary_size=len(m.vocab), embedding_scale=self.std.scale, layers=list(self.layers),
                    encoder=self.spec.to_meta())
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path) -> "RolesAccurate":
        d = Path(model_dir)
        meta = _read_checked(d, "roles", "roles-dense")
        spec = EncoderSpec.from_meta(meta.get("encoder") or {})
        spec.check_compatible(str(d))
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            lex = _unpack("roles", a, meta["heads"], "")
            std = Standardizer(a["emb_mean"].astype(np.float64), a["emb_std"].astype(np.float64),
                               float(meta["embedding_scale"]))
            layers = tuple(int(x) for x in meta["layers"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        _check_layers(d, spec, layers, len(std.mean), per=2)
        if any(h.W.shape[0] != len(lex.vocab) + len(std.mean) for h in lex.heads.values()):
            raise ModelError(f"{d}: the head weights do not match the vocabulary and embedding sizes")
        return cls(FramingModel("roles", lex.vocab, lex.heads, True, meta), std, spec, layers)


def train_roles_accurate(rows, dense: np.ndarray, parent: dict[str, str], lexicons: dict[str, list[str]],
                         seed: int = 13, l2: float = 1.0, min_df: int = 2, inner_folds: int = 5,
                         embedding_scale: float = 2.0, layers: Sequence[int] = LAYERS,
                         log: Log = _nolog) -> RolesAccurate:
    """:func:`.roles.train_roles` with each row's standardised vector appended
    (``dense[i]`` belongs to ``rows[i]``)."""
    from . import roles as R

    std = Standardizer.fit(dense, embedding_scale)
    E = std(dense)
    index = {id(r): i for i, r in enumerate(rows)}
    model = R.train_roles(rows, parent, lexicons, seed=seed, l2=l2, min_df=min_df, inner_folds=inner_folds,
                          log=log, dense=lambda rs: E[[index[id(r)] for r in rs]])
    return RolesAccurate(model, std, layers=tuple(int(x) for x in layers))


def role_sentences(doc, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character range of the spaCy sentence of each mention (the mention itself when unparsed)."""
    out = []
    for a, b in spans:
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is None or not len(span):
            out.append((a, b))
        else:
            s = span.root.sent
            out.append((s.start_char, s.end_char))
    return out


# --------------------------------------------------------------------------
# Loading and training entry points
# --------------------------------------------------------------------------


def load(task: str, path: str | Path | None = None):
    d = Path(path) if path else model_dir(task)
    if task == "roles":
        return RolesAccurate.load(d)
    if task == "frames":
        return DenseLexHead.load(d, task)
    if task == "genre":
        return GenreAccurate.load(d)
    raise ModelError(f"no accurate {task} model exists (the fast tier serves it)")


def article_vectors(texts: Sequence[str], layers: Sequence[int] = LAYERS, log: Log = _nolog) -> np.ndarray:
    """The shared pass over each text (the training command runs the encoder
    itself), reduced to :func:`article_vector`."""
    from ..neural.shared import encode

    out = []
    t0 = time.perf_counter()
    for i, t in enumerate(texts):
        out.append(article_vector(encode(t), layers))
        if (i + 1) % 100 == 0 or i + 1 == len(texts):
            log(f"encoded {i + 1}/{len(texts)} articles ({time.perf_counter() - t0:.0f} s)")
    return np.array(out)


def training_profiles(ids: Sequence[str], texts: Sequence[str], log: Log = _nolog
                      ) -> tuple[np.ndarray, dict[str, str]]:
    """Out-of-sample technique profiles of training articles, for the genre
    head stacked on the accurate techniques model: an article the techniques
    model was trained on takes its out-of-fold profile (``oof-profiles.npz``,
    written by ``unspin train techniques``); any other article is profiled by
    the installed model, which never saw it."""
    from ..techniques.accurate import default_model_dir, load_default, load_profiles

    oof = load_profiles(default_model_dir())
    model = load_default()
    out, fresh = [], 0
    for i, text in zip(ids, texts, strict=True):
        if i in oof:
            out.append(oof[i])
        else:  # a few articles: their own encoder pass
            out.append(model.profile(text))
            fresh += 1
    log(f"technique profiles: {len(ids) - fresh} out of fold, {fresh} from the installed model (unseen articles)")
    return np.array(out), installed_techniques_head()


def role_vectors(parsed: dict, rows, layers: Sequence[int] = LAYERS, log: Log = _nolog) -> np.ndarray:
    """:func:`mention_vectors` of every row (``parsed``: spaCy doc of each
    article by name); runs the shared pass over each article once."""
    from ..neural.shared import encode

    by_doc: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_doc.setdefault(r.doc, []).append(i)
    out = np.zeros((len(rows), 2 * 384 * len(layers)), dtype=np.float32)
    t0 = time.perf_counter()
    for name, idx in by_doc.items():
        doc = parsed[name]
        spans = [(rows[i].start, rows[i].end) for i in idx]
        out[idx] = mention_vectors(encode(doc.text), spans, role_sentences(doc, spans), layers)
    log(f"encoded {len(by_doc)} articles for {len(rows)} mentions ({time.perf_counter() - t0:.0f} s)")
    return out


__all__ = ["ACCURATE_TASKS", "DenseLexHead", "GenreAccurate", "RolesAccurate", "train_genre_accurate", "article_vector", "mention_vectors", "load",
           "train_frames_accurate", "train_roles_accurate", "LabelledDoc", "RoleMention"]
