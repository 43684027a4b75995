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

#: Older label spellings (SemEval-2020 task 11) mapped to today's technique.
LEGACY_TECHNIQUES = {"casting doubt": "Doubt"}


def _technique_families() -> dict[str, tuple[str, ...]]:
    """Family name (lower case) → the normalised names of its techniques, from the taxonomy."""
    from ..techniques.taxonomy import techniques

    found: dict[str, list[str]] = {}
    for info in techniques().values():
        found.setdefault(info.family_name.lower(), []).append(_norm(info.id))
    for legacy, current in LEGACY_TECHNIQUES.items():
        found[techniques()[current].family_name.lower()].append(legacy)
    return {family: tuple(names) for family, names in found.items()}


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").replace("-", " ").replace(",", " ").replace("/", " ").split())


#: SemEval-2023 task 3 persuasion techniques by family (``data/techniques.json``).
TECHNIQUE_FAMILIES = _technique_families()
_FAMILY = {name: family for family, names in TECHNIQUE_FAMILIES.items() for name in names}


def technique_family(name: str) -> str | None:
    """The family (lower case) of a technique label, however it is spelled."""
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
