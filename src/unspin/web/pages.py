"""The server-rendered pages: home, article, articles, outlet, story, search.

Forms work without JavaScript (the home form posts to ``/analyze`` and is
redirected to the article page); the small script in ``static/app.js`` only
adds highlight toggles and the detail line.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from ..corpus.stories import encoder_missing, install_hint
from ..errors import InputError
from ..pipeline import DEFAULT_ANALYZERS, OPTIONAL_ANALYZERS
from ..report.html import REPORT_CSS, REPORT_JS
from ..store import StoreError
from .api import analyze_submission, filters_of, missing_article, outlet_ratings
from .state import BodyTooLarge, Overloaded, WebState, busy_headers, state_of
from .inputs import Submission
from .repo import Filters
from .view import article_view, outlet_charts

router = APIRouter(include_in_schema=False)
PER_PAGE = 20
#: The home form's framing toggles: analyzer, label, what it adds (off by default, as in the CLI).
FRAMING_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("genre", "Genre", "reporting, opinion or satire"),
    ("frames", "Frames", "the angles the article takes, such as economic or moral"),
    ("narratives", "Narratives", "known narratives, with the sentences that carry them"),
    ("roles", "Roles", "who is cast as hero, villain or victim"),
)


def _with_defaults(web: WebState, extra: list[str]) -> list[str]:
    """The server's analyzers plus the framing analyzers ticked on the form."""
    return [*(web.options.analyzers or DEFAULT_ANALYZERS), *extra]


