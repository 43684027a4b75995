"""Boilerplate: the lines of a page that are not the article's own words.

Syndication footers ("The post … appeared first on The Duran."), datelines
("MOSCOW, Oct 3 (Reuters) -"), bylines, photo and image credits
("© REUTERS / Toby Melville"), copyright and legal lines ("All rights
reserved."), "Read more" and related-link lists, share widgets ("WhatsApp
Email Telegram") and promotion lines ("Advertisement", "Sign up for our
newsletter") are found here, once, as typed spans
(``analysis.boilerplate``). They are no persuasion, no quote and no cast:
the techniques, quotes and roles analyzers skip them, the provenance
analyzer reads the credits among them (which outlet a footer or a dateline
names), and reports show them dimmed with their kind.

Every finding keeps the ``rule`` that found it. The cue patterns are data
(the constants below); every span is a half-open range of ``str``
characters into the analysed text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..config import Options
from ..types import Boilerplate, Span
from .base import Context, products, registry
from .outlets import Gazetteer, clean_name, name_at

__all__ = ["BOILERPLATE_KINDS", "BoilerplateFinder", "Found", "find_boilerplate", "nonblank_lines"]

#: The kinds of boilerplate, by priority: where two findings overlap, the
#: earlier kind wins ("© REUTERS / Toby Melville" is an image credit, not a
#: copyright line).
BOILERPLATE_KINDS: tuple[str, ...] = (
    "syndication", "image-credit", "dateline", "byline", "copyright", "share-widget", "related-links", "promo",
)
_PRIORITY = {kind: i for i, kind in enumerate(BOILERPLATE_KINDS)}

#: How many non-empty lines at the start / end may hold credits and footers.
HEAD_LINES, TAIL_LINES = 3, 4
#: Bylines and timestamps sit under the headline, among the first lines.
BYLINE_LINES = 6
#: A line of page furniture is short: longer lines are prose.
SHORT_LINE_WORDS = 25
#: A related-links list after a bare "Related stories" heading: headline-like
#: lines (at most this many words, not ending like a sentence), at most this many.
HEADLINE_WORDS, RELATED_LIST_LINES = 16, 10

_FLAGS = re.IGNORECASE

# --------------------------------------------------------------------------
# Data: cue patterns (regular expressions).
# --------------------------------------------------------------------------

#: Republication footers, by rule name; the outlet name follows the match.
REPUBLICATION_FOOTERS: dict[str, str] = {
    "footer-the-post": r"\bThe\s+(?:post|article)\s+\S.*?\s+(?:appeared\s+first|first\s+appeared|was\s+first\s+published"
    r"|was\s+originally\s+published|originally\s+appeared)\s+(?:on|in|at)\s+",
    "footer-originally-line": r"^[ \t]*(?:originally|first)\s+(?:appeared|published|posted)\s+(?:(?:on|in|at|by)\s+)?",
    "footer-originally": r"\b(?:originally|first)\s+(?:appeared|published|posted|released|ran|aired)\s+(?:on|in|at|by)\s+",
    "footer-first": r"\b(?:appeared|published|posted)\s+(?:originally|first)\s+(?:on|in|at|by)\s+",
    "footer-republished": r"\brepublished\s+(?:here\s+)?(?:with\s+(?:the\s+)?(?:kind\s+)?permission\s+)?(?:from|of)\s+",
    "footer-reprinted": r"\b(?:re-?printed|re-?posted|cross-?posted|syndicated|adapted)\s+(?:here\s+)?"
    r"(?:with\s+(?:the\s+)?(?:kind\s+)?permission\s+)?(?:from|of)\s+",
    "footer-produced-by": r"\b(?:this|the)\s+(?:story|article|report|piece|investigation)\s+was\s+(?:produced|reported"
    r"|written|published)\s+(?:by|for|in\s+partnership\s+with|in\s+collaboration\s+with)\s+",
    "footer-content-by": r"\ball\s+content\s+created\s+by\s+",
    "footer-distributed-by": r"(?:©|\(c\)|copyright)[ \t]*(?:\d{4}[ \t]*)?(?=[^\n]*\bdistributed\s+by\b)",
}
#: Credit lines that name a source but also name non-outlets ("Source: Ministry
#: of Defence"): boilerplate only when the gazetteer knows the name.
SOURCE_LINE = r"\s*(?:source|via|h/t|credit)\s*:\s*"

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
#: A place in capitals and a dash, without an agency: "KYIV, Ukraine —", "MOSCOW, Oct 3 —".
PLACE_DATELINE = (
    r"^[ \t]*(?P<place>[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+){0,3})(?:,[ \t]*[A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*)?"
    r"(?:[ \t]+\d{1,2})?)?[ \t]*[—–-]{1,2}[ \t]"
)
#: Capitalised labels that look like a place dateline but are not one.
NOT_PLACES = frozenset({"BREAKING", "UPDATE", "UPDATED", "EXCLUSIVE", "WATCH", "OPINION", "ANALYSIS", "LIVE", "VIDEO",
                        "EDITORIAL", "COMMENT", "FACT", "CHECK", "NEW", "READ", "MORE", "ALSO", "SEE", "RELATED"})
#: "By The Associated Press", "By Jane Doe, Reuters", "Written by …".
BYLINE = (
    r"^[ \t]*(?P<cue>By|BY|Written\s+by|Words\s+by|Story\s+by|Posted\s+by|Author\s*:|Authors\s*:)[ \t]+"
    r"(?P<name>[^\n]{2,120}?)[ \t]*$"
)
#: Words a byline may hold besides names.
BYLINE_WORDS = frozenset(
    {"and", "&", "in", "for", "of", "the", "at", "on", "staff", "reporter", "reporters", "correspondent", "writer",
     "editor", "news", "desk", "with", "|", "-", "–", "—", "·", "•", "published", "updated", "ago", "hours", "hour",
     "minutes", "min", "read"}
)
#: "— AFP" and "-- Reuters" sign-offs at the end of a line.
WIRE_SIGNOFF = r"(?:^|\s)[—–-]{1,2}[ \t]*(?P<outlet>[^\n—–-]{2,40}?)[ \t]*$"
#: Reuters credit lines ("Reporting by …; Editing by …"), which say the text comes from Reuters.
REPORTING_BY = (
    r"^[ \t]*\(?[ \t]*(?:Additional\s+)?(?:Reporting|Writing)\s+by\s+[^\n]*?\b(?:Editing|editing)\s+by\s+[^\n]*?"
    r"(?=\)?[ \t]*$)\)?"
)
#: Other staff credits ("Additional reporting by Jane Doe"): bylines, but no agency's.
STAFF_CREDIT = (
    r"^[ \t]*\(?[ \t]*(?:Additional\s+)?(?:reporting|writing|editing|research|graphics|compiled|translated|fact[- ]checking)"
    r"\s+by\s+[A-Z][^\n]{0,200}$"
)
TRUST_PRINCIPLES = r"Our\s+Standards:\s+The\s+Thomson\s+Reuters\s+Trust\s+Principles\.?"
#: "Published 3 March 2024", "Updated: 14:05 GMT": the cue, then date words only.
TIMESTAMP = (
    r"^[ \t]*(?:(?:First\s+)?Published|Updated|Last\s+updated|Posted|Modified|Date)(?:\s+on)?[ \t]*:?[ \t]*"
)
#: Words a bare date line may hold ("Tuesday 3 March 2024 | 14:05 GMT").
DATE_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed", "thu", "fri",
     "sat", "sun", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
     "am", "pm", "a.m.", "p.m.", "gmt", "utc", "bst", "cet", "cest", "est", "edt", "et", "pst", "pdt", "msk", "at",
     "on", "updated", "published", "ago", "hours", "hour", "minutes", "minute", "min", "mins", "read", "|", "-", "–",
     "—", "·", "•", "/"}
)
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
MONTHS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)
_NUMBERISH = re.compile(r"^[\d:./-]+(?:st|nd|rd|th|am|pm|h)?$", re.IGNORECASE)

#: Copyright and legal cues (the sentence holding one is boilerplate).
COPYRIGHT_CUE = r"©|\([cC]\)[ \t]*\d{4}|\bCopyright\b[ \t]*(?:©|\([cC]\))?[ \t]*(?=\d{4})"
#: "Copyright The Baltic Ledger" without a year: only on a short line of its own.
COPYRIGHT_NAME_LINE = r"^[ \t]*Copyright[ \t]+(?=[A-Z])"
LEGAL_CUES: dict[str, str] = {
    "all-rights-reserved": r"\ball\s+rights\s+reserved\b",
    "no-reproduction": r"\bmay\s+not\s+be\s+(?:re)?(?:published|produced|reproduced|broadcast|rewritten|copied"
    r"|redistributed|distributed)\b|\b(?:unauthori[sz]ed\s+)?(?:reproduction|republication|redistribution|copying"
    r"|reuse)\b[^\n.]{0,80}\b(?:prohibited|forbidden|not\s+permitted|strictly\s+prohibited)\b",
    "theft-punishable": r"\btheft\b[^\n]{0,120}?\bpunishable\b|\bpunishable\s+by\s+law\b",
}
#: "© REUTERS / Toby Melville": a holder, a slash, a photographer.
PHOTO_COPYRIGHT = (
    r"(?:©|\([cC]\)|Copyright)[ \t]*(?:\d{4}[ \t]+)?(?P<holder>[^\n/|©]{2,40}?)[ \t]*/[ \t]*[^\n]{2,80}$"
)
#: "© Provided by Al Jazeera …", "© AFP Karadima leaves …": a picture's credit, then its caption
#: (a photo agency without a year, and more words after it).
PHOTO_CAPTION = (
    r"(?:©|\([cC]\))[ \t]*(?:Provided[ \t]+by[ \t]+(?P<provider>[^\n]{2,80})|(?P<holder>AFP|AP|Getty(?:[ \t]+Images)?"
    r"|Reuters|REUTERS|EPA|Other|Sputnik|TASS|Xinhua|Shutterstock|Alamy|PA)[ \t]+(?=\S))"
)
#: Photo agencies and stock libraries that sign pictures "AGENCY/Photographer".
PHOTO_AGENCIES = (
    r"REUTERS|Reuters|AP\s+Photo|AP|AFP|EPA(?:-EFE)?|Getty\s+Images|Anadolu(?:\s+Agency)?|Xinhua|TASS|Sputnik|UPI"
    r"|Bloomberg|NurPhoto|SOPA\s+Images|ANSA|dpa|DPA|Kyodo|Yonhap|Shutterstock|Alamy|PA(?:\s+Images|\s+Wire)?"
    r"|Pool|RIA\s+Novosti|Ukrinform|Imago|IMAGO"
)
AGENCY_PHOTOGRAPHER = (
    r"(?<![\w/])(?P<holder>" + PHOTO_AGENCIES + r")[ \t]*/[ \t]*"
    r"(?:[A-Z][a-zà-ÿ'’.-]+(?:[ \t-]+[A-Z][a-zà-ÿ'’.-]+){1,3}|Stringer|Handout|Pool|File(?:[ \t]+Photo)?)"
    r"(?:[ \t]*/[ \t]*(?:File(?:[ \t]+Photo)?|Pool|Handout|AFP|Getty\s+Images|Sputnik|Reuters|REUTERS))*"
    r"(?:[ \t]+via[ \t]+Getty[ \t]+Images)?(?=[ \t]*(?:[)\].,;]|$))"
)
#: "Photo: Reuters", "(Photo by Jane Doe/AFP via Getty Images)", "Image source, Getty Images".
PHOTO_LABEL = (
    r"(?:(?<=^)|(?<=[(\[])|(?<=[.!?”\"’]\s)|(?<=^[ \t]))(?P<label>(?:(?:Main|Top|Lead|Cover|Header|Featured|File)[ \t]+)?"
    r"(?:Photo|Photograph|Photography|Photos|Image|Images|Picture|Pic|Illustration|Credit|Credits)"
    r"(?:[ \t]+(?:credits?|source|courtesy))?(?:[ \t]*:|[ \t]+by\b|[ \t]+courtesy\s+of\b|(?<=source),))[ \t]*"
)
#: Stock libraries named alone on a short caption line.
STOCK_PHOTO = r"\b(?:Getty\s+Images|Shutterstock|Alamy(?:\s+Stock\s+Photo)?|iStock(?:photo)?|Pexels|Unsplash)\b"
#: Words of share widgets; the count of networks decides.
SHARE_NETWORKS = frozenset(
    {"facebook", "twitter", "x", "whatsapp", "telegram", "linkedin", "reddit", "pinterest", "messenger", "viber",
     "vk", "vkontakte", "tumblr", "flipboard", "pocket", "threads", "bluesky", "mastodon", "gab", "parler", "line",
     "wechat", "weibo", "instagram", "youtube", "tiktok", "odnoklassniki", "ok", "truth", "social", "gettr",
     "rumble", "skype", "snapchat", "xing", "mix", "hacker", "news"}
)
SHARE_WORDS = SHARE_NETWORKS | frozenset(
    {"share", "shares", "share:", "tweet", "email", "e-mail", "mail", "sms", "print", "copy", "link", "copied",
     "comment", "comments", "save", "bookmark", "more", "on", "this", "via", "article", "story", "url", "embed"}
)
_SHARE_SEPARATORS = frozenset({"|", "·", "•", "/", "-", "–", "—", ","})
#: "READ MORE:", "Related:", "See also", "More from Reuters".
READ_MORE = (
    r"^[ \t]*(?P<cue>(?:READ|Read)\s+(?:MORE|More|more|ALSO|Also|also|NEXT|Next|next)|(?:ALSO|Also)\s+(?:READ|Read|read"
    r"|SEE|See|see|ON|On|on)|(?:RELATED|Related)(?:\s+(?:ARTICLES?|STORIES|NEWS|POSTS?|CONTENT|COVERAGE|READING|LINKS?|TOPICS"
    r"|articles?|stories|news|posts?|content|coverage|reading|links?|topics))?|(?:SEE|See)\s+(?:ALSO|also|more)"
    r"|More\s+(?:from|on|about)\s+[^\n:|]{1,40}|MORE(?:\s+(?:FROM|ON)\s+[^\n:|]{1,40})?|WATCH|LISTEN|Recommended(?:\s+for\s+you)?"
    r"|RECOMMENDED|You\s+(?:may|might)\s+also\s+(?:like|be\s+interested\s+in)|Most\s+(?:read|popular|viewed|shared)"
    r"|MOST\s+(?:READ|POPULAR)|Trending(?:\s+now)?|TRENDING|Top\s+stories|TOP\s+STORIES|Latest\s+(?:news|stories)"
    r"|Editor['’]s\s+picks?|Keep\s+reading|Continue\s+reading|CONTINUE\s+READING|Click\s+here\s+to\s+read(?:\s+more)?"
    r"|In\s+other\s+news|What\s+to\s+read\s+next|Further\s+reading)"
    r"[ \t]*(?P<sep>[:|»›>–—-]|\.\.\.|…|$)"
)
#: Advertising, newsletter, follow-us and donation lines (short lines only).
PROMO = (
    r"^[ \t]*(?:Advertisement|ADVERTISEMENT|Skip\s+(?:Advertisement|ad)|Story\s+continues\s+(?:below|after)\b"
    r"|Article\s+continues\s+(?:below|after)\b|Sponsored(?:\s+content)?\s*$|Sign\s+up\b|SIGN\s+UP\b|SUBSCRIBE\b"
    r"|Subscribe(?:\s*[:!.]?\s*$|\s+(?:now|today|here|for\s+free|to\s+(?:our|my|the\s+[\w ’']{0,40}(?:newsletter|channel"
    r"|podcast|magazine)\b)))"
    r"|Follow\s+(?:us|@|[A-Z][\w ]{0,30}\s+on\s+(?:Twitter|X|Facebook|Telegram|Instagram))|Like\s+us\s+on\b|Join\s+(?:us|our)\b"
    r"|Support\s+(?:our|independent|us)\b|Donate\b|DONATE\b|Become\s+a\s+(?:member|subscriber|patron|supporter)\b"
    r"|Get\s+(?:our|the)\s+[\w\s’']{0,40}newsletter|Download\s+(?:our|the)\s+(?:[\w’']+\s+)?app\b"
    r"|Click\s+here\s+to\s+(?:subscribe|sign\s+up|donate|follow|join)|Enable\s+notifications\b"
    r"|Do\s+you\s+have\s+a\s+(?:story|news\s+tip|tip)\b)"
)

_FOOTER_RES = {rule: re.compile(p, _FLAGS | re.MULTILINE) for rule, p in REPUBLICATION_FOOTERS.items()}
_SOURCE_LINE_RE = re.compile(SOURCE_LINE, _FLAGS)
_DATELINE_RE = re.compile(DATELINE, re.MULTILINE)
_CAPS_DATELINE_RE = re.compile(CAPS_DATELINE)
_DASH_DATELINE_RE = re.compile(DASH_DATELINE, re.MULTILINE)
_PLACE_DATELINE_RE = re.compile(PLACE_DATELINE, re.MULTILINE)
_BYLINE_RE = re.compile(BYLINE, re.MULTILINE)
_SIGNOFF_RE = re.compile(WIRE_SIGNOFF, re.MULTILINE)
_REPORTING_BY_RE = re.compile(REPORTING_BY, re.MULTILINE)
_STAFF_CREDIT_RE = re.compile(STAFF_CREDIT, re.MULTILINE | re.IGNORECASE)
_TRUST_RE = re.compile(TRUST_PRINCIPLES)
_TIMESTAMP_RE = re.compile(TIMESTAMP, re.MULTILINE | re.IGNORECASE)
_COPYRIGHT_RE = re.compile(COPYRIGHT_CUE)
_COPYRIGHT_NAME_LINE_RE = re.compile(COPYRIGHT_NAME_LINE, re.MULTILINE)
_LEGAL_RES = {rule: re.compile(p, _FLAGS) for rule, p in LEGAL_CUES.items()}
_PHOTO_COPYRIGHT_RE = re.compile(PHOTO_COPYRIGHT, re.MULTILINE)
_PHOTO_CAPTION_RE = re.compile(PHOTO_CAPTION)
_AGENCY_PHOTOGRAPHER_RE = re.compile(AGENCY_PHOTOGRAPHER)
_PHOTO_LABEL_RE = re.compile(PHOTO_LABEL, re.MULTILINE)
_STOCK_PHOTO_RE = re.compile(STOCK_PHOTO)
_READ_MORE_RE = re.compile(READ_MORE, re.MULTILINE)
_PROMO_RE = re.compile(PROMO, re.MULTILINE)
_SENTENCE_END_RE = re.compile(r"[.!?][”\"’')\]]*(?=\s|$)")
_WORD_RE = re.compile(r"\S+")


# --------------------------------------------------------------------------
# Finding boilerplate.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A boilerplate span before it is typed: where, what kind, which rule, whom it credits."""

    start: int
    end: int
    kind: str
    rule: str
    #: The name the line credits (the outlet of a footer or dateline, the
    #: holder of a copyright or a photo), as ``(start, end)``.
    credited: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Line:
    """A non-empty line: ``raw`` is where it begins (anchors match there), ``start`` its first
    non-space character, ``end`` one past its last."""

    raw: int
    start: int
    end: int
    #: Position among the non-empty lines, from the start and from the end (0 = first / last).
    index: int
    from_end: int


