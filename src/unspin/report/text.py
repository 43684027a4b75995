"""The terminal report: what a person reads in 30 seconds.

All article-derived strings go into :class:`rich.text.Text` objects, never
into markup strings, so "[bold]" in an article prints literally. Colour and
styles follow rich's terminal detection (none when piped).
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ..techniques.taxonomy import TechniqueInfo, describe
from ..types import Analysis, Span, Technique
from .common import (
    OUTLET_BASIS,
    SYNDICATION_KIND,
    abbreviate,
    boilerplate_summary,
    cited_source_rows,
    empty_status,
    entity_groups,
    header_facts,
    heading,
    input_notices,
    missing_rating_text,
    paragraph_number,
    paragraphs_of,
    rating_text,
    speaker_groups,
    technique_summary,
    LabelView,
    label_text,
    technique_glance,
    technique_paragraphs,
    techniques_caveat,
    techniques_status,
)
from .framing import (
    FRAMING_CAVEAT,
    NONE_FOUND,
    ROLE_SIGN,
    cast_by_role,
    cast_of,
    frame_label,
    has_framing,
    ran,
    role_heading,
    subnarrative_label,
)

__all__ = ["render_text"]

MAX_SPEAKERS = 10
MAX_QUOTES_PER_SPEAKER = 5
MAX_TECHNIQUE_PARAGRAPHS = 12
MAX_TECHNIQUES_PER_PARAGRAPH = 6
MAX_TECHNIQUE_SUMMARY = 10
QUOTE_CHARS = 110
MAX_NARRATIVES = 12
MAX_CAST_MENTIONS = 6
EVIDENCE_CHARS = 90


def render_text(analysis: Analysis, console: Console, *, max_quotes: int | None = MAX_QUOTES_PER_SPEAKER) -> None:
    """Print a readable report of ``analysis`` on ``console``.

    ``max_quotes``: quotes shown per speaker (``None``: every quote of every speaker).
    """
    console.print(_header(analysis))
    for notice in input_notices(analysis):
        console.print(Text("⚠ " + notice, style="yellow"))
    _glance(analysis, console)
    _section(console, "Provenance")
    _provenance(analysis, console)
    _section(console, "Who says what")
    _quotes(analysis, console, max_quotes)
    _section(console, "Entities")
    _entities(analysis, console)
    _section(console, "Persuasion techniques")
    _techniques(analysis, console)
    if has_framing(analysis):
        _section(console, "Framing")
        _framing(analysis, console)


def _glance(analysis: Analysis, console: Console) -> None:
    """The article's techniques at a glance, before the details."""
    glance = technique_glance(analysis)
    if glance is None:
        return
    head, items = glance
    _section(console, "At a glance")
    console.print(Text(head))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for item in items:
        line = _technique_name(item.info)
        line.append(f" {item.detail}", style="dim")
        for evidence in item.evidence:
            line.append("\n")
            line.append(_quoted(evidence, EVIDENCE_CHARS), style="italic")
        grid.add_row(_badge(item.info), line)
    console.print(grid)


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold cyan"))


def _quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    return f"“{abbreviate(text, limit)}”"


def _dim(text: str) -> Text:
    return Text(text, style="dim")


def _header(analysis: Analysis) -> Panel:
    sub = header_facts(analysis)
    body = Text(heading(analysis), style="bold")
    body.append("\n")
    body.append(" · ".join(sub), style="dim")
    return Panel(body, box=box.ROUNDED, padding=(0, 1))


def _name_domain(name: str | None, domain: str | None) -> Text:
    text = Text(name or domain or "(unnamed)", style="bold")
    if name and domain:
        text.append(f" ({domain})")
    return text


def _rating_line(rating: dict[str, str] | None, missing: str) -> Text:
    summary = rating_text(rating)
    if summary:
        return Text(summary, style="yellow")
    return _dim(missing if rating is None else "rating has no known columns")


def _evidence(label: str, span: Span | None) -> Text:
    text = Text(label, style="dim")
    if span is not None:
        text.append(": ", style="dim")
        text.append(_quoted(span.text, 140), style="italic")
    return text


