"""The web app and HTTP API (``unspin serve``): FastAPI, Jinja2 pages, no build step.

:func:`create_app` builds the ASGI app; ``unspin serve`` runs it with
uvicorn. See docs/web.md.
"""

from __future__ import annotations

from .app import create_app
from .state import WebSettings

__all__ = ["WebSettings", "create_app"]
