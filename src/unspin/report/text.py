"""The terminal report: what a person reads in 30 seconds.

All article-derived strings go into :class:`rich.text.Text` objects, never
into markup strings, so "[bold]" in an article prints literally. Colour and
styles follow rich's terminal detection (none when piped).
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..types import Analysis, Span
from .common import (
    OUTLET_BASIS,
    SYNDICATION_KIND,
    abbreviate,
    cited_source_rows,
    entity_groups,
    header_facts,
    heading,
    missing_rating_text,
    paragraph_number,
    paragraphs_of,
    rating_text,
    speaker_groups,
    technique_label,
    techniques_by_paragraph,
    techniques_status,
)

__all__ = ["render_text"]

MAX_SPEAKERS = 10
MAX_QUOTES_PER_SPEAKER = 5
MAX_TECHNIQUE_PARAGRAPHS = 12
QUOTE_CHARS = 110


def render_text(analysis: Analysis, console: Console) -> None:
    """Print a readable report of ``analysis`` on ``console``."""
    console.print(_header(analysis))
    _section(console, "Provenance")
    _provenance(analysis, console)
    _section(console, "Who says what")
    _quotes(analysis, console)
    _section(console, "Entities")
    _entities(analysis, console)
    _section(console, "Persuasion techniques")
    _techniques(analysis, console)


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


def _quotes(analysis: Analysis, console: Console) -> None:
    groups = speaker_groups(analysis.quotes)
    if not groups:
        console.print(_dim("no quotes found"))
        return
    paragraphs = paragraphs_of(analysis)
    for group in groups[:MAX_SPEAKERS]:
        head = Text(group.name, style="dim bold" if group.unattributed else "bold")
        if group.mentions:
            head.append(" (as " + ", ".join(f"“{abbreviate(m, 30)}”" for m in group.mentions[:3]) + ")", style="dim")
        count = len(group.quotes)
        head.append(f" · {count} quote{'s' if count != 1 else ''}", style="dim")
        console.print(head)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, style="dim", min_width=5, justify="right")
        grid.add_column(overflow="fold")
        for quote in group.quotes[:MAX_QUOTES_PER_SPEAKER]:
            number = paragraph_number(paragraphs, quote.content.start)
            line = Text(quote.kind, style="magenta")
            if quote.cue is not None:
                line.append(" · " + abbreviate(quote.cue.text, 40), style="dim")
            line.append("  ")
            line.append(_quoted(quote.content.text))
            grid.add_row(f"¶{number}" if number else "", line)
        hidden = count - MAX_QUOTES_PER_SPEAKER
        if hidden > 0:
            grid.add_row("", _dim(f"+{hidden} more"))
        console.print(grid)
    if len(groups) > MAX_SPEAKERS:
        rest = groups[MAX_SPEAKERS:]
        console.print(_dim(f"+{len(rest)} more speakers: " + ", ".join(g.name for g in rest[:8])))


def _entities(analysis: Analysis, console: Console) -> None:
    groups = entity_groups(analysis.entities)
    if not groups:
        console.print(_dim("no named entities found"))
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


def _techniques(analysis: Analysis, console: Console) -> None:
    status = techniques_status(analysis)
    if status is not None:
        console.print(_dim(status))
        return
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim", min_width=5, justify="right")
    grid.add_column(overflow="fold")
    grouped = techniques_by_paragraph(analysis)
    for number, techniques in grouped[:MAX_TECHNIQUE_PARAGRAPHS]:
        for i, tech in enumerate(techniques):
            line = Text(technique_label(tech.technique), style="bold red")
            line.append(f" {tech.score:.2f}", style="dim")
            line.append("  ")
            line.append(_quoted(tech.text, 90), style="italic")
            grid.add_row(f"¶{number}" if (number and i == 0) else "", line)
    console.print(grid)
    if len(grouped) > MAX_TECHNIQUE_PARAGRAPHS:
        console.print(_dim(f"+{len(grouped) - MAX_TECHNIQUE_PARAGRAPHS} more paragraphs with techniques"))
