"""Mention groups: the canonical name each entity mention shares with the others of one entity.

"Putin" and "Vladimir Putin" (and "the president" where the article names him
so) form one group named "Vladimir Putin"; the roles analyzer decides a role
per group. People are grouped through the quotes analyzer's name index (titles
stripped, surnames matched to the fullest name); other entities by
:func:`unspin.framing.roles.group_name`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..framing.roles import group_name
from .names import NameIndex
from .quotes import load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc


def person_index(doc: "Doc", ents: Sequence[tuple[int, int, str, str]]):
    names = NameIndex(load_lexicon().titles)
    for s, _e, text, label in ents:
        if label == "PERSON":
            names.add(text, s)
    return names


def entity_groups(doc: "Doc", ents: Sequence[tuple[int, int, str, str]]) -> list[str]:
    """Canonical group name of each ``(start, end, text, label)`` entity."""
    names = person_index(doc, ents)
    out = []
    for s, _e, text, label in ents:
        person = names.fullest(text, s) if label == "PERSON" else None
        out.append(group_name(text, label, person))
    return out
