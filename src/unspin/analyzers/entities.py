"""Named entities from spaCy's NER, as spans into the analysed text."""

from __future__ import annotations

from ..config import Options
from ..pipeline import Context, registry
from ..types import Entity

#: Numeric and temporal labels are left out: analysts look for who and where.
ENTITY_TYPES = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART", "LANGUAGE"}
)


class EntityRecognizer:
    name = "entities"
    version = "1"

    def annotate(self, ctx: Context) -> None:
        ctx.analysis.entities = [
            Entity(text=ent.text, start=ent.start_char, end=ent.end_char, type=ent.label_)
            for ent in ctx.doc.ents
            if ent.label_ in ENTITY_TYPES
        ]


@registry.register("entities")
def make_entities(options: Options) -> EntityRecognizer:
    return EntityRecognizer()
