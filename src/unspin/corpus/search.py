"""Full-text search over the store (SQLite FTS5), with outlet, date and label filters."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any, Sequence

from ..store import Store, StoreError
from .labels import label_filter

__all__ = ["SEARCH_HIT_KEYS", "filter_clauses", "fts_query", "next_day", "search", "search_hits"]

#: Columns of a search hit, in the order the search queries select them.
SEARCH_HIT_KEYS = ("id", "title", "outlet", "published", "url", "source", "duplicate_of", "snippet", "score")


def search(
    store: Store,
    query: str,
    *,
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    techniques: Sequence[str] = (),
    narratives: Sequence[str] = (),
    marks: tuple[str, str] = ("[", "]"),
) -> list[dict[str, Any]]:
    """Full-text search (FTS5 syntax; plain words are ANDed), best match first.

    ``marks`` wrap the matched words in each hit's snippet.

    ``since``/``until`` compare with ``published`` (ISO dates; an
    article without a date is left out when either is given).
    ``techniques`` and ``narratives`` keep articles that carry every one
    of them in the ``labels`` table (see :func:`.labels.label_filter`).
    """
    where, params = ["articles_fts MATCH ?"], [fts_query(query)]
    for kind, names in (("technique", techniques), ("narrative", narratives)):
        for name in names:
            clause, args = label_filter(store, kind, name)
            where.append(clause)
            params += args
    more, more_params = filter_clauses(outlet, since, until)
    where += more
    params += more_params
    sql = f"""
        SELECT a.id, a.title, a.outlet, a.published, a.url, a.source, a.duplicate_of,
               snippet(articles_fts, 1, ?, ?, ' … ', 16) AS snippet, bm25(articles_fts) AS rank
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE {' AND '.join(where)}
        ORDER BY rank LIMIT ?"""
    try:
        rows = store.db.execute(sql, (marks[0], marks[1], *params, limit)).fetchall()
    except sqlite3.OperationalError as exc:
        raise StoreError(f"bad search query {query!r} ({exc})") from None
    return search_hits(rows)


def search_hits(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Search rows as dicts; ``score`` is bm25 negated (higher is better)."""
    hits = [dict(zip(SEARCH_HIT_KEYS, r, strict=True)) for r in rows]
    for hit in hits:
        hit["score"] = round(-hit["score"], 4)
    return hits


def fts_query(query: str) -> str:
    """A user's query as FTS5 syntax: kept when it uses FTS5 operators, else each word quoted."""
    if any(tok in query for tok in ('"', " OR ", " AND ", " NOT ", " NEAR(", "*", "^")):
        return query
    words = [w for w in query.replace("'", " ").split() if w]
    return " ".join('"' + w.replace('"', "") + '"' for w in words) or '""'


def filter_clauses(outlet: str | None, since: str | None, until: str | None) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``articles a``) and parameters for an outlet (its
    subdomains included) and an inclusive date range on ``published``."""
    where: list[str] = []
    params: list[Any] = []
    if outlet:
        domain = outlet.strip().lower().removeprefix("www.")
        where.append("(a.outlet = ? OR a.outlet LIKE ?)")
        params += [domain, "%." + domain]
    if since:
        where.append("a.published >= ?")
        params.append(since)
    if until:
        where.append("a.published < ?")
        params.append(next_day(until))
    return where, params


def next_day(until: str) -> str:
    """``until`` is inclusive: a bare date covers that whole day."""
    if len(until) == 10:
        try:
            return (date.fromisoformat(until) + timedelta(days=1)).isoformat()
        except ValueError:
            return until
    return until + "\uffff"
