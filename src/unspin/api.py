"""The Python API: ``unspin.analyze(text_or_path)`` and friends."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any, Iterable, Iterator

from .article import Article
from .config import Options, load_options
from .errors import InputError, failure_reason
from .inputs import article_from_text, expand_inputs, read_input
from .parallel import init_pipeline_worker, ordered_map, worker_pipeline
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
    workers: int = 1,
    **overrides: Any,
) -> Iterator[Analysis | InputError]:
    """Analyse files, directories (recursively) and URLs in order.

    Yields an :class:`Analysis` per good input and the :class:`InputError`
    of each bad one, so that one bad file never stops a batch. With
    ``workers`` above 1 the inputs are analysed by that many processes (each
    loads the models once); the results still come in input order.
    """
    opts = (options or load_options()).with_(**overrides)
    specs = expand_inputs([str(i) for i in inputs])
    for _, result in analyze_inputs(specs, opts, workers=workers):
        yield result


def analyze_inputs(specs: list[str], options: Options, *, workers: int = 1,
                   outlet: str | None = None) -> Iterator[tuple[str, Analysis | InputError]]:
    """``(input, analysis or its error)`` for each input, in input order.

    Whatever fails for one input (unreadable, too long, an analyzer that
    raises, a worker process that dies) becomes that input's
    :class:`InputError` and the batch goes on. With ``workers`` above 1,
    worker processes analyse the inputs; at most a few inputs per worker are
    in flight, so memory stays bounded however long the batch.
    """
    if workers <= 1 or len(specs) <= 1:
        pipeline = get_pipeline(options)
        for spec in specs:
            yield spec, _analyze_input(pipeline, spec, outlet)
        return
    yield from ordered_map(specs, partial(_work, outlet=outlet), InputError, workers=workers,
                           initializer=init_pipeline_worker, initargs=(options,))


def _analyze_input(pipeline: Pipeline, spec: str, outlet: str | None) -> Analysis | InputError:
    try:
        article = read_input(spec, pipeline.options)
        article.set_given_outlet(outlet)
        return pipeline.analyze(article)
    except Exception as exc:  # noqa: BLE001 - one input never stops the batch
        return exc if isinstance(exc, InputError) else InputError(spec, failure_reason(exc))


# -- worker processes ------------------------------------------------------------------


def _work(spec: str, outlet: str | None) -> Analysis | InputError:
    """One input, in a worker process (:func:`unspin.parallel.init_pipeline_worker` built its pipeline)."""
    return _analyze_input(worker_pipeline(), spec, outlet)


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
