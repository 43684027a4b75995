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