def find_boilerplate(text: str, gazetteer: Gazetteer | None = None) -> list[Found]:
    """Every boilerplate span of ``text``, in text order, without overlaps.

    Credits, datelines and footers are looked for in the first and last
    lines only (where pages put them); image credits, legal lines, share
    widgets, related links and promotion lines anywhere.
    """
    gazetteer = gazetteer or Gazetteer.default()
    lines = _lines(text)
    found: list[Found] = []
    for line in lines:
        head, tail = line.index < HEAD_LINES, line.from_end < TAIL_LINES
        if head or tail:
            found.extend(_footers(text, line, gazetteer))
        if head:
            found.extend(_datelines(text, line, gazetteer))
        if line.index < BYLINE_LINES or tail:
            found.extend(_bylines(text, line, gazetteer))
            found.extend(_timestamps(text, line))
        if tail:
            found.extend(_wire_tail(text, line, gazetteer))
        found.extend(_image_credits(text, line, gazetteer))
        found.extend(_legal(text, line))
        found.extend(_share_widgets(text, line))
        found.extend(_promo(text, line))
    found.extend(_related_links(text, lines))
    return _merge(_resolve_overlaps(found), text)


def nonblank_lines(text: str) -> list[tuple[int, int]]:
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


def _lines(text: str) -> list[_Line]:
    bounds = []
    for raw, end in nonblank_lines(text):
        start = raw
        while text[start].isspace():
            start += 1
        while text[end - 1].isspace():
            end -= 1
        bounds.append((raw, start, end))
    n = len(bounds)
    return [_Line(r, s, e, i, n - 1 - i) for i, (r, s, e) in enumerate(bounds)]


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def _footers(text: str, line: _Line, gazetteer: Gazetteer) -> Iterator[Found]:
    """One republication footer per line at most; the outlet name follows the cue."""
    start, end = line.start, line.end
    for rule, regex in _FOOTER_RES.items():
        m = regex.search(text, line.raw, end)
        if m is None or (name := name_at(text, m.end(), end)) is None:
            continue
        name = _outlet_after_author(text, name, end, gazetteer)
        whole_line = rule == "footer-the-post"
        span_start = m.start() if whole_line else _sentence_start(text, start, m.start())
        span_end = end if whole_line else _sentence_end(text, name[1], end)
        yield Found(span_start, span_end, "syndication", rule, name)
        return
    m = _SOURCE_LINE_RE.match(text, line.raw, end)
    if m and (name := name_at(text, m.end(), end)) and gazetteer.find_name(clean_name(text[name[0]:name[1]])):
        yield Found(start, _sentence_end(text, name[1], end), "syndication", "source-line", name)