@router.get("/static/report.css")
def report_css() -> Response:
    """The static HTML report's stylesheet: the same highlight styles on the web pages."""
    return Response(REPORT_CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/static/app.js")
def report_js() -> Response:
    """The highlighted text's script (toggles, detail line): the one the static report inlines."""
    return Response(REPORT_JS, media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/")
def home(request: Request) -> Response:
    web = state_of(request)
    recent, total = web.repo.list(filters_of(None, None, None, None), offset=0, limit=8)
    return web.render("home.html", request=request, recent=recent, total=total, storage=web.repo.kind,
                      form={}, error=None, max_body=web.settings.max_body_bytes, framing=FRAMING_CHOICES,
                      chosen=[])


@router.post("/analyze")
async def analyze_form(request: Request) -> Response:
    """The home form: text, URL or file (and title, outlet) → the article page."""
    web = state_of(request)
    limit = web.settings.max_body_bytes
    form_values: dict[str, str] = {}
    chosen: list[str] = []
    try:
        async with request.form(max_files=1, max_fields=10 + len(OPTIONAL_ANALYZERS), max_part_size=limit) as form:
            for key in ("text", "url", "title", "outlet"):
                value = form.get(key)
                form_values[key] = value if isinstance(value, str) else ""
            extra = [v for v in form.getlist("analyzers") if isinstance(v, str) and v in OPTIONAL_ANALYZERS]
            chosen = list(dict.fromkeys(extra))
            upload = form.get("file")
            file_part = None
            if isinstance(upload, UploadFile) and upload.filename:
                file_part = (upload.filename, await upload.read(limit + 1))
        sub = Submission(text=form_values.get("text") or None, url=(form_values.get("url") or "").strip() or None,
                         upload=file_part, title=form_values.get("title"), outlet=form_values.get("outlet"))
        article_id, _ = await analyze_submission(web, sub, _with_defaults(web, chosen) if chosen else None)
    except (InputError, HTTPException, Overloaded) as exc:
        status, headers = 422, None
        if isinstance(exc, HTTPException):
            status, detail = exc.status_code, str(exc.detail)
        elif isinstance(exc, Overloaded):
            status, detail, headers = 503, "the server is busy analysing other articles; try again shortly", \
                busy_headers(web)
        else:
            detail = str(exc)
        if isinstance(exc, BodyTooLarge):
            form_values = {}
        recent, total = web.repo.list(filters_of(None, None, None, None), offset=0, limit=8)
        return web.render("home.html", status=status, headers=headers, request=request, recent=recent,
                          total=total, storage=web.repo.kind, form=form_values, error=detail,
                          max_body=limit, framing=FRAMING_CHOICES, chosen=chosen)
    return RedirectResponse(request.url_for("article_page", article_id=article_id), status_code=303)


@router.get("/articles/{article_id}", name="article_page")
def article_page(article_id: int, request: Request) -> Response:
    web = state_of(request)
    raw = web.repo.get(article_id)
    if raw is None:
        raise HTTPException(404, missing_article(web, article_id))
    view = article_view(article_id, raw, web.repo.summary(article_id))
    return web.render("article.html", request=request, r=view.report, article_id=article_id,
                      outlet_domain=view.outlet_domain, extra_sections=view.extra_sections)


#: the filters a list or search page reads from its query string (one value each: the forms have one field each)
PAGE_FILTERS = ("outlet", "since", "until", "q", "technique", "narrative")


def _page_args(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k in PAGE_FILTERS and v}


def _page_filters(args: dict[str, str], q: str | None) -> Filters:
    return filters_of(args.get("outlet"), args.get("since"), args.get("until"), q,
                      [args["technique"]] if args.get("technique") else [],
                      [args["narrative"]] if args.get("narrative") else [])


def _label_choices(web: Any) -> dict[str, list[str]]:
    """The techniques and narratives stored so far, offered by the filter forms."""
    return {"techniques": web.repo.label_names("technique"), "narratives": web.repo.label_names("narrative")}


@router.get("/articles")
def articles_page(request: Request, page: int = 1) -> Response:
    web = state_of(request)
    args = _page_args(request)
    page = max(1, min(page, 100_000))
    error = None
    try:
        filters = _page_filters(args, args.get("q"))
        items, total = web.repo.list(filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    except (HTTPException, StoreError) as exc:
        items, total, error = [], 0, str(getattr(exc, "detail", exc))
    nav = {}
    if page > 1:
        nav["prev"] = "?" + urlencode({**args, "page": page - 1})
    if page * PER_PAGE < total:
        nav["next"] = "?" + urlencode({**args, "page": page + 1})
    return web.render("articles.html", status=400 if error else 200, request=request, items=items, total=total,
                      page=page, args=args, nav=nav, error=error, storage=web.repo.kind, **_label_choices(web))


@router.get("/outlets/{domain}", name="outlet_page")
def outlet_page(domain: str, request: Request) -> Response:
    web = state_of(request)
    ratings = outlet_ratings(web)
    profile = web.repo.outlet(domain, ratings)
    rating = None
    if profile is None and ratings is not None:
        rating = ratings.lookup(domain)
    recent: list[dict[str, Any]] = []
    charts = {}
    if profile is not None:
        recent, _ = web.repo.list(filters_of(domain, None, None, None), offset=0, limit=10)
        charts = outlet_charts(profile)
    return web.render("outlet.html", status=200 if profile else 404, request=request, domain=domain,
                      p=profile, charts=charts, recent=recent, rating=rating, storage=web.repo.kind)


@router.get("/stories")
def stories_page(request: Request) -> Response:
    """The stories the store holds, those covered by most outlets first."""
    web = state_of(request)
    return web.render("story.html", request=request, story=None, story_id=None, stories=web.repo.stories(limit=100),
                      storage=web.repo.kind, encoder_missing=_encoder_hint())


@router.get("/stories/{story_id}")
def story_page(story_id: int, request: Request) -> Response:
    """One story's articles side by side (:func:`unspin.corpus.stories.story_report`)."""
    web = state_of(request)
    story = web.repo.story(story_id)
    return web.render("story.html", status=200 if story else 404, request=request, story=story,
                      story_id=story_id, stories=[], storage=web.repo.kind, encoder_missing=_encoder_hint())


def _encoder_hint() -> str | None:
    """How to install the encoder stories need, when it is missing."""
    missing = encoder_missing()
    return install_hint(missing) if missing else None


@router.get("/search")
def search_page(request: Request) -> Response:
    web = state_of(request)
    args = _page_args(request)
    q = args.get("q", "").strip()
    hits: list[dict[str, Any]] = []
    error = None
    if q:
        try:
            hits = web.repo.search(q, _page_filters(args, None), limit=50, marks=("\ue000", "\ue001"))
        except (HTTPException, StoreError) as exc:
            error = str(getattr(exc, "detail", exc))
    for hit in hits:
        hit["snippet_parts"] = _snippet_parts(hit.get("snippet") or "")
    return web.render("search.html", status=400 if error else 200, request=request, q=q, args=args, hits=hits,
                      error=error, storage=web.repo.kind, **_label_choices(web))


def _snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """``[(text, is_match), …]`` from a snippet marked with U+E000/U+E001 (escaped by the template)."""
    parts: list[tuple[str, bool]] = []
    rest = snippet
    while rest:
        start = rest.find("\ue000")
        if start < 0:
            parts.append((rest, False))
            break
        end = rest.find("\ue001", start)
        end = len(rest) if end < 0 else end
        if start:
            parts.append((rest[:start], False))
        parts.append((rest[start + 1:end], True))
        rest = rest[end + 1:]
    return [(t.replace("\ue000", "").replace("\ue001", ""), m) for t, m in parts if t]
