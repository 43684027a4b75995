"""Labels derived from an analysis JSON, for the store's ``labels`` table.

The analysis schema grows as analyzers land (techniques now; genre,
narratives, frames later). Rather than one table per analysis, every
labelled finding becomes a row ``(kind, label, family, start, end, score)``
found generically: a top-level list or object whose items carry a label
field. Known technique names get their SemEval-2023 family.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterator

from ..store import QueryError, Store
from ..techniques.taxonomy import techniques

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
    found: dict[str, list[str]] = {}
    for info in techniques().values():
        found.setdefault(info.family_name.lower(), []).append(_norm(info.id))
    for legacy, current in LEGACY_TECHNIQUES.items():
        found[techniques()[current].family_name.lower()].append(legacy)
    return {family: tuple(names) for family, names in found.items()}


def _norm(name: str) -> str:
    """A label name in one spelling: lower case, words separated by single spaces."""
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
            row = (start if isinstance(start, int) else None, end if isinstance(end, int) else None,
                   float(score) if isinstance(score, (int, float)) else None)
            yield (kind, label, family, *row)
            sub = d.get("subnarrative")
            if kind == "narrative" and isinstance(sub, str) and sub and sub != label:
                # its own kind, so that profiles count narratives once and list sub-narratives apart;
                # store schema 3's migration writes the same rows for articles stored before
                yield ("subnarrative", sub, None, *row)


# -- in the store ----------------------------------------------------------------


def store_labels(store: Store, article_id: int, analysis: dict[str, Any]) -> None:
    """Write the rows derived from one analysis: cited sources, quotes, labels (inside the write transaction)."""
    db = store.db
    prov = analysis.get("provenance") or {}
    db.executemany(
        "INSERT INTO cited_sources VALUES (?, ?, ?)",
        [(article_id, c.get("name"), c.get("domain")) for c in prov.get("cited_sources") or [] if c.get("name")],
    )
    quotes = []
    for q in analysis.get("quotes") or []:
        sp = q.get("speaker") or {}
        # The name only: the quotes analyzer leaves it empty for a mention it cannot name ("sources", "he").
        quotes.append((article_id, sp.get("name") or None, q.get("kind") or "unknown", sp.get("text") or None))
    db.executemany("INSERT INTO quotes (article_id, speaker, kind, mention) VALUES (?, ?, ?, ?)", quotes)
    db.executemany(
        "INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(article_id, *lab) for lab in extract_labels(analysis)],
    )


def labels_of_kind(store: Store, kind: str) -> list[str]:
    """The distinct labels of one kind, by index seeks (one per distinct label, not per row)."""
    out: list[str] = []
    row = store.db.execute("SELECT min(label) FROM labels WHERE kind = ?", (kind,)).fetchone()
    while row and row[0] is not None:
        out.append(row[0])
        row = store.db.execute("SELECT min(label) FROM labels WHERE kind = ? AND label > ?", (kind, row[0])).fetchone()
    return out


def filter_kinds(kind: str) -> tuple[str, ...]:
    """The label kinds a filter on ``kind`` reads: a narrative filter reads sub-narratives too."""
    return (kind, "subnarrative") if kind == "narrative" else (kind,)


def filter_labels(store: Store, kind: str) -> list[str]:
    """The distinct stored labels a filter on ``kind`` can name (:func:`filter_kinds`), sorted."""
    return sorted({lab for k in filter_kinds(kind) for lab in labels_of_kind(store, k)})


def label_filter(store: Store, kind: str, name: str) -> tuple[str, list[Any]]:
    """An SQL condition on ``a.id``: the article has a label of ``kind`` called ``name``.

    Names match whatever their spelling (``Loaded_Language`` = ``loaded
    language``). A technique name may also be a SemEval-2023 family
    (``--technique "attack on reputation"``); a narrative also matches
    its sub-narratives (``A: B`` matches ``A: B: C``), which are stored
    under a kind of their own and may be named too. A name that is in
    neither the store nor the taxonomy raises :class:`~unspin.store.QueryError`
    with the closest known names.
    """
    want = _norm(name)
    if not want:
        raise QueryError(f"empty {kind} name")
    kinds = filter_kinds(kind)
    labels = filter_labels(store, kind)
    exact = [lab for lab in labels if _norm(lab) == want or _norm(lab).startswith(want + ":")]
    families = [fam for fam in TECHNIQUE_FAMILIES if _norm(fam) == want] if kind == "technique" else []
    if not exact and not families and not (kind == "technique" and technique_family(name)):
        known = sorted(set(labels) | (set(TECHNIQUE_FAMILIES) if kind == "technique" else set()))
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else (
            f"; known: {', '.join(known[:12])}" if known else f"; this database has no {kind} labels yet")
        raise QueryError(f"no {kind} {name!r} in this database{hint}")
    conds, args = [], []
    if exact:
        conds.append(f"l.label IN ({','.join('?' * len(exact))})")
        args += exact
    if families:
        conds.append("l.family = ?")
        args.append(families[0])
    if not conds:  # a technique of the taxonomy that no stored article has (yet)
        conds.append("0")
    clause = (f"EXISTS (SELECT 1 FROM labels l WHERE l.article_id = a.id "
              f"AND l.kind IN ({','.join('?' * len(kinds))}) AND ({' OR '.join(conds)}))")
    return clause, [*kinds, *args]
