"""A corpus database as one object: the store plus what unspin asks of it.

:class:`Corpus` is the storage layer's :class:`~unspin.store.Store` with the
corpus operations on top: add an analysis (derived rows, near-duplicate
links), search, counts, outlet profiles. The CLI, the web app and ingest
use it, and so can a notebook::

    import unspin
    corpus = unspin.open_corpus("news.db")
    corpus.search("grain corridor", outlet="example.com")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..store import ArticleRow, Store
from .labels import label_filter, labels_of_kind
from .profile import outlet_profile
from .search import search
from .stats import totals
from .writer import Stored, add_article

__all__ = ["Corpus", "open_corpus"]


class Corpus(Store):
    """An unspin corpus database (see the module doc); opened like :class:`~unspin.store.Store`."""

    def add(self, analysis: dict[str, Any], row: ArticleRow, *, signature: np.ndarray | None = None) -> Stored:
        """Store one analysis unless its text is stored already (:func:`.writer.add_article`)."""
        return add_article(self, analysis, row, signature=signature)

    def search(self, query: str, *, outlet: str | None = None, since: str | None = None, until: str | None = None,
               limit: int = 20, techniques: Sequence[str] = (), narratives: Sequence[str] = (),
               marks: tuple[str, str] = ("[", "]")) -> list[dict[str, Any]]:
        """Full-text search, best match first (:func:`.search.search`)."""
        return search(self, query, outlet=outlet, since=since, until=until, limit=limit, techniques=techniques,
                      narratives=narratives, marks=marks)

    def stats(self) -> dict[str, int]:
        """Totals: articles, failed inputs, outlets, stories, near-duplicates, words."""
        return totals(self)

    def labels_of_kind(self, kind: str) -> list[str]:
        """The distinct labels of one kind (``technique``, ``narrative``, …)."""
        return labels_of_kind(self, kind)

    def label_filter(self, kind: str, name: str) -> tuple[str, list[Any]]:
        """An SQL condition on ``a.id`` for articles with that label (:func:`.labels.label_filter`)."""
        return label_filter(self, kind, name)

    def outlet(self, domain: str, *, ratings: Any = None, top: int = 10) -> dict[str, Any] | None:
        """The profile of one outlet, or ``None`` without articles (:func:`.profile.outlet_profile`)."""
        return outlet_profile(self, domain, ratings=ratings, top=top)


def open_corpus(path: str | Path, *, readonly: bool = True) -> Corpus:
    """Open an existing corpus database (read-only unless asked); raises :class:`~unspin.store.StoreError`."""
    return Corpus(path, readonly=readonly, create=False)
