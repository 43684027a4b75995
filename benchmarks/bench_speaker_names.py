"""Which speakers' names a change to the quotes analyzer renames, to read by hand.

    python benchmarks/bench_speaker_names.py dump FOLDER OUT.json          # with the code before the change
    python benchmarks/bench_speaker_names.py dump FOLDER NEW.json          # with the code after it
    python benchmarks/bench_speaker_names.py diff OUT.json NEW.json FOLDER [--sample 30] [--seed 23]

``dump`` runs the quotes analyzer over every ``*.txt`` of FOLDER (PolNeAR's
``train/text`` or ``dev/text``) and writes each speaker mention's start, text
and name. ``diff`` counts the speaker mentions whose name changed and prints a seeded
random sample of them with the 500 characters before each, for a reader to
judge (docs/attribution-eval.md, "Speaker names: what the figures do not
measure"). The span figures of ``unspin eval quotes`` do not see names.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from unspin import analyze


def dump(folder: Path, out: Path) -> None:
    names = {}
    for path in sorted(folder.glob("*.txt")):
        analysis = analyze(path.read_text(encoding="utf-8"), analyzers=["quotes"])
        names[path.name] = [(q.speaker.start, q.speaker.text, q.speaker.name) for q in analysis.quotes if q.speaker]
    out.write_text(json.dumps(names), encoding="utf-8")
    print(f"{len(names)} articles, {sum(map(len, names.values()))} speakers -> {out}")


def diff(before: Path, after: Path, folder: Path, sample: int, seed: int) -> None:
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (before, after))
    changed, total = [], 0
    for name, speakers in old.items():
        # one speaker mention may say several quotes: each mention counts once
        was_at = {start: (text, was) for start, text, was in speakers}
        now_at = {start: now for start, _, now in new.get(name, [])}
        total += len(was_at)
        changed += [(name, start, text, was, now_at[start]) for start, (text, was) in was_at.items()
                    if start in now_at and now_at[start] != was]
    print(f"speaker mentions {total}, renamed {len(changed)}")
    random.Random(seed).shuffle(changed)
    for k, (name, start, text, was, now) in enumerate(changed[:sample]):
        analysed = analyze((folder / name).read_text(encoding="utf-8"), analyzers=["quotes"]).text
        print(f"[{k}] {name} {text!r}: {was} -> {now}")
        print("    " + analysed[max(0, start - 500):start + 80].replace("\n", " / "))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("folder", type=Path)
    d.add_argument("out", type=Path)
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    c.add_argument("folder", type=Path)
    c.add_argument("--sample", type=int, default=30)
    c.add_argument("--seed", type=int, default=23)
    args = ap.parse_args()
    if args.command == "dump":
        dump(args.folder, args.out)
    else:
        diff(args.before, args.after, args.folder, args.sample, args.seed)


if __name__ == "__main__":
    main()
