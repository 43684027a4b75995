"""Renderers: segments of overlapping spans, HTML, terminal text, JSON/JSONL."""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from rich.console import Console

from unspin.report import Segment, render_html, render_json, render_text, segments
from unspin.report.common import rating_summary, rating_text, speaker_groups
from unspin.report.html import highlights
from unspin.types import Analysis, Quote, Span, Speaker, Technique

try:
    from .handmade import TEXT, empty_analysis, find, full_analysis
except ImportError:  # tests/ collected without a package __init__
    from handmade import TEXT, empty_analysis, find, full_analysis


@dataclass(frozen=True)
class S:
    start: int
    end: int
    name: str


def shape(segs: list[Segment]) -> list[tuple[int, int, str, list[str]]]:
    return [(s.start, s.end, s.text, [x.name for x in s.spans]) for s in segs]


# --- segments ---------------------------------------------------------------


def test_segments_overlapping_nested_and_touching_spans():
    text = "0123456789"
    spans = [S(2, 6, "a"), S(4, 8, "b"), S(4, 5, "c"), S(8, 10, "d")]
    assert shape(segments(text, spans)) == [
        (0, 2, "01", []),
        (2, 4, "23", ["a"]),
        (4, 5, "4", ["a", "b", "c"]),
        (5, 6, "5", ["a", "b"]),
        (6, 8, "67", ["b"]),
        (8, 10, "89", ["d"]),
    ]


def test_segments_identical_spans_and_outermost_first():
    text = "abcdef"
    spans = [S(1, 3, "inner"), S(0, 6, "outer"), S(1, 3, "twin")]
    assert shape(segments(text, spans)) == [
        (0, 1, "a", ["outer"]),
        (1, 3, "bc", ["outer", "inner", "twin"]),
        (3, 6, "def", ["outer"]),
    ]


def test_segments_unicode_offsets_are_str_indices():
    text = "🙂 “Łukaszewski” said 🙂 it"
    name = text.index("Łukaszewski")
    said = text.index("said")
    spans = [S(name, name + len("Łukaszewski"), "speaker"), S(name - 1, said + 4, "quote")]
    segs = segments(text, spans)
    assert shape(segs) == [
        (0, 2, "🙂 ", []),
        (2, 3, "“", ["quote"]),
        (3, 14, "Łukaszewski", ["quote", "speaker"]),
        (14, 20, "” said", ["quote"]),
        (20, len(text), " 🙂 it", []),
    ]
    assert "".join(s.text for s in segs) == text


def test_segments_window_clipping_and_bad_spans():
    text = "line one\nline two"
    spans = [S(5, 13, "across"), S(3, 3, "empty"), S(-5, 2, "before"), S(15, 99, "past"), S(7, 4, "reversed")]
    assert shape(segments(text, spans, 9, 17)) == [(9, 13, "line", ["across"]), (13, 15, " t", []),
                                                   (15, 17, "wo", ["past"])]
    assert shape(segments(text, spans, 0, 8)) == [(0, 2, "li", ["before"]), (2, 5, "ne ", []),
                                                  (5, 8, "one", ["across"])]
    assert segments(text, spans, 8, 8) == [] and segments("", spans) == []


def test_segments_cover_text_exactly_for_the_handmade_analysis():
    analysis = full_analysis()
    marks = highlights(analysis)
    segs = segments(analysis.text, marks)
    assert "".join(s.text for s in segs) == analysis.text
    for seg in segs:
        assert seg.text == analysis.text[seg.start:seg.end] and seg.start < seg.end
        for mark in seg.spans:
            assert mark.start <= seg.start and seg.end <= mark.end
        covering = {m for m in marks if m.start <= seg.start and seg.end <= m.end}
        assert set(seg.spans) == covering


# --- HTML -------------------------------------------------------------------


