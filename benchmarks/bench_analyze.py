"""Speed and memory of `unspin analyze` on a folder of articles.

    python benchmarks/bench_analyze.py ../shared/data/persuasion-semeval2023-en/train/articles --limit 200

Prints articles/s, per-article latency (p50/p95), words/s, model load time
and peak resident memory, as one JSON object (for BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time
from pathlib import Path

from unspin.inputs import expand_inputs, read_input
from unspin.pipeline import Pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--analyzers", default="", help="comma-separated analyzer names (default: all)")
    args = parser.parse_args()

    specs = expand_inputs([str(args.folder)])[: args.limit]
    t0 = time.perf_counter()
    pipe = Pipeline(analyzers=tuple(a for a in args.analyzers.split(",") if a))
    pipe.nlp  # noqa: B018 (load the spaCy model now, timed apart from analysis)
    load_s = time.perf_counter() - t0
    articles = [read_input(s, pipe.options) for s in specs]
    pipe.analyze(articles[0])  # warm-up
    latencies, words = [], 0
    start = time.perf_counter()
    for article in articles:
        t = time.perf_counter()
        pipe.analyze(article)
        latencies.append(time.perf_counter() - t)
        words += len(article.text.split())
    total = time.perf_counter() - start
    latencies.sort()
    print(json.dumps({
        "articles": len(articles),
        "analyzers": [a.name for a in pipe.analyzers],
        "articles_per_s": round(len(articles) / total, 2),
        "words_per_s": round(words / total),
        "mean_words": round(words / len(articles)),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1),
        "latency_p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "model_load_s": round(load_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
    }, indent=2))


if __name__ == "__main__":
    main()
