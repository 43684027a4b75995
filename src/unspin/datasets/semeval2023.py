"""The SemEval-2023 task 3 (English) persuasion-technique data, read exactly.

A data folder (``…/persuasion-semeval2023-en/train``) holds:

* ``articles/article<ID>.txt``: line 1 the title, a blank line, then one
  paragraph per line. The text is decoded as UTF-8 **exactly as stored**
  (no newline conversion, no stripping), so offsets are Python ``str``
  offsets into the file's text.
* ``span-labels/article<ID>-labels-subtask-3.txt``: ``id TAB technique TAB
  start TAB end`` (end exclusive). An empty file means "no technique".
* ``paragraph-technique-labels.txt``: ``id TAB line TAB t1,t2,…`` (1-based
  line numbers; empty lines are not listed; an empty third field means the
  line has no technique).

An article is *annotated* when it has a span-label file; only annotated
articles are returned by :func:`load_corpus` (7 of the 453 training articles
have neither spans nor paragraph labels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

_ARTICLE_RE = re.compile(r"^article(\d+)\.txt$")


@dataclass(frozen=True, order=True)
class GoldSpan:
    start: int
    end: int
    technique: str


@dataclass
class Doc:
    """One article with its gold annotations (when there are any)."""

    id: str
    text: str
    spans: list[GoldSpan] = field(default_factory=list)
    #: 1-based line number → techniques of that line (only listed lines).
    line_labels: dict[int, list[str]] = field(default_factory=dict)

    def lines(self) -> list[tuple[int, int, int]]:
        """``(line_number, start, end)`` of every non-blank line (``\\r`` excluded)."""
        out, pos = [], 0
        for number, line in enumerate(self.text.split("\n"), start=1):
            body = line[:-1] if line.endswith("\r") else line
            if body.strip():
                out.append((number, pos, pos + len(body)))
            pos += len(line) + 1
        return out


def read_text(path: Path) -> str:
    """A file's text decoded as UTF-8 exactly as stored (``newline=''``)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def read_spans(path: Path, article_id: str, text: str) -> list[GoldSpan]:
    spans = []
    for lineno, raw in enumerate(read_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        parts = raw.split("\t")
        if len(parts) != 4 or parts[0] != article_id:
            raise InputError(str(path), f"line {lineno}: expected 'id TAB technique TAB start TAB end'")
        start, end = int(parts[2]), int(parts[3])
        if not 0 <= start < end <= len(text):
            raise InputError(str(path), f"line {lineno}: span {start}-{end} outside the text ({len(text)} chars)")
        spans.append(GoldSpan(start, end, parts[1]))
    return sorted(spans)


def read_paragraph_labels(path: Path) -> dict[str, dict[int, list[str]]]:
    labels: dict[str, dict[int, list[str]]] = {}
    if not path.is_file():
        return labels
    for raw in read_text(path).splitlines():
        if not raw.strip():
            continue
        parts = raw.split("\t")
        art, line = parts[0], int(parts[1])
        techs = [t for t in (parts[2].split(",") if len(parts) > 2 else []) if t.strip()]
        labels.setdefault(art, {})[line] = techs
    return labels


def load_corpus(data_dir: str | Path, annotated_only: bool = True) -> list[Doc]:
    """Every article of ``data_dir`` (sorted by numeric id) with its gold labels."""
    root = Path(data_dir)
    art_dir = root / "articles"
    if not art_dir.is_dir():
        raise InputError(str(root), "not a SemEval-2023 task 3 folder (no articles/ inside)")
    span_dir = root / "span-labels"
    para = read_paragraph_labels(root / "paragraph-technique-labels.txt")
    docs = []
    for path in art_dir.iterdir():
        m = _ARTICLE_RE.match(path.name)
        if not m:
            continue
        art_id = m.group(1)
        text = read_text(path)
        span_path = span_dir / f"article{art_id}-labels-subtask-3.txt"
        if not span_path.is_file():
            if annotated_only:
                continue
            spans = []
        else:
            spans = read_spans(span_path, art_id, text)
        docs.append(Doc(id=art_id, text=text, spans=spans, line_labels=para.get(art_id, {})))
    docs.sort(key=lambda d: int(d.id))
    return docs


def line_of(doc_lines: list[tuple[int, int, int]], pos: int) -> int | None:
    """Line number of the non-blank line containing character ``pos``."""
    for number, start, end in doc_lines:
        if start <= pos < end:
            return number
    return None
