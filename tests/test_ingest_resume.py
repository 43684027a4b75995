"""A real ingest killed with SIGKILL mid-way, then rerun: every article once, nothing corrupt."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.test_corpus_helpers import article_text
from unspin.corpus import Corpus

N = 60


def _count(db) -> int:
    if not os.path.exists(db):
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _ingest(corpus, db, *extra):
    return [sys.executable, "-m", "unspin", "ingest", str(corpus), "--db", str(db), "--quiet", *extra]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_mid_ingest_then_rerun_stores_every_article_once(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = [article_text(100 + i, words=60) for i in range(N)]
    for i, text in enumerate(texts):
        (corpus / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "c.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(_ingest(corpus, db, "--workers", "2", "--commit-every", "4"), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _count(db) < 8:
            assert proc.poll() is None, f"ingest ended before it could be killed: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "ingest stored nothing in 120 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        try:  # the pool's worker processes, orphaned by the kill
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    killed_at = _count(db)
    assert 8 <= killed_at < N, "the kill must land mid-way"
    with Corpus(db, readonly=True) as store:
        assert store.integrity_check() == []

    rerun = subprocess.run(_ingest(corpus, db, "--workers", "1", "--summary-json"), env=env,
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f'"stored": {N - killed_at}' in rerun.stdout
    with Corpus(db) as store:
        assert store.integrity_check() == []
        stored = {r[0] for r in store.db.execute("SELECT content_sha256 FROM articles")}
        assert store.stats()["articles"] == N and store.stats()["failed"] == 0
        fts_rows = store.db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '\"report\"'").fetchone()
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in texts}
    assert fts_rows[0] == N
