"""Speed of the fast tier: ``taskset -c 0 python -m unspin.techniques.bench --data DIR``.

Loads the packaged model (or ``--model-dir``), warms up on 20 articles, then
times three passes of :meth:`FastModel.predict` over every article of the
data folder and prints the best pass in articles/s (prediction only:
tokenization, features, spans and paragraph labels; model loading excluded)
with the load average at the time.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from .data import load_corpus
from .fast import FastModel, default_model_dir


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m unspin.techniques.bench")
    ap.add_argument("--data", required=True)
    ap.add_argument("--model-dir", default=str(default_model_dir()))
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args(argv)
    docs = load_corpus(args.data)
    t0 = time.perf_counter()
    model = FastModel.load(args.model_dir)
    load_s = time.perf_counter() - t0
    for d in docs[:20]:
        model.predict(d.text)
    best = float("inf")
    for _ in range(args.passes):
        t0 = time.perf_counter()
        for d in docs:
            model.predict(d.text)
        best = min(best, time.perf_counter() - t0)
    chars = sum(len(d.text) for d in docs)
    la = os.getloadavg()
    text = (f"{len(docs) / best:.0f} articles/s ({chars / best / 1000:.0f} k characters/s) on one core "
            f"(best of {args.passes} passes over {len(docs)} articles, mean {chars // max(len(docs), 1)} characters; "
            f"prediction with tokenization and features, model loading ({load_s:.2f} s) excluded; "
            f"load average {la[0]:.1f} during the run)")
    out = {"articles_per_s": round(len(docs) / best, 1), "load_s": round(load_s, 2), "loadavg_1min": round(la[0], 2),
           "text": text}
    print(json.dumps(out))
    return out


if __name__ == "__main__":  # pragma: no cover
    main()
