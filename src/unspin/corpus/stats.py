"""Counts of a corpus: articles, failed inputs, outlets, stories, near-duplicates, words."""

from __future__ import annotations

from ..store import Store

__all__ = ["totals"]


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
