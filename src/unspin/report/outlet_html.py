"""``unspin outlet --format html``: one self-contained page with small charts.

The charts are the web app's inline SVG bar charts (labelled, values written
beside the bars); everything from the store is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .charts import outlet_charts
from .common import rating_text

_CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
.dim{color:#555}svg{max-width:100%;height:auto}ul{padding-left:1.2rem}
"""


def render_outlet_html(profile: dict[str, Any]) -> str:
    """The outlet profile of :func:`unspin.corpus.profile.outlet_profile` as an HTML page."""
    p, e = profile, escape
    charts = outlet_charts(p)
    names = f' <span class="dim">({e(", ".join(p["names"]))})</span>' if p.get("names") else ""
    rating = rating_text(p.get("rating")) if p.get("rating") else ""
    out = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>unspin: {e(p['outlet'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>Outlet: {e(p['outlet'])}{names}</h1><dl>",
        f"<dt>Articles</dt><dd>{p['articles']:,} ({p['words']:,} words)</dd>",
    ]
    if p.get("first_published"):
        out.append(f"<dt>Published</dt><dd>{e(p['first_published'][:10])} to {e(p['last_published'][:10])}</dd>")
    out.append(f"<dt>Near-duplicates</dt><dd>{p['near_duplicates']} of earlier articles; "
               f"copied by other outlets {p['copied_by_other_outlets']} times</dd>")
    out.append(f"<dt>Rating</dt><dd>{e(rating) if rating else '<span class=dim>no ratings table given, or not in it</span>'}</dd></dl>")
    sections = [
        ("Articles over time", "timeline"),
        ("Persuasion techniques by family", "families"),
        ("Most frequent techniques", "techniques"),
        ("Most-cited sources", "sources"),
        ("Most-quoted speakers", "speakers"),
        ("Quotes by kind", "quotes"),
    ]
    for title, key in sections:
        if charts.get(key):
            out.append(f"<section><h2>{e(title)}</h2>{charts[key]}</section>")
    for kind, section in (p.get("labels") or {}).items():
        if kind == "technique":
            continue
        items = "".join(f"<li>{e(str(i['label']))}: {i['count']} in {i['articles']} articles</li>"
                        for i in section.get("top", []))
        out.append(f"<section><h2>{e(kind.capitalize())}</h2><ul>{items}</ul></section>")
    out.append('<p class="dim">Made by unspin. Figures count what unspin found in the stored analyses.</p>')
    out.append("</body></html>\n")
    return "".join(out)
