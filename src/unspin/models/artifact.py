"""Model folders: weight files plus ``meta.json`` (labels, version, metrics,
training data and command, wall time, SHA-256 of every weight file).

:func:`verify` recomputes the SHA-256 of each listed file at load and raises
:class:`~unspin.errors.ModelError` naming the file when one is missing or
differs, so a truncated or tampered model never runs silently.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .._version import __version__
from ..errors import ModelError

META = "meta.json"


@dataclass(frozen=True)
class ModelMeta:
    """The fields every model's ``meta.json`` shares, typed; the model's own fields
    (labels, thresholds, heads, …) stay in :attr:`raw`."""

    folder: Path
    format: str
    name: str
    version: str
    #: weight file name -> SHA-256
    files: dict[str, str]
    trained: str | None = None
    #: the unspin version whose training command wrote the model (absent in older models)
    unspin_version: str | None = None
    command: str | None = None
    seed: int | None = None
    machine: str | None = None
    training_data: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, folder: Path, raw: dict[str, Any]) -> "ModelMeta":
        return cls(folder=Path(folder), format=str(raw.get("format", "")), name=str(raw.get("name", folder.name)),
                   version=str(raw.get("version", "?")), files=dict(raw.get("files") or {}),
                   trained=raw.get("trained"), unspin_version=raw.get("unspin_version"), command=raw.get("command"),
                   seed=raw.get("seed"), machine=raw.get("machine"), training_data=dict(raw.get("training_data") or {}),
                   metrics=dict(raw.get("metrics") or {}), raw=raw)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_meta(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / META
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: model metadata is missing") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read model metadata ({exc})") from None


def weights_tag(meta: dict[str, Any] | None, weights_file: str, decoding_keys: Sequence[str] = ()) -> str:
    """``+`` and the first 8 hex digits of the SHA-256 that ``meta`` records for
    ``weights_file`` ("" when it records none): analyzers append it to their
    version, so that stored analyses name the exact weights. With
    ``decoding_keys`` (meta fields such as thresholds that change the output
    without changing the weights) the digits are those of the SHA-256 of the
    weights' SHA-256 and those fields, so new thresholds give a new version."""
    meta = meta or {}
    sha = (meta.get("files") or {}).get(weights_file, "")
    if sha and any(k in meta for k in decoding_keys):
        rules = json.dumps({k: meta.get(k) for k in decoding_keys}, sort_keys=True)
        sha = hashlib.sha256(f"{sha}\n{rules}".encode("utf-8")).hexdigest()
    return f"+{sha[:8]}" if sha else ""


def verify(model_dir: Path, meta: dict[str, Any]) -> None:
    """Check every file listed in ``meta['files']`` against its SHA-256."""
    files = meta.get("files")
    if not isinstance(files, dict) or not files:
        raise ModelError(f"{Path(model_dir) / META}: lists no weight files with their SHA-256")
    for name, expected in files.items():
        path = Path(model_dir) / name
        if not path.is_file():
            raise ModelError(f"{path}: model file is missing")
        actual = sha256_file(path)
        if actual != expected:
            raise ModelError(
                f"{path}: checksum mismatch (SHA-256 {actual[:12]}…, expected {expected[:12]}…); "
                "the model file is corrupted or was changed: reinstall unspin or retrain the model"
            )


def machine_description() -> str:
    """The CPU, its core count and the numeric stack, for a model card's wall
    times: e.g. ``Intel(R) Xeon(R) Processor, 2 cores, x86_64, Python 3.11.7,
    numpy 2.0.2, scipy 1.17.1`` (float results, not only speed, can differ
    between CPUs)."""
    import os
    import platform
    import sys

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    parts = [cpu, f"{os.cpu_count() or 1} cores", platform.machine(), f"Python {platform.python_version()}"]
    for lib in ("numpy", "scipy", "torch"):
        mod = sys.modules.get(lib)  # only what the training used
        if mod is not None:
            parts.append(f"{lib} {getattr(mod, '__version__', '?')}")
    return ", ".join(p for p in parts if p)


def training_meta(name: str, training_data: dict[str, Any], command: str, seed: int) -> dict[str, Any]:
    """The fields every trained model's meta.json starts with (its card reads them)."""
    from datetime import date

    return {
        "name": name,
        "version": "1",
        "trained": date.today().isoformat(),
        "unspin_version": __version__,
        "training_data": training_data,
        "command": command,
        "seed": seed,
        "machine": machine_description(),
    }


