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

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from ..config import Options
from ..language import DEFAULT_LANGUAGES, supports
from ..ratings import RatingsTable, candidate_domains, normalize_domain
from ..types import Boilerplate, CitedSource, Outlet, Provenance, Span, Syndication
from .base import Context, registry
from .boilerplate import HEAD_LINES as BOILERPLATE_HEAD_LINES
from .boilerplate import nonblank_lines
from .boilerplate import TAIL_LINES as BOILERPLATE_TAIL_LINES
from .outlets import DOMAIN_LIKE, Gazetteer, OutletEntry, clean_name, name_key

if TYPE_CHECKING:
    from ..article import Article

__all__ = ["Gazetteer", "OutletEntry", "ProvenanceAnalyzer", "clean_name", "name_key"]

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
     "Gazeta", "Pravda", "Zeitung", "Sentinel", "Globe", "Beacon", "Mail", "Reporter", "Network", "Online", "Bee"}
)

#: Boilerplate rules whose credit says the text comes from an agency or
#: another outlet. Image and photo credits are never among them: a picture
#: from Reuters does not make the article Reuters'.
FOOTER_KINDS = frozenset({"syndication"})
WIRE_RULES = frozenset({"agency-dateline", "caps-dateline", "dash-dateline", "signoff", "reporting-by",
                        "trust-principles"})
#: Rules that credit an agency only when the named party is a wire service:
#: "By Reuters Staff" and "Copyright 2024 The Associated Press" (last lines only).
WIRE_IF_AGENCY_RULES = frozenset({"byline", "copyright-line"})
#: Reuters credit lines, which carry no outlet name.
REUTERS_RULES = frozenset({"reporting-by", "trust-principles"})
REUTERS = "Reuters"

#: Top-level domains tried for names the gazetteer does not know.
CANDIDATE_TLDS: tuple[str, ...] = ("com", "org", "net", "news", "info", "co.uk", "co", "io")
#: How many non-empty lines at the start / end hold the credits that name the
#: article's source (the boilerplate analyzer looks there for footers and datelines).
HEAD_LINES, TAIL_LINES = BOILERPLATE_HEAD_LINES, BOILERPLATE_TAIL_LINES

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

# --------------------------------------------------------------------------
# The analyzer.
# --------------------------------------------------------------------------


@dataclass
class _Credit:
    """A footer or wire credit found in the text, with the boilerplate rule that found it."""

    kind: str
    name: str | None
    domain: str | None
    evidence: Span
    rule: str


