"""The JSON API under ``/api`` (OpenAPI at ``/docs``).

``POST /api/analyze`` returns the analysis exactly as ``unspin analyze
--format json`` prints it, plus ``id`` (the key of ``/api/articles/{id}``
and ``/articles/{id}``). Errors are problem details.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from .._version import __version__
from ..errors import ConfigError
from ..pipeline import DEFAULT_ANALYZERS, OPTIONAL_ANALYZERS
from .state import WebState, state_of
from .inputs import Submission, article_row, read_submission
from .repo import Filters

router = APIRouter(prefix="/api")
ALL_ANALYZERS = (*DEFAULT_ANALYZERS, *OPTIONAL_ANALYZERS)

_PROBLEM = {"description": "Problem details (RFC 9457)", "content": {"application/problem+json": {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _PROBLEM, 404: _PROBLEM, 413: _PROBLEM, 422: _PROBLEM, 503: _PROBLEM,
}


class AnalyzeRequest(BaseModel):
    """The article: exactly one of ``text``, ``html``, ``url``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "Putin said the war was over.", "title": "A headline", "outlet": "example.com"},
                     {"text": "Putin said the war was over.", "analyzers": [*DEFAULT_ANALYZERS, "genre", "frames"]}]})

    text: str | None = Field(None, description="The article text, analysed exactly as given.")
    html: str | None = Field(None, description="An HTML page; its main text is extracted and analysed.")
    url: str | None = Field(None, description="An http(s) URL to fetch (public addresses only, unless the "
                                               "server runs with --allow-private-urls).")
    title: str | None = Field(None, description="The title, if not in the input.")
    outlet: str | None = Field(None, description="The outlet that published it: a domain or a name.")
    analyzers: list[str] | None = Field(
        None, max_length=len(ALL_ANALYZERS),
        description="Analyzers to run, as `unspin analyze --analyzers` (default: "
                    f"{', '.join(DEFAULT_ANALYZERS)}; also: {', '.join(OPTIONAL_ANALYZERS)}, the framing "
                    "analyzers). Run in the pipeline's own order, with the analyzers they read added.")


async def analyze_submission(web: WebState, sub: Submission, analyzers: Sequence[str] | None = None
                             ) -> tuple[int, dict[str, Any]]:
    """Read, analyse and keep one submission; returns its id and analysis dict.

    ``analyzers``: the analyzers to run (default: the server's); an unknown
    name is a 422. URL fetches wait in their own limiter (they wait on the
    network), the analysis in the analysis limiter (it needs the CPU).
    """
    try:
        kind = sub.kind()
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    options = web.options
    try:
        pipeline = web.pipeline_for(analyzers)
    except ConfigError as exc:
        raise HTTPException(422, str(exc)) from None

    job: Any = sub
    if kind == "url":
        async with web.fetches.slot():
            job = await anyio.to_thread.run_sync(read_submission, sub, options)
    assert web.runner is not None
    async with web.analyses.slot():
        article, analysis = await web.runner.run(job, pipeline.options)
    article_id = await anyio.to_thread.run_sync(web.repo.add, analysis, article_row(article, analysis))
    web.counters["analysed"] += 1
    return article_id, analysis


def with_id(article_id: int, analysis: dict[str, Any]) -> dict[str, Any]:
    return {"id": article_id, **analysis}


@router.post("/analyze", tags=["analysis"], responses=_ERRORS,
             summary="Analyse one article given as text, HTML or a URL")
async def analyze(body: AnalyzeRequest, request: Request) -> JSONResponse:
    """The analysis (schema of `unspin analyze --format json`) with its `id`.

    With `--db` the analysis is stored in the corpus; without, the most
    recent analyses are kept in memory. Bad input (empty text, a page
    without article text, an unreachable or private URL) answers 422 with
    the reason in `detail`; a busy server answers 503 with `Retry-After`.
    """
    web = state_of(request)
    sub = Submission(text=body.text, html=body.html, url=body.url, title=body.title, outlet=body.outlet)
    article_id, analysis = await analyze_submission(web, sub, body.analyzers)
    return JSONResponse(with_id(article_id, analysis),
                        headers={"Location": str(request.url_for("api_article", article_id=article_id))})


