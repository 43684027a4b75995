"""Reliability ratings of outlets, read from tables the user brings.

unspin ships no ratings of its own. A table is either

* a CSV file with a header row and one row per outlet; the domain column is
  the first of ``domain``, ``source``, ``site`` or ``url`` present (names
  compared case-insensitively), and every other non-empty cell of a row is
  carried into the rating as a string; or
* a plain list of domains or URL patterns, one a line (``rt.com``,
  ``https://www.example.com/*``; blank lines and ``#`` comments skipped),
  such as the Iffy index. A list carries no columns, so its label is given
  with the file: ``iffy.txt:label=low-credibility``.

Any table spec may add fields to every rating it gives: ``PATH:key=value``
(repeatable: ``PATH:label=low:source=iffy``). Each rating has two more keys:
``domain`` (the table's domain that matched) and ``table`` (the file name).
See docs/ratings.md.

>>> table = RatingsTable.load(["mbfc.csv", "iffy.txt:label=low-credibility"])  # doctest: +SKIP
>>> table.lookup("https://edition.cnn.com/2024/x.html")   # doctest: +SKIP
{'bias': 'left', ..., 'domain': 'cnn.com', 'table': 'mbfc.csv'}
"""

from __future__ import annotations

import csv
import functools
import io
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
#: ``:key=value`` after a table's path: a field added to every rating of the table.
_FIELD_SUFFIX = re.compile(r":(?P<key>[A-Za-z_][\w-]*)=(?P<value>[^:]*)$")
#: A line of a domain list: a domain or an http(s) URL pattern, without spaces or commas.
_LIST_LINE = re.compile(r"^(?:https?://)?[^\s,/]+\.[^\s,/]+(?:/\S*)?$", re.IGNORECASE)


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


@dataclass(frozen=True)
class TableSpec:
    """A ratings table as given: its file and the fields to add to each of its ratings."""

    path: str
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """The file name, without its folder: the ``table`` of its ratings."""
        return os.path.basename(self.path)


def parse_table_spec(spec: str) -> TableSpec:
    """``iffy.txt:label=low-credibility:source=iffy`` → the path and its added fields.

    Only trailing ``:key=value`` parts are fields, so a Windows drive
    (``C:\\data\\mbfc.csv``) stays part of the path.
    """
    fields: list[tuple[str, str]] = []
    path = spec
    while (m := _FIELD_SUFFIX.search(path)) and m.start() > 0:
        fields.insert(0, (m.group("key"), m.group("value").strip()))
        path = path[: m.start()]
    return TableSpec(path, tuple(fields))


def table_name(spec: str) -> str:
    """The file name of a table spec (``iffy.txt`` for ``data/iffy.txt:label=low``)."""
    return parse_table_spec(spec).name


@dataclass
class RatingsTable:
    """Ratings by normalised domain, merged from one or more tables (CSV or domain lists)."""

    ratings: dict[str, dict[str, str]] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    #: Ratings of URL patterns with a path (``westernjournal.com/commentary/*``):
    #: host → [(path prefix, rating)]. They rate pages under that path only.
    url_patterns: dict[str, list[tuple[str, dict[str, str]]]] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: Sequence[str]) -> "RatingsTable":
        """Read the tables at ``paths`` (table specs, see :func:`parse_table_spec`);
        for a domain, the first table wins."""
        table = cls(paths=tuple(paths))
        for path in paths:
            domains, patterns = _read_table(parse_table_spec(path))
            for domain, rating in domains.items():
                table.ratings.setdefault(domain, rating)
            for host, rules in patterns.items():
                table.url_patterns.setdefault(host, []).extend(rules)
        return table

    def __len__(self) -> int:
        return len(self.ratings)

    def __contains__(self, domain: object) -> bool:
        """Whether the table lists exactly ``domain`` (after normalisation)."""
        return isinstance(domain, str) and normalize_domain(domain) in self.ratings

    def lookup(self, domain: str | None, url: str | None = None) -> dict[str, str] | None:
        """The rating of ``domain`` or of its closest listed parent domain.

        With the page's ``url``, a URL pattern with a path that covers it
        (``westernjournal.com/commentary/*``) is tried first; such patterns
        never rate a whole domain.
        """
        if url and self.url_patterns and (rating := self._lookup_url(url)) is not None:
            return rating
        host = normalize_domain(domain)
        if host is None or not self.ratings:
            return None
        for candidate in candidate_domains(host):
            if (rating := self.ratings.get(candidate)) is not None:
                return dict(rating)
        return None

    def _lookup_url(self, url: str) -> dict[str, str] | None:
        host = normalize_domain(url)
        if host is None:
            return None
        path = _url_path(url)
        for candidate in candidate_domains(host):
            for prefix, rating in self.url_patterns.get(candidate, ()):
                if path.startswith(prefix):
                    return dict(rating)
        return None


