"""`unspin ingest --engine ray`: a real Ray (local, 2 CPUs), compared with the local engine."""

from __future__ import annotations

import json
import os

import pytest

from tests.test_corpus_helpers import article_text
from unspin.config import Options
from unspin.corpus.ingest import file_article, ingest
from unspin.corpus.ray_engine import KnownSet, _inline_file, known_hashes
from unspin.corpus.sources import Task
from unspin.errors import InputError
from unspin.inputs import read_file
from unspin.corpus import Corpus

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context"),
              pytest.mark.slow]  # starts a Ray cluster: outside the fast lane

OPTS = Options(allow_private_urls=True, timeout=0.5)
COLS = "content_sha256, source, url, outlet, outlet_name, title, published, words, duplicate_of, similarity, analysis"


@pytest.fixture(scope="module")
def ray_local():
    if os.environ.get("CI"):
        import ray  # CI installs '.[test]', which brings Ray: never skip there
    else:
        ray = pytest.importorskip("ray", reason="the Ray engine needs Ray (pip install '.[test]' installs it)")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


def _corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"{i}.txt").write_text(article_text(500 + i, words=120), encoding="utf-8")
    paras = "".join(f"<p>{p}</p>" for p in article_text(510).split("\n")[2:] if p)
    (corpus / "page.html").write_text(
        "<html><head><title>Port strike</title><link rel='canonical' href='https://www.mu.example/s/1'></head>"
        f"<body><article><h1>Port strike</h1>{paras}</article></body></html>", encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    rows = [
        {"id": "r1", "text": article_text(520), "url": "https://nu.example/1", "published": "2024-06-01"},
        {"id": "copy", "text": "Shared from partners.\n" + article_text(500, words=120), "outlet": "xi.example"},
        {"id": "again", "text": article_text(501, words=120)},  # the same text as 1.txt: stored once
        {"id": "blank", "text": ""},
    ]
    (corpus / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return corpus


def _rows(db):
    with Corpus(db, readonly=True) as store:
        return [dict(zip(COLS.split(", "), r, strict=True)) for r in store.db.execute(f"SELECT {COLS} FROM articles ORDER BY id")]


def test_ray_engine_stores_what_the_local_engine_stores(ray_local, tmp_path, capsys):
    corpus = _corpus(tmp_path)
    local_failures: list[str] = []
    local = ingest([str(corpus)], str(tmp_path / "local.db"), OPTS, workers=1,
                   on_failure=lambda f: local_failures.append(str(f)))
    ray_failures: list[str] = []
    staging = tmp_path / "staging"
    report = ingest([str(corpus)], str(tmp_path / "ray.db"), OPTS, workers=2, engine="ray", staging=str(staging),
                    on_failure=lambda f: ray_failures.append(str(f)))
    assert (report.stored, report.known, report.near_duplicates, report.failed) == (6, 1, 1, 2)
    assert (report.stored, report.known, report.near_duplicates) == (local.stored, local.known, local.near_duplicates)
    assert sorted(ray_failures) == sorted(local_failures) == sorted([
        f"{corpus / 'empty.txt'}: file is empty", f"{corpus / 'feed.jsonl'}#blank: no text"])
    # Same articles, same order, same analyses, same near-duplicate links.
    assert _rows(tmp_path / "ray.db") == _rows(tmp_path / "local.db")
    with Corpus(tmp_path / "ray.db") as store:
        assert store.integrity_check() == []
        assert store.stats()["failed"] == 2
    # The analyses stay in the staging area as Parquet; the staged tasks are gone.
    import pyarrow.parquet as pq

    (run,) = staging.iterdir()
    assert sorted(p.name for p in run.iterdir()) == ["analyses"]
    staged = pq.read_table(run / "analyses").sort_by("seq").to_pylist()
    assert [r["status"] for r in staged] == ["ok"] * 7
    assert json.loads(staged[0]["analysis"])["text"] == article_text(500, words=120)

    # A rerun through the CLI, on the Ray already running: nothing new, every article skipped before analysis.
    from unspin.cli import main

    # exit 0: the two bad items, recorded as failed, are skipped (--retry-failed would try them again)
    main(["ingest", str(corpus), "--db", str(tmp_path / "ray.db"), "--engine", "ray", "--workers", "2",
          "--staging", str(staging), "--summary-json", "--quiet"])
    out = capsys.readouterr().out
    assert {k: v for k, v in json.loads(out).items() if k != "seconds"} == {
        "stored": 0, "already_stored": 7, "near_duplicates": 0, "failed": 0, "skipped_failed": 2}
    (rerun,) = [p for p in staging.iterdir() if p != run]
    again = pq.read_table(rerun / "analyses").to_pylist()
    assert [r["status"] for r in again] == ["known"] * 7 and all(r["analysis"] is None for r in again)
    assert _rows(tmp_path / "ray.db") == _rows(tmp_path / "local.db")


def test_engine_options_need_engine_ray(tmp_path, capsys):
    from unspin.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", str(tmp_path), "--db", str(tmp_path / "c.db"), "--staging", str(tmp_path / "s")])
    assert exit_info.value.code == 2
    assert "--ray-address and --staging need --engine ray" in capsys.readouterr().err


def test_inlined_files_read_as_read_file_reads_them(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text(article_text(530), encoding="utf-8")
    html = tmp_path / "b.html"
    html.write_text("<html><head><title>T</title></head><body><article><p>" + "Word " * 60 +
                    "</p></article></body></html>", encoding="utf-8")
    for path in (text, html):
        task = _inline_file(Task(str(path), "path", str(path)), OPTS.max_bytes)
        assert task.kind == "file" and task.payload == path.read_bytes()
        assert file_article(str(path), task.payload) == read_file(str(path), OPTS.max_bytes)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(InputError, match="file is empty"):
        _inline_file(Task("e", "path", str(tmp_path / "empty.txt")), OPTS.max_bytes)
    with pytest.raises(InputError, match="no such file"):
        _inline_file(Task("m", "path", str(tmp_path / "missing.txt")), OPTS.max_bytes)
    with pytest.raises(InputError, match="file is too large"):
        _inline_file(Task("t", "path", str(text)), 10)


def test_known_set_is_exact_on_the_stored_hashes(tmp_path):
    import hashlib

    from tests.test_store import add

    with Corpus(tmp_path / "c.db") as store:
        for i in range(50):
            add(store, article_text(600 + i))
        store.commit()
        known = KnownSet(known_hashes(store))
    for i in range(50):
        assert hashlib.sha256(article_text(600 + i).encode()).hexdigest() in known
    assert hashlib.sha256(b"not stored").hexdigest() not in known
    with Corpus(tmp_path / "empty.db") as store:
        assert hashlib.sha256(b"x").hexdigest() not in KnownSet(known_hashes(store))