def _outlet_after_author(text: str, found: tuple[int, int], limit: int, gazetteer: Gazetteer) -> tuple[int, int]:
    """In "published by Tyler Durden at Zero Hedge", the outlet is the second name."""
    if gazetteer.find_name(clean_name(text[found[0]:found[1]])):
        return found
    sep = re.compile(r"\s+(?:at|on|in|for)\s+").match(text, found[1], limit)
    second = name_at(text, sep.end(), limit) if sep else None
    first_word = text[second[0]:second[1]].split()[0] if second else ""
    if second is None or first_word.lower() in MONTHS | WEEKDAYS or first_word.isdigit():
        return found
    return second


def _known_outlet(text: str, m: re.Match[str], gazetteer: Gazetteer, wire_only: bool) -> tuple[int, int] | None:
    """The span of the outlet named in ``m``'s ``outlet`` group, if the gazetteer knows it (as a wire)."""
    found = name_at(text, m.start("outlet"), m.end("outlet"))
    if found is None:
        return None
    entry = gazetteer.find_name(clean_name(text[found[0]:found[1]]))
    if entry is None or (wire_only and not gazetteer.is_wire(entry.name)):
        return None
    return found


def _datelines(text: str, line: _Line, gazetteer: Gazetteer) -> Iterator[Found]:
    start, end = line.start, line.end
    for regex, rule, wire_only in ((_DATELINE_RE, "agency-dateline", False), (_DASH_DATELINE_RE, "dash-dateline", True)):
        if (m := regex.match(text, line.raw, end)) and (name := _known_outlet(text, m, gazetteer, wire_only)):
            yield Found(start, _rstrip(text, start, m.end()), "dateline", rule, name)
            return
    for m in _CAPS_DATELINE_RE.finditer(text, start, end):
        if name := _known_outlet(text, m, gazetteer, False):
            begin = m.start() + len(m.group()) - len(m.group().lstrip())
            yield Found(begin, m.end(), "dateline", "caps-dateline", name)
            return
    m = _PLACE_DATELINE_RE.match(text, line.raw, end)
    if m and not (set(m.group("place").split()) & NOT_PLACES) and len(m.group("place").replace(" ", "")) >= 2:
        yield Found(start, _rstrip(text, start, m.end()), "dateline", "place-dateline", None)