def _url_path(url: str) -> str:
    """The path of ``url`` (or of a ``host/path`` pattern), lowercased, from its first ``/``."""
    rest = url.strip().split("://", 1)[-1]
    rest = rest.removeprefix("//")
    cut = re.search(r"[/?#]", rest)
    path = rest[cut.start():] if cut else "/"
    return path.split("#", 1)[0].lower()


def _read_table(spec: TableSpec) -> tuple[dict[str, dict[str, str]], dict[str, list[tuple[str, dict[str, str]]]]]:
    """The ratings of one table by domain, and those of its URL patterns with a path."""
    path = spec.path
    try:
        with open(os.path.expanduser(path), encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{path}: cannot read ratings table: {reason}") from None
    first = next((ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    if not first:
        raise ConfigError(f"{path}: ratings table is empty")
    if _LIST_LINE.match(first):
        return _read_domain_list(text, spec)
    return _read_csv(text, spec), {}


def _read_domain_list(
    text: str, spec: TableSpec
) -> tuple[dict[str, dict[str, str]], dict[str, list[tuple[str, dict[str, str]]]]]:
    """A plain list: one domain or URL pattern a line, the rating given with the path."""
    path = spec.path
    if not spec.fields:
        raise ConfigError(f"{path}: a list of domains carries no rating: give one with the file, "
                          f"e.g. --ratings {path}:label=low-credibility")
    domains: dict[str, dict[str, str]] = {}
    patterns: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not _LIST_LINE.match(line) or (host := normalize_domain(line)) is None:
            raise ConfigError(f"{path}: line {number} is not a domain or URL pattern: {abbreviated(line)}")
        rating = {**dict(spec.fields), "domain": host, "table": spec.name}
        prefix = _url_path(line).rstrip("*")
        if prefix in ("", "/"):
            domains.setdefault(host, rating)
        else:
            patterns.setdefault(host, []).append((prefix, rating))
    return domains, patterns


def abbreviated(line: str, limit: int = 60) -> str:
    """``line`` quoted, cut to ``limit`` characters, for one-line errors."""
    return repr(line if len(line) <= limit else line[: limit - 1] + "…")


def _read_csv(text: str, spec: TableSpec) -> dict[str, dict[str, str]]:
    path, added, name = spec.path, dict(spec.fields), spec.name
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
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
            if added:
                rating.update(added)
            rating["domain"] = domain
            rating["table"] = name
            ratings[domain] = rating
        return ratings
    except csv.Error as exc:
        raise ConfigError(f"{path}: cannot read ratings table: {exc}") from None


def _domain_column(header: list[str], path: str) -> int:
    lowered = [h.lower() for h in header]
    for wanted in DOMAIN_COLUMNS:
        if wanted in lowered:
            return lowered.index(wanted)
    raise ConfigError(
        f"{path}: ratings table has no domain column (expected one of: {', '.join(DOMAIN_COLUMNS)})"
    )
