"""JSON and JSON Lines output for the command line."""

from __future__ import annotations

import json
from typing import Literal, Sequence

from ..types import Analysis

__all__ = ["render_json"]


def render_json(analyses: Sequence[Analysis], fmt: Literal["json", "jsonl"] = "json") -> str:
    """Serialise analyses for output.

    ``json``: one indented object for a single analysis, an array for any
    other number. ``jsonl``: one compact object per line, each line ending in
    ``\\n`` (an empty string for no analyses). Non-ASCII text is kept as is.
    """
    analyses = list(analyses)
    if fmt == "json":
        if len(analyses) == 1:
            return analyses[0].to_json(indent=2) + "\n"
        return json.dumps([a.to_dict() for a in analyses], ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(a.to_json(indent=None) + "\n" for a in analyses)
    raise ValueError(f"unknown JSON format {fmt!r} (expected 'json' or 'jsonl')")
