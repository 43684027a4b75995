"""Stores shared by processes: writers and readers of one SQLite file wait for each other (WAL, busy timeout),
and a lock held longer than the timeout is reported as a lock, never as "not an unspin database".

Everything here runs real processes on real files: ``unspin ingest`` and ``unspin serve`` subprocesses (marked
slow: each loads the models), and forked writers; the lock holders are plain sqlite3 connections, as another
program would hold them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
import traceback
from pathlib import Path

import httpx
import pytest

from tests.conftest import cli
from tests.test_corpus_helpers import article_text, fake_analysis
from unspin.corpus import Corpus
from unspin.store import ArticleRow, StoreError, StoreLockedError

#: Ingests in these tests run the entities analyzer only: the store is under test, not the models.
LIGHT_CONFIG = 'analyzers = ["entities"]\n'


def _write_articles(folder: Path, numbers: range | list[int]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for i in numbers:
        text = article_text(500 + i, words=60)
        (folder / f"{i:03d}.txt").write_text(text, encoding="utf-8")
        texts.append(text)
    return texts


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    config = tmp_path / "light.toml"
    config.write_text(LIGHT_CONFIG, encoding="utf-8")
    env = {**os.environ, "UNSPIN_CONFIG": str(config), "PYTHONUNBUFFERED": "1", **extra}
    env.pop("UNSPIN_RATINGS", None)
    return env


def _ingest(src: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "unspin", "ingest", str(src), "--db", str(db), "--workers", "1", "--quiet",
            "--summary-json"]


def _hashes(db: Path) -> list[str]:
    with Corpus(db, readonly=True) as store:
        assert store.integrity_check() == []
        return sorted(r[0] for r in store.db.execute("SELECT content_sha256 FROM articles"))


def _sha(texts: list[str]) -> list[str]:
    return sorted(hashlib.sha256(t.encode()).hexdigest() for t in texts)


# -- many writers, no models ----------------------------------------------------------


def _writer(db: str, first: int, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue) -> None:
    try:
        barrier.wait(timeout=60)
        with Corpus(db) as store:  # every process creates the same new file at the same instant
            for i in range(first, first + 10):
                text = article_text(i, words=40)
                store.add(fake_analysis(text), ArticleRow(source=f"w{i}"))
                store.commit()
        out.put("ok")
    except Exception:  # noqa: BLE001 - reported to the test, with where it happened
        out.put(traceback.format_exc())


def test_processes_creating_and_writing_one_new_store_at_once_all_succeed(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for round_ in range(3):
        db = tmp_path / f"r{round_}.db"
        barrier, out = ctx.Barrier(4), ctx.Queue()
        procs = [ctx.Process(target=_writer, args=(str(db), 10 * k, barrier, out)) for k in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
        results = [out.get(timeout=5) for _ in procs]
        assert results == ["ok"] * 4, results
        assert _hashes(db) == _sha([article_text(i, words=40) for i in range(40)])


# -- real ingests and servers ---------------------------------------------------------


@pytest.mark.slow
def test_two_ingests_started_at_once_into_one_new_store_both_store_everything(tmp_path):
    shared = [99]
    texts_a = _write_articles(tmp_path / "a", [*range(0, 6), *shared])
    texts_b = _write_articles(tmp_path / "b", [*range(6, 12), *shared])
    db = tmp_path / "new.db"
    env = _env(tmp_path)
    procs = [subprocess.Popen(_ingest(tmp_path / name, db), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for name in ("a", "b")]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err and "not an unspin database" not in err
    reports = [json.loads(out) for out, _ in outs]
    assert sum(r["stored"] for r in reports) == 13 and sum(r["already_stored"] for r in reports) == 1
    assert _hashes(db) == _sha(texts_a + texts_b[:-1])


@pytest.mark.slow
def test_ingest_goes_on_while_a_reader_holds_a_transaction(tmp_path):
    db = tmp_path / "c.db"
    with Corpus(db) as store:
        store.add(fake_analysis(article_text(1)), ArticleRow(source="first"))
    texts = _write_articles(tmp_path / "more", range(20, 26))
    reader = sqlite3.connect(db, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1  # the snapshot is now held
        run = subprocess.run(_ingest(tmp_path / "more", db), env=_env(tmp_path), capture_output=True, text=True,
                             timeout=600)
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["stored"] == 6
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1  # still its own snapshot
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 7
    finally:
        reader.close()
    assert _hashes(db) == _sha([article_text(1), *texts])


@pytest.mark.slow
def test_a_write_lock_held_too_long_is_reported_as_a_lock(tmp_path):
    db = tmp_path / "c.db"
    Corpus(db).close()
    _write_articles(tmp_path / "in", range(30, 32))
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another program writing, and not letting go
        started = time.monotonic()
        run = subprocess.run(_ingest(tmp_path / "in", db), env=_env(tmp_path, UNSPIN_DB_TIMEOUT="1"),
                             capture_output=True, text=True, timeout=600)
        assert time.monotonic() - started < 300
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"unspin: error: {db}: the database is locked by another process (waited 1 s to write; "
        "set UNSPIN_DB_TIMEOUT to wait longer)"]
    with Corpus(db, readonly=True) as store:
        assert store.stats()["articles"] == 0


def test_a_database_locked_against_readers_is_reported_as_a_lock_not_as_a_broken_file(tmp_path, capsys,
                                                                                      monkeypatch):
    db = tmp_path / "c.db"
    with Corpus(db) as store:
        store.add(fake_analysis(article_text(2)), ArticleRow(source="s"))
    holder = sqlite3.connect(db, isolation_level=None)
    monkeypatch.setenv("UNSPIN_DB_TIMEOUT", "0.5")
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")  # no one else may even read
        code, _, err = cli(capsys, "stats", "--db", db)
        assert code == 1
        assert err == (f"unspin: error: {db}: the database is locked by another process (waited 0.5 s to open; "
                       "set UNSPIN_DB_TIMEOUT to wait longer)\n")
        with pytest.raises(StoreLockedError):
            Corpus(db)
    finally:
        holder.close()
    code, out, _ = cli(capsys, "stats", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["articles"] == 1


def test_a_bad_timeout_setting_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("UNSPIN_DB_TIMEOUT", "soon")
    with pytest.raises(StoreError, match="UNSPIN_DB_TIMEOUT='soon' is not a number of seconds"):
        Corpus(tmp_path / "c.db")
    code, _, err = cli(capsys, "stats", "--db", tmp_path / "c.db")
    assert code == 1 and len(err.splitlines()) == 1


@pytest.mark.slow
@pytest.mark.network
def test_ingest_and_serve_on_one_store_both_keep_everything(tmp_path):
    from tests.test_web_server import start_server

    db = tmp_path / "c.db"
    texts = _write_articles(tmp_path / "in", range(40, 48))
    posted = [article_text(600 + i, words=60) for i in range(4)]
    with start_server("--db", str(db), "--concurrency", "1") as base:
        ingest = subprocess.Popen(_ingest(tmp_path / "in", db), env=_env(tmp_path), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        ids = []
        for text in posted:  # while the ingest loads its models and writes
            resp = httpx.post(base + "/api/analyze", json={"text": text}, timeout=300)
            assert resp.status_code == 200, resp.text
            ids.append(resp.json()["id"])
        out, err = ingest.communicate(timeout=600)
        assert ingest.returncode == 0, err
        assert json.loads(out)["stored"] == len(texts)
        assert httpx.get(base + "/api/articles", timeout=60).json()["total"] == len(texts) + len(posted)
    assert len(set(ids)) == len(posted)
    assert _hashes(db) == _sha(texts + posted)


def test_a_store_created_by_another_process_between_two_checks_is_not_taken_for_a_foreign_file(tmp_path):
    # The race seen in CI: this connection found no schema, then another process created the store before it
    # counted the tables, and its tables looked like someone else's ("it has other tables"). The two reads now
    # share one snapshot; here the other writer is made to commit exactly between them.
    from unspin.store import Store

    db = tmp_path / "race.db"

    class Racing(Store):
        raced = False

        def _schema_version(self):
            found = super()._schema_version()
            if found is None and not Racing.raced:
                Racing.raced = True
                Store(str(db)).close()  # another connection creates the store and commits now
            return found

    with Racing(str(db)) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'store_schema'").fetchone()
    assert Racing.raced
