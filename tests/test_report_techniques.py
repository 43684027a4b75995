"""Persuasion techniques in the terminal and HTML reports: each span in its
family's colour with the technique's name, family code, score and one-line
definition; a summary/legend per technique; the model caveat; overlapping
spans of different techniques kept apart.

The analyses are built by hand (no models), with accents, emoji (astral
characters) and CJK before and inside the spans, rich markup and HTML in the
text and in a label, so that an offset slip or a missing escape shows. One
test runs the real pipeline (fast tier) on the seed article.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pytest
from rich.console import Console

from unspin.report import render_html, render_text
from unspin.report.common import technique_summary, techniques_caveat
from unspin.report.html import TECHNIQUE_LANES, highlights, technique_lanes
from unspin.report.text import MAX_TECHNIQUE_PARAGRAPHS, MAX_TECHNIQUE_SUMMARY, MAX_TECHNIQUES_PER_PARAGRAPH
from unspin.techniques.taxonomy import NO_DEFINITION, OTHER_FAMILY, describe, families, lookup, techniques
from unspin.pipeline import split_paragraphs
from unspin.types import Analysis, Meta, Paragraph, Technique

TEXT = (
    "Crise à Zürich 🙂: 北京 répond\n"
    "\n"
    "Le ministre Jürgen Müller 😀 a dénoncé « l’arrogance de 北京 », une trahison honteuse.\n"
    "<script>alert('x')</script> & [bold]Müller[/bold] : la vérité est simple, 北京 ment toujours.\n"
    "Fin 🙏.\n"
)
#: A label the taxonomy does not know, written to break HTML and rich markup if left unescaped.
HOSTILE = '<script>pwn()</script> & "[red]Co[/red]"'

LOADED = "Loaded_Language"
NAMES = "Name_Calling-Labeling"
FEAR = "Appeal_to_Fear-Prejudice"
SLOGANS = "Slogans"
DOUBT = "Doubt"
EXAGGERATION = "Exaggeration-Minimisation"
KILLER = "Conversation_Killer"


def tech(label: str, needle: str, score: float, nth: int = 1, text: str = TEXT) -> Technique:
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return Technique(label, pos, pos + len(needle), score, needle)


def paragraphs(text: str) -> list[Paragraph]:
    return list(split_paragraphs(text))  # the pipeline's own segmentation


def analysis(techs: list[Technique] | None = None, text: str = TEXT, version: str | None = "fast-1") -> Analysis:
    analyzers = {"entities": "1", "provenance": "1", "quotes": "1"}
    if version is not None:
        analyzers["techniques"] = version
    a = Analysis(source="techniques.txt", schema="1.1", title=None, text=text, paragraphs=paragraphs(text),
                 meta=Meta(input_kind="text", analyzers=analyzers))
    a.techniques = list(techs if techs is not None else SPANS)
    return a


#: Overlapping spans of different techniques: nested (Name calling inside Loaded language), crossing
#: (Fear across the quote and Loaded language), sharing a start (Doubt and Exaggeration), and a
#: hostile unknown label over the HTML of the text.
SPANS = [
    tech(LOADED, "une trahison honteuse", 0.81),
    tech(NAMES, "trahison honteuse", 0.44),
    tech(FEAR, "l’arrogance de 北京 », une trahison", 0.27),
    tech(SLOGANS, "la vérité est simple", 0.66),
    tech(DOUBT, "北京 ment toujours", 0.38),
    tech(EXAGGERATION, "北京 ment", 0.21),
    tech(KILLER, "[bold]Müller[/bold]", 0.12),
    tech(HOSTILE, "<script>alert('x')</script>", 0.07),
    tech(LOADED, "Fin 🙏", 0.09),
]


def render(a: Analysis, width: int = 80, colour: bool = False) -> str:
    if colour:
        console = Console(width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor")
        render_text(a, console)
        return console.file.getvalue()
    console = Console(width=width, file=io.StringIO(), record=True)
    render_text(a, console)
    return console.export_text()


def section(out: str) -> str:
    return out.split("Persuasion techniques", 1)[1]


# --- taxonomy ---------------------------------------------------------------


def test_describe_and_lookup_any_spelling_else_other_family():
    loaded = techniques()[LOADED]
    assert lookup(LOADED) is loaded and lookup("loaded language") is loaded and lookup("LOADED-language") is loaded
    assert lookup("casting doubt") is techniques()[DOUBT]  # the display name, an older SemEval label
    assert describe(FEAR).name == "Appeal to fear or prejudice" and describe(FEAR).family_code == "JU"
    unknown = describe(HOSTILE)
    assert unknown.family == OTHER_FAMILY.key and unknown.family_code == "OT" and unknown.definition == NO_DEFINITION
    assert unknown.name == HOSTILE.replace("-", "/")
    for info in techniques().values():
        assert info.colour == families()[info.family].colour and re.fullmatch(r"#[0-9a-f]{6}", info.colour)


def test_web_pages_use_the_same_taxonomy_entries():
    from unspin.report.techniques import technique_info

    for label in (LOADED, "loaded language", "casting doubt", FEAR):
        web, shared = technique_info(label), describe(label)
        assert (web.label, web.definition, web.colour, web.family_code) == (
            shared.name, shared.definition, shared.colour, shared.family_code)
    assert technique_info(HOSTILE).definition == NO_DEFINITION


# --- shared helpers ---------------------------------------------------------


def test_lanes_keep_overlapping_spans_apart_with_as_few_lanes_as_the_deepest_overlap():
    lanes = technique_lanes(SPANS)
    for i, a in enumerate(SPANS):
        for j, b in enumerate(SPANS):
            if i < j and a.start < b.end and b.start < a.end:
                assert lanes[i] != lanes[j], (a, b)
    depth = max(sum(t.start <= pos < t.end for t in SPANS) for pos in range(len(TEXT)))
    assert max(lanes) + 1 == depth == 3
    touching = [Technique(LOADED, 0, 4, 0.5, ""), Technique(LOADED, 4, 8, 0.5, ""), Technique(DOUBT, 2, 6, 0.5, "")]
    assert technique_lanes(touching) == [0, 0, 1]
    assert technique_lanes([]) == []


def test_summary_counts_best_score_and_order():
    summary = technique_summary(analysis())
    assert [s.label for s in summary][:2] == [LOADED, SLOGANS]  # 2 spans first, then by highest score
    loaded = summary[0]
    assert loaded.count == 2 and loaded.best == 0.81 and loaded.info is techniques()[LOADED]
    assert {s.label for s in summary} == {t.technique for t in SPANS}


def test_caveat_names_the_tier_the_card_and_what_scores_mean():
    fast = techniques_caveat(analysis())
    assert "fast tier (fast-1)" in fast and "unspin/models/techniques-fast/CARD.md" in fast
    assert "calibrated probabilities" in fast and "known limits" in fast
    accurate = techniques_caveat(analysis(version="accurate-2"))
    assert "accurate tier (accurate-2)" in accurate and "techniques-accurate/CARD.md" in accurate
    other = techniques_caveat(analysis(version="7"))
    assert "techniques analyzer 7" in other and "model card" in other and "CARD.md" not in other
    assert "calibrated probabilities" in techniques_caveat(analysis(version=None))
    # what each kind of score means: paragraph scores are chances; span scores are not called chances, since
    # on the forward split highlights are right less often than their scores (ECE 0.109 for the accurate tier)
    assert "Paragraph scores are calibrated probabilities" in fast and "Span scores rank the highlights" in fast
    assert "are not chances" in accurate


# --- terminal ---------------------------------------------------------------


def test_text_summary_gives_name_code_count_best_score_and_definition():
    out = section(render(analysis(), width=200))
    assert " ".join(techniques_caveat(analysis()).split()) in " ".join(out.split())
    assert re.search(r"MW\s+Loaded language · 2 spans · highest 0\.81", out)
    assert re.search(r"AR\s+Name calling or labelling · 1 span · highest 0\.44", out)
    assert re.search(r"JU\s+Appeal to fear or prejudice · 1 span · highest 0\.27", out)
    for label in {t.technique for t in SPANS}:
        assert describe(label).definition in out, label
    # the summary comes before the evidence
    assert out.index("highest 0.81") < out.index("Evidence by paragraph")


def test_text_spans_by_paragraph_with_name_score_and_quoted_evidence():
    out = section(render(analysis(), width=200))
    evidence = out.split("Evidence by paragraph", 1)[1]
    # in text order: the crossing span first, then the nested pair
    assert re.search(r"¶2\s+JU\s+Appeal to fear or prejudice 0\.27  “l’arrogance de 北京 », une trahison”\s+"
                     r"MW\s+Loaded language 0\.81  “une trahison honteuse”\s+"
                     r"AR\s+Name calling or labelling 0\.44  “trahison honteuse”", evidence)
    assert re.search(r"¶3\s+OT\s+<script>pwn\(\)</script> & \"\[red\]Co\[/red\]\" 0\.07  “<script>alert\('x'\)</script>”",
                     evidence)
    assert "CA  Conversation killer 0.12  “[bold]Müller[/bold]”" in evidence  # rich markup shown literally
    assert re.search(r"¶4\s+MW\s+Loaded language 0\.09  “Fin 🙏”", evidence)


def test_text_report_fits_80_columns_without_colour_when_piped():
    console = Console(width=80, file=io.StringIO())
    render_text(analysis(), console)
    raw = console.file.getvalue()
    assert "\x1b[" not in raw and max(len(line) for line in raw.splitlines()) <= 80
    assert "Name calling or labelling" in raw and "[red]Co[/red]" in raw


def test_text_colours_come_from_the_taxonomy():
    out = render(analysis(), colour=True)

    def rgb(colour: str) -> str:
        return ";".join(str(int(colour[i:i + 2], 16)) for i in (1, 3, 5))

    for label in (NAMES, FEAR, SLOGANS, LOADED):
        info = describe(label)
        assert f"48;2;{rgb(info.colour)}m {info.family_code} " in out, label  # the code badge, on the colour
    for label in (NAMES, FEAR, SLOGANS):  # names in the family colour…
        assert f"38;2;{rgb(describe(label).colour)}m{describe(label).name}" in out, label
    # …but never in a colour that vanishes on a dark terminal (the dark grey of manipulative wording)
    assert f"38;2;{rgb(describe(LOADED).colour)}" not in out
    assert "\x1b[1mLoaded language" in out


def test_text_long_lists_are_capped_and_say_how_many_more():
    lines = [f"Ligne {i} 🙂 très chargée, 北京 encore." for i in range(MAX_TECHNIQUE_PARAGRAPHS + 3)]
    text = "\n".join(lines) + "\n"
    labels = list(techniques())[:MAX_TECHNIQUE_SUMMARY + 2]
    techs = []
    for i in range(MAX_TECHNIQUE_PARAGRAPHS + 3):
        for j, word in enumerate(("Ligne", "très", "chargée", "北京", "encore", "🙂", "Lig")):
            techs.append(tech(labels[(i + j) % len(labels)], word, 0.5 - 0.01 * j, nth=i + 1, text=text))
    out = section(render(analysis(techs, text=text), width=120))
    assert "+2 more techniques: " in out
    hidden = 7 - MAX_TECHNIQUES_PER_PARAGRAPH
    assert f"+{hidden} more here, scores ≤ 0.44" in out
    assert f"+3 more paragraphs with techniques ({3 * 7} spans)" in out
    assert f"¶{MAX_TECHNIQUE_PARAGRAPHS}" in out and f"¶{MAX_TECHNIQUE_PARAGRAPHS + 1} " not in out


def test_text_without_techniques_says_why():
    assert "none found" in section(render(analysis([])))
    assert "not analysed" in section(render(analysis([], version=None)))
    assert "calibrated" not in section(render(analysis([])))


# --- HTML -------------------------------------------------------------------


class Walker(HTMLParser):
    """Each paragraph's text offsets, its ``<mark>`` segments and its technique elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts = 0
        self.para: int | None = None
        self.at = 0
        self.stack: list[dict] = []
        #: (paragraph number, start, end, title, aria-label, [(technique, lane)])
        self.marks: list[tuple[int, int, int, str, str, list[tuple[str, str]]]] = []
        #: technique elements: paragraph, technique, lane, has data-code, start, end
        self.pieces: list[tuple[int, str, str, bool, int, int]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        self.scripts += tag == "script"
        match = re.fullmatch(r"a1-p(\d+)", a.get("id") or "") if tag == "p" else None
        if match:
            self.para, self.at, self.stack = int(match.group(1)), 0, []
        elif self.para is not None:
            self.stack.append({"tag": tag, "attrs": a, "start": self.at,
                               "skip": a.get("class") in ("pn", "ptags")})

    def handle_endtag(self, tag):
        if self.para is None:
            return
        if tag == "p" and not self.stack:
            self.para = None
            return
        entry = self.stack.pop()
        a = entry["attrs"]
        if a.get("class") == "l-technique":
            self.pieces.append((self.para, a["data-technique"], a["data-lane"], "data-code" in a,
                                entry["start"], self.at))
        if entry["tag"] == "mark":
            inner = [(e[1], e[2]) for e in self.pieces if e[0] == self.para and e[4] == entry["start"]
                     and e[5] == self.at]
            self.marks.append((self.para, entry["start"], self.at, a.get("title") or "",
                               a.get("aria-label") or "", inner))

    def handle_data(self, data):
        if self.para is not None and not any(e["skip"] for e in self.stack):
            self.at += len(data)


def walk(html: str) -> Walker:
    walker = Walker()
    walker.feed(html)
    walker.close()
    return walker


def shown_highlights(a: Analysis, walker: Walker) -> list[tuple[str, int, int]]:
    """Technique highlights rebuilt from the page: a piece with ``data-code`` begins one, the pieces of the
    same technique and lane that follow it without a gap continue it."""
    found: list[list] = []
    last: dict[tuple[int, str, str], list] = {}
    for para, label, lane, begins, start, end in sorted(walker.pieces, key=lambda p: (p[0], p[4])):
        key = (para, label, lane)
        base = a.paragraphs[para - 1].start
        prev = last.get(key)
        if not begins and prev is not None and prev[2] == base + start:
            prev[2] = base + end
        else:
            last[key] = [label, base + start, base + end]
            found.append(last[key])
    return sorted(tuple(f) for f in found)


def expected_highlights(a: Analysis) -> list[tuple[str, int, int]]:
    """Every technique span, cut at paragraph ends (the page shows paragraphs only)."""
    found = []
    for t in a.techniques:
        for p in a.paragraphs:
            s, e = max(t.start, p.start), min(t.end, p.end)
            if s < e:
                found.append((t.technique, s, e))
    return sorted(found)


@pytest.fixture(scope="module")
def page() -> str:
    return render_html([analysis()])


def test_html_every_highlight_shows_exactly_its_text(page):
    a = analysis()
    shown = shown_highlights(a, walk(page))
    assert shown == expected_highlights(a)
    for label, start, end in shown:
        assert any(t.technique == label and (t.start, t.end) == (start, end) for t in a.techniques)
        assert a.text[start:end] in {t.text for t in a.techniques if t.technique == label}


def test_html_overlapping_spans_are_both_present_labelled_and_in_different_lanes(page):
    walker = walk(page)
    a = analysis()
    trahison = a.text.index("trahison")
    marks = [m for m in walker.marks if a.paragraphs[m[0] - 1].start + m[1] == trahison]
    assert len(marks) == 1
    _, _, _, title, aria, inner = marks[0]
    assert {label for label, _ in inner} == {LOADED, NAMES, FEAR}
    assert len({lane for _, lane in inner}) == 3  # three depths of underline
    for label, score in ((LOADED, "0.81"), (NAMES, "0.44"), (FEAR, "0.27")):
        info = describe(label)
        line = f"technique: {info.name} [{info.family_code}], score {score}: {info.definition.rstrip('.')}"
        assert line in title and line in aria
    assert aria.startswith("trahison (")
    for _, _, _, title, _, inner in walker.marks:  # each segment names every technique over it
        for label, _ in inner:
            assert f"technique: {describe(label).name} [" in title
        assert all(int(lane) < TECHNIQUE_LANES for _, lane in inner)


def test_html_marks_where_each_technique_begins_with_its_family(page):
    walker = walk(page)
    spans = [(tag, a) for tag, a in walker.tags
             if tag == "span" and a.get("class") == "l-technique" and "data-technique" in a]
    begins = [a for _, a in spans if "data-code" in a]
    assert len(begins) == len(SPANS)
    for a in begins:
        info = describe(a["data-technique"])
        assert a["data-code"] == info.family_code
        assert a["data-family"] == info.family.replace("_", "-")
    assert {a["data-technique"] for _, a in spans} == {t.technique for t in SPANS}


def test_html_legend_lists_each_technique_with_code_colour_counts_and_definition(page):
    legend = page.split('<table class="cards legend"', 1)[1].split("</table>", 1)[0]
    for item in technique_summary(analysis()):
        info = item.info
        row = legend.split(f">{info.family_code}</span> <span class=\"tname\"", 1)
        assert len(row) == 2, info.name
    assert ('<span class="tcode" data-family="manipulative-wording" title="Manipulative wording">MW</span> '
            '<span class="tname" data-family="manipulative-wording">Loaded language</span>') in legend
    assert '<td role="cell" class="num" data-label="Spans">2</td>' in legend
    assert '<td role="cell" class="num" data-label="Highest score">0.81</td>' in legend
    for label in (LOADED, NAMES, FEAR, SLOGANS, DOUBT, EXAGGERATION):
        # escaped as the templates escape (markupsafe: &#34; for ")
        assert f'data-label="What it is">{markupsafe.escape(describe(label).definition)}</td>' in legend
    # the family colours are the taxonomy's, on underline, badge and name
    for fam in families().values():
        slug = fam.key.replace("_", "-")
        assert f".l-technique[data-family={slug}]{{text-decoration-color:{fam.colour}}}" in page
        assert f".tcode[data-family={slug}]{{background:{fam.colour}}}" in page


def test_html_caveat_and_toggles(page):
    caveat = techniques_caveat(analysis())
    assert f'<p class="caveat">{caveat}</p>' in page
    walker = walk(page)
    boxes = [a for tag, a in walker.tags if tag == "input" and "data-technique" in a]
    assert sorted(b["data-technique"] for b in boxes) == sorted({t.technique for t in SPANS})
    assert all(b.get("type") == "checkbox" and b.get("data-target") == "a1-text" and "checked" in b for b in boxes)
    assert any(tag == "input" and a.get("data-layer") == "technique" for tag, a in walker.tags)
    assert ".l-technique.off{text-decoration:none}" in page and "getAttribute('data-technique')" in page


def test_html_escapes_names_definitions_and_text(page):
    walker = walk(page)
    assert walker.scripts == 1  # the report's own
    assert "<script>pwn()" not in page and "<script>alert(" not in page
    escaped = "&lt;script&gt;pwn()&lt;/script&gt; &amp; &quot;[red]Co[/red]&quot;"
    assert escaped in page  # the unknown label: legend, toggle, data-technique, title
    assert f'data-technique="{escaped}"' in page
    assert any(a.get("data-technique") == HOSTILE for tag, a in walker.tags if tag == "input")
    killer = describe(KILLER).definition
    assert '"' in killer and "'" in killer
    assert any(killer.rstrip(".") in title for *_, title, _, _ in walker.marks)  # quotes survive attributes
    assert not re.search(r"<(?:span|mark)[^>]*\sstyle=", page)  # colours come from the stylesheet (CSP)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", page.split('id="a1-text"', 1)[1]))
    assert "<script>alert('x')</script> & [bold]Müller[/bold] : la vérité est simple" in text


def test_html_several_articles_keep_toggles_apart():
    html = render_html([analysis(), analysis(SPANS[:2])])
    targets = [a.get("data-target") for tag, a in walk(html).tags if tag == "input" and "data-technique" in a]
    assert targets.count("a1-text") == len({t.technique for t in SPANS}) and targets.count("a2-text") == 2


def test_highlights_carry_technique_score_and_lane():
    marks = [m for m in highlights(analysis()) if m.layer == "technique"]
    assert len(marks) == len(SPANS)
    assert [m.lane for m in marks] == technique_lanes(SPANS)
    assert all(m.label.startswith(f"technique: {describe(m.technique).name} [") for m in marks)


# --- the real pipeline ------------------------------------------------------


def test_seed_article_fast_tier_in_both_reports(seed_path):
    import unspin

    fast = Path(unspin.__file__).parent / "models" / "techniques-fast" / "meta.json"
    if not fast.is_file():
        pytest.skip(f"the fast techniques model is not installed: {fast} is missing")
    # the recall reading: enough leads on the seed for spans of different techniques to overlap
    a = unspin.analyze(str(seed_path), model="fast", recall=True)
    assert a.meta.analyzers["techniques"].startswith("fast-") and a.techniques
    out = render(a)
    assert "fast tier" in out and "techniques-fast/CARD.md" in out
    for item in technique_summary(a)[:MAX_TECHNIQUE_SUMMARY]:
        assert item.info.name in out
    console = Console(width=80, file=io.StringIO())
    render_text(a, console)
    assert max(len(line) for line in console.file.getvalue().splitlines()) <= 80

    html = render_html([a])
    walker = walk(html)
    assert shown_highlights(a, walker) == expected_highlights(a)
    for label, start, end in shown_highlights(a, walker):
        assert any(t.technique == label and t.start <= start < end <= t.end for t in a.techniques)
    # the seed's overlapping spans of different techniques are each labelled where they overlap
    overlaps = [m for m in walker.marks if len({label for label, _ in m[5]}) >= 2]
    assert overlaps
    for *_, title, _, inner in overlaps:
        for label, _ in inner:
            assert f"technique: {describe(label).name} [" in title
        assert len({lane for _, lane in inner}) == min(len(inner), TECHNIQUE_LANES)
    assert Counter(a.get("data-technique") for tag, a in walker.tags if tag == "input" and "data-technique" in a) == \
        Counter({t.technique for t in a.techniques})
