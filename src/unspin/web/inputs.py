"""Turning what a request sends (text, HTML, a URL, an uploaded file) into an Article.

Reading follows :mod:`unspin.inputs` exactly: HTML goes through trafilatura,
URLs through :func:`unspin.inputs.fetch_url` (http/https only, size cap,
timeout, private addresses refused on every redirect unless
``allow_private_urls``), uploaded bytes are decoded like a file. Every
problem is an :class:`~unspin.errors.InputError` with a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ..article import Article
from ..config import Options
from ..corpus.sources import normalize_published
from ..errors import InputError
from ..inputs import HTML_EXTENSIONS, article_from_html, article_from_text, decode_bytes, fetch_url, looks_like_html
from ..inputs.html import decode_html_bytes, hostname_of
from ..inputs.text import format_size
from ..inputs.url import url_scheme
from ..store import ArticleRow

TEXT_SOURCE = "<text>"
HTML_SOURCE = "<html>"


@dataclass
class Submission:
    """One article to analyse, as given: exactly one of text, html, url, upload."""

    text: str | None = None
    html: str | None = None
    url: str | None = None
    upload: tuple[str, bytes] | None = None
    title: str | None = None
    outlet: str | None = None

    def kind(self) -> str:
        given = [k for k in ("text", "html", "url", "upload") if getattr(self, k) is not None]
        if not given:
            raise ValueError("give the article as text, html, url or a file")
        if len(given) > 1:
            raise ValueError(f"give only one of text, html, url, file (got {', '.join(given)})")
        return given[0]


def check_url(url: str) -> str:
    """The URL stripped, or an InputError when it is not an http(s) URL with a host."""
    url = url.strip()
    scheme = url_scheme(url)
    if scheme is None:
        raise InputError(url or "<url>", "not a URL (give an http:// or https:// address)")
    if scheme.lower() not in ("http", "https"):
        raise InputError(url, f"unsupported URL scheme {scheme}; only http and https")
    return url


def read_submission(sub: Submission, options: Options) -> Article:
    """The article of a submission (fetching a URL: call it off the event loop)."""
    kind = sub.kind()
    if kind == "text":
        assert sub.text is not None
        if not sub.text.strip():
            raise InputError(TEXT_SOURCE, "text is empty")
        _check_size(len(sub.text.encode("utf-8")), TEXT_SOURCE, options)
        article = article_from_text(sub.text, source=TEXT_SOURCE)
    elif kind == "html":
        assert sub.html is not None
        _check_size(len(sub.html.encode("utf-8")), HTML_SOURCE, options)
        article = article_from_html(sub.html, source=HTML_SOURCE)
    elif kind == "url":
        assert sub.url is not None
        article = fetch_url(check_url(sub.url), options)
    else:
        assert sub.upload is not None
        article = article_from_upload(*sub.upload, options=options)
    if sub.title and sub.title.strip():
        article.title = " ".join(sub.title.split())
    apply_outlet(article, sub.outlet)
    return article


def article_from_upload(filename: str, data: bytes, *, options: Options) -> Article:
    """An uploaded file, read as ``unspin analyze`` reads a file of that name."""
    source = PurePath(filename or "upload").name or "upload"
    if not data:
        raise InputError(source, "file is empty")
    _check_size(len(data), source, options)
    if PurePath(source).suffix.lower() in HTML_EXTENSIONS or looks_like_html(data):
        return article_from_html(decode_html_bytes(data, source), source=source)
    return article_from_text(decode_bytes(data, source), source=source)


def _check_size(size: int, source: str, options: Options) -> None:
    if size > options.max_bytes:
        raise InputError(source, f"input is too large ({format_size(size)}; limit {format_size(options.max_bytes)})")


def apply_outlet(article: Article, outlet: str | None) -> None:
    """``outlet`` as the user gave it: a domain (``example.com``) or a name."""
    outlet = " ".join((outlet or "").split())
    if not outlet:
        return
    if "." in outlet and " " not in outlet:
        domain = hostname_of(outlet if "://" in outlet else f"http://{outlet}") or outlet.lower()
        article.outlet_domain, article.outlet_name = domain.removeprefix("www."), None
    else:
        article.outlet_name, article.outlet_domain = outlet, None
    article.outlet_basis = "given"


def article_row(article: Article, analysis: dict[str, Any]) -> ArticleRow:
    """The store's metadata row for an analysed article (as ``unspin ingest`` makes it)."""
    outlet = (analysis.get("provenance") or {}).get("outlet") or {}
    return ArticleRow(
        source=article.source,
        url=article.url,
        outlet=article.outlet_domain or outlet.get("domain"),
        outlet_name=article.outlet_name or outlet.get("name"),
        title=article.title,
        published=normalize_published(article.extra.get("date")),
    )
