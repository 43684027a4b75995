"""Where the web app keeps analyses: the corpus store, or a bounded memory.

With ``--db`` every analysis goes into the SQLite corpus store
(:class:`unspin.corpus.Corpus`, the same file ``unspin ingest`` writes), so the
pages and the API browse, search and profile the whole corpus. Without it
the last :data:`MEMORY_ITEMS` analyses are kept in memory (least recently
used dropped first) so that ``/articles/{id}`` still works after a POST.

Both repositories answer the same questions with the same shapes. All SQL
is parameterised; the only strings put into SQL text are fixed clauses
chosen in this module.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from ..corpus.api import Corpus
from ..corpus.dedup import signature
from ..corpus.profile import outlet_profile
from ..corpus.search import filter_clauses, fts_query, next_day
from ..corpus.stories import list_stories, story_report
from ..store import ArticleRow, StoreError

MEMORY_ITEMS = 256

#: Columns of an article summary, in the order the API lists them.
SUMMARY_KEYS = ("id", "title", "outlet", "outlet_name", "published", "url", "source", "words", "duplicate_of")


@dataclass(frozen=True)
class Filters:
    """Filters of an article list or search; dates are ``YYYY-MM-DD``, inclusive."""

    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    q: str | None = None


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


def normalize_domain(domain: str) -> str:
    return domain.strip().lower().removeprefix("www.")


def _words(text: str) -> int:
    return len(text.split())


# -- SQLite store --------------------------------------------------------------


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

    def _read(self) -> Corpus:
        return Corpus(self.path, readonly=True)

    def add(self, analysis: dict[str, Any], row: ArticleRow) -> int:
        sig = signature(analysis.get("text") or "")
        with self._write, Corpus(self.path) as store:
            return store.add(analysis, row, signature=sig).id

    def get(self, article_id: int) -> dict[str, Any] | None:
        with self._read() as store:
            return store.analysis(article_id)

    def summary(self, article_id: int) -> dict[str, Any] | None:
        with self._read() as store:
            row = store.db.execute(f"SELECT {', '.join(SUMMARY_KEYS)} FROM articles WHERE id = ?",
                                   (article_id,)).fetchone()
        return dict(zip(SUMMARY_KEYS, row, strict=True)) if row else None

    @staticmethod
    def _where(filters: Filters) -> tuple[list[str], list[Any]]:
        return filter_clauses(filters.outlet, filters.since, filters.until)

    def list(self, filters: Filters, *, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        where, params = self._where(filters)
        source = "articles a"
        order = "a.id DESC"
        if filters.q:
            source = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            where.insert(0, "articles_fts MATCH ?")
            params.insert(0, fts_query(filters.q))
            order = "bm25(articles_fts), a.id DESC"
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        cols = ", ".join(f"a.{k}" for k in SUMMARY_KEYS)
        with self._read() as store:
            try:
                (total,) = store.db.execute(f"SELECT count(*) FROM {source}{clause}", params).fetchone()
                rows = store.db.execute(f"SELECT {cols} FROM {source}{clause} ORDER BY {order} LIMIT ? OFFSET ?",
                                        [*params, limit, offset]).fetchall()
            except Exception as exc:  # noqa: BLE001 - FTS5 syntax errors are sqlite3.OperationalError
                raise StoreError(f"bad search query {filters.q!r} ({exc})") from None
        return [dict(zip(SUMMARY_KEYS, r, strict=True)) for r in rows], total

    def search(self, query: str, filters: Filters, *, limit: int, marks: tuple[str, str] = ("[", "]")
               ) -> list[dict[str, Any]]:
        with self._read() as store:
            return store.search(query, outlet=filters.outlet, since=filters.since, until=filters.until,
                                limit=limit, marks=marks)

    def outlet(self, domain: str, ratings: Any) -> dict[str, Any] | None:
        with self._read() as store:
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
        with self._read() as store:
            return story_report(store, story_id)

    def stories(self, *, limit: int) -> list[dict[str, Any]]:
        with self._read() as store:
            return list_stories(store, limit=limit)

    def stats(self) -> dict[str, int]:
        with self._read() as store:
            return store.stats()


# -- memory --------------------------------------------------------------------


@dataclass
class _Entry:
    analysis: dict[str, Any]
    row: ArticleRow
    summary: dict[str, Any]


class MemoryRepo:
    """The last ``capacity`` analyses, in memory; ids count up from 1."""

    kind = "memory"

    def __init__(self, capacity: int = MEMORY_ITEMS) -> None:
        self.capacity = max(1, capacity)
        self._items: OrderedDict[int, _Entry] = OrderedDict()
        self._by_sha: dict[str, int] = {}
        self._next = 1
        self._lock = threading.Lock()

    def add(self, analysis: dict[str, Any], row: ArticleRow) -> int:
        sha = (analysis.get("meta") or {}).get("content_sha256") or ""
        with self._lock:
            if sha and sha in self._by_sha and self._by_sha[sha] in self._items:
                article_id = self._by_sha[sha]
                self._items.move_to_end(article_id)
                return article_id
            article_id, self._next = self._next, self._next + 1
            summary = {
                "id": article_id, "title": row.title, "outlet": row.outlet, "outlet_name": row.outlet_name,
                "published": row.published, "url": row.url, "source": row.source,
                "words": _words(analysis.get("text") or ""), "duplicate_of": None,
            }
            self._items[article_id] = _Entry(analysis, row, summary)
            if sha:
                self._by_sha[sha] = article_id
            while len(self._items) > self.capacity:
                _, old = self._items.popitem(last=False)
                old_sha = (old.analysis.get("meta") or {}).get("content_sha256")
                if old_sha and self._by_sha.get(old_sha) == old.summary["id"]:
                    del self._by_sha[old_sha]
            return article_id

    def _entry(self, article_id: int) -> _Entry | None:
        with self._lock:
            entry = self._items.get(article_id)
            if entry is not None:
                self._items.move_to_end(article_id)
            return entry

    def get(self, article_id: int) -> dict[str, Any] | None:
        entry = self._entry(article_id)
        return entry.analysis if entry else None

    def summary(self, article_id: int) -> dict[str, Any] | None:
        entry = self._entry(article_id)
        return dict(entry.summary) if entry else None

    def _matching(self, filters: Filters) -> list[_Entry]:
        with self._lock:
            entries = list(reversed(self._items.values()))
        out = []
        domain = normalize_domain(filters.outlet) if filters.outlet else None
        words = [w.casefold() for w in (filters.q or "").replace('"', " ").split() if w not in ("OR", "AND", "NOT")]
        until = next_day(filters.until) if filters.until else None
        for e in entries:
            s = e.summary
            if domain and not (s["outlet"] and (s["outlet"] == domain or s["outlet"].endswith("." + domain))):
                continue
            if (filters.since or until) and not s["published"]:
                continue
            if filters.since and s["published"] < filters.since:
                continue
            if until and s["published"] >= until:
                continue
            if words:
                hay = f"{s['title'] or ''}\n{e.analysis.get('text') or ''}".casefold()
                if not all(w.rstrip("*") in hay for w in words):
                    continue
            out.append(e)
        return out

    def list(self, filters: Filters, *, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        found = self._matching(filters)
        return [dict(e.summary) for e in found[offset:offset + limit]], len(found)

    def search(self, query: str, filters: Filters, *, limit: int, marks: tuple[str, str] = ("[", "]")
               ) -> list[dict[str, Any]]:
        found = self._matching(Filters(filters.outlet, filters.since, filters.until, query))
        hits = []
        for e in found[:limit]:
            s = e.summary
            hits.append({"id": s["id"], "title": s["title"], "outlet": s["outlet"], "published": s["published"],
                         "url": s["url"], "source": s["source"], "duplicate_of": None,
                         "snippet": _snippet(e.analysis.get("text") or "", query, marks), "score": None})
        return hits

    def outlet(self, domain: str, ratings: Any) -> dict[str, Any] | None:
        """The profile computed by :func:`unspin.corpus.profile.outlet_profile` over a scratch store."""
        entries = self._matching(Filters(outlet=domain))
        if not entries:
            return None
        store = Corpus(":memory:")
        try:
            for e in reversed(entries):
                store.add(e.analysis, e.row)
            store.commit()
            profile = outlet_profile(store, domain, ratings=ratings)
        finally:
            store.close()
        if profile is not None:
            months: dict[str, int] = {}
            for e in entries:
                if e.summary["published"]:
                    m = e.summary["published"][:7]
                    months[m] = months.get(m, 0) + 1
            profile["timeline"] = [{"month": m, "articles": n} for m, n in sorted(months.items())]
        return profile

    def story(self, story_id: int) -> dict[str, Any] | None:
        return None

    def stories(self, *, limit: int) -> list[dict[str, Any]]:
        return []

    def stats(self) -> dict[str, int]:
        with self._lock:
            entries = list(self._items.values())
        return {
            "articles": len(entries),
            "failed": 0,
            "outlets": len({e.summary["outlet"] for e in entries if e.summary["outlet"]}),
            "stories": 0,
            "duplicates": 0,
            "words": sum(e.summary["words"] for e in entries),
        }


def _snippet(text: str, query: str, marks: tuple[str, str], width: int = 80) -> str:
    """Some words around the first query word found, the word between ``marks``."""
    low = text.casefold()
    for word in query.replace('"', " ").split():
        word = word.rstrip("*").casefold()
        at = low.find(word) if word else -1
        if at >= 0:
            lo, hi = max(0, at - width), min(len(text), at + len(word) + width)
            before = ("… " if lo else "") + " ".join(text[lo:at].split()[1 if lo else 0:])
            after = " ".join(text[at + len(word):hi].split()[: -1 if hi < len(text) else None]) + (" …" if hi < len(text) else "")
            return f"{before} {marks[0]}{text[at:at + len(word)]}{marks[1]} {after}".strip()
    return " ".join(text[: 2 * width].split())
