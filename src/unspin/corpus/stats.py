"""Counts of a corpus: totals, and breakdowns by outlet, month, language, kind of page and technique."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..errors import UnspinError
from ..store import Store

__all__ = ["DIMENSIONS", "breakdown", "totals"]


def totals(store: Store) -> dict[str, int]:
    """The store's totals, one query each (all use indexes or the table's row count)."""
    q = store.db.execute
    return {
        "articles": q("SELECT count(*) FROM articles").fetchone()[0],
        "failed": q("SELECT count(DISTINCT source) FROM failures").fetchone()[0],
        "outlets": q("SELECT count(DISTINCT outlet) FROM articles WHERE outlet IS NOT NULL").fetchone()[0],
        "stories": q("SELECT count(DISTINCT story_id) FROM articles WHERE story_id IS NOT NULL").fetchone()[0],
        "duplicates": q("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0],
        "words": q("SELECT coalesce(sum(words), 0) FROM articles").fetchone()[0],
    }


def _rows(store: Store, sql: str, keys: Sequence[str], params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    return [dict(zip(keys, r, strict=True)) for r in store.db.execute(sql, params)]


# A page counts as flagged when its extraction verdict says it is no news article or was not read well
# (meta.extraction.ok false); analyses without a verdict are not flagged.
_FLAGGED = "count(CASE WHEN a.extraction_ok = 0 THEN 1 END)"


def by_outlet(store: Store, top: int | None) -> list[dict[str, Any]]:
    """Per outlet (``null``: unknown), most articles first: articles, words, flagged pages, date range."""
    return _rows(store, f"""
        SELECT a.outlet, count(*) n, coalesce(sum(a.words), 0), {_FLAGGED}, min(a.published), max(a.published)
        FROM articles a GROUP BY a.outlet ORDER BY n DESC, a.outlet IS NULL, a.outlet LIMIT ?""",
                 ("outlet", "articles", "words", "flagged", "first_published", "last_published"), (top or -1,))


def by_month(store: Store, top: int | None) -> list[dict[str, Any]]:
    """Per month of ``published`` (``null``: undated), in date order (the latest ``top`` months)."""
    rows = _rows(store, f"""
        SELECT substr(a.published, 1, 7) m, count(*), count(DISTINCT a.outlet), coalesce(sum(a.words), 0), {_FLAGGED}
        FROM articles a GROUP BY m ORDER BY m IS NULL, m""", ("month", "articles", "outlets", "words", "flagged"))
    dated = [r for r in rows if r["month"] is not None]
    undated = [r for r in rows if r["month"] is None]
    return (dated[-top:] if top else dated) + undated


def by_language(store: Store, top: int | None) -> list[dict[str, Any]]:
    """Per language of the text (``meta.language``; ``null`` for analyses that do not say), most articles first."""
    return _rows(store, """
        SELECT a.language, count(*) n, coalesce(sum(a.words), 0) FROM articles a
        GROUP BY a.language ORDER BY n DESC, a.language IS NULL, a.language LIMIT ?""",
                 ("language", "articles", "words"), (top or -1,))


def by_page_kind(store: Store, top: int | None) -> list[dict[str, Any]]:
    """Per kind of page of the extraction verdict (article, stub, paywall, listing, recipe, documentation)."""
    return _rows(store, f"""
        SELECT a.page_kind, count(*) n, {_FLAGGED} FROM articles a
        GROUP BY a.page_kind ORDER BY n DESC, a.page_kind IS NULL, a.page_kind LIMIT ?""",
                 ("page_kind", "articles", "flagged"), (top or -1,))


def by_technique(store: Store, top: int | None) -> list[dict[str, Any]]:
    """Per persuasion technique, most spans first: spans, articles, rate per 1,000 words of the whole corpus."""
    (words,) = store.db.execute("SELECT coalesce(sum(words), 0) FROM articles").fetchone()
    rows = _rows(store, """
        SELECT l.label, max(l.family), count(*) n, count(DISTINCT l.article_id) FROM labels l
        WHERE l.kind = 'technique' GROUP BY l.label ORDER BY n DESC, l.label LIMIT ?""",
                 ("technique", "family", "spans", "articles"), (top or -1,))
    for r in rows:
        r["per_1000_words"] = round(r["spans"] * 1000 / words, 3) if words else 0.0
    return rows


#: Breakdowns by name, in their default order.
DIMENSIONS: dict[str, Callable[[Store, int | None], list[dict[str, Any]]]] = {
    "outlet": by_outlet, "month": by_month, "language": by_language, "page": by_page_kind, "technique": by_technique,
}


def breakdown(store: Store, dimensions: Sequence[str] = tuple(DIMENSIONS), *, top: int | None = None
              ) -> dict[str, list[dict[str, Any]]]:
    """Rows per dimension (``top``: at most that many rows each; for months the latest)."""
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise UnspinError(f"unknown breakdown {unknown[0]!r} (one of {', '.join(DIMENSIONS)})")
    return {d: DIMENSIONS[d](store, top) for d in dimensions}