class _Collector(HTMLParser):
    """Text of every <mark> segment, the document's text, tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[str] = []
        self.mark_titles: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts = 0
        self._in_mark = 0
        self._current: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts += 1
        if tag == "mark":
            self._in_mark += 1
            self._current = []
            self.mark_titles.append(dict(attrs).get("title") or "")

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark -= 1
            self.marks.append("".join(self._current))

    def handle_data(self, data):
        if self._in_mark:
            self._current.append(data)


def parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def page() -> str:
    return render_html([full_analysis(), empty_analysis()])


def test_html_is_one_accessible_document(page):
    assert page.lower().startswith("<!doctype html>")
    assert '<html lang="en">' in page and '<meta name="viewport"' in page and "<title>" in page
    assert page.count("<h1") == 1 and page.count("<h2") == 2
    assert page.count("<article") == 2
    for heading in ("Provenance", "Who says what", "Entities", "Persuasion techniques", "Article text"):
        assert page.count(f">{heading}</h3>") == 2


def test_html_escapes_article_text_and_has_only_our_script(page):
    doc = parse(page)
    assert doc.scripts == 1  # the report's own toggle script
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Anna <b>Kowalska</b>" not in page and "Anna &lt;b&gt;Kowalska&lt;/b&gt;" in page
    assert not any(tag == "b" for tag, _ in doc.tags)
    hostile = full_analysis()
    hostile.title = '</title><img src=x onerror=alert(1)>"'
    hostile.provenance.cited_sources[0].name = '"><script>alert(2)</script>'
    html = render_html([hostile])
    assert parse(html).scripts == 1
    assert "<img" not in html and "alert(2)</script>" not in html


def test_html_has_no_external_resources(page):
    assert not re.search(r"\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"""href\s*=\s*["']?\s*(https?:|//)""", page, re.IGNORECASE)
    assert not re.search(r"url\s*\(|@import|https?://(?!json-schema)", page, re.IGNORECASE)
    for tag, attrs in parse(page).tags:
        assert tag not in {"link", "img", "iframe", "object", "embed"}
        assert not (tag == "script" and "src" in attrs)
        assert (attrs.get("href") or "#").startswith("#")


def test_html_segments_show_the_exact_text(page):
    doc = parse(page)
    analysis = full_analysis()
    expected = [s.text for p in analysis.paragraphs
                for s in segments(analysis.text, highlights(analysis), p.start, p.end) if s.spans]
    assert doc.marks == expected
    for needle in ("Zbigniew Łukaszewski", "Moscow", " is laughing at us", " [bold]really[/bold]",
                   "The post Europe’s gas deal appeared first on "):
        assert needle in doc.marks
    # every paragraph's text survives highlighting, emoji and all
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    for para in analysis.paragraphs:
        assert analysis.text[para.start:para.end] in text


def test_html_overlaps_nest_one_element_per_layer(page):
    # "Moscow" in the last quote is quote + entity + technique at once
    assert ('<span class="l-quote"><span class="l-entity"><span class="l-technique" data-technique="Appeal_to_Fear-Prejudice"'
            ' data-family="justification" data-lane="0" data-code="JU">Moscow</span></span></span>' in page)
    # "Politico" is the cue of a quote, a cited source and an entity
    assert '<span class="l-cue"><span class="l-source"><span class="l-entity">Politico</span>' in page
    titles = parse(page).mark_titles
    assert any("technique: Slogans [CA], score 0.55: Uses a short, punchy, memorable phrase in place of an argument, "
               "often a call to act; technique: Loaded language [MW], score 0.91: " in t for t in titles)


def test_html_highlights_focusable_labelled_and_toggleable(page):
    doc = parse(page)
    marks = [attrs for tag, attrs in doc.tags if tag == "mark"]
    assert marks and all(a.get("title") and a.get("aria-label") for a in marks)
    focusable = [a for a in marks if a.get("tabindex") == "0"]
    assert len(focusable) >= len(highlights(full_analysis())) // 2
    boxes = [a for tag, a in doc.tags if tag == "input" and "data-layer" in a]
    assert {b["data-layer"] for b in boxes} == {"boilerplate", "quote", "speaker", "cue", "source", "entity", "technique"}
    assert all(b.get("type") == "checkbox" and b.get("data-target") == "a1-text" for b in boxes)
    for layer in ("quote", "speaker", "cue", "source", "entity", "technique"):
        assert f".hide-{layer} .l-{layer}" in page


def test_html_sections_show_findings(page):
    for needle in ("The Baltic Ledger", "balticledger.com", "factual: mixed", "credibility: low credibility",
                   "republication footer", "Reuters", "reliability: 1 · NewsGuard: 95",
                   "stance: centre [x] · tier: A · audited: 2024", "Maria Lindqvist", "(as “he”)",
                   "Zbigniew Łukaszewski", "Appeal to fear or prejudice", "not analysed (the techniques analyzer was not in --analyzers)",
                   'href="#a1-p4"', 'id="a1-p4"', "standard input"):
        assert needle in page, needle


