"""Reliability ratings of outlets, read from CSV tables the user brings.

unspin ships no ratings of its own. A table is a CSV file with a header row
and one row per outlet; the domain column is the first of ``domain``,
``source``, ``site`` or ``url`` present (names compared case-insensitively).
Every other non-empty cell of a row is carried into the rating as a string,
with two more keys: ``domain`` (the table's domain that matched) and
``table`` (the file name). See docs/ratings.md.

>>> table = RatingsTable.load(["mbfc.csv"])               # doctest: +SKIP
>>> table.lookup("https://edition.cnn.com/2024/x.html")   # doctest: +SKIP
{'bias': 'left', ..., 'domain': 'cnn.com', 'table': 'mbfc.csv'}
"""

from __future__ import annotations

import csv
import functools
import os
import re
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from .errors import ConfigError

#: Names of the domain column, in order of preference.
DOMAIN_COLUMNS: tuple[str, ...] = ("domain", "source", "site", "url")

#: Used only when the ``tld`` package (installed with trafilatura) is missing:
#: second-level labels that, under a two-letter country code, form a public
#: suffix (``co.uk``, ``com.au``, ``gov.br``).
_FALLBACK_SECOND_LEVEL = frozenset(
    {"ac", "co", "com", "edu", "gob", "gov", "gv", "go", "or", "org", "net", "ne", "nic", "mil", "nom", "gouv",
     "ltd", "plc"}
)

_HOST_END = re.compile(r"[/?#\\\s]")


def normalize_domain(value: str | None) -> str | None:
    """The bare host of a domain or URL: lowercase, no scheme, path, port, ``www.``.

    >>> normalize_domain("https://WWW.Example.co.uk:443/news?id=1")
    'example.co.uk'
    """
    if not value:
        return None
    host = value.strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    elif host.startswith("//"):
        host = host[2:]
    host = _HOST_END.split(host, 1)[0]
    host = host.rsplit("@", 1)[-1]
    host = host.split(":", 1)[0].strip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


@functools.lru_cache(maxsize=4096)
def is_public_suffix(domain: str) -> bool:
    """Whether ``domain`` is a public suffix (``com``, ``co.uk``, ``blogspot.com``)."""
    try:
        import tld
    except ImportError:  # pragma: no cover - tld comes with trafilatura
        labels = domain.split(".")
        return len(labels) == 1 or (
            len(labels) == 2 and len(labels[1]) == 2 and labels[0] in _FALLBACK_SECOND_LEVEL
        )
    return bool(tld.is_tld(domain))


def candidate_domains(domain: str) -> Iterator[str]:
    """``domain`` itself, then its parents that are not public suffixes."""
    yield domain
    labels = domain.split(".")
    for i in range(1, len(labels) - 1):
        parent = ".".join(labels[i:])
        if is_public_suffix(parent):
            return
        yield parent


@dataclass
class RatingsTable:
    """Ratings by normalised domain, merged from one or more CSV tables."""

    ratings: dict[str, dict[str, str]] = field(default_factory=dict)
    paths: tuple[str, ...] = ()

    @classmethod
    def load(cls, paths: Sequence[str]) -> "RatingsTable":
        """Read the tables at ``paths``; for a domain, the first file wins."""
        table = cls(paths=tuple(paths))
        for path in paths:
            for domain, rating in _read_table(path).items():
                table.ratings.setdefault(domain, rating)
        return table

    def __len__(self) -> int:
        return len(self.ratings)

    def __contains__(self, domain: object) -> bool:
        """Whether the table lists exactly ``domain`` (after normalisation)."""
        return isinstance(domain, str) and normalize_domain(domain) in self.ratings

    def lookup(self, domain: str | None) -> dict[str, str] | None:
        """The rating of ``domain`` or of its closest listed parent domain."""
        host = normalize_domain(domain)
        if host is None or not self.ratings:
            return None
        for candidate in candidate_domains(host):
            if (rating := self.ratings.get(candidate)) is not None:
                return dict(rating)
        return None


def _read_table(path: str) -> dict[str, dict[str, str]]:
    name = os.path.basename(path)
    try:
        with open(os.path.expanduser(path), encoding="utf-8-sig", newline="") as f:
            rows = csv.reader(f)
            header = [h.strip() for h in next(rows, [])]
            column = _domain_column(header, path)
            fields = [(i, key) for i, key in enumerate(header) if i != column and key]
            ratings: dict[str, dict[str, str]] = {}
            for row in rows:
                if column >= len(row) or (domain := normalize_domain(row[column])) is None:
                    continue
                if domain in ratings:
                    continue
                rating = {key: value for i, key in fields if i < len(row) and (value := row[i].strip())}
                rating["domain"] = domain
                rating["table"] = name
                ratings[domain] = rating
            return ratings
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{path}: cannot read ratings table: {reason}") from None


def _domain_column(header: list[str], path: str) -> int:
    lowered = [h.lower() for h in header]
    for wanted in DOMAIN_COLUMNS:
        if wanted in lowered:
            return lowered.index(wanted)
    raise ConfigError(
        f"{path}: ratings table has no domain column (expected one of: {', '.join(DOMAIN_COLUMNS)})"
    )