def _provenance(analysis: Analysis, console: Console) -> None:
    prov = analysis.provenance
    missing = missing_rating_text(analysis)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    outlet = prov.outlet
    if outlet is None:
        grid.add_row("Outlet", _dim("unknown (no URL, site name or footer found)"))
    else:
        basis = OUTLET_BASIS.get(outlet.basis, f"basis: {outlet.basis}")
        grid.add_row(
            "Outlet",
            Group(_name_domain(outlet.name, outlet.domain), _rating_line(outlet.rating, missing), _evidence(basis, outlet.evidence)),
        )
    synd = prov.syndicated_from
    if synd is not None:
        first = Text("first published by ")
        first.append_text(_name_domain(synd.name, synd.domain))
        kind = SYNDICATION_KIND.get(synd.kind, synd.kind)
        grid.add_row("Syndicated", Group(first, _rating_line(synd.rating, missing), _evidence(kind, synd.evidence)))
    else:
        grid.add_row("Syndicated", _dim("no syndication footer or wire credit"))
    if analysis.boilerplate:
        lines = [_dim(f"{kind} ×{count}: ").append(_quoted(example, 60), style="dim italic")
                 for kind, count, example in boilerplate_summary(analysis)]
        grid.add_row("Boilerplate", Group(_dim("page furniture, left out of the analysis:"), *lines))
    console.print(grid)

    rows = cited_source_rows(prov.cited_sources)
    if not rows:
        console.print(Text("Cited sources: ", style="bold").append("none found", style="dim"))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left")
    table.add_column("Cited source", overflow="fold", ratio=3)
    table.add_column("×", justify="right", no_wrap=True)
    table.add_column("Domain", overflow="fold", ratio=2)
    table.add_column("Rating", overflow="fold", ratio=4)
    for row in rows:
        name = Text(row.name, style="bold")
        cues = []
        for m in row.mentions:
            cue = " ".join(m.cue.text.split()) if m.cue else ""
            if cue and cue not in cues:
                cues.append(cue)
        if cues:
            name.append("\n" + ", ".join(abbreviate(c, 30) for c in cues[:3]), style="dim")
        table.add_row(
            name,
            str(len(row.mentions)),
            Text(row.domain) if row.domain else _dim("—"),
            _rating_line(row.rating, missing),
        )
    console.print(table)


def _quotes(analysis: Analysis, console: Console, max_quotes: int | None) -> None:
    groups = speaker_groups(analysis.quotes)
    if not groups:
        console.print(_dim(empty_status(analysis, "quotes", "no quotes found")))
        return
    paragraphs = paragraphs_of(analysis)
    shown_groups = groups if max_quotes is None else groups[:MAX_SPEAKERS]
    for group in shown_groups:
        head = Text(group.name, style="dim bold" if group.unattributed else "bold")
        if group.mentions:
            head.append(" (as " + ", ".join(f"“{abbreviate(m, 30)}”" for m in group.mentions[:3]) + ")", style="dim")
        count = len(group.quotes)
        head.append(f" · {count} quote{'s' if count != 1 else ''}", style="dim")
        console.print(head)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, style="dim", min_width=5, justify="right")
        grid.add_column(overflow="fold")
        for quote in group.quotes if max_quotes is None else group.quotes[:max_quotes]:
            number = paragraph_number(paragraphs, quote.content.start)
            line = Text(quote.kind, style="magenta")
            if quote.cue is not None:
                line.append(" · " + abbreviate(quote.cue.text, 40), style="dim")
            line.append("  ")
            line.append(_quoted(quote.content.text))
            grid.add_row(f"¶{number}" if number else "", line)
        hidden = 0 if max_quotes is None else count - max_quotes
        if hidden > 0:
            grid.add_row("", _dim(f"+{hidden} more (--max-quotes 0 shows every quote)"))
        console.print(grid)
    if len(groups) > len(shown_groups):
        rest = groups[len(shown_groups):]
        console.print(_dim(f"+{len(rest)} more speakers: " + ", ".join(g.name for g in rest[:8])
                           + " (--max-quotes 0 shows every quote)"))


def _entities(analysis: Analysis, console: Console) -> None:
    groups = entity_groups(analysis.entities)
    if not groups:
        console.print(_dim(empty_status(analysis, "entities", "no named entities found")))
        return
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for head, names in groups:
        line = Text()
        for i, (name, count) in enumerate(names):
            if i:
                line.append(" · ", style="dim")
            line.append(name)
            if count > 1:
                line.append(f" ×{count}", style="dim")
        grid.add_row(head, line)
    console.print(grid)


