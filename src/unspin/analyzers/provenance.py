"""Provenance: who published the text, where it first appeared, whom it cites.

Three findings go into ``analysis.provenance``:

* ``syndicated_from``: a republication footer ("The post … appeared first on
  The Duran.", "This article originally appeared in …") or a wire credit
  ("MOSCOW, Oct 3 (Reuters) -", "Reporting by …; Editing by …").
* ``outlet``: the publisher of the analysed copy, from the input (URL, HTML
  metadata, ``--outlet``), else from the footer or the wire credit.
* ``cited_sources``: outlets the text leans on ("RT reports:", "told
  Politico", "according to Reuters").

Outlet names are resolved with the gazetteer ``unspin/data/outlets.csv``;
ratings come from the user's tables (:mod:`unspin.ratings`). The cue words
are data (the constants below); every span is a range of ``str``
characters into the analysed text.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Iterator

from ..config import Options
from .base import Context, registry
from ..ratings import RatingsTable, candidate_domains, normalize_domain
from ..types import CitedSource, Outlet, Provenance, Span, Syndication

if TYPE_CHECKING:
    from ..article import Article

# --------------------------------------------------------------------------
# Data: cue patterns and word lists (regular expressions, case-insensitive).
# --------------------------------------------------------------------------

#: Words a descriptor before an outlet name may end with ("the Russian state
#: news agency TASS", "Kremlin-funded broadcaster RT").
_DESCRIPTOR = (
    r"(?:[\w’'-]+\s+){0,3}?(?:news\s+agency|agency|broadcaster|newspaper|news\s+outlet|outlet"
    r"|channel|network|tabloid|daily|website|site|magazine|wire\s+service|state\s+media|media|TV|television|radio)"
)

#: Words that may follow an outlet name ("TASS news agency reported").
_MEDIA_WORDS = r"broadcaster|newspaper|channel|network|tabloid|daily|website|outlet|magazine"

#: Cues that come before the outlet; the match must end where the name starts.
CUES_BEFORE: tuple[str, ...] = (
    r"according\s+to(?:\s+(?:a|an|the)\s+(?:[\w-]+\s+)?(?:report|article|story|investigation|analysis"
    r"|interview|broadcast|poll|survey)\s+(?:by|in|from|of|on|with))?",
    r"as\s+(?:first\s+|previously\s+|originally\s+|earlier\s+)?reported\s+(?:by|in|on)",
    r"(?:first\s+)?reported\s+by",
    r"told",
    r"(?:speaking|talking|spoke|talked|speaks|talks)\s+(?:exclusively\s+)?(?:to|with)",
    r"(?:in\s+)?an?\s+(?:exclusive\s+|recent\s+|new\s+|separate\s+)?interview\s+(?:with|on|for|given\s+to)",
    r"interviewed\s+by",
    r"(?:an?|the)\s+(?:[\w-]+\s+)?(?:report|article|story|investigation|op-ed|editorial|analysis|piece"
    r"|column|exposé|expose|documentary)\s+(?:by|in|from|on|published\s+(?:by|in|on))",
    r"(?:an?|the|his|her|their)\s+(?:[\w-]+\s+)?(?:op-ed|editorial|column|piece|essay)\s+for",
    r"(?:cited|quoted|obtained|seen|reviewed|verified)\s+by",
    r"(?:wrote|writing|writes|written)\s+(?:in|for|on)",
    r"citing|quoting",
    r"(?:appearing|speaking)\s+on",
    r"reports?\s+(?:by|in|from)",
    r"via|h/t|source\s*:",
)

#: Verbs after the outlet ("Reuters reports", "TASS news agency reported").
CUE_VERBS_AFTER = (
    r"reports?|reported|reporting|wrote|writes|quoted|quotes|cited|cites|citing|quoting|revealed|reveals"
    r"|learned|learnt|broke\s+the\s+(?:story|news)|obtained|said|says|claimed|claims|alleged|alleges"
    r"|published|confirmed|noted|stated|announced|added"
)
#: Nouns after a possessive ("CNN's report", "Reuters' investigation").
CUE_NOUNS_POSSESSIVE = (
    r"report|reports|reporting|investigation|story|article|analysis|coverage|interview|revelations?"
    r"|findings|correspondent|reporter|sources"
)
#: Cues too weak to report an outlet the gazetteer does not know.
WEAK_CUES = frozenset(
    {"said", "says", "claimed", "claims", "alleged", "alleges", "published", "confirmed", "noted", "stated",
     "announced", "added", "via", "h/t", "source:"}
)
#: Last words that mark an ORG entity as a news outlet ("The Baltic Ledger").
MEDIA_NOUNS = frozenset(
    {"News", "Times", "Post", "Journal", "Herald", "Tribune", "Gazette", "Daily", "Telegraph", "Agency", "TV",
     "Radio", "Chronicle", "Ledger", "Observer", "Examiner", "Inquirer", "Courier", "Register", "Star", "Sun",
     "Mirror", "Express", "Standard", "Guardian", "Independent", "Magazine", "Weekly", "Monitor", "Dispatch",
     "Press", "Bulletin", "Wire", "Newswire", "Channel", "Broadcasting", "Television", "Media", "Insider",
     "Gazeta", "Pravda", "Zeitung", "Sentinel", "Globe", "Beacon", "Mail", "Reporter", "Network", "Online"}
)

#: Republication footers; the outlet name follows the match.
REPUBLICATION_FOOTERS: tuple[str, ...] = (
    r"\bThe\s+(?:post|article)\s+\S.*?\s+(?:appeared\s+first|first\s+appeared|was\s+first\s+published"
    r"|was\s+originally\s+published|originally\s+appeared)\s+(?:on|in|at)\s+",
    r"^[ \t]*(?:originally|first)\s+(?:appeared|published|posted)\s+(?:(?:on|in|at|by)\s+)?",
    r"\b(?:originally|first)\s+(?:appeared|published|posted|released|ran|aired)\s+(?:on|in|at|by)\s+",
    r"\b(?:appeared|published|posted)\s+(?:originally|first)\s+(?:on|in|at|by)\s+",
    r"\brepublished\s+(?:here\s+)?(?:with\s+(?:the\s+)?(?:kind\s+)?permission\s+)?(?:from|of)\s+",
    r"\b(?:re-?printed|re-?posted|cross-?posted|syndicated|adapted)\s+(?:here\s+)?"
    r"(?:with\s+(?:the\s+)?(?:kind\s+)?permission\s+)?(?:from|of)\s+",
    r"\b(?:this|the)\s+(?:story|article|report|piece|investigation)\s+was\s+(?:produced|reported|written"
    r"|published)\s+(?:by|for|in\s+partnership\s+with|in\s+collaboration\s+with)\s+",
    r"\ball\s+content\s+created\s+by\s+",
    r"(?:©|\(c\)|copyright)[ \t]*(?:\d{4}[ \t]*)?(?=[^\n]*\bdistributed\s+by\b)",
)
#: Credit lines that name a source but also name non-outlets ("Source: Ministry
#: of Defence"): used only when the gazetteer knows the name.
KNOWN_ONLY_FOOTERS: tuple[str, ...] = (r"\s*(?:source|via|h/t|credit)\s*:\s*",)

#: Wire credits at the start: "WASHINGTON (Reuters) -", "(AP) —".
DATELINE = r"^[ \t]*(?:[A-Z][^\n()]{0,60}?[ \t]*)?\((?P<outlet>[^()\n]{2,40})\)[ \t]*[-–—:]+"
#: The same inside a line, after scraped page furniture: "… STOCKHOLM (Reuters) –".
CAPS_DATELINE = (
    r"(?<![\w,])(?:[A-Z][A-Z.'’/-]*(?:[ \t]+[A-Z][A-Z.'’/-]*)*(?:,[ \t]*[A-Z][\w.]*(?:[ \t]+\d{1,2})?)?[ \t]*)?"
    r"\((?P<outlet>[^()\n]{2,40})\)[ \t]*[-–—]+"
)
#: "PARIS — AFP —" at the start of a line.
DASH_DATELINE = (
    r"^[ \t]*(?:[A-Z][^\n()—–]{0,60}?[ \t]*)?[—–-]{1,2}[ \t]*"
    r"(?P<outlet>[^\n—–-]{2,40}?)[ \t]*[—–-]{1,2}\s"
)
#: "By The Associated Press" bylines.
WIRE_BYLINE = r"^[ \t]*By[ \t]+(?P<outlet>[^\n]{2,40}?)(?:[ \t]+(?i:staff|reporters?|news\s+desk))?[ \t]*$"
#: "— AFP" and "-- Reuters" sign-offs at the end of a line.
WIRE_SIGNOFF = r"(?:^|\s)[—–-]{1,2}[ \t]*(?P<outlet>[^\n—–-]{2,40}?)[ \t]*$"
#: Copyright lines of agencies.
WIRE_COPYRIGHT = r"(?:©|\([cC]\)|Copyright)[ \t]*(?:\d{4}[ \t]+)?(?P<outlet>[^\n]{2,60})"
#: Reuters credit lines, which carry no outlet name.
REUTERS_CREDITS: tuple[str, ...] = (
    r"^[ \t]*\(?[ \t]*(?:Additional\s+)?(?:Reporting|Writing)\s+by\s+[^\n]*?\b(?:Editing|editing)\s+by\s+[^\n]*?"
    r"(?=\)?[ \t]*$)\)?",
    r"Our\s+Standards:\s+The\s+Thomson\s+Reuters\s+Trust\s+Principles\.?",
)
REUTERS = "Reuters"
#: Outlet kinds whose name alone in a byline or sign-off is a wire credit.
WIRE_KINDS = frozenset({"agency", "state-media"})

#: Connective words allowed inside an outlet name ("Mail and Guardian").
NAME_CONNECTIVES = frozenset(
    {"of", "the", "and", "for", "from", "de", "del", "della", "la", "le", "du", "des", "di", "da", "&"}
)
#: Top-level domains tried for names the gazetteer does not know.
CANDIDATE_TLDS: tuple[str, ...] = ("com", "org", "net", "news", "info", "co.uk", "co", "io")
#: How many non-empty lines at the start / end may hold credits and footers.
HEAD_LINES, TAIL_LINES = 3, 4

_FLAGS = re.IGNORECASE
_BEFORE_RE = re.compile(
    r"\b(?P<cue>" + "|".join(f"(?:{c})" for c in CUES_BEFORE) + r")\s+(?:(?:the|a|an)\s+)?(?:"
    + _DESCRIPTOR + r"\s+)?\Z",
    _FLAGS,
)
_AFTER_RE = re.compile(
    r"(?:\s*\([^()\n]{1,15}\))?(?:\s+(?:(?:news\s+)?agency|" + _MEDIA_WORDS + r"))?"
    r"\s+(?P<cue>(?:(?:has|had|have|also|first|later|previously|earlier|separately|exclusively|originally"
    r"|recently|then)\s+){0,2}(?:" + CUE_VERBS_AFTER + r"))\b",
    _FLAGS,
)
_POSSESSIVE_RE = re.compile(
    r"(?P<cue>['’]s?\s+(?:(?:own|latest|recent|new|exclusive|original|earlier|initial|investigative|previous)\s+)?"
    r"(?:" + CUE_NOUNS_POSSESSIVE + r"))\b",
    _FLAGS,
)
#: What an entity may add to an outlet name and still be that outlet
#: ("the Russian news agency TASS", "Xinhua news agency", "CNN's").
_ENTITY_EXTRA_BEFORE = re.compile(r"(?:(?:the|a)\s+)?(?:" + _DESCRIPTOR + r"\s+)?", _FLAGS)
_ENTITY_EXTRA_AFTER = re.compile(r"(?:['’]s?|\s+(?:(?:news\s+)?agency|" + _MEDIA_WORDS + r"))?", _FLAGS)
_FOOTER_RES = tuple(re.compile(p, _FLAGS | re.MULTILINE) for p in REPUBLICATION_FOOTERS)
_KNOWN_FOOTER_RES = tuple(re.compile(p, _FLAGS) for p in KNOWN_ONLY_FOOTERS)
_REUTERS_RES = tuple(re.compile(p, re.MULTILINE) for p in REUTERS_CREDITS)
_DATELINE_RE = re.compile(DATELINE, re.MULTILINE)
_CAPS_DATELINE_RE = re.compile(CAPS_DATELINE)
_DASH_DATELINE_RE = re.compile(DASH_DATELINE, re.MULTILINE)
_BYLINE_RE = re.compile(WIRE_BYLINE, re.MULTILINE)
_SIGNOFF_RE = re.compile(WIRE_SIGNOFF, re.MULTILINE)
_COPYRIGHT_RE = re.compile(WIRE_COPYRIGHT)
_TOKEN_RE = re.compile(r"\S+")
_CORPORATE_SUFFIX = re.compile(r",?\s+(?:Inc|LLC|L\.?P|Ltd|GmbH|Co|Corp|plc|S\.?A|AG|Group|Media\s+Group)\.?$", re.I)
_AUTHOR_THEN_OUTLET = re.compile(r"\s+(?:at|on|in|for)\s+")
_DATE_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
     "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar",
     "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)
_ALNUM_RE = re.compile(r"[^\W_]+")
_DOMAIN_LIKE = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?$", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:?)]}”\"’'"

# --------------------------------------------------------------------------
# The gazetteer of outlets.
# --------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """An outlet name from a credit line without a lowercase "the" or "Inc."/"GmbH"."""
    name = _CORPORATE_SUFFIX.sub("", name.strip())
    return name[4:] if name.startswith("the ") else name


def name_key(name: str) -> str:
    """How outlet names compare: case-folded, curly quotes straightened, no "The"."""
    key = " ".join(name.replace("’", "'").casefold().split()).strip(" .,;:")
    return key[4:] if key.startswith("the ") else key


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


# --------------------------------------------------------------------------
# The analyzer.
# --------------------------------------------------------------------------


@dataclass
class _Credit:
    """A footer or wire credit found in the text."""

    kind: str
    name: str | None
    domain: str | None
    evidence: Span


class ProvenanceAnalyzer:
    name = "provenance"
    version = "1"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or Gazetteer.default()

    def annotate(self, ctx: Context) -> None:
        text = ctx.analysis.text
        credits = self.find_credits(text, ctx.ratings)
        syndication = credits[0] if credits else None
        ratings: dict[str | None, dict[str, str] | None] = {None: None}

        def rate(domain: str | None) -> dict[str, str] | None:
            if domain not in ratings:
                ratings[domain] = ctx.ratings.lookup(domain)
            return ratings[domain]

        outlet = self.article_outlet(ctx.article, ctx.ratings)
        if outlet is None and syndication is not None:
            outlet = Outlet(
                name=syndication.name,
                domain=syndication.domain,
                basis="syndication-footer" if syndication.kind == "republication-footer" else "wire-credit",
                evidence=syndication.evidence,
            )
        if outlet is not None:
            outlet.rating = rate(outlet.domain)
        cited = self.cited_sources(ctx, [c.evidence for c in credits])
        for source in cited:
            source.rating = rate(source.domain)
        ctx.analysis.provenance = Provenance(
            outlet=outlet,
            syndicated_from=None
            if syndication is None
            else Syndication(
                name=syndication.name,
                domain=syndication.domain,
                rating=rate(syndication.domain),
                kind=syndication.kind,
                evidence=syndication.evidence,
            ),
            cited_sources=cited,
        )

    # -- outlet ------------------------------------------------------------

    def article_outlet(self, article: "Article", table: RatingsTable) -> Outlet | None:
        domain = normalize_domain(article.outlet_domain)
        name = article.outlet_name
        if domain is None and not name:
            return None
        if domain is not None:
            entry = self.gazetteer.find_domain(domain)
            name = name or (entry.name if entry else None)
        else:
            assert name is not None
            name, domain = self.resolve(name, table)
        basis = article.outlet_basis or ("url" if article.url and article.outlet_domain else "given")
        return Outlet(name=name, domain=domain, basis=basis)

    def resolve(self, name: str, table: RatingsTable) -> tuple[str, str | None]:
        """Canonical name and domain of an outlet named in a credit line."""
        if entry := self.gazetteer.find_name(name):
            return entry.name, entry.domain
        if _DOMAIN_LIKE.match(name):
            domain = normalize_domain(name)
            entry = self.gazetteer.find_domain(domain)
            return (entry.name if entry else name), domain
        return name, next((d for d in _candidate_domains(name) if d in table), None)

    # -- syndication -------------------------------------------------------

    def find_credits(self, text: str, table: RatingsTable) -> list[_Credit]:
        """Footers (last lines first), then wire credits; the first is the syndication."""
        lines = _nonblank_lines(text)
        head, tail = lines[:HEAD_LINES], lines[-TAIL_LINES:][::-1]
        credits: list[_Credit] = []
        for start, end in tail + [ln for ln in head if ln not in tail]:
            credits.extend(self._footers(text, start, end, table))
        credits.extend(self._wire_credits(text, head, tail))
        return credits

    def _footers(self, text: str, start: int, end: int, table: RatingsTable) -> Iterator[_Credit]:
        for regexes, known_only in ((_FOOTER_RES, False), (_KNOWN_FOOTER_RES, True)):
            for regex in regexes:
                m = regex.search(text, start, end) if not known_only else regex.match(text, start, end)
                if m is None or (found := _name_at(text, m.end(), end)) is None:
                    continue
                found = self._outlet_after_author(text, found, end)
                name = clean_name(text[found[0] : found[1]])
                if known_only and self.gazetteer.find_name(name) is None:
                    continue
                canonical, domain = self.resolve(name, table)
                whole_line = regex is _FOOTER_RES[0]
                span_start = m.start() if whole_line else _sentence_start(text, start, m.start())
                span_end = end if whole_line else _sentence_end(text, found[1], end)
                yield _Credit("republication-footer", canonical, domain, _span(text, span_start, span_end))
                return

    def _outlet_after_author(self, text: str, found: tuple[int, int], limit: int) -> tuple[int, int]:
        """In "published by Tyler Durden at Zero Hedge", the outlet is the second name."""
        if self.gazetteer.find_name(clean_name(text[found[0] : found[1]])):
            return found
        sep = _AUTHOR_THEN_OUTLET.match(text, found[1], limit)
        second = _name_at(text, sep.end(), limit) if sep else None
        first_word = text[second[0] : second[1]].split()[0] if second else ""
        if second is None or first_word.lower() in _DATE_WORDS or first_word.isdigit():
            return found
        return second

    def _wire_credits(self, text: str, head: list[tuple[int, int]], tail: list[tuple[int, int]]) -> Iterator[_Credit]:
        for start, end in head:
            for regex, any_kind in ((_DATELINE_RE, True), (_DASH_DATELINE_RE, False), (_BYLINE_RE, False)):
                if (m := regex.match(text, start, end)) and (credit := self._wire(text, m, any_kind)):
                    yield credit
            for m in _CAPS_DATELINE_RE.finditer(text, start, end):
                if credit := self._wire(text, m, True):
                    yield credit
                    break
        for start, end in tail:
            for regex in _REUTERS_RES:
                if m := regex.search(text, start, end):
                    entry = self.gazetteer.find_name(REUTERS)
                    domain = entry.domain if entry else None
                    yield _Credit("wire-credit", REUTERS, domain, _span(text, m.start(), m.end()))
            for regex in (_SIGNOFF_RE, _COPYRIGHT_RE):
                if (m := regex.search(text, start, end)) and (credit := self._wire(text, m, False)):
                    yield credit

    def _wire(self, text: str, m: re.Match[str], any_kind: bool) -> _Credit | None:
        found = _name_at(text, m.start("outlet"), m.end("outlet"))
        if found is None:
            return None
        entry = self.gazetteer.find_name(clean_name(text[found[0] : found[1]]))
        if entry is None or not (any_kind or entry.kind in WIRE_KINDS):
            return None
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        end = m.end() if m.re is not _COPYRIGHT_RE else found[1]
        return _Credit("wire-credit", entry.name, entry.domain, _span(text, start, end))

    # -- cited sources -----------------------------------------------------

    def cited_sources(self, ctx: Context, excluded: list[Span]) -> list[CitedSource]:
        text = ctx.analysis.text
        ents = [(e.start_char, e.end_char, e.label_, e[-1].text) for e in ctx.doc.ents]
        taken: list[tuple[int, int]] = []
        found: list[CitedSource] = []
        previous: tuple[int, OutletEntry | None] = (-1, None)
        for start, end, entry in self.gazetteer.mentions(text):
            if any(_inside_larger(text, start, end, s, e) for s, e, _, _ in ents):
                continue
            taken.append((start, end))
            abbreviation = previous[1] is entry and re.fullmatch(r"\s*\(", text[previous[0] : start]) is not None
            previous = (end, entry)
            if abbreviation:
                continue
            if _overlaps(start, end, excluded) or (cue := _cue(text, start, end)) is None:
                continue
            if not cue[1] and (start, end, "PERSON") in {(s, e, label) for s, e, label, _ in ents}:
                continue  # "Dawn said": a person, not the newspaper
            found.append(CitedSource(entry.name, entry.domain, start, end, text[start:end], cue=cue[0]))
        for start, end, label, last in ents:
            if label != "ORG" or last not in MEDIA_NOUNS:
                continue
            if text[start:end].startswith("the "):
                start += 4
            if any(s < end and start < e for s, e in taken) or _overlaps(start, end, excluded):
                continue
            if (cue := _cue(text, start, end)) is None or not cue[1]:
                continue
            found.append(CitedSource(text[start:end], None, start, end, text[start:end], cue=cue[0]))
        return sorted(found, key=lambda c: (c.start, c.end))


# --------------------------------------------------------------------------
# Helpers.
# --------------------------------------------------------------------------


def _span(text: str, start: int, end: int) -> Span:
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start=start, end=end, text=text[start:end])


def _overlaps(start: int, end: int, spans: list[Span]) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def _inside_larger(text: str, start: int, end: int, ent_start: int, ent_end: int) -> bool:
    """Whether an entity covers the mention and more ("Michael Bloomberg", "National Guard")."""
    if ent_start > start or ent_end < end or (ent_start, ent_end) == (start, end):
        return False
    return not (
        _ENTITY_EXTRA_BEFORE.fullmatch(text, ent_start, start) and _ENTITY_EXTRA_AFTER.fullmatch(text, end, ent_end)
    )


def _cue(text: str, start: int, end: int) -> tuple[Span, bool] | None:
    """The cue that makes the mention at ``[start, end)`` a citation, and whether it is strong."""
    if start > 0 and text[start - 1] == "(" and text[end : end + 1] == ")":
        return _span(text, start - 1, end + 1), True
    for regex in (_POSSESSIVE_RE, _AFTER_RE):
        if m := regex.match(text, end):
            return _cue_span(text, m.start("cue"), m.end("cue"))
    if m := _BEFORE_RE.search(text, max(0, start - 160), start):
        return _cue_span(text, m.start("cue"), m.end("cue"))
    return None


def _cue_span(text: str, start: int, end: int) -> tuple[Span, bool]:
    span = _span(text, start, end)
    last = " ".join(span.text.lower().split()).split()[-1]
    return span, last not in WEAK_CUES and span.text.lower() not in WEAK_CUES


def _name_at(text: str, start: int, limit: int) -> tuple[int, int] | None:
    """The outlet name starting at ``start``: capitalised words, connectives, domains."""
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
            stripped[0].isupper() or stripped[0].isdigit() or _DOMAIN_LIKE.match(stripped)
            or any(c.isupper() for c in stripped[1:])
        ):
            break
        end = m.start() + len(stripped)
        if stripped != word:
            break
    return None if end is None else (start, end)


def _nonblank_lines(text: str) -> list[tuple[int, int]]:
    r"""``(start, end)`` of every line with a non-space character (a ``\r`` before ``\n`` included).

    A loop, not ``re.finditer(r"[^\n]*\S[^\n]*")``: that regex backtracks
    over a line of spaces from each of its positions, quadratic in the line's
    length (a line of 8,000 spaces took 1.3 s, 100,000 would take minutes).
    """
    lines, pos = [], 0
    for line in text.split("\n"):
        if line and not line.isspace():
            lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    return lines


def _sentence_start(text: str, line_start: int, pos: int) -> int:
    cut = max((m.end() for m in re.finditer(r"[.!?][”\"’')]?\s+", text[line_start:pos])), default=0)
    return line_start + cut


def _sentence_end(text: str, pos: int, line_end: int) -> int:
    m = re.compile(r"[.!?](?=\s|$)").search(text, pos, line_end)
    return m.end() if m else line_end


def _candidate_domains(name: str) -> Iterator[str]:
    """Domains an unknown outlet may have: "The Duran" → theduran.com, duran.com, …"""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_name)
    if not words:
        return
    bases = ["".join(words), "-".join(words)]
    if words[0] == "the" and len(words) > 1:
        bases += ["".join(words[1:]), "-".join(words[1:])]
    for base in dict.fromkeys(bases):
        for tld in CANDIDATE_TLDS:
            yield f"{base}.{tld}"


@registry.register("provenance", assigns=("provenance",), uses=("doc",))
def make_provenance(options: Options) -> ProvenanceAnalyzer:
    return ProvenanceAnalyzer()
