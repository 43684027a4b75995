"""Stories on real coverage: a judged sample of PolNeAR article pairs, weighted precision and recall.

    python benchmarks/bench_stories_polnear.py --db /tmp/polnear.db          # ingest once (about 6 min), report
    python benchmarks/bench_stories_polnear.py --db /tmp/polnear.db --grid   # + every setting, the rule, CV
    python benchmarks/bench_stories_polnear.py --db /tmp/polnear.db --show 10  # the next pairs to judge, blind
    python benchmarks/bench_stories_polnear.py --db /tmp/polnear.db --draw   # (done once) strata and the draw

The articles are PolNeAR's 923 dated texts of the train and dev splits
(``../shared/data/attribution-polnear-en``: 7 US outlets, Nov 2015 - Oct
2016, mostly the presidential campaign; research data, not shipped: the
script says so and stops when it is absent). The outlet and date come from
each file's name, the title from its first line. They go through
``unspin.corpus.ingest`` with the entities analyzer only; the stories are
then built again on a copy of the store for each setting.

**The population** is every *candidate pair*: two stored articles
published at most one calendar day apart (the shipped ``WINDOW_DAYS``),
4,200 pairs. Each has the shipped setting's pair score
(:func:`unspin.corpus.stories.pair_score`: cosine + 0.25 x shared names -
0.2 when the lead days differ). **The strata** (:data:`STRATA`) are bands of
that score, the 0.6-0.7 band split by whether the setting shipped on
2026-12-07 (complete link at 0.6) put the pair in one story (40 pairs of
its stories had been drawn at random and judged before, and are a random
draw of that part); pairs scoring below 0.2 are not sampled. ``--draw``
drew each stratum's pairs at random (seed :data:`SEED`), kept the earlier
judgements, and wrote ``benchmarks/stories/polnear-strata.csv`` (the size
of each stratum and how many were drawn) and the pairs to
``benchmarks/stories/polnear-judged.csv`` (file names, stratum, score,
label; the texts are not copied). Each pair was judged by hand with the
set's rule (``benchmarks/stories/README.md``) on titles and first
paragraphs: ``T`` same event, ``F`` different events, ``B`` borderline.
``--show`` prints the pairs still unjudged, in a random order, without
their score or stratum.

**Estimates** weight each judged pair by its stratum's size over the
number judged in it (:func:`estimate`). Precision: the weighted same-event
pairs among the judged pairs a setting puts in one story, over the
weighted judged pairs it puts in one story plus the pairs it puts in one
story outside the sampled population (scoring below 0.2, or published
more than a day apart through a near-duplicate link), all counted wrong.
Recall is measured against the same-event pairs among candidate pairs
scoring 0.2 or more: a same-event pair further apart in time, or scoring
lower, is not counted. *Strict* counts borderline pairs as different
events, *lenient* as the same event. Intervals: 5th and 95th percentiles
of a bootstrap within strata (1,000 draws).

``--grid`` clusters the articles again for each setting of the grid
(names weight, lead weight, lead gate, threshold; complete link, day
penalty 0.2, one day), applies the selection rule (:func:`choose`) to all
judged pairs and estimates it by cross-validation: the weeks are dealt at
random into five folds, the rule chooses on the judged pairs of four and is
scored on the fifth (weights from each part's own strata), the folds
pooled. Each pair's signals (cosine, shared names, lead days, lead cosine)
are computed once with :mod:`unspin.corpus.stories`' own functions, and
:func:`simulate` replays ``assign_stories`` on them in milliseconds per
setting; the run checks that it finds the same stories as the real
``assign_stories`` for the defaults and the chosen setting. The estimates
hold for any method whose same-story pairs lie among the candidate pairs
(published at most a day apart): the others count as wrong.
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
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from bench_stories import recluster

from unspin.config import Options
from unspin.corpus.ingest import ingest
from unspin.corpus.stories import (
    DocumentFrequencies,
    _day,
    days_differ,
    entity_names,
    lead_days,
    lead_vector,
    lead_words,
    name_overlap,
    pair_score,
)
from unspin.store import Store

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "data" / "attribution-polnear-en"
JUDGED = ROOT / "benchmarks" / "stories" / "polnear-judged.csv"
STRATA_FILE = ROOT / "benchmarks" / "stories" / "polnear-strata.csv"
#: Seed of the draw (``--draw``), of the blind order of ``--show`` and of the bootstrap.
SEED = 2016
#: The setting shipped on 2026-12-07, which defines the strata (whatever the defaults are now).
STRATA_SETTING = {"linkage": "complete", "entity_weight": 0.25, "day_penalty": 0.2, "window_days": 1,
                  "lead_weight": 0.0, "lead_gate": None, "threshold": 0.6}
#: Candidate pairs: published at most this many calendar days apart.
WINDOW = 1
#: Stratum name, lowest score, highest score (excluded), joined by the 2026-12-07 setting (None: either),
#: pairs drawn (None: all).
STRATA = (
    ("0.7+", 0.7, np.inf, None, None),
    ("0.6-0.7 joined", 0.6, 0.7, True, 40),
    ("0.6-0.7 apart", 0.6, 0.7, False, 30),
    ("0.5-0.6", 0.5, 0.6, None, 60),
    ("0.4-0.5", 0.4, 0.5, None, 60),
    ("0.3-0.4", 0.3, 0.4, None, 60),
    ("0.2-0.3", 0.2, 0.3, None, 40),
)
#: The selection rule's precision (strict, weighted) and its floor on recall for a "usable" setting.
MIN_PRECISION = 0.9
MIN_RECALL = 0.2
#: The grid of ``--grid``: names weight x lead weight x lead gate x threshold, with complete link, a day
#: penalty of 0.2 and a window of one day. (The grid before the lead signal also held average link, penalties
#: 0-0.3 and a window of 0 days; none of them was chosen, and on the chosen setting the penalty changes no pair.)
GRID_LINKAGES = ("complete",)
GRID_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
GRID_DAY_PENALTIES = (0.2,)
GRID_WINDOWS = (1,)
GRID_LEAD_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
GRID_LEAD_GATES = (None, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3)
#: Thresholds from 0.50 in steps of 0.05, up to the first that joins no pair (at most 3.0).
GRID_THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(51))
FOLDS = 5
OTHER_SETTINGS = {
    "before the lead gate": {"linkage": "complete", "entity_weight": 0.5, "window_days": 1, "day_penalty": 0.2,
                             "lead_weight": 0.0, "lead_gate": None, "threshold": 0.95},
    "round 3": {"linkage": "average", "entity_weight": 1.0, "window_days": 1, "day_penalty": 0.0,
                "lead_weight": 0.0, "lead_gate": None, "threshold": 0.7},
    "before the set": {"linkage": "single", "entity_weight": 0.0, "window_days": 3, "day_penalty": 0.0,
                       "lead_weight": 0.0, "lead_gate": None, "threshold": 0.5},
}

Pair = tuple[str, str]


@dataclass
class Art:
    stem: str
    day: date
    names: frozenset[str]
    leads: frozenset[date]
    vector: np.ndarray
    lead: dict[str, float]  # the lead's TF-IDF vector (lead_vector), rarity from the store's full-text index
    id: int
    duplicate_of: int | None


@dataclass
class Judged:
    pair: Pair
    stratum: str
    score: float
    label: str  # T, F, B, or "" while unjudged
    note: str


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


def articles(db: Path) -> dict[str, Art]:
    """Every stored article by file stem, with what the pair score reads."""
    sql = ("SELECT a.source, a.published, a.title, json_extract(a.analysis, '$.text'), a.outlet_name, "
           "json_extract(a.analysis, '$.entities'), e.vector, a.id, a.duplicate_of "
           "FROM articles a JOIN embeddings e ON e.article_id = a.id")
    out = {}
    with Store(db, readonly=True) as store:
        frequencies = DocumentFrequencies(store.db)
        for src, pub, title, text, outlet_name, entities, blob, aid, dup in store.db.execute(sql).fetchall():
            day = _day(pub)
            assert day is not None, src
            stem = src.rsplit("#", 1)[-1]
            out[stem] = Art(stem, day, entity_names(json.loads(entities) if entities else None, outlet_name),
                            lead_days(title, text or "", day), np.frombuffer(blob, dtype="<f4"),
                            lead_vector(lead_words(title, text or ""), frequencies), aid, dup)
    return out


def candidates(arts: dict[str, Art]) -> dict[Pair, float]:
    """Every pair published at most :data:`WINDOW` days apart, with the 2026-12-07 setting's pair score."""
    out = {}
    for a, b in itertools.combinations(sorted(arts.values(), key=lambda x: x.stem), 2):
        if abs((a.day - b.day).days) <= WINDOW:
            out[(a.stem, b.stem)] = pair_score(float(a.vector @ b.vector), a.names, b.names, a.leads, b.leads,
                                               entity_weight=STRATA_SETTING["entity_weight"],
                                               day_penalty=STRATA_SETTING["day_penalty"], lead_weight=0.0,
                                               lead_gate=None)
    return out


