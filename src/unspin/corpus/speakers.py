"""One speaker, one line: the forms of a name that outlet profiles count together.

The quotes analyzer names a speaker by the fullest form *its article* writes,
so across an outlet's articles one person comes as "Donald Trump", "Donald J.
Trump" and, in articles that never write the first name, "Trump". A profile
that counted them apart would split its most-quoted list. Here forms are
joined when a reader would join them:

* full names with the same first and last word ("Donald J. Trump", "Donald
  Trump"; "Hillary Rodham Clinton", "Hillary Clinton");
* a lone surname with the full name that holds at least
  :data:`DOMINANT_SHARE` of that surname's quotes in the outlet ("Obama" with
  "Barack Obama"; "Clinton" stays apart while Bill and Hillary Clinton are
  both quoted).

Each line is shown under its most-quoted form and lists the forms it joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

#: a lone surname joins the full name holding at least this share of that surname's quotes
DOMINANT_SHARE = 0.9


@dataclass
class SpeakerLine:
    """The quotes of one speaker in a profile, over every form of the name."""

    forms: dict[str, int] = field(default_factory=dict)  # form -> quotes

    def add(self, form: str, quotes: int) -> None:
        self.forms[form] = self.forms.get(form, 0) + quotes

    @property
    def quotes(self) -> int:
        return sum(self.forms.values())

    @property
    def name(self) -> str:
        """The most-quoted form (ties: the one with more words, then the first met)."""
        return max(self.forms, key=lambda f: (self.forms[f], len(f.split())))


def _full_key(name: str) -> tuple[str, str] | None:
    words = name.split()
    if len(words) < 2 or words[0].lower() == "the" or not all(w[:1].isupper() for w in words):
        return None
    return words[0].lower(), words[-1].lower()


def join_forms(counts: Iterable[tuple[str, int]]) -> list[SpeakerLine]:
    """Speaker lines from ``(form, quotes)`` pairs, most quoted first."""
    lines: dict[object, SpeakerLine] = {}
    bare: list[tuple[str, int]] = []
    for form, n in counts:
        key = _full_key(form)
        if key is None and len(form.split()) == 1 and form[:1].isupper():
            bare.append((form, n))
            continue
        lines.setdefault(key if key is not None else ("", form), SpeakerLine()).add(form, n)
    by_surname: dict[str, list[tuple[str, str]]] = {}
    for key in lines:
        if isinstance(key, tuple) and key[0]:
            by_surname.setdefault(key[1], []).append(key)  # type: ignore[arg-type]
    for form, n in bare:
        keys = by_surname.get(form.lower(), [])
        total = sum(lines[k].quotes for k in keys)
        top = max(keys, key=lambda k: lines[k].quotes, default=None)
        target: object = top if top is not None and lines[top].quotes >= DOMINANT_SHARE * total else ("", form)
        lines.setdefault(target, SpeakerLine()).add(form, n)
    return sorted(lines.values(), key=lambda line: (-line.quotes, line.name))
