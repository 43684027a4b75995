"""The corpus store: one SQLite file holding every analysis, searchable.

Storage only: the connection, the tables (:mod:`.schema`), transactions and
rows by key (:mod:`.database`). What the rows mean (labels,
near-duplicates, search, statistics, outlet profiles, tables for pandas)
lives in :mod:`unspin.corpus`, which builds on this package; nothing here
imports it.

Why SQLite (with FTS5) and not DuckDB: measured in docs/corpus.md. In short,
FTS5 indexes each article as it is written (DuckDB's ``fts`` index must be
rebuilt from scratch after every batch), SQLite's WAL keeps committed
articles through a SIGKILL and lets ``search``/``stats`` read while an
ingest writes, and it is in the standard library.

One process writes (the ingest's parent); any number may read.
:class:`Store` commits in small batches (:meth:`Store.commit`), so a killed
ingest loses at most the uncommitted batch, and a rerun stores it then:
articles are keyed by the SHA-256 of their analysed text and stored once.
"""

from __future__ import annotations

from .database import (ARTICLE_COLUMNS, DEFAULT_BUSY_TIMEOUT_S, ArticleRow, QueryError, Store, StoreError,
                       StoreLockedError,
                       busy_timeout, now_iso)
from .schema import STORE_SCHEMA

__all__ = ["ARTICLE_COLUMNS", "DEFAULT_BUSY_TIMEOUT_S", "STORE_SCHEMA", "ArticleRow", "QueryError", "Store", "StoreError",
           "StoreLockedError", "busy_timeout", "now_iso"]
