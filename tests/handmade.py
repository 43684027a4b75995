"""Analyses built by hand (no models) for the schema and report tests.

The text mixes curly quotes, "Łukaszewski", emoji (astral characters, two
UTF-16 units, four UTF-8 bytes) before spans, rich markup and an HTML
script tag, so that any bytes/UTF-16 offset mistake or missing escape shows.
"""

from __future__ import annotations

import hashlib

from unspin.types import (
    SCHEMA_VERSION,
    Analysis,
    Boilerplate,
    CitedSource,
    Entity,
    Meta,
    Outlet,
    Paragraph,
    ParagraphLabel,
    Provenance,
    Quote,
    Speaker,
    Span,
    Syndication,
    Technique,
)

TEXT = (
    "Europe’s gas deal 🙂 is a gift to Moscow, critics warn\n"
    "\n"
    "🙂 Europe’s new gas agreement will leave the continent dependent, Energy Commissioner "
    "Maria Lindqvist has admitted [bold]really[/bold].\n"
    "“We had no other choice,” Lindqvist said in Brussels. <script>alert(1)</script>\n"
    "Reuters reports that three governments tried to block it. Poland’s deputy foreign minister, "
    "Zbigniew Łukaszewski, told Politico that the deal was “a betrayal of everything we fought for.” "
    "🙂 In an interview with Fox News, he warned that “Moscow is laughing at us.”\r\n"
    "Critics argue the agreement hands the Kremlin a propaganda victory, RT reported, according to Reuters. "
    "The truth is simple: Brussels has sold out its own citizens — again.\n"
    "The post Europe’s gas deal appeared first on The Baltic Ledger.\n"
)


def find(needle: str, nth: int = 1, text: str = TEXT) -> Span:
    """The ``nth`` occurrence of ``needle`` in ``text`` as a Span."""
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return Span(pos, pos + len(needle), needle)


def speaker(needle: str, name: str | None, nth: int = 1, resolved: Span | None = None) -> Speaker:
    s = find(needle, nth)
    return Speaker(s.start, s.end, s.text, name=name, resolved=resolved)


def cited(name: str, needle: str, domain: str | None, rating: dict[str, str] | None,
          cue: str | None, nth: int = 1, cue_nth: int = 1) -> CitedSource:
    s = find(needle, nth)
    return CitedSource(name, domain, s.start, s.end, s.text, rating=rating,
                       cue=find(cue, cue_nth) if cue else None, rule="known-outlet cue-after" if cue else None)


def entity(needle: str, type_: str, nth: int = 1) -> Entity:
    s = find(needle, nth)
    return Entity(s.text, s.start, s.end, type_)


def technique(name: str, needle: str, score: float, nth: int = 1) -> Technique:
    s = find(needle, nth)
    return Technique(name, s.start, s.end, score, s.text)


def paragraphs(text: str) -> list[Paragraph]:
    found, pos = [], 0
    for line in text.split("\n"):
        body = line[:-1] if line.endswith("\r") else line
        if body.strip():
            found.append(Paragraph(pos, pos + len(body)))
        pos += len(line) + 1
    return found


LEDGER_RATING = {
    "domain": "balticledger.com",
    "table": "mbfc.csv",
    "country": "latvia",
    "bias": "right",
    "factual_reporting": "mixed",
    "mbfc_credibility_rating": "low credibility",
    "nela_gt_label": "unreliable",
}
RT_RATING = {
    "source": "rt.com",
    "bias": "right center",
    "factual_reporting": "very low",
    "mbfc_credibility_rating": "low credibility",
}
REUTERS_RATING = {"domain": "reuters.com", "reliability_label": "1", "newsguard_score": "95", "label_source": "mbfc"}
#: A table with none of the known columns: the summary takes the first 3 others.
POLITICO_RATING = {"domain": "politico.com", "table": "custom.csv", "stance": "centre [x]", "tier": "A", "audited": "2024", "notes": "n/a"}


