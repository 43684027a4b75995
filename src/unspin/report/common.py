"""What the text and HTML reports share: summaries of ratings, quotes, entities."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from ..analyzers.quotes.lexicon import load_lexicon
from ..language import language_name
from ..techniques.taxonomy import TechniqueInfo, describe
from ..types import EVIDENCE_PARAGRAPH, EVIDENCE_SPANS, Analysis, CitedSource, Entity, Paragraph, Quote, Technique

#: Rating columns that tell most, in the order shown, with short labels.
KNOWN_RATING_KEYS: tuple[tuple[str, str], ...] = (
    ("factual_reporting", "factual"),
    ("bias", "bias"),
    ("mbfc_credibility_rating", "credibility"),
    ("credibility", "credibility"),
    ("reliability_label", "reliability"),
    ("reliability", "reliability"),
    ("newsguard_score", "NewsGuard"),
    ("nela_gt_label", "NELA-GT"),
)
#: Columns that identify the row or table rather than rate the outlet.
_NOT_RATINGS = frozenset({"domain", "source", "table", "name", "outlet"})

OUTLET_BASIS = {
    "url": "from the article's URL",
    "given": "given by the user",
    "syndication-footer": "from a syndication footer",
    "wire-credit": "from a wire credit",
    "html-metadata": "from the page's metadata",
}
SYNDICATION_KIND = {
    "republication-footer": "republication footer",
    "wire-credit": "wire credit",
}
#: Kinds of boilerplate in words (see :class:`~unspin.types.Boilerplate`).
BOILERPLATE_KIND = {
    "syndication": "syndication footer",
    "dateline": "dateline",
    "byline": "byline",
    "image-credit": "image credit",
    "copyright": "copyright or legal line",
    "share-widget": "share buttons",
    "related-links": "related links",
    "promo": "promotion",
}

#: Entity groups shown, in order: heading and the spaCy labels in the group.
ENTITY_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("People", frozenset({"PERSON"})),
    ("Organisations", frozenset({"ORG"})),
    ("Places", frozenset({"GPE", "LOC", "FAC"})),
    ("Groups", frozenset({"NORP"})),
)


def rating_summary(rating: dict[str, str] | None, limit: int = 3) -> list[tuple[str, str]]:
    """The most telling few ``(label, value)`` pairs of an open rating dict.

    Known columns (MBFC's ``factual_reporting``, ``bias``,
    ``mbfc_credibility_rating``, ``reliability_label``, ``newsguard_score``,
    ``nela_gt_label``…) come first; without any, the first ``limit`` other
    non-empty columns, leaving out ``domain`` and ``table``.
    """
    if not rating:
        return []
    items: list[tuple[str, str]] = []
    seen_labels: set[str] = set()
    for key, label in KNOWN_RATING_KEYS:
        value = str(rating.get(key) or "").strip()
        if value and label not in seen_labels:
            items.append((label, value))
            seen_labels.add(label)
    if not items:
        for key, value in rating.items():
            value = str(value or "").strip()
            if key.lower() not in _NOT_RATINGS and value:
                items.append((key.replace("_", " "), value))
    return items[:limit]


def rating_text(rating: dict[str, str] | None, limit: int = 3) -> str:
    """``factual: high · bias: left`` or ``""`` when there is no rating."""
    return " · ".join(f"{k}: {v}" for k, v in rating_summary(rating, limit))


def missing_rating_text(analysis: Analysis) -> str:
    """What a missing rating means: no table given, or not in the given tables."""
    if analysis.meta.ratings_tables:
        return "not in " + ", ".join(analysis.meta.ratings_tables)
    return "no ratings table given (--ratings)"


def abbreviate(text: str, limit: int = 100) -> str:
    """One line of at most ``limit`` characters, cut at a word with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def heading(analysis: Analysis, words: int = 10) -> str:
    """The title, or the first words of the text."""
    if analysis.title and analysis.title.strip():
        return " ".join(analysis.title.split())
    first = analysis.text.split()
    if not first:
        return "(empty text)"
    return " ".join(first[:words]) + ("…" if len(first) > words else "")


def header_facts(analysis: Analysis) -> list[str]:
    """Source, word count, URL, author and date: the report's subtitle."""
    facts = [source_label(analysis.source), f"{word_count(analysis.text):,} words"]
    if analysis.meta.url and analysis.meta.url != analysis.source:
        facts.append(analysis.meta.url)
    for key in ("author", "date"):
        value = " ".join(str(analysis.meta.extra.get(key) or "").split())
        if value:
            facts.append(f"{key}: {value}")
    if analysis.meta.language and analysis.meta.language not in ("en", "und"):
        facts.append(f"language: {language_name(analysis.meta.language)}")
    return facts


