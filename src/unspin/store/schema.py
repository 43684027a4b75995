"""The store's tables (SQLite DDL), their version and how an older file is brought up to date.

:data:`STORE_SCHEMA` is kept in ``meta('store_schema')``. A new file gets
:data:`DDL` at once; an older file gets the steps of :data:`MIGRATIONS`
from its version up, in one write transaction. A file of a newer version
than this unspin knows is refused rather than guessed at.
"""

from __future__ import annotations

#: Version of the store's tables (meta table, key ``store_schema``).
STORE_SCHEMA = "1"

#: Steps from one version to the next: ``{from_version: (to_version, sql)}``. Empty while version 1 is the only one.
MIGRATIONS: dict[str, tuple[str, str]] = {}

DDL = """
-- unspin corpus store (SQLite, WAL). Version in meta('store_schema').
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS stories (
    id         INTEGER PRIMARY KEY,
    label      TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS articles (
    id             INTEGER PRIMARY KEY,
    content_sha256 TEXT NOT NULL UNIQUE,
    source         TEXT NOT NULL,
    url            TEXT,
    outlet         TEXT,              -- outlet domain, lower case, no www.
    outlet_name    TEXT,
    title          TEXT,
    published      TEXT,              -- ISO 8601 (UTC when the input said so), or NULL
    words          INTEGER NOT NULL,
    analysis       TEXT NOT NULL,     -- Analysis.to_dict() as JSON (schema of `unspin analyze`)
    analyzers      TEXT NOT NULL,     -- {"name": "version"} as JSON
    unspin_version TEXT,
    ingested_at    TEXT NOT NULL,
    duplicate_of   INTEGER REFERENCES articles(id),  -- earliest stored original of a near-duplicate
    similarity     REAL,                              -- estimated Jaccard similarity to it
    story_id       INTEGER REFERENCES stories(id)     -- same-event cluster (corpus/stories.py)
);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);

-- Inputs that could not be stored; one row per (source, reason), re-recorded runs bump attempts.
CREATE TABLE IF NOT EXISTS failures (
    id       INTEGER PRIMARY KEY,
    source   TEXT NOT NULL,
    reason   TEXT NOT NULL,
    at       TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source, reason)
);

-- Rows derived from the analysis JSON so that profiles and filters are plain SQL.
CREATE TABLE IF NOT EXISTS cited_sources (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    name       TEXT NOT NULL,
    domain     TEXT
);
CREATE INDEX IF NOT EXISTS cited_sources_article ON cited_sources(article_id);

CREATE TABLE IF NOT EXISTS quotes (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    speaker    TEXT,                  -- resolved name, else the mention, else NULL
    kind       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quotes_article ON quotes(article_id);

-- Labels of any later analysis: kind is technique, genre, narrative, frame, …
CREATE TABLE IF NOT EXISTS labels (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    kind       TEXT NOT NULL,
    label      TEXT NOT NULL,
    family     TEXT,
    start      INTEGER,
    "end"      INTEGER,
    score      REAL
);
CREATE INDEX IF NOT EXISTS labels_article ON labels(article_id);
CREATE INDEX IF NOT EXISTS labels_kind_label ON labels(kind, label);

-- Near-duplicate detection: MinHash signature and its LSH band keys.
CREATE TABLE IF NOT EXISTS minhash (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    signature  BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS minhash_bands (
    band       INTEGER NOT NULL,
    key        INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id)
);
CREATE INDEX IF NOT EXISTS minhash_bands_key ON minhash_bands(band, key);

-- Story clustering: one sentence embedding per article (float32 little-endian), see corpus/stories.py.
CREATE TABLE IF NOT EXISTS embeddings (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    model      TEXT NOT NULL,
    vector     BLOB NOT NULL
);

-- Full-text index over title and text; the text itself lives once, in the analysis JSON.
CREATE VIEW IF NOT EXISTS article_text AS
    SELECT id, title, json_extract(analysis, '$.text') AS text FROM articles;
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, text, content='article_text', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
"""
