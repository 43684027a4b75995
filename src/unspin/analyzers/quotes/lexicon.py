"""The English words the quotes analyzer relies on, and its size limits.

The words live in ``data/attribution_cues_en.json``; the limits keep every
rule linear on hostile text (each says how far real articles go).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

from ..names import NameIndex

CUES_RESOURCE = "attribution_cues_en.json"
#: first names that tell a person's gender (built by ``tools/first_names.py``)
FIRST_NAMES_RESOURCE = "first_names.json"


@dataclass(frozen=True)
class CueLexicon:
    """The English words the analyzer relies on (see the JSON resource)."""

    speech_verbs: frozenset[str]
    naming_verbs: frozenset[str]
    thought_verbs: frozenset[str]
    evidence_verbs: frozenset[str]
    phrasal_verbs: dict[str, str]
    prepositional_cues: tuple[tuple[str, ...], ...]
    role_nouns: frozenset[str]
    generic_role_nouns: frozenset[str]
    titles: frozenset[str]
    male_titles: frozenset[str]
    female_titles: frozenset[str]
    male_pronouns: frozenset[str]
    female_pronouns: frozenset[str]
    plural_pronouns: frozenset[str]
    relative_pronouns: frozenset[str]
    quantifier_pronouns: frozenset[str]
    abbreviations: dict[str, str]
    stance_verbs: dict[str, frozenset[str]]
    not_name_words: frozenset[str]
    not_single_names: frozenset[str]
    share_widget_words: frozenset[str]
    #: folded first name -> "m" or "f"; names read both ways are not in it
    first_names: dict[str, str]
    #: every folded first name of the data, of either gender or both
    any_first_names: frozenset[str]

    def title_gender(self, word: str) -> str | None:
        """The gender a title tells ("Mrs." -> "f"), if it is one."""
        word = word.lower().rstrip(".")
        return "m" if word in self.male_titles else "f" if word in self.female_titles else None

    def pronoun_gender(self, word: str) -> str | None:
        """The gender a personal pronoun tells ("she" -> "f"), if it is one."""
        word = word.lower()
        return "m" if word in self.male_pronouns else "f" if word in self.female_pronouns else None

    @property
    def cue_verbs(self) -> frozenset[str]:
        return self.speech_verbs | self.thought_verbs | self.evidence_verbs


@lru_cache(maxsize=1)
def load_lexicon() -> CueLexicon:
    raw = json.loads(resources.files("unspin").joinpath("data", CUES_RESOURCE).read_text("utf-8"))

    def words(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in raw[key])

    first, either = _first_names()
    return CueLexicon(
        speech_verbs=words("speech_verbs") | words("naming_verbs"),
        naming_verbs=words("naming_verbs"),
        thought_verbs=words("thought_verbs"),
        evidence_verbs=words("evidence_verbs"),
        phrasal_verbs={k.lower(): v.lower() for k, v in raw["phrasal_verbs"].items()},
        prepositional_cues=tuple(tuple(w.lower() for w in cue) for cue in raw["prepositional_cues"]),
        role_nouns=words("role_nouns"),
        generic_role_nouns=words("generic_role_nouns"),
        titles=words("titles"),
        male_titles=words("male_titles"),
        female_titles=words("female_titles"),
        male_pronouns=words("male_pronouns"),
        female_pronouns=words("female_pronouns"),
        plural_pronouns=words("plural_pronouns"),
        relative_pronouns=words("relative_pronouns"),
        quantifier_pronouns=words("quantifier_pronouns"),
        abbreviations={k.lower(): v.lower() for k, v in raw["title_abbreviations"].items()},
        stance_verbs={k.lower(): frozenset(v) for k, v in raw["stance_verbs"].items()},
        not_name_words=words("not_name_words"),
        not_single_names=words("not_single_names"),
        share_widget_words=words("share_widget_words"),
        first_names=first,
        any_first_names=frozenset(first) | either,
    )


def fold(name: str) -> str:
    """A first name as the data file keys it: lower-case ASCII without accents ("Vladimír" -> "vladimir")."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().strip()


def first_name_gender(name: str, lex: CueLexicon) -> str | None:
    """The gender the first name of a full ``name`` tells ("m", "f"), if any. A lone word
    is a last name as often as a first one ("Clinton"): it tells nothing."""
    words = name.split()
    return lex.first_names.get(fold(words[0])) if len(words) > 1 else None


def name_index(lex: CueLexicon, text: str, breaks: Sequence[int] | None = None) -> NameIndex:
    """An empty :class:`~unspin.analyzers.names.NameIndex` for ``text``: paragraphs, titles and first
    names known. ``breaks``: the offsets of its newlines, where the caller has them already."""
    return NameIndex(lex.titles, breaks=[m.start() for m in re.finditer("\n", text)] if breaks is None else breaks,
                     gender_of=lambda name: first_name_gender(name, lex), gender_of_title=lex.title_gender,
                     text=text, is_first_name=lambda word: fold(word) in lex.any_first_names)


def _first_names() -> tuple[dict[str, str], frozenset[str]]:
    """First names with the gender they tell, and those read both ways."""
    raw = json.loads(resources.files("unspin").joinpath("data", FIRST_NAMES_RESOURCE).read_text("utf-8"))
    return {**{n: "m" for n in raw["male"]}, **{n: "f" for n in raw["female"]}}, frozenset(raw["either"])


#: Reports nest at most this deep ("A said that B said that C said …"): the
#: deepest in 840 PolNeAR articles is 3.
MAX_NESTING = 4
#: A speaker phrase longer than this many tokens is cut to its head word (the
#: longest in 840 PolNeAR articles has 39 words).
MAX_SPEAKER_TOKENS = 80
#: How many of the latest mentions (within its paragraph window) a pronoun
#: or role description may refer to: at most 21 in 840 PolNeAR articles.
MAX_ANTECEDENTS = 50

#: "<name> said she …" reports needed before the article itself gives a name a gender.
MIN_GENDER_REPORTS = 2

#: A quotation this short with no cue is a scare quote, not an attribution.
SCARE_QUOTE_WORDS = 3
#: A quotation with no cue and no earlier speaker to continue must be longer
#: than this to be kept (shorter ones are titles and phrases).
UNATTRIBUTED_MIN_WORDS = 6
