"""The storage layer: one SQLite file, its connection, schema and transactions.

This module knows the tables and how rows get in and out by key; what the
rows mean (labels, near-duplicates, search, statistics, profiles) is the
corpus layer's business (:mod:`unspin.corpus`), which builds on it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Self

from ..errors import UnspinError
from .schema import DDL, MIGRATIONS, STORE_SCHEMA

__all__ = ["ARTICLE_COLUMNS", "DEFAULT_BUSY_TIMEOUT_S", "ArticleRow", "Store", "StoreError", "StoreLockedError",
           "busy_timeout", "now_iso"]

#: Seconds a connection waits for another process's write lock (an ingest's commit, a web server's write) before
#: giving up; ``UNSPIN_DB_TIMEOUT`` overrides it. Writers commit every few seconds, so waits are normally short.
DEFAULT_BUSY_TIMEOUT_S = 60.0

#: Columns of the ``articles`` table besides the analysis JSON, in table order.
ARTICLE_COLUMNS = (
    "id", "content_sha256", "source", "url", "outlet", "outlet_name", "title", "published", "words",
    "analyzers", "unspin_version", "ingested_at", "duplicate_of", "similarity", "story_id",
    "language", "page_kind", "extraction_ok",
)


class StoreError(UnspinError):
    """A database file that cannot be opened, or is not an unspin store."""


class QueryError(StoreError):
    """A query the user wrote that the store cannot run: bad full-text syntax, or a label it does not know."""


class StoreLockedError(StoreError):
    """Another process kept the database locked for longer than the busy timeout."""


def busy_timeout() -> float:
    """The busy timeout in seconds: ``UNSPIN_DB_TIMEOUT`` when set to a number, else the default."""
    raw = os.environ.get("UNSPIN_DB_TIMEOUT")
    if raw is None or not raw.strip():
        return DEFAULT_BUSY_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"UNSPIN_DB_TIMEOUT={raw!r} is not a number of seconds") from None
    if value < 0:
        raise StoreError(f"UNSPIN_DB_TIMEOUT={raw!r} is negative")
    return value


def is_lock_error(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" or "table is locked" (any extended code)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, sqlite3.OperationalError) and code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return False


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class ArticleRow:
    """Metadata of one stored article besides its analysis."""

    source: str
    url: str | None = None
    outlet: str | None = None
    outlet_name: str | None = None
    title: str | None = None
    published: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Store:
    """An unspin corpus database (SQLite, WAL journal): connection, schema, transactions, rows by key."""

    def __init__(self, path: str | Path, *, readonly: bool = False, create: bool = True,
                 timeout: float | None = None) -> None:
        """Open (or, unless ``readonly`` or not ``create``, create) the store at ``path``.

        ``timeout`` is how long to wait for another process's lock (default
        :func:`busy_timeout`); a lock held longer raises
        :class:`StoreLockedError`, naming the file.
        """
        self.path = str(path)
        self.readonly = readonly
        self.timeout = busy_timeout() if timeout is None else timeout
        self._in_tx = False
        if readonly or not create:
            if not Path(self.path).is_file():
                raise StoreError(f"{self.path}: no such database (create it with `unspin ingest … --db {self.path}`)")
        try:
            with self._locks("open"):
                if readonly:
                    uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                    self.db = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
                else:
                    # An in-memory database is its one connection: callers share it across threads (under
                    # their own lock, as the web app's memory mode does).
                    self.db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                              check_same_thread=self.path != ":memory:")
                self.db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                if not readonly:
                    self._use_wal()
                    self.db.execute("PRAGMA synchronous = NORMAL")
                self.db.execute("PRAGMA foreign_keys = ON")
                self._check_or_create()
        except BaseException as exc:
            if hasattr(self, "db"):
                self.db.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"{self.path}: not an unspin database ({exc})") from None
            raise

    def _use_wal(self) -> None:
        """Switch the file to WAL, retrying while another process holds a lock, up to the busy timeout.

        SQLite can answer this pragma "database is locked" at once, without
        waiting in its busy handler, while other connections open the same
        new file (seen in tests/test_store_sharing.py: four processes
        creating one new store together, on a loaded machine).
        """
        deadline = time.monotonic() + self.timeout
        pause = 0.005
        while True:
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not is_lock_error(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)

    @contextmanager
    def _locks(self, action: str) -> Iterator[None]:
        """Report a lock that outlasted the busy timeout as :class:`StoreLockedError`, not as a broken file."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if not is_lock_error(exc):
                raise
            raise StoreLockedError(
                f"{self.path}: the database is locked by another process (waited {self.timeout:g} s to {action}; "
                "set UNSPIN_DB_TIMEOUT to wait longer)") from None

    # -- lifecycle ---------------------------------------------------------

    def _check_or_create(self) -> None:
        # Both reads from one snapshot: as separate statements, another process creating the same new file
        # could commit between them, and its tables would look like someone else's ("it has other tables").
        with self._transaction("BEGIN"):
            found = self._schema_version()
            tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] if found is None else 0
        if found is not None:
            if found != STORE_SCHEMA:
                self._upgrade(found)
            return
        if tables:
            raise StoreError(f"{self.path}: not an unspin database (it has other tables)")
        if self.readonly:
            raise StoreError(f"{self.path}: not an unspin database (empty)")
        # Several processes may create one new file at once (two ingests started together): the write lock is
        # taken first and the check repeated under it, so exactly one creates the tables and the others wait.
        with self._transaction():
            if self._schema_version() is None:
                if self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise StoreError(f"{self.path}: not an unspin database (it has other tables)")
                for statement in split_statements(DDL):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO meta VALUES ('store_schema', ?), ('created_at', ?)",
                                (STORE_SCHEMA, now_iso()))
        self._check_version()

    def _upgrade(self, found: str) -> None:
        """Bring a file of an older schema up to :data:`STORE_SCHEMA` (:data:`MIGRATIONS`), or refuse it."""
        if not self._migratable(found):
            raise StoreError(f"{self.path}: store schema {found}, this unspin reads {STORE_SCHEMA}")
        if self.readonly:  # a read-only connection cannot migrate: a short writable one does it once
            try:
                Store(self.path, timeout=self.timeout).close()
            except StoreLockedError:
                raise
            except StoreError as exc:
                raise StoreError(f"{self.path}: store schema {found} must be upgraded to {STORE_SCHEMA} once, "
                                 f"which needs write access ({exc})") from None
            self._check_version()
            return
        with self._transaction():
            version = self._schema_version()  # again under the lock: another process may have done it
            while version != STORE_SCHEMA and version is not None:
                target, sql = MIGRATIONS[version]
                for statement in split_statements(sql):
                    self.db.execute(statement)
                self.db.execute("UPDATE meta SET value = ? WHERE key = 'store_schema'", (target,))
                self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"upgraded_to_{target}_at", now_iso()))
                version = target
        self._check_version()

    @staticmethod
    def _migratable(version: str) -> bool:
        """Whether :data:`MIGRATIONS` leads from ``version`` to :data:`STORE_SCHEMA`."""
        seen = set()
        while version != STORE_SCHEMA:
            if version in seen or version not in MIGRATIONS:
                return False
            seen.add(version)
            version = MIGRATIONS[version][0]
        return True

    @contextmanager
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[None]:
        """One transaction outside :meth:`begin`/:meth:`commit`, rolled back on error: a write transaction
        (``BEGIN IMMEDIATE``, the default) or, with ``BEGIN``, reads that all see one snapshot of the file."""
        self.db.execute(begin)
        try:
            yield
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _schema_version(self) -> str | None:
        """The file's ``store_schema``; ``None`` when it has no ``meta`` table (new file); "none" without the key."""
        has_meta = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if not has_meta:
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key = 'store_schema'").fetchone()
        return row[0] if row else "none"

    def _check_version(self) -> None:
        found = self._schema_version()
        if found != STORE_SCHEMA:
            raise StoreError(f"{self.path}: store schema {found}, this unspin reads {STORE_SCHEMA}")

    def close(self) -> None:
        self.commit()
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is not None:
            self.rollback()
        self.close()

    def rollback(self) -> None:
        """Drop everything added since the last :meth:`commit`."""
        if self._in_tx:
            self.db.execute("ROLLBACK")
            self._in_tx = False

    def begin(self) -> None:
        """Start a write transaction unless one is open (ended by :meth:`commit`).

        Takes the write lock at once (``BEGIN IMMEDIATE``), waiting up to
        the busy timeout for another process's transaction to end.
        """
        if not self._in_tx:
            with self._locks("write"):
                self.db.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def commit(self) -> None:
        """Make everything added so far durable (survives a kill of this process)."""
        if self._in_tx:
            with self._locks("commit"):
                self.db.execute("COMMIT")
            self._in_tx = False

    # -- articles ----------------------------------------------------------

    def has(self, content_sha256: str) -> bool:
        """Whether an article with this text (by SHA-256) is stored."""
        return self.db.execute(
            "SELECT 1 FROM articles WHERE content_sha256 = ?", (content_sha256,)
        ).fetchone() is not None

    def insert_article(self, analysis: dict[str, Any], row: ArticleRow) -> tuple[int, bool]:
        """Store one analysis (``Analysis.to_dict()``) and its full-text entry unless its text is stored already.

        Returns ``(article id, new)``. Opens a write transaction (see
        :meth:`commit`). Keyed by ``meta.content_sha256``.
        """
        meta = analysis.get("meta") or {}
        sha = meta.get("content_sha256")
        if not sha:
            raise ValueError("analysis has no meta.content_sha256")
        self.begin()
        text = analysis.get("text") or ""
        language, page_kind, extraction_ok = page_verdict(meta)
        cur = self.db.execute(
            """INSERT INTO articles (content_sha256, source, url, outlet, outlet_name, title, published, words,
                                     analysis, analyzers, unspin_version, ingested_at, language, page_kind,
                                     extraction_ok)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (content_sha256) DO NOTHING""",
            (
                sha, row.source, row.url, row.outlet, row.outlet_name, row.title, row.published,
                len(text.split()), json.dumps(analysis, ensure_ascii=False, separators=(",", ":")),
                json.dumps(meta.get("analyzers") or {}, sort_keys=True), meta.get("unspin_version"), now_iso(),
                language, page_kind, extraction_ok,
            ),
        )
        if cur.rowcount == 0:
            (existing,) = self.db.execute("SELECT id FROM articles WHERE content_sha256 = ?", (sha,)).fetchone()
            return existing, False
        article_id = int(cur.lastrowid)  # type: ignore[arg-type]
        self.db.execute(
            "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", (article_id, row.title, text)
        )
        return article_id, True

    def delete_article(self, article_id: int) -> bool:
        """Remove one article, its full-text entry and every row keyed by it; ``False`` if it is not stored.

        Articles recorded as its near-duplicates lose the link. Opens a
        write transaction (see :meth:`commit`).
        """
        found = self.db.execute("SELECT title, json_extract(analysis, '$.text') FROM articles WHERE id = ?",
                                (int(article_id),)).fetchone()
        if found is None:
            return False
        self.begin()
        # an external-content FTS5 entry is removed by giving back the values it indexed
        self.db.execute("INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)",
                        (int(article_id), found[0], found[1] or ""))
        for table in self._tables_keyed_by_article():
            self.db.execute(f'DELETE FROM "{table}" WHERE article_id = ?', (int(article_id),))
        self.db.execute("UPDATE articles SET duplicate_of = NULL, similarity = NULL WHERE duplicate_of = ?",
                        (int(article_id),))
        self.db.execute("DELETE FROM articles WHERE id = ?", (int(article_id),))
        return True

    def _tables_keyed_by_article(self) -> list[str]:
        """Tables with an ``article_id`` column (the rows derived from each article)."""
        names = [r[0] for r in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'articles_fts%'")]
        return [n for n in names
                if any(c[1] == "article_id" for c in self.db.execute("SELECT * FROM pragma_table_info(?)", (n,)))]

    def analysis(self, article_id: int) -> dict[str, Any] | None:
        """The stored analysis of one article, or ``None``."""
        # int(): an id from a DataFrame is a numpy integer, which sqlite3 would not match with INTEGER ids
        row = self.db.execute("SELECT analysis FROM articles WHERE id = ?", (int(article_id),)).fetchone()
        return json.loads(row[0]) if row else None

    # -- failures ----------------------------------------------------------

    def add_failure(self, source: str, reason: str) -> None:
        """Record an input that could not be stored (once per source and reason)."""
        self.begin()
        self.db.execute(
            """INSERT INTO failures (source, reason, at) VALUES (?, ?, ?)
               ON CONFLICT (source, reason) DO UPDATE SET at = excluded.at, attempts = attempts + 1""",
            (source, reason, now_iso()),
        )

    def clear_failures(self, source: str) -> None:
        """Forget the failures of ``source`` (it has been stored since)."""
        self.begin()
        self.db.execute("DELETE FROM failures WHERE source = ?", (source,))

    def failed_sources(self) -> set[str]:
        """The sources with a recorded failure (an ingest rerun skips them unless asked to retry)."""
        return {source for (source,) in self.db.execute("SELECT DISTINCT source FROM failures")}

    def failures(self) -> list[tuple[str, str, str]]:
        """``(source, reason, at)`` of every recorded failure, oldest first."""
        return self.db.execute("SELECT source, reason, at FROM failures ORDER BY id").fetchall()

    # -- checks ------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """SQLite's integrity check plus the full-text index's; empty when all is well."""
        problems = [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        if self.readonly:
            return problems
        try:
            self.db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            problems.append(f"full-text index: {exc}")
        return problems


def page_verdict(meta: dict[str, Any]) -> tuple[str | None, str | None, int | None]:
    """``(language, page_kind, extraction_ok)`` of an analysis' ``meta``, each ``None`` when absent.

    ``meta.language`` and ``meta.extraction`` come with schema 1.2 of the
    analysis; analyses written before have neither.
    """
    language = meta.get("language")
    extraction = meta.get("extraction")
    extraction = extraction if isinstance(extraction, dict) else {}
    kind, ok = extraction.get("page_kind"), extraction.get("ok")
    return (language if isinstance(language, str) and language else None,
            kind if isinstance(kind, str) and kind else None,
            int(ok) if isinstance(ok, bool) else None)


def split_statements(script: str) -> list[str]:
    """The complete SQL statements of ``script``, in order (comments kept with their statement)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip() and not all(x.strip().startswith("--") or not x.strip() for x in current.splitlines()):
        raise ValueError(f"incomplete SQL statement: {current.strip()[:60]!r}")
    return statements