def _bylines(text: str, line: _Line, gazetteer: Gazetteer) -> Iterator[Found]:
    m = _BYLINE_RE.match(text, line.raw, line.end)
    if m is None or not _is_name_list(m.group("name")):
        return
    yield Found(line.start, line.end, "byline", "byline", _byline_credit(text, m, gazetteer))


def _is_name_list(names: str) -> bool:
    """Whether a byline's words are names ("Jane Doe and John Roe, Reuters"), not a sentence."""
    words = [w.strip(",;:()") for w in names.split()]
    words = [w for w in words if w]
    if not words or len(words) > 14 or not words[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in BYLINE_WORDS for w in words)


def _byline_credit(text: str, m: re.Match[str], gazetteer: Gazetteer) -> tuple[int, int] | None:
    """A byline credits its last part when that is an agency ("By Jane Doe, Reuters"), else its first name."""
    start, end = m.start("name"), m.end("name")
    parts = [p for p in re.finditer(r"[^,|;·•]+", text[start:end])]
    for part in reversed(parts):
        body = part.group()
        for prefix in ("for ", "and "):
            if body.lstrip().startswith(prefix):
                body = body.lstrip()[len(prefix):]
        stripped = body.strip()
        if not stripped:
            continue
        offset = start + part.start() + part.group().index(stripped)
        tail = re.sub(r"\s+(?:staff|reporters?|news\s+desk)$", "", stripped, flags=re.I)
        if gazetteer.find_name(clean_name(tail)) is not None:
            return offset, offset + len(tail)
    return name_at(text, start, end)


