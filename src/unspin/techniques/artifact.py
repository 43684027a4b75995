"""Model folders: weight files plus ``meta.json`` (labels, version, metrics,
training data and command, wall time, SHA-256 of every weight file).

:func:`verify` recomputes the SHA-256 of each listed file at load and raises
:class:`~unspin.errors.ModelError` naming the file when one is missing or
differs, so a truncated or tampered model never runs silently.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Sequence

from ..errors import ModelError

META = "meta.json"


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


def training_meta(name: str, training_data: dict[str, Any], command: str, seed: int) -> dict[str, Any]:
    """The fields every trained model's meta.json starts with (its card reads them)."""
    import platform
    from datetime import date

    return {
        "name": name,
        "version": "1",
        "trained": date.today().isoformat(),
        "training_data": training_data,
        "command": command,
        "seed": seed,
        "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(),
    }


def write_meta(model_dir: Path, meta: dict[str, Any], weight_files: list[str]) -> dict[str, Any]:
    meta = dict(meta)
    meta["files"] = {name: sha256_file(Path(model_dir) / name) for name in sorted(weight_files)}
    (Path(model_dir) / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta
