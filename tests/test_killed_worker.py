"""A worker process killed mid-analysis costs only its own input: `analyze` and `ingest` with `--workers 2`.

The real command line in a subprocess (with a timeout, so that a batch that
waits forever for a dead worker fails instead of hanging), real spawned
workers, the real pipeline, plus the analyzer ``kills`` of
tests/killing_cli.py, which kills its own process on a marked article.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.killing_cli import MARKER
from tests.test_corpus_helpers import article_text
from unspin.corpus import Corpus
from unspin.parallel import WORKER_DIED

pytestmark = [pytest.mark.slow,  # spawns workers that load spaCy
              pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")]

SCRIPT = Path(__file__).with_name("killing_cli.py")
ROOT = SCRIPT.parents[1]


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(1, 7):
        (corpus / f"{i}.txt").write_text(article_text(i), encoding="utf-8")
    (corpus / "3.txt").write_text(article_text(3) + f"\nThe code word was {MARKER}.\n", encoding="utf-8")
    return corpus


def _unspin(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


def test_ingest_records_the_input_that_killed_its_worker_and_stores_the_rest(tmp_path):
    corpus, db = _corpus(tmp_path), tmp_path / "c.db"
    args = ("ingest", corpus, "--db", db, "--workers", "2", "--analyzers", "entities,kills", "--summary-json")
    run = _unspin(*args)
    assert run.returncode == 1, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["stored"], summary["failed"]) == (5, 1)
    assert f"unspin: error: {corpus / '3.txt'}: {WORKER_DIED}" in run.stderr
    with Corpus(db, readonly=True) as store:
        assert [f[:2] for f in store.failures()] == [(str(corpus / "3.txt"), WORKER_DIED)]
        assert sorted(Path(s).name for (s,) in store.db.execute("SELECT source FROM articles")) == \
            ["1.txt", "2.txt", "4.txt", "5.txt", "6.txt"]

    rerun = _unspin(*args)  # skipped as failed before: not analysed (and not killed) again
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert (summary["stored"], summary["already_stored"], summary["failed"], summary["skipped_failed"]) == (0, 5, 0, 1)


def test_analyze_reports_the_input_that_killed_its_worker_in_its_place(tmp_path):
    corpus = _corpus(tmp_path)
    run = _unspin("analyze", corpus, "--workers", "2", "--analyzers", "entities,kills", "--format", "jsonl", "-q")
    assert run.returncode == 1, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [Path(d["source"]).name for d in lines] == [f"{i}.txt" for i in range(1, 7)]
    assert lines[2] == {"source": str(corpus / "3.txt"), "error": WORKER_DIED}
    assert all("error" not in d and d["entities"] for k, d in enumerate(lines) if k != 2)
    assert "1 of 6 inputs could not be analysed" in run.stderr
