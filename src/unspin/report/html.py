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

from dataclasses import dataclass
from html import escape
from typing import Callable, Iterable

from .._version import __version__
from ..techniques.taxonomy import OTHER_FAMILY, TechniqueInfo, describe, families, family_slug
from ..types import Analysis, CitedSource, Paragraph, Span, Technique
from .common import (
    BOILERPLATE_KIND,
    OUTLET_BASIS,
    SYNDICATION_KIND,
    abbreviate,
    cited_source_rows,
    entity_groups,
    header_facts,
    heading,
    input_notices,
    missing_rating_text,
    label_text,
    label_views,
    paragraph_number,
    paragraphs_of,
    rating_text,
    speaker_groups,
    technique_summary,
    techniques_by_paragraph,
    techniques_caveat,
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


def render_html(analyses: list[Analysis]) -> str:
    """One HTML page reporting every analysis in ``analyses``."""
    analyses = list(analyses)
    if len(analyses) == 1:
        doc_title = f"unspin: {heading(analyses[0])}"
    else:
        doc_title = f"unspin report: {len(analyses)} articles"
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light">',
        f'<meta name="generator" content="unspin {_e(__version__)}">',
        f"<title>{_e(doc_title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<a class="skip" href="#main">Skip to the report</a>',
        '<main id="main">',
        "<h1>unspin report</h1>",
    ]
    if not analyses:
        out.append('<p class="dim">No articles were analysed.</p>')
    if len(analyses) > 1:
        out.append('<nav aria-label="Articles"><ol>')
        for i, analysis in enumerate(analyses, 1):
            out.append(f'<li><a href="#a{i}">{_e(heading(analysis))}</a></li>')
        out.append("</ol></nav>")
    for i, analysis in enumerate(analyses, 1):
        out.append(_article(analysis, f"a{i}"))
    out += [
        "</main>",
        f"<script>{_JS}</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


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


def _rating(rating: dict[str, str] | None, missing: str) -> str:
    summary = rating_text(rating)
    if summary:
        return f'<span class="rating">{_e(summary)}</span>'
    if rating is None:
        return f'<span class="dim">{_e(missing)}</span>'
    return '<span class="dim">rating has no known columns</span>'


def _article(analysis: Analysis, prefix: str) -> str:
    paragraphs = paragraphs_of(analysis)

    def plink(span: Span | None) -> str:
        return _para_link(prefix, paragraph_number(paragraphs, span.start)) if span is not None else ""

    sub = header_facts(analysis)
    h: list[str] = [
        f'<article class="analysis" id="{prefix}" aria-labelledby="{prefix}-h">',
        f'<header><h2 id="{prefix}-h">{_e(heading(analysis))}</h2>',
        f'<p class="sub">{" · ".join(_e(s) for s in sub)}</p>',
        *(f'<p class="notice" role="note">{_e(n)}</p>' for n in input_notices(analysis)),
        "</header>",
    ]

    # Provenance
    prov = analysis.provenance
    missing = missing_rating_text(analysis)
    h.append(f'<section aria-labelledby="{prefix}-prov"><h3 id="{prefix}-prov">Provenance</h3>')
    h.append('<dl class="kv">')
    outlet = prov.outlet
    h.append("<dt>Outlet</dt>")
    if outlet is None:
        h.append('<dd class="dim">unknown (no URL, site name or footer found)</dd>')
    else:
        basis = OUTLET_BASIS.get(outlet.basis, f"basis: {outlet.basis}")
        h.append(f"<dd>{_outlet_name(outlet.name, outlet.domain)}<br>{_rating(outlet.rating, missing)}<br>"
                 f'<span class="ev">{_e(basis)}{_evidence(outlet.evidence)} {plink(outlet.evidence)}</span></dd>')
    h.append("<dt>Syndicated</dt>")
    synd = prov.syndicated_from
    if synd is None:
        h.append('<dd class="dim">no syndication footer or wire credit</dd>')
    else:
        kind = SYNDICATION_KIND.get(synd.kind, synd.kind)
        h.append(f"<dd>first published by {_outlet_name(synd.name, synd.domain)}<br>{_rating(synd.rating, missing)}<br>"
                 f'<span class="ev">{_e(kind)}{_evidence(synd.evidence)} {plink(synd.evidence)}</span></dd>')
    h.append("</dl>")
    rows = cited_source_rows(prov.cited_sources)
    h.append("<h4>Cited sources</h4>")
    if not rows:
        h.append('<p class="dim">none found</p>')
    else:
        # Explicit roles keep the table's semantics when narrow screens restyle it as cards.
        h.append('<div class="scroll"><table class="cards" role="table"><thead role="rowgroup"><tr role="row">'
                 '<th scope="col" role="columnheader">Source</th>'
                 '<th scope="col" role="columnheader" class="num">Mentions</th>'
                 '<th scope="col" role="columnheader">Domain</th>'
                 '<th scope="col" role="columnheader">Rating</th></tr></thead><tbody role="rowgroup">')
        for row in rows:
            how = []
            for m in row.mentions:
                how.append(f'<div><q>{_e(_citation_words(analysis.text, m))}</q> {plink(m)}</div>')
            h.append(
                f'<tr role="row"><th scope="row" role="rowheader">{_e(row.name)}<div class="how">{"".join(how)}</div></th>'
                f'<td role="cell" class="num" data-label="Mentions">{len(row.mentions)}</td>'
                f'<td role="cell" data-label="Domain">{_e(row.domain) if row.domain else _NO_DOMAIN}</td>'
                f'<td role="cell" data-label="Rating">{_rating(row.rating, missing)}</td></tr>'
            )
        h.append("</tbody></table></div>")
    h.append("</section>")

    # Who says what
    h.append(f'<section aria-labelledby="{prefix}-quotes"><h3 id="{prefix}-quotes">Who says what</h3>')
    groups = speaker_groups(analysis.quotes)
    if not groups:
        h.append('<p class="dim">no quotes found</p>')
    for group in groups:
        n = len(group.quotes)
        extra = ""
        if group.mentions:
            extra = " (as " + ", ".join(f"“{_e(m)}”" for m in group.mentions) + ")"
        h.append(f'<h4>{_e(group.name)} <span class="dim">{extra} · {n} quote{"s" if n != 1 else ""}</span></h4>')
        h.append('<ul class="quotes">')
        for quote in group.quotes:
            cue = f' · <span class="cue">{_e(quote.cue.text)}</span>' if quote.cue else ""
            h.append(f'<li>{plink(quote.content)} <span class="kind">{_e(quote.kind)}</span>{cue} '
                     f"<q>{_e(quote.content.text)}</q></li>")
        h.append("</ul>")
    h.append("</section>")

    # Entities
    h.append(f'<section aria-labelledby="{prefix}-ents"><h3 id="{prefix}-ents">Entities</h3>')
    egroups = entity_groups(analysis.entities, top=12)
    if not egroups:
        h.append('<p class="dim">no named entities found</p>')
    else:
        h.append('<dl class="kv">')
        for head, names in egroups:
            items = " · ".join(_e(name) + (f' <span class="dim">×{c}</span>' if c > 1 else "") for name, c in names)
            h.append(f"<dt>{_e(head)}</dt><dd>{items}</dd>")
        h.append("</dl>")
    h.append("</section>")

    # Techniques
    h.append(f'<section aria-labelledby="{prefix}-tech"><h3 id="{prefix}-tech">Persuasion techniques</h3>')
    status = techniques_status(analysis)
    if status is not None:
        h.append(f'<p class="dim">{_e(status)}</p>')
    else:
        h.append(_techniques(analysis, prefix))
    h.append("</section>")

    # Framing
    cast = cast_of(analysis)
    framing_marks = framing_highlights(analysis, prefix, cast)
    if has_framing(analysis):
        h.append(_framing(analysis, prefix, cast, framing_marks, paragraphs))

    # Article text
    marks = highlights(analysis) + framing_marks
    present = {m.layer for m in marks}
    h.append(f'<section aria-labelledby="{prefix}-text-h"><h3 id="{prefix}-text-h">Article text</h3>')
    if present:
        h.append('<fieldset class="layers"><legend>Highlight</legend>')
        for key, label, cue in LAYERS:
            if key in present:
                h.append(f'<label><input type="checkbox" checked data-layer="{key}" data-target="{prefix}-text"> '
                         f'<span class="l-{key}">{_e(label)}</span> <span class="dim">({_e(cue)})</span></label>')
        h.append("</fieldset>")
        if analysis.techniques:
            h.append('<fieldset class="layers techs"><legend>Techniques '
                     '<span class="dim">(colour and code by family; overlaps underlined deeper)</span></legend>')
            for item in technique_summary(analysis):
                h.append(f'<label title="{_e(item.info.definition)}"><input type="checkbox" checked '
                         f'data-technique="{_e(item.label)}" data-target="{prefix}-text"> '
                         f'{_code(item.info)} {_e(item.info.name)} <span class="dim">({item.count})</span></label>')
            h.append("</fieldset>")
        h.append(f'<p class="detail" id="{prefix}-detail" aria-live="polite">'
                 "Focus or tap a highlight to see what it marks.</p>")
    h.append(f'<div class="text" id="{prefix}-text" data-detail="{prefix}-detail">')
    spans_in = dict(techniques_by_paragraph(analysis))
    for number, para in enumerate(paragraphs, 1):
        tags = ""
        if labels := label_views(para, spans_in.get(number, [])):
            tags = ('<span class="ptags">paragraph: ' + " · ".join(_e(label_text(lab)) for lab in labels) + "</span>")
        body = highlighted_html(analysis.text, marks, para.start, para.end, attrs=_anchor_attrs)
        h.append(f'<p id="{prefix}-p{number}"><span class="pn" aria-hidden="true">{number}</span>{body}{tags}</p>')
    h.append("</div></section>")
    h.append("</article>")
    return "\n".join(h)


def _framing(analysis: Analysis, prefix: str, cast: list[CastMember], marks: list[Highlight],
             paragraphs: list[Paragraph]) -> str:
    """The framing section: genre, frames, narratives linked to their evidence, the cast linked to its mentions."""
    anchors = {m.anchor: m for m in marks if m.anchor}

    def link(anchor: str, span: Span, what: str) -> str:
        """A link to the highlight ``anchor``, or the paragraph number alone when the text does not show it."""
        mark = anchors.get(anchor)
        number = paragraph_number(paragraphs, mark.start if mark else span.start)
        where = f"¶{number}" if number else "¶?"
        label = f"paragraph {number}, {what}" if number else what
        label += f", characters {span.start}–{span.end}"
        if mark is None:
            return f'<span class="pl dim" title="{_e(label)}">{where}</span>'
        return f'<a class="pl" href="#{_e(anchor)}" aria-label="{_e(label)}" title="{_e(label)}">{where}</a>'

    h = [f'<section aria-labelledby="{prefix}-framing"><h3 id="{prefix}-framing">Framing</h3>',
         f'<p class="dim">{_e(FRAMING_CAVEAT)}</p>']
    rows = []
    if analysis.genre is not None:
        rows.append(f'<dt>Genre</dt><dd>{_e(analysis.genre.label)} '
                    f'<span class="dim">{analysis.genre.score:.2f}</span></dd>')
    if analysis.frames:
        items = " · ".join(f'{_e(frame_label(f.label))} <span class="dim">{f.score:.2f}</span>'
                           for f in analysis.frames)
        rows.append(f"<dt>Frames</dt><dd>{items}</dd>")
    elif ran(analysis, "frames"):
        rows.append(f'<dt>Frames</dt><dd class="dim">{_e(NONE_FOUND["frames"])}</dd>')
    if not analysis.narratives and ran(analysis, "narratives"):
        rows.append(f'<dt>Narratives</dt><dd class="dim">{_e(NONE_FOUND["narratives"])}</dd>')
    if not cast and ran(analysis, "roles"):
        rows.append(f'<dt>Cast</dt><dd class="dim">{_e(NONE_FOUND["roles"])}</dd>')
    if rows:
        h.append('<dl class="kv">' + "".join(rows) + "</dl>")

    if analysis.narratives:
        h.append(f'<h4 id="{prefix}-narratives">Narratives</h4><ul class="quotes narratives">')
        for i, narrative in enumerate(analysis.narratives, 1):
            sub = subnarrative_label(narrative)
            sub_html = f' → {_e(sub)}' if sub else ""
            h.append(f'<li id="{prefix}-n{i}"><strong>{_e(narrative.narrative)}</strong>{sub_html} '
                     f'<span class="dim">{narrative.score:.2f}</span>')
            if narrative.evidence:
                h.append('<ul class="quotes evidence">')
                for j, span in enumerate(narrative.evidence, 1):
                    h.append(f'<li>{link(f"{prefix}-n{i}-e{j}", span, "evidence")} <q>{_e(span.text)}</q></li>')
                h.append("</ul>")
            h.append("</li>")
        h.append("</ul>")

    if cast:
        h.append(f'<h4 id="{prefix}-cast">Cast <span class="dim">(who the article casts as hero, villain, victim)'
                 "</span></h4>")
        number_of = {id(m): i for i, m in enumerate(cast, 1)}
        for role, _, members in cast_by_role(cast):
            sign = ROLE_SIGN.get(role, "•")
            h.append(f'<p class="role"><span aria-hidden="true">{_e(sign)}</span> {_e(role_heading(role))}</p>')
            h.append('<ul class="quotes cast">')
            for member in members:
                i = number_of[id(member)]
                score = f' <span class="dim">{member.score:.2f}</span>' if member.score is not None else ""
                fine = f' <span class="dim">({_e(", ".join(member.fine_roles))})</span>' if member.fine_roles else ""
                mentions = " · ".join(
                    f'<q>{_e(span.text)}</q> {link(f"{prefix}-c{i}-m{j}", span, f"mention “{abbreviate(span.text, 40)}”")}'
                    for j, span in enumerate(member.spans, 1))
                h.append(f'<li id="{prefix}-c{i}"><strong>{_e(member.name)}</strong>{score}{fine}'
                         f'<div class="how">{mentions}</div></li>')
            h.append("</ul>")
    h.append("</section>")
    return "\n".join(h)


def _code(info: TechniqueInfo) -> str:
    """The family code as a badge in the family colour, its family named for screen readers and on hover."""
    return (f'<span class="tcode" data-family="{_e(family_slug(info.family))}" '
            f'title="{_e(info.family_name)}">{_e(info.family_code)}</span>')


def _techniques(analysis: Analysis, prefix: str) -> str:
    """Caveat, legend (technique, family code and colour, spans, highest score, definition), every span."""
    h = [f'<p class="caveat">{_e(techniques_caveat(analysis))}</p>',
         '<div class="scroll"><table class="cards legend" role="table"><caption>Legend: the techniques found, '
         "most spans first</caption>"
         '<thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader">Technique</th>'
         '<th scope="col" role="columnheader" class="num">Spans</th>'
         '<th scope="col" role="columnheader" class="num">Highest score</th>'
         '<th scope="col" role="columnheader">What it is</th></tr></thead><tbody role="rowgroup">']
    for item in technique_summary(analysis):
        info = item.info
        h.append(f'<tr role="row"><th scope="row" role="rowheader">{_code(info)} '
                 f'<span class="tname" data-family="{_e(family_slug(info.family))}">{_e(info.name)}</span>'
                 f'<div class="how">{_e(item.label)} · {_e(info.family_name.lower())}</div></th>'
                 f'<td role="cell" class="num" data-label="Spans">{item.count}</td>'
                 f'<td role="cell" class="num" data-label="Highest score">{item.best:.2f}</td>'
                 f'<td role="cell" data-label="What it is">{_e(info.definition)}</td></tr>')
    h.append("</tbody></table></div>")
    total = len(analysis.techniques)
    h.append(f'<details class="spans"><summary>Every span, by paragraph ({total})</summary><ul class="quotes">')
    for number, techs in techniques_by_paragraph(analysis):
        for tech in techs:
            info = describe(tech.technique)
            h.append(f'<li>{_para_link(prefix, number)} {_code(info)} '
                     f'<strong title="{_e(info.definition)}">{_e(info.name)}</strong> '
                     f'<span class="dim">{tech.score:.2f}</span> <q>{_e(tech.text)}</q></li>')
    h.append("</ul></details>")
    return "\n".join(h)


def _outlet_name(name: str | None, domain: str | None) -> str:
    html = f"<strong>{_e(_name(name, domain))}</strong>"
    if name and domain:
        html += f" ({_e(domain)})"
    return html


def _citation_words(text: str, cited: CitedSource) -> str:
    """The mention with its cue ("Reuters reports", "told Politico") as written."""
    if cited.cue is None:
        return cited.text
    lo, hi = min(cited.start, cited.cue.start), max(cited.end, cited.cue.end)
    if hi - lo <= len(cited.text) + len(cited.cue.text) + 12 and 0 <= lo <= hi <= len(text):
        return " ".join(text[lo:hi].split())
    return f"{cited.cue.text} … {cited.text}" if cited.cue.start < cited.start else f"{cited.text} … {cited.cue.text}"


def _evidence(span: Span | None) -> str:
    return f": <q>{_e(span.text)}</q>" if span is not None else ""


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


_highlighted = highlighted_html  # the name used before the web app shared it


_NO_DOMAIN = '<span class="dim">—</span>'

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
@media (max-width:36rem){main{padding:.7rem}dl.kv{grid-template-columns:1fr;gap:.1rem}dl.kv dd{margin:0 0 .5rem .8rem}
.text p{padding-left:1.6rem}.text .pn{width:1.2rem}
table.cards,table.cards tbody,table.cards tr,table.cards th,table.cards td{display:block;width:100%}
table.cards thead{position:absolute;left:-9999px}
table.cards tr{border-bottom:1px solid var(--line);padding:.4rem 0}
table.cards th,table.cards td{border:0;padding:.1rem 0;text-align:left}
table.cards td::before{content:attr(data-label) ": ";color:var(--dim);font-weight:400}}
@media print{fieldset.layers,.detail,.skip{display:none}a{color:inherit}}
"""


def _family_css() -> str:
    """Colour rules per technique family, from the taxonomy (underline, code badge, name)."""
    rules = []
    for fam in [*families().values(), OTHER_FAMILY]:
        slug, colour = family_slug(fam.key), fam.colour
        rules.append(f".l-technique[data-family={slug}]{{text-decoration-color:{colour}}}"
                     f".l-technique[data-family={slug}]::before,.tcode[data-family={slug}]{{background:{colour}}}"
                     f".tname[data-family={slug}]{{color:{colour}}}")
    return "\n".join(rules) + "\n"


_CSS = _BASE_CSS + _family_css()

#: The report's stylesheet and script, shared with the web app (``/static/report.css``).
REPORT_CSS = _CSS

_JS = """
(function(){
document.documentElement.className+=' js';
document.addEventListener('change',function(e){
var b=e.target;if(!b.getAttribute)return;
var t=document.getElementById(b.getAttribute('data-target')),l=b.getAttribute('data-layer'),k=b.getAttribute('data-technique');
if(!t)return;
if(l){t.classList.toggle('hide-'+l,!b.checked);return;}
if(k===null)return;
var s=t.querySelectorAll('.l-technique');
for(var i=0;i<s.length;i++)if(s[i].getAttribute('data-technique')===k)s[i].classList.toggle('off',!b.checked);});
function show(e){
var m=e.target.closest&&e.target.closest('mark.hl');if(!m)return;
var t=m.closest('.text'),d=t&&document.getElementById(t.getAttribute('data-detail'));
if(d)d.textContent=m.getAttribute('title');}
document.addEventListener('focusin',show);document.addEventListener('click',show);
})();
"""

REPORT_JS = _JS
