"""A server that stays up: the real ``unspin serve``, analyses in worker processes with a budget.

An analysis that runs past ``--analysis-timeout`` is stopped (its worker is
killed and replaced) and answers 503 saying so; meanwhile ``/api/health``
and the pages answer, and afterwards the slot serves the next article. No
absolute timing is asserted beyond generous budgets: the long text is many
times the budget's worth of work on any machine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.test_corpus_helpers import article_text

from .conftest import ROOT
from .test_web_server import free_port, serve_command, start_server

pytestmark = [pytest.mark.network, pytest.mark.slow]  # starts servers that load the models

#: Seconds of analysis allowed by the server under test.
BUDGET = 2


def long_text(chars: int) -> str:
    """Real-looking news of ``chars`` characters: distinct articles, one after the other."""
    parts, total, i = [], 0, 0
    while total < chars:
        parts.append(article_text(1000 + i, words=300))
        total += len(parts[-1])
        i += 1
    return "".join(parts)[:chars]


def test_an_analysis_over_budget_is_stopped_and_the_server_keeps_serving():
    # 190,000 characters: over ten times the 2 s budget of work (about 25 CPU-seconds)
    slow = long_text(190_000)
    with start_server("--analysis-timeout", str(BUDGET), "--concurrency", "1", "--max-chars", "300000") as base:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            started = time.monotonic()
            pending = pool.submit(httpx.post, base + "/api/analyze", json={"text": slow}, timeout=300)
            time.sleep(0.5)
            # while the long analysis holds the only worker, health and pages answer
            health = httpx.get(base + "/api/health", timeout=10)
            assert health.status_code == 200 and health.json()["analysis_runner"] == "process"
            assert httpx.get(base + "/", timeout=10, headers={"accept": "text/html"}).status_code == 200
            resp = pending.result()
            waited = time.monotonic() - started
        assert resp.status_code == 503, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        detail = resp.json()["detail"]
        assert f"ran past this server's time budget of {BUDGET} s per article" in detail
        assert "--analysis-timeout" in detail
        assert waited < 120  # stopped near its budget, not run to the end
        # the slot is free again: a fresh worker analyses the next article
        ok = httpx.post(base + "/api/analyze", json={"text": article_text(7)}, timeout=300)
        assert ok.status_code == 200, ok.text
        after = httpx.get(base + "/api/health", timeout=10).json()
        assert after["analyses_stopped"] == 1 and after["analyses_running"] == 0


def test_a_text_over_the_size_limit_is_a_422_before_any_work():
    with start_server("--max-chars", "5000", "--concurrency", "1") as base:
        resp = httpx.post(base + "/api/analyze", json={"text": long_text(6000)}, timeout=120)
        assert resp.status_code == 422
        assert "text is too long (6,000 characters; the limit is 5,000, see --max-chars)" in resp.json()["detail"]


def test_a_memory_budget_below_the_models_is_a_one_line_error():
    proc = subprocess.run([*serve_command(), "--analysis-memory", "300", "--concurrency", "1",
                           "--port", str(free_port())], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("unspin: error: the memory budget of 300 MB per analysis is below what a worker needs")
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads a process's environment in /proc (Linux)")
def test_analysis_workers_start_with_one_encoder_and_blas_thread_each(monkeypatch):
    """The workers share the cores: each gets one thread unless the user chose (unspin.parallel)."""
    from unspin.config import Options
    from unspin.parallel import BLAS_THREADS
    from unspin.web.runner import ProcessRunner

    for name in ("UNSPIN_THREADS", *BLAS_THREADS):
        monkeypatch.delenv(name, raising=False)
    runner = ProcessRunner(Options(analyzers=("entities",)), workers=1, timeout=60, max_rss=None)
    runner.start_sync()
    try:
        [worker] = runner._ready
        raw = Path(f"/proc/{worker.process.pid}/environ").read_bytes().split(b"\0")
        environ = dict(entry.decode().split("=", 1) for entry in raw if b"=" in entry)
    finally:
        asyncio.run(runner.close())
    assert {name: environ.get(name) for name in ("UNSPIN_THREADS", *BLAS_THREADS)} == \
        {"UNSPIN_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    assert "OPENBLAS_NUM_THREADS" not in os.environ  # the server's own environment is as it was
