"""Store choice for corpus mode: SQLite + FTS5 against DuckDB + its fts extension.

    python benchmarks/bench_corpus.py ../shared/data/persuasion-semeval2023-en/train/articles --n 10000

Builds a synthetic corpus of N articles from a folder of real ones (each
synthetic article: the paragraphs of three random articles, shuffled) and
gives each a real analysis JSON (of one of the first --templates articles,
with its text and title swapped in), so that rows have the size they have
in an ingest. Then, for each engine, into a fresh file:

* write: insert every article with its analysis, committing every --batch
  articles (what `unspin ingest` does), and make it searchable;
* search: --queries two-word queries from the corpus vocabulary, top 10
  with a snippet (SQLite) or BM25 score (DuckDB), p50/p95 latency;
* size of the database file(s);
* SQLite only, the corpus queries over the whole store: ``stats``
  breakdowns, the articles and techniques tables, every table (one pass
  over the analysis JSON), and ``unspin export`` of every table to Parquet.

DuckDB's full-text index does not follow inserts: it is rebuilt with
`PRAGMA create_fts_index(..., overwrite=1)`; the figure `fts_rebuild_s` is
what every ingest batch would pay to be searchable at once.

Prints one JSON object (for docs/corpus.md).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def synthetic_corpus(folder: Path, n: int, templates: int, seed: int = 7) -> list[dict]:
    from unspin.inputs import expand_inputs, read_input
    from unspin.pipeline import Pipeline

    specs = expand_inputs([str(folder)])
    pipe = Pipeline()
    arts = [read_input(s, pipe.options) for s in specs]
    paras = [[p for p in a.text.split("\n") if p.strip()] for a in arts]
    tmpl = [pipe.analyze(a).to_dict() for a in arts[:templates]]
    rng = random.Random(seed)
    outlets = [f"outlet{i}.example" for i in range(40)]
    out = []
    for i in range(n):
        picks = rng.sample(range(len(arts)), 3)
        body = [p for k in picks for p in paras[k][1:]]
        rng.shuffle(body)
        title = paras[picks[0]][0] if paras[picks[0]] else f"Article {i}"
        text = title + "\n\n" + "\n".join(body[:30])
        analysis = dict(tmpl[i % len(tmpl)])
        analysis["text"], analysis["title"], analysis["source"] = text, title, f"synthetic/{i}"
        analysis["meta"] = dict(analysis["meta"], content_sha256=hashlib.sha256(text.encode()).hexdigest())
        day = f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}"
        out.append({"analysis": analysis, "outlet": rng.choice(outlets), "published": day, "title": title})
    return out


def queries(corpus: list[dict], k: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    vocab: dict[str, int] = {}
    for doc in corpus[:500]:
        for w in doc["analysis"]["text"].lower().split():
            w = w.strip(".,;:!?\"'()[]“”‘’")
            if w.isalpha() and len(w) > 4:
                vocab[w] = vocab.get(w, 0) + 1
    common = [w for w, c in sorted(vocab.items(), key=lambda x: -x[1])[50:1500]]
    return [f"{rng.choice(common)} {rng.choice(common)}" for _ in range(k)]


def file_size(path: str) -> int:
    return sum(os.path.getsize(p) for p in glob.glob(path + "*"))


def bench_sqlite(corpus: list[dict], qs: list[str], workdir: str, batch: int) -> dict:
    from unspin.corpus.dedup import signature
    from unspin.corpus import Corpus
    from unspin.store import ArticleRow

    path = os.path.join(workdir, "sqlite.db")
    sigs = [signature(d["analysis"]["text"]) for d in corpus]
    t0 = time.perf_counter()
    store = Corpus(path)
    for i, (doc, sig) in enumerate(zip(corpus, sigs, strict=True), 1):
        store.add(doc["analysis"], ArticleRow(source=doc["analysis"]["source"], outlet=doc["outlet"],
                                              title=doc["title"], published=doc["published"]), signature=sig)
        if i % batch == 0:
            store.commit()
    store.commit()
    write_s = time.perf_counter() - t0
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    lat, hits = [], 0
    for q in qs:
        t = time.perf_counter()
        hits += len(store.search(q, limit=10))
        lat.append(time.perf_counter() - t)
    lat_outlet = []
    for q in qs:
        t = time.perf_counter()
        store.search(q, outlet="outlet3.example", since="2023-03-01", until="2023-09-30", limit=10)
        lat_outlet.append(time.perf_counter() - t)
    corpus_queries = time_corpus_queries(store, workdir)
    store.close()
    return {
        **corpus_queries,
        "write_s": round(write_s, 2),
        "articles_per_s_written": round(len(corpus) / write_s),
        "searchable_after_each_batch": True,
        "search_p50_ms": round(statistics.median(lat) * 1000, 2),
        "search_p95_ms": round(sorted(lat)[int(0.95 * len(lat)) - 1] * 1000, 2),
        "search_filtered_p50_ms": round(statistics.median(lat_outlet) * 1000, 2),
        "mean_hits": round(hits / len(qs), 1),
        "size_mb": round(file_size(path) / 1e6, 1),
        "size_mb_per_1000": round(file_size(path) / 1e6 / len(corpus) * 1000, 2),
    }


def time_corpus_queries(store, workdir: str) -> dict:
    """Seconds for the stats breakdowns, the long tables and a full Parquet export of ``store``."""
    from unspin.corpus.export import export

    timings, rows = {}, {}
    for name, run in (("breakdown_s", store.breakdown), ("articles_table_s", lambda: store.table("articles")),
                      ("techniques_table_s", lambda: store.table("techniques")), ("all_tables_s", store.tables),
                      ("export_parquet_s", lambda: export(store, os.path.join(workdir, "x.parquet"), "parquet"))):
        t = time.perf_counter()
        out = run()
        timings[name] = round(time.perf_counter() - t, 2)
        if name == "export_parquet_s":
            rows = out
    return {**timings, "table_rows": rows}


def bench_duckdb(corpus: list[dict], qs: list[str], workdir: str, batch: int) -> dict:
    import duckdb
    import duckdb_extension_fts

    ext = glob.glob(os.path.join(os.path.dirname(duckdb_extension_fts.__file__), "extensions", "*", "fts.duckdb_extension"))[0]
    path = os.path.join(workdir, "duck.db")
    t0 = time.perf_counter()
    con = duckdb.connect(path)
    con.execute(f"LOAD '{ext}'")
    con.execute("""CREATE TABLE articles (id INTEGER PRIMARY KEY, content_sha256 TEXT UNIQUE, source TEXT, outlet TEXT,
                   title TEXT, published TEXT, words INTEGER, text TEXT, analysis JSON, ingested_at TIMESTAMP)""")
    rows = []
    for i, doc in enumerate(corpus, 1):
        a = doc["analysis"]
        rows.append((i, a["meta"]["content_sha256"], a["source"], doc["outlet"], doc["title"], doc["published"],
                     len(a["text"].split()), a["text"], json.dumps(a, ensure_ascii=False)))
        if len(rows) == batch or i == len(corpus):
            con.execute("BEGIN")
            con.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT DO NOTHING", rows)
            con.execute("COMMIT")
            rows = []
    insert_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    con.execute("PRAGMA create_fts_index('articles', 'id', 'title', 'text', overwrite=1)")
    rebuild_s = time.perf_counter() - t1
    write_s = time.perf_counter() - t0
    lat, hits = [], 0
    sql = """SELECT id, title, outlet, score FROM (
               SELECT *, fts_main_articles.match_bm25(id, ?, conjunctive := 1) AS score FROM articles)
             WHERE score IS NOT NULL ORDER BY score DESC LIMIT 10"""
    for q in qs:
        t = time.perf_counter()
        hits += len(con.execute(sql, [q]).fetchall())
        lat.append(time.perf_counter() - t)
    con.execute("CHECKPOINT")
    con.close()
    return {
        "insert_s": round(insert_s, 2),
        "fts_rebuild_s": round(rebuild_s, 2),
        "write_s": round(write_s, 2),
        "articles_per_s_written": round(len(corpus) / write_s),
        "searchable_after_each_batch": False,
        "search_p50_ms": round(statistics.median(lat) * 1000, 2),
        "search_p95_ms": round(sorted(lat)[int(0.95 * len(lat)) - 1] * 1000, 2),
        "mean_hits": round(hits / len(qs), 1),
        "size_mb": round(file_size(path) / 1e6, 1),
        "size_mb_per_1000": round(file_size(path) / 1e6 / len(corpus) * 1000, 2),
        "duckdb": duckdb.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--templates", type=int, default=40)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--engines", default="sqlite,duckdb")
    args = parser.parse_args()

    t = time.perf_counter()
    corpus = synthetic_corpus(args.folder, args.n, args.templates)
    qs = queries(corpus, args.queries)
    result: dict = {
        "articles": len(corpus),
        "mean_words": round(sum(len(d["analysis"]["text"].split()) for d in corpus) / len(corpus)),
        "mean_analysis_kb": round(sum(len(json.dumps(d["analysis"])) for d in corpus) / len(corpus) / 1000, 1),
        "batch": args.batch,
        "corpus_build_s": round(time.perf_counter() - t, 1),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    workdir = tempfile.mkdtemp(prefix="unspin-bench-")
    try:
        for engine in args.engines.split(","):
            result[engine] = (bench_sqlite if engine == "sqlite" else bench_duckdb)(corpus, qs, workdir, args.batch)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