def _timestamps(text: str, line: _Line) -> Iterator[Found]:
    if _words(text, line.start, line.end) > 14:
        return
    m = _TIMESTAMP_RE.match(text, line.raw, line.end)
    if (m and m.end() < line.end and _dateish(text[m.end():line.end])) or _is_date_line(text[line.start:line.end]):
        yield Found(line.start, line.end, "dateline", "timestamp", None)


def _date_words(line: str) -> list[str]:
    return [w for w in (w.strip(",;()") for w in line.split()) if w]


def _dateish(line: str) -> bool:
    """Whether every word is a date or time word or a number, with a digit somewhere."""
    words = _date_words(line)
    return (bool(words) and any(c.isdigit() for c in line)
            and all(w.lower() in DATE_WORDS or _NUMBERISH.match(w) for w in words))


def _is_date_line(line: str) -> bool:
    """A date on a line of its own: "Tuesday 3 March 2024 | 14:05 GMT", "03/03/2024"."""
    words = _date_words(line)
    if len(words) > 10 or not _dateish(line):
        return False
    return any(w.lower().rstrip(".") in MONTHS for w in words) or any(
        re.search(r"\d[/.:-]\d", w) for w in words)


def _wire_tail(text: str, line: _Line, gazetteer: Gazetteer) -> Iterator[Found]:
    start, end = line.start, line.end
    if m := _REPORTING_BY_RE.match(text, line.raw, end):
        yield Found(start, m.end(), "byline", "reporting-by", None)
    elif m := _STAFF_CREDIT_RE.match(text, line.raw, end):
        if _words(text, start, end) <= 30:
            yield Found(start, end, "byline", "staff-credit", None)
    if m := _TRUST_RE.search(text, start, end):
        yield Found(m.start(), m.end(), "copyright", "trust-principles", None)
    m = _SIGNOFF_RE.search(text, start, end)
    if m and (name := _known_outlet(text, m, gazetteer, True)):
        yield Found(m.start() + len(m.group()) - len(m.group().lstrip()), m.end(), "byline", "signoff", name)