def input_notices(analysis: Analysis) -> list[str]:
    """What a reader must know before reading the findings: the language
    analyses skipped, and the extraction verdict's warnings with its figures."""
    meta, notices = analysis.meta, []
    if meta.skipped:
        skipped = ", ".join(meta.skipped)
        notices.append(f"{language_name(meta.language)} text ({meta.language}): unspin's analyses are English-only "
                       f"for now, so {skipped} {'was' if len(meta.skipped) == 1 else 'were'} skipped.")
    verdict = meta.extraction
    if verdict is not None and not verdict.ok:
        kept = ""
        if verdict.page_chars:
            kept = f" (kept {verdict.chars:,} of the page's {verdict.page_chars:,} characters of text)"
        notices.append(f"Not a clear news article: {verdict.page_kind}{kept}. " + " ".join(
            w[:1].upper() + w[1:] + "." for w in verdict.warnings))
    return notices


def source_label(source: str) -> str:
    return "standard input" if source == "-" else (source or "(no source)")


def boilerplate_summary(analysis: Analysis) -> list[tuple[str, int, str]]:
    """Per kind of boilerplate, in order of first appearance: (kind in words, count, first example)."""
    seen: dict[str, list[str]] = {}
    for item in analysis.boilerplate:
        seen.setdefault(BOILERPLATE_KIND.get(item.kind, item.kind), []).append(item.text)
    return [(kind, len(texts), texts[0]) for kind, texts in seen.items()]


def word_count(text: str) -> int:
    return len(text.split())


def paragraphs_of(analysis: Analysis) -> list[Paragraph]:
    """The analysis's paragraphs, or its non-blank lines if it has none."""
    if analysis.paragraphs:
        return list(analysis.paragraphs)
    found, pos = [], 0
    for line in analysis.text.split("\n"):
        body = line[:-1] if line.endswith("\r") else line
        if body.strip():
            found.append(Paragraph(start=pos, end=pos + len(body)))
        pos += len(line) + 1
    return found


def paragraph_number(paragraphs: list[Paragraph], offset: int) -> int | None:
    """1-based number of the paragraph holding ``offset``, or None."""
    for number, para in enumerate(paragraphs, 1):
        if para.start <= offset < para.end or (para.start == para.end == offset):
            return number
    return None


@dataclass
class SpeakerGroup:
    """The quotes of one speaker, in text order."""

    name: str
    #: Mentions other than the name itself ("he", "the commissioner").
    mentions: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    unattributed: bool = False


def speaker_groups(quotes: Iterable[Quote]) -> list[SpeakerGroup]:
    """Quotes grouped by speaker name, most-quoted first, then by first quote."""
    groups: dict[str, SpeakerGroup] = {}
    for quote in sorted(quotes, key=lambda q: q.content.start):
        speaker = quote.speaker
        if speaker is None:
            key, name = "\0unattributed", "(no speaker)"
        else:
            pronoun = not speaker.name and _is_pronoun(speaker.text)
            if pronoun and (speaker.resolved is None or _is_pronoun(speaker.resolved.text)):
                # "he", "who", "they" that the analyzer could not tie to a name: no speaker a reader can check
                key, name = "\0unnamed", UNNAMED_SPEAKER
            else:
                # a pronoun tied to a description ("who" → "Western officials") shows the description
                shown = speaker.name or (speaker.resolved.text if pronoun else speaker.text)
                name = " ".join(shown.split()) or "(no speaker)"
                key = name.casefold()
        group = groups.setdefault(key, SpeakerGroup(name=name, unattributed=speaker is None))
        group.quotes.append(quote)
        if speaker is not None:
            mention = " ".join(speaker.text.split())
            m, n = mention.casefold(), name.casefold()
            # "he", "the commissioner" tell how the name was found; "Lindqvist" does not.
            if mention and m not in n and n not in m and mention not in group.mentions:
                group.mentions.append(mention)
    order = list(groups.values())
    # named speakers first, then pronouns left unresolved, then quotes with no speaker at all
    order.sort(key=lambda g: (g.unattributed, g.name == UNNAMED_SPEAKER, -len(g.quotes)))
    return order


UNNAMED_SPEAKER = "(speaker not named)"


@lru_cache(maxsize=1)
def _pronouns() -> frozenset[str]:
    lex = load_lexicon()
    return (lex.male_pronouns | lex.female_pronouns | lex.plural_pronouns | lex.relative_pronouns
            | lex.not_single_names | lex.quantifier_pronouns)


def _is_pronoun(text: str) -> bool:
    """Whether a speaker mention is only a pronoun ("he", "who", "they", "all")."""
    return " ".join(text.split()).casefold() in _pronouns()


