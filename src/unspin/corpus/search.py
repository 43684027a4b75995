"""Full-text search over the store (SQLite FTS5), with outlet, date and label filters."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any, Sequence

from ..store import QueryError, Store
from .labels import label_filter

__all__ = ["SEARCH_HIT_KEYS", "filter_clauses", "fts_query", "label_clauses", "next_day", "search", "search_hits"]

#: Columns of a search hit, in the order the search queries select them.
SEARCH_HIT_KEYS = ("id", "title", "outlet", "published", "url", "source", "duplicate_of", "snippet", "score")


def search(
    store: Store,
    query: str | None,
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

    ``marks`` wrap the matched words in each hit's snippet. Without a
    ``query`` (``None`` or blank) the articles that pass the filters are
    listed newest first, each with the start of its text as the snippet
    and no score; at least one filter is then required.

    ``since``/``until`` compare with ``published`` (ISO dates; an
    article without a date is left out when either is given).
    ``techniques`` and ``narratives`` keep articles that carry every one
    of them in the ``labels`` table (see :func:`.labels.label_filter`).
    """
    where, params = label_clauses(store, techniques, narratives)
    more, more_params = filter_clauses(outlet, since, until)
    where += more
    params += more_params
    if not (query or "").strip():
        if not where:
            raise QueryError("nothing to search for: give words, or filter by technique, narrative, outlet or date")
        # the page's ids first, so that only their analyses are parsed for the snippet
        rows = store.db.execute(f"""
            WITH page AS (SELECT a.id FROM articles a WHERE {' AND '.join(where)}
                          ORDER BY a.published IS NULL, a.published DESC, a.id DESC LIMIT ?)
            SELECT a.id, a.title, a.outlet, a.published, a.url, a.source, a.duplicate_of,
                   substr(json_extract(a.analysis, '$.text'), 1, {LIST_SNIPPET_CHARS}), NULL
            FROM page JOIN articles a ON a.id = page.id
            ORDER BY a.published IS NULL, a.published DESC, a.id DESC""", (*params, limit)).fetchall()
        hits = [dict(zip(SEARCH_HIT_KEYS, r, strict=True)) for r in rows]
        for hit in hits:  # the start of the text, cut at a word
            if len(hit["snippet"] or "") == LIST_SNIPPET_CHARS:
                hit["snippet"] = hit["snippet"].rsplit(None, 1)[0] + " …"
        return hits
    where.insert(0, "articles_fts MATCH ?")
    params.insert(0, fts_query(query or ""))
    sql = f"""
        SELECT a.id, a.title, a.outlet, a.published, a.url, a.source, a.duplicate_of,
               snippet(articles_fts, 1, ?, ?, ' … ', 16) AS snippet, bm25(articles_fts) AS rank
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE {' AND '.join(where)}
        ORDER BY rank LIMIT ?"""
    try:
        rows = store.db.execute(sql, (marks[0], marks[1], *params, limit)).fetchall()
    except sqlite3.OperationalError as exc:
        raise QueryError(f"bad search query {query!r} ({exc})") from None
    return search_hits(rows)


#: characters of an article's text shown as the snippet of a listing without words
LIST_SNIPPET_CHARS = 240


def label_clauses(store: Store, techniques: Sequence[str] = (), narratives: Sequence[str] = ()
                  ) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``articles a``) and parameters: the article carries every technique and narrative
    named (:func:`.labels.label_filter`; an unknown name raises :class:`~unspin.store.QueryError`)."""
    where: list[str] = []
    params: list[Any] = []
    for kind, names in (("technique", techniques), ("narrative", narratives)):
        for name in names:
            clause, args = label_filter(store, kind, name)
            where.append(clause)
            params += args
    return where, params


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
