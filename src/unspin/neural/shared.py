"""One encoder pass per article, shared by every neural analysis.

The encoder (all-MiniLM-L6-v2 on onnxruntime, :mod:`unspin.neural.encoder`)
dominates the cost of the neural analyses, so the pipeline runs it once per
article (:attr:`unspin.pipeline.Context.encoded`) and every head reads the
same :class:`EncodedText`: the technique tagger pools word pieces into
words, the framing heads pool them into paragraphs or the whole article.

The pass returns the hidden states of :data:`SHARED_LAYERS` concatenated and
stops after the highest of them: layers 3 and 4 tagged techniques as well as
layers 3 and 6 on a held-out fold (paragraph micro-F1 0.407 against 0.401, SI
span F1 0.381 against 0.380) and better than layer 6 alone (0.381 / 0.358),
at two thirds of the encoder's cost, since layers 5 and 6 are never run. Every
head artifact records the :class:`EncoderSpec` it was trained on, and
loading refuses a head whose spec differs from the running encoder's.

When the package ships fine-tuned layers (:data:`FINETUNED`, the folder
``models/shared-encoder``: float16 tensors of MiniLM layers 1-4 trained here
with the techniques head, SHA-256 checked), the pass runs them over the
pinned package's embeddings; :func:`shared_encoder` with ``base=True`` gives
the package's own pass (what fine-tuning starts from).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import models
from ..errors import ModelError
from .encoder import PACKAGE_PIN, WEIGHTS_SHA256, MiniLMEncoder, TokenVectors

#: Hidden layers returned by the shared pass (1-based), concatenated in this order.
SHARED_LAYERS: tuple[int, ...] = (3, 4)
MAX_TOKENS = 256
OVERLAP = 32
#: the shipped fine-tuned layers of the pass (absent: the package's weights alone)
FINETUNED = "shared-encoder"
FINETUNED_FORMAT = "unspin-encoder-layers/1"
FINETUNED_FILE = "layers.safetensors"


def finetuned_dir() -> Path:
    """The folder of the shipped fine-tuned layers (``models/shared-encoder``)."""
    return models.packaged_dir(FINETUNED)


@lru_cache(maxsize=1)
def finetuned_layers() -> tuple[Path, str] | None:
    """The shipped fine-tuned layers' file and SHA-256, or None when the package ships none
    (read once per process: a training run that writes new ones clears this cache)."""
    d = finetuned_dir()
    if not (d / models.META).is_file():
        return None
    meta = models.read(d, FINETUNED_FORMAT, what="fine-tuned encoder layers")
    return d / FINETUNED_FILE, meta.files[FINETUNED_FILE]


@dataclass(frozen=True)
class EncoderSpec:
    """What a head needs from the encoder pass; stored in its ``meta.json``."""

    package: str = PACKAGE_PIN
    weights_sha256: str = WEIGHTS_SHA256
    layers: tuple[int, ...] = SHARED_LAYERS
    max_tokens: int = MAX_TOKENS
    overlap: int = OVERLAP
    hidden_size: int = 384
    #: SHA-256 of the fine-tuned layers the pass ran (None: the package's weights alone)
    finetuned_sha256: str | None = None

    @classmethod
    def current(cls) -> "EncoderSpec":
        """The spec of the pass this installation runs (its fine-tuned layers, if any)."""
        ft = finetuned_layers()
        return cls(finetuned_sha256=ft[1] if ft else None)

    def to_meta(self) -> dict[str, Any]:
        d = asdict(self)
        d["layers"] = list(self.layers)
        return d

    @classmethod
    def from_meta(cls, d: dict[str, Any]) -> "EncoderSpec":
        try:
            return cls(package=d["package"], weights_sha256=d["weights_sha256"], layers=tuple(d["layers"]),
                       max_tokens=int(d["max_tokens"]), overlap=int(d["overlap"]),
                       hidden_size=int(d.get("hidden_size", 384)), finetuned_sha256=d.get("finetuned_sha256"))
        except (KeyError, TypeError, ValueError) as e:
            raise ModelError(f"model metadata has no valid encoder spec ({e})") from None

    def check_compatible(self, where: str) -> None:
        """Raise :class:`ModelError` unless a head trained on this spec can read the shared pass."""
        shared = EncoderSpec.current()
        if self.weights_sha256 != shared.weights_sha256 or not set(self.layers) <= set(shared.layers) \
                or self.max_tokens != shared.max_tokens or self.overlap != shared.overlap:
            raise ModelError(f"{where}: trained on encoder {self.package} layers {list(self.layers)} "
                             f"(windows {self.max_tokens}/{self.overlap}), but this unspin runs layers "
                             f"{list(shared.layers)} (windows {shared.max_tokens}/{shared.overlap}); retrain the model")
        if self.finetuned_sha256 != shared.finetuned_sha256:
            def name(sha: str | None) -> str:
                return f"fine-tuned layers {sha[:12]}…" if sha else "the package's layers"
            raise ModelError(f"{where}: trained on the pass of {name(self.finetuned_sha256)}, but this unspin runs "
                             f"{name(shared.finetuned_sha256)}; retrain the model")


def default_threads() -> int:
    """onnxruntime threads for the pass: ``UNSPIN_THREADS`` or up to 4 cores."""
    env = os.environ.get("UNSPIN_THREADS", "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ModelError(f"UNSPIN_THREADS must be a whole number, not {env!r}") from None
    return max(1, min(4, os.cpu_count() or 1))


@lru_cache(maxsize=4)
def shared_encoder(threads: int | None = None, base: bool = False) -> MiniLMEncoder:
    """The process-wide encoder of :data:`SHARED_LAYERS` (built on first use), with the
    shipped fine-tuned layers unless ``base`` (the package's weights alone)."""
    ft = None if base else finetuned_layers()  # models.read has checked its SHA-256: not hashed again
    return MiniLMEncoder(threads=threads or default_threads(), max_tokens=MAX_TOKENS, overlap=OVERLAP,
                         layers=SHARED_LAYERS, overlay=ft[0] if ft else None)


@dataclass
class EncodedText:
    """The shared pass over one text: word-piece vectors with character offsets."""

    text: str
    pieces: TokenVectors
    layers: tuple[int, ...] = SHARED_LAYERS
    hidden_size: int = 384

    def select(self, layers: Sequence[int]) -> np.ndarray:
        """Piece vectors of the given layers, concatenated (n_pieces × H·k)."""
        if tuple(layers) == self.layers:
            return self.pieces.vectors
        cols = []
        for layer in layers:
            k = self.layers.index(layer)
            cols.append(self.pieces.vectors[:, k * self.hidden_size:(k + 1) * self.hidden_size])
        return np.concatenate(cols, axis=1) if len(cols) > 1 else cols[0]

    def pool(self, starts: Sequence[int], ends: Sequence[int], layers: Sequence[int]) -> np.ndarray:
        """Mean piece vector of each character range ``[start, end)`` (pieces that
        overlap it; the nearest piece when none does, zeros for an empty text)."""
        return pool_ranges(self.select(layers), self.pieces.start, self.pieces.end, starts, ends)


def pool_ranges(v: np.ndarray, piece_start: np.ndarray, piece_end: np.ndarray, starts: Sequence[int],
                ends: Sequence[int]) -> np.ndarray:
    """Mean of the rows of ``v`` whose character range overlaps each ``[start, end)``."""
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    n = len(v)
    if n == 0:
        return np.zeros((len(starts), v.shape[1]), dtype=np.float32)
    # pieces are sorted and disjoint: the first piece ending after `start`, the first starting at/after `end`
    a = np.searchsorted(piece_end, starts, side="right")
    b = np.searchsorted(piece_start, ends, side="left")
    b = np.minimum(np.maximum(b, a + 1), n)
    a = np.minimum(a, b - 1)
    # Running sums row by row: the same float64 additions in the same order as np.cumsum(v, axis=0), bit for
    # bit, but numpy walks that one down each column in turn, about 5x slower on 384- or 768-wide pieces.
    cs = np.empty((n + 1, v.shape[1]), dtype=np.float64)
    cs[0] = 0.0
    for i in range(n):
        np.add(cs[i], v[i], out=cs[i + 1])
    return ((cs[b] - cs[a]) / (b - a)[:, None]).astype(np.float32)


def encode(text: str, encoder: MiniLMEncoder | None = None) -> EncodedText:
    """Run the shared pass over ``text``."""
    enc = encoder or shared_encoder()
    return EncodedText(text=text, pieces=enc.encode_text(text), layers=enc.layers,
                       hidden_size=int(enc.config["hidden_size"]))
