"""Adding one analysis to the store: the article, its derived rows, its near-duplicate links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..store import ArticleRow, Store
from .dedup import index_signature, link_duplicate
from .labels import store_labels

__all__ = ["Stored", "add_article"]


@dataclass
class Stored:
    """What :func:`add_article` did with one analysis."""

    id: int
    new: bool
    duplicate_of: int | None = None
    similarity: float | None = None


def add_article(store: Store, analysis: dict[str, Any], row: ArticleRow, *,
                signature: np.ndarray | None = None) -> Stored:
    """Store one analysis (``Analysis.to_dict()``) unless its text is stored already.

    Writes the article and its full-text entry, the rows derived from the
    analysis (cited sources, quotes, labels) and forgets earlier failures of
    its source. ``signature`` is its MinHash signature
    (:mod:`unspin.corpus.dedup`); with it, a near-duplicate of a stored
    article is linked to the earliest original. Not committed until
    :meth:`Store.commit`.
    """
    article_id, new = store.insert_article(analysis, row)
    if not new:
        return Stored(id=article_id, new=False)
    store_labels(store, article_id, analysis)
    store.clear_failures(row.source)
    stored = Stored(id=article_id, new=True)
    if signature is not None:
        stored.duplicate_of, stored.similarity = link_duplicate(store, article_id, row.published, signature)
        index_signature(store, article_id, signature)
    return stored
