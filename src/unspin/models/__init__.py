"""The models layer: the shipped artifact folders and the one way to read them.

Every model is a folder: ``meta.json`` (format, name, version, labels,
training data and command, metrics with their protocol, the unspin version
that trained it, and the SHA-256 of every weight file), the weight files and
a ``CARD.md`` rendered from one template (:mod:`.card`). Model classes parse
their own weights; this module does what all of them share:

* :func:`read` checks a folder before any weight is parsed: the format (and
  task/kind) it must have, every listed file against its SHA-256
  (:class:`~unspin.errors.ModelError` naming the file otherwise), and warns
  when the model was trained by another unspin version;
* :func:`load` loads a folder once per process (and again only when its files
  change), so the CLI, the web app and every pipeline share one copy.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, TypeVar

from .._version import __version__
from ..errors import ModelError
from .artifact import META, ModelMeta, read_meta, verify

__all__ = ["META", "ModelMeta", "PACKAGED", "load", "packaged_dir", "read"]

log = logging.getLogger(__name__)

#: The folder of the shipped artifacts (``techniques-accurate``, ``genre-fast``, …).
PACKAGED = Path(__file__).resolve().parent

T = TypeVar("T")
_CACHE: dict[tuple[Any, ...], Any] = {}


def packaged_dir(name: str) -> Path:
    """The folder of the shipped model ``name`` (e.g. ``techniques-accurate``)."""
    return PACKAGED / name


def read(model_dir: str | Path, fmt: str | tuple[str, ...], *, task: str | None = None,
         kind: str | None = None, what: str = "model") -> ModelMeta:
    """The checked metadata of ``model_dir``: :class:`ModelError` unless its format is
    ``fmt`` (one of, for a tuple), its task/kind those given, and every weight file
    matches its SHA-256; a warning when another unspin version trained it."""
    d = Path(model_dir)
    raw = read_meta(d)
    formats = (fmt,) if isinstance(fmt, str) else fmt
    if raw.get("format") not in formats or (task is not None and raw.get("task") != task) \
            or (kind is not None and raw.get("kind") != kind):
        raise ModelError(f"{d / META}: not an unspin {what} (format {raw.get('format')!r}"
                         + (f", task {raw.get('task')!r}" if task is not None else "") + ")")
    verify(d, raw)
    meta = ModelMeta.from_dict(d, raw)
    trained_by = meta.unspin_version
    if trained_by and _minor(trained_by) != _minor(__version__):
        log.warning("%s was trained by unspin %s; this is unspin %s: retrain it if its findings look wrong",
                    d, trained_by, __version__)
    return meta


def load(model_dir: str | Path, loader: Callable[..., T], *args: Any) -> T:
    """``loader(model_dir, *args)``, once per process for a folder whose files have not changed."""
    d = Path(model_dir).resolve()
    if not (d / META).is_file():
        raise ModelError(f"{d}: no model here ({META} is missing)")
    key = (loader.__module__, loader.__qualname__, args, str(d), _stamp(d))
    if key not in _CACHE:
        _CACHE[key] = loader(d, *args)
    return _CACHE[key]


def _stamp(d: Path) -> tuple[tuple[str, int, int], ...]:
    """Size and modification time of every file of the folder (cheap; a retrained
    or replaced model is loaded again)."""
    out = []
    for p in sorted(d.iterdir()):
        if p.is_file():
            st = p.stat()
            out.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])