def test_html_without_analyses_and_without_findings():
    assert "No articles were analysed" in render_html([])
    html = render_html([empty_analysis("<b>bold?</b> [red]x[/red]\n")])
    assert "&lt;b&gt;bold?&lt;/b&gt; [red]x[/red]" in html
    assert "<mark" not in html and "<fieldset" not in html


# --- terminal text ----------------------------------------------------------


def render(analysis: Analysis, width: int = 80) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    render_text(analysis, console)
    return console.export_text()


def test_text_report_shows_the_findings():
    out = render(full_analysis())
    for needle in ("Europe’s gas deal 🙂 is a gift to Moscow", "examples/handmade.txt", "120 words",
                   "Provenance", "The Baltic Ledger (balticledger.com)",
                   "factual: mixed · bias: right · credibility: low credibility",
                   "from a syndication footer", "republication footer",
                   "Reuters", "reuters.com", "reliability: 1 · NewsGuard: 95", "Politico", "rt.com",
                   "factual: very low", "Fox News", "no rating",
                   "Who says what", "Maria Lindqvist", "Zbigniew Łukaszewski (as “he”) · 2 quotes", "Critics",
                   "¶4 direct · told Politico", "“a betrayal of everything we fought for.”",
                   "Entities", "People", "Organisations", "Places", "Reuters ×2",
                   "Maria Lindqvist ×2 · Zbigniew Łukaszewski", "author: Anna <b>Kowalska</b>",
                   "Persuasion techniques", "Loaded language 0.91", "“sold out its own citizens — again”"):
        assert needle in out, needle
    assert "not analysed" not in out


def test_text_report_cited_sources_counted_per_outlet():
    out = render(full_analysis())
    row = next(line for line in out.splitlines() if line.startswith("Reuters"))
    assert re.search(r"Reuters\s+2\s+reuters\.com", row)


def test_text_report_fits_80_columns_and_has_no_colour_when_not_a_tty():
    console = Console(width=80, file=io.StringIO())
    render_text(full_analysis(), console)
    raw = console.file.getvalue()
    assert "\x1b[" not in raw
    assert max(len(line) for line in raw.splitlines()) <= 80


def test_text_report_escapes_rich_markup_from_the_article():
    analysis = empty_analysis("[bold]Breaking[/bold] news [link=https://x]x[/link] [/]\n")
    analysis.quotes = [Quote(speaker=Speaker(0, 6, "[bold]", name="[red]Mallory[/red]"), cue=None,
                             content=Span(0, 17, "[bold]Breaking[/b"), kind="direct")]
    out = render(analysis)
    assert "[bold]Breaking[/bold] news" in out  # the heading, literally
    assert "[red]Mallory[/red]" in out
    assert "“[bold]Breaking[/b”" in out
    full = render(full_analysis())
    assert "[bold]really[/bold]" in full
    assert "stance: centre [x]" in full


def test_text_report_empty_findings():
    out = render(empty_analysis())
    assert "unknown" in out and "not analysed (the quotes analyzer was not in --analyzers)" in out
    assert "no named entities found" in out  # entities ran and found nothing
    assert "not analysed (the techniques analyzer was not in --analyzers)" in out
    analysed = empty_analysis()
    analysed.meta.analyzers.update(quotes="2", entities="2", techniques="1")
    out = render(analysed)
    assert "none found" in out and "no quotes found" in out and "no named entities found" in out


def test_text_report_heading_falls_back_to_first_words():
    analysis = empty_analysis("One two three four five six seven eight nine ten eleven twelve.\n")
    assert "One two three four five six seven eight nine ten…" in render(analysis)


def test_text_report_narrow_terminal_does_not_crash():
    out = render(full_analysis(), width=40)
    assert "Łukaszewski" in out


# --- shared helpers ---------------------------------------------------------


