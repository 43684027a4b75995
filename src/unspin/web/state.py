"""The web app's shared state and limits, read by its routes (:mod:`.api`, :mod:`.pages`).

Kept apart from the app factory (:mod:`.app`) so that the routes and the
factory import it rather than each other: :mod:`.app` builds a
:class:`WebState` and includes the routers; the routers read it with
:func:`state_of`.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Sequence

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..api import get_pipeline
from ..config import Options
from ..inputs.text import format_size
from ..pipeline import DEFAULT_ANALYZERS, OPTIONAL_ANALYZERS, registry
from .repo import MEMORY_ITEMS, Repo
from .runner import ProcessRunner, ThreadRunner

log = logging.getLogger("unspin.web")

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class WebSettings:
    """Limits of the web app (``unspin serve`` options)."""

    #: Largest request body accepted (JSON, form or upload); larger → 413.
    max_body_bytes: int = 5 * 1024 * 1024
    #: Analyses running at once (threads; each holds the GIL most of the time).
    max_concurrent: int = 2
    #: Requests that may wait for an analysis slot; more → 503 at once.
    max_queue: int = 64
    #: Seconds a request waits for a slot before 503.
    queue_timeout: float = 10.0
    #: The ``Retry-After`` of a 503, in seconds.
    retry_after: int = 2
    #: URL fetches at once (they wait on the network, not the CPU).
    max_fetches: int = 8
    #: Analyses kept in memory without ``--db``.
    memory_items: int = MEMORY_ITEMS
    #: Analyses in worker processes that are stopped past their budget (``unspin serve``); else in threads.
    isolate: bool = False
    #: Seconds an analysis may run in a worker process before it is stopped (503); with ``isolate``.
    analysis_timeout: float = 30.0
    #: Resident memory an analysis worker may reach before its analysis is stopped (503); with ``isolate``.
    analysis_memory: int | None = None


class Overloaded(Exception):
    """No analysis slot free within the queue's limits."""


class Limiter:
    """At most ``limit`` holders at once; at most ``queue`` waiting, each for ``timeout`` seconds."""

    def __init__(self, limit: int, queue: int, timeout: float) -> None:
        self.limit, self.queue, self.timeout = max(1, limit), max(0, queue), timeout
        self.waiting = 0
        self.running = 0
        self._sem: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._sem is None:  # created in the event loop that uses it
            self._sem = asyncio.Semaphore(self.limit)
        sem = self._sem
        if sem.locked() and self.waiting >= self.queue:
            raise Overloaded
        self.waiting += 1
        try:
            async with asyncio.timeout(self.timeout):
                await sem.acquire()
        except TimeoutError:
            raise Overloaded from None
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            sem.release()


@dataclass
class WebState:
    options: Options
    settings: WebSettings
    repo: Repo
    env: Environment
    analyses: Limiter
    fetches: Limiter
    db_path: str | None = None
    counters: dict[str, int] = field(default_factory=lambda: {"analysed": 0, "rejected_busy": 0})
    #: Where analyses run: worker processes with a budget (``unspin serve``) or threads.
    runner: ProcessRunner | ThreadRunner | None = None

    @property
    def pipeline(self) -> Any:
        return get_pipeline(self.options)

    def pipeline_for(self, analyzers: Sequence[str] | None) -> Any:
        """The pipeline running ``analyzers`` (the server's own when ``None``), in the registry's order.

        The order is the pipeline's, not the request's, so that the pipelines
        cached for requests stay few (one per set of analyzers); unknown names
        raise :class:`~unspin.errors.ConfigError`.
        """
        if analyzers is None:
            return self.pipeline
        wanted = list(dict.fromkeys(analyzers))
        for name in wanted:
            registry.info(name)  # ConfigError naming the known analyzers
        known = [*DEFAULT_ANALYZERS, *OPTIONAL_ANALYZERS, *sorted(registry.infos)]
        ordered = tuple(n for n in dict.fromkeys(known) if n in wanted)
        return get_pipeline(self.options, analyzers=ordered)

    def render(self, name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
               ) -> HTMLResponse:
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers=headers)


def state_of(request: Request) -> WebState:
    return request.app.state.web


def busy_headers(web: WebState) -> dict[str, str]:
    return {"Retry-After": str(web.settings.retry_after)}


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is too large (more than {format_size(limit)}; "
                              "the server's limit, see unspin serve --max-body)")
