"""Analyses in worker processes that can be stopped: a time and memory budget per analysis.

``unspin serve`` runs each analysis in one of ``max_concurrent`` worker
processes (spawned, each loading the models once). The server's own process
only reads requests, serves pages and waits: an analysis that runs past its
time budget (``--analysis-timeout``), or whose worker grows past its memory
budget (``--analysis-memory``), is stopped by killing its worker, the request
gets a 503 saying so, and a fresh worker takes the slot. ``/api/health`` and
the pages never wait behind an analysis, whatever the article.

A worker that dies on its own (the kernel's out-of-memory killer, a crash in
native code) is replaced the same way; the request gets a 500.

:class:`ThreadRunner` keeps analyses in the server's process (threads, no
budget that can stop them): for the in-process app of the tests and for
embedding, where spawning processes is unwanted.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.exceptions import HTTPException

from ..api import get_pipeline
from ..article import Article
from ..config import Options
from ..errors import InputError, UnspinError
from ..parallel import worker_environment
from .inputs import Submission, read_submission

log = logging.getLogger("unspin.web")

__all__ = ["AnalysisFailed", "OverBudget", "ProcessRunner", "ThreadRunner", "analyse_job", "chars_within",
           "default_memory_budget", "rss_bytes"]

#: How often a waiting request looks at its worker's memory, in seconds.
POLL_SECONDS = 0.2


#: Peak resident memory of an analysis process, measured on this project's machine (docs/limits.md):
#: about 1,010 MB for a 20 KB news article with the default analyzers, plus about 0.3 MB per 1,000
#: characters beyond (long texts are analysed in blocks: 1,194 MB at 400 KB, 1,314 MB at 1 MB).
BASE_MEMORY = 1_050 * 2**20
MEMORY_PER_CHAR = 300
#: The default memory budget of one analysis worker stays within these bounds.
MIN_BUDGET, MAX_BUDGET = 1_536 * 2**20, 4_096 * 2**20


def available_memory() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes (Linux), or ``None``."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_memory_budget(workers: int) -> int:
    """Memory per analysis worker: 80 % of the available memory shared by the workers, within
    :data:`MIN_BUDGET` and :data:`MAX_BUDGET` (the minimum when the available memory is unknown)."""
    available = available_memory()
    if available is None:
        return MIN_BUDGET
    return int(min(MAX_BUDGET, max(MIN_BUDGET, 0.8 * available / max(1, workers))))


def chars_within(budget: int) -> int:
    """The longest text whose analysis fits in ``budget`` bytes, by the measured memory per size."""
    return max(0, (budget - BASE_MEMORY) // MEMORY_PER_CHAR)


class AnalysisFailed(HTTPException):
    """The pipeline raised on one submission (a bug or a resource error): a 500 naming only its kind."""

    def __init__(self, kind: str) -> None:
        super().__init__(500, f"the analysis of this article failed ({kind}); details are in the server log")
        self.kind = kind


class OverBudget(HTTPException):
    """An analysis stopped for running past the server's time or memory budget: 503, the slot is freed."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, detail)


def analyse_job(job: Submission | Article, options: Options) -> tuple[Article, dict[str, Any]]:
    """Read (unless given an article) and analyse one submission: the work of one request.

    :class:`InputError` and other :class:`UnspinError` pass through (they
    are the user's 4xx); anything else becomes :class:`AnalysisFailed`.
    """
    article = job if isinstance(job, Article) else read_submission(job, options)
    try:
        return article, get_pipeline(options).analyze(article).to_dict()
    except UnspinError:
        raise
    except Exception as exc:  # a bug or a resource error on this input: logged, answered 500, server goes on
        log.exception("analysis of %s failed", article.source)
        raise AnalysisFailed(type(exc).__name__) from exc


class ThreadRunner:
    """Analyses in the server's own threads (no budget can stop them)."""

    kind = "thread"

    def __init__(self, options: Options) -> None:
        self.options = options

    async def start(self) -> None:
        await anyio.to_thread.run_sync(get_pipeline(self.options).warm_up)

    async def run(self, job: Submission | Article, options: Options) -> tuple[Article, dict[str, Any]]:
        return await anyio.to_thread.run_sync(analyse_job, job, options)

    async def close(self) -> None:
        return None


# -- worker processes ------------------------------------------------------------