def _image_credits(text: str, line: _Line, gazetteer: Gazetteer) -> list[Found]:
    start, end = line.start, line.end
    found: list[Found] = []
    for m in _PHOTO_COPYRIGHT_RE.finditer(text, start, end):
        holder = m.start("holder"), _rstrip(text, m.start("holder"), m.end("holder"))
        found.append(Found(m.start(), end, "image-credit", "photo-copyright", holder))
    for m in _PHOTO_CAPTION_RE.finditer(text, start, end):
        if _at_sentence_start(text, start, m.start()) and _words(text, m.start(), end) <= SHORT_LINE_WORDS:
            if m.group("provider"):  # "Provided by Al Jazeera Secretary of State …": only a known name is sure
                known = gazetteer.pattern.match(text, m.start("provider"), end)
                holder = (known.start(), known.end()) if known else None
            else:
                holder = m.start("holder"), m.end("holder")
            found.append(Found(m.start(), end, "image-credit", "photo-caption", holder))
    for m in _AGENCY_PHOTOGRAPHER_RE.finditer(text, start, end):
        bracketed = m.start() > start and text[m.start() - 1] == "(" and text[m.end():m.end() + 1] == ")"
        span = (m.start() - 1, m.end() + 1) if bracketed else (m.start(), m.end())
        found.append(Found(*span, "image-credit", "agency-photographer", (m.start("holder"), m.end("holder"))))
    for m in _PHOTO_LABEL_RE.finditer(text, line.raw, end):
        after = m.end()
        if after >= end:
            continue
        if m.start() > start and text[m.start() - 1] in "([":
            close = text.find(")" if text[m.start() - 1] == "(" else "]", after, end)
            span = (m.start() - 1, close + 1) if close != -1 else (m.start(), end)
        else:
            span = (m.start(), end)
        if _words(text, span[0], span[1]) > SHORT_LINE_WORDS:
            continue
        found.append(Found(span[0], span[1], "image-credit", "photo-label", name_at(text, after, span[1])))
    if (not found and _words(text, start, end) <= 12 and not _SENTENCE_END_RE.search(text, end - 1, end)
            and (m := _STOCK_PHOTO_RE.search(text, start, end))):
        found.append(Found(start, end, "image-credit", "stock-photo", (m.start(), m.end())))
    return found


