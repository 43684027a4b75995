"""One self-contained HTML report for any number of analyses.

The file has inline CSS and a few lines of inline JavaScript (layer toggles,
a detail line for the focused highlight) and loads nothing: no fonts,
scripts, images or links outside the page. Every article-derived string goes
through :func:`html.escape`. Highlights are drawn by cutting each paragraph
at every span boundary (:func:`unspin.report.spans.segments`); a segment
becomes one focusable ``<mark>`` holding one nested element per covering
layer, each layer drawn with its own non-colour cue (underline style, weight,
italics, box) so overlaps stay readable and colour is never the only signal.
Narrative evidence and the mentions of the cast (entities cast as hero,
villain or victim) are layers too; each carries an ``id`` where it begins, so
that the framing section links each narrative to its evidence and each cast
member to its mentions.

Persuasion techniques get one element per technique span, in their family's
colour from the taxonomy (:mod:`unspin.techniques.taxonomy`) with the family
code as a small badge where the span begins (so colour is never the only
cue); overlapping technique spans are put in different *lanes*, underlined
at different depths. Each highlight's title and accessible label give the
technique's name, score and one-line definition; a legend lists every
technique found, and each can be toggled on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote as url_quote

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from .._version import __version__
from ..techniques.taxonomy import OTHER_FAMILY, describe, families, family_slug
from ..types import Analysis, CitedSource, Paragraph, Span, Technique
from .common import (
    BOILERPLATE_KIND,
    OUTLET_BASIS,
    SYNDICATION_KIND,
    abbreviate,
    cited_source_rows,
    entity_groups,
    header_facts,
    LabelView,
    heading,
    empty_status,
    input_notices,
    missing_rating_text,
    label_text,
    label_views,
    paragraph_number,
    paragraphs_of,
    rating_text,
    speaker_groups,
    technique_glance,
    technique_summary,
    techniques_by_paragraph,
    techniques_caveat,
    technique_name,
    techniques_status,
)
from .framing import (
    FRAMING_CAVEAT,
    NONE_FOUND,
    ROLE_GLOSS,
    ROLE_SIGN,
    CastMember,
    cast_by_role,
    cast_of,
    frame_label,
    has_framing,
    narrative_label,
    ran,
    role_heading,
    subnarrative_label,
)
from .spans import segments
from .techniques import FAMILIES, TechniqueInfo, technique_info

#: The templates both the static report and the web app draw articles with.
TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["LAYERS", "REPORT_CSS", "REPORT_JS", "Highlight", "framing_highlights", "highlighted_html", "highlights",
           "notebook_html", "render_html", "technique_lanes", "technique_title"]

#: Highlight layers, outermost first: key, checkbox label, non-colour cue.
LAYERS: tuple[tuple[str, str, str], ...] = (
    ("boilerplate", "Boilerplate", "greyed: page furniture"),
    ("narrative", "Narrative evidence", "line above"),
    ("quote", "Quotes", "shaded, solid underline"),
    ("speaker", "Speakers", "bold, double underline"),
    ("cue", "Cues", "italic, dotted underline"),
    ("source", "Sources and syndication", "dashed underline"),
    ("cast", "Cast", "dotted outline; ▲ hero, ▼ villain, ● victim"),
    ("entity", "Entities", "boxed"),
    ("technique", "Techniques", "wavy underline, family code; overlaps underlined deeper"),
)
_LAYER_ORDER = {key: i for i, (key, _, _) in enumerate(LAYERS)}
#: Depths at which overlapping technique spans are underlined; deeper overlaps share the last.
TECHNIQUE_LANES = 4


@dataclass(frozen=True)
class Highlight:
    """A span to highlight: its layer and what it is, in words."""

    start: int
    end: int
    layer: str
    label: str
    #: For the ``technique`` layer: the technique's name and score.
    technique: str | None = None
    score: float | None = None
    #: ``id`` of the element where the highlight begins, for links to it
    #: (narrative evidence and cast mentions in the static report).
    anchor: str | None = None
    #: For the ``cast`` layer: the plain word for the role (hero, villain, victim).
    role: str | None = None
    #: For the ``technique`` layer: 0 for the first of overlapping technique
    #: spans, 1 for the next… (see :func:`technique_lanes`).
    lane: int | None = None

    @property
    def drawn_lane(self) -> int:
        """The lane the stylesheet draws (spans deeper than :data:`TECHNIQUE_LANES` share the last one)."""
        return min(self.lane or 0, TECHNIQUE_LANES - 1)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _name(name: str | None, domain: str | None) -> str:
    return name or domain or "unnamed outlet"


def highlights(analysis: Analysis) -> list[Highlight]:
    """Every finding of ``analysis`` as a labelled highlight, in layer order."""
    found: list[Highlight] = []

    def add(span: Span | None, layer: str, label: str) -> None:
        if span is not None and span.end > span.start:
            found.append(Highlight(span.start, span.end, layer, label))

    for item in analysis.boilerplate:
        add(item, "boilerplate", f"boilerplate: {BOILERPLATE_KIND.get(item.kind, item.kind)} (left out of the analysis)")
    for quote in analysis.quotes:
        who = (quote.speaker.name or quote.speaker.text) if quote.speaker else "unknown speaker"
        add(quote.content, "quote", f"{quote.kind} quote by {who}")
        if quote.speaker is not None:
            speaker = quote.speaker
            label = f"speaker: {speaker.name or speaker.text}"
            if speaker.name and speaker.name != speaker.text:
                label += f" (written “{speaker.text}”)"
            add(speaker, "speaker", label)
        add(quote.cue, "cue", f"attribution cue ({quote.kind} quote by {who})")
    prov = analysis.provenance
    if prov.outlet is not None:
        outlet = prov.outlet
        add(outlet.evidence, "source", f"names the outlet: {_name(outlet.name, outlet.domain)}")
    if prov.syndicated_from is not None:
        synd = prov.syndicated_from
        kind = SYNDICATION_KIND.get(synd.kind, synd.kind)
        add(synd.evidence, "source", f"{kind}: first published by {_name(synd.name, synd.domain)}")
    for cited in prov.cited_sources:
        label = f"cited source: {cited.name}" + (f" ({cited.domain})" if cited.domain else "")
        rating = rating_text(cited.rating)
        if rating:
            label += f" — {rating}"
        add(Span(cited.start, cited.end, cited.text), "source", label)
        add(cited.cue, "source", f"citation cue for {cited.name}")
    for ent in analysis.entities:
        add(Span(ent.start, ent.end, ent.text), "entity", f"entity: {ent.type}")
    lanes = technique_lanes(analysis.techniques)
    for tech, lane in zip(analysis.techniques, lanes, strict=True):
        if tech.end > tech.start:
            found.append(Highlight(tech.start, tech.end, "technique", technique_title(tech.technique, tech.score),
                                   technique=tech.technique, score=tech.score, lane=lane))
    found.sort(key=lambda h: _LAYER_ORDER.get(h.layer, len(LAYERS)))
    return found


def technique_title(label: str, score: float | None) -> str:
    """``technique: Loaded language [MW], score 0.91: Uses words and phrases…``."""
    info = describe(label)
    scored = f"score {score:.2f}" if score is not None else "no score"
    return f"technique: {info.name} [{info.family_code}], {scored}: {info.definition.rstrip('.')}"


def technique_lanes(techniques: list[Technique]) -> list[int]:
    """A lane per technique span (in the given order) such that overlapping spans never share one.

    Spans are taken by start (longer first); each goes to the lowest lane
    that is free where it starts, so the lanes used are as few as the
    deepest overlap needs.
    """
    order = sorted(range(len(techniques)), key=lambda i: (techniques[i].start, -techniques[i].end, i))
    lanes = [0] * len(techniques)
    ends: list[int] = []  # where the last span of each lane ends
    for i in order:
        tech = techniques[i]
        lane = next((n for n, end in enumerate(ends) if end <= tech.start), len(ends))
        if lane == len(ends):
            ends.append(0)
        ends[lane] = max(tech.end, tech.start + 1)
        lanes[i] = lane
    return lanes


def framing_highlights(analysis: Analysis, prefix: str,
                       cast: list[CastMember] | None = None) -> list[Highlight]:
    """Narrative evidence and cast mentions as highlights with anchors.

    Anchors are ``{prefix}-n{i}-e{j}`` (evidence ``j`` of narrative ``i``) and
    ``{prefix}-c{i}-m{j}`` (mention ``j`` of cast member ``i``), numbered from
    1. A span is moved to begin where the article text shows it (the first
    paragraph it reaches) so that its anchor exists; a span the text does not
    show gets no highlight and no anchor.
    """
    paragraphs = paragraphs_of(analysis)
    size = len(analysis.text)
    found: list[Highlight] = []
    for i, narrative in enumerate(analysis.narratives, 1):
        label = f"narrative: {narrative_label(narrative)} ({narrative.score:.2f})"
        for j, span in enumerate(narrative.evidence, 1):
            shown = _shown(span, paragraphs, size)
            if shown is not None:
                found.append(Highlight(*shown, "narrative", label, anchor=f"{prefix}-n{i}-e{j}"))
    for i, member in enumerate(cast_of(analysis) if cast is None else cast, 1):
        score = f", {member.score:.2f}" if member.score is not None else ""
        label = f"cast: {member.name} as {role_heading(member.role)}{score}"
        for j, span in enumerate(member.spans, 1):
            shown = _shown(span, paragraphs, size)
            if shown is not None:
                found.append(Highlight(*shown, "cast", label, anchor=f"{prefix}-c{i}-m{j}",
                                       role=ROLE_GLOSS.get(member.role)))
    return found


def _shown(span: Span, paragraphs: list[Paragraph], size: int) -> tuple[int, int] | None:
    """``span`` from where the article text first shows it (the paragraphs), or None."""
    end = min(span.end, size)
    for para in paragraphs:
        start = max(span.start, para.start)
        if start < min(end, para.end):
            return start, end
    return None


def _anchor_attrs(mark: Highlight, begins: bool) -> str:
    """Attributes of a highlight's element: anchors of framing evidence, a technique's name, family, lane, code."""
    if mark.layer == "technique" and mark.technique:
        info = describe(mark.technique)
        attrs = (f' data-technique="{_e(mark.technique)}" data-family="{_e(family_slug(info.family))}"'
                 f' data-lane="{mark.drawn_lane}"')
        return attrs + (f' data-code="{_e(info.family_code)}"' if begins else "")
    if not begins or mark.anchor is None:
        return ""
    attrs = f' id="{_e(mark.anchor)}"'
    if mark.role:
        attrs += f' data-role="{_e(mark.role)}"'
    return attrs


@dataclass
class TechniqueCount:
    info: TechniqueInfo
    count: int
    best: float


@dataclass
class FamilyGroup:
    """The techniques found of one family, most frequent first (the text's toggles)."""

    name: str
    slug: str
    code: str
    colour: str
    count: int = 0
    techniques: list[TechniqueCount] = field(default_factory=list)


def technique_families(techniques: Iterable[Technique]) -> list[FamilyGroup]:
    """Techniques found, grouped by family in the taxonomy's order, most frequent first."""
    groups: dict[str, FamilyGroup] = {}
    counts: dict[str, TechniqueCount] = {}
    for tech in techniques:
        info = technique_info(tech.technique)
        slug, code, colour = FAMILIES[info.family]
        group = groups.setdefault(info.family, FamilyGroup(info.family, slug, code, colour))
        group.count += 1
        tc = counts.get(tech.technique)
        if tc is None:
            tc = counts[tech.technique] = TechniqueCount(info, 0, tech.score)
            group.techniques.append(tc)
        tc.count += 1
        tc.best = max(tc.best, tech.score)
    order = list(FAMILIES)
    for g in groups.values():
        g.techniques.sort(key=lambda t: (-t.count, t.info.label))
    return sorted(groups.values(), key=lambda g: order.index(g.name))


@dataclass
class TextParagraph:
    number: int
    html: Markup
    labels: list[LabelView]


@dataclass
class TextView:
    """The highlighted text: its layers and technique families (the toggles) and paragraphs."""

    layers: list[tuple[str, str, str]]
    families: list[FamilyGroup]
    paragraphs: list[TextParagraph]


class ArticleReport:
    """One analysis as the shared templates (``report/templates/sections.html``) draw it.

    ``prefix`` starts every ``id`` (several articles share a page);
    ``level`` is the heading level of the sections; ``outlet_pages`` links
    outlet domains to the web app's outlet pages; ``relabel`` rewrites a
    highlight's label (the web app words technique highlights its own way).
    """

    def __init__(self, analysis: Analysis, prefix: str, *, level: int = 3, outlet_pages: bool = False,
                 relabel: Callable[[Highlight], Highlight] | None = None) -> None:
        self.analysis, self.prefix, self.h, self.outlet_pages = analysis, prefix, level, outlet_pages
        self.paragraphs = paragraphs_of(analysis)
        self.heading = heading(analysis)
        self.facts = header_facts(analysis)
        self.notices = input_notices(analysis)
        self.missing_rating = missing_rating_text(analysis)
        self.source_rows = cited_source_rows(analysis.provenance.cited_sources)
        self.speaker_groups = speaker_groups(analysis.quotes)
        self.entity_groups = entity_groups(analysis.entities, top=12)
        self.techniques_status = techniques_status(analysis)
        self.quotes_status = empty_status(analysis, "quotes", "no quotes found")
        self.entities_status = empty_status(analysis, "entities", "no named entities found")
        self.techniques_caveat = techniques_caveat(analysis) if self.techniques_status is None else ""
        self.technique_summary = technique_summary(analysis)
        #: (headline, strongest techniques) of analysis.technique_summary, or None
        self.glance = technique_glance(analysis)
        self.techniques_by_paragraph = techniques_by_paragraph(analysis)
        self.cast = cast_of(analysis)
        self._cast_numbers = {id(m): i for i, m in enumerate(self.cast, 1)}
        self.has_framing = has_framing(analysis)
        framing_marks = framing_highlights(analysis, prefix, self.cast)
        self._anchors = {m.anchor: m for m in framing_marks if m.anchor}
        marks = highlights(analysis) + framing_marks
        if relabel is not None:
            marks = [relabel(m) for m in marks]
        present = {m.layer for m in marks}
        spans_in = dict(self.techniques_by_paragraph)
        self.text_view = TextView(
            layers=[layer for layer in LAYERS if layer[0] in present],
            families=technique_families(analysis.techniques),
            paragraphs=[TextParagraph(number, Markup(highlighted_html(analysis.text, marks, para.start, para.end,
                                                                        attrs=_anchor_attrs)),
                                      label_views(para, spans_in.get(number, [])))
                        for number, para in enumerate(self.paragraphs, 1)],
        )

    def para_link(self, number: int | None) -> Markup:
        return Markup(_para_link(self.prefix, number))

    def plink(self, span: Span | None) -> Markup:
        """A link to the paragraph where ``span`` begins (nothing for no span)."""
        if span is None:
            return Markup("")
        return self.para_link(paragraph_number(self.paragraphs, span.start))

    def anchor_link(self, anchor: str, span: Span, what: str) -> Markup:
        """A link to the highlight ``anchor``, or the paragraph number alone when the text does not show it."""
        mark = self._anchors.get(anchor)
        number = paragraph_number(self.paragraphs, mark.start if mark else span.start)
        where = f"¶{number}" if number else "¶?"
        label = f"paragraph {number}, {what}" if number else what
        label += f", characters {span.start}–{span.end}"
        if mark is None:
            return Markup(f'<span class="pl dim" title="{_e(label)}">{where}</span>')
        return Markup(f'<a class="pl" href="#{_e(anchor)}" aria-label="{_e(label)}" title="{_e(label)}">{where}</a>')

    def cast_number(self, member: CastMember) -> int:
        return self._cast_numbers[id(member)]

    def citation_words(self, cited: CitedSource) -> str:
        return _citation_words(self.analysis.text, cited)

    @staticmethod
    def outlet_basis(basis: str) -> str:
        return OUTLET_BASIS.get(basis, f"basis: {basis}")

    @staticmethod
    def syndication_kind(kind: str) -> str:
        return SYNDICATION_KIND.get(kind, kind)

    @staticmethod
    def outlet_href(domain: str) -> str:
        return "/outlets/" + url_quote(domain, safe="")


def _template_globals() -> dict[str, Any]:
    return {
        "version": __version__, "rating_text": rating_text, "family_slug": family_slug, "describe": describe,
        "label_text": label_text, "framing_caveat": FRAMING_CAVEAT, "none_found": NONE_FOUND, "ran": ran,
        "frame_label": frame_label, "subnarrative_label": subnarrative_label, "cast_by_role": cast_by_role,
        "role_sign": ROLE_SIGN, "role_heading": role_heading, "abbreviate": abbreviate,
        "technique_label": technique_name,
    }


def environment(*folders: str | Path) -> Environment:
    """A Jinja2 environment over ``folders`` (searched first) and the report's templates, autoescaped.

    The web app adds its own templates folder; both draw an article with the
    macros of ``sections.html``.
    """
    env = Environment(
        loader=FileSystemLoader([str(f) for f in folders] + [str(TEMPLATES)]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(_template_globals())
    return env


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return environment()


def render_html(analyses: list[Analysis]) -> str:
    """One HTML page reporting every analysis in ``analyses`` (``report.html``)."""
    analyses = list(analyses)
    if len(analyses) == 1:
        doc_title = f"unspin: {heading(analyses[0])}"
    else:
        doc_title = f"unspin report: {len(analyses)} articles"
    reports = [ArticleReport(a, f"a{i}") for i, a in enumerate(analyses, 1)]
    return _environment().get_template("report.html").render(
        reports=reports, doc_title=doc_title, css=Markup(_CSS), js=Markup(_JS))


def notebook_html(analysis: Analysis) -> str:
    """The report of one analysis for a notebook cell (``Analysis._repr_html_``).

    The standalone page goes in a sandboxed ``<iframe srcdoc>`` so that its
    stylesheet and script stay inside it (a notebook page has its own), and
    the toggles and detail line work as in the file ``--format html`` writes.
    """
    page = render_html([analysis])
    return (f'<iframe class="unspin-report" title="{_e("unspin report: " + heading(analysis))}" '
            f'sandbox="allow-scripts" srcdoc="{_e(page)}" '
            'style="width:100%;height:42rem;border:1px solid #c8c8c8;border-radius:4px"></iframe>')


def _para_link(prefix: str, number: int | None) -> str:
    if number is None:
        return ""
    return f'<a class="pl" href="#{prefix}-p{number}" aria-label="paragraph {number}">¶{number}</a>'


def _citation_words(text: str, cited: CitedSource) -> str:
    """The mention with its cue ("Reuters reports", "told Politico") as written."""
    if cited.cue is None:
        return cited.text
    lo, hi = min(cited.start, cited.cue.start), max(cited.end, cited.cue.end)
    if hi - lo <= len(cited.text) + len(cited.cue.text) + 12 and 0 <= lo <= hi <= len(text):
        return " ".join(text[lo:hi].split())
    return f"{cited.cue.text} … {cited.text}" if cited.cue.start < cited.start else f"{cited.text} … {cited.cue.text}"


def highlighted_html(
    text: str,
    marks: Iterable[Highlight],
    start: int,
    end: int,
    *,
    attrs: Callable[[Highlight, bool], str] | None = None,
) -> str:
    """``text[start:end]`` as HTML, each covered segment a focusable ``<mark>``.

    Inside a ``<mark>`` there is one ``<span class="l-LAYER">`` per layer
    covering the segment, outermost layer first. ``attrs(mark, begins)``,
    when given, returns extra attributes (already escaped, with a leading
    space) for a mark's span; ``begins`` is true on the segment where that
    finding starts. Marks of one layer with different attributes get one
    span each (the web app gives every technique its own span so that it
    can be toggled on its own); without ``attrs`` one span per layer.
    """
    parts: list[str] = []
    for seg in segments(text, marks, start, end):
        if not seg.spans:
            parts.append(_e(seg.text))
            continue
        groups: list[tuple[str, str]] = []
        for mark in seg.spans:
            key = (mark.layer, attrs(mark, mark.start == seg.start) if attrs is not None else "")
            if key not in groups:
                groups.append(key)
        groups.sort(key=lambda k: _LAYER_ORDER.get(k[0], len(LAYERS)))
        labels = list(dict.fromkeys(m.label for m in seg.spans))
        title = "; ".join(labels)
        opening = "".join(f'<span class="l-{k}"{a}>' for k, a in groups)
        closing = "</span>" * len(groups)
        # One tab stop where a finding begins, not one per piece of it.
        begins = seg.start == start or any(m.start == seg.start for m in seg.spans)
        focus = ' tabindex="0"' if begins and seg.text.strip() else ""
        parts.append(
            f'<mark class="hl"{focus} title="{_e(title)}" aria-label="{_e(seg.text)} ({_e(title)})">'
            f"{opening}{_e(seg.text)}{closing}</mark>"
        )
    return "".join(parts)



_BASE_CSS = """
:root{--fg:#1b1b1b;--dim:#595959;--bg:#fff;--line:#c8c8c8;--link:#0b57d0;
--q-bg:#fff0b3;--q:#8a5300;--spk:#1d4ed8;--cue:#6b2fa0;--src:#0f6b4f;--ent:#4d4d4d;--tech:#b3261e;
--narr:#0e6e8a;--cast:#8a2c0d}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:var(--bg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
main{max-width:50rem;margin:0 auto;padding:1rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.3rem .6rem;z-index:2}
h1{font-size:1.35rem;margin:.5rem 0}
h2{font-size:1.3rem;margin:.3rem 0;line-height:1.3}
h3{font-size:1.1rem;margin:1.6rem 0 .5rem;padding-bottom:.2rem;border-bottom:1px solid var(--line)}
h4{font-size:1rem;margin:1rem 0 .3rem}
a{color:var(--link)}
a:focus-visible,mark.hl:focus-visible,input:focus-visible{outline:3px solid var(--link);outline-offset:2px}
.sub,.dim,.how,.ptags{color:var(--dim)}
.sub{margin:0;overflow-wrap:anywhere}
article.analysis{border-top:3px solid var(--fg);margin-top:1.5rem;padding-top:.5rem}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0}
dl.kv dt{font-weight:600}dl.kv dd{margin:0;overflow-wrap:anywhere}
.rating{font-weight:600}
.ev q,.quotes q{font-style:italic}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line);overflow-wrap:break-word}
thead th{border-bottom:2px solid var(--fg)}
.num{text-align:right;white-space:nowrap}
.how{font-weight:400;font-size:.85rem}.how div{margin-top:.1rem}
ul.quotes{list-style:none;margin:0;padding:0}
ul.quotes li{margin:.3rem 0;padding-left:2.4rem;text-indent:-2.4rem}
.pl{display:inline-block;min-width:2rem;text-indent:0;font-size:.85rem}
.kind{font-variant:small-caps;font-weight:600}
fieldset.layers{display:none;border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.3rem .8rem .5rem}
.js fieldset.layers{display:block}
fieldset.layers label{display:inline-block;margin:.25rem 1.2rem .25rem 0;line-height:2}
fieldset.layers input{width:1.1rem;height:1.1rem;vertical-align:middle}
.detail{position:sticky;top:0;z-index:1;margin:.4rem 0;padding:.4rem .6rem;min-height:2.4rem;background:#f3f3f3;border-left:4px solid var(--fg);font-size:.95rem;overflow-wrap:anywhere}
.text{font-size:1.05rem;line-height:2.2;overflow-wrap:anywhere}
.text p{position:relative;margin:0 0 .9rem;padding-left:2.2rem}
.text .pn{position:absolute;left:0;top:0;width:1.7rem;text-align:right;color:var(--dim);font-size:.8rem;user-select:none}
.ptags{display:block;font-size:.85rem;line-height:1.4}
mark.hl{background:none;color:inherit;cursor:help;border-radius:2px}
.l-boilerplate{color:var(--dim)}
.l-quote{background:var(--q-bg);border-bottom:2px solid var(--q);padding-bottom:1px}
.l-speaker{font-weight:700;border-bottom:4px double var(--spk);padding-bottom:4px}
.l-cue{font-style:italic;border-bottom:2px dotted var(--cue);padding-bottom:4px}
.l-source{border-bottom:2px dashed var(--src);padding-bottom:8px}
.l-entity{box-shadow:inset 0 0 0 1px var(--ent);border-radius:3px}
.l-technique{text-decoration:underline wavy var(--tech);text-decoration-thickness:1.5px;text-underline-offset:3px;text-decoration-skip-ink:none}
.l-technique[data-lane="1"]{text-underline-offset:7px}
.l-technique[data-lane="2"]{text-underline-offset:11px;text-decoration-style:solid}
.l-technique[data-lane="3"]{text-underline-offset:15px;text-decoration-style:solid}
.l-technique[data-code]::before,.tcode{display:inline-block;font-size:.62rem;font-weight:700;font-style:normal;line-height:1.3;color:#fff;background:var(--tech);border-radius:3px;padding:0 .18rem;text-indent:0;user-select:none}
.l-technique[data-code]::before{content:attr(data-code);margin-right:.12rem;vertical-align:.35em}
.tname{font-weight:600}
p.caveat{border-left:4px solid var(--line);padding-left:.6rem;color:var(--dim)}
p.notice{border-left:4px solid #b35900;padding:.2rem .6rem;background:#fff4e5}
table.legend caption{text-align:left;color:var(--dim);font-size:.9rem;padding:.2rem 0}
details.spans{margin:.6rem 0}details.spans summary{cursor:pointer}
fieldset.techs label{margin-right:.9rem}
.l-technique.off{text-decoration:none}
.l-technique.off::before,.hide-technique .l-technique::before{display:none}
.l-narrative{text-decoration:overline var(--narr);text-decoration-thickness:2px;text-decoration-skip-ink:none}
.l-cast{outline:2px dotted var(--cast);outline-offset:1px;border-radius:2px}
.l-cast[data-role]::before{font-size:.75em;margin-right:.1em;color:var(--cast)}
.l-cast[data-role=hero]::before{content:"\\25B2"}
.l-cast[data-role=villain]::before{content:"\\25BC"}
.l-cast[data-role=victim]::before{content:"\\25CF"}
:target{scroll-margin-top:3.5rem}
mark.hl :target{outline:3px solid var(--link);outline-offset:2px}
p.role{font-weight:600;margin:.6rem 0 .2rem}
ul.evidence{margin:.2rem 0 .4rem}
.hide-narrative .l-narrative{text-decoration:none}
.hide-cast .l-cast{outline:0}
.hide-cast .l-cast::before{content:none}
.hide-boilerplate .l-boilerplate{color:inherit}
.hide-quote .l-quote{background:none;border-bottom:0;padding-bottom:0}
.hide-speaker .l-speaker{font-weight:inherit;border-bottom:0;padding-bottom:0}
.hide-cue .l-cue{font-style:inherit;border-bottom:0;padding-bottom:0}
.hide-source .l-source{border-bottom:0;padding-bottom:0}
.hide-entity .l-entity{box-shadow:none}
.hide-technique .l-technique{text-decoration:none}
.toggles{display:none;margin:.3rem 0}
.js .toggles{display:block}
.toggles fieldset{display:block;border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.3rem .8rem .5rem}
.toggles legend{font-weight:600;padding:0 .3rem}
.toggles label{display:inline-block;margin:.15rem 1.1rem .15rem 0;line-height:2;cursor:pointer}
.toggles input{width:1.15rem;height:1.15rem;vertical-align:middle}
.families .family{margin:.2rem 0}
.families ul{list-style:none;margin:0 0 .3rem 1.6rem;padding:0;font-size:.92rem}
.families li label{margin:0;line-height:1.7}
.families .def{display:block;font-size:.85rem;line-height:1.35;margin:0 0 .3rem 1.6rem}
.code{display:inline-block;min-width:1.9rem;text-align:center;font-size:.72rem;font-weight:700;line-height:1.4;color:#fff;background:var(--tech);border-radius:3px;padding:0 .2rem;vertical-align:.1em}
.detail ul{margin:.2rem 0 0;padding-left:1.2rem}
.detail q{font-style:italic}
@media (max-width:36rem){.families ul,.families .def{margin-left:.8rem}}
@media (max-width:36rem){main{padding:.7rem}dl.kv{grid-template-columns:1fr;gap:.1rem}dl.kv dd{margin:0 0 .5rem .8rem}
.text p{padding-left:1.6rem}.text .pn{width:1.2rem}
table.cards,table.cards tbody,table.cards tr,table.cards th,table.cards td{display:block;width:100%}
table.cards thead{position:absolute;left:-9999px}
table.cards tr{border-bottom:1px solid var(--line);padding:.4rem 0}
table.cards th,table.cards td{border:0;padding:.1rem 0;text-align:left}
table.cards td::before{content:attr(data-label) ": ";color:var(--dim);font-weight:400}}
@media print{.toggles,.detail,.skip{display:none}a{color:inherit}}
"""


def _family_css() -> str:
    """Colour rules per technique family, from the taxonomy (underline, code badge, name)."""
    rules = []
    for fam in [*families().values(), OTHER_FAMILY]:
        slug, colour = family_slug(fam.key), fam.colour
        rules.append(f".l-technique[data-family={slug}]{{text-decoration-color:{colour}}}"
                     f".l-technique[data-family={slug}]::before,.tcode[data-family={slug}]{{background:{colour}}}"
                     f".tname[data-family={slug}]{{color:{colour}}}.fam-{slug} .code{{background:{colour}}}")
    return "\n".join(rules) + "\n"


_CSS = _BASE_CSS + _family_css()

#: The report's stylesheet and script, shared with the web app (``/static/report.css``).
REPORT_CSS = _CSS

#: The one script of the highlighted text (toggles, detail line): inlined in the static report,
#: served as ``/static/app.js`` by the web app (no inline script there: CSP).
_JS = (TEMPLATES / "report.js").read_text(encoding="utf-8")

REPORT_JS = _JS
