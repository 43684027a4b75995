"""What the lead gate costs when stories are assigned: the same store reclustered with and without it.

    python benchmarks/bench_stories_cost.py STORE.db [--runs 3]

Each run copies the ingested store, clears its stories and assigns them again
(embeddings reused), once without the gate (``lead_gate=None``, the threshold
before the gate) and once with the defaults, interleaved; prints the best time
of each and their ratio (compare ratios within one run: the machines are noisy).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_stories import recluster  # noqa: E402

SETTINGS = {"without the gate": {"lead_gate": None, "threshold": 0.95}, "default (lead gate)": {}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path, help="an ingested unspin store (it is copied, never changed)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    times: dict[str, list[float]] = {name: [] for name in SETTINGS}
    for _ in range(args.runs):
        for name, params in SETTINGS.items():
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "copy.db"
                shutil.copy(args.db, copy)
                start = time.perf_counter()
                recluster(copy, **params)
                times[name].append(time.perf_counter() - start)
    for name, values in times.items():
        print(f"{name}: best {min(values):.2f} s of {', '.join(f'{v:.2f}' for v in values)}")
    base, gated = (min(v) for v in times.values())
    print(f"ratio with / without the gate: {gated / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