def _legal(text: str, line: _Line) -> Iterator[Found]:
    start, end = line.start, line.end
    for m in _COPYRIGHT_RE.finditer(text, start, end):
        if not _at_sentence_start(text, start, m.start()):
            continue
        stop = end if _words(text, m.start(), end) <= SHORT_LINE_WORDS else _sentence_end(text, m.end(), end)
        holder_at = re.compile(r"[ \t]*(?:©|\([cC]\))?[ \t]*(?:\d{4}(?:[-–]\d{2,4})?[ \t,]*)?").match(text, m.end(), stop)
        holder = name_at(text, holder_at.end() if holder_at else m.end(), stop)
        yield Found(m.start(), stop, "copyright", "copyright-line", holder)
    if _words(text, start, end) <= 12 and (m := _COPYRIGHT_NAME_LINE_RE.match(text, line.raw, end)):
        yield Found(start, end, "copyright", "copyright-line", name_at(text, m.end(), end))
    for rule, regex in _LEGAL_RES.items():
        for m in regex.finditer(text, start, end):
            yield Found(_sentence_start(text, start, m.start()), _sentence_end(text, m.end(), end), "copyright", rule)


def _share_widgets(text: str, line: _Line) -> Iterator[Found]:
    """A run of share buttons at the start or end of a line ("WhatsApp Email Telegram")."""
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text, line.start, line.end)]
    lead = _share_run(tokens)
    if lead and (lead == len(tokens) or _share_prefix_ok(tokens, lead)):
        yield Found(tokens[0][0], tokens[lead - 1][1], "share-widget", "share-buttons")
        return
    trail = _share_run(tokens[::-1])
    if trail and trail < len(tokens) and _networks(tokens[-trail:]) >= 2 and trail >= 3:
        yield Found(tokens[-trail][0], tokens[-1][1], "share-widget", "share-buttons")


def _share_run(tokens: list[tuple[int, int, str]]) -> int:
    """How many leading tokens are share-widget words or separators."""
    n = 0
    for _, _, word in tokens:
        key = word.lower().strip(":")
        if key in SHARE_WORDS or word in _SHARE_SEPARATORS:
            n += 1
        else:
            break
    while n and tokens[n - 1][2] in _SHARE_SEPARATORS:
        n -= 1
    if n < 2 or _networks(tokens[:n]) + sum(t[2].lower().strip(":") in {"share", "print", "email", "tweet"}
                                           for t in tokens[:n]) < 2:
        return 0
    return n


