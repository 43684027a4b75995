"""Mention groups: the canonical name each entity mention shares with the others of one entity.

"Putin" and "Vladimir Putin" (and "the president" where the article names him
so) form one group named "Vladimir Putin"; the roles analyzer decides a role
per group. People are grouped through the quotes analyzer's name index (titles
stripped, surnames matched to the fullest name); other entities by
:func:`group_name`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from ..framing.treatment import Candidate, demonym_group, extra_mentions
from .quotation_marks import find_quotations, quoted_chars
from .quotes import load_lexicon
from .quotes.lexicon import name_index

if TYPE_CHECKING:
    from spacy.tokens import Doc


#: spaCy entity labels the roles model casts.
ROLE_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"})

ALIASES = {
    "u.s.": "United States", "us": "United States", "usa": "United States", "u.s.a.": "United States",
    "america": "United States", "united states of america": "United States", "united states": "United States",
    "uk": "United Kingdom", "u.k.": "United Kingdom", "britain": "United Kingdom", "great britain": "United Kingdom",
    "united kingdom": "United Kingdom", "eu": "European Union", "e.u.": "European Union",
    "european union": "European Union", "russian federation": "Russia", "russia": "Russia", "ukraine": "Ukraine",
    "kyiv": "Ukraine", "kiev": "Ukraine", "moscow": "Russia", "kremlin": "Kremlin", "washington": "United States",
    "nato": "NATO", "un": "United Nations", "u.n.": "United Nations", "united nations": "United Nations",
    "the west": "the West", "west": "the West", "western": "the West", "the western": "the West",
}

_POSS = re.compile(r"(?:['’]s|['’])$")


def group_name(text: str, label: str, person_name: str | None = None) -> str:
    """Canonical name of an entity mention: ``person_name`` (a person's fullest name in the article) when
    given, else the text without a possessive and a leading "the", with a few common aliases
    ("U.S." → "United States")."""
    if person_name:
        return person_name
    t = _POSS.sub("", " ".join(text.split()))
    key = t.lower()
    if key in ALIASES:
        return ALIASES[key]
    t = re.sub(r"^(?i:the)\s+", "", t)
    return ALIASES.get(t.lower(), t)


def person_index(doc: "Doc", ents: Sequence[tuple[int, int, str, str]]):
    names = name_index(load_lexicon(), doc.text)
    quoted = quoted_chars(find_quotations(doc.text))
    for s, _e, text, label in ents:
        if label == "PERSON":
            names.add(text, s, quoted=quoted(s))
    return names


def entity_groups(doc: "Doc", ents: Sequence[tuple[int, int, str, str]]) -> list[str]:
    """Canonical group name of each ``(start, end, text, label)`` entity."""
    names = person_index(doc, ents)
    out = []
    for s, _e, text, label in ents:
        person = names.fullest(text, s) if label == "PERSON" else None
        out.append(group_name(text, label, person))
    return out


def role_candidates(doc: "Doc", ents: Sequence[tuple[int, int, str, str]], furniture: Sequence[tuple[int, int]]
                    ) -> tuple[list[str], list[Candidate]]:
    """Group names of ``ents`` and the mentions the roles model casts: the
    entities of the role types (group adjectives and demonyms joined to their
    group: "Western" with "the West", "Russian" with "Russia") plus "the West"
    / "Western" where spaCy found no entity, outside ``furniture``."""
    groups = entity_groups(doc, ents)
    named = {g.lower(): g for g, (_s, _e, _t, label) in zip(groups, ents, strict=True) if label != "NORP"}
    out = []
    for g, (s, e, text, label) in zip(groups, ents, strict=True):
        if label not in ROLE_TYPES or any(a < e and s < b for a, b in furniture):
            continue
        if label == "NORP":
            person = _titled_person(doc, s, e, ents, groups)
            dg = demonym_group(text)
            g = person or (named.get(dg.lower(), dg) if dg else g)
        out.append(Candidate(s, e, text, label, g))
    for s, e, text, label in extra_mentions(doc.text, [(c.start, c.end) for c in out], furniture):
        out.append(Candidate(s, e, text, label, "the West"))
    out.sort(key=lambda c: c.start)
    return groups, out


#: Singular titles: "Russian President Vladimir Putin" names a person, not Russia.
TITLES = frozenset("""president leader minister premier chancellor king queen prince dictator spokesman spokeswoman
spokesperson ambassador envoy general commander secretary chief head""".split())


def _titled_person(doc: "Doc", s: int, e: int, ents, groups) -> str | None:
    """The group of the person a nationality adjective titles ("Russian President Vladimir Putin"), if any."""
    span = doc.char_span(s, e, alignment_mode="expand")
    if span is None or not len(span):
        return None
    head = span.root.head
    if head.lower_ not in TITLES:
        return None
    phrase = head.head if head.dep_ == "compound" else head
    a, b = phrase.left_edge.idx, phrase.right_edge.idx + len(phrase.right_edge)
    for (s2, e2, _t, label), g in zip(ents, groups, strict=True):
        if label == "PERSON" and a <= s2 and e2 <= b:
            return g
    return None
