"""The app factory: ``create_app(options, db_path)`` builds the whole web app.

The CLI (``unspin serve``) and the tests build the app the same way
(Datasette style): one FastAPI application holding

* the :class:`WebState`: options, the pipeline (loaded once), the
  repository (corpus store with ``--db``, else a bounded memory), the
  Jinja2 environment and two :class:`Limiter` s (analyses, URL fetches);
* the JSON API under ``/api`` (:mod:`.api`) and the pages (:mod:`.pages`);
* a request-body cap (:class:`BodyLimit`, 413), security headers, and
  error handlers that answer RFC 9457 problem details (``application/
  problem+json``) to API clients and a plain HTML page to browsers; never a
  stack trace.

Analyses are CPU-bound and run at most ``WebSettings.max_concurrent`` at
once: under ``unspin serve`` in worker processes, each analysis with a time
and memory budget past which its worker is killed and the request gets 503
(:mod:`.runner`), so that health and page requests never wait behind one;
in threads of the server's process for an app built with the default
settings. Requests beyond that wait in a short
queue (at most ``max_queue`` of them, each at most ``queue_timeout``
seconds); past that they get ``503`` with ``Retry-After``, so a burst never
takes the server down.
"""

from __future__ import annotations

import os
from http import HTTPStatus
from pathlib import Path
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._version import __version__
from ..config import Options, load_options
from ..errors import InputError, UnspinError
from ..report.html import environment as report_environment
from ..store import QueryError, StoreError
from . import view
from .api import router as api_router
from .pages import router as pages_router
from .repo import MemoryRepo, Repo, StoreRepo
from .runner import ProcessRunner, ThreadRunner
from .state import PROBLEM_JSON, BodyTooLarge, Limiter, Overloaded, WebSettings, WebState, busy_headers, log, state_of

HERE = Path(__file__).parent


# -- problem details -------------------------------------------------------------


def problem(status: int, detail: str, *, title: str | None = None, instance: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def wants_html(request: Request | Scope) -> bool:
    scope = request.scope if isinstance(request, Request) else request
    path = scope.get("path", "")
    if path.startswith("/api") or path.startswith("/static") or path in ("/docs", "/openapi.json", "/redoc"):
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    return "text/html" in accept


def error_response(request: Request, status: int, detail: str, headers: dict[str, str] | None = None
                   ) -> Response:
    """A problem+json response, or an HTML error page for a browser's page request."""
    if wants_html(request):
        web = state_of(request)
        return web.render("error.html", status=status, headers=headers, status_code=status,
                          title=HTTPStatus(status).phrase, detail=detail)
    return problem(status, detail, instance=request.url.path, headers=headers)


def validation_detail(exc: RequestValidationError) -> str:
    """Pydantic's errors as one line: ``body.text: Input should be a valid string``."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}"
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return error_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, validation_detail(exc))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return error_response(request, 422, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return error_response(request, 400 if isinstance(exc, QueryError) else 500, str(exc))

    @app.exception_handler(Overloaded)
    async def overloaded(request: Request, exc: Overloaded) -> Response:
        web = state_of(request)
        web.counters["rejected_busy"] += 1
        return error_response(request, 503, "the server is busy analysing other articles; try again shortly",
                              headers=busy_headers(web))

    @app.exception_handler(UnspinError)
    async def unspin_error(request: Request, exc: UnspinError) -> Response:
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return error_response(request, 500, str(exc))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "unexpected server error (details are in the server log)")


# -- middleware ------------------------------------------------------------------


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int, on_declared: Callable[[Scope, int], Response]) -> None:
        self.app, self.limit, self.on_declared = app, limit, on_declared

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            response = self.on_declared(scope, self.limit)
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_DOCS_CSP = _CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    """CSP (no inline script or style on our pages), nosniff, no referrer, no framing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "") in ("/docs", "/redoc")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                            (b"x-frame-options", b"DENY")]
                # Swagger UI (served from the bundled copy) needs its inline start-up script.
                headers.append((b"content-security-policy", (_DOCS_CSP if docs else _CSP).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- the factory -------------------------------------------------------------------


def make_env() -> Environment:

    env = report_environment(HERE / "templates")  # the pages, then the report's templates (sections.html)
    env.globals.update(version=__version__, rating_text=view.rating_text, technique_label=view.web_technique_label,
                       finding_label=view.finding_label, evidence_of=view.evidence_of)
    env.filters["number"] = lambda n: f"{n:,}" if isinstance(n, (int, float)) else n
    return env


def create_app(options: Options | None = None, db_path: str | os.PathLike[str] | None = None, *,
               settings: WebSettings | None = None) -> FastAPI:
    """The unspin web app and HTTP API.

    ``options`` as for :func:`unspin.analyze` (ratings, private URLs,
    limits); ``db_path``: a corpus store to keep analyses in and browse
    (created if missing), else the last analyses are kept in memory.
    Raises :class:`~unspin.store.StoreError` for a file that is not a store.
    """
    options = options or load_options()
    settings = settings or WebSettings()
    repo: Repo = StoreRepo(str(db_path)) if db_path else MemoryRepo(settings.memory_items)
    web = WebState(
        options=options,
        settings=settings,
        repo=repo,
        env=make_env(),
        analyses=Limiter(settings.max_concurrent, settings.max_queue, settings.queue_timeout),
        fetches=Limiter(settings.max_fetches, settings.max_queue, settings.queue_timeout + options.timeout),
        db_path=str(db_path) if db_path else None,
        runner=(ProcessRunner(options, settings.max_concurrent, settings.analysis_timeout, settings.analysis_memory)
                if settings.isolate else ThreadRunner(options)),
    )

    app = FastAPI(
        title="unspin",
        version=__version__,
        summary="How a news article persuades and where it comes from: provenance, quotes, entities, techniques.",
        description=(
            "Analyse an article with `POST /api/analyze`; browse stored analyses, outlets and search "
            "results. Errors are RFC 9457 problem details (`application/problem+json`). Every finding "
            "is a half-open character range: `text[start:end]` is its evidence."
        ),
        openapi_tags=[{"name": "analysis"}, {"name": "corpus"}, {"name": "service"}],
        docs_url=None,  # served below from the bundled Swagger UI: no CDN, works offline
        redoc_url=None,
    )
    app.state.web = web
    _install_error_handlers(app)

    def declared_too_large(scope: Scope, limit: int) -> Response:
        request = Request(scope)
        exc = BodyTooLarge(limit)
        if wants_html(scope):
            return web.render("error.html", status=413, status_code=413, title=HTTPStatus(413).phrase,
                              detail=exc.detail)
        return problem(413, exc.detail, instance=request.url.path)

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, on_declared=declared_too_large)
    app.add_middleware(SecurityHeaders)


    app.include_router(api_router)
    app.include_router(pages_router)
    _add_offline_docs(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app


def _add_offline_docs(app: FastAPI) -> None:
    """OpenAPI docs at ``/docs`` from the Swagger UI files of ``swagger-ui-bundle``."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="unspin API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )
