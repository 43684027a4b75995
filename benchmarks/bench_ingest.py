"""Corpus-mode figures: ingest throughput and memory, store size, search latency, a 1M/day projection.

    python benchmarks/bench_ingest.py ../shared/data/persuasion-semeval2023-en/train/articles \
        --n 200 --search-sizes 10000,100000 --out ingest-bench.json

Phases, all in one run so that the figures share the machine's conditions
(each records the load average before and after, and the mean of samples
taken during it):

1. **Ingest** the first ``--n`` articles of the folder with
   ``unspin ingest --workers 1`` and then ``--workers 2`` (and, when Ray is
   installed, ``--engine ray --workers 2``), each a fresh database, each a
   real ``python -m unspin ingest`` subprocess. Reported: wall time,
   the steady-state rate (articles stored per second between the first and
   the last commit seen by a reader polling the store, so model loading is
   left out), the CPU seconds of the ingest and its reaped workers
   (``wait4``; articles per CPU-second does not depend on what else the
   machine runs), the peak of the summed RSS of the ingest process and all its
   children (workers; for Ray also its raylet, GCS and actors), and store
   bytes per 1,000 articles. The 2-vs-1 worker ratio is the scaling figure.
2. **Search** at each of ``--search-sizes``: a synthetic store grown to
   that many articles (each: the paragraphs of three training articles,
   shuffled, with a real analysis JSON of one of three templates, synthetic
   technique and narrative labels), inserted directly through
   :meth:`unspin.corpus.Corpus.add` with MinHash signatures, committing every
   32 as the ingest does; 100 two-word queries, top 10 with snippets: p50
   and p95 plain, with outlet + date filters, with a technique filter, and
   (no words) the newest ten articles a technique or a narrative filter keeps.
   The write rate of the single writer is reported too.
3. **Projection** for 1M articles/day on a Ray cluster from the figures
   above (see ``projection`` in the output).

The run stops by itself: every subprocess has a timeout and the synthetic
build stops at ``--max-build-seconds`` (the size reached is reported).
Prints one JSON object.
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
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TECHNIQUES = ["Loaded_Language", "Name_Calling-Labeling", "Doubt", "Exaggeration-Minimisation",
              "Appeal_to_Fear-Prejudice", "Flag_Waving", "Causal_Oversimplification", "Repetition",
              "Appeal_to_Authority", "Slogans", "Questioning_the_Reputation", "Whataboutism"]
NARRATIVES = ["URW: Blaming the war on others", "URW: Discrediting Ukraine", "URW: Praise of Russia",
              "CC: Criticism of climate policies", "CC: Hidden plots by secret schemes", "Other"]


def load_now() -> float:
    return round(os.getloadavg()[0], 2)


class Sampler:
    """Samples the 1-minute load average (and optionally a process tree's RSS) in a thread."""

    def __init__(self, pid: int | None = None, every: float = 0.2) -> None:
        self.pid, self.every = pid, every
        self.loads: list[float] = []
        self.peak_rss = self.peak_parent_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Sampler":
        self.load_before = load_now()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.load_after = load_now()

    def _run(self) -> None:
        import psutil

        proc = psutil.Process(self.pid) if self.pid else None
        n = 0
        while not self._stop.is_set():
            if n % 10 == 0:
                self.loads.append(os.getloadavg()[0])
            n += 1
            if proc is not None:
                try:
                    parent = proc.memory_info().rss
                    total = parent
                    for child in proc.children(recursive=True):
                        try:
                            total += child.memory_info().rss
                        except psutil.Error:
                            pass
                    self.peak_rss = max(self.peak_rss, total)
                    self.peak_parent_rss = max(self.peak_parent_rss, parent)
                except psutil.Error:
                    pass
            self._stop.wait(self.every)

    def load(self) -> dict:
        return {"before": self.load_before, "mean_during": round(statistics.mean(self.loads), 2) if self.loads
                else self.load_before, "after": self.load_after}


def file_size(path: str) -> int:
    return sum(os.path.getsize(p) for p in glob.glob(path + "*"))


def _count(db: str) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def run_ingest(folder: str, db: str, args: list[str], timeout: float) -> dict:
    """One `unspin ingest` subprocess, watched: rate, memory, load."""
    cmd = [sys.executable, "-m", "unspin", "ingest", folder, "--db", db, "--quiet", "--summary-json", *args]
    t0 = time.perf_counter()
    out_f, err_f = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f, text=True)
    seen: list[tuple[float, int]] = []
    rusage = None
    with Sampler(proc.pid) as sampler:
        while rusage is None:
            # wait4 gives the CPU time of the ingest and of every worker it reaped: a load-independent figure.
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode, rusage = os.waitstatus_to_exitcode(status), ru
                break
            if time.perf_counter() - t0 > timeout:
                proc.kill()
            if os.path.exists(db):
                count = _count(db)
                if not seen or count != seen[-1][1]:
                    seen.append((time.perf_counter() - t0, count))
            time.sleep(0.1)
    wall = time.perf_counter() - t0
    out_f.seek(0), err_f.seek(0)
    out, err = out_f.read(), err_f.read()
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    cpu_s = rusage.ru_utime + rusage.ru_stime
    summary = json.loads(out.strip().splitlines()[-1])
    n = summary["stored"]
    first = next(((t, c) for t, c in seen if c > 0), None)
    steady = None
    if first and seen[-1][1] > first[1] and seen[-1][0] > first[0]:
        steady = (seen[-1][1] - first[1]) / (seen[-1][0] - first[0])
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return {
        "command": "unspin ingest DIR --db DB " + " ".join(args),
        "stored": n,
        "wall_s": round(wall, 1),
        "articles_per_s_end_to_end": round(n / wall, 2),
        "articles_per_s_steady": round(steady, 2) if steady else None,
        "first_commit_after_s": round(first[0], 1) if first else None,
        "cpu_s": round(cpu_s, 1),
        "articles_per_cpu_s": round(n / cpu_s, 2) if cpu_s else None,
        "peak_rss_mb_total": round(sampler.peak_rss / 2**20),
        "peak_rss_mb_parent": round(sampler.peak_parent_rss / 2**20),
        "store_mb_per_1000": round(file_size(db) / 2**20 / n * 1000, 1) if n else None,
        "load_1min": sampler.load(),
    }


