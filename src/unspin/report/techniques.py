"""What the reports and web pages say about a persuasion technique: family, definition, colour.

Everything comes from the taxonomy (``data/techniques.json`` through
:mod:`unspin.techniques.taxonomy`): names, families, one-line definitions, a
colour-blind-safe colour and a short code per family, shown next to each
highlight so that colour is never the only cue. A label the taxonomy does not
know (:func:`unspin.techniques.taxonomy.lookup` already accepts any spelling
of an id or a display name) is shown as written, in the "other" family.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .common import technique_label
from ..techniques.taxonomy import NO_DEFINITION, OTHER_FAMILY, families, family_slug, lookup

_OTHER = (OTHER_FAMILY.key, OTHER_FAMILY.code, OTHER_FAMILY.colour)


def _families() -> dict[str, tuple[str, str, str]]:
    """Family name (lower case) → (slug, short code, colour), in the order the pages list them."""
    found = {f.name.lower(): (family_slug(f.key), f.code, f.colour) for f in families().values()}
    return {**found, "other": _OTHER}


#: family → (slug, short code, colour), in the order the pages list them.
FAMILIES: dict[str, tuple[str, str, str]] = _families()


@dataclass(frozen=True)
class TechniqueInfo:
    name: str
    label: str
    family: str
    family_slug: str
    family_code: str
    colour: str
    definition: str


@lru_cache(maxsize=256)
def technique_info(name: str) -> TechniqueInfo:
    """Family, short code, colour and definition of technique ``name``."""
    known = lookup(name)
    if known is not None:
        family, label, definition = known.family_name.lower(), known.name, known.definition
    else:
        family, label, definition = "other", technique_label(name), NO_DEFINITION
    slug, code, colour = FAMILIES.get(family, _OTHER)
    return TechniqueInfo(name, label, family, slug, code, colour, definition)


def web_technique_label(name: str) -> str:
    """The taxonomy's name of a technique ("Loaded language"), else its label as written."""
    return technique_info(name).label
