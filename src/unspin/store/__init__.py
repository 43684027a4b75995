"""The corpus store: one SQLite file holding every analysis, searchable.

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

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import UnspinError

__all__ = ["STORE_SCHEMA", "Store", "StoreError", "Stored", "now_iso"]

#: Version of the store's tables (meta table, key ``store_schema``).
STORE_SCHEMA = "1"


class StoreError(UnspinError):
    """A database file that cannot be opened, or is not an unspin store."""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class Stored:
    """What :meth:`Store.add` did with one analysis."""

    id: int
    new: bool
    duplicate_of: int | None = None
    similarity: float | None = None


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
    """An unspin corpus database (SQLite, WAL journal)."""

    def __init__(self, path: str | Path, *, readonly: bool = False, create: bool = True) -> None:
        self.path = str(path)
        self.readonly = readonly
        if readonly or not create:
            if not Path(self.path).is_file():
                raise StoreError(f"{self.path}: no such database (create it with `unspin ingest … --db {self.path}`)")
        try:
            if readonly:
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            else:
                self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._check_or_create()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not an unspin database ({exc})") from None
        self._in_tx = False

    # -- lifecycle ---------------------------------------------------------

    def _check_or_create(self) -> None:
        has_meta = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if has_meta:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'store_schema'").fetchone()
            if row is None or row[0] != STORE_SCHEMA:
                found = row[0] if row else "none"
                raise StoreError(f"{self.path}: store schema {found}, this unspin reads {STORE_SCHEMA}")
            return
        tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise StoreError(f"{self.path}: not an unspin database (it has other tables)")
        if self.readonly:
            raise StoreError(f"{self.path}: not an unspin database (empty)")
        from .schema import DDL

        self.db.executescript("BEGIN;" + DDL + "COMMIT;")
        self.db.execute("INSERT INTO meta VALUES ('store_schema', ?), ('created_at', ?)", (STORE_SCHEMA, now_iso()))

    def close(self) -> None:
        self.commit()
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is not None and self._in_tx:
            self.db.execute("ROLLBACK")
            self._in_tx = False
        self.close()

    def _begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def begin(self) -> None:
        """Start a write transaction unless one is open (ended by :meth:`commit`)."""
        self._begin()

    def commit(self) -> None:
        """Make everything added so far durable (survives a kill of this process)."""
        if self._in_tx:
            self.db.execute("COMMIT")
            self._in_tx = False

    # -- writing -----------------------------------------------------------

    def has(self, content_sha256: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM articles WHERE content_sha256 = ?", (content_sha256,)
        ).fetchone() is not None

    def add(self, analysis: dict[str, Any], row: ArticleRow, *, signature: Any = None) -> Stored:
        """Store one analysis (``Analysis.to_dict()``) unless its text is stored already.

        ``signature`` is its MinHash signature (:mod:`unspin.corpus.dedup`);
        with it, a near-duplicate of a stored article is linked to the
        earliest original. Not committed until :meth:`commit`.
        """
        meta = analysis.get("meta") or {}
        sha = meta.get("content_sha256")
        if not sha:
            raise ValueError("analysis has no meta.content_sha256")
        self._begin()
        text = analysis.get("text") or ""
        cur = self.db.execute(
            """INSERT INTO articles (content_sha256, source, url, outlet, outlet_name, title, published, words,
                                     analysis, analyzers, unspin_version, ingested_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (content_sha256) DO NOTHING""",
            (
                sha, row.source, row.url, row.outlet, row.outlet_name, row.title, row.published,
                len(text.split()), json.dumps(analysis, ensure_ascii=False, separators=(",", ":")),
                json.dumps(meta.get("analyzers") or {}, sort_keys=True), meta.get("unspin_version"), now_iso(),
            ),
        )
        if cur.rowcount == 0:
            (existing,) = self.db.execute("SELECT id FROM articles WHERE content_sha256 = ?", (sha,)).fetchone()
            return Stored(id=existing, new=False)
        article_id = int(cur.lastrowid)  # type: ignore[arg-type]
        self.db.execute(
            "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", (article_id, row.title, text)
        )
        self._add_rows(article_id, analysis)
        self.db.execute("DELETE FROM failures WHERE source = ?", (row.source,))
        stored = Stored(id=article_id, new=True)
        if signature is not None:
            from ..corpus.dedup import band_keys, to_blob

            stored.duplicate_of, stored.similarity = self._link_duplicate(article_id, row.published, signature)
            self.db.execute("INSERT INTO minhash VALUES (?, ?)", (article_id, to_blob(signature)))
            self.db.executemany(
                "INSERT INTO minhash_bands VALUES (?, ?, ?)",
                [(band, key, article_id) for band, key in enumerate(band_keys(signature))],
            )
        return stored

    def _add_rows(self, article_id: int, analysis: dict[str, Any]) -> None:
        from ..corpus.labels import extract_labels

        prov = analysis.get("provenance") or {}
        self.db.executemany(
            "INSERT INTO cited_sources VALUES (?, ?, ?)",
            [(article_id, c.get("name"), c.get("domain")) for c in prov.get("cited_sources") or [] if c.get("name")],
        )
        quotes = []
        for q in analysis.get("quotes") or []:
            sp = q.get("speaker") or {}
            quotes.append((article_id, sp.get("name") or sp.get("text") or None, q.get("kind") or "unknown"))
        self.db.executemany("INSERT INTO quotes VALUES (?, ?, ?)", quotes)
        self.db.executemany(
            "INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(article_id, *lab) for lab in extract_labels(analysis)],
        )

    def _link_duplicate(self, article_id: int, published: str | None, signature: Any) -> tuple[int | None, float | None]:
        """Link a new article and its near-duplicates to their earliest original."""
        from ..corpus.dedup import THRESHOLD, band_keys, from_blob, similarity

        keys = band_keys(signature)
        candidates = {
            r[0]
            for band, key in enumerate(keys)
            for r in self.db.execute("SELECT article_id FROM minhash_bands WHERE band = ? AND key = ?", (band, key))
        }
        matches: dict[int, float] = {}
        for cand in candidates:
            blob = self.db.execute("SELECT signature FROM minhash WHERE article_id = ?", (cand,)).fetchone()
            if blob is None:
                continue
            sim = similarity(signature, from_blob(blob[0]))
            if sim >= THRESHOLD:
                matches[cand] = sim
        if not matches:
            return None, None
        # The group: the matches, their originals, and everything linked to those.
        roots = set()
        for cand in matches:
            (dup_of,) = self.db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (cand,)).fetchone()
            roots.add(dup_of or cand)
        order = {
            i: (p is None, p or "", i)
            for i, p in self.db.execute(
                f"SELECT id, published FROM articles WHERE id IN ({','.join('?' * len(roots))})", tuple(roots)
            )
        }
        order[article_id] = (published is None, published or "", article_id)
        original = min(order, key=order.__getitem__)
        for root in roots - {original}:
            # A root that turns out later than another original follows it, with its copies.
            self.db.execute("UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ? OR id = ?",
                            (original, root, root))
        if original == article_id:
            return None, None
        sim = matches.get(original)
        if sim is None:
            blob = self.db.execute("SELECT signature FROM minhash WHERE article_id = ?", (original,)).fetchone()
            sim = similarity(signature, from_blob(blob[0])) if blob else max(matches.values())
        self.db.execute("UPDATE articles SET duplicate_of = ?, similarity = ? WHERE id = ?", (original, sim, article_id))
        return original, sim

    def add_failure(self, source: str, reason: str) -> None:
        """Record an input that could not be stored (once per source and reason)."""
        self._begin()
        self.db.execute(
            """INSERT INTO failures (source, reason, at) VALUES (?, ?, ?)
               ON CONFLICT (source, reason) DO UPDATE SET at = excluded.at, attempts = attempts + 1""",
            (source, reason, now_iso()),
        )

    # -- reading -----------------------------------------------------------

    def stats(self) -> dict[str, int]:
        q = self.db.execute
        return {
            "articles": q("SELECT count(*) FROM articles").fetchone()[0],
            "failed": q("SELECT count(DISTINCT source) FROM failures").fetchone()[0],
            "outlets": q("SELECT count(DISTINCT outlet) FROM articles WHERE outlet IS NOT NULL").fetchone()[0],
            "stories": q("SELECT count(DISTINCT story_id) FROM articles WHERE story_id IS NOT NULL").fetchone()[0],
            "duplicates": q("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0],
            "words": q("SELECT coalesce(sum(words), 0) FROM articles").fetchone()[0],
        }

    def failures(self) -> list[tuple[str, str, str]]:
        return self.db.execute("SELECT source, reason, at FROM failures ORDER BY id").fetchall()

    def search(
        self,
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
        of them in the ``labels`` table (see :meth:`label_filter`).
        """
        where, params = ["articles_fts MATCH ?"], [fts_query(query)]
        for kind, names in (("technique", techniques), ("narrative", narratives)):
            for name in names:
                clause, args = self.label_filter(kind, name)
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
            rows = self.db.execute(sql, (marks[0], marks[1], *params, limit)).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search query {query!r} ({exc})") from None
        return search_hits(rows)

    def labels_of_kind(self, kind: str) -> list[str]:
        """The distinct labels of one kind, by index seeks (one per distinct label, not per row)."""
        out: list[str] = []
        row = self.db.execute("SELECT min(label) FROM labels WHERE kind = ?", (kind,)).fetchone()
        while row and row[0] is not None:
            out.append(row[0])
            row = self.db.execute("SELECT min(label) FROM labels WHERE kind = ? AND label > ?", (kind, row[0])).fetchone()
        return out

    def label_filter(self, kind: str, name: str) -> tuple[str, list[Any]]:
        """An SQL condition on ``a.id``: the article has a label of ``kind`` called ``name``.

        Names match whatever their spelling (``Loaded_Language`` = ``loaded
        language``). A technique name may also be a SemEval-2023 family
        (``--technique "attack on reputation"``); a narrative also matches
        its sub-narratives (``A: B`` matches ``A: B: C``). A name that is in
        neither the store nor the taxonomy raises :class:`StoreError` with the
        closest known names.
        """
        from ..corpus.labels import TECHNIQUE_FAMILIES, _norm, technique_family

        want = _norm(name)
        if not want:
            raise StoreError(f"empty {kind} name")
        labels = self.labels_of_kind(kind)
        exact = [lab for lab in labels if _norm(lab) == want or _norm(lab).startswith(want + ":")]
        families = [fam for fam in TECHNIQUE_FAMILIES if _norm(fam) == want] if kind == "technique" else []
        if not exact and not families and not (kind == "technique" and technique_family(name)):
            import difflib

            known = sorted(set(labels) | (set(TECHNIQUE_FAMILIES) if kind == "technique" else set()))
            close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else (
                f"; known: {', '.join(known[:12])}" if known else f"; this database has no {kind} labels yet")
            raise StoreError(f"no {kind} {name!r} in this database{hint}")
        conds, args = [], []
        if exact:
            conds.append(f"l.label IN ({','.join('?' * len(exact))})")
            args += exact
        if families:
            conds.append("l.family = ?")
            args.append(families[0])
        if not conds:  # a technique of the taxonomy that no stored article has (yet)
            conds.append("0")
        clause = (f"EXISTS (SELECT 1 FROM labels l WHERE l.article_id = a.id AND l.kind = ? "
                  f"AND ({' OR '.join(conds)}))")
        return clause, [kind, *args]

    def analysis(self, article_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT analysis FROM articles WHERE id = ?", (article_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def iter_articles(self, *, with_analysis: bool = True, batch: int = 500) -> Iterator[dict[str, Any]]:
        """Every article row in id order, streamed (the analysis JSON as a string)."""
        cols = [
            "id", "content_sha256", "source", "url", "outlet", "outlet_name", "title", "published", "words",
            "analyzers", "unspin_version", "ingested_at", "duplicate_of", "similarity", "story_id",
        ]
        if with_analysis:
            cols.append("analysis")
        cur = self.db.execute(f"SELECT {', '.join(cols)} FROM articles ORDER BY id")
        while rows := cur.fetchmany(batch):
            for r in rows:
                yield dict(zip(cols, r, strict=True))

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


#: Columns of a search hit, in the order the search queries select them.
SEARCH_HIT_KEYS = ("id", "title", "outlet", "published", "url", "source", "duplicate_of", "snippet", "score")


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
        from datetime import date, timedelta

        try:
            return (date.fromisoformat(until) + timedelta(days=1)).isoformat()
        except ValueError:
            return until
    return until + "\uffff"
