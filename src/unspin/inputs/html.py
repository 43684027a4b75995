"""HTML pages: the main text and metadata, extracted with trafilatura."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import trafilatura

from ..article import Article
from ..errors import InputError
from .text import decode_with_charset
from .verdict import page_signals

__all__ = ["article_from_html", "decode_html_bytes", "hostname_of"]

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
#: A line with this many words is prose, not a menu item.
_PROSE_WORDS = 8
#: The date htmldate's extensive search makes of a bare year (a "© 2026" footer, a year in the text):
#: 1 January of it.
_YEAR_GUESS = re.compile(r"\d{4}-01-01")


def decode_html_bytes(data: bytes, source: str, *, charset: str | None = None, noun: str = "file") -> str:
    """Decode an HTML document: BOM, then ``charset`` (from HTTP), UTF-8, ``<meta charset>``, detection.

    Empty and binary data raise :class:`InputError` as in
    :func:`~unspin.inputs.decode_bytes`.
    """
    if charset:
        return decode_with_charset(data, charset, source, noun=noun)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        match = _META_CHARSET.search(data[:4096])
        return decode_with_charset(data, match.group(1).decode("ascii") if match else None, source, noun=noun)
    # Valid UTF-8 still goes through the checks for empty and binary data.
    return decode_with_charset(data, "utf-8", source, noun=noun)


def hostname_of(url: str | None) -> str | None:
    """The lower-case host of an absolute http(s) ``url`` without ``www.``, else ``None``."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or "." not in host:
        return None
    return host.lower().rstrip(".").removeprefix("www.")


def _extract(html: str, url: str | None, **kwargs: Any) -> Any:
    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        **kwargs,
    )


def _page_date(html: str, url: str | None, date: str | None) -> str | None:
    """The page's publication ``date`` as trafilatura found it, unless it is 1 January that only
    the extensive search found: htmldate's guess from a bare year such as a copyright footer,
    which would file the article under the wrong month. A real 1 January date in the page's
    metadata is kept; one written only in the body is lost with the guesses."""
    if not date or not _YEAR_GUESS.fullmatch(date):
        return date
    strict = trafilatura.extract_metadata(html, default_url=url, extensive=False)
    return date if strict is not None and strict.date == date else None


def _has_prose(text: str) -> bool:
    return any(len(line.split()) >= _PROSE_WORDS for line in text.splitlines())


def article_from_html(
    data: bytes | str,
    *,
    source: str,
    url: str | None = None,
    kind: str = "html",
) -> Article:
    """An :class:`Article` of the main text of an HTML page.

    The text is trafilatura's extraction with one paragraph per line
    (paragraphs joined by ``"\\n"``); reader comments are left out. The
    title, site name (``outlet_name``), canonical URL and its host
    (``outlet_domain``), author and date come from the page's metadata, the
    latter into ``extra``; ``outlet_basis`` is ``"html-metadata"``. When the
    page's ``url`` is known (a fetched page) its host, without ``www.``, is
    the ``outlet_domain`` and ``outlet_basis`` is ``"url"``.

    Raises :class:`InputError` ``"HTML has no article text"`` when nothing
    but navigation, boilerplate or nothing at all is found.
    """
    html = decode_html_bytes(data, source) if isinstance(data, bytes) else data
    if not html.strip():
        raise InputError(source, "file is empty")
    try:
        doc = _extract(html, url)
        text = (doc.text or "") if doc is not None else ""
        if text.strip() and not _has_prose(text):
            # Only short lines: a menu or a link list, unless the precise
            # extractor, which drops those, still finds a line of prose.
            precise = _extract(html, url, favor_precision=True)
            if precise is None or not _has_prose(precise.text or ""):
                text = ""
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:  # pragma: no cover - parser failure
        raise InputError(source, f"cannot parse HTML ({type(exc).__name__})") from None
    text = text.strip("\n")
    if not text.strip():
        raise InputError(source, "HTML has no article text")

    def meta(name: str) -> str | None:
        value = getattr(doc, name, None)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value if v)
        return str(value).strip() or None if value else None

    extra: dict[str, str] = {}
    canonical = meta("url")
    for key, value in (
        ("author", meta("author")),
        ("date", _page_date(html, url, meta("date"))),
        ("canonical_url", canonical if canonical != url else None),
        ("hostname", meta("hostname")),
        ("description", meta("description")),
    ):
        if value:
            extra[key] = value

    outlet_name = meta("sitename")
    domain = hostname_of(url)
    if domain:
        basis: str | None = "url"
    else:
        domain = hostname_of(canonical) or _domain_like(meta("hostname"))
        basis = "html-metadata" if domain or outlet_name else None

    return Article(
        source=source,
        text=text,
        kind=kind,
        title=meta("title"),
        url=url,
        outlet_name=outlet_name,
        outlet_domain=domain,
        outlet_basis=basis,
        extra=extra,
        page=page_signals(html),
    )


def _domain_like(host: str | None) -> str | None:
    if not host or "." not in host or any(c in host for c in "/ :"):
        return None
    return host.lower().removeprefix("www.")
