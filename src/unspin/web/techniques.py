"""What the web pages say about a persuasion technique: family, definition, colour.

Names, families and definitions come from the taxonomy
(:func:`unspin.techniques.taxonomy.techniques`, ``data/techniques.json``);
:data:`DEFINITIONS` and :func:`unspin.corpus.labels.technique_family` are
the fallback for names the taxonomy does not know (or when it cannot be
loaded). The web pages use their own family colours, from the Okabe-Ito
palette (distinguishable with the common colour-vision deficiencies, which
the taxonomy's red/green pair is not), and a short code per family shown
next to each highlight, so colour is never the only cue. An unknown
technique is shown as written, in the "other" family.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..corpus.labels import TECHNIQUE_FAMILIES, technique_family
from ..report.common import technique_label

#: family → (slug, short code, colour), in the order the pages list them.
FAMILIES: dict[str, tuple[str, str, str]] = {
    "attack on reputation": ("attack-on-reputation", "AR", "#c74a00"),
    "justification": ("justification", "JU", "#0061a0"),
    "simplification": ("simplification", "SI", "#007f5f"),
    "distraction": ("distraction", "DI", "#b0508d"),
    "call": ("call", "CA", "#8a5d00"),
    "manipulative wording": ("manipulative-wording", "MW", "#3d3d3d"),
    "other": ("other", "OT", "#6b6b6b"),
}
assert set(FAMILIES) - {"other"} == set(TECHNIQUE_FAMILIES)

DEFINITIONS: dict[str, str] = {
    "Name_Calling-Labeling": "Labelling the target with words meant to make the audience hate, fear or (as praise) love it.",
    "Guilt_by_Association": "Attacking a person or idea by linking it to a group, person or thing the audience already dislikes.",
    "Doubt": "Questioning the credibility of someone or something to undermine it, without evidence.",
    "Appeal_to_Hypocrisy": "Attacking the target for hypocrisy or inconsistency instead of answering the argument.",
    "Questioning_the_Reputation": "Attacking the target's character or moral standing instead of the argument.",
    "Flag_Waving": "Justifying an idea by appealing to pride in a group: a nation, party, religion or cause.",
    "Appeal_to_Authority": "Presenting a claim as true because an authority or expert is said to support it.",
    "Appeal_to_Popularity": "Presenting a claim as true or good because many people are said to accept it (bandwagon).",
    "Appeal_to_Values": "Justifying an idea by tying it to values the audience holds dear (freedom, democracy, faith).",
    "Appeal_to_Fear-Prejudice": "Promoting or rejecting an idea by playing on fear, anxiety or prejudice about the alternative.",
    "Causal_Oversimplification": "Pinning an outcome on a single cause when several contributed.",
    "False_Dilemma-No_Choice": "Presenting two options, or only one, as the only possibilities when more exist.",
    "Consequential_Oversimplification": "Claiming that one step will set off a chain of (usually bad) consequences: a slippery slope.",
    "Straw_Man": "Refuting a distorted version of the opponent's position instead of the real one.",
    "Red_Herring": "Diverting attention from the issue to an irrelevant topic.",
    "Whataboutism": "Deflecting criticism by pointing at the critic's own alleged wrongdoing.",
    "Slogans": "A short, striking phrase that stands in for an argument.",
    "Conversation_Killer": "Words that discourage critical thought and close the discussion (thought-terminating clichés).",
    "Appeal_to_Time": "Urging action because the time has come, or it is now or never.",
    "Loaded_Language": "Words and phrases with strong emotional connotations, used to sway the audience.",
    "Obfuscation-Vagueness-Confusion": "Deliberately unclear wording that lets the audience read into it what it wants.",
    "Exaggeration-Minimisation": "Making something look bigger, better or worse than it is, or playing it down.",
    "Repetition": "Repeating the same message again and again so that the audience comes to accept it.",
}


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
    known = _taxonomy().get(name)
    if known is not None and known.family_name.lower() in FAMILIES:
        family = known.family_name.lower()
        label, definition = known.name, known.definition
    else:
        family = technique_family(name) or "other"
        label = technique_label(name)
        definition = DEFINITIONS.get(name) or _definition_by_norm(name) or "No definition available for this label."
    slug, code, colour = FAMILIES.get(family, FAMILIES["other"])
    return TechniqueInfo(name, label, family, slug, code, colour, definition)


def _taxonomy() -> dict[str, Any]:
    try:
        from ..techniques.taxonomy import techniques

        return techniques()
    except Exception:  # noqa: BLE001 - the fallback table covers a missing or broken taxonomy
        return {}


def _definition_by_norm(name: str) -> str | None:
    key = _norm(name)
    for known, text in DEFINITIONS.items():
        if _norm(known) == key:
            return text
    return None


def _norm(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())