def stratum(score: float, joined: bool) -> str | None:
    for name, lo, hi, join, _ in STRATA:
        if lo <= score < hi and (join is None or join == joined):
            return name
    return None


def stories(db: Path, params: dict[str, Any]) -> dict[str, int]:
    """The story of each article (by file stem) under ``params``, on a copy of the store."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copy(db, copy)
        recluster(copy, **params)
        with Store(copy, readonly=True) as store:
            return {src.rsplit("#", 1)[-1]: sid for src, sid in store.db.execute("SELECT source, story_id FROM articles")}


def same_story_pairs(story_of: dict[str, int]) -> set[Pair]:
    by: dict[int, list[str]] = collections.defaultdict(list)
    for stem, sid in story_of.items():
        by[sid].append(stem)
    return {p for members in by.values() for p in itertools.combinations(sorted(members), 2)}


def population(db: Path, arts: dict[str, Art]) -> dict[Pair, str | None]:
    """The stratum of every candidate pair (None below the lowest band)."""
    joined = same_story_pairs(stories(db, STRATA_SETTING))
    return {p: stratum(s, p in joined) for p, s in candidates(arts).items()}


def read_judged(path: Path = JUDGED) -> list[Judged]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [Judged((r["a"], r["b"]), r.get("stratum", ""), float(r.get("score") or "nan"), r["label"],
                       r.get("note", "")) for r in csv.DictReader(f)]


def write_judged(rows: list[Judged], path: Path = JUDGED) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["a", "b", "stratum", "score", "label", "note"])
        for r in rows:
            w.writerow([*r.pair, r.stratum, f"{r.score:.3f}", r.label, r.note])


def draw(db: Path, arts: dict[str, Art]) -> None:
    """Draw each stratum's pairs at random, keeping the pairs judged before; write the two CSV files."""
    scores = candidates(arts)
    strata = population(db, arts)
    before = {r.pair: r for r in read_judged()}
    rng = random.Random(SEED)
    rows, sizes = [], []
    for name, *_, quota in STRATA:
        members = sorted(p for p, s in strata.items() if s == name)
        kept = [p for p in members if p in before]
        rest = [p for p in members if p not in before]
        drawn = kept + (rest if quota is None else rng.sample(rest, max(0, quota - len(kept))))
        sizes.append((name, len(members), len(drawn)))
        for p in sorted(drawn):
            old = before.pop(p, None)
            rows.append(Judged(p, name, scores[p], old.label if old else "", old.note if old else ""))
    if before:
        raise SystemExit(f"bench_stories_polnear: {len(before)} judged pairs fall in no stratum, e.g. {next(iter(before))}")
    write_judged(rows)
    with open(STRATA_FILE, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["stratum", "candidate_pairs", "drawn"])
        w.writerows(sizes)
        w.writerow(["below 0.2 (not sampled)", sum(s is None for s in strata.values()), 0])
    print(f"drew {len(rows)} pairs ({sum(bool(r.label) for r in rows)} judged before): {sizes}")


