"""What the reports show of framing: genre, frames, narratives and the cast.

Shared by the terminal report, the static HTML report and the web app
(``cast_of``). Nothing here guesses: an entity without a role is not cast, a
narrative without evidence has none, a field that was not analysed is not
shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..types import Analysis, Label, Narrative, Span

#: The framing analyzers, as named in ``meta.analyzers``.
FRAMING_ANALYZERS: tuple[str, ...] = ("genre", "frames", "narratives", "roles")

#: Main roles in the order shown, with the plain word for each.
ROLES: tuple[tuple[str, str], ...] = (
    ("Protagonist", "hero"),
    ("Antagonist", "villain"),
    ("Innocent", "victim"),
)
ROLE_GLOSS = dict(ROLES)
#: A sign per role, so that the role never shows by colour alone.
ROLE_SIGN = {"Protagonist": "▲", "Antagonist": "▼", "Innocent": "●"}

#: One line saying what the framing findings are (and are not).
FRAMING_CAVEAT = ("Model judgements, not facts. Off by default because on newer articles they miss their "
                  "quality targets: genre does no better than always answering 'opinion', frames are right "
                  "about 7 times in 10, narratives about 5 in 10 (docs/framing-eval.md).")


@dataclass
class CastMember:
    """One entity the article casts in a role, with the mentions behind it."""

    name: str
    role: str
    score: float | None
    #: Archetypes with their probabilities, as shown: ``"Traitor 0.60"``.
    fine_roles: list[str]
    #: The distinct ways the entity is written ("Putin", "Vladimir Putin").
    mentions: list[str]
    #: Every mention, in text order (one per offset range).
    spans: list[Span] = field(default_factory=list)
    #: The sentence that carries the role (the roles analyzer's ``evidence``), if given.
    evidence: Span | None = None


def cast_of(analysis: Analysis) -> list[CastMember]:
    """Entities with a role, one line per mention group, most confident first."""
    members: dict[tuple[str, str], CastMember] = {}
    seen: set[tuple[str, str, int, int]] = set()
    for entity in sorted(analysis.entities, key=lambda e: (e.start, e.end)):
        if not entity.role:
            continue
        name = " ".join((entity.group or entity.text).split()) or entity.text
        member = members.setdefault((name, entity.role), CastMember(
            name=name, role=entity.role, score=entity.score,
            fine_roles=[fine_role_text(r) for r in entity.fine_roles], mentions=[]))
        if member.evidence is None and entity.evidence is not None:
            member.evidence = entity.evidence
        if entity.text not in member.mentions:
            member.mentions.append(entity.text)
        key = (name, entity.role, entity.start, entity.end)
        if key not in seen:
            seen.add(key)
            member.spans.append(Span(entity.start, entity.end, entity.text))
    return sorted(members.values(), key=lambda m: -(m.score or 0.0))


def cast_by_role(cast: list[CastMember]) -> list[tuple[str, str, list[CastMember]]]:
    """``[(role, plain word, members), …]``: hero, villain, victim, then any other role."""
    order = [role for role, _ in ROLES]
    order += sorted({m.role for m in cast} - set(order))
    grouped = []
    for role in order:
        members = [m for m in cast if m.role == role]
        if members:
            grouped.append((role, ROLE_GLOSS.get(role, ""), members))
    return grouped


def role_heading(role: str) -> str:
    """``Antagonist (villain)``."""
    gloss = ROLE_GLOSS.get(role)
    return f"{role} ({gloss})" if gloss else role


def fine_role_text(label: Label) -> str:
    return f"{label.label} {label.score:.2f}"


def frame_label(label: str) -> str:
    """``Security_and_defense`` → ``Security and defense``."""
    return label.replace("_", " ").strip() or label


def subnarrative_label(narrative: Narrative) -> str | None:
    """The subnarrative without its narrative's prefix, or None when it adds nothing.

    ``"URW: Blaming …: The West are the aggressors"`` under ``"URW: Blaming …"``
    → ``"The West are the aggressors"``; ``"Other"`` under ``"Other"`` → None.
    """
    sub = (narrative.subnarrative or "").strip()
    if not sub or sub == narrative.narrative:
        return None
    prefix = narrative.narrative + ":"
    if sub.startswith(prefix):
        sub = sub[len(prefix):].strip()
    return sub or None


def narrative_label(narrative: Narrative) -> str:
    """``narrative → subnarrative``, or the narrative alone."""
    sub = subnarrative_label(narrative)
    return f"{narrative.narrative} → {sub}" if sub else narrative.narrative


def ran(analysis: Analysis, name: str) -> bool:
    return name in analysis.meta.analyzers


def has_framing(analysis: Analysis) -> bool:
    """Whether the reports have a framing section: a framing finding, or a framing analyzer that ran."""
    return bool(
        analysis.genre is not None
        or analysis.frames
        or analysis.narratives
        or any(e.role for e in analysis.entities)
        or any(ran(analysis, name) for name in FRAMING_ANALYZERS)
    )


#: What to say when an analyzer ran and found nothing (never shown when it did not run).
NONE_FOUND = {
    "frames": "none found",
    "narratives": "none found",
    "roles": "no entity is cast as hero, villain or victim (the model abstains when unsure)",
}
