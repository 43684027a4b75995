"""The framing section of the terminal and HTML reports: genre, frames,
narratives with their evidence highlighted, and the cast (hero, villain,
victim) linked to its mentions.

The analyses are built by hand (no models), with accents, emoji (astral
characters) and CJK before and inside the spans, so that an offset slip or a
missing escape shows. One test runs the real pipeline on the seed article.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from rich.console import Console

from unspin.report import render_html, render_text
from unspin.report.framing import cast_by_role, cast_of, has_framing, narrative_label
from unspin.report.html import framing_highlights
from unspin.pipeline import split_paragraphs
from unspin.types import Analysis, Entity, Label, Meta, Narrative, Paragraph, Span

TITLE = "Crise à Zürich 🙂: 北京 répond"
TEXT = (
    f"{TITLE}\n"
    "\n"
    "Le ministre Jürgen Müller 😀 a dénoncé « l’arrogance de 北京 » hier soir.\n"
    "Les habitants de São Paulo, victimes oubliées 🙏, attendent une réponse de 北京.\n"
    "<script>alert('x')</script> & Müller dit : la vérité est simple.\n"
)
FRAMING = {"genre": "1", "frames": "1", "narratives": "1", "roles": "1"}


def span(needle: str, nth: int = 1, text: str = TEXT) -> Span:
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return Span(pos, pos + len(needle), needle)


def entity(needle: str, type_: str, nth: int = 1, group: str | None = None, role: str | None = None,
           score: float | None = None, fine: list[Label] | None = None, evidence: Span | None = None) -> Entity:
    s = span(needle, nth)
    return Entity(s.text, s.start, s.end, type_, group=group or s.text, role=role, score=score,
                  fine_roles=fine or [], evidence=evidence)


def paragraphs(text: str) -> list[Paragraph]:
    return list(split_paragraphs(text))  # the pipeline's own segmentation


def bare(text: str = TEXT, analyzers: dict[str, str] | None = None) -> Analysis:
    return Analysis(source="framing.txt", schema="1.1", title=None, text=text, paragraphs=paragraphs(text),
                    meta=Meta(input_kind="text", analyzers=dict(analyzers or {})))


HOSTILE_GROUP = '北京 <script>alert("cast")</script> & Co'
EV_ARROGANCE = span("Le ministre Jürgen Müller 😀 a dénoncé « l’arrogance de 北京 » hier soir.")
EV_VICTIMS = span("Les habitants de São Paulo, victimes oubliées 🙏, attendent une réponse de 北京.")
EV_HOSTILE = span("<script>alert('x')</script> & Müller dit : la vérité est simple.")


def framed() -> Analysis:
    a = bare(analyzers={"entities": "1", **FRAMING})
    a.genre = Label("opinion", 0.8821)
    a.frames = [Label("Security_and_defense", 0.73), Label("Political", 0.52)]
    a.narratives = [
        Narrative("URW: Discrediting the West, Diplomacy", "URW: Discrediting the West, Diplomacy: Other", 0.41,
                  [EV_ARROGANCE, EV_HOSTILE]),
        Narrative("CC: Amplifying Climate Fears <b>&</b>", "CC: Amplifying Climate Fears <b>&</b>: Doomsday",
                  0.33, [EV_VICTIMS]),
    ]
    a.entities = sorted([
        entity("Zürich", "GPE"),  # not cast: no role
        entity("Jürgen Müller", "PERSON", role="Protagonist", score=0.81,
               fine=[Label("Guardian", 0.61), Label("Virtuous", 0.2)], evidence=EV_ARROGANCE),
        entity("Müller", "PERSON", nth=2, group="Jürgen Müller", role="Protagonist", score=0.81,
               fine=[Label("Guardian", 0.61), Label("Virtuous", 0.2)]),
        entity("北京", "GPE", nth=1, group=HOSTILE_GROUP),  # the title: not cast (no role there)
        entity("北京", "GPE", nth=2, group=HOSTILE_GROUP, role="Antagonist", score=0.7,
               fine=[Label("Foreign Adversary", 0.44)]),
        entity("北京", "GPE", nth=3, group=HOSTILE_GROUP, role="Antagonist", score=0.7,
               fine=[Label("Foreign Adversary", 0.44)]),
        entity("São Paulo", "GPE", role="Innocent", score=0.66, fine=[Label("Forgotten", 0.5)]),
    ], key=lambda e: e.start)
    return a


# --- shared helpers -----------------------------------------------------------


def test_cast_groups_mentions_by_role_and_leaves_out_entities_without_one():
    cast = cast_of(framed())
    assert [(m.name, m.role) for m in cast] == [("Jürgen Müller", "Protagonist"), (HOSTILE_GROUP, "Antagonist"),
                                                ("São Paulo", "Innocent")]
    assert cast[0].mentions == ["Jürgen Müller", "Müller"] and cast[0].fine_roles == ["Guardian 0.61", "Virtuous 0.20"]
    assert [TEXT[s.start:s.end] for s in cast[1].spans] == ["北京", "北京"]
    assert cast[1].spans[0].start == span("北京", 2).start  # the title's mention has no role
    assert [(r, g) for r, g, _ in cast_by_role(cast)] == [("Protagonist", "hero"), ("Antagonist", "villain"),
                                                          ("Innocent", "victim")]
    assert all(m.name != "Zürich" for m in cast)
    assert narrative_label(framed().narratives[0]) == "URW: Discrediting the West, Diplomacy → Other"
    assert narrative_label(Narrative("Other", "Other", 0.6)) == "Other"


def test_web_view_uses_the_shared_cast():
    from unspin.web import view

    assert view.cast_of is cast_of


# --- terminal -----------------------------------------------------------------


def render(analysis: Analysis, width: int = 200) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    render_text(analysis, console)
    return console.export_text()


def test_text_report_shows_genre_frames_narratives_and_cast():
    out = render(framed())
    section = out[out.index("\nFraming\n"):]
    for needle in (
        "Model judgements, not facts",
        "Genre  opinion 0.88",
        "Frames Security and defense 0.73 · Political 0.52",
        "URW: Discrediting the West, Diplomacy → Other 0.41",
        f"¶2 [{EV_ARROGANCE.start}:{EV_ARROGANCE.end}] “Le ministre Jürgen Müller 😀 a dénoncé « l’arrogance de 北京",
        f"¶4 [{EV_HOSTILE.start}:{EV_HOSTILE.end}] “<script>alert('x')</script> & Müller dit",
        "CC: Amplifying Climate Fears <b>&</b> → Doomsday 0.33",
        f"¶3 [{EV_VICTIMS.start}:{EV_VICTIMS.end}] “Les habitants de São Paulo",
        "Cast (who the article casts as hero, villain, victim)",
        "▲ Protagonist (hero)", "Jürgen Müller 0.81 · Guardian 0.61, Virtuous 0.20",
        "▼ Antagonist (villain)", f"{HOSTILE_GROUP} 0.70 · Foreign Adversary 0.44",
        "● Innocent (victim)", "São Paulo 0.66 · Forgotten 0.50",
    ):
        assert needle in section, needle
    mu = span("Müller", 2)
    assert f"¶2 “Jürgen Müller” [{span('Jürgen Müller').start}:{span('Jürgen Müller').end}]" in section
    assert f"¶4 “Müller” [{mu.start}:{mu.end}]" in section
    bj = span("北京", 3)
    assert f"¶3 “北京” [{bj.start}:{bj.end}]" in section
    assert "Zürich" not in section  # no role, no cast line
    cast_part = section[section.index("Cast ("):]
    # the sentence that carries a role, at its offsets (the villain and the victim were given none here)
    assert f"why ¶2 [{EV_ARROGANCE.start}:{EV_ARROGANCE.end}] “Le ministre Jürgen Müller 😀" in cast_part
    assert cast_part.count("why ") == 1
    # the hero is listed before the villain, the villain before the victim
    assert section.index("Protagonist") < section.index("Antagonist") < section.index("Innocent")


def test_text_report_framing_fits_80_columns_and_prints_markup_literally():
    a = framed()
    a.entities[1].group = a.entities[2].group = "[bold]Müller[/bold]"
    console = Console(width=80, file=io.StringIO())
    render_text(a, console)
    raw = console.file.getvalue()
    assert "\x1b[" not in raw and max(len(line) for line in raw.splitlines()) <= 80
    assert "[bold]Müller[/bold]" in raw
    render(a, width=30)  # a narrow terminal does not crash


def test_text_report_has_no_framing_section_when_nothing_was_framed():
    out = render(bare())
    assert "Framing" not in out and "Cast" not in out and "Genre" not in out


def test_text_report_says_none_only_for_analyzers_that_ran_and_invents_nothing():
    a = bare(analyzers={"entities": "1", "roles": "1", "frames": "1"})
    a.entities = [entity("Jürgen Müller", "PERSON"), entity("北京", "GPE", nth=2)]  # roles abstained
    out = render(a)
    assert "Framing" in out and "no entity is cast as hero, villain or victim" in out
    assert "Frames" in out and "none found" in out
    for absent in ("Genre", "Narratives", "Protagonist", "Antagonist", "Innocent", "▲", "▼"):
        assert absent not in out.split("Framing", 1)[1], absent
    # the roles abstained and nothing ran: no section at all
    a.meta.analyzers = {"entities": "1"}
    assert not has_framing(a) and "Framing" not in render(a)


# --- HTML ---------------------------------------------------------------------


class _Stream(HTMLParser):
    """Every id, href and tag; the article text as (paragraph id, text, open classes, open ids) pieces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts = 0
        self.pieces: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
        self._stack: list[tuple[str, dict[str, str | None]]] = []
        self._para: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "script":
            self.scripts += 1
        if tag == "p" and re.fullmatch(r"a\d+-p\d+", a.get("id") or ""):
            self._para = a["id"]
        self._stack.append((tag, a))

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break
        if tag == "p":
            self._para = None

    def handle_data(self, data):
        if self._para is None:
            return
        classes = tuple(c for _, a in self._stack for c in (a.get("class") or "").split())
        if "pn" in classes or "ptags" in classes:
            return  # the paragraph number and paragraph tags are not article text
        ids = tuple(a["id"] for _, a in self._stack if a.get("id"))
        self.pieces.append((self._para, data, classes, ids))