def show(db: Path, n: int) -> None:
    """Print the next ``n`` unjudged pairs, in a random order, without score or stratum."""
    todo = [r for r in read_judged() if not r.label]
    random.Random(SEED).shuffle(todo)
    with Store(db, readonly=True) as store:
        text = {src.rsplit("#", 1)[-1]: t for src, t in
                store.db.execute("SELECT source, json_extract(analysis, '$.text') FROM articles")}
    print(f"{len(todo)} pairs to judge")
    for r in todo[:n]:
        print(f"\n=== {r.pair[0]},{r.pair[1]}")
        for stem in r.pair:
            paras = [ln.strip() for ln in text[stem].splitlines() if ln.strip()]
            print(f"--- {stem.split('_')[0]} {stem.split('_')[1]}\n" + "\n".join(p[:500] for p in paras[:4]))


# -- estimates ---------------------------------------------------------------------------


def weights(judged: list[Judged], strata: dict[Pair, str | None]) -> dict[str, float]:
    """Each stratum's candidate pairs over its judged pairs, among the pairs given."""
    n = collections.Counter(r.stratum for r in judged)
    size = collections.Counter(s for p, s in strata.items() if s in n)
    return {s: size[s] / n[s] for s in n}


def estimate(judged: list[Judged], predicted: set[Pair], outside: int, w: dict[str, float],
             lenient: bool = False) -> dict[str, float]:
    """Weighted precision and recall of ``predicted`` from the judged pairs (see the module's docstring)."""
    same = {"T", "B"} if lenient else {"T"}
    tp = sum(w[r.stratum] for r in judged if r.pair in predicted and r.label in same)
    pred = sum(w[r.stratum] for r in judged if r.pair in predicted) + outside
    pos = sum(w[r.stratum] for r in judged if r.label in same)
    precision = tp / pred if pred else 1.0
    recall = tp / pos if pos else 1.0
    return {"precision": precision, "recall": recall, "tp": tp, "predicted": pred, "positives": pos}


