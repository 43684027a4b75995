"""Known news outlets and how their names are written in credit lines.

The gazetteer ``unspin/data/outlets.csv`` (name, domain, aliases, kind,
country) is read by the boilerplate analyzer (which credit lines name an
agency), the provenance analyzer (outlets, syndication, cited sources) and
the entities analyzer (outlet names typed as organisations).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterator

from ..ratings import candidate_domains, normalize_domain

__all__ = ["Gazetteer", "OutletEntry", "WIRE_KINDS", "clean_name", "name_at", "name_key"]

#: Outlet kinds whose name alone in a byline or sign-off is a wire credit.
WIRE_KINDS = frozenset({"agency", "state-media"})
#: Connective words allowed inside an outlet name ("Mail and Guardian").
NAME_CONNECTIVES = frozenset(
    {"of", "the", "and", "for", "from", "de", "del", "della", "la", "le", "du", "des", "di", "da", "&"}
)

_TOKEN_RE = re.compile(r"\S+")
_ALNUM_RE = re.compile(r"[^\W_]+")
_CORPORATE_SUFFIX = re.compile(r",?\s+(?:Inc|LLC|L\.?P|Ltd|GmbH|Co|Corp|plc|S\.?A|AG|Group|Media\s+Group)\.?$", re.I)
DOMAIN_LIKE = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?$", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:?)]}”\"’'"


def clean_name(name: str) -> str:
    """An outlet name from a credit line without a lowercase "the" or "Inc."/"GmbH"."""
    name = _CORPORATE_SUFFIX.sub("", name.strip())
    return name[4:] if name.startswith("the ") else name


def name_key(name: str) -> str:
    """How outlet names compare: case-folded, curly quotes straightened, no "The"."""
    key = " ".join(name.replace("’", "'").casefold().split()).strip(" .,;:")
    return key[4:] if key.startswith("the ") else key


def name_at(text: str, start: int, limit: int) -> tuple[int, int] | None:
    """The name starting at ``start``: capitalised words, connectives, domains."""
    end = None
    for i, m in enumerate(_TOKEN_RE.finditer(text, start, limit)):
        word = m.group()
        stripped = word.rstrip(_TRAILING_PUNCT)
        if not stripped:
            break
        lowered = stripped.lower()
        if (i == 0 and lowered == "the") or (i > 0 and lowered in NAME_CONNECTIVES):
            if stripped != word:
                break
            continue
        if not stripped[0].isalnum() or not (
            stripped[0].isupper() or stripped[0].isdigit() or DOMAIN_LIKE.match(stripped)
            or any(c.isupper() for c in stripped[1:])
        ):
            break
        end = m.start() + len(stripped)
        if stripped != word:
            break
    return None if end is None else (start, end)


@dataclass(frozen=True)
class OutletEntry:
    name: str
    domain: str
    aliases: tuple[str, ...]
    kind: str
    country: str


@dataclass
class Gazetteer:
    """Known outlets, findable by name, alias or domain, and in running text."""

    entries: list[OutletEntry]
    by_key: dict[str, OutletEntry] = field(default_factory=dict)
    by_domain: dict[str, OutletEntry] = field(default_factory=dict)
    pattern: re.Pattern[str] = field(init=False)
    #: First alphanumeric run of every alias, lowercased: where a match may start.
    first_words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        patterns: set[str] = set()
        for entry in self.entries:
            self.by_domain.setdefault(entry.domain, entry)
            self.by_key.setdefault(entry.domain, entry)
            for alias in (entry.name, *entry.aliases):
                self.by_key.setdefault(name_key(alias), entry)
                patterns.add(_alias_pattern(alias))
                if entry.kind in WIRE_KINDS and alias.upper() != alias:
                    patterns.add(_alias_pattern(alias.upper()))
            patterns.add("(?i:" + re.escape(entry.domain) + ")")
        alternation = "|".join(sorted(patterns, key=lambda p: (-len(p), p)))
        self.pattern = re.compile(r"(?<![\w@/.-])(?:" + alternation + r")(?![\w]|[-.]\w)")
        self.first_words = frozenset(
            m.group() for key in self.by_key for m in [_ALNUM_RE.match(key)] if m is not None
        ) | {"the"}

    @classmethod
    @functools.cache
    def default(cls) -> "Gazetteer":
        """The gazetteer shipped in ``unspin/data/outlets.csv``, loaded once."""
        text = resources.files("unspin").joinpath("data/outlets.csv").read_text(encoding="utf-8")
        return cls(
            [
                OutletEntry(
                    name=row["name"],
                    domain=row["domain"],
                    aliases=tuple(a for a in row["aliases"].split("|") if a),
                    kind=row["kind"],
                    country=row["country"],
                )
                for row in csv.DictReader(text.splitlines())
            ]
        )

    def find_name(self, name: str) -> OutletEntry | None:
        return self.by_key.get(name_key(name))

    def find_domain(self, domain: str | None) -> OutletEntry | None:
        host = normalize_domain(domain)
        if host is None:
            return None
        return next((e for c in candidate_domains(host) if (e := self.by_domain.get(c))), None)

    def is_wire(self, name: str) -> bool:
        """Whether ``name`` is a news agency or state media (a wire service)."""
        entry = self.find_name(clean_name(name))
        return entry is not None and entry.kind in WIRE_KINDS

    def mentions(self, text: str) -> Iterator[tuple[int, int, OutletEntry]]:
        """Known outlets named in ``text``, longest name first at each position."""
        done = 0
        for word in _ALNUM_RE.finditer(text):
            if word.start() < done or word.group().lower() not in self.first_words:
                continue
            if (m := self.pattern.match(text, word.start())) and (entry := self.by_key.get(name_key(m.group()))):
                done = m.end()
                yield m.start(), m.end(), entry


def _alias_pattern(alias: str) -> str:
    words = alias.split()
    prefix = ""
    if len(words) > 1 and words[0].lower() == "the":
        prefix, words = r"(?:[Tt]he|THE)\s+", words[1:]
    body = r"\s+".join(re.escape(w) for w in words)
    return prefix + re.sub(r"['’]", "['’]", body)
