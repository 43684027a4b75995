"""Where the web app keeps analyses: the corpus store, on disk or in memory.

With ``--db`` every analysis goes into the SQLite corpus store
(:class:`unspin.corpus.Corpus`, the same file ``unspin ingest`` writes), so the
pages and the API browse, search and profile the whole corpus. Without it
the last :data:`MEMORY_ITEMS` analyses are kept in an in-memory corpus store
(least recently used dropped first) so that ``/articles/{id}`` still works
after a POST.

Both are one class of code over the same tables: a query gets the same
answer (FTS5 search, filters, outlet profiles, stories) in either mode. All
SQL is parameterised; the only strings put into SQL text are fixed clauses
chosen in this module.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Protocol

from ..corpus.api import Corpus
from ..corpus.dedup import signature
from ..corpus.profile import outlet_profile
from ..corpus.labels import filter_labels
from ..corpus.search import filter_clauses, fts_query, label_clauses
from ..corpus.stories import list_stories, story_report
from ..store import ArticleRow, QueryError

MEMORY_ITEMS = 256
#: SQLite's name for a database that lives in memory (one connection).
MEMORY = ":memory:"

#: Columns of an article summary, in the order the API lists them.
SUMMARY_KEYS = ("id", "title", "outlet", "outlet_name", "published", "url", "source", "words", "duplicate_of")


@dataclass(frozen=True)
class Filters:
    """Filters of an article list or search; dates are ``YYYY-MM-DD``, inclusive; the article must carry
    every technique and narrative named (any spelling; a technique family or a narrative's parent counts)."""

    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    q: str | None = None
    techniques: tuple[str, ...] = ()
    narratives: tuple[str, ...] = ()


class Repo(Protocol):
    kind: str

    def add(self, analysis: dict[str, Any], row: ArticleRow) -> int: ...
    def get(self, article_id: int) -> dict[str, Any] | None: ...
    def summary(self, article_id: int) -> dict[str, Any] | None: ...
    def list(self, filters: Filters, *, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]: ...
    def search(self, query: str, filters: Filters, *, limit: int, marks: tuple[str, str]) -> list[dict[str, Any]]: ...
    def outlet(self, domain: str, ratings: Any) -> dict[str, Any] | None: ...
    def story(self, story_id: int) -> dict[str, Any] | None: ...
    def stories(self, *, limit: int) -> list[dict[str, Any]]: ...
    def stats(self) -> dict[str, int]: ...
    def label_names(self, kind: str) -> list[str]: ...


def normalize_domain(domain: str) -> str:
    return domain.strip().lower().removeprefix("www.")


# -- the corpus store ------------------------------------------------------------


class StoreRepo:
    """Analyses in the corpus store at ``path`` (created if missing).

    One connection per call (SQLite connections stay in their thread);
    writes are serialised by a lock, reads run in parallel (WAL).
    """

    kind = "db"

    def __init__(self, path: str) -> None:
        self.path = str(path)
        Corpus(self.path).close()  # create it, or fail now on a file that is not a store
        self._write = threading.Lock()

    @contextmanager
    def _reading(self) -> Iterator[Corpus]:
        with Corpus(self.path, readonly=True) as store:
            yield store

    @contextmanager
    def _writing(self) -> Iterator[Corpus]:
        with self._write, Corpus(self.path) as store:
            yield store

    def add(self, analysis: dict[str, Any], row: ArticleRow) -> int:
        sig = signature(analysis.get("text") or "")
        with self._writing() as store:
            return store.add(analysis, row, signature=sig).id

    def get(self, article_id: int) -> dict[str, Any] | None:
        with self._reading() as store:
            return store.analysis(article_id)

    def summary(self, article_id: int) -> dict[str, Any] | None:
        with self._reading() as store:
            row = store.db.execute(f"SELECT {', '.join(SUMMARY_KEYS)} FROM articles WHERE id = ?",
                                   (article_id,)).fetchone()
        return dict(zip(SUMMARY_KEYS, row, strict=True)) if row else None

    def list(self, filters: Filters, *, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        source = "articles a"
        order = "a.id DESC"
        cols = ", ".join(f"a.{k}" for k in SUMMARY_KEYS)
        with self._reading() as store:
            where, params = label_clauses(store, filters.techniques, filters.narratives)
            more, more_params = filter_clauses(filters.outlet, filters.since, filters.until)
            where, params = where + more, params + more_params
            if filters.q:
                source = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
                where.insert(0, "articles_fts MATCH ?")
                params.insert(0, fts_query(filters.q))
                order = "bm25(articles_fts), a.id DESC"
            clause = (" WHERE " + " AND ".join(where)) if where else ""
            try:
                (total,) = store.db.execute(f"SELECT count(*) FROM {source}{clause}", params).fetchone()
                rows = store.db.execute(f"SELECT {cols} FROM {source}{clause} ORDER BY {order} LIMIT ? OFFSET ?",
                                        [*params, limit, offset]).fetchall()
            except Exception as exc:  # noqa: BLE001 - FTS5 syntax errors are sqlite3.OperationalError
                raise QueryError(f"bad search query {filters.q!r} ({exc})") from None
        return [dict(zip(SUMMARY_KEYS, r, strict=True)) for r in rows], total

    def search(self, query: str, filters: Filters, *, limit: int, marks: tuple[str, str] = ("[", "]")
               ) -> list[dict[str, Any]]:
        with self._reading() as store:
            return store.search(query, outlet=filters.outlet, since=filters.since, until=filters.until,
                                limit=limit, techniques=filters.techniques, narratives=filters.narratives,
                                marks=marks)

    def outlet(self, domain: str, ratings: Any) -> dict[str, Any] | None:
        with self._reading() as store:
            profile = outlet_profile(store, domain, ratings=ratings)
            if profile is None:
                return None
            d = normalize_domain(domain)
            profile["timeline"] = [
                {"month": m, "articles": n}
                for m, n in store.db.execute(
                    """SELECT substr(published, 1, 7) m, count(*) FROM articles a
                       WHERE (a.outlet = ? OR a.outlet LIKE ?) AND published IS NOT NULL
                       GROUP BY m ORDER BY m""", (d, "%." + d))
            ]
        return profile

    def story(self, story_id: int) -> dict[str, Any] | None:
        with self._reading() as store:
            return story_report(store, story_id)

    def stories(self, *, limit: int) -> list[dict[str, Any]]:
        with self._reading() as store:
            return list_stories(store, limit=limit)

    def label_names(self, kind: str) -> list[str]:
        """The distinct labels of ``kind`` ("technique", "narrative": sub-narratives included) stored so far,
        for the filter forms."""
        with self._reading() as store:
            return filter_labels(store, kind)

    def stats(self) -> dict[str, int]:
        with self._reading() as store:
            return store.stats()


# -- memory --------------------------------------------------------------------


class MemoryRepo(StoreRepo):
    """The last ``capacity`` analyses in an in-memory corpus store; ids count up from 1.

    The same tables and queries as :class:`StoreRepo`, on one connection
    shared under a lock; the least recently used article (added, or read by
    id) is deleted, with its index entries, when there are too many.
    """

    kind = "memory"

    def __init__(self, capacity: int = MEMORY_ITEMS) -> None:
        self.path = MEMORY
        self.capacity = max(1, capacity)
        self._lock = threading.RLock()
        self._store = Corpus(MEMORY)
        self._recent: OrderedDict[int, None] = OrderedDict()

    @contextmanager
    def _reading(self) -> Iterator[Corpus]:
        with self._lock:
            yield self._store

    @contextmanager
    def _writing(self) -> Iterator[Corpus]:
        with self._lock:
            try:
                yield self._store
            except BaseException:
                self._store.rollback()
                raise
            self._store.commit()

    def add(self, analysis: dict[str, Any], row: ArticleRow) -> int:
        sig = signature(analysis.get("text") or "")
        with self._writing() as store:
            article_id = store.add(analysis, row, signature=sig).id
            self._touch(article_id)
            while len(self._recent) > self.capacity:
                old, _ = self._recent.popitem(last=False)
                store.delete_article(old)
        return article_id

    def _touch(self, article_id: int) -> None:
        with self._lock:
            self._recent[article_id] = None
            self._recent.move_to_end(article_id)

    def get(self, article_id: int) -> dict[str, Any] | None:
        with self._lock:  # read and mark as used at once: an eviction in between would leave a stale mark
            found = super().get(article_id)
            if found is not None:
                self._touch(article_id)
            return found

    def summary(self, article_id: int) -> dict[str, Any] | None:
        with self._lock:
            found = super().summary(article_id)
            if found is not None:
                self._touch(article_id)
            return found
