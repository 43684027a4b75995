"""Labels derived from an analysis JSON, for the store's ``labels`` table.

The analysis schema grows as analyzers land (techniques now; genre,
narratives, frames later). Rather than one table per analysis, every
labelled finding becomes a row ``(kind, label, family, start, end, score)``
found generically: a top-level list or object whose items carry a label
field. Known technique names get their SemEval-2023 family.
"""

from __future__ import annotations

from typing import Any, Iterator

#: Top-level keys of the analysis that hold labelled findings, and their kind.
LABEL_KEYS = {
    "techniques": "technique",
    "genre": "genre",
    "genres": "genre",
    "narratives": "narrative",
    "frames": "frame",
    "framing": "frame",
}
#: Fields that name the label of one finding, tried in order.
LABEL_FIELDS = ("technique", "label", "narrative", "frame", "genre", "name", "subnarrative")

#: SemEval-2023 task 3 persuasion techniques by family.
TECHNIQUE_FAMILIES = {
    "attack on reputation": (
        "name calling labeling", "guilt by association", "doubt", "casting doubt", "appeal to hypocrisy",
        "questioning the reputation",
    ),
    "justification": (
        "flag waving", "appeal to authority", "appeal to popularity", "appeal to values", "appeal to fear prejudice",
    ),
    "simplification": ("causal oversimplification", "false dilemma no choice", "consequential oversimplification"),
    "distraction": ("straw man", "red herring", "whataboutism"),
    "call": ("slogans", "conversation killer", "appeal to time"),
    "manipulative wording": ("loaded language", "obfuscation vagueness confusion", "exaggeration minimisation",
                             "repetition"),
}
_FAMILY = {name: family for family, names in TECHNIQUE_FAMILIES.items() for name in names}


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").replace("-", " ").replace(",", " ").replace("/", " ").split())


def technique_family(name: str) -> str | None:
    return _FAMILY.get(_norm(name))


def _label_of(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in LABEL_FIELDS:
            value = item.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def extract_labels(analysis: dict[str, Any]) -> Iterator[tuple[str, str, str | None, int | None, int | None, float | None]]:
    """``(kind, label, family, start, end, score)`` for every labelled finding."""
    for key, kind in LABEL_KEYS.items():
        value = analysis.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            label = _label_of(item)
            if not label:
                continue
            d = item if isinstance(item, dict) else {}
            family = d.get("family") if isinstance(d.get("family"), str) else None
            if kind == "technique" and family is None:
                family = technique_family(label)
            start, end, score = d.get("start"), d.get("end"), d.get("score")
            yield (
                kind, label, family,
                start if isinstance(start, int) else None,
                end if isinstance(end, int) else None,
                float(score) if isinstance(score, (int, float)) else None,
            )
