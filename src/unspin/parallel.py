"""Work in spawned worker processes: results in input order, and one item never stops the rest.

``unspin analyze --workers N`` (:func:`unspin.api.analyze_inputs`) and
``unspin ingest --workers N`` (:mod:`unspin.corpus.ingest`) hand their items
to :func:`ordered_map`; each worker process builds the :class:`Pipeline` once
(:func:`init_pipeline_worker`) and analyses item after item.

A worker that dies (the kernel's out-of-memory killer, ``SIGKILL``, a crash in
native code) breaks the whole pool, and every item in flight with it. Those
items go round again, one at a time in a fresh pool, so that the one that
kills its worker is reported as its own failure (:data:`WORKER_DIED`) and the
others are analysed.

Worker processes start with one thread each for the encoder, BLAS and OpenMP
(:data:`WORKER_THREADS`) unless the user set those variables: the workers
already share the cores, and a BLAS thread per core in every worker only
makes them wait for each other. The parent's own environment and threads are
left as they were.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, TypeVar

from .config import Options
from .errors import UnspinError, failure_reason
from .pipeline import Pipeline

__all__ = ["BLAS_THREADS", "WORKER_DIED", "WORKER_THREADS", "init_pipeline_worker", "ordered_map",
           "worker_environment", "worker_pipeline"]

T = TypeVar("T")
R = TypeVar("R")

#: Why an item failed when its analysis killed the worker process.
WORKER_DIED = "its analysis killed the worker process (out of memory?)"

#: The encoder's threads in a worker process (read by :mod:`unspin.neural.shared`), unless the user set it.
WORKER_THREADS = {"UNSPIN_THREADS": "1"}
#: BLAS and OpenMP threads in a worker process: all three are set to 1 unless the user set any of them
#: (OpenBLAS reads ``OMP_NUM_THREADS`` when its own variable is unset, so one choice covers them all).
BLAS_THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _worker_variables() -> dict[str, str]:
    """The variables :func:`worker_environment` adds to the current environment."""
    added = {name: value for name, value in WORKER_THREADS.items() if name not in os.environ}
    if not any(name in os.environ for name in BLAS_THREADS):
        added.update(BLAS_THREADS)
    return added


@contextmanager
def worker_environment() -> Iterator[None]:
    """Processes started inside this block get one thread each (:data:`WORKER_THREADS`, :data:`BLAS_THREADS`).

    A spawned process inherits the environment at its start, and its numpy
    reads the BLAS variables when it is imported, before any initializer
    runs: so they are set here, around the start, and removed afterwards.
    The parent's libraries read them long before, so its threads do not change.
    """
    added = _worker_variables()
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


# -- worker side -----------------------------------------------------------------------

_pipeline: list[Pipeline] = []
_start_error: list[str] = []


def init_pipeline_worker(options: Options) -> None:
    """The initializer of an analysis worker: build the pipeline and load its models once, before the first item."""
    pipeline = Pipeline(options)
    pipeline.warm_up()
    _pipeline[:] = [pipeline]


def worker_pipeline() -> Pipeline:
    """The pipeline :func:`init_pipeline_worker` built in this worker process."""
    return _pipeline[0]


class _StartFailed(Exception):
    """Sent back for every item of a worker whose initializer raised (one string: it pickles)."""


def _start(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    # a raising initializer would make the pool break at once, item after item: remember why instead
    try:
        if initializer is not None:
            initializer(*initargs)
    except Exception as exc:  # noqa: BLE001 - reported to the parent with the first item
        _start_error[:] = [failure_reason(exc)]


def _call(work: Callable[[Any], Any], item: Any) -> Any:
    if _start_error:
        raise _StartFailed(_start_error[0])
    return work(item)


def _nothing(item: Any) -> None:
    """The work of a probe: a worker that can run it has started."""


# -- parent side -----------------------------------------------------------------------


class _Pool:
    """A spawn-context process pool that can be replaced when broken, and stopped at once."""

    def __init__(self, workers: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
        self.workers, self.start_args = workers, (initializer, initargs)
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=self.start_args)

    def submit(self, work: Callable[[Any], Any], item: Any) -> Future[Any]:
        """The item's future; if a worker died since the last look, one that holds the breakage, as the
        items already in flight do, so that all of them go round again the same way."""
        with worker_environment():  # the executor starts its processes as work is submitted
            try:
                return self.executor.submit(_call, work, item)
            except BrokenProcessPool as exc:
                broken: Future[Any] = Future()
                broken.set_exception(exc)
                return broken

    def renew(self) -> None:
        """A fresh pool in place of a broken one (whose workers the executor has stopped already)."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def stop(self, *, at_once: bool) -> None:
        """Shut down; ``at_once`` stops the workers mid-item (the caller no longer wants the results)."""
        if at_once:  # the executor has no public way to stop a running item (Python 3.14 adds kill_workers)
            for process in list((getattr(self.executor, "_processes", None) or {}).values()):
                process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)


