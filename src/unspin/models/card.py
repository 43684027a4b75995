"""Model cards: one template for every shipped model.

A trainer fills a :class:`ModelCard` (what the model does, its data, its
command, its figures with their protocol, its limits) and :func:`write_card`
renders ``CARD.md`` beside the weights. Figures sit side by side: the
cross-validation on the training data and the forward split (trained on
older articles, measured on newer ones, or on another domain), which is the
better guide to new articles, with the best simple baseline on that split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, StrictUndefined

__all__ = ["Figure", "ModelCard", "public_command", "render_card", "write_card"]


@dataclass
class Figure:
    """One quality figure of a model, under each protocol it was measured with."""

    metric: str
    #: cross-validation on the training data (``None``: not measured)
    cross_validation: float | None = None
    #: forward split: trained on older articles (or one domain), measured on newer ones (or the other)
    forward: float | None = None
    #: the best constant or simple baseline on the forward split, and its name
    baseline: float | None = None
    baseline_name: str = ""
    #: what the project aims for, e.g. "≥ 0.42" (empty: no target)
    target: str = ""


@dataclass
class ModelCard:
    """Everything a user needs to judge a model, in their language."""

    title: str
    #: what the model does for a reader
    purpose: str
    #: how it works, briefly
    method: str
    #: the training data (what it is, how much, its period and licence)
    data: str
    #: the training command as run (rendered through :func:`public_command`)
    command: str
    trained: str
    wall_time: str
    machine: str
    #: how each kind of figure was measured
    protocols: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    #: more sections: (heading, markdown)
    sections: list[tuple[str, str]] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    #: weight file -> SHA-256
    files: dict[str, str] = field(default_factory=dict)
    format: str = ""
    unspin_version: str | None = None


_TEMPLATE = """\
# {{ card.title }}

{{ card.purpose }}

## How it works

{{ card.method }}

## Quality

{% for p in card.protocols %}- {{ p }}
{% endfor %}
{%- if card.figures %}
| metric | cross-validation | forward split | simple baseline (forward) | target |
| --- | --- | --- | --- | --- |
{% for f in card.figures %}| {{ f.metric }} | {{ num(f.cross_validation) }} | {{ num(f.forward) }} | {{ baseline(f) }} | {{ f.target or "–" }} |
{% endfor %}
{%- endif %}
{% for heading, body in card.sections %}
## {{ heading }}

{{ body.strip() }}
{% endfor %}
## Limits

{% for limit in card.limits %}- {{ limit }}
{% endfor %}
## Training

- data: {{ card.data }}
- command: `{{ public(card.command) }}`{% if "DATA/" in public(card.command) %} (DATA: the folder where you keep the research data; it is not shipped with unspin){% endif %}
- trained {{ card.trained }}{% if card.unspin_version %} with unspin {{ card.unspin_version }}{% endif %}; wall time {{ card.wall_time }}; machine: {{ card.machine }}
- format `{{ card.format }}`; files (SHA-256 checked at load): {% for name, sha in card.files.items() %}`{{ name }}` `{{ sha[:12] }}…`{% if not loop.last %}, {% endif %}{% endfor %}
"""


def _num(x: float | None) -> str:
    return "not measured" if x is None else f"{x:.3f}"


def _baseline(f: Figure) -> str:
    if f.baseline is None:
        return "–"
    return f"{f.baseline:.3f}" + (f" ({f.baseline_name})" if f.baseline_name else "")


_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
_ENV.globals.update(num=_num, baseline=_baseline, public=lambda c: public_command(c))


def render_card(card: ModelCard) -> str:
    """``CARD.md`` text of ``card``."""
    text = _ENV.from_string(_TEMPLATE).render(card=card)
    return re.sub(r"\n{3,}", "\n\n", text)


def write_card(model_dir: str | Path, card: ModelCard) -> Path:
    """Write ``CARD.md`` of ``card`` into ``model_dir``."""
    path = Path(model_dir) / "CARD.md"
    path.write_text(render_card(card), encoding="utf-8")
    return path


def public_command(command: str | None) -> str:
    """A training command as a user can read it: the developers' local data path
    (``../shared/data/…``) becomes ``DATA/…``."""
    return re.sub(r"[^\s'\"=]*shared/data/", "DATA/", command or "")
