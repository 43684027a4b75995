"""What the article and outlet pages show, computed from an analysis dict.

The highlighted text reuses the static report's renderer
(:func:`unspin.report.html.highlighted_html` over
:func:`unspin.report.html.highlights`) and its stylesheet, adding to each
technique span its technique and family (``data-technique``,
``data-family``) so that the page can toggle one family or one technique,
its lane (``data-lane``: overlapping spans are underlined at different
depths) and a family code badge where a technique begins. Everything taken from the
article goes through :func:`html.escape` (here) or Jinja2's autoescape
(templates); the only markup marked safe is built in this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from html import escape
from typing import Any, Iterable

from markupsafe import Markup

from ..report.common import (
    OUTLET_BASIS,
    SYNDICATION_KIND,
    cited_source_rows,
    entity_groups,
    header_facts,
    heading,
    label_text,
    label_views,
    missing_rating_text,
    paragraph_number,
    paragraphs_of,
    rating_text,
    speaker_groups,
    technique_label,
    techniques_by_paragraph,
)
from ..report.framing import CastMember, cast_of
from ..report.html import LAYERS, Highlight, highlighted_html, highlights
from ..types import Analysis
from ..report.charts import bar_chart, column_chart, outlet_charts
from ..report.techniques import FAMILIES, TechniqueInfo, technique_info, web_technique_label


def _e(value: object) -> str:
    return escape(str(value), quote=True)


@dataclass
class TechniqueCount:
    info: TechniqueInfo
    count: int
    best: float


@dataclass
class FamilyGroup:
    name: str
    slug: str
    code: str
    colour: str
    count: int = 0
    techniques: list[TechniqueCount] = field(default_factory=list)


@dataclass
class ParagraphView:
    number: int
    html: Markup
    techniques: list[str]


@dataclass
class ArticleView:
    """Everything the article page renders."""

    id: int
    analysis: Analysis
    raw: dict[str, Any]
    heading: str
    facts: list[str]
    outlet_domain: str | None
    layers: list[tuple[str, str, str]]
    families: list[FamilyGroup]
    paragraphs: list[ParagraphView]
    missing_rating: str
    extra_sections: dict[str, Any]
    cast: list[CastMember]


def _label(mark: Highlight) -> Highlight:
    if mark.layer != "technique" or not mark.technique:
        return mark
    info = technique_info(mark.technique)
    score = f"score {mark.score:.2f}" if mark.score is not None else "no score"
    return replace(mark, label=f"technique: {info.label} ({info.family}, {score}): {info.definition}")


def _attrs(mark: Highlight, begins: bool) -> str:
    if mark.layer != "technique" or not mark.technique:
        return ""
    info = technique_info(mark.technique)
    badge = f' data-code="{_e(info.family_code)}"' if begins else ""
    # the lane sets the underline's depth (the report's stylesheet), so overlapping spans stay apart
    return (f' data-technique="{_e(info.name)}" data-family="{_e(info.family_slug)}"'
            f' data-lane="{mark.drawn_lane}"{badge}')


def article_view(article_id: int, raw: dict[str, Any], summary: dict[str, Any] | None = None) -> ArticleView:
    analysis = Analysis.from_dict(raw)
    marks = [_label(m) for m in highlights(analysis)]
    present = {m.layer for m in marks}
    paragraphs = []
    spans_in = dict(techniques_by_paragraph(analysis))
    for number, para in enumerate(paragraphs_of(analysis), 1):
        body = highlighted_html(analysis.text, marks, para.start, para.end, attrs=_attrs)
        # the paragraph's labels as the terminal and HTML reports show them (paragraph-level judgements marked)
        labels = [label_text(lab) for lab in label_views(para, spans_in.get(number, []))]
        paragraphs.append(ParagraphView(number, Markup(body), labels))
    outlet = analysis.provenance.outlet
    domain = (summary or {}).get("outlet") or (outlet.domain if outlet else None)
    known = {"source", "schema", "title", "text", "provenance", "quotes", "entities", "techniques", "paragraphs",
             "meta", "id", "genre", "frames", "narratives"}
    return ArticleView(
        id=article_id,
        analysis=analysis,
        raw=raw,
        heading=heading(analysis),
        facts=header_facts(analysis),
        outlet_domain=domain,
        layers=[layer for layer in LAYERS if layer[0] in present],
        families=technique_families(analysis.techniques),
        paragraphs=paragraphs,
        missing_rating=missing_rating_text(analysis),
        extra_sections={k: v for k, v in raw.items() if k not in known and v},
        cast=cast_of(analysis),
    )


def technique_families(techniques: Iterable[Any]) -> list[FamilyGroup]:
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


def span_text(span: Any) -> str:
    """The text of a span-like dict or object (for cast/narrative evidence)."""
    if isinstance(span, dict):
        return str(span.get("text") or "")
    return str(getattr(span, "text", "") or "")


def finding_label(item: Any) -> str:
    """The label of a generic finding (cast member, narrative): first label-like field."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in ("label", "narrative", "subnarrative", "name", "entity", "technique", "frame", "genre", "role"):
            value = item.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and value.get("text"):
                return str(value["text"])
    return str(item)


def evidence_of(item: Any) -> list[str]:
    """Evidence texts of a generic finding: ``evidence`` (a span or list of spans), else its own ``text``."""
    if not isinstance(item, dict):
        return []
    ev = item.get("evidence")
    if isinstance(ev, list):
        return [t for t in (span_text(e) for e in ev) if t]
    if isinstance(ev, dict):
        return [span_text(ev)] if span_text(ev) else []
    if isinstance(item.get("text"), str) and item.get("text"):
        return [item["text"]]
    return []


__all__ = [
    "ArticleView", "CastMember", "OUTLET_BASIS", "SYNDICATION_KIND", "article_view", "bar_chart", "cast_of", "cited_source_rows",
    "column_chart", "entity_groups", "evidence_of", "finding_label", "outlet_charts", "paragraph_number",
    "rating_text", "speaker_groups", "technique_families", "technique_label", "web_technique_label",
]
