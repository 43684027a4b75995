"""Hostile text against a real article, through the quotes analyzer.

    python benchmarks/bench_hostile_quotes.py ARTICLE [--runs 3] [--cli]

Builds hostile inputs (20,000 curly quotes in a row, 20,000 apostrophes,
20,000 parentheses, 20,000 straight double quotes, 20 KB of marks between
words, 200,000 straight quotes) and times ``Pipeline(analyzers=("quotes",))``
on each, alternating with ``ARTICLE`` (a real news article of about 20 KB)
in the same process, so that the machine's load weighs on both alike.
Prints, per input, the median seconds (model loading excluded) and the ratio
to the article, as JSON lines. With ``--cli`` it also times whole
``unspin analyze --analyzers quotes --format jsonl`` commands (model loading
included), article and hostile input one after the other.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from unspin.article import Article
from unspin.pipeline import Pipeline

HOSTILE = {
    "20,000 curly quotes": "“" * 20_000,
    "20,000 apostrophes": "’" * 20_000,
    "20,000 parentheses": "(" * 20_000,
    "20,000 straight double quotes": '"' * 20_000,
    "20 KB of curly quote pairs around words": "“word” " * 2_857,
    "20 KB of straight quotes before words": '"word ' * 3_333,
    "20 KB of quotes and cues": "“Word,” he said. " * 1_176,
    "200,000 straight quotes": '"' * 200_000,
}


def seconds(pipe: Pipeline, text: str) -> float:
    t0 = time.perf_counter()
    pipe.analyze(Article(source="bench", text=text))
    return time.perf_counter() - t0


def cli_seconds(path: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "unspin", "analyze", "--analyzers", "quotes", "--format", "jsonl", "-q", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("article", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time whole CLI commands")
    args = parser.parse_args()

    article = args.article.read_bytes().decode("utf-8")
    pipe = Pipeline(analyzers=("quotes",))
    pipe.warm_up()
    for name, text in HOSTILE.items():
        real, hostile = [], []
        for _ in range(args.runs):
            real.append(seconds(pipe, article))
            hostile.append(seconds(pipe, text))
        row = {
            "input": name,
            "chars": len(text),
            "seconds": round(statistics.median(hostile), 3),
            "article_seconds": round(statistics.median(real), 3),
            "ratio": round(statistics.median(hostile) / statistics.median(real), 2),
        }
        if args.cli:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "hostile.txt"
                path.write_text(text, encoding="utf-8")
                cli_real, cli_hostile = cli_seconds(args.article), cli_seconds(path)
            row |= {"cli_seconds": round(cli_hostile, 2), "cli_article_seconds": round(cli_real, 2),
                    "cli_ratio": round(cli_hostile / cli_real, 2)}
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
