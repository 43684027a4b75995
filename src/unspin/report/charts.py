"""Inline SVG charts for outlet profiles, shared by the web app and ``unspin outlet --format html``.

Labelled bars with their values written beside them, presentation attributes
only (no ``style``), so they render under the web app's Content-Security-Policy;
every label is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

from .techniques import FAMILIES, technique_info, web_technique_label


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def bar_chart(items: list[tuple[str, float]], *, unit: str = "", title: str, colour: str = "#0b57d0",
              colours: list[str] | None = None, width: int = 560) -> Markup:
    """A horizontal bar chart as inline SVG, labels and values written out.

    Presentation attributes only (no ``style``), so it renders under the
    app's Content-Security-Policy. Returns ``""`` for no items.
    """
    if not items:
        return Markup("")
    bar_h, gap, label_w, value_w = 22, 8, 190, 90
    top = max(v for _, v in items) or 1
    plot_w = width - label_w - value_w
    height = len(items) * (bar_h + gap) + gap
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar_h + gap)
        w = max(1.0, plot_w * value / top) if value else 0
        fill = colours[i] if colours and i < len(colours) else colour
        short = label if len(label) <= 28 else label[:27] + "…"
        shown = f"{value:g}{unit}"
        out.append(f'<g><title>{_e(label)}: {_e(shown)}</title>'
                   f'<text x="{label_w - 6}" y="{y + bar_h * 0.72:.1f}" text-anchor="end" font-size="13" '
                   f'fill="#1b1b1b">{_e(short)}</text>'
                   f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="2" fill="{_e(fill)}"/>'
                   f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.72:.1f}" font-size="13" '
                   f'fill="#1b1b1b">{_e(shown)}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))


def column_chart(items: list[tuple[str, int]], *, title: str, colour: str = "#0b57d0", width: int = 560) -> Markup:
    """A vertical column chart (articles per month) as inline SVG."""
    if not items:
        return Markup("")
    height, base, top_pad = 170, 140, 18
    top = max(v for _, v in items) or 1
    step = width / len(items)
    col_w = max(2.0, min(40.0, step * 0.7))
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>'
           f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#8a8a8a"/>']
    every = max(1, len(items) // 8)
    for i, (label, value) in enumerate(items):
        h = (base - top_pad) * value / top
        x = i * step + (step - col_w) / 2
        out.append(f'<g><title>{_e(label)}: {value}</title>'
                   f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{col_w:.1f}" height="{h:.1f}" fill="{_e(colour)}"/>')
        if len(items) <= 24:
            out.append(f'<text x="{x + col_w / 2:.1f}" y="{base - h - 4:.1f}" font-size="11" text-anchor="middle" '
                       f'fill="#1b1b1b">{value}</text>')
        if i % every == 0:
            out.append(f'<text x="{x + col_w / 2:.1f}" y="{base + 16}" font-size="11" text-anchor="middle" '
                       f'fill="#595959">{_e(label)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def outlet_charts(profile: dict[str, Any]) -> dict[str, Markup]:
    charts: dict[str, Markup] = {}
    tech = (profile.get("labels") or {}).get("technique")
    if tech:
        fams = list(tech.get("families_per_1000_words", {}).items())
        charts["families"] = bar_chart(
            [(f, v) for f, v in fams], title="Persuasion techniques per 1,000 words, by family",
            colours=[FAMILIES.get(f, FAMILIES["other"])[2] for f, _ in fams])
        charts["techniques"] = bar_chart(
            [(web_technique_label(t["label"]), t.get("per_1000_words", t["count"])) for t in tech.get("top", [])],
            title="Most frequent techniques per 1,000 words",
            colours=[technique_info(t["label"]).colour for t in tech.get("top", [])])
    charts["sources"] = bar_chart([(c["name"], c["articles"]) for c in profile.get("cited_sources", [])],
                                  title="Most-cited sources: number of articles citing each", colour="#0f6b4f")
    charts["speakers"] = bar_chart([(s["speaker"], s["quotes"]) for s in profile.get("quoted_speakers", [])],
                                   title="Most-quoted speakers: number of quotes", colour="#1d4ed8")
    charts["quotes"] = bar_chart(sorted(profile.get("quotes", {}).items()), title="Quotes by kind", colour="#8a5300")
    timeline = profile.get("timeline") or []
    if len(timeline) > 1:
        charts["timeline"] = column_chart([(t["month"], t["articles"]) for t in timeline],
                                          title="Articles per month (by publication date)")
    return charts
