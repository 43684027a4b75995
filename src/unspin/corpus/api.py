"""A corpus database as one object: the store plus what unspin asks of it.

:class:`Corpus` is the storage layer's :class:`~unspin.store.Store` with the
corpus operations on top: add an analysis (derived rows, near-duplicate
links), search, counts, outlet profiles, long tables. The CLI, the web app
and ingest use it, and so can a notebook::

    import unspin
    corpus = unspin.open_corpus("news.db")
    corpus.search("grain corridor", outlet="example.com")
    articles = corpus.articles()             # pandas DataFrame, one row per article
    spans = corpus.techniques(since="2024-01-01")
    spans.merge(articles, left_on="article_id", right_on="id").groupby("outlet").size()
    corpus.table("quotes")                   # the same as a pyarrow.Table (no pandas needed)

DataFrames need pandas (``pip install 'unspin[pandas]'``); tables are
pyarrow, which unspin always has.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..store import ArticleRow, Store
from .labels import label_filter, labels_of_kind
from .profile import outlet_profile
from .search import search
from .stats import DIMENSIONS, breakdown, totals
from .tables import TABLE_NAMES, Filters, arrow_tables, to_dataframe
from .writer import Stored, add_article

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Corpus", "open_corpus"]


class Corpus(Store):
    """An unspin corpus database (see the module doc); opened like :class:`~unspin.store.Store`."""

    def add(self, analysis: dict[str, Any], row: ArticleRow, *, signature: np.ndarray | None = None) -> Stored:
        """Store one analysis unless its text is stored already (:func:`.writer.add_article`)."""
        return add_article(self, analysis, row, signature=signature)

    def search(self, query: str | None, *, outlet: str | None = None, since: str | None = None, until: str | None = None,
               limit: int = 20, techniques: Sequence[str] = (), narratives: Sequence[str] = (),
               marks: tuple[str, str] = ("[", "]")) -> list[dict[str, Any]]:
        """Full-text search, best match first; without words, the filtered articles newest first
        (:func:`.search.search`)."""
        return search(self, query, outlet=outlet, since=since, until=until, limit=limit, techniques=techniques,
                      narratives=narratives, marks=marks)

    def stats(self) -> dict[str, int]:
        """Totals: articles, failed inputs, outlets, stories, near-duplicates, words."""
        return totals(self)

    def breakdown(self, dimensions: Sequence[str] = tuple(DIMENSIONS), *, top: int | None = None
                  ) -> dict[str, list[dict[str, Any]]]:
        """Counts by outlet, month, language, kind of page and technique (:func:`.stats.breakdown`)."""
        return breakdown(self, dimensions, top=top)

    def labels_of_kind(self, kind: str) -> list[str]:
        """The distinct labels of one kind (``technique``, ``narrative``, …)."""
        return labels_of_kind(self, kind)

    def label_filter(self, kind: str, name: str) -> tuple[str, list[Any]]:
        """An SQL condition on ``a.id`` for articles with that label (:func:`.labels.label_filter`)."""
        return label_filter(self, kind, name)

    def outlet(self, domain: str, *, ratings: Any = None, top: int = 10,
               include_flagged: bool = False) -> dict[str, Any] | None:
        """The profile of one outlet, or ``None`` without articles (:func:`.profile.outlet_profile`)."""
        return outlet_profile(self, domain, ratings=ratings, top=top, include_flagged=include_flagged)

    # -- long tables (see unspin.corpus.tables for the columns) -------------------------

    def tables(self, names: Sequence[str] = TABLE_NAMES, *, outlet: str | None = None, since: str | None = None,
               until: str | None = None, with_analysis: bool = False) -> dict[str, pa.Table]:
        """Several tables as ``pyarrow.Table``, in one pass over the (filtered) articles."""
        return arrow_tables(self, names, filters=Filters(outlet, since, until), with_analysis=with_analysis)

    def table(self, name: str, *, outlet: str | None = None, since: str | None = None, until: str | None = None,
              with_analysis: bool = False) -> pa.Table:
        """One table (``articles``, ``techniques``, ``quotes``, ``entities``, ``narratives``, ``frames``,
        ``cited_sources``) as a ``pyarrow.Table``; ``outlet``, ``since``, ``until`` choose the articles."""
        return self.tables([name], outlet=outlet, since=since, until=until, with_analysis=with_analysis)[name]

    def dataframe(self, name: str, *, outlet: str | None = None, since: str | None = None,
                  until: str | None = None, with_analysis: bool = False) -> Any:
        """One table as a pandas DataFrame (nullable integer ids and offsets)."""
        return to_dataframe(self.table(name, outlet=outlet, since=since, until=until, with_analysis=with_analysis))

    def articles(self, *, outlet: str | None = None, since: str | None = None, until: str | None = None,
                 with_analysis: bool = False) -> Any:
        """One row per article (DataFrame): the store's columns, language, kind of page, genre."""
        return self.dataframe("articles", outlet=outlet, since=since, until=until, with_analysis=with_analysis)

    def techniques(self, *, outlet: str | None = None, since: str | None = None, until: str | None = None) -> Any:
        """One row per persuasion-technique span (DataFrame): ``article_id``, technique, family, offsets, score."""
        return self.dataframe("techniques", outlet=outlet, since=since, until=until)

    def quotes(self, *, outlet: str | None = None, since: str | None = None, until: str | None = None) -> Any:
        """One row per quote (DataFrame): ``article_id``, kind, speaker name and mention, cue, content, offsets."""
        return self.dataframe("quotes", outlet=outlet, since=since, until=until)

    def entities(self, *, outlet: str | None = None, since: str | None = None, until: str | None = None) -> Any:
        """One row per entity mention (DataFrame): ``article_id``, text, type, offsets, group, role."""
        return self.dataframe("entities", outlet=outlet, since=since, until=until)

    def narratives(self, *, outlet: str | None = None, since: str | None = None, until: str | None = None) -> Any:
        """One row per narrative and sub-narrative found (DataFrame): ``article_id``, narrative, subnarrative, score."""
        return self.dataframe("narratives", outlet=outlet, since=since, until=until)

    def frames(self, *, outlet: str | None = None, since: str | None = None, until: str | None = None) -> Any:
        """One row per frame found (DataFrame): ``article_id``, frame, score."""
        return self.dataframe("frames", outlet=outlet, since=since, until=until)

    def cited_sources(self, *, outlet: str | None = None, since: str | None = None, until: str | None = None) -> Any:
        """One row per mention of a cited outlet (DataFrame): ``article_id``, name, domain, offsets, cue."""
        return self.dataframe("cited_sources", outlet=outlet, since=since, until=until)


def open_corpus(path: str | Path, *, readonly: bool = True) -> Corpus:
    """Open an existing corpus database (read-only unless asked); raises :class:`~unspin.store.StoreError`."""
    return Corpus(path, readonly=readonly, create=False)