def parse(html: str) -> _Stream:
    parser = _Stream()
    parser.feed(html)
    parser.close()
    return parser


def highlighted_from(doc: _Stream, anchor: str, layer: str) -> tuple[str, int, str]:
    """(paragraph id, offset of the anchor in its paragraph, text from the anchor while ``layer`` covers it)."""
    for i, (para, _, _, ids) in enumerate(doc.pieces):
        if anchor in ids:
            before = sum(len(t) for p, t, _, _ in doc.pieces[:i] if p == para)
            got = []
            for p, text, classes, _ in doc.pieces[i:]:
                if p != para or f"l-{layer}" not in classes:
                    break
                got.append(text)
            return para, before, "".join(got)
    raise AssertionError(f"no element with id {anchor!r} in the article text")


@pytest.fixture(scope="module")
def page() -> str:
    return render_html([framed(), bare()])


def test_html_framing_section_shows_genre_frames_narratives_and_cast(page):
    first, second = page.split('<article class="analysis" id="a2"', 1)
    assert '<h3 id="a1-framing">Framing</h3>' in first and "a2-framing" not in second
    for needle in (
        "Model judgements, not facts",
        "<dt>Genre</dt><dd>opinion <span class=\"dim\">0.88</span></dd>",
        'Security and defense <span class="dim">0.73</span> · Political <span class="dim">0.52</span>',
        "<strong>URW: Discrediting the West, Diplomacy</strong> → Other <span class=\"dim\">0.41</span>",
        "<strong>CC: Amplifying Climate Fears &lt;b&gt;&amp;&lt;/b&gt;</strong> → Doomsday",
        '<span aria-hidden="true">▲</span> Protagonist (hero)',
        '<span aria-hidden="true">▼</span> Antagonist (villain)',
        '<span aria-hidden="true">●</span> Innocent (victim)',
        '<strong>Jürgen Müller</strong> <span class="dim">0.81</span> <span class="dim">(Guardian 0.61, Virtuous 0.20)</span>',
        "<strong>São Paulo</strong>",
    ):
        assert needle in first, needle
    assert "<strong>Zürich</strong>" not in page