def write_meta(model_dir: Path, meta: dict[str, Any], weight_files: list[str]) -> dict[str, Any]:
    meta = dict(meta)
    meta["files"] = {name: sha256_file(Path(model_dir) / name) for name in sorted(weight_files)}
    (Path(model_dir) / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


#: meta.json fields of older techniques models (one threshold for all labels), replaced by :data:`DECODING_KEYS`
LEGACY_KEYS = ("span_threshold", "paragraph_threshold")
#: meta.json fields written by :func:`decoding_meta`
DECODING_KEYS = ("span_thresholds", "span_units", "span_smoothing", "span_needs_content_word", "paragraph_thresholds",
                 "span_min_peaks", "span_needs_paragraph", "span_calibration", "recall_decoding")


def with_decoding(meta: dict[str, Any], decoding: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with the fields of :func:`decoding_meta` (``decoding``) in place of any older ones."""
    return {**{k: v for k, v in meta.items() if k not in LEGACY_KEYS}, **decoding}


def decoding_meta(labels: Sequence[str], span_threshold: float | np.ndarray, span_units: Sequence[str] | None,
                  span_smoothing: int, needs_content_word: bool, paragraph_threshold: float | np.ndarray,
                  span_min_peak: np.ndarray | None = None, span_needs_paragraph: bool = False,
                  span_calibration: Sequence[float] | None = None, recall: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    """The meta.json fields (:data:`DECODING_KEYS`) of a techniques model's decoding, one value per label.
    ``recall``: the model's recall reading, as the keyword arguments of this function (its own fields
    go under ``recall_decoding``)."""
    L = len(labels)
    st = np.broadcast_to(np.asarray(span_threshold, dtype=np.float64), (L,))
    pt = np.broadcast_to(np.asarray(paragraph_threshold, dtype=np.float64), (L,))
    out: dict[str, Any] = {
        "span_thresholds": {lab: round(float(t), 4) for lab, t in zip(labels, st, strict=True)},
        "span_units": dict(zip(labels, span_units or ["words"] * L, strict=True)),
        "span_smoothing": int(span_smoothing), "span_needs_content_word": bool(needs_content_word),
        "paragraph_thresholds": {lab: round(float(t), 4) for lab, t in zip(labels, pt, strict=True)}}
    if span_min_peak is not None:
        mp = np.broadcast_to(np.asarray(span_min_peak, dtype=np.float64), (L,))
        out["span_min_peaks"] = {lab: round(float(t), 4) for lab, t in zip(labels, mp, strict=True)}
    if span_needs_paragraph:
        out["span_needs_paragraph"] = True
    if span_calibration is not None:
        out["span_calibration"] = [round(float(x), 6) for x in span_calibration]
    if recall is not None:
        out["recall_decoding"] = fields_meta(labels, recall)
    return out


def fields_meta(labels: Sequence[str], fields: dict[str, Any]) -> dict[str, Any]:
    """:func:`decoding_meta` of a model's decoding fields (the keyword arguments
    :func:`decoding_fields` returns), recall reading included."""
    return decoding_meta(labels, fields["span_threshold"], fields.get("span_units"), fields.get("span_smoothing", 0),
                         fields.get("span_needs_content_word", False), fields["paragraph_threshold"],
                         fields.get("span_min_peak"), fields.get("span_needs_paragraph", False),
                         fields.get("span_calibration"), fields.get("recall"))


def decoding_fields(meta: dict[str, Any], labels: Sequence[str], where: str) -> dict[str, Any]:
    """A model's decoding fields from its meta.json (written by
    :func:`decoding_meta`, or by older versions: one ``span_threshold`` and
    one ``paragraph_threshold`` for all labels, no units). ``where`` names the
    file in errors; the model checks the units themselves (:func:`~unspin.techniques.fast.check_span_units`)."""

    try:
        if "paragraph_thresholds" in meta:
            pt: float | np.ndarray = np.array([float(meta["paragraph_thresholds"][lab]) for lab in labels])
        else:
            pt = float(meta["paragraph_threshold"])
        if "span_thresholds" in meta:  # one per label (since 2026-12-01)
            st: float | np.ndarray = np.array([float(meta["span_thresholds"][lab]) for lab in labels])
        else:
            st = float(meta["span_threshold"])
        units = [str(meta["span_units"][lab]) for lab in labels] if "span_units" in meta else None
    except (KeyError, TypeError, ValueError):
        raise ModelError(f"{where}: needs a span and a paragraph threshold (and a span unit) for every label") from None
    out: dict[str, Any] = {"span_threshold": st, "paragraph_threshold": pt, "span_units": units,
                           "span_smoothing": int(meta.get("span_smoothing", 0)),
                           "span_needs_content_word": bool(meta.get("span_needs_content_word", False))}
    try:
        if "span_min_peaks" in meta:
            out["span_min_peak"] = np.array([float(meta["span_min_peaks"][lab]) for lab in labels])
        if meta.get("span_needs_paragraph"):
            out["span_needs_paragraph"] = True
        if "span_calibration" in meta:
            cal = np.array([float(x) for x in meta["span_calibration"]])
            if cal.shape != (2,):
                raise ValueError
            out["span_calibration"] = cal
    except (KeyError, TypeError, ValueError):
        raise ModelError(f"{where}: span_min_peaks needs one value per label and span_calibration two numbers") from None
    if isinstance(meta.get("recall_decoding"), dict):
        out["recall"] = decoding_fields(meta["recall_decoding"], labels, f"{where} (recall_decoding)")
    return out
