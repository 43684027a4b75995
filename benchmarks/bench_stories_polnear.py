"""Stories on real coverage: PolNeAR's 923 dated articles (7 US outlets, Nov 2015 - Oct 2016), no event labels.

    python benchmarks/bench_stories_polnear.py --db /tmp/polnear.db            # ingest once (about 6 min), report
    python benchmarks/bench_stories_polnear.py --db /tmp/polnear.db --sample 40 # print random same-story pairs

The articles are the texts of ``../shared/data/attribution-polnear-en``
(research data, not shipped: the script says so and stops when it is
absent); the outlet and date come from each file's name, the title from
its first line. They go through ``unspin.corpus.ingest`` with the
entities analyzer only, then the stories are built again with each
setting (the shipped one, the round-3 one and the rule before the
labelled set), and the script prints the number and sizes of stories and
the largest ones' titles: the failure users reported was a few big
stories of loosely related articles.

There are no event labels. ``benchmarks/stories/polnear-judged.csv``
holds a hand judgement (the set's rule, on titles and first paragraphs)
of 40 same-story pairs drawn at random under the shipped setting: ``T`` same event, ``F`` different events, ``B``
borderline. The script reports how many of them each setting keeps in one
story, so precision among them can be read for the shipped setting.
"""

from __future__ import annotations

import argparse
import collections
import csv
import itertools
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

from bench_stories import recluster

from unspin.config import Options
from unspin.corpus.ingest import ingest
from unspin.store import Store

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "data" / "attribution-polnear-en"
JUDGED = ROOT / "benchmarks" / "stories" / "polnear-judged.csv"
SETTINGS = {
    "shipped": {},
    "round 3": {"linkage": "average", "entity_weight": 1.0, "window_days": 1, "day_penalty": 0.0, "threshold": 0.7},
    "before the set": {"linkage": "single", "entity_weight": 0.0, "window_days": 3, "day_penalty": 0.0,
                       "threshold": 0.5},
}


def build(db: Path) -> None:
    rows = []
    for part in ("train", "dev"):
        for f in sorted((POLNEAR / part / "text").glob("*.txt")):
            outlet, day = f.stem.split("_")[:2]
            text = f.read_text(encoding="utf-8")
            rows.append({"id": f.stem, "outlet": f"{outlet}.example", "published": day,
                         "title": text.split("\n", 1)[0].strip(), "text": text, "url": f"https://{outlet}.example/{f.stem}"})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "polnear.jsonl"
        src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        report = ingest([str(src)], str(db), Options(analyzers=("entities",)), workers=1)
    print(f"ingested {report.stored} of {len(rows)} articles ({report.failed} failed)")


def stories(db: Path, params: dict) -> dict[str, int]:
    """The story of each article (by file stem) under ``params``, on a copy of the store."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copy(db, copy)
        recluster(copy, **params)
        with Store(copy, readonly=True) as store:
            return {src.rsplit("#", 1)[-1]: sid for src, sid in store.db.execute("SELECT source, story_id FROM articles")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="the store (built on first use)")
    parser.add_argument("--sample", type=int, default=0, help="print this many random same-story pairs to judge")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.db.exists():
        if not POLNEAR.is_dir():
            print(f"bench_stories_polnear: {POLNEAR} is absent (research data, not shipped)", file=sys.stderr)
            return 1
        build(args.db)
    with Store(args.db, readonly=True) as store:
        meta = {src.rsplit("#", 1)[-1]: (pub, title) for src, pub, title in
                store.db.execute("SELECT source, published, title FROM articles")}
    judged = []
    if JUDGED.is_file():
        with open(JUDGED, newline="", encoding="utf-8") as f:
            judged = [(r["a"], r["b"], r["label"]) for r in csv.DictReader(f)]
    for name, params in SETTINGS.items():
        story_of = stories(args.db, params)
        by: dict[int, list[str]] = collections.defaultdict(list)
        for stem, sid in story_of.items():
            by[sid].append(stem)
        sizes = collections.Counter(len(v) for v in by.values())
        pairs = sum(len(v) * (len(v) - 1) // 2 for v in by.values())
        print(f"\n{name}: {len(story_of)} articles, {len(by)} stories, {pairs} same-story pairs, "
              f"sizes {dict(sorted(sizes.items()))}")
        if judged:
            kept = collections.Counter(label for a, b, label in judged if story_of[a] == story_of[b])
            print(f"  of the {len(judged)} judged pairs, in one story: {dict(sorted(kept.items()))}")
        for members in sorted(by.values(), key=len, reverse=True)[:3]:
            print(f"  a story of {len(members)}:")
            for stem in sorted(members, key=lambda s: meta[s])[:8]:
                print(f"    {meta[stem][0]} {stem.split('_')[0]:12} {meta[stem][1][:90]}")
        if args.sample and name == "shipped":
            drawn = [p for v in by.values() for p in itertools.combinations(sorted(v), 2)]
            random.Random(args.seed).shuffle(drawn)
            print("  pairs to judge:")
            for a, b in drawn[:args.sample]:
                print(f"    {a},{b}\n      {meta[a][1][:100]}\n      {meta[b][1][:100]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