def test_html_narrative_evidence_is_highlighted_at_its_offsets(page):
    doc = parse(page)
    a = framed()
    paras = {f"a1-p{n}": p for n, p in enumerate(a.paragraphs, 1)}
    for i, narrative in enumerate(a.narratives, 1):
        for j, ev in enumerate(narrative.evidence, 1):
            para, offset, shown = highlighted_from(doc, f"a1-n{i}-e{j}", "narrative")
            assert shown == TEXT[ev.start:ev.end] == ev.text
            assert paras[para].start + offset == ev.start  # at the right place, counted in code points
            assert f'href="#a1-n{i}-e{j}"' in page
    assert {b.get("data-layer") for t, b in doc.tags if t == "input"} >= {"narrative", "cast"}
    assert ".hide-narrative .l-narrative" in page and ".hide-cast .l-cast" in page
    # one layer per evidence span, labelled with its narrative for the detail line
    assert "narrative: URW: Discrediting the West, Diplomacy → Other (0.41)" in page


def test_html_cast_links_to_each_mention(page):
    doc = parse(page)
    a = framed()
    for i, member in enumerate(cast_of(a), 1):
        assert f'id="a1-c{i}"' in page
        for j, mention in enumerate(member.spans, 1):
            anchor = f"a1-c{i}-m{j}"
            assert f'href="#{anchor}"' in page
            para, offset, shown = highlighted_from(doc, anchor, "cast")
            assert shown == mention.text and a.paragraphs[int(para.rsplit("p", 1)[1]) - 1].start + offset == mention.start
    roles = [b.get("data-role") for t, b in doc.tags if t == "span" and b.get("data-role")]
    assert sorted(roles) == ["hero", "hero", "victim", "villain", "villain"]
    # entities without a role get no cast highlight
    zurich = span("Zürich")
    assert not any(i.startswith("a1-c") and "Zürich" in t for _, t, _, ids in doc.pieces for i in ids)
    assert TEXT[zurich.start:zurich.end] == "Zürich"