@dataclass
class SourceRow:
    """One cited outlet with all its mentions."""

    name: str
    domain: str | None
    rating: dict[str, str] | None
    mentions: list[CitedSource]


def cited_source_rows(cited: Iterable[CitedSource]) -> list[SourceRow]:
    """Cited sources merged by outlet, most-mentioned first."""
    rows: dict[str, SourceRow] = {}
    for source in sorted(cited, key=lambda c: c.start):
        key = (source.domain or source.name).casefold()
        row = rows.get(key)
        if row is None:
            rows[key] = SourceRow(source.name, source.domain, source.rating, [source])
        else:
            row.mentions.append(source)
            row.rating = row.rating or source.rating
    return sorted(rows.values(), key=lambda r: -len(r.mentions))


def entity_groups(entities: Iterable[Entity], top: int = 6) -> list[tuple[str, list[tuple[str, int]]]]:
    """``[(heading, [(name, count), …]), …]`` for people, organisations, places, groups, other."""
    entities = sorted(entities, key=lambda e: e.start)
    surnames = _surname_map(entities)
    counters: dict[str, Counter[str]] = {}
    first_seen: dict[str, int] = {}
    for ent in entities:
        group = next((h for h, labels in ENTITY_GROUPS if ent.type in labels), "Other")
        name = " ".join(ent.text.split())
        if ent.type == "PERSON":
            name = surnames.get(name, name)
        if not name:
            continue
        counters.setdefault(group, Counter())[name] += 1
        first_seen.setdefault(name, ent.start)
    result = []
    for head in [h for h, _ in ENTITY_GROUPS] + ["Other"]:
        if head in counters:
            names = sorted(counters[head].items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))
            result.append((head, names[:top]))
    return result


def _surname_map(entities: list[Entity]) -> dict[str, str]:
    """One-word person mentions ("Lindqvist") that name exactly one full name in the text."""
    full = {" ".join(e.text.split()) for e in entities if e.type == "PERSON"}
    by_last: dict[str, set[str]] = {}
    for name in full:
        words = name.split()
        if len(words) > 1:
            by_last.setdefault(words[-1], set()).add(name)
    return {last: next(iter(names)) for last, names in by_last.items() if len(names) == 1 and last in full}


def technique_label(name: str) -> str:
    """``Loaded_Language`` → ``Loaded Language``, ``Appeal_to_Fear-Prejudice`` → ``Appeal to Fear/Prejudice``."""
    return name.replace("_", " ").replace("-", "/").strip() or name


def technique_name(name: str) -> str:
    """The taxonomy's name of a technique (``Loaded_Language`` → ``Loaded language``), else the label readable."""
    return describe(name).name


@dataclass
class TechniqueSummary:
    """One technique found in an article: what it is and how sure the model is."""

    #: The label as the analysis writes it (``Loaded_Language``).
    label: str
    #: Name, family, family code, colour and definition from the taxonomy.
    info: TechniqueInfo
    spans: list[Technique] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.spans)

    @property
    def best(self) -> float:
        return max((t.score for t in self.spans), default=0.0)


def technique_summary(analysis: Analysis) -> list[TechniqueSummary]:
    """The techniques found, most spans first, then highest score, then name."""
    found: dict[str, TechniqueSummary] = {}
    for tech in sorted(analysis.techniques, key=lambda t: (t.start, t.end)):
        found.setdefault(tech.technique, TechniqueSummary(tech.technique, describe(tech.technique))).spans.append(tech)
    return sorted(found.values(), key=lambda s: (-s.count, -s.best, s.info.name.casefold()))


def techniques_caveat(analysis: Analysis) -> str:
    """One line on what produced the techniques and what their scores mean."""
    version = str(analysis.meta.analyzers.get("techniques") or "").strip()
    tier = version.split("-", 1)[0] if "-" in version else ""
    if tier in {"fast", "accurate"}:
        model = f"the {tier} tier ({version})"
        card = f"see unspin/models/techniques-{tier}/CARD.md"
    else:
        model = f"the techniques analyzer {version}" if version else "the techniques analyzer"
        card = "see its model card"
    return (f"Model: {model}, with known limits ({card}). "
            "Paragraph scores are calibrated probabilities (0.30 ≈ a 30% chance). Span scores rank the "
            "highlights and are not chances: on articles newer than the training data a highlight is right "
            "less often than its score (the card gives the rate). Leads, not verdicts.")


