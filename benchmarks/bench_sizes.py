"""Peak memory and time of one `unspin analyze` per article size, and hostile text against real text.

    nice -n 19 python benchmarks/bench_sizes.py ../shared/data/persuasion-semeval2023-en/train/articles

Each case runs `python -m unspin analyze FILE --format json` in a fresh
process (model loading included, as a user meets it) and reads the child's
peak resident memory (``ru_maxrss``) and wall time. The texts are real news:
SemEval-2023 training articles joined, paragraph by paragraph, until the
size is reached (20 KB, 100 KB, 400 KB, 1 MB by default), so every size is
the same kind of text. Wall time depends on the machine's load; CPU time
(user + system of every thread) much less. Hostile cases (20,000 curly quotes, apostrophes,
parentheses, straight double quotes) are compared with the 20 KB real
article of the same run: ratios, not absolute times, are the figures to
quote. A baseline (`--analyzers entities` on a one-line text) gives the
cost of starting the process and loading the models.

Prints one JSON object per case, then a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"20 KB": 20_000, "100 KB": 100_000, "400 KB": 400_000, "1 MB": 1_000_000}
HOSTILE = {
    "20,000 curly quotes": "“" * 20_000,
    "20,000 apostrophes": "’" * 20_000,
    "20,000 parentheses": "(" * 20_000,
    "20,000 straight double quotes": '"' * 20_000,
}


def real_text(folder: Path, size: int) -> str:
    """Real news paragraphs (SemEval-2023 training articles, in file order) up to ``size`` characters."""
    out: list[str] = []
    total = 0
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            out.append(line)
            total += len(line) + 2
            if total >= size:
                return "\n\n".join(out)[:size]
    raise SystemExit(f"{folder} holds less than {size:,} characters of text")


def run_case(path: Path, extra: list[str]) -> dict[str, float | int]:
    """Wall time, CPU time (user + system, all threads) and peak RSS of one `unspin analyze` in a fresh process."""
    code = (
        "import resource, sys, time\n"
        "from unspin.cli import main\n"
        "t = time.perf_counter()\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print('BENCH', time.perf_counter() - t, u.ru_maxrss, code, u.ru_utime + u.ru_stime, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, "analyze", str(path), "--format", "json", *extra],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = [x for x in proc.stderr.splitlines() if x.startswith("BENCH ")][-1].split()
    return {"seconds": round(float(line[1]), 2), "cpu_seconds": round(float(line[4]), 2),
            "peak_mb": round(int(line[2]) / 1024), "exit": int(line[3])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a folder of .txt news articles (SemEval-2023 train/articles)")
    parser.add_argument("--sizes", default=",".join(SIZES), help="which sizes (default: all)")
    parser.add_argument("--no-hostile", action="store_true")
    args = parser.parse_args()
    print(json.dumps({"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
                      "load": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}),
          flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[tuple[str, str, list[str]]] = [("baseline (one line, entities only)",
                                                    "The minister said the plan would work.\n",
                                                    ["--analyzers", "entities"])]
        for name in args.sizes.split(","):
            cases.append((f"{name} real news", real_text(args.folder, SIZES[name.strip()]), []))
        if not args.no_hostile:
            cases += [(name, text, []) for name, text in HOSTILE.items()]
        for name, text, extra in cases:
            path = Path(tmp) / "case.txt"
            path.write_text(text, encoding="utf-8")
            result = {"case": name, "chars": len(text), **run_case(path, extra)}
            print(json.dumps(result), flush=True)
            rows.append(result)
    base = next((r for r in rows if r["case"].startswith("20 KB")), None)
    print("\n| case | characters | wall time | CPU time | peak RSS | CPU time / 20 KB real |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        ratio = f"{r['cpu_seconds'] / base['cpu_seconds']:.2f}x" if base else "–"
        print(f"| {r['case']} | {r['chars']:,} | {r['seconds']:.1f} s | {r['cpu_seconds']:.1f} s | "
              f"{r['peak_mb']:,} MB | {ratio} |")


if __name__ == "__main__":
    main()
