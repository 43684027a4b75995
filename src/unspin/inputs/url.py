"""Fetching articles over http(s), refusing private addresses.

Every connection, on the first request and after each redirect, goes
through :class:`_GuardedBackend`: the host is resolved once, every address
it resolves to is checked, and the connection goes to a checked address, so
that a redirect or a DNS answer that changes between check and connect
cannot reach loopback, the LAN or a cloud metadata service
(``169.254.169.254``) unless ``allow_private_urls`` is set.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from ..article import Article
from ..config import Options
from ..errors import InputError
from .html import article_from_html, decode_html_bytes, hostname_of
from .text import article_from_text, decode_with_charset, format_size, looks_like_html

__all__ = ["Fetched", "fetch", "fetch_url", "is_public_address", "is_url"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_URL = re.compile(r"^https?://", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"
#: NAT64 well-known prefix: the last 32 bits are an IPv4 address.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_url(spec: str) -> bool:
    """Whether ``spec`` is an http(s) URL (rather than a path)."""
    return bool(_URL.match(spec))


def url_scheme(spec: str) -> str | None:
    """The scheme of a ``scheme://...`` string, lower-cased, else ``None``."""
    match = _SCHEME.match(spec)
    return match.group(1).lower() if match else None


def is_public_address(address: str | IPAddress) -> bool:
    """Whether ``address`` is a public, globally routable unicast address.

    Loopback, private (RFC 1918, ``fc00::/7``), shared (``100.64.0.0/10``),
    link-local (``169.254.0.0/16`` with the cloud metadata service,
    ``fe80::/10``), multicast, reserved and unspecified addresses are not.
    IPv6 addresses embedding an IPv4 one (``::ffff:127.0.0.1``, 6to4,
    NAT64) are judged by the embedded address too.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ipaddress.IPv6Address(ip.packed)  # drop a %scope
        embedded: list[ipaddress.IPv4Address] = []
        if ip.ipv4_mapped is not None:
            embedded.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            embedded.append(ip.sixtofour)
        if ip.teredo is not None:
            embedded.extend(ip.teredo)
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(not is_public_address(v4) for v4 in embedded):
            return False
        if ip.ipv4_mapped is not None:
            return True
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


class PrivateAddressError(Exception):
    """A connection to a non-public address was refused."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


class _ResolveError(Exception):
    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host


class _AddressGuard:
    """Which addresses may be connected to."""

    def __init__(self, allow_all: bool, allowed_networks: Iterable[IPNetwork] = ()) -> None:
        self.allow_all = allow_all
        self.allowed_networks = tuple(allowed_networks)

    def allows(self, address: str) -> bool:
        if self.allow_all:
            return True
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip.version == net.version and ip in net for net in self.allowed_networks):
            return True
        return is_public_address(ip)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves, checks every address, then connects to a checked one."""

    def __init__(self, guard: _AddressGuard) -> None:
        self.guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            raise _ResolveError(host) from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            if not self.guard.allows(address):
                raise PrivateAddressError(address.split("%", 1)[0])
        error: Exception = _ResolveError(host)
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on a :class:`_GuardedBackend`."""

    def __init__(self, guard: _AddressGuard) -> None:
        super().__init__(trust_env=False)
        # httpx (pinned <0.29) has no public way to set the network backend.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_GuardedBackend(guard),
        )


@dataclass(frozen=True)
class Fetched:
    """A fetched response body with what is needed to decode it."""

    body: bytes
    media_type: str
    charset: str | None
    url: str


