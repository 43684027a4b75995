"""Speed of a techniques tier.

``taskset -c 0 python -m unspin.techniques.bench --data DIR --model fast`` (one core) or
``python -m unspin.techniques.bench --data DIR --model accurate`` (the encoder
uses ``UNSPIN_THREADS`` or up to 4 cores; ``--workers 2``: two processes of
one thread each, the way ``unspin ingest --workers 2`` uses two cores).

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

from unspin.datasets.semeval2023 import load_corpus


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m unspin.techniques.bench")
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", default="fast", help="accurate, fast or a model folder")
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1,
                    help="processes side by side, one encoder thread each, every one taking every n-th article")
    args = ap.parse_args(argv)
    if args.workers > 1:
        return _parallel(args)
    from unspin.analyzers.techniques import load_techniques_model
    from unspin.neural.shared import default_threads

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


def _worker(job: tuple[str, str, int, int]) -> tuple[int, float, float]:
    """One worker: load, warm up, then time its share of the articles."""
    data, which, k, n = job
    from unspin.analyzers.techniques import load_techniques_model

    mine = load_corpus(data)[k::n]
    model = load_techniques_model(which)
    model.predict(mine[0].text)
    t0 = time.perf_counter()
    for d in mine:
        model.predict(d.text)
    return len(mine), t0, time.perf_counter()


def _parallel(args) -> dict:
    import multiprocessing

    os.environ["UNSPIN_THREADS"] = "1"  # inherited by the workers: the cores are shared out by process
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.workers) as pool:
        parts = pool.map(_worker, [(args.data, args.model, k, args.workers) for k in range(args.workers)])
    n = sum(p[0] for p in parts)
    # perf_counter is system-wide monotonic on Linux: the wall span from the first start to the last end
    wall = max(p[2] for p in parts) - min(p[1] for p in parts)
    la = os.getloadavg()
    text = (f"{n / wall:.1f} articles/s with {args.workers} processes of one encoder thread each ({n} articles in "
            f"{wall:.1f} s wall, model loading excluded; load average {la[0]:.1f})")
    out = {"articles_per_s": round(n / wall, 1), "workers": args.workers, "loadavg_1min": round(la[0], 2), "text": text}
    print(json.dumps(out))
    return out


if __name__ == "__main__":  # pragma: no cover
    main()