def _date(value: str | None, name: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise HTTPException(400, f"{name} must be a date YYYY-MM-DD, not {value!r}") from None


def filters_of(outlet: str | None, since: str | None, until: str | None, q: str | None,
               techniques: Sequence[str] = (), narratives: Sequence[str] = ()) -> Filters:
    return Filters(outlet=(outlet or "").strip() or None, since=_date(since, "since"), until=_date(until, "until"),
                   q=(q or "").strip() or None, techniques=tuple(t.strip() for t in techniques if t.strip()),
                   narratives=tuple(n.strip() for n in narratives if n.strip()))


#: the label filters of the article list and the search, as query parameters (repeatable: all are required)
TECHNIQUE_QUERY = Query([], description="Only articles using this persuasion technique (any spelling: "
                                        "Loaded_Language, 'loaded language') or one of this SemEval-2023 family "
                                        "('attack on reputation'). Repeatable: all are required.")
NARRATIVE_QUERY = Query([], description="Only articles carrying this narrative (or one of its sub-narratives). "
                                        "Repeatable: all are required.")


@router.get("/articles", tags=["corpus"], responses=_ERRORS, summary="List stored articles, newest first")
def articles(
    request: Request,
    page: int = Query(1, ge=1, le=100_000),
    per_page: int = Query(20, ge=1, le=100),
    outlet: str | None = Query(None, description="Outlet domain (and its subdomains)."),
    since: str | None = Query(None, description="Published on or after (YYYY-MM-DD)."),
    until: str | None = Query(None, description="Published on or before (YYYY-MM-DD)."),
    q: str | None = Query(None, description="Full-text query over titles and texts (best match first)."),
    technique: list[str] = TECHNIQUE_QUERY,
    narrative: list[str] = NARRATIVE_QUERY,
) -> dict[str, Any]:
    """Article summaries (no analyses), paged; `next` is the next page's number or null. A technique or
    narrative the database has never stored is a 400 that names the closest ones."""
    web = state_of(request)
    filters = filters_of(outlet, since, until, q, technique, narrative)
    items, total = web.repo.list(filters, offset=(page - 1) * per_page, limit=per_page)
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "next": page + 1 if page * per_page < total else None, "storage": web.repo.kind}


@router.get("/articles/{article_id}", name="api_article", tags=["corpus"], responses=_ERRORS,
            summary="One stored analysis")
def article(article_id: int, request: Request) -> JSONResponse:
    """The analysis with its `id`, as `POST /api/analyze` returned it."""
    web = state_of(request)
    analysis = web.repo.get(article_id)
    if analysis is None:
        raise HTTPException(404, missing_article(web, article_id))
    return JSONResponse(with_id(article_id, analysis))


def missing_article(web: WebState, article_id: int) -> str:
    if web.repo.kind == "memory":
        return (f"no article {article_id} (without --db only the last {web.settings.memory_items} analyses "
                "are kept, in memory, until the server stops)")
    return f"no article {article_id} in {web.db_path}"


@router.get("/outlets/{domain}", tags=["corpus"], responses=_ERRORS, summary="Profile of one outlet")
def outlet(domain: str, request: Request) -> dict[str, Any]:
    """What the outlet's stored articles cite, quote and use (as `unspin outlet --format json`),
    plus `timeline` (articles per month)."""
    web = state_of(request)
    profile = web.repo.outlet(domain, outlet_ratings(web))
    if profile is None:
        raise HTTPException(404, f"no articles from {domain} are stored")
    return profile


def outlet_ratings(web: WebState) -> Any:
    table = web.pipeline.ratings
    return table if len(table) else None


@router.get("/stories/{story_id}", tags=["corpus"], responses=_ERRORS, summary="One story (same-event cluster)")
def story(story_id: int, request: Request) -> dict[str, Any]:
    """The articles of one story (same event, different outlets), side by side.
    Stories are built by `unspin ingest` with the encoder installed; 404 for an unknown id."""
    web = state_of(request)
    found = web.repo.story(story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id} (stories are built by `unspin ingest` into a corpus "
                                 "database)")
    return found


@router.get("/search", tags=["corpus"], responses=_ERRORS, summary="Full-text search")
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=500, description="Words (all required) or FTS5 syntax."),
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
    technique: list[str] = TECHNIQUE_QUERY,
    narrative: list[str] = NARRATIVE_QUERY,
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    """Best matches first, as `unspin search --format json`: `{query, hits}`, each hit's
    `snippet` marking matches with `[` `]`. To list articles by label without words, use `/api/articles`."""
    web = state_of(request)
    filters = filters_of(outlet, since, until, None, technique, narrative)
    if not q.strip():
        raise HTTPException(400, "q is empty")
    return {"query": q, "hits": web.repo.search(q, filters, limit=limit, marks=("[", "]"))}


@router.get("/health", tags=["service"], summary="Liveness and load")
def health(request: Request) -> dict[str, Any]:
    web = state_of(request)
    runner = web.runner
    return {"status": "ok", "version": __version__, "storage": web.repo.kind,
            "analyses_running": web.analyses.running, "analyses_waiting": web.analyses.waiting,
            "analysis_runner": runner.kind if runner else None,
            "analyses_stopped": getattr(runner, "stopped", 0), **web.counters}