def _worker_main(conn: Any, options: Options) -> None:
    """A worker process (started in :func:`worker_environment`): load the models, then analyse jobs until
    the pipe closes."""
    try:
        get_pipeline(options).warm_up()
    except Exception as exc:  # noqa: BLE001 - reported to the server, which refuses to start
        conn.send(("dead", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job, job_options = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", analyse_job(job, job_options)))
        except InputError as exc:
            conn.send(("input", (exc.source, exc.reason)))
        except UnspinError as exc:
            conn.send(("unspin", str(exc)))
        except AnalysisFailed as exc:
            conn.send(("failed", exc.kind))
        except Exception as exc:  # noqa: BLE001 - reading the submission raised: same as a failed analysis
            log.exception("reading a submission failed")
            conn.send(("failed", type(exc).__name__))


def rss_bytes(pid: int) -> int | None:
    """Resident memory of process ``pid`` (Linux ``/proc``), or ``None`` where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@dataclass(eq=False)  # hashed by identity: the runner keeps a set of its workers
class _Worker:
    process: Any
    conn: Any


class ProcessRunner:
    """``workers`` analysis processes; each analysis has ``timeout`` seconds and ``max_rss`` bytes."""

    kind = "process"

    def __init__(self, options: Options, workers: int, timeout: float, max_rss: int | None,
                 startup_timeout: float = 300.0) -> None:
        self.options, self.workers, self.timeout, self.max_rss = options, max(1, workers), timeout, max_rss
        self.startup_timeout = startup_timeout
        self.ctx = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._ready: list[_Worker] = []
        self._started = False
        self._start_lock: asyncio.Lock | None = None
        self.restarts = 0
        #: analyses stopped for running past their time or memory budget
        self.stopped = 0

    # life cycle

    def _spawn(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=_worker_main, args=(child, self.options), daemon=True,
                                   name="unspin-analysis")
        with worker_environment():  # one encoder and BLAS thread each, unless the user chose
            process.start()
        child.close()
        worker = _Worker(process, parent)
        self._all.add(worker)
        return worker

    def _wait_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(self.startup_timeout):
            raise UnspinError(f"an analysis worker did not start within {self.startup_timeout:.0f} s")
        try:
            status, detail = worker.conn.recv()
        except EOFError:
            status, detail = "dead", f"exit code {worker.process.exitcode}"
        if status != "ready":
            raise UnspinError(f"an analysis worker could not start ({detail})")

    async def start(self) -> None:
        """Start every worker and wait until each has loaded its models (at the first analysis,
        unless :meth:`start_sync` ran before the event loop)."""
        self._started = True
        queue = self._ensure_queue()
        workers = [self._spawn() for _ in range(self.workers)]
        for worker in workers:
            await anyio.to_thread.run_sync(self._wait_ready, worker)
            queue.put_nowait(worker)

    def start_sync(self) -> None:
        """Start the workers before the event loop runs (``unspin serve``): a worker that cannot load
        its models, or that needs more than the memory budget once loaded, is a one-line error."""
        workers = [self._spawn() for _ in range(self.workers)]
        try:
            for worker in workers:
                self._wait_ready(worker)
                rss = rss_bytes(worker.process.pid)
                if self.max_rss is not None and rss is not None and rss > self.max_rss:
                    raise UnspinError(f"the memory budget of {self.max_rss / 2**20:,.0f} MB per analysis is below "
                                      f"what a worker needs once its models are loaded ({rss / 2**20:,.0f} MB); "
                                      "give a larger --analysis-memory")
        except UnspinError:
            for worker in workers:
                self._kill(worker)
            raise
        self._ready = workers
        self._started = True

    def _ensure_queue(self) -> asyncio.Queue[_Worker]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for worker in self._ready:
                self._idle.put_nowait(worker)
            self._ready = []
        return self._idle

    async def close(self) -> None:
        for worker in list(self._all):
            self._kill(worker)

    def _kill(self, worker: _Worker) -> None:
        self._all.discard(worker)
        try:
            worker.conn.close()
        except OSError:
            pass
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=10)

    async def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and put a fresh one (models loaded) in its place."""
        self._kill(worker)
        self.restarts += 1
        fresh = self._spawn()
        try:
            await anyio.to_thread.run_sync(self._wait_ready, fresh)
        except UnspinError:
            log.exception("a replacement analysis worker could not start")
            self._kill(fresh)
            return
        self._ensure_queue().put_nowait(fresh)

    # one analysis

    def _wait(self, worker: _Worker, deadline: float) -> tuple[str, Any]:
        """The worker's answer, or ``("timeout" | "memory", …)``; runs in a thread."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout", None
            if worker.conn.poll(min(POLL_SECONDS, left)):
                try:
                    return worker.conn.recv()
                except (EOFError, OSError):
                    return "died", worker.process.exitcode
            if not worker.process.is_alive():
                return "died", worker.process.exitcode
            if self.max_rss is not None:
                rss = rss_bytes(worker.process.pid)
                if rss is not None and rss > self.max_rss:
                    return "memory", rss

    async def run(self, job: Submission | Article, options: Options) -> tuple[Article, dict[str, Any]]:
        if not self._started:
            self._start_lock = self._start_lock or asyncio.Lock()
            async with self._start_lock:
                if not self._started:
                    await self.start()
        queue = self._ensure_queue()
        try:
            worker = await asyncio.wait_for(queue.get(), timeout=self.startup_timeout)
        except TimeoutError:
            raise OverBudget("no analysis worker is ready (they are restarting); try again shortly") from None
        healthy = False
        try:
            worker.conn.send((job, options))
            status, value = await anyio.to_thread.run_sync(self._wait, worker, time.monotonic() + self.timeout)
            healthy = status in ("ok", "input", "unspin", "failed")
        finally:
            if healthy:
                queue.put_nowait(worker)
            else:  # timed out, over memory, died or cancelled: kill it, a fresh worker takes its place
                asyncio.get_running_loop().create_task(self._replace(worker))
        if status == "ok":
            return value
        if status == "input":
            raise InputError(*value)
        if status == "unspin":
            raise UnspinError(value)
        if status == "failed":
            raise AnalysisFailed(value)
        if status in ("timeout", "memory"):
            self.stopped += 1
        if status == "timeout":
            raise OverBudget(f"the analysis ran past this server's time budget of {self.timeout:g} s per article "
                             "and was stopped (unspin serve --analysis-timeout); a shorter text may pass")
        if status == "memory":
            raise OverBudget(f"the analysis needed more memory than this server's budget of "
                             f"{self.max_rss / 2**20:,.0f} MB per analysis and was stopped "
                             "(unspin serve --analysis-memory); a shorter text may pass")
        log.error("an analysis worker died (exit code %s)", value)
        raise AnalysisFailed(f"its worker process died, exit code {value}")