def test_html_every_link_resolves_and_ids_are_unique(page):
    doc = parse(page)
    assert len(doc.ids) == len(set(doc.ids))
    for href in doc.hrefs:
        assert href.startswith("#") and href[1:] in doc.ids, href
    assert any(h.startswith("#a1-n") for h in doc.hrefs) and any(h.startswith("#a1-c") for h in doc.hrefs)


def test_html_escapes_framing_strings_and_stays_self_contained(page):
    doc = parse(page)
    assert doc.scripts == 1  # only the report's own script
    assert "<script>alert" not in page and 'alert("cast")</script>' not in page
    assert "北京 &lt;script&gt;alert(&quot;cast&quot;)&lt;/script&gt; &amp; Co" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Müller dit" in page
    assert "<b>&</b>" not in page and not any(t == "b" for t, _ in doc.tags)
    assert not re.search(r"\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"url\s*\(|@import", page, re.IGNORECASE)
    for tag, attrs in doc.tags:
        assert tag not in {"link", "img", "iframe", "object", "embed"}
        assert (attrs.get("href") or "#").startswith("#")


def test_html_shows_nothing_of_framing_when_fields_are_empty():
    html = render_html([bare()])
    for absent in ("Framing", "a1-framing", 'data-layer="narrative"', 'data-layer="cast"', "l-narrative\"",
                   "Model judgements", "Protagonist", "<mark"):
        assert absent not in html, absent
    abstained = bare(analyzers={"entities": "1", "roles": "1"})
    abstained.entities = [entity("Jürgen Müller", "PERSON"), entity("São Paulo", "GPE")]
    html = render_html([abstained])
    assert "no entity is cast as hero, villain or victim" in html
    assert 'data-layer="cast"' not in html and 'data-role="' not in html and "a1-c1" not in html


def test_html_evidence_outside_the_shown_text_never_gives_a_broken_link():
    a = framed()
    gap = TEXT.index("\n\n")  # the blank line after the title is not shown as a paragraph
    starts_in_gap = Span(gap, EV_ARROGANCE.end, TEXT[gap:EV_ARROGANCE.end])
    nowhere = Span(gap + 1, gap + 2, "\n")
    beyond = Span(len(TEXT) + 5, len(TEXT) + 9, "????")
    a.narratives = [Narrative("N", "N: S", 0.5, [starts_in_gap, nowhere, beyond])]
    html = render_html([a])
    doc = parse(html)
    for href in doc.hrefs:
        assert href[1:] in doc.ids, href
    para, offset, shown = highlighted_from(doc, "a1-n1-e1", "narrative")
    assert para == "a1-p2" and offset == 0 and shown == EV_ARROGANCE.text  # begins where the text shows it
    assert "a1-n1-e2" not in doc.ids and "a1-n1-e3" not in doc.ids
    assert 'href="#a1-n1-e2"' not in html and 'href="#a1-n1-e3"' not in html
    marks = framing_highlights(a, "a1")
    assert [(m.start, m.end) for m in marks if m.layer == "narrative"] == [(EV_ARROGANCE.start, EV_ARROGANCE.end)]


def test_html_framing_with_several_articles_keeps_anchors_apart():
    html = render_html([framed(), framed()])
    doc = parse(html)
    assert len(doc.ids) == len(set(doc.ids))
    assert "a1-n1-e1" in doc.ids and "a2-n1-e1" in doc.ids and "a2-c3-m1" in doc.ids
    assert all(h[1:] in doc.ids for h in doc.hrefs)


# --- the real pipeline ------------------------------------------------------


def test_seed_article_through_the_framing_analyzers(seed_path):
    from unspin.analyzers.framing import TASKS, model_dir

    for task in TASKS:
        if not (model_dir(task) / "meta.json").is_file():
            pytest.skip(f"the {task} model is not installed in src/unspin/models/{task}-fast")
    import unspin

    a = unspin.analyze(str(seed_path), analyzers=("entities", "provenance", "quotes") + TASKS)
    assert a.genre is not None and has_framing(a)
    out = render(a)
    assert "Framing" in out and re.search(rf"Genre +{a.genre.label} {a.genre.score:.2f}", out)
    for narrative in a.narratives:
        assert narrative.narrative in out
    html = render_html([a])
    doc = parse(html)
    assert len(doc.ids) == len(set(doc.ids)) and all(h[1:] in doc.ids for h in doc.hrefs)
    for i, narrative in enumerate(a.narratives, 1):
        for j, ev in enumerate(narrative.evidence, 1):
            para, offset, shown = highlighted_from(doc, f"a1-n{i}-e{j}", "narrative")
            assert shown.startswith(ev.text) or ev.text.startswith(shown)  # neighbouring evidence may touch
            assert a.paragraphs[int(para.rsplit("p", 1)[1]) - 1].start + offset == ev.start
    for i, member in enumerate(cast_of(a), 1):
        assert member.role in ("Protagonist", "Antagonist", "Innocent")
        for j, mention in enumerate(member.spans, 1):
            _, _, shown = highlighted_from(doc, f"a1-c{i}-m{j}", "cast")
            assert shown == mention.text
