"""What the article and outlet pages show, computed from an analysis dict.

The article page draws the analysis with the static report's own templates
(:class:`unspin.report.html.ArticleReport` and the macros of
``unspin/report/templates/sections.html``): the same sections, the same
highlighted text and toggles, at the page's heading level, with outlet
domains linked to their outlet pages. Technique highlights are worded for
the page's detail line (technique, family, score, definition). Everything
taken from the article goes through Jinja2's autoescape or
:func:`html.escape` in :mod:`unspin.report.html`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from ..report.charts import bar_chart, column_chart, outlet_charts
from ..report.common import (
    OUTLET_BASIS,
    SYNDICATION_KIND,
    cited_source_rows,
    entity_groups,
    label_text,
    paragraph_number,
    rating_text,
    speaker_groups,
    technique_label,
)
from ..report.framing import CastMember, cast_of
from ..report.html import ArticleReport, FamilyGroup, Highlight, TechniqueCount, technique_families
from ..report.techniques import technique_info, web_technique_label
from ..types import Analysis

#: Top-level fields of an analysis the article page draws itself; any other non-empty field gets a plain section.
KNOWN_FIELDS = frozenset({"source", "schema", "title", "text", "provenance", "quotes", "entities", "techniques",
                          "paragraphs", "meta", "id", "genre", "frames", "narratives", "boilerplate",
                          "technique_summary"})


@dataclass
class ParagraphView:
    """A paragraph of the text: its number, highlighted HTML and its technique labels as text."""

    number: int
    html: Markup
    techniques: list[str]


@dataclass
class ArticleView:
    """Everything the article page renders."""

    id: int
    analysis: Analysis
    raw: dict[str, Any]
    report: ArticleReport
    outlet_domain: str | None
    extra_sections: dict[str, Any]

    @property
    def paragraphs(self) -> list[ParagraphView]:
        return [ParagraphView(p.number, p.html, [label_text(lab) for lab in p.labels])
                for p in self.report.text_view.paragraphs]

    @property
    def families(self) -> list[FamilyGroup]:
        return self.report.text_view.families


def _label(mark: Highlight) -> Highlight:
    """A technique highlight worded for the page's detail line: name, family, score, definition."""
    if mark.layer != "technique" or not mark.technique:
        return mark
    info = technique_info(mark.technique)
    score = f"score {mark.score:.2f}" if mark.score is not None else "no score"
    return replace(mark, label=f"technique: {info.label} ({info.family}, {score}): {info.definition}")


#: The id prefix of the article page's elements (``a-text``, ``a-p3``…).
PREFIX = "a"


def article_view(article_id: int, raw: dict[str, Any], summary: dict[str, Any] | None = None) -> ArticleView:
    analysis = Analysis.from_dict(raw)
    outlet = analysis.provenance.outlet
    domain = (summary or {}).get("outlet") or (outlet.domain if outlet else None)
    return ArticleView(
        id=article_id,
        analysis=analysis,
        raw=raw,
        report=ArticleReport(analysis, PREFIX, level=2, outlet_pages=True, relabel=_label),
        outlet_domain=domain,
        extra_sections={k: v for k, v in raw.items() if k not in KNOWN_FIELDS and v},
    )


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
    "ArticleView", "FamilyGroup", "ParagraphView", "TechniqueCount", "CastMember", "OUTLET_BASIS", "SYNDICATION_KIND", "article_view", "bar_chart", "cast_of", "cited_source_rows",
    "column_chart", "entity_groups", "evidence_of", "finding_label", "outlet_charts", "paragraph_number",
    "rating_text", "speaker_groups", "technique_families", "technique_label", "web_technique_label",
]
