"""Renderers of analyses: a terminal report, JSON / JSON Lines, one HTML page.

``segments`` (in :mod:`unspin.report.spans`) cuts a text at every span
boundary for highlighters that must cope with overlapping findings.
"""

from __future__ import annotations

from .html import render_html
from .json_out import render_json
from .spans import Segment, segments
from .text import render_text

__all__ = ["Segment", "render_html", "render_json", "render_text", "segments"]
