"""The store's tables (SQLite DDL), their version and how an older file is brought up to date.

:data:`STORE_SCHEMA` is kept in ``meta('store_schema')``. A new file gets
:data:`DDL` at once; an older file gets the steps of :data:`MIGRATIONS`
from its version up, in one write transaction. A file of a newer version
than this unspin knows is refused rather than guessed at.
"""

from __future__ import annotations

#: Version of the store's tables (meta table, key ``store_schema``).
STORE_SCHEMA = "3"

#: Steps from one version to the next: ``{from_version: (to_version, sql)}``, run in one write transaction.
#: Plain SQL over the stored analysis JSON, so that the storage layer needs nothing of the corpus layer.
MIGRATIONS: dict[str, tuple[str, str]] = {
    # 2: the page verdict as columns (language, kind of page, extraction verdict; schema 1.2 of the analysis JSON),
    # and a quote's speaker as its resolved name only, the mention apart (a mention such as "sources" or "he"
    # was counted as a speaker before).
    "1": ("2", """
        ALTER TABLE articles ADD COLUMN language TEXT;
        ALTER TABLE articles ADD COLUMN page_kind TEXT;
        ALTER TABLE articles ADD COLUMN extraction_ok INTEGER;
        UPDATE articles SET language = json_extract(analysis, '$.meta.language'),
                            page_kind = json_extract(analysis, '$.meta.extraction.page_kind'),
                            extraction_ok = json_extract(analysis, '$.meta.extraction.ok');
        CREATE INDEX IF NOT EXISTS articles_language ON articles(language);
        ALTER TABLE quotes ADD COLUMN mention TEXT;
        DELETE FROM quotes;
        INSERT INTO quotes (article_id, speaker, kind, mention)
            SELECT a.id, nullif(json_extract(q.value, '$.speaker.name'), ''),
                   coalesce(nullif(json_extract(q.value, '$.kind'), ''), 'unknown'),
                   nullif(json_extract(q.value, '$.speaker.text'), '')
            FROM articles a, json_each(a.analysis, '$.quotes') q ORDER BY a.id, q.key;
    """),
    # 3: a narrative's sub-narrative as a label of its own kind, so that `--narrative` and the web filters find
    # articles by sub-narrative and outlet profiles list them (the rows unspin.corpus.labels writes for new ones).
    "2": ("3", """
        INSERT INTO labels (article_id, kind, label, family, start, "end", score)
            SELECT a.id, 'subnarrative', json_extract(n.value, '$.subnarrative'), NULL,
                   CASE json_type(n.value, '$.start') WHEN 'integer' THEN json_extract(n.value, '$.start') END,
                   CASE json_type(n.value, '$.end') WHEN 'integer' THEN json_extract(n.value, '$.end') END,
                   CASE WHEN json_type(n.value, '$.score') IN ('integer', 'real')
                        THEN CAST(json_extract(n.value, '$.score') AS REAL) END
            FROM articles a, json_each(a.analysis, '$.narratives') n
            WHERE json_type(a.analysis, '$.narratives') = 'array'
              AND json_type(n.value, '$.subnarrative') = 'text' AND json_extract(n.value, '$.subnarrative') != ''
              AND json_extract(n.value, '$.subnarrative') IS NOT json_extract(n.value, '$.narrative')
            ORDER BY a.id, n.key;
    """),
}

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
    story_id       INTEGER REFERENCES stories(id),    -- same-event cluster (corpus/stories.py)
    language       TEXT,              -- meta.language: ISO 639-1 code ('und': too little text), NULL when not detected
    page_kind      TEXT,              -- meta.extraction.page_kind: article, stub, paywall, listing, recipe, documentation
    extraction_ok  INTEGER            -- meta.extraction.ok: 1 a news article read well, 0 flagged, NULL no verdict
);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
CREATE INDEX IF NOT EXISTS articles_language ON articles(language);

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
    speaker    TEXT,                  -- the speaker's name (speaker.name), NULL when the quotes analyzer gave none
    kind       TEXT NOT NULL,
    mention    TEXT                   -- the speaker's mention as written (speaker.text)
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
