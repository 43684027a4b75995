"""Person names as an article writes them: "Putin" and "the Russian President
Vladimir Putin" are one person, "Vladimir Putin" (the fullest form).

Used by the quotes analyzer (speakers) and the roles model (mention groups).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

POSSESSIVE_RE = re.compile(r"(?:['’]s|['’])$")


def name_words(text: str, titles: frozenset[str]) -> list[str]:
    """The words of a name without leading titles and a possessive ending."""
    words = POSSESSIVE_RE.sub("", text.strip()).split()
    while len(words) > 1 and words[0].lower().rstrip(".") in titles:
        words.pop(0)
    return words


@dataclass
class NameIndex:
    """PERSON mentions grouped by last word: "Putin" → "Vladimir Putin"."""

    titles: frozenset[str]
    #: last word (lower) → [(first occurrence, full name)]
    names: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    #: last word (lower) → start offsets of its mentions, with the full name used
    mentions: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def add(self, text: str, start: int) -> None:
        words = name_words(text, self.titles)
        if not words:
            return
        key = words[-1].lower()
        full = " ".join(words)
        self.names.setdefault(key, [])
        if all(n != full for _, n in self.names[key]):
            self.names[key].append((start, full))
        self.mentions.setdefault(key, []).append((start, full))

    def __contains__(self, key: str) -> bool:
        return key.lower() in self.names

    def fullest(self, text: str, pos: int) -> str | None:
        """The fullest name of the person mentioned as ``text`` at ``pos``."""
        words = name_words(text, self.titles)
        if not words:
            return None
        key = words[-1].lower()
        candidates = [n for _, n in self.names.get(key, [])]
        if not candidates:
            return " ".join(words) if len(words) > 1 else None
        if len(words) > 1:
            low = [w.lower() for w in words]
            same = [
                c
                for c in candidates
                if (cw := c.lower().split())[0] == low[0] or cw == low[-len(cw) :] or low == cw[-len(low) :]
            ]
            if same:
                return max(same, key=lambda c: len(c.split()))
            return " ".join(words)
        # A bare last name: the full name mentioned most recently before it.
        full = [c for c in candidates if len(c.split()) > 1] or candidates
        before = [(s, n) for s, n in self.mentions.get(key, []) if s <= pos and n in full]
        if before:
            latest = max(before)[1]
        else:
            latest = min((s, n) for s, n in self.names[key] if n in full)[1]
        longer = [c for c in full if c.split()[0] == latest.split()[0]]
        return max(longer, key=lambda c: len(c.split())) if longer else latest
