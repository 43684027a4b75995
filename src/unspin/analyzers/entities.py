"""Named entities from spaCy's NER, as spans into the analysed text."""

from __future__ import annotations

from ..config import Options
from .base import Context, registry
from ..types import Entity
from .outlets import Gazetteer

#: Numeric and temporal labels are left out: analysts look for who and where.
ENTITY_TYPES = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART", "LANGUAGE"}
)


class EntityRecognizer:
    """spaCy's entities, with known news outlets typed as organisations.

    The small English model often tags outlet names as people or places
    ("Politico" PERSON, "RT" GPE). An entity whose whole text is the name or
    alias of an outlet in the gazetteer becomes ORG; no entity is added.
    Entities inside boilerplate (a photographer in an image credit, a
    headline in a related-links list, the author of a byline) are not what
    the article names and are left out.
    """

    name = "entities"
    version = "2"

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def annotate(self, ctx: Context) -> None:
        furniture = [(b.start, b.end) for b in ctx.analysis.boilerplate]
        ctx.analysis.entities = [
            Entity(text=ent.text, start=ent.start_char, end=ent.end_char, type=self.entity_type(ent.text, ent.label_))
            for ent in ctx.doc.ents
            if ent.label_ in ENTITY_TYPES
            and not any(s < ent.end_char and ent.start_char < e for s, e in furniture)
        ]

    def entity_type(self, text: str, label: str) -> str:
        if label != "ORG" and self.gazetteer.find_name(text) is not None and _name_like(text):
            return "ORG"
        return label


def _name_like(text: str) -> bool:
    """Capitalised like an outlet's name ("Politico", "RT"), not a common word ("Time", "Vice")."""
    common_word = " " not in text and len(text) <= 4 and not text.isupper()
    return text[:1].isupper() and not common_word


@registry.register("entities", requires=("boilerplate",), assigns=("entities",), uses=("doc",), scope="block")
def make_entities(options: Options) -> EntityRecognizer:
    return EntityRecognizer(Gazetteer.default())
