"""Build ``src/unspin/data/first_names.json``: first names that tell a person's gender.

The quotes analyzer resolves "he" and "she" to the most recent compatible
name. A title (Mr., Mrs.) says which names are compatible; so does a first
name most readers would read one way ("Hillary Clinton", "Donald Trump").

The names come from Faker's person providers (MIT licence; the lists are
drawn from national statistics offices' name registers): every locale whose
names are written in the Latin alphabet, folded to lower-case ASCII
("Vladimír" -> "vladimir"). A name that any locale lists for both genders,
or that two locales give different genders ("Andrea": Italian men, English
women), tells no gender: it is listed under "either", as a first name all
the same (the quotes analyzer uses the lists to tell "Bill Clinton" from a
headline's "Top Clinton").

Run by a maintainer, not at install time::

    pip install -e . faker==40.63.0
    python tools/first_names.py            # writes the data file
    python tools/first_names.py --check    # exit 1 if the file differs
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

from unspin.analyzers.quotes.lexicon import fold

OUT = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / "first_names.json"
#: a locale counts as written in the Latin alphabet when this share of its names fold to ASCII letters
LATIN_SHARE = 0.9


def latin(names: list[str]) -> bool:
    return bool(names) and sum(fold(n).replace("-", "").isalpha() for n in names) >= LATIN_SHARE * len(names)


def build() -> dict:
    import faker
    import faker.providers.person as person

    genders: dict[str, set[str]] = {}
    used = []
    for info in sorted(pkgutil.iter_modules(person.__path__), key=lambda m: m.name):
        provider = importlib.import_module(f"faker.providers.person.{info.name}").Provider
        male = list(getattr(provider, "first_names_male", None) or ())
        female = list(getattr(provider, "first_names_female", None) or ())
        if not (latin(male) and latin(female)):
            continue
        used.append(info.name)
        for names, g in ((male, "m"), (female, "f")):
            for n in names:
                key = fold(n)
                if key.replace("-", "").isalpha() and len(key) > 1:
                    genders.setdefault(key, set()).add(g)
    one = {k: next(iter(v)) for k, v in genders.items() if len(v) == 1}
    either = sorted(k for k, v in genders.items() if len(v) > 1)
    return {
        "_comment": "First names that tell a person's gender, for resolving 'he' and 'she' "
                    "(unspin.analyzers.quotes). Built by tools/first_names.py from Faker's person providers "
                    f"(faker {faker.VERSION}, MIT licence, Copyright (c) 2012 Daniele Faraglia): the locales "
                    f"{', '.join(used)}; names folded to lower-case ASCII; names given both genders left out.",
        "male": sorted(k for k, g in one.items() if g == "m"),
        "female": sorted(k for k, g in one.items() if g == "f"),
        "either": either,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the data file is not what this builds")
    text = json.dumps(build(), indent=0, ensure_ascii=False) + "\n"
    if ap.parse_args().check:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'differs'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