def fetch(
    url: str,
    options: Options,
    *,
    source: str | None = None,
    accept: str = _ACCEPT,
    media_types: Collection[str] | None = None,
    allowed_networks: Iterable[IPNetwork] = (),
) -> Fetched:
    """GET ``url`` safely and return its body.

    Redirects are followed up to ``options.max_redirects``, each hop checked
    again; only http and https are fetched. Unless
    ``options.allow_private_urls``, a host resolving to any non-public
    address (see :func:`is_public_address`) is refused before connecting;
    ``allowed_networks`` are allowed besides public addresses (an intranet,
    tests). Each request has ``options.timeout`` seconds per network
    operation and in all; the body is read up to ``options.max_bytes``.
    A response whose content type is not in ``media_types`` (when given) is
    refused before its body is read.

    Raises :class:`InputError` naming ``source`` (default ``url``).
    """
    source = source or url
    guard = _AddressGuard(options.allow_private_urls, allowed_networks)
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise InputError(source, "invalid URL") from None
    headers = {"User-Agent": options.user_agent, "Accept": accept}
    timeout = f"{options.timeout:g}"
    with httpx.Client(
        transport=_GuardedTransport(guard),
        timeout=httpx.Timeout(options.timeout),
        headers=headers,
        follow_redirects=False,
        trust_env=False,
    ) as client:
        for hop in range(options.max_redirects + 1):
            _check_url(current, source, redirected=hop > 0)
            try:
                result = _request(client, current, source, options, media_types)
            except PrivateAddressError as exc:
                where = f" after a redirect to {current}" if hop else ""
                raise InputError(
                    source,
                    f"refusing to fetch a private address ({exc.address}){where}; use --allow-private-urls",
                ) from None
            except _ResolveError as exc:
                raise InputError(source, f"cannot resolve host {exc.host}") from None
            except httpx.TimeoutException:
                raise InputError(source, f"timed out after {timeout} s") from None
            except httpx.ConnectError as exc:
                raise InputError(source, f"cannot connect ({_short(exc)})") from None
            except httpx.HTTPError as exc:
                raise InputError(source, f"fetch failed ({_short(exc)})") from None
            if isinstance(result, Fetched):
                return result
            current = result
    raise InputError(source, f"too many redirects (more than {options.max_redirects})")


def fetch_url(
    url: str,
    options: Options,
    *,
    source: str | None = None,
    allowed_networks: Iterable[IPNetwork] = (),
) -> Article:
    """Fetch ``url`` with :func:`fetch` and return its article, ``kind="url"``.

    ``text/html`` and ``application/xhtml+xml`` go to
    :func:`article_from_html`, ``text/plain`` is decoded with the charset
    of the headers or else detected; other content types are refused.

    Raises :class:`InputError` naming ``source`` (default ``url``).
    """
    source = source or url
    page = fetch(url, options, source=source, media_types=_HTML_TYPES | _TEXT_TYPES,
                 allowed_networks=allowed_networks)
    if page.media_type in _HTML_TYPES or (not page.media_type and looks_like_html(page.body)):
        html = decode_html_bytes(page.body, source, charset=page.charset, noun="page")
        return article_from_html(html, source=source, url=page.url, kind="url")
    text = decode_with_charset(page.body, page.charset, source, noun="page")
    article = article_from_text(text, source=source, kind="url", url=page.url)
    article.outlet_domain = hostname_of(page.url)
    article.outlet_basis = "url" if article.outlet_domain else None
    return article


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _check_url(url: httpx.URL, source: str, *, redirected: bool) -> None:
    via = " (after a redirect)" if redirected else ""
    if url.scheme not in ("http", "https"):
        raise InputError(source, f"unsupported URL scheme {url.scheme or '(none)'}{via}; only http and https")
    if not url.host:
        raise InputError(source, f"invalid URL (no host){via}")


def _request(
    client: httpx.Client, url: httpx.URL, source: str, options: Options, media_types: Collection[str] | None
) -> Fetched | httpx.URL:
    """One GET: the body, or the URL a redirect points to."""
    deadline = time.monotonic() + options.timeout
    with client.stream("GET", url) as response:
        if response.is_redirect:
            try:
                return url.join(response.headers["location"])
            except (httpx.InvalidURL, ValueError, KeyError):
                raise InputError(source, "invalid redirect location") from None
        if not response.is_success:
            reason = response.reason_phrase or httpx.codes.get_reason_phrase(response.status_code)
            raise InputError(source, f"HTTP {response.status_code} {reason}".rstrip())
        media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media and media_types is not None and media not in media_types:
            raise InputError(source, f"unsupported content type {media}")
        limit = options.max_bytes
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise InputError(
                source, f"page is too large ({format_size(int(length))}; limit {format_size(limit)}, see --max-bytes)"
            )
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise InputError(source, f"page is too large (more than {format_size(limit)}, see --max-bytes)")
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("deadline", request=response.request)
        return Fetched(body=bytes(body), media_type=media, charset=response.charset_encoding, url=str(url))
