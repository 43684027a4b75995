"""One renderer: the static HTML report and the web article page draw an analysis with the same templates.

Both come from ``unspin/report/templates/sections.html`` (the web page at
its own heading level, with outlet pages linked): for the same analysis they
show the same sections with the same headings, the same paragraphs and
highlight layers, the same paragraph labels and the same toggles.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install '.[test]')")

from unspin.report.html import render_html  # noqa: E402
from unspin.store import ArticleRow  # noqa: E402
from unspin.types import Analysis  # noqa: E402
from unspin.web import create_app  # noqa: E402

from .test_web import HTML_ACCEPT, OPTIONS, TEXT, request, seeded_analysis  # noqa: E402


def framed_analysis() -> dict[str, Any]:
    """The example's real analysis, hand-placed techniques, a paragraph-level label and framing findings."""
    analysis = seeded_analysis(sha="shared")
    i = TEXT.index("Brussels has sold out")
    analysis["entities"].append({"text": "Brussels", "start": i, "end": i + 8, "type": "GPE",
                                 "group": "Brussels <EU>", "role": "Antagonist", "score": 0.7,
                                 "fine_roles": [{"label": "Traitor", "score": 0.6}]})
    analysis["narratives"] = [{"narrative": "The West is weak", "subnarrative": "Europe is divided", "score": 0.7,
                               "evidence": [{"start": i, "end": i + 21, "text": "Brussels has sold out"}]}]
    analysis["genre"] = {"label": "opinion", "score": 0.88}
    analysis["frames"] = [{"label": "Political", "score": 0.71}]
    for name in ("genre", "frames", "narratives", "roles"):
        analysis["meta"]["analyzers"][name] = "test"
    return analysis


def sections(html: str, prefix: str) -> list[tuple[str, str]]:
    """``(id, heading text)`` of every section and sub-section heading of one article, in page order."""
    found = re.findall(rf'<h[2-5] id="{prefix}-([a-z-]+)"[^>]*>(.*?)</h[2-5]>', html, flags=re.S)
    return [(key, re.sub(r"<[^>]+>", "", text).strip()) for key, text in found if key != "h"]  # h: the title


def text_part(html: str, prefix: str) -> str:
    return html.split(f'id="{prefix}-text"', 1)[1].split("</section>", 1)[0]


def test_static_report_and_web_page_show_the_same_sections():
    raw = framed_analysis()
    static = render_html([Analysis.from_dict(raw)])
    app = create_app(OPTIONS)
    article_id = app.state.web.repo.add(raw, ArticleRow(source="shared.txt", outlet="balticledger.eu"))
    page = request(app, "GET", f"/articles/{article_id}", headers=HTML_ACCEPT)
    assert page.status_code == 200
    web = page.text
    ours, theirs = sections(static, "a1"), sections(web, "a")
    assert sorted(ours) == sorted(theirs)  # the page puts the text in its own column, first
    assert [s for s in ours if s[0] != "text-h"] == [s for s in theirs if s[0] != "text-h"]
    keys = [k for k, _ in ours]
    for key in ("prov", "quotes", "ents", "tech", "framing", "narratives", "cast", "text-h"):
        assert key in keys, key
    # the same paragraphs, layers, anchors and paragraph labels in the highlighted text
    a, b = text_part(static, "a1"), text_part(web, "a")
    assert re.findall(r'<p id="a1-p(\d+)"', a) == re.findall(r'<p id="a-p(\d+)"', b) != []
    assert re.findall(r'class="l-([a-z]+)"', a) == re.findall(r'class="l-([a-z]+)"', b)
    assert re.findall(r'<span class="ptags">(.*?)</span>', a) == re.findall(r'<span class="ptags">(.*?)</span>', b)
    assert [x.replace("a1-", "") for x in re.findall(r' id="(a1-[nc]\d+-[em]\d+)"', a)] == \
        [x.replace("a-", "") for x in re.findall(r' id="(a-[nc]\d+-[em]\d+)"', b)] != []
    # the same toggles: a layer, family and technique box each
    boxes = r'<input type="checkbox" checked data-(layer|family|technique)="([^"]+)"'
    assert re.findall(boxes, static) == re.findall(boxes, web)
    # the web page links outlets to their pages; the file links nowhere outside itself
    assert 'href="/outlets/balticledger.eu"' in web and 'href="/outlets/' not in static


def test_both_outputs_escape_every_value():
    raw = framed_analysis()
    raw["meta"]["content_sha256"] = "hostile"
    raw["title"] = '<script>alert("t")</script>'
    raw["narratives"][0]["narrative"] = "<img src=x onerror=alert(1)>"
    raw["entities"][-1]["group"] = "<b>Brussels</b>"
    static = render_html([Analysis.from_dict(raw)])
    app = create_app(OPTIONS)
    web = request(app, "GET", f"/articles/{app.state.web.repo.add(raw, ArticleRow(source='h.txt'))}",
                  headers=HTML_ACCEPT).text
    for html in (static, web):
        assert "<img src=x" not in html and "<b>Brussels</b>" not in html and '<script>alert("t")' not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;Brussels&lt;/b&gt;" in html
    assert re.findall(r"<script[^>]*>", web) == ['<script src="/static/app.js" defer>']
    assert re.findall(r"<script[^>]*>", static) == ["<script>"]


def test_the_web_page_serves_the_script_the_report_inlines():
    from unspin.report.html import REPORT_JS

    app = create_app(OPTIONS)
    js = request(app, "GET", "/static/app.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert js.text == REPORT_JS and REPORT_JS.strip() in render_html([Analysis.from_dict(framed_analysis())])