# -- synthetic store ---------------------------------------------------------------


class Synthetic:
    """Synthetic articles from a folder of real ones, each with a real analysis JSON (a template's)."""

    def __init__(self, folder: str, templates: int = 3, seed: int = 7) -> None:
        from unspin.inputs import expand_inputs, read_input
        from unspin.pipeline import Pipeline

        pipe = Pipeline()
        arts = [read_input(s, pipe.options) for s in expand_inputs([folder])]
        self.paras = [[p for p in a.text.split("\n") if p.strip()] for a in arts]
        self.templates = [pipe.analyze(a).to_dict() for a in arts[:templates]]
        self.seed = seed
        self.outlets = [f"outlet{i}.example" for i in range(40)]

    def article(self, i: int) -> tuple[dict, dict]:
        rng = random.Random(self.seed * 1_000_003 + i)
        picks = rng.sample(range(len(self.paras)), 3)
        body = [p for k in picks for p in self.paras[k][1:]]
        rng.shuffle(body)
        title = self.paras[picks[0]][0] if self.paras[picks[0]] else f"Article {i}"
        text = f"{title}\n\n" + "\n".join(body[:30]) + f"\n(synthetic {i})"
        analysis = dict(self.templates[i % len(self.templates)])
        analysis["text"], analysis["title"], analysis["source"] = text, title, f"synthetic/{i}"
        analysis["meta"] = dict(analysis["meta"], content_sha256=hashlib.sha256(text.encode()).hexdigest())
        analysis["techniques"] = [{"technique": t, "start": 0, "end": 10, "score": 0.8}
                                  for t in rng.sample(TECHNIQUES, rng.randint(0, 4))]
        analysis["narratives"] = [{"narrative": rng.choice(NARRATIVES), "score": 0.7}]
        meta = {"outlet": rng.choice(self.outlets), "published": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "title": title}
        return analysis, meta


