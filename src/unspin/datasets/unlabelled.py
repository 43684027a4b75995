"""Unlabelled news articles for self-training: folders of UTF-8 ``.txt`` files.

Any news text will do (one article per file, paragraphs on their own lines or
separated by blank lines); nothing in them is read but the text. The
selection is reproducible: files in the order the folders are given, each
folder's files sorted by path, shuffled with the seed, the first ``limit``
kept.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Sequence

from ..errors import InputError
from .semeval2023 import Doc, read_text

#: texts shorter than this are stubs or headlines, not articles
MIN_CHARS = 300


def load_unlabelled(folders: Sequence[Path], limit: int | None = None, seed: int = 13,
                    exclude: re.Pattern[str] | None = None, purpose: str = "unlabelled articles") -> list[Doc]:
    """Articles of every ``*.txt`` under ``folders`` (ids ``<k>:<relative path>`` for the
    ``k``-th folder), without annotations; texts under :data:`MIN_CHARS` characters, and texts
    ``exclude`` finds anything in, are skipped (before the seeded choice). ``purpose`` names
    what they are for in the error about a folder without texts."""
    docs: list[Doc] = []
    for k, folder in enumerate(folders):
        files = sorted(Path(folder).rglob("*.txt"))
        if not files:
            raise InputError(str(folder), f"holds no .txt files to use as {purpose}")
        for path in files:
            try:
                text = read_text(path)
            except UnicodeDecodeError as exc:
                raise InputError(str(path), f"is not UTF-8 text ({exc.reason})") from None
            if len(text.strip()) >= MIN_CHARS and not (exclude and exclude.search(text)):
                docs.append(Doc(f"{k}:{path.relative_to(folder).as_posix()}", text))
    random.Random(seed).shuffle(docs)
    return docs[:limit] if limit is not None else docs


def describe(folders: Sequence[Path], docs: Sequence[Doc]) -> str:
    """How many of ``docs`` (from :func:`load_unlabelled`) came from each folder, named by
    its last three path components: "640 from corpus-x/train/text, 446 from …"."""
    counts = [sum(d.id.startswith(f"{k}:") for d in docs) for k in range(len(folders))]
    return ", ".join(f"{n:,} from {'/'.join(Path(f).resolve().parts[-3:])}" for f, n in zip(folders, counts, strict=True))
