"""Person names as an article writes them: "Putin" and "the Russian President
Vladimir Putin" are one person, "Vladimir Putin" (the fullest form).

A name the article only ever writes inside quotation marks is the quoted
speaker's wording, often an epithet ("working Crooked Hillary Clinton"): it
stands for the person only when the article's own text names them no other
way, so "Hillary Clinton", written outside the quotes, is her name.

Used by the quotes analyzer (speakers) and the roles model (mention groups).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

POSSESSIVE_RE = re.compile(r"(?:['’]s|['’])$")
#: words written in lower case
_LOWER_WORD_RE = re.compile(r"\b[a-z]+\b")
#: the last word before a position, and its full stop ("Mrs. ")
_LAST_WORD_RE = re.compile(r"(\w+)\.?[ \t]+$")


def name_words(text: str, titles: frozenset[str]) -> list[str]:
    """The words of a name without leading titles and a possessive ending."""
    words = POSSESSIVE_RE.sub("", text.strip()).split()
    while len(words) > 1 and words[0].lower().rstrip(".") in titles:
        words.pop(0)
    return words


#: A candidate full name ranked for "the fullest": more words first, then the
#: one recorded first (the order :func:`max` keeps among equals).
_Rank = tuple[int, int]


def _better(best: tuple[_Rank, str] | None, rank: _Rank, name: str) -> tuple[_Rank, str]:
    return (rank, name) if best is None or rank > best[0] else best


@dataclass
class _KeyLookup:
    """What :meth:`NameIndex.fullest` needs for one last word, built once.

    The answer to a query never scans every name sharing the last word:
    the fullest name per first word and per word-suffix is kept, and the
    latest mention before a position is a binary search.
    """

    candidates: list[str]
    #: lower-case first word → fullest candidate starting with it
    by_first: dict[str, tuple[_Rank, str]]
    #: lower-case word tuple → fullest candidate equal to it
    by_words: dict[tuple[str, ...], tuple[_Rank, str]]
    #: lower-case word-suffix → fullest candidate ending with it
    by_suffix: dict[tuple[str, ...], tuple[_Rank, str]]
    #: mentions (start, name) whose name is a "full" candidate, sorted
    full_mentions: list[tuple[int, str]]
    full_starts: list[int]
    #: the full names in the order the article first writes them
    by_first_use: list[str]
    #: case-sensitive first word → fullest "full" candidate starting with it
    full_by_first: dict[str, str]
    #: gender ("m", "f", None) → where the first full name of that gender is in ``by_first_use``
    #: (built at the first titled query)
    first_by_gender: dict[str | None, int] | None = None

    @classmethod
    def build(cls, names: list[tuple[int, str]], mentions: list[tuple[int, str]]) -> "_KeyLookup":
        candidates = [n for _, n in names]
        by_first: dict[str, tuple[_Rank, str]] = {}
        by_words: dict[tuple[str, ...], tuple[_Rank, str]] = {}
        by_suffix: dict[tuple[str, ...], tuple[_Rank, str]] = {}
        for order, c in enumerate(candidates):
            cw = tuple(c.lower().split())
            rank = (len(cw), -order)
            by_first[cw[0]] = _better(by_first.get(cw[0]), rank, c)
            by_words[cw] = _better(by_words.get(cw), rank, c)
            for k in range(len(cw)):
                by_suffix[cw[k:]] = _better(by_suffix.get(cw[k:]), rank, c)
        full = [c for c in candidates if len(c.split()) > 1] or candidates
        full_set = set(full)
        full_mentions = sorted((s, n) for s, n in mentions if n in full_set)
        full_by_first: dict[str, tuple[_Rank, str]] = {}
        for order, c in enumerate(full):
            first = c.split()[0]
            full_by_first[first] = _better(full_by_first.get(first), (len(c.split()), -order), c)
        return cls(
            candidates=candidates,
            by_first=by_first,
            by_words=by_words,
            by_suffix=by_suffix,
            full_mentions=full_mentions,
            full_starts=[s for s, _ in full_mentions],
            by_first_use=[n for _, n in sorted(names) if n in full_set],
            full_by_first={k: v[1] for k, v in full_by_first.items()},
        )

    def same_person(self, low: list[str]) -> str | None:
        """The fullest candidate that shares the first word of ``low``, is a
        word-suffix of it, or has it as a word-suffix."""
        found: tuple[_Rank, str] | None = None
        for hit in (
            self.by_first.get(low[0]),
            self.by_suffix.get(tuple(low)),
            *(self.by_words.get(tuple(low[-k:])) for k in range(1, len(low) + 1)),
        ):
            if hit is not None:
                found = _better(found, *hit)
        return found[1] if found is not None else None

    def for_bare(self, pos: int, since: int, said: str | None, gender_of: Callable[[str], str | None] | None) -> str:
        """The full name a bare last name at ``pos`` stands for: the one written last at or
        before ``pos`` and not before ``since`` (its paragraph), else the first the article
        wrote; with a title's gender ``said`` ("Mrs. Clinton"), among the names not known
        to be of the other gender, if any."""
        k = bisect.bisect_right(self.full_starts, pos)
        local = self.full_mentions[k - 1][1] if k and self.full_starts[k - 1] >= since else None
        if said is None or gender_of is None:
            return local or self.by_first_use[0]
        if local is not None and gender_of(local) in (None, said):
            return local
        if self.first_by_gender is None:  # once per lookup: a query never scans every namesake
            self.first_by_gender = {}
            for i, n in enumerate(self.by_first_use):
                self.first_by_gender.setdefault(gender_of(n), i)
        fitting = [self.first_by_gender[g] for g in (said, None) if g in self.first_by_gender]
        return self.by_first_use[min(fitting)] if fitting else local or self.by_first_use[0]

@dataclass
class NameIndex:
    """PERSON mentions grouped by last word: "Putin" → "Vladimir Putin"."""

    titles: frozenset[str]
    #: offsets of the text's paragraph breaks (newlines), sorted: a bare last name takes the full name
    #: written last in its own paragraph, else the first one the article wrote
    breaks: Sequence[int] = ()
    #: the gender a full name tells ("m", "f" or None), and the one a title tells: "Mrs. Clinton"
    #: is not "Bill Clinton"
    gender_of: Callable[[str], str | None] | None = None
    gender_of_title: Callable[[str], str | None] | None = None
    #: the text the mentions are in (for titles written before a name, and words it writes in lower case)
    text: str = ""
    #: whether a word is a first name: a name's first word that is not one, and that the text
    #: also writes in lower case, is a word glued to the name ("Top Clinton adviser" in a
    #: headline, "Rival Hillary Clinton"), not part of it
    is_first_name: Callable[[str], bool] | None = None
    _lower_words: set[str] | None = field(default=None, repr=False)
    #: last word (lower) → [(first occurrence, full name)]
    names: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    #: last word (lower) → start offsets of its mentions, with the full name used
    mentions: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    _known: dict[str, set[str]] = field(default_factory=dict, repr=False)
    #: last word (lower) → the full names written at least once outside quotation marks
    _outside: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _lookups: dict[str, _KeyLookup] = field(default_factory=dict, repr=False)

    def words(self, text: str) -> list[str]:
        """The words of the name ``text`` (:func:`name_words`) without a word glued before it: one
        that is no first name, and that the text also writes in lower case or that stands before a
        first name and more ("Top Clinton", "Universe Alicia Machado")."""
        words = name_words(text, self.titles)
        if len(words) > 1 and self.is_first_name is not None and self.text and not self.is_first_name(words[0]):
            if self._lower_words is None:
                self._lower_words = set(_LOWER_WORD_RE.findall(self.text))
            # ... unless what is left is a common word too ("Vigo County" is a place spaCy took for a person);
            # and a word before a first name and a surname ("Miss Universe Alicia Machado")
            lower = self._lower_words
            if (words[0].lower() in lower and words[1].lower() not in lower) or (
                    len(words) > 2 and len(words[0].rstrip(".")) > 1 and self.is_first_name(words[1])):
                words = words[1:]
        return words

    def add(self, text: str, start: int, quoted: bool = False) -> None:
        """Record a PERSON mention; ``quoted``: it lies inside a quotation (someone else's wording)."""
        words = self.words(text)
        if not words:
            return
        key = words[-1].lower()
        full = " ".join(words)
        known = self._known.setdefault(key, set())
        if full not in known:
            known.add(full)
            self.names.setdefault(key, []).append((start, full))
        self.mentions.setdefault(key, []).append((start, full))
        if not quoted:
            self._outside.setdefault(key, set()).add(full)
        self._lookups.pop(key, None)

    def title_gender(self, text: str, pos: int) -> str | None:
        """The gender a title says, in the mention ("Mrs. Clinton") or just before it (spaCy
        leaves titles out of names)."""
        words = text.split()
        title = words[0] if len(words) > 1 else ""
        if not title and self.text:
            before = _LAST_WORD_RE.search(self.text, max(0, pos - 16), pos)
            title = before.group(1) if before else ""
        return self.gender_of_title(title) if title and self.gender_of_title is not None else None

    def __contains__(self, key: str) -> bool:
        return key.lower() in self.names

    def _lookup(self, key: str) -> _KeyLookup:
        found = self._lookups.get(key)
        if found is None:
            names, mentions = self.names[key], self.mentions[key]
            outside = self._outside.get(key)
            if outside:  # names only ever quoted are someone's wording, not the person's name
                names = [(s, n) for s, n in names if n in outside]
                mentions = [(s, n) for s, n in mentions if n in outside]
            found = self._lookups[key] = _KeyLookup.build(names, mentions)
        return found

    def fullest(self, text: str, pos: int) -> str | None:
        """The fullest name of the person mentioned as ``text`` at ``pos``."""
        words = self.words(text)
        if not words:
            return None
        key = words[-1].lower()
        if key not in self.names:
            return " ".join(words) if len(words) > 1 else None
        lookup = self._lookup(key)
        if len(words) > 1:
            same = lookup.same_person([w.lower() for w in words])
            return same if same is not None else " ".join(words)
        # A bare last name: the full name written last in its paragraph ("Bill Clinton …
        # Clinton said"), else the first the article wrote, the person it is about (who is
        # mostly written bare, while the others keep their first names): "Fiorina" after
        # "her husband, Frank Fiorina" two paragraphs up is still Carly.
        k = bisect.bisect_right(self.breaks, pos - 1)
        chosen = lookup.for_bare(pos, self.breaks[k - 1] + 1 if k else 0, self.title_gender(text, pos), self.gender_of)
        return lookup.full_by_first.get(chosen.split()[0], chosen)