def techniques_by_paragraph(analysis: Analysis) -> list[tuple[int | None, list[Technique]]]:
    """Techniques grouped by 1-based paragraph number, in text order."""
    paragraphs = paragraphs_of(analysis)
    grouped: dict[int | None, list[Technique]] = {}
    for tech in sorted(analysis.techniques, key=lambda t: (t.start, -t.score)):
        grouped.setdefault(paragraph_number(paragraphs, tech.start), []).append(tech)
    return sorted(grouped.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))


@dataclass
class LabelView:
    """A paragraph label as reports show it (analyses before schema 1.3 had names only: no score)."""

    technique: str
    score: float | None
    evidence: str

    @property
    def judged(self) -> bool:
        """A paragraph-level judgement, with no span to point at."""
        return self.evidence == EVIDENCE_PARAGRAPH


#: How reports mark a paragraph label that no span shows.
PARAGRAPH_LEVEL = "paragraph-level, no span"


def label_views(para: Paragraph, spans: list[Technique]) -> list[LabelView]:
    """The paragraph's labels, strongest first; for an analysis made before
    schema 1.3 (names only) the evidence is read off its ``spans``."""
    if para.labels:
        return [LabelView(lab.technique, lab.score, lab.evidence) for lab in para.labels]
    shown = {t.technique for t in spans}
    return [LabelView(t, None, EVIDENCE_SPANS if t in shown else EVIDENCE_PARAGRAPH) for t in para.techniques]


def label_text(label: LabelView) -> str:
    """``Doubt 0.61`` or ``Repetition 0.42 (paragraph-level, no span)``."""
    text = technique_name(label.technique)
    if label.score is not None:
        text += f" {label.score:.2f}"
    return text + (f" ({PARAGRAPH_LEVEL})" if label.judged else "")


@dataclass
class TechniqueParagraph:
    """A paragraph with technique labels or spans: its 1-based number (None for
    spans outside every paragraph), labels and spans (in text order)."""

    number: int | None
    labels: list[LabelView]
    spans: list[Technique]


def technique_paragraphs(analysis: Analysis) -> list[TechniqueParagraph]:
    """The paragraphs that carry a technique label or span, in text order."""
    paragraphs = paragraphs_of(analysis)
    spans = dict(techniques_by_paragraph(analysis))
    found = []
    for number, para in enumerate(paragraphs, 1):
        here = spans.pop(number, [])
        labels = label_views(para, here)
        if labels or here:
            found.append(TechniqueParagraph(number, labels, here))
    found.extend(TechniqueParagraph(number, [], here) for number, here in spans.items())
    return sorted(found, key=lambda p: (p.number is None, p.number or 0))


@dataclass
class GlanceItem:
    """One strongest technique as the summary at the top of a report shows it."""

    label: str
    info: TechniqueInfo
    #: ``0.60 · 8 paragraphs``
    detail: str
    #: the texts of its best spans (empty: a paragraph-level judgement only)
    evidence: list[str]


def technique_glance(analysis: Analysis) -> tuple[str, list[GlanceItem]] | None:
    """The article's techniques at a glance (its ``technique_summary``): a
    headline and the strongest techniques; None without a summary."""
    summary = analysis.technique_summary
    if summary is None:
        return None
    head = (f"Techniques in {summary.labelled_paragraphs} of {summary.paragraphs} paragraph"
            f"{'s' if summary.paragraphs != 1 else ''} ({summary.spans} span{'s' if summary.spans != 1 else ''})")
    if summary.expected_share is not None:
        head += (f"; expected share of paragraphs annotators would label: {summary.expected_share:.0%} "
                 "(a calibrated estimate, not a probability)")
    items = []
    for h in summary.strongest:
        where = f"{h.paragraphs} paragraph{'s' if h.paragraphs != 1 else ''}"
        detail = f"{h.score:.2f} · {where}" + ("" if h.evidence else f" · {PARAGRAPH_LEVEL}")
        items.append(GlanceItem(h.technique, describe(h.technique), detail, [e.text for e in h.evidence]))
    return head, items


def empty_status(analysis: Analysis, analyzer: str, nothing: str) -> str:
    """Why a section of ``analyzer``'s findings is empty: skipped for the text's language,
    not run, or run and ``nothing`` found."""
    meta = analysis.meta
    if analyzer in meta.skipped:
        return (f"not analysed: {language_name(meta.language)} text "
                "(unspin's analyses are English-only for now)")
    if analyzer not in meta.analyzers:
        return f"not analysed (the {analyzer} analyzer was not in --analyzers)"
    return nothing


def techniques_status(analysis: Analysis) -> str | None:
    """Why there is nothing to show, or None when there are techniques."""
    if analysis.techniques or any(p.techniques for p in analysis.paragraphs):
        return None
    return empty_status(analysis, "techniques", "none found")
