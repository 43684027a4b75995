"""Placeholder: replaced by the real inputs package (files, HTML, URLs, stdin)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..article import Article
from ..config import Options


def article_from_text(text: str, *, source: str = "<text>", title: str | None = None) -> Article:
    return Article(source=source, text=text, title=title)


def expand_inputs(specs: Sequence[str]) -> list[str]:
    return list(specs)


def read_input(spec: str, options: Options) -> Article:
    return article_from_text(Path(spec).read_text(encoding="utf-8"), source=spec)