def bootstrap(judged: list[Judged], predicted: set[Pair], outside: int, w: dict[str, float],
              reps: int = 1000) -> dict[str, tuple[float, float]]:
    """5th and 95th percentiles of precision and recall, resampling the judged pairs within each stratum."""
    rng = random.Random(SEED)
    by: dict[str, list[Judged]] = collections.defaultdict(list)
    for r in judged:
        by[r.stratum].append(r)
    ps, rs = [], []
    for _ in range(reps):
        sample = [rng.choice(rows) for rows in by.values() for _ in rows]
        e = estimate(sample, predicted, outside, w)
        ps.append(e["precision"])
        rs.append(e["recall"])
    return {"precision": (float(np.percentile(ps, 5)), float(np.percentile(ps, 95))),
            "recall": (float(np.percentile(rs, 5)), float(np.percentile(rs, 95)))}


#: linkage, names weight, day penalty, window, lead weight, lead gate, threshold (always last)
Setting = tuple[str, float, float, int, float, "float | None", float]


def params(s: Setting) -> dict[str, Any]:
    return {"linkage": s[0], "entity_weight": s[1], "day_penalty": s[2], "window_days": s[3], "lead_weight": s[4],
            "lead_gate": s[5], "threshold": s[6]}


def forms() -> list[tuple[str, float, float, int, float, float | None]]:
    """The settings of the grid without their threshold."""
    return list(itertools.product(GRID_LINKAGES, GRID_WEIGHTS, GRID_DAY_PENALTIES, GRID_WINDOWS, GRID_LEAD_WEIGHTS,
                                  GRID_LEAD_GATES))


@dataclass
class Predicted:
    pairs: set[Pair]  # candidate pairs in one story
    outside: dict[str, int]  # same-story pairs outside the sampled population, by week


def predicted(story_of: dict[str, int], strata: dict[Pair, str | None], arts: dict[str, Art]) -> Predicted:
    pairs = same_story_pairs(story_of)
    outside: dict[str, int] = collections.Counter(week(p, arts) for p in pairs if strata.get(p) is None)
    return Predicted(pairs, dict(outside))


def week(p: Pair, arts: dict[str, Art]) -> str:
    """The ISO year and week of the earlier article of a pair."""
    y, w, _ = min(arts[p[0]].day, arts[p[1]].day).isocalendar()
    return f"{y}-W{w:02d}"