def _check_start(pool: _Pool) -> None:
    """Raise :class:`UnspinError` if a worker of ``pool`` dies or fails before it can do anything."""
    exc = pool.submit(_nothing, None).exception()
    if isinstance(exc, BrokenProcessPool):
        pool.renew()
        raise UnspinError("the worker processes could not start: a worker process died while starting "
                          "(out of memory while loading the models?)")
    if isinstance(exc, _StartFailed):
        raise UnspinError(f"the worker processes could not start: {exc}")


def ordered_map(items: Iterable[T], work: Callable[[T], R], failed: Callable[[T, str], R], *, workers: int,
                initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = (),
                window: int | None = None, in_parent: Callable[[T], R | None] | None = None,
                ) -> Iterator[tuple[T, R]]:
    """``(item, result)`` for each of ``items`` in input order, ``work(item)`` done by ``workers`` processes.

    ``work`` runs in a spawned worker process after ``initializer(*initargs)``
    ran there once; both are sent by reference, so they must be module-level
    functions (or partials of them). ``in_parent(item)`` may give an item's
    result without a worker (``None`` sends it to the workers). At most
    ``window`` items (default: two per worker) are in flight, and ``items``
    (a generator, say) is read as the work goes: memory stays bounded however
    long the batch.

    An item whose result does not come back gets ``failed(item, reason)``:
    when it cannot be sent back, and when its work kills the worker
    (:data:`WORKER_DIED`). An initializer that raises, or kills its process
    (out of memory while loading the models), stops the batch with an
    :class:`UnspinError` naming why (every item would fail the same way):
    before an item is blamed for its worker's death, a fresh worker is
    asked to do nothing, and if that kills it too the start-up is to blame.
    Closing the iterator early stops the workers at once.
    """
    window = max(1, window or 2 * workers)
    source = iter(items)
    retry: deque[T] = deque()  # items in flight when a worker died: they go first, one at a time
    suspects = 0  # how many of those were sent to the workers and have no result yet
    pending: deque[tuple[T, Future[Any] | None, R | None]] = deque()
    pool = _Pool(workers, initializer, initargs)
    finished = False
    try:
        while True:
            while len(pending) < (1 if suspects else window):
                if retry:
                    item = retry.popleft()
                else:
                    try:
                        item = next(source)
                    except StopIteration:
                        break
                ready = in_parent(item) if in_parent is not None else None
                pending.append((item, None, ready) if ready is not None else (item, pool.submit(work, item), None))
            if not pending:
                break
            item, future, ready = pending.popleft()
            if future is None:
                yield item, ready  # type: ignore[misc]  # given by in_parent, not None
                continue
            exc = future.exception()
            if isinstance(exc, _StartFailed):
                raise UnspinError(f"the worker processes could not start: {exc}")
            if isinstance(exc, BrokenProcessPool):
                pool.renew()
                if suspects:  # alone in flight: this item killed its worker, unless starting one does
                    _check_start(pool)
                    suspects -= 1
                    yield item, failed(item, WORKER_DIED)
                else:
                    lost = [(item, future), *((other, f) for other, f, _ in pending)]
                    pending.clear()
                    retry.extendleft(reversed([other for other, _ in lost]))
                    suspects = sum(f is not None for _, f in lost)
                continue
            suspects = max(0, suspects - 1)
            yield item, (failed(item, failure_reason(exc)) if exc is not None else future.result())
        finished = True
    finally:
        pool.stop(at_once=not finished)
