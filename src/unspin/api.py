"""The Python API: ``unspin.analyze(text_or_path)`` and friends."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from .article import Article
from .config import Options, load_options
from .errors import InputError
from .inputs import article_from_text, expand_inputs, read_input
from .pipeline import Pipeline, cached_pipeline
from .types import Analysis

_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def get_pipeline(options: Options | None = None, **overrides: Any) -> Pipeline:
    """A pipeline for these options, reused across calls (models load once)."""
    return cached_pipeline((options or load_options()).with_(**overrides))


def analyze(
    text_or_path: str | Path | Article,
    *,
    title: str | None = None,
    source: str | None = None,
    options: Options | None = None,
    **overrides: Any,
) -> Analysis:
    """Analyse one article given as text, a file path, an http(s) URL or an ``Article``.

    A :class:`~pathlib.Path`, or a one-line string naming an existing file,
    is read as a file (HTML by extension or content); a string starting with
    ``http://`` or ``https://`` is fetched; any other string is the article
    text itself. Keyword ``overrides`` set :class:`~unspin.Options` fields,
    e.g. ``ratings=("ratings.csv",)``.

    Raises :class:`~unspin.InputError` for unreadable input.
    """
    pipe = get_pipeline(options, **overrides)
    article = _to_article(text_or_path, pipe.options, title=title, source=source)
    return pipe.analyze(article)


def analyze_many(
    inputs: Iterable[str | Path],
    *,
    options: Options | None = None,
    **overrides: Any,
) -> Iterator[Analysis | InputError]:
    """Analyse files, directories (recursively) and URLs in order.

    Yields an :class:`Analysis` per good input and the :class:`InputError`
    of each bad one, so that one bad file never stops a batch.
    """
    pipe = get_pipeline(options, **overrides)
    for spec in expand_inputs([str(i) for i in inputs]):
        try:
            yield pipe.analyze(read_input(spec, pipe.options))
        except InputError as exc:
            yield exc


def _to_article(value: str | Path | Article, options: Options, *, title: str | None, source: str | None) -> Article:
    if isinstance(value, Article):
        article = value
    elif isinstance(value, Path) or (isinstance(value, str) and _looks_like_path(value)):
        article = read_input(str(value), options)
    elif isinstance(value, str):
        article = article_from_text(value, source=source or "<text>")
    else:
        raise TypeError(f"cannot analyse a {type(value).__name__}; give text, a path or a URL")
    if title is not None:
        article.title = title
    if source is not None:
        article.source = source
    return article


def _looks_like_path(value: str) -> bool:
    if _URL.match(value):
        return True
    if "\n" in value or len(value) > 4096:
        return False
    try:
        return Path(value).is_file()
    except OSError:
        return False