class ProvenanceAnalyzer:
    name = "provenance"
    version = "2"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or Gazetteer.default()

    def annotate(self, ctx: Context) -> None:
        text = ctx.analysis.text
        credits = self.find_credits(text, ctx.analysis.boilerplate, ctx.ratings)
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
            # The page's URL can match a table's URL pattern ("…/commentary/*") that no domain lookup sees.
            page_url = ctx.article.url or ctx.article.extra.get("canonical_url")
            by_url = ctx.ratings.lookup(outlet.domain, url=page_url) if outlet.evidence is None and page_url else None
            outlet.rating = by_url or rate(outlet.domain)
        selves = [o for o in (outlet, syndication) if o is not None]
        # Outlets and credits read the same in any language; citation cues are English words.
        cited = [c for c in self.cited_sources(ctx, ctx.analysis.boilerplate)
                 if not any(self.same_outlet(c, o.name, o.domain) for o in selves)
                 ] if supports(DEFAULT_LANGUAGES, ctx.analysis.meta.language) else []
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
                rule=syndication.rule,
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
        if DOMAIN_LIKE.match(name):
            domain = normalize_domain(name)
            entry = self.gazetteer.find_domain(domain)
            return (entry.name if entry else name), domain
        return name, next((d for d in _candidate_domains(name) if d in table), None)

    # -- syndication -------------------------------------------------------

    def find_credits(self, text: str, boilerplate: list[Boilerplate], table: RatingsTable) -> list[_Credit]:
        """The boilerplate that says where the text comes from: footers (last
        lines first, then the first lines), then wire credits (first lines,
        then last lines from the end). The first is the syndication."""
        lines = [start for start, _ in nonblank_lines(text)]
        head_end = lines[HEAD_LINES] if len(lines) > HEAD_LINES else len(text)
        tail_start = lines[-TAIL_LINES] if len(lines) >= TAIL_LINES else 0
        footers: list[_Credit] = []
        wires: list[_Credit] = []
        for item in boilerplate:
            credit = self.credit(item, table, in_tail=item.start >= tail_start)
            if credit is not None:
                (footers if credit.kind == "republication-footer" else wires).append(credit)

        def footer_order(c: _Credit) -> tuple[bool, int]:
            tail = c.evidence.start >= tail_start
            return not tail, -c.evidence.start if tail else c.evidence.start

        def wire_order(c: _Credit) -> tuple[bool, int]:
            head = c.evidence.start < head_end
            return not head, c.evidence.start if head else -c.evidence.start

        return sorted(footers, key=footer_order) + sorted(wires, key=wire_order)

    def credit(self, item: Boilerplate, table: RatingsTable, *, in_tail: bool) -> _Credit | None:
        """The credit a boilerplate line gives, if it says where the text comes from."""
        evidence = Span(item.start, item.end, item.text)
        if item.kind in FOOTER_KINDS and item.credited is not None:
            name, domain = self.resolve(clean_name(item.credited.text), table)
            return _Credit("republication-footer", name, domain, evidence, item.rule)
        if item.rule in REUTERS_RULES:
            entry = self.gazetteer.find_name(REUTERS)
            return _Credit("wire-credit", REUTERS, entry.domain if entry else None, evidence, item.rule)
        if item.credited is None:
            return None
        entry = self.gazetteer.find_name(clean_name(item.credited.text))
        if entry is None:
            return None
        if item.rule in WIRE_RULES or (
            item.rule in WIRE_IF_AGENCY_RULES and self.gazetteer.is_wire(entry.name)
            and (in_tail or item.rule == "byline")
        ):
            return _Credit("wire-credit", entry.name, entry.domain, evidence, item.rule)
        return None

    # -- cited sources -----------------------------------------------------

    def same_outlet(self, source: CitedSource, name: str | None, domain: str | None) -> bool:
        """Whether a cited source is the article's own outlet ("told the Globe" in a
        California Globe article): same domain, same gazetteer entry, same name, or
        a short form of it (the last words of its name, the end of its domain's
        first label)."""
        if source.domain and domain and (set(candidate_domains(source.domain)) & set(candidate_domains(domain))):
            return True
        key = name_key(source.name)
        if not key:
            return False
        if name:
            mine = self.gazetteer.find_name(name)
            if mine is not None and mine is self.gazetteer.find_name(source.name):
                return True
            if key == name_key(name) or (source.domain is None and name_key(name).endswith(" " + key)):
                return True
        if source.domain is None and domain and (host := normalize_domain(domain)):
            label = host.split(".")[0].replace("-", "")
            squashed = re.sub(r"[^a-z0-9]", "", key)
            return len(squashed) >= 3 and label.endswith(squashed)
        return False

    def cited_sources(self, ctx: Context, excluded: list[Boilerplate]) -> list[CitedSource]:
        """Outlets the text leans on, outside boilerplate, each with its cue and rule."""
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
            found.append(CitedSource(entry.name, entry.domain, start, end, text[start:end], cue=cue[0],
                                     rule=f"known-outlet {cue[2]}"))
        for start, end, label, last in ents:
            if label != "ORG" or last not in MEDIA_NOUNS:
                continue
            if text[start:end].startswith("the "):
                start += 4
            if any(s < end and start < e for s, e in taken) or _overlaps(start, end, excluded):
                continue
            if (cue := _cue(text, start, end)) is None or not cue[1]:
                continue
            found.append(CitedSource(text[start:end], None, start, end, text[start:end], cue=cue[0],
                                     rule=f"media-name {cue[2]}"))
        return sorted(found, key=lambda c: (c.start, c.end))


# --------------------------------------------------------------------------
# Helpers.
# --------------------------------------------------------------------------


def _span(text: str, start: int, end: int) -> Span:
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start=start, end=end, text=text[start:end])


def _overlaps(start: int, end: int, spans: list[Boilerplate]) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def _inside_larger(text: str, start: int, end: int, ent_start: int, ent_end: int) -> bool:
    """Whether an entity covers the mention and more ("Michael Bloomberg", "National Guard")."""
    if ent_start > start or ent_end < end or (ent_start, ent_end) == (start, end):
        return False
    return not (
        _ENTITY_EXTRA_BEFORE.fullmatch(text, ent_start, start) and _ENTITY_EXTRA_AFTER.fullmatch(text, end, ent_end)
    )


def _cue(text: str, start: int, end: int) -> tuple[Span, bool, str] | None:
    """The cue that makes the mention at ``[start, end)`` a citation, whether it
    is strong, and its rule: ``parenthetical`` ("(Reuters)"), ``possessive``
    ("CNN's report"), ``cue-after`` ("RT reported") or ``cue-before`` ("told CNN")."""
    if start > 0 and text[start - 1] == "(" and text[end : end + 1] == ")":
        return _span(text, start - 1, end + 1), True, "parenthetical"
    for regex, rule in ((_POSSESSIVE_RE, "possessive"), (_AFTER_RE, "cue-after")):
        if m := regex.match(text, end):
            return _cue_span(text, m.start("cue"), m.end("cue"), rule)
    if m := _BEFORE_RE.search(text, max(0, start - 160), start):
        return _cue_span(text, m.start("cue"), m.end("cue"), "cue-before")
    return None


def _cue_span(text: str, start: int, end: int, rule: str) -> tuple[Span, bool, str]:
    span = _span(text, start, end)
    last = " ".join(span.text.lower().split()).split()[-1]
    return span, last not in WEAK_CUES and span.text.lower() not in WEAK_CUES, rule


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


@registry.register("provenance", requires=("boilerplate",), assigns=("provenance",), uses=("doc",), languages=("*",))
def make_provenance(options: Options) -> ProvenanceAnalyzer:
    return ProvenanceAnalyzer()