def test_rating_summary_known_keys_first_else_first_three_others():
    mbfc = {"source": "rt.com", "country": "russia", "bias": "right", "factual_reporting": "very low",
            "press_freedom": "x", "mbfc_credibility_rating": "low credibility", "nela_gt_label": "unreliable"}
    assert rating_summary(mbfc) == [("factual", "very low"), ("bias", "right"), ("credibility", "low credibility")]
    assert rating_text({"domain": "a.com", "reliability_label": "-1", "newsguard_score": ""}) == "reliability: -1"
    other = {"domain": "a.com", "table": "t.csv", "one": "1", "two": "", "three": "3", "four": "4", "five": "5"}
    assert rating_summary(other) == [("one", "1"), ("three", "3"), ("four", "4")]
    assert rating_summary(None) == [] and rating_summary({"domain": "a.com"}) == []


def test_speaker_groups_by_name_most_quoted_first_unattributed_last():
    analysis = full_analysis()
    analysis.quotes.append(Quote(speaker=None, cue=None, content=find("The truth is simple"), kind="indirect"))
    groups = speaker_groups(analysis.quotes)
    assert [g.name for g in groups] == ["Maria Lindqvist", "Zbigniew Łukaszewski", "Critics", "(no speaker)"]
    assert groups[1].mentions == ["he"] and groups[0].mentions == []
    assert "(no speaker)" in render(analysis)


def test_techniques_render_grouped_by_paragraph():
    analysis = empty_analysis("First line.\nSecond line is loaded.\n")
    analysis.techniques = [Technique("Name_Calling-Labeling", 12, 18, 0.7, "Second"),
                           Technique("Loaded_Language", 26, 32, 0.9, "loaded")]
    out = render(analysis)
    assert re.search(r"¶2\s+AR\s+Name calling or labelling 0\.70", out)
    assert "Loaded language 0.90" in out
    assert "¶2" in render_html([analysis])


# --- JSON -------------------------------------------------------------------


def test_render_json_single_object_array_and_lines_round_trip():
    one, two = full_analysis(), empty_analysis()
    single = render_json([one], "json")
    assert single.startswith("{") and "Łukaszewski" in single and "🙂" in single
    assert Analysis.from_dict(json.loads(single)) == one
    many = json.loads(render_json([one, two], "json"))
    assert isinstance(many, list) and [Analysis.from_dict(d) for d in many] == [one, two]
    assert json.loads(render_json([], "json")) == []
    lines = render_json([one, two], "jsonl")
    assert lines.endswith("\n") and lines.count("\n") == 2
    assert [Analysis.from_dict(json.loads(line)) for line in lines.splitlines()] == [one, two]
    assert render_json([], "jsonl") == ""
    with pytest.raises(ValueError):
        render_json([one], "yaml")  # type: ignore[arg-type]


def test_handmade_text_has_the_tricky_characters():
    assert "🙂" in TEXT and "Łukaszewski" in TEXT and "\r\n" in TEXT and "“" in TEXT


def test_pronoun_speakers_left_unresolved_are_shown_as_not_named():
    # "not all who claim …": a relative pronoun whose antecedent is itself a pronoun names nobody
    text = "Not all who claim to fight the militants truly have that intent. Maria Lindqvist said so."
    analysis = empty_analysis(text)
    antecedent = find("all", text=text)
    analysis.quotes = [
        Quote(speaker=Speaker(**vars(find("who", text=text)), resolved=antecedent), cue=find("claim", text=text), content=find("to fight the militants", text=text),
              kind="indirect"),
        Quote(speaker=Speaker(**vars(find("Maria Lindqvist", text=text)), name="Maria Lindqvist"), cue=find("said", text=text),
              content=find("so", text=text), kind="indirect"),
    ]
    groups = speaker_groups(analysis.quotes)
    assert [g.name for g in groups] == ["Maria Lindqvist", "(speaker not named)"]
    assert groups[1].mentions == ["who"]
    out = render(analysis)
    assert "(speaker not named)" in out and "\nwho ·" not in out


def test_a_pronoun_resolved_to_a_description_shows_the_description():
    text = "Western officials, who asked not to be named, said the talks had failed."
    analysis = empty_analysis(text)
    analysis.quotes = [Quote(speaker=Speaker(**vars(find("who", text=text)), resolved=find("Western officials", text=text)),
                             cue=find("said", text=text), content=find("the talks had failed", text=text), kind="indirect")]
    assert [g.name for g in speaker_groups(analysis.quotes)] == ["Western officials"]
