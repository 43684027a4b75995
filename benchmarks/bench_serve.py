"""Throughput and latency of `POST /api/analyze` on the real server, then a burst.

    python benchmarks/bench_serve.py                          # starts `unspin serve` itself
    python benchmarks/bench_serve.py --url http://127.0.0.1:8000 --clients 8 --duration 20

Phase 1: ``--clients`` clients (default 8), each with its own keep-alive
connection, post the article back to back for ``--duration`` seconds (each
request's text differs by one line, so nothing is served from a cache).
Reports requests/s, p50/p95/max latency and the status codes.

Phase 2: a burst of ``--burst-factor`` × clients (default 10 × 8 = 80)
requests sent at once, each on its own connection. The server must answer
every one with 200 or 503 (+ Retry-After) and still be healthy afterwards;
the script exits 1 otherwise.

Stops by itself (bounded duration, bounded burst); prints one JSON object.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "unspin", "serve",
           "--port", str(port), "--log-level", "warning"]
    if args.concurrency:
        cmd += ["--concurrency", str(args.concurrency)]
    if args.queue is not None:
        cmd += ["--queue", str(args.queue)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench_serve: the server exited with {proc.returncode}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("bench_serve: the server did not start within 120 s")


def sustained(base: str, text: str, clients: int, duration: float) -> dict[str, object]:
    latencies: list[float] = []
    codes: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            i = 0
            while time.monotonic() < stop_at:
                body = {"text": f"{text}\nClient {n}, request {i}."}
                t = time.perf_counter()
                try:
                    code = str(http.post("/api/analyze", json=body).status_code)
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                elapsed = time.perf_counter() - t
                with lock:
                    codes[code] = codes.get(code, 0) + 1
                    if code == "200":
                        latencies.append(elapsed)
                i += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": sum(codes.values()),
        "ok": len(latencies),
        "requests_per_s": round(len(latencies) / wall, 2),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50) * 1000, 1),
            "p95": round(percentile(latencies, 0.95) * 1000, 1),
            "mean": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
            "max": round(max(latencies) * 1000, 1) if latencies else None,
        },
        "status_codes": codes,
    }


def burst(base: str, text: str, n: int) -> dict[str, object]:
    barrier = threading.Barrier(n)

    def one(i: int) -> tuple[str, str | None, float]:
        with httpx.Client(base_url=base, timeout=120) as http:
            barrier.wait()
            t = time.perf_counter()
            try:
                r = http.post("/api/analyze", json={"text": f"{text}\nBurst request {i}."})
                return str(r.status_code), r.headers.get("retry-after"), time.perf_counter() - t
            except httpx.HTTPError as exc:
                return type(exc).__name__, None, time.perf_counter() - t

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(one, range(n)))
    wall = time.perf_counter() - started
    codes: dict[str, int] = {}
    for code, _, _ in results:
        codes[code] = codes.get(code, 0) + 1
    rejected = [r for r in results if r[0] == "503"]
    ok_times = [r[2] for r in results if r[0] == "200"]
    healthy = httpx.get(base + "/api/health", timeout=10).json()
    return {
        "requests": n,
        "seconds": round(wall, 1),
        "status_codes": codes,
        "only_200_or_503": set(codes) <= {"200", "503"},
        "every_503_has_retry_after": all(r[1] and r[1].isdigit() for r in rejected),
        "max_503_ms": round(max(r[2] for r in rejected) * 1000, 1) if rejected else None,
        "max_200_ms": round(max(ok_times) * 1000, 1) if ok_times else None,
        "healthy_after": healthy.get("status") == "ok",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running server (default: start `unspin serve` on a free port).")
    parser.add_argument("--text", type=Path, default=ROOT / "examples" / "syndicated-opinion.txt")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0, help="Seconds of the sustained phase.")
    parser.add_argument("--burst-factor", type=int, default=10)
    parser.add_argument("--concurrency", type=int, help="--concurrency of the started server.")
    parser.add_argument("--queue", type=int, help="--queue of the started server.")
    args = parser.parse_args()

    text = args.text.read_text(encoding="utf-8")
    proc = None
    base = args.url.rstrip("/") if args.url else None
    if base is None:
        proc, base = start_server(args)
    try:
        with httpx.Client(base_url=base, timeout=120) as http:  # warm-up
            for i in range(3):
                http.post("/api/analyze", json={"text": f"{text}\nWarm-up {i}."}).raise_for_status()
        result = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "text_words": len(text.split()),
            "sustained": sustained(base, text, args.clients, args.duration),
            "burst": burst(base, text, args.clients * args.burst_factor),
        }
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(json.dumps(result, indent=2))
    b = result["burst"]
    if not (b["only_200_or_503"] and b["every_503_has_retry_after"] and b["healthy_after"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