def _networks(tokens: list[tuple[int, int, str]]) -> int:
    return sum(t[2].lower().strip(":,") in SHARE_NETWORKS - {"news", "social", "line", "mix", "on", "ok"} for t in tokens)


def _share_prefix_ok(tokens: list[tuple[int, int, str]], n: int) -> bool:
    """A run before more text is a widget when it has three buttons, two of them networks,
    no commas (prose lists networks with commas and "and") and a capitalised word after it."""
    run = tokens[:n]
    return (n >= 3 and _networks(run) >= 2 and not any(t[2].endswith(",") for t in run)
            and tokens[n][2][:1].isupper())


def _promo(text: str, line: _Line) -> Iterator[Found]:
    if _words(text, line.start, line.end) <= SHORT_LINE_WORDS and _PROMO_RE.match(text, line.raw, line.end):
        yield Found(line.start, line.end, "promo", "promo-line")


def _related_links(text: str, lines: list[_Line]) -> Iterator[Found]:
    """"READ MORE: …" lines, and the headline list under a bare "Related stories" heading."""
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _READ_MORE_RE.match(text, line.raw, line.end)
        i += 1
        if m is None or _words(text, line.start, line.end) > SHORT_LINE_WORDS:
            continue
        yield Found(line.start, line.end, "related-links", "read-more")
        if m.end() < line.end and text[m.end():line.end].strip():
            continue
        taken = 0
        while i < len(lines) and taken < RELATED_LIST_LINES and _headline_like(text, lines[i]):
            yield Found(lines[i].start, lines[i].end, "related-links", "related-list")
            i += 1
            taken += 1


def _headline_like(text: str, line: _Line) -> bool:
    body = text[line.start:line.end]
    return _words(text, line.start, line.end) <= HEADLINE_WORDS and not re.search(r"[.:;,]['’”\"]?$", body)


def _resolve_overlaps(found: list[Found]) -> list[Found]:
    """Keep, where findings overlap, the one of the earlier kind (then the longer, then the first)."""
    kept: list[Found] = []
    for f in sorted(found, key=lambda f: (_PRIORITY[f.kind], -(f.end - f.start), f.start)):
        if f.end > f.start and not any(k.start < f.end and f.start < k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _merge(found: list[Found], text: str) -> list[Found]:
    """Join findings of one kind separated only by spaces on one line ("© 2024 AP. All rights reserved.")."""
    merged: list[Found] = []
    for f in found:
        prev = merged[-1] if merged else None
        if prev and prev.kind == f.kind and prev.rule != "related-list" and not text[prev.end:f.start].strip(" \t"):
            merged[-1] = Found(prev.start, f.end, prev.kind, prev.rule, prev.credited or f.credited)
        else:
            merged.append(f)
    return merged


# --------------------------------------------------------------------------
# Helpers.
# --------------------------------------------------------------------------


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _sentence_start(text: str, line_start: int, pos: int) -> int:
    cut = max((m.end() for m in re.finditer(r"[.!?][”\"’')]?\s+", text[line_start:pos])), default=0)
    return line_start + cut


def _sentence_end(text: str, pos: int, line_end: int) -> int:
    m = _SENTENCE_END_RE.search(text, pos, line_end)
    return m.end() if m else line_end


def _at_sentence_start(text: str, line_start: int, pos: int) -> bool:
    """Whether ``pos`` starts a line, a sentence, or follows a bracket or separator."""
    before = text[line_start:pos].rstrip()
    return not before or before[-1] in ".!?”\"’)]|:•·—–-"


# --------------------------------------------------------------------------
# The analyzer.
# --------------------------------------------------------------------------


@products.register("boilerplate_spans")
def boilerplate_spans(ctx: Context) -> list[Found]:
    """:func:`find_boilerplate` of the analysed text, once per article (the
    pipeline's extraction verdict reads it too)."""
    return find_boilerplate(ctx.analysis.text)


class BoilerplateFinder:
    """Finds the page furniture of the analysed text (:func:`find_boilerplate`)."""

    name = "boilerplate"
    version = "1"

    def annotate(self, ctx: Context) -> None:
        text = ctx.analysis.text
        ctx.analysis.boilerplate = [to_boilerplate(text, f) for f in ctx.product("boilerplate_spans")]


def to_boilerplate(text: str, found: Found) -> Boilerplate:
    """The typed finding of ``found`` (with the texts of its spans)."""
    credited = None
    if found.credited is not None:
        s, e = found.credited
        credited = Span(s, e, text[s:e])
    return Boilerplate(start=found.start, end=found.end, text=text[found.start:found.end], kind=found.kind,
                       rule=found.rule, credited=credited)


@registry.register("boilerplate", assigns=("boilerplate",), uses=("boilerplate_spans",), languages=("*",))
def make_boilerplate(options: Options) -> BoilerplateFinder:
    return BoilerplateFinder()
