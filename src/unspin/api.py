"""The Python API: ``unspin.analyze(text_or_path)`` and friends."""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .article import Article
from .config import Options, load_options
from .errors import InputError, failure_reason
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
    yield from _ParallelBatch(options, workers, outlet).run(specs)


def _analyze_input(pipeline: Pipeline, spec: str, outlet: str | None) -> Analysis | InputError:
    try:
        article = read_input(spec, pipeline.options)
        article.set_given_outlet(outlet)
        return pipeline.analyze(article)
    except Exception as exc:  # noqa: BLE001 - one input never stops the batch
        return exc if isinstance(exc, InputError) else InputError(spec, failure_reason(exc))


# -- worker processes ------------------------------------------------------------------

_worker_pipeline: list[Pipeline] = []


def _init_worker(options: Options) -> None:
    # the workers already share the cores: one encoder thread each (unless the user chose)
    os.environ.setdefault("UNSPIN_THREADS", "1")
    pipeline = Pipeline(options)
    pipeline.warm_up()  # load the models once, before the first input
    _worker_pipeline.append(pipeline)


def _work(spec: str, outlet: str | None) -> Analysis | tuple[str, str]:
    result = _analyze_input(_worker_pipeline[0], spec, outlet)
    # an InputError does not survive pickling (its constructor takes two arguments): send its parts
    return (result.source, result.reason) if isinstance(result, InputError) else result


class _ParallelBatch:
    """Inputs analysed by worker processes, results in input order.

    A worker that dies (killed, out of memory) breaks the whole pool, and every
    input in flight with it. Those inputs go round again, one at a time in a
    new pool, so that the one that kills a worker is found and reported as
    such while the others are analysed.
    """

    def __init__(self, options: Options, workers: int, outlet: str | None, *,
                 work: Callable[[str, str | None], Any] | None = None,
                 init: Callable[[Options], None] | None = None) -> None:
        self.options, self.workers, self.outlet = options, workers, outlet
        self.window = workers * 2
        # what a worker does with one input, and how it starts: the defaults analyse it
        self.work, self.init = work or _work, init if work else _init_worker

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=self.init, initargs=(self.options,) if self.init else ())

    def run(self, specs: list[str]) -> Iterator[tuple[str, Analysis | InputError]]:
        todo = deque(specs)
        pending: deque[tuple[str, Future[Any]]] = deque()
        suspects = 0  # inputs in flight when a worker died: retried one at a time
        pool = self._pool()
        try:
            while todo or pending:
                while todo and len(pending) < (1 if suspects else self.window):
                    spec = todo.popleft()
                    pending.append((spec, pool.submit(self.work, spec, self.outlet)))
                spec, future = pending.popleft()
                exc = future.exception()
                if isinstance(exc, BrokenProcessPool):
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = self._pool()
                    if suspects:  # alone in flight: this input killed its worker
                        suspects -= 1
                        yield spec, InputError(spec, "its analysis killed the worker process (out of memory?)")
                    else:
                        lost = [spec, *(other for other, _ in pending)]
                        pending.clear()
                        todo.extendleft(reversed(lost))
                        suspects = len(lost)
                    continue
                suspects = max(0, suspects - 1)
                yield spec, self._result(spec, future, exc)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _result(spec: str, future: Future[Any], exc: BaseException | None) -> Analysis | InputError:
        if exc is not None:  # e.g. a result that cannot be sent back
            return InputError(spec, failure_reason(exc))
        result = future.result()
        return InputError(*result) if isinstance(result, tuple) else result


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