def choose(judged: list[Judged], preds: dict[Setting, Predicted], w: dict[str, float],
           weeks: set[str] | None = None) -> tuple[Setting, bool]:
    """The selection rule: precision at least 0.9 among the usable settings, then recall.

    A setting is *usable* when its strict weighted recall is at least
    :data:`MIN_RECALL`. A usable setting qualifies when its strict weighted
    precision is at least :data:`MIN_PRECISION` there and at the next lower
    threshold of the grid with the same linkage, weight, penalty and window
    (a margin against a lucky step); among those, the highest strict recall,
    then precision, then grid order. When none qualifies, the most precise
    usable setting (then recall, then grid order). The flag says whether a
    setting qualified. ``weeks`` restricts the pairs outside the sample to
    those weeks.

    The rule was written before any pair was judged, with one change after:
    its first version (in the git history) applied the recall floor only
    when no setting qualified, and chose a setting that puts 8 pairs of the
    923 articles in one story (recall 0.06), which is not usable.
    """
    def est(s: Setting) -> dict[str, float]:
        out = sum(n for wk, n in preds[s].outside.items() if weeks is None or wk in weeks)
        return estimate(judged, preds[s].pairs, out, w)

    scored = {s: est(s) for s in preds}
    order = list(preds)
    usable = [s for s in order if scored[s]["recall"] >= MIN_RECALL] or order
    ok = []
    for s in usable:
        lower = (*s[:-1], round(s[-1] - 0.05, 2))
        if scored[s]["precision"] >= MIN_PRECISION and (lower not in scored or scored[lower]["precision"] >= MIN_PRECISION):
            ok.append(s)
    if ok:
        return max(ok, key=lambda s: (scored[s]["recall"], scored[s]["precision"], -order.index(s))), True
    return max(usable, key=lambda s: (scored[s]["precision"], scored[s]["recall"], -order.index(s))), False


def cross_validate(judged: list[Judged], preds: dict[Setting, Predicted], strata: dict[Pair, str | None],
                   arts: dict[str, Art]) -> dict[str, Any]:
    """Weeks dealt at random into :data:`FOLDS` folds: choose on four, score the fifth, pool."""
    weeks = sorted({week(p, arts) for p in strata})
    random.Random(SEED).shuffle(weeks)
    fold_of = {wk: i % FOLDS for i, wk in enumerate(weeks)}
    tp = pred = pos = 0.0
    folds = []
    for k in range(FOLDS):
        train_weeks = {wk for wk, f in fold_of.items() if f != k}
        test_weeks = {wk for wk, f in fold_of.items() if f == k}
        train = [r for r in judged if fold_of[week(r.pair, arts)] != k]
        test = [r for r in judged if fold_of[week(r.pair, arts)] == k]
        train_w = weights(train, {p: s for p, s in strata.items() if week(p, arts) in train_weeks})
        test_w = weights(test, {p: s for p, s in strata.items() if week(p, arts) in test_weeks})
        setting, qualified = choose(train, preds, train_w, train_weeks)
        out = sum(n for wk, n in preds[setting].outside.items() if wk in test_weeks)
        e = estimate(test, preds[setting].pairs, out, test_w)
        tp, pred, pos = tp + e["tp"], pred + e["predicted"], pos + e["positives"]
        folds.append({"fold": k, "judged": len(test), "setting": params(setting), "qualified": qualified,
                      "precision": round(e["precision"], 3), "recall": round(e["recall"], 3)})
    return {"precision": tp / pred if pred else 1.0, "recall": tp / pos if pos else 1.0, "folds": folds}


# -- the report ----------------------------------------------------------------------------


