"""Speed of a techniques tier.

``taskset -c 0 python -m unspin.techniques.bench --data DIR --model fast`` (one core) or
``python -m unspin.techniques.bench --data DIR --model accurate`` (the encoder
uses ``UNSPIN_THREADS`` or up to 4 cores).

Loads the packaged model (or a model folder), warms up on 20 articles, then
times ``--passes`` passes of ``predict`` over every article of the data folder
and prints the best pass in articles/s (prediction only: tokenization,
features or the shared encoder pass, spans and paragraph labels; model
loading excluded) with the load average at the time.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from .data import load_corpus


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m unspin.techniques.bench")
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", default="fast", help="accurate, fast or a model folder")
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args(argv)
    from ..analyzers.techniques import load_techniques_model
    from ..neural.shared import default_threads

    docs = load_corpus(args.data)
    t0 = time.perf_counter()
    model = load_techniques_model(args.model)
    model.predict(docs[0].text)  # the accurate tier builds its encoder session on first use
    load_s = time.perf_counter() - t0
    neural = hasattr(model, "spec")
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
    where = f"encoder on {default_threads()} threads" if neural else "one process"
    text = (f"{len(docs) / best:.1f} articles/s ({chars / best / 1000:.0f} k characters/s), {where} "
            f"(best of {args.passes} passes over {len(docs)} articles, mean {chars // max(len(docs), 1)} characters; "
            f"prediction with tokenization, {'the encoder pass' if neural else 'features'}, spans and paragraph "
            f"labels; model loading ({load_s:.2f} s) excluded; "
            f"load average {la[0]:.1f} during the run)")
    out = {"articles_per_s": round(len(docs) / best, 1), "load_s": round(load_s, 2), "loadavg_1min": round(la[0], 2),
           "text": text}
    print(json.dumps(out))
    return out


if __name__ == "__main__":  # pragma: no cover
    main()
