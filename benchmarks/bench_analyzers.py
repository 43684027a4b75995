"""Time of each analyzer on one article, the shared work (parse, encoder pass,
technique probabilities) timed apart.

    python benchmarks/bench_analyzers.py ../shared/data/seed/duran-putin-isis-threat.txt --runs 5
    python benchmarks/bench_analyzers.py ARTICLE --model fast

Each run builds a fresh context, computes the shared work first, then runs
the analyzers in order and times each ``annotate``; prints the mean
milliseconds of each step over the runs as one JSON object (for
BENCHMARKS.md and docs/framing-eval.md).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from unspin.inputs import expand_inputs, read_input
from unspin.pipeline import Pipeline

ANALYZERS = ("entities", "provenance", "quotes", "techniques", "genre", "frames", "narratives", "roles")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("article", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", choices=("accurate", "fast"), default="accurate")
    args = parser.parse_args()

    pipe = Pipeline(analyzers=ANALYZERS, model=args.model)
    article = read_input(expand_inputs([str(args.article)])[0], pipe.options)
    pipe.warm_up()
    pipe.analyze(article)  # loads every model and builds the encoder session
    shared = {"parse": lambda c: c.product("doc")}
    if args.model == "accurate":
        shared |= {"encoder pass": lambda c: c.product("encoded"),
                   "technique probabilities": lambda c: c.product("technique_probabilities")}
    times: dict[str, list[float]] = {}
    for _ in range(args.runs):
        ctx = pipe.context(article)
        steps = list(shared.items()) + [(a.name, a.annotate) for a in pipe.analyzers]
        for name, fn in steps:
            t = time.perf_counter()
            fn(ctx)
            times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
    print(json.dumps({"article": str(args.article), "characters": len(article.text), "model": args.model,
                      "runs": args.runs, "ms": {k: round(statistics.mean(v), 1) for k, v in times.items()},
                      "machine": f"{platform.machine()} {platform.python_version()}",
                      "date": time.strftime("%Y-%m-%d")}, indent=2))


if __name__ == "__main__":
    main()