def describe(name: str, judged: list[Judged], p: Predicted, w: dict[str, float], *, interval: bool = True) -> str:
    out = sum(p.outside.values())
    strict, lenient = estimate(judged, p.pairs, out, w), estimate(judged, p.pairs, out, w, lenient=True)
    line = (f"{name:28} P {strict['precision']:.3f} R {strict['recall']:.3f}  (lenient P {lenient['precision']:.3f} "
            f"R {lenient['recall']:.3f})  same-story pairs {len(p.pairs)}, {out} outside the sample")
    if interval:
        ci = bootstrap(judged, p.pairs, out, w)
        line += (f"\n{'':28} 90% interval P {ci['precision'][0]:.3f}-{ci['precision'][1]:.3f}, "
                 f"R {ci['recall'][0]:.3f}-{ci['recall'][1]:.3f}")
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="the store (built on first use)")
    parser.add_argument("--draw", action="store_true", help="draw the pairs to judge (done once; keeps the labels)")
    parser.add_argument("--show", type=int, default=0, help="print this many unjudged pairs, blind")
    parser.add_argument("--grid", action="store_true", help="every setting of the grid, the selection rule and CV")
    args = parser.parse_args(argv)
    if not args.db.exists():
        if not POLNEAR.is_dir():
            print(f"bench_stories_polnear: {POLNEAR} is absent (research data, not shipped)", file=sys.stderr)
            return 1
        build(args.db)
    arts = articles(args.db)
    if args.draw:
        draw(args.db, arts)
        return 0
    if args.show:
        show(args.db, args.show)
        return 0
    judged = [r for r in read_judged() if r.label]
    if not judged:
        print("bench_stories_polnear: no judged pairs", file=sys.stderr)
        return 1
    strata = population(args.db, arts)
    w = weights(judged, strata)
    labels = collections.Counter((r.stratum, r.label) for r in judged)
    print(f"{len(arts)} articles, {len(strata)} candidate pairs, {len(judged)} judged  ({time.strftime('%Y-%m-%d')})")
    for name, *_ in STRATA:
        size = sum(s == name for s in strata.values())
        print(f"  {name:16} {size:5d} pairs, judged T/B/F {labels[(name, 'T')]}/{labels[(name, 'B')]}/"
              f"{labels[(name, 'F')]}  weight {w.get(name, 0):.2f}")
    print()
    from unspin.corpus import stories as module
    shipped = {"linkage": module.LINKAGE, "entity_weight": module.ENTITY_WEIGHT, "day_penalty": module.DAY_PENALTY,
               "window_days": module.WINDOW_DAYS, "lead_weight": module.LEAD_WEIGHT, "lead_gate": module.LEAD_GATE,
               "threshold": module.THRESHOLD}
    for name, setting in {"defaults": shipped, "2026-12-07 setting": STRATA_SETTING, **OTHER_SETTINGS}.items():
        print(describe(name, judged, predicted(stories(args.db, setting), strata, arts), w))
    if args.grid:
        signals = Signals.of(arts)
        preds = run_grid(signals, strata, arts)
        print(f"\ngrid (strict), {len(preds)} settings: linkage names penalty window lead-weight gate threshold -> P R")
        for s, p in preds.items():
            e = estimate(judged, p.pairs, sum(p.outside.values()), w)
            print(f"  {s[0]:8} {s[1]:.2f} {s[2]:.2f} {s[3]} {s[4]:.2f} {s[5] if s[5] is not None else '-':>4} "
                  f"{s[6]:.2f} -> {e['precision']:.3f} {e['recall']:.3f}")
        chosen, qualified = choose(judged, preds, w)
        print(f"\nselection rule on all judged pairs: {params(chosen)}"
              f"{'' if qualified else f' (no setting reaches precision {MIN_PRECISION}: the most precise usable one)'}")
        print(describe("  chosen", judged, preds[chosen], w))
        for name, setting in (("defaults", shipped), ("chosen", params(chosen))):
            real = same_story_pairs(stories(args.db, setting))
            replay = same_story_pairs(simulate(signals, setting))
            if real != replay:
                print(f"bench_stories_polnear: the replay differs from assign_stories for the {name} setting "
                      f"({len(real ^ replay)} pairs)", file=sys.stderr)
                return 1
        print("  (the replay finds the same stories as assign_stories for the defaults and the chosen setting)")
        cv = cross_validate(judged, preds, strata, arts)
        print(f"\n{FOLDS}-fold cross-validation by week: P {cv['precision']:.3f} R {cv['recall']:.3f}")
        for f in cv["folds"]:
            print(f"  fold {f['fold']}: {f['judged']} judged, chosen {f['setting']}"
                  f"{'' if f['qualified'] else ' (none qualified)'} -> P {f['precision']:.3f} R {f['recall']:.3f}")
    return 0