def _technique_styles(info: TechniqueInfo) -> tuple[Style, Style]:
    """Styles of the family-code badge (white on the family colour) and of the name.

    The name takes the family colour too, unless that colour would vanish on
    a dark terminal (the dark grey of "manipulative wording"); the badge
    carries the colour then, and the code says the family without colour.
    """
    badge = Style(color="#ffffff", bgcolor=info.colour, bold=True)
    name = Style(color=info.colour, bold=True) if _readable_on_black(info.colour) else Style(bold=True)
    return badge, name


def _readable_on_black(colour: str) -> bool:
    """Whether a ``#rrggbb`` colour has a contrast ratio of at least 3 against black (WCAG)."""
    try:
        rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    except ValueError:
        return False
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return (luminance + 0.05) / 0.05 >= 3


def _badge(info: TechniqueInfo) -> Text:
    """`` MW ``: the family code, white on the family colour."""
    return Text().append(f" {info.family_code} ", style=_technique_styles(info)[0])


def _technique_name(info: TechniqueInfo) -> Text:
    """The technique's name in its family colour."""
    return Text().append(info.name, style=_technique_styles(info)[1])


def _techniques(analysis: Analysis, console: Console) -> None:
    """A summary per technique (name, family code, spans, best score, definition), then the spans by paragraph."""
    status = techniques_status(analysis)
    if status is not None:
        console.print(_dim(status))
        return
    console.print(_dim(techniques_caveat(analysis)))
    summary = technique_summary(analysis)
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for item in summary[:MAX_TECHNIQUE_SUMMARY]:
        line = _technique_name(item.info)
        line.append(f" · {item.count} span{'s' if item.count != 1 else ''} · highest {item.best:.2f}", style="dim")
        table.add_row(_badge(item.info), Group(line, _dim(item.info.definition)))
    console.print(table)
    if len(summary) > MAX_TECHNIQUE_SUMMARY:
        rest = summary[MAX_TECHNIQUE_SUMMARY:]
        console.print(_dim(f"+{len(rest)} more techniques: "
                           + ", ".join(f"{s.info.name} ×{s.count}" for s in rest)))

    if analysis.boilerplate:
        kinds = ", ".join(f"{kind} ×{count}" if count > 1 else kind for kind, count, _ in boilerplate_summary(analysis))
        console.print(_dim(f"Boilerplate is left out of the techniques ({kinds})."))
    console.print(Text("Evidence by paragraph", style="bold")
                  + _dim(" (each paragraph's labels, then the spans that show them)"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim", min_width=4, justify="right")
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grouped = technique_paragraphs(analysis)
    for item in grouped[:MAX_TECHNIQUE_PARAGRAPHS]:
        number = f"¶{item.number}" if item.number else ""
        if item.labels:
            grid.add_row(number, "", _paragraph_labels(item.labels))
            number = ""
        shown = _strongest(item.spans, MAX_TECHNIQUES_PER_PARAGRAPH)
        for tech in shown:
            info = describe(tech.technique)
            line = _technique_name(info)
            line.append(f" {tech.score:.2f}", style="dim")
            line.append("  ")
            line.append(_quoted(tech.text, EVIDENCE_CHARS), style="italic")
            grid.add_row(number, _badge(info), line)
            number = ""
        hidden = [t for t in item.spans if t not in shown]
        if hidden:
            top = max(t.score for t in hidden)
            grid.add_row("", "", _dim(f"+{len(hidden)} more here, scores ≤ {top:.2f}"))
    console.print(grid)
    if len(grouped) > MAX_TECHNIQUE_PARAGRAPHS:
        rest = grouped[MAX_TECHNIQUE_PARAGRAPHS:]
        spans = sum(len(p.spans) for p in rest)
        console.print(_dim(f"+{len(rest)} more paragraphs with techniques ({spans} spans)"))


def _paragraph_labels(labels: list[LabelView]) -> Text:
    """``paragraph: Doubt 0.61 · Repetition 0.42 (paragraph-level, no span)``, as the HTML report shows them."""
    line = _dim("paragraph: ")
    for i, label in enumerate(labels):
        if i:
            line.append(" · ", style="dim")
        line.append(label_text(label), style="dim" if label.judged else "bold")
    return line


def _strongest(techniques: list[Technique], limit: int) -> list[Technique]:
    """The ``limit`` highest-scoring of ``techniques``, kept in text order."""
    if len(techniques) <= limit:
        return techniques
    keep = sorted(range(len(techniques)), key=lambda i: -techniques[i].score)[:limit]
    return [techniques[i] for i in sorted(keep)]


def _offsets(span: Span) -> str:
    """``[655:1072]``: the span as a slice of the analysed text."""
    return f"[{span.start}:{span.end}]"


def _framing(analysis: Analysis, console: Console) -> None:
    """Genre, frames, narratives with their evidence, and the cast (who is hero, villain, victim)."""
    console.print(_dim(FRAMING_CAVEAT))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    if analysis.genre is not None:
        line = Text(analysis.genre.label)
        line.append(f" {analysis.genre.score:.2f}", style="dim")
        grid.add_row("Genre", line)
    if analysis.frames:
        line = Text()
        for i, frame in enumerate(analysis.frames):
            if i:
                line.append(" · ", style="dim")
            line.append(frame_label(frame.label))
            line.append(f" {frame.score:.2f}", style="dim")
        grid.add_row("Frames", line)
    elif ran(analysis, "frames"):
        grid.add_row("Frames", _dim(NONE_FOUND["frames"]))
    if not analysis.narratives and ran(analysis, "narratives"):
        grid.add_row("Narratives", _dim(NONE_FOUND["narratives"]))
    cast = cast_of(analysis)
    if not cast and ran(analysis, "roles"):
        grid.add_row("Cast", _dim(NONE_FOUND["roles"]))
    if grid.row_count:
        console.print(grid)
    paragraphs = paragraphs_of(analysis)

    def where(span: Span) -> str:
        number = paragraph_number(paragraphs, span.start)
        return f"¶{number}" if number else ""

    if analysis.narratives:
        console.print(Text("Narratives", style="bold"))
        rows = Table.grid(padding=(0, 1))
        rows.add_column(no_wrap=True, style="dim", min_width=5, justify="right")
        rows.add_column(overflow="fold")
        for narrative in analysis.narratives[:MAX_NARRATIVES]:
            line = Text(narrative.narrative, style="bold")
            sub = subnarrative_label(narrative)
            if sub:
                line.append(" → ")
                line.append(sub)
            line.append(f" {narrative.score:.2f}", style="dim")
            rows.add_row("", line)
            for span in narrative.evidence:
                ev = Text(_offsets(span), style="dim")
                ev.append(" ")
                ev.append(_quoted(span.text, EVIDENCE_CHARS), style="italic")
                rows.add_row(where(span), ev)
        console.print(rows)
        hidden = len(analysis.narratives) - MAX_NARRATIVES
        if hidden > 0:
            console.print(_dim(f"+{hidden} more narratives"))
    if cast:
        console.print(Text("Cast", style="bold") + _dim(" (who the article casts as hero, villain, victim)"))
        for role, _, members in cast_by_role(cast):
            head = Text(ROLE_SIGN.get(role, "•") + " ", style="magenta")
            head.append(role_heading(role), style="bold magenta")
            console.print(head)
            for member in members:
                line = Text(member.name, style="bold")
                if member.score is not None:
                    line.append(f" {member.score:.2f}", style="dim")
                if member.fine_roles:
                    line.append(" · " + ", ".join(member.fine_roles))
                mentions = Text()
                for i, span in enumerate(member.spans[:MAX_CAST_MENTIONS]):
                    if i:
                        mentions.append(" · ", style="dim")
                    number = where(span)
                    mentions.append(f"{number} " if number else "", style="dim")
                    mentions.append(_quoted(span.text, 40))
                    mentions.append(" " + _offsets(span), style="dim")
                hidden = len(member.spans) - MAX_CAST_MENTIONS
                if hidden > 0:
                    mentions.append(f" · +{hidden} more", style="dim")
                parts = [line, Padding(mentions, (0, 0, 0, 2))]
                if member.evidence is not None:
                    why = _dim("why ")
                    number = where(member.evidence)
                    why.append(f"{number} " if number else "", style="dim")
                    why.append(_offsets(member.evidence) + " ", style="dim")
                    why.append(_quoted(member.evidence.text, EVIDENCE_CHARS), style="italic")
                    parts.append(Padding(why, (0, 0, 0, 2)))
                console.print(Padding(Group(*parts), (0, 0, 0, 2)))
