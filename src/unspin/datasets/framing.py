"""The training data of the framing models, read exactly.

* SemEval-2023 task 3 (English), ``…/persuasion-semeval2023-en/train``:
  ``articles/article<ID>.txt``, ``genre-labels.txt`` (``id TAB genre``) and
  ``frame-labels.txt`` (``id TAB frame,frame…``); the label inventories
  ``genres.txt`` and ``frames.txt`` sit one folder up.
* SemEval-2025 task 10 (English), ``…/narratives-semeval2025-en/train``:
  ``documents/<file>``, ``narrative-labels.txt`` (``file TAB n;n… TAB s;s…``,
  ``Other`` when none applies) and ``entity-role-labels.txt`` (``file TAB
  entity TAB start TAB end TAB main TAB fine [TAB fine…]``). The file's *end*
  offset is inclusive (``text[start:end + 1]`` is the entity); it is turned
  into the half-open range unspin uses everywhere, and every mention is
  checked against the text (11 English mentions sit 1-2 characters off and
  are snapped to the nearest occurrence of their text). The taxonomy files sit one folder up.

Texts are decoded as UTF-8 exactly as stored (no newline conversion).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..framing.labels import GENRES
from .semeval2023 import read_text

_ARTICLE_RE = re.compile(r"^article(\d+)\.txt$")



@dataclass
class LabelledDoc:
    id: str
    text: str
    genre: str | None = None
    frames: list[str] = field(default_factory=list)
    narratives: list[str] = field(default_factory=list)
    subnarratives: list[str] = field(default_factory=list)

    @property
    def domain(self) -> str:
        """``UA`` or ``CC`` for SemEval-2025 files (from the file name), else ``''``."""
        m = re.match(r"^[A-Z]{2}_(UA|CC)_", self.id)
        return m.group(1) if m else ""


@dataclass(frozen=True)
class RoleMention:
    doc: str
    start: int
    end: int  # exclusive
    text: str
    main: str
    fine: tuple[str, ...]


def _read_lines(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise InputError(str(path), "label file is missing")
    return [line.split("\t") for line in read_text(path).splitlines() if line.strip()]


def _inventory(path: Path) -> list[str]:
    return [w.strip() for w in read_text(path).splitlines() if w.strip()] if path.is_file() else []


def load_persuasion(data_dir: str | Path) -> list[LabelledDoc]:
    """Articles with a genre label, their frames attached (sorted by id)."""
    root = Path(data_dir)
    art_dir = root / "articles"
    if not art_dir.is_dir():
        raise InputError(str(root), "not a SemEval-2023 task 3 folder (no articles/ inside)")
    genres = {p[0]: p[1].strip() for p in _read_lines(root / "genre-labels.txt")}
    frames = {p[0]: [f for f in (p[1].split(",") if len(p) > 1 else []) if f.strip()]
              for p in _read_lines(root / "frame-labels.txt")}
    docs = []
    for art_id in sorted(genres, key=lambda s: int(s) if s.isdigit() else s):
        path = art_dir / f"article{art_id}.txt"
        if not path.is_file():
            raise InputError(str(path), "labelled article is missing")
        g = genres[art_id]
        if g not in GENRES:
            raise InputError(str(root / "genre-labels.txt"), f"unknown genre {g!r} for article {art_id}")
        docs.append(LabelledDoc(art_id, read_text(path), genre=g, frames=frames.get(art_id, [])))
    return docs


def frame_inventory(data_dir: str | Path) -> list[str]:
    root = Path(data_dir)
    for cand in (root / "frames.txt", root.parent / "frames.txt"):
        if cand.is_file():
            return _inventory(cand)
    raise InputError(str(root), "frames.txt not found beside or above the data folder")


def load_narratives(data_dir: str | Path) -> list[LabelledDoc]:
    root = Path(data_dir)
    doc_dir = root / "documents"
    if not doc_dir.is_dir():
        raise InputError(str(root), "not a SemEval-2025 task 10 folder (no documents/ inside)")
    docs = []
    for p in _read_lines(root / "narrative-labels.txt"):
        name = p[0]
        path = doc_dir / name
        if not path.is_file():
            raise InputError(str(path), "labelled document is missing")
        narr = [x.strip() for x in p[1].split(";") if x.strip()] if len(p) > 1 else ["Other"]
        subs = [x.strip() for x in p[2].split(";") if x.strip()] if len(p) > 2 else ["Other"]
        docs.append(LabelledDoc(name, read_text(path), narratives=sorted(set(narr)), subnarratives=sorted(set(subs))))
    docs.sort(key=lambda d: d.id)
    return docs


def load_role_mentions(data_dir: str | Path) -> tuple[dict[str, str], list[RoleMention]]:
    """The documents that carry role labels (file → text) and their mentions."""
    root = Path(data_dir)
    texts: dict[str, str] = {}
    mentions = []
    path = root / "entity-role-labels.txt"
    for lineno, p in enumerate(_read_lines(path), start=1):
        if len(p) < 6:
            raise InputError(str(path), f"line {lineno}: expected 'file TAB entity TAB start TAB end TAB main TAB fine…'")
        name, ent, s, e, main = p[0], p[1], int(p[2]), int(p[3]), p[4].strip()
        if name not in texts:
            texts[name] = read_text(root / "documents" / name)
        text = texts[name]
        end = e + 1
        if text[s:end] != ent:
            # 11 of the 413 English mentions sit 1-2 characters before their
            # stated offsets: take the nearest occurrence within 5 characters.
            near = [i for i in range(max(0, s - 5), s + 6) if text.startswith(ent, i)]
            if not near:
                raise InputError(str(path), f"line {lineno}: {ent!r} is not at {s}-{e} of {name}")
            s = min(near, key=lambda i: abs(i - s))
            end = s + len(ent)
        fine = tuple(sorted({f.strip() for f in p[5:] if f.strip()}))
        mentions.append(RoleMention(name, s, end, ent, main, fine))
    return texts, mentions


def taxonomy_dir(data_dir: str | Path) -> Path:
    root = Path(data_dir)
    for cand in (root, root.parent):
        if (cand / "entity-roles-taxonomy.json").is_file():
            return cand
    raise InputError(str(root), "entity-roles-taxonomy.json not found beside or above the data folder")


def role_taxonomy(data_dir: str | Path) -> dict[str, dict[str, str]]:
    """``{main role: {fine role: text of its definition, conceptual note and example}}``."""
    raw = json.loads(read_text(taxonomy_dir(data_dir) / "entity-roles-taxonomy.json"))
    out: dict[str, dict[str, str]] = {}
    for main in raw["children"]:
        fines = {}
        for fine in main.get("children", []):
            fines[fine["name"]] = " ".join(str(fine.get(k, "")) for k in ("definition", "conceptual", "example"))
        out[main["name"]] = fines
    return out