@dataclass
class Signals:
    """Every article's signals with every other, as matrices in the order of ``stems``."""

    stems: list[str]
    cosine: np.ndarray
    names: np.ndarray  # name overlap
    days_differ: np.ndarray  # 1.0 when both leads name days and share none
    lead: np.ndarray  # lead cosine
    days: list[int]  # publication day ordinals
    ids: list[int]  # store ids
    duplicate_of: list[int | None]  # store id of the original of a near-duplicate

    @classmethod
    def of(cls, arts: dict[str, Art]) -> Signals:
        stems = sorted(arts)
        n = len(stems)
        vectors = np.stack([arts[s].vector for s in stems])
        names, days = np.zeros((n, n)), np.zeros((n, n))
        for i, j in itertools.combinations(range(n), 2):
            a, b = arts[stems[i]], arts[stems[j]]
            names[i, j] = names[j, i] = name_overlap(a.names, b.names)
            days[i, j] = days[j, i] = float(days_differ(a.leads, b.leads))
        vocab = {t: k for k, t in enumerate(sorted({t for s in stems for t in arts[s].lead}))}
        leads = np.zeros((n, len(vocab)))
        for i, s in enumerate(stems):
            for t, x in arts[s].lead.items():
                leads[i, vocab[t]] = x
        return cls(stems, vectors @ vectors.T, names, days, leads @ leads.T, [arts[s].day.toordinal() for s in stems],
                   [arts[s].id for s in stems], [arts[s].duplicate_of for s in stems])


def simulate(signals: Signals, setting: dict[str, Any]) -> dict[str, int]:
    """``assign_stories`` replayed on the signals of a store whose articles have no story yet: the story of each.

    The same order (publication day, near-duplicates after originals, id),
    the same pair score (:func:`unspin.corpus.stories.pair_score`: the lead
    gate makes a pair score minus infinity), the same window over a story's
    dated articles and the same near-duplicate link; every article is dated.
    """
    stems = signals.stems
    score = signals.cosine + setting["entity_weight"] * signals.names - setting["day_penalty"] * signals.days_differ
    score = score + setting["lead_weight"] * signals.lead
    if setting["lead_gate"] is not None:
        score = np.where(signals.lead >= setting["lead_gate"], score, -np.inf)
    aggregate = {"complete": min, "average": lambda xs: sum(xs) / len(xs), "single": max}[setting["linkage"]]
    window, threshold = setting["window_days"], setting["threshold"]
    by_id = {aid: i for i, aid in enumerate(signals.ids)}
    order = sorted(range(len(stems)), key=lambda i: (signals.days[i], signals.duplicate_of[i] is not None,
                                                       signals.ids[i]))
    story: dict[int, int] = {}
    spans: dict[int, tuple[int, int]] = {}
    by_day: dict[int, list[int]] = collections.defaultdict(list)
    anyday: list[int] = []
    for i in order:
        day, dup = signals.days[i], signals.duplicate_of[i]
        original = by_id.get(dup) if dup is not None else None
        sid = story.get(original) if original is not None else None
        copy = sid is not None
        if sid is None:
            per: dict[int, list[float]] = collections.defaultdict(list)
            for j in [j for k in range(day - window, day + window + 1) for j in by_day.get(k, ())] + anyday:
                first, last = spans.get(story[j], (day, day))
                if max(last, day) - min(first, day) <= window:
                    per[story[j]].append(float(score[i, j]))
            best, best_score = None, -np.inf
            for candidate in sorted(per):
                value = aggregate(per[candidate])
                if value > best_score:
                    best, best_score = candidate, value
            if best is not None and best_score >= threshold:
                sid = best
        if sid is None:
            sid = len(story)  # a new story, its id that of its first article's turn
        story[i] = sid
        if copy:
            anyday.append(i)
        else:
            by_day[day].append(i)
            first, last = spans.get(sid, (day, day))
            spans[sid] = (min(first, day), max(last, day))
    return {stems[i]: sid for i, sid in story.items()}


def run_grid(signals: Signals, strata: dict[Pair, str | None], arts: dict[str, Art]) -> dict[Setting, Predicted]:
    """The stories of every setting of the grid (each threshold of a form until one joins no pair)."""
    out = {}
    for form in forms():
        for t in GRID_THRESHOLDS:
            s = (*form, t)
            out[s] = predicted(simulate(signals, params(s)), strata, arts)
            if not out[s].pairs:
                break
    return out


if __name__ == "__main__":
    raise SystemExit(main())
