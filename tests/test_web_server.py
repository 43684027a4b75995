"""The real server: ``python -m unspin serve`` in a subprocess, over loopback HTTP.

:func:`start_server` is shared with the browser tests (tests/test_browser.py).
"""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import pytest

pytest.importorskip("uvicorn", reason="the web server needs uvicorn (pip install '.[test]')")

from .conftest import EXAMPLE, ROOT  # noqa: E402

pytestmark = pytest.mark.network


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command() -> list[str]:
    return [sys.executable, "-m", "unspin", "serve"]


@contextmanager
def start_server(*args: str, startup_s: float = 90) -> Iterator[str]:
    """Run the server on a free loopback port; yields its base URL; stops it afterwards."""
    port = free_port()
    env = {**os.environ, "UNSPIN_CONFIG": str(ROOT / "no-such-config.toml"), "PYTHONUNBUFFERED": "1"}
    env.pop("UNSPIN_RATINGS", None)
    log = open(os.devnull, "wb") if os.environ.get("UNSPIN_TEST_QUIET") else None
    proc = subprocess.Popen([*serve_command(), "--port", str(port), "--log-level", "warning", *args],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_s
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not start in time")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not None:
            log.close()
        proc.stderr.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("srv") / "corpus.db"
    with start_server("--db", str(db), "--concurrency", "1", "--queue", "4") as base:
        yield base


def test_real_server_analyses_and_serves_pages(server):
    resp = httpx.post(server + "/api/analyze", json={"text": EXAMPLE.read_text(encoding="utf-8")}, timeout=60)
    assert resp.status_code == 200 and resp.json()["id"] >= 1
    page = httpx.get(server + f"/articles/{resp.json()['id']}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Lindqvist" in page.text
    assert "server" not in page.headers  # uvicorn's server header is off
    docs = httpx.get(server + "/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_real_server_burst_of_80_never_crashes(server):
    """10× the benchmark's 8 clients at once: only 200s and 503s (with Retry-After), and it keeps serving."""
    text = "The harbour council voted on Monday, the mayor said. “It was fair,” she added.\n"

    def post(i: int) -> tuple[int, str | None]:
        try:
            r = httpx.post(server + "/api/analyze", json={"text": f"{text}Copy {i}."}, timeout=60)
            return r.status_code, r.headers.get("retry-after")
        except httpx.HTTPError as exc:  # a refused or dropped connection is a failure too
            return -1, type(exc).__name__

    with concurrent.futures.ThreadPoolExecutor(max_workers=80) as pool:
        results = list(pool.map(post, range(80)))
    codes = [c for c, _ in results]
    assert set(codes) <= {200, 503}, results
    assert codes.count(200) >= 1
    assert all(ra and ra.isdigit() for c, ra in results if c == 503)
    assert httpx.get(server + "/api/health").json()["status"] == "ok"
    assert httpx.post(server + "/api/analyze", json={"text": text}, timeout=60).status_code == 200


def test_serve_refuses_a_file_that_is_not_a_store(tmp_path: Path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not sqlite" * 200)
    proc = subprocess.run([*serve_command(), "--db", str(bad), "--port", str(free_port())], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("unspin: error: ")
    assert "Traceback" not in proc.stderr


def test_serve_on_a_busy_port_is_a_one_line_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([*serve_command(), "--port", str(port)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"unspin: error: cannot listen on 127.0.0.1:{port} (address already in use)"]