def queries(syn: Synthetic, k: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    vocab: dict[str, int] = {}
    for i in range(500):
        for w in syn.article(i)[0]["text"].lower().split():
            w = w.strip(".,;:!?\"'()[]“”‘’")
            if w.isalpha() and len(w) > 4:
                vocab[w] = vocab.get(w, 0) + 1
    common = [w for w, _ in sorted(vocab.items(), key=lambda x: -x[1])[50:1500]]
    return [f"{rng.choice(common)} {rng.choice(common)}" for _ in range(k)]


def _lat(store, qs: list[str | None], **kw) -> dict:
    lat, hits = [], 0
    for q in qs:
        t = time.perf_counter()
        hits += len(store.search(q, limit=10, **kw))
        lat.append(time.perf_counter() - t)
    lat.sort()
    return {"p50_ms": round(statistics.median(lat) * 1000, 2), "p95_ms": round(lat[int(0.95 * len(lat)) - 1] * 1000, 2),
            "mean_hits": round(hits / len(qs), 1)}


def search_bench(folder: str, sizes: list[int], workdir: str, max_build_s: float, n_queries: int) -> list[dict]:
    from unspin.corpus.dedup import signature
    from unspin.corpus import Corpus
    from unspin.store import ArticleRow

    syn = Synthetic(folder)
    qs = queries(syn, n_queries)
    path = os.path.join(workdir, "synthetic.db")
    store = Corpus(path)
    results, built, write_s, started = [], 0, 0.0, time.perf_counter()
    for size in sorted(sizes):
        with Sampler() as build_load:
            while built < size and time.perf_counter() - started < max_build_s:
                analysis, meta = syn.article(built)
                sig = signature(analysis["text"])  # computed by the workers in a real ingest: not timed
                t = time.perf_counter()
                store.add(analysis, ArticleRow(source=analysis["source"], outlet=meta["outlet"], title=meta["title"],
                                               published=meta["published"]), signature=sig)
                built += 1
                if built % 32 == 0:
                    store.commit()
                write_s += time.perf_counter() - t
            t = time.perf_counter()
            store.commit()
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            write_s += time.perf_counter() - t
        with Sampler() as search_load:
            plain = _lat(store, qs)
            filtered = _lat(store, qs, outlet="outlet3.example", since="2023-03-01", until="2023-09-30")
            technique = _lat(store, qs, techniques=["Loaded_Language"])
            narrative_family = _lat(store, qs, techniques=["attack on reputation"], narratives=["URW: Praise of Russia"])
            # no words: the newest ten articles a label filter keeps (`unspin search --technique …`, the web list)
            listing = _lat(store, [None] * len(qs), techniques=["Loaded_Language"])
            listing_narrative = _lat(store, [None] * len(qs), narratives=["URW: Praise of Russia"])
        results.append({
            "articles": built, "target": size, "complete": built >= size,
            "writer_articles_per_s": round(built / write_s, 1),
            "size_mb_per_1000": round(file_size(path) / 2**20 / built * 1000, 1),
            "size_mb": round(file_size(path) / 2**20),
            "search": plain, "search_outlet_date": filtered, "search_technique": technique,
            "search_family_and_narrative": narrative_family,
            "list_technique_no_words": listing, "list_narrative_no_words": listing_narrative,
            "load_1min_build": build_load.load(), "load_1min_search": search_load.load(),
        })
        if built < size:
            break
    store.close()
    return results


def projection(per_core: float, writer_rate: float, mb_per_1000: float, peak_factor: float = 3.0,
               utilisation: float = 0.7) -> dict:
    """1M articles/day on a Ray cluster, from the measured per-core rate, writer rate and row size."""
    per_day = 1_000_000
    mean_rate = per_day / 86_400
    peak_rate = mean_rate * peak_factor
    cores_mean = mean_rate / per_core
    cores_peak = peak_rate / per_core / utilisation
    return {
        "articles_per_day": per_day,
        "mean_articles_per_s": round(mean_rate, 2),
        "assumed_peak_factor": peak_factor,
        "peak_articles_per_s": round(peak_rate, 1),
        "per_core_articles_per_s": round(per_core, 2),
        "core_hours_per_day": round(per_day / per_core / 3600, 1),
        "cores_at_mean_load": round(cores_mean, 1),
        "cores_for_peak_at_utilisation": {"utilisation": utilisation, "cores": round(cores_peak, 1)},
        "writer_articles_per_s": round(writer_rate, 1),
        "writer_headroom_vs_mean": round(writer_rate / mean_rate, 1),
        "writer_headroom_vs_peak": round(writer_rate / peak_rate, 1),
        "store_gb_per_day": round(mb_per_1000 * 1000 / 1024, 1),
        "store_tb_per_year": round(mb_per_1000 * 1000 * 365 / 1024 / 1024, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", help="folder of articles (the SemEval-2023 training articles)")
    ap.add_argument("--n", type=int, default=200, help="articles ingested per engine run")
    ap.add_argument("--search-sizes", default="10000,100000", help="synthetic store sizes for search latency")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--ingest-timeout", type=float, default=600, help="seconds per ingest run")
    ap.add_argument("--max-build-seconds", type=float, default=1500, help="stop growing the synthetic store then")
    ap.add_argument("--no-ray", action="store_true", help="leave out the --engine ray run")
    ap.add_argument("--only", choices=["ingest", "search"], help="run one phase")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args()

    out: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
                    "cpu": _cpu_name()},
    }
    work = tempfile.mkdtemp(prefix="unspin-bench-")
    try:
        if args.only in (None, "ingest"):
            files = sorted(glob.glob(os.path.join(args.folder, "*.txt")))[: args.n]
            corpus = os.path.join(work, "corpus")
            os.makedirs(corpus)
            for f in files:
                shutil.copy(f, corpus)
            words = sum(len(Path(f).read_text(encoding="utf-8").split()) for f in files)
            out["ingest_corpus"] = {"articles": len(files), "mean_words": round(words / max(1, len(files)))}
            runs = {}
            for name, extra in [("workers_1", ["--workers", "1"]), ("workers_2", ["--workers", "2"])]:
                runs[name] = run_ingest(corpus, os.path.join(work, f"{name}.db"), extra, args.ingest_timeout)
                print(f"# {name}: {runs[name]}", file=sys.stderr)
            if not args.no_ray:
                try:
                    import ray  # noqa: F401

                    runs["ray_workers_2"] = run_ingest(corpus, os.path.join(work, "ray.db"),
                                                       ["--engine", "ray", "--workers", "2"], args.ingest_timeout)
                    print(f"# ray: {runs['ray_workers_2']}", file=sys.stderr)
                except ImportError:
                    runs["ray_workers_2"] = "skipped: Ray is not installed"
            r1, r2 = runs["workers_1"], runs["workers_2"]
            out["ingest"] = runs
            out["ingest_scaling"] = {
                "steady_ratio_2_vs_1": round(r2["articles_per_s_steady"] / r1["articles_per_s_steady"], 2)
                if r1["articles_per_s_steady"] and r2["articles_per_s_steady"] else None,
                "end_to_end_ratio_2_vs_1": round(r2["articles_per_s_end_to_end"] / r1["articles_per_s_end_to_end"], 2),
                "cpu_per_article_ratio_2_vs_1": round(r1["articles_per_cpu_s"] / r2["articles_per_cpu_s"], 2),
            }
        if args.only in (None, "search"):
            sizes = [int(s) for s in args.search_sizes.split(",") if s]
            out["search"] = search_bench(args.folder, sizes, work, args.max_build_seconds, args.queries)
            print(f"# search: {out['search']}", file=sys.stderr)
        if "ingest" in out and "search" in out:
            # Per core: articles per CPU-second of the 1-worker run (model loading included), which the
            # other jobs of a shared machine do not change, unlike a wall-clock rate.
            per_core = out["ingest"]["workers_1"]["articles_per_cpu_s"]
            writer = min(s["writer_articles_per_s"] for s in out["search"])
            out["projection_1m_per_day"] = projection(per_core, writer, out["ingest"]["workers_1"]["store_mb_per_1000"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
