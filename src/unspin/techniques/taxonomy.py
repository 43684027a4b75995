"""The 23 persuasion techniques of SemEval-2023 task 3, grouped in six
families, with a one-line definition and a display colour per family
(``unspin/data/techniques.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class TechniqueInfo:
    id: str
    name: str
    family: str
    family_name: str
    definition: str
    colour: str
    family_code: str


@lru_cache(maxsize=1)
def _raw() -> dict:
    return json.loads(resources.files("unspin").joinpath("data/techniques.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def techniques() -> dict[str, TechniqueInfo]:
    """Technique id (as in the SemEval labels) → its metadata, in taxonomy order."""
    raw = _raw()
    fams = raw["families"]
    return {
        t["id"]: TechniqueInfo(t["id"], t["name"], t["family"], fams[t["family"]]["name"], t["definition"],
                               fams[t["family"]]["colour"], fams[t["family"]]["code"])
        for t in raw["techniques"]
    }


@dataclass(frozen=True)
class FamilyInfo:
    key: str
    name: str
    code: str
    colour: str


@lru_cache(maxsize=1)
def families() -> dict[str, FamilyInfo]:
    """Family key → its name, short code and colour, in taxonomy order."""
    return {k: FamilyInfo(k, f["name"], f["code"], f["colour"]) for k, f in _raw()["families"].items()}


#: The family of a label the taxonomy does not know: shown as written, in grey.
OTHER_FAMILY = FamilyInfo("other", "Other", "OT", "#6b6b6b")
#: The definition shown for a label the taxonomy does not know.
NO_DEFINITION = "No definition available for this label."


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").replace("-", " ").replace(",", " ").replace("/", " ").split())


@lru_cache(maxsize=1)
def _by_norm() -> dict[str, TechniqueInfo]:
    found: dict[str, TechniqueInfo] = {}
    for info in techniques().values():
        found.setdefault(_norm(info.id), info)
    for info in techniques().values():  # display names ("Casting doubt") after ids
        found.setdefault(_norm(info.name), info)
    return found


def lookup(label: str) -> TechniqueInfo | None:
    """The taxonomy's entry for a technique label however it is spelled, or None.

    Matches the SemEval id exactly, then ignoring case, ``_``, ``-``, ``/``
    and commas, then the display name the same way (``"casting doubt"`` →
    ``Doubt``).
    """
    return techniques().get(label) or _by_norm().get(_norm(label))


def describe(label: str) -> TechniqueInfo:
    """Name, family, colour, family code and one-line definition of any label.

    A label the taxonomy does not know keeps its spelling (``_`` and ``-``
    shown as spaces and ``/``) in the :data:`OTHER_FAMILY`, with
    :data:`NO_DEFINITION`.
    """
    known = lookup(label)
    if known is not None:
        return known
    shown = label.replace("_", " ").replace("-", "/").strip() or label
    return TechniqueInfo(label, shown, OTHER_FAMILY.key, OTHER_FAMILY.name, NO_DEFINITION, OTHER_FAMILY.colour,
                         OTHER_FAMILY.code)


def family_slug(family: str) -> str:
    """``attack_on_reputation`` → ``attack-on-reputation`` (CSS classes, ``data-family``)."""
    return family.replace("_", "-")