def full_analysis() -> Analysis:
    """Every kind of finding, with overlaps, ratings and Unicode."""
    maria = find("Maria Lindqvist")
    lukasz = find("Zbigniew Łukaszewski")
    footer = find("The post Europe’s gas deal appeared first on The Baltic Ledger.")
    paras = paragraphs(TEXT)
    # labels and spans agree: every span's technique is a label of its paragraph ("spans"), and one label is
    # the paragraph model's judgement with no span ("paragraph")
    paras[0].labels = [ParagraphLabel("Loaded_Language", 0.62, "spans")]
    paras[1].labels = [ParagraphLabel("Doubt", 0.31, "spans")]
    paras[2].labels = [ParagraphLabel("Repetition", 0.42, "paragraph")]
    paras[3].labels = [ParagraphLabel("Appeal_to_Fear-Prejudice", 0.48, "spans")]
    paras[4].labels = [ParagraphLabel("Loaded_Language", 0.91, "spans"), ParagraphLabel("Slogans", 0.55, "spans")]
    for para in paras:
        para.techniques = [label.technique for label in para.labels]
    return Analysis(
        source="examples/handmade.txt",
        schema=SCHEMA_VERSION,
        title="Europe’s gas deal 🙂 is a gift to Moscow, critics warn",
        text=TEXT,
        provenance=Provenance(
            outlet=Outlet("The Baltic Ledger", "balticledger.com", LEDGER_RATING, "syndication-footer", footer),
            syndicated_from=Syndication("The Baltic Ledger", "balticledger.com", LEDGER_RATING, "republication-footer", footer,
                                        rule="footer-the-post"),
            cited_sources=[
                cited("Reuters", "Reuters", "reuters.com", REUTERS_RATING, "reports"),
                cited("Politico", "Politico", "politico.com", POLITICO_RATING, "told"),
                cited("Fox News", "Fox News", "foxnews.com", None, "In an interview with"),
                cited("RT", "RT", "rt.com", RT_RATING, "reported"),
                cited("Reuters", "Reuters", "reuters.com", REUTERS_RATING, "according to", nth=2),
            ],
        ),
        boilerplate=[
            Boilerplate(footer.start, footer.end, footer.text, kind="syndication", rule="footer-the-post",
                        credited=find("The Baltic Ledger")),
        ],
        quotes=[
            Quote(
                speaker=speaker("Energy Commissioner Maria Lindqvist", "Maria Lindqvist"),
                cue=find("has admitted"),
                content=find("Europe’s new gas agreement will leave the continent dependent"),
                kind="indirect",
            ),
            Quote(
                speaker=speaker("Lindqvist", "Maria Lindqvist", nth=2, resolved=maria),
                cue=find("said"),
                content=find("We had no other choice,"),
                kind="direct",
            ),
            Quote(
                speaker=speaker("Zbigniew Łukaszewski", "Zbigniew Łukaszewski"),
                cue=find("told Politico"),
                content=find("a betrayal of everything we fought for."),
                kind="direct",
            ),
            Quote(
                speaker=Speaker(*_he(), name="Zbigniew Łukaszewski", resolved=lukasz),
                cue=find("warned"),
                content=find("Moscow is laughing at us."),
                kind="direct",
            ),
            Quote(
                speaker=speaker("Critics", None),
                cue=find("argue"),
                content=find("the agreement hands the Kremlin a propaganda victory"),
                kind="indirect",
            ),
        ],
        entities=[
            entity("Europe", "LOC", 1),
            entity("Moscow", "GPE", 1),
            entity("Europe", "LOC", 2),
            entity("Maria Lindqvist", "PERSON"),
            entity("Lindqvist", "PERSON", 2),
            entity("Brussels", "GPE", 1),
            entity("Reuters", "ORG", 1),
            entity("Poland", "GPE"),
            entity("Zbigniew Łukaszewski", "PERSON"),
            entity("Politico", "ORG"),
            entity("Fox News", "ORG"),
            entity("Moscow", "GPE", 2),
            entity("Kremlin", "ORG"),
            entity("RT", "ORG"),
            entity("Reuters", "ORG", 2),
            entity("Brussels", "GPE", 2),
            entity("The Baltic Ledger", "ORG"),
        ],
        techniques=[
            technique("Loaded_Language", "a gift to Moscow", 0.62),
            technique("Doubt", "has admitted [bold]really[/bold]", 0.31),
            technique("Appeal_to_Fear-Prejudice", "Moscow is laughing at us", 0.48),
            technique("Loaded_Language", "sold out its own citizens — again", 0.91),
            technique("Slogans", "The truth is simple: Brussels has sold out", 0.55),
        ],
        paragraphs=paras,
        meta=Meta(
            input_kind="text",
            url=None,
            content_sha256=hashlib.sha256(TEXT.encode("utf-8")).hexdigest(),
            unspin_version="0.1.0",
            analyzers={"entities": "1", "provenance": "1", "quotes": "1", "techniques": "1"},
            extra={"author": "Anna <b>Kowalska</b>"},
        ),
    )


def _he() -> tuple[int, int, str]:
    """The pronoun "he" of "he warned" (a bare "he" also occurs inside words)."""
    s = find("he warned")
    return s.start, s.start + 2, "he"


def empty_analysis(text: str = "Nothing to see here 🙂.\n") -> Analysis:
    """An analysis with no findings at all (techniques not analysed)."""
    return Analysis(source="-", schema=SCHEMA_VERSION, title=None, text=text, paragraphs=paragraphs(text),
                    meta=Meta(input_kind="stdin", analyzers={"entities": "1"}))


def iter_spans(data: dict) -> list[dict]:
    """Every object with start/end/text in an analysis dict."""
    found: list[dict] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if {"start", "end", "text"} <= value.keys():
                found.append(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk({k: v for k, v in data.items() if k != "text"})
    return found
