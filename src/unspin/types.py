"""Typed findings of an analysis, mirroring the versioned JSON schema.

Every finding that points into the article is a half-open ``[start, end)``
range of Python ``str`` characters into :attr:`Analysis.text`, so that
``analysis.text[f.start:f.end] == f.text`` always holds.

The dataclasses serialise with :func:`to_dict` (field order is the schema's
order) and load back with :meth:`Analysis.from_dict`.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any

#: Version of the JSON schema in ``unspin/schema/analysis.schema.json``.
#: Additive changes bump the minor number, breaking changes the major one.
SCHEMA_VERSION = "1.3"


@dataclass
class Span:
    """A range of characters in the analysed text, with the text it covers."""

    start: int
    end: int
    text: str


@dataclass
class Speaker(Span):
    """Who is quoted: the mention in the text and, where resolved, the name.

    ``name`` is the fullest name of the person or organisation the mention
    refers to ("Vladimir Putin" for "the Russian leader"); ``resolved`` is the
    mention elsewhere in the text that the name was taken from, if any.
    """

    name: str | None = None
    resolved: Span | None = None


@dataclass
class Boilerplate(Span):
    """Page furniture, not the article's own words: a syndication footer, a
    dateline, a byline, an image credit, a copyright or legal line, a share
    widget, related links or a promotion line."""

    #: ``syndication``, ``dateline``, ``byline``, ``image-credit``,
    #: ``copyright``, ``share-widget``, ``related-links`` or ``promo``.
    kind: str = ""
    #: The rule that found it (``footer-the-post``, ``agency-dateline``, …).
    rule: str = ""
    #: The name the line credits, if any: the outlet of a footer or a
    #: dateline, the agency of a sign-off, the holder of a copyright or photo.
    credited: Span | None = None


@dataclass
class Outlet:
    """The outlet that published the analysed copy of the article."""

    name: str | None
    domain: str | None
    rating: dict[str, str] | None = None
    #: How the outlet was found: ``url``, ``given``, ``syndication-footer``,
    #: ``wire-credit``, ``html-metadata``.
    basis: str = "given"
    evidence: Span | None = None


@dataclass
class Syndication:
    """A footer or credit line saying the text first appeared elsewhere."""

    name: str | None
    domain: str | None
    rating: dict[str, str] | None
    #: ``republication-footer`` ("The post … appeared first on …",
    #: "originally published on …") or ``wire-credit`` ("(Reuters) -").
    kind: str
    evidence: Span
    #: The boilerplate rule that found the credit (``footer-the-post``,
    #: ``agency-dateline``, ``reporting-by``, …).
    rule: str | None = None


@dataclass
class CitedSource:
    """An outlet or agency the article leans on ("RT reports", "told CNN")."""

    name: str
    domain: str | None
    start: int
    end: int
    text: str
    rating: dict[str, str] | None = None
    #: The words that make the mention a citation ("reports", "according to").
    cue: Span | None = None
    #: How it was found: ``known-outlet`` (the gazetteer) or ``media-name`` (an
    #: organisation named like a newspaper), then the cue's rule:
    #: ``cue-before``, ``cue-after``, ``possessive`` or ``parenthetical``.
    rule: str | None = None


@dataclass
class Provenance:
    outlet: Outlet | None = None
    syndicated_from: Syndication | None = None
    cited_sources: list[CitedSource] = field(default_factory=list)


@dataclass
class Quote:
    """An attribution: who (speaker) says (cue) what (content)."""

    speaker: Speaker | None
    cue: Span | None
    content: Span
    #: ``direct`` (inside quotation marks) or ``indirect`` (reported speech).
    kind: str


@dataclass
class Label:
    """A label with its calibrated probability."""

    label: str
    score: float


@dataclass
class Entity:
    text: str
    start: int
    end: int
    #: spaCy's OntoNotes label: PERSON, ORG, GPE, NORP, …
    type: str
    #: Canonical name shared by the mentions of one entity ("Vladimir Putin"
    #: for "Putin" and "Vladimir Putin"; "United States" for "U.S.").
    group: str | None = None
    #: How the article casts the entity (its group): ``Protagonist``,
    #: ``Antagonist``, ``Innocent``, or ``None`` when it does not frame it.
    role: str | None = None
    #: Probability of ``role`` (``None`` when no role).
    score: float | None = None
    #: Archetypes under ``role`` (Guardian, Tyrant, Victim, …) with probabilities.
    fine_roles: list[Label] = field(default_factory=list)
    #: The sentence that carries the role (the same for every mention of the group); ``None`` when no role.
    evidence: Span | None = None


@dataclass
class Technique:
    technique: str
    start: int
    end: int
    score: float
    text: str


@dataclass
class Narrative:
    """A narrative of the SemEval-2025 taxonomy the article pushes, with the
    sentences that carry it."""

    narrative: str
    subnarrative: str
    score: float
    evidence: list[Span] = field(default_factory=list)


#: What supports a paragraph's technique label (:attr:`ParagraphLabel.evidence`).
EVIDENCE_SPANS, EVIDENCE_PARAGRAPH = "spans", "paragraph"


@dataclass(frozen=True)
class ParagraphLabel:
    """A technique label of a paragraph, with its score and what supports it.

    ``evidence`` is ``"spans"`` when at least one technique span of the
    paragraph shows it (every span's technique is a label of its paragraph),
    ``"paragraph"`` when it is the paragraph-level model's judgement with no
    span to point at. ``score`` is the highest of the paragraph model's
    probability (when it labelled the paragraph) and the scores of the
    technique's spans in the paragraph.
    """

    technique: str
    score: float
    evidence: str = EVIDENCE_SPANS

    @staticmethod
    def merged(labels: list["ParagraphLabel"]) -> list["ParagraphLabel"]:
        """One label per technique from the labels of pieces of one paragraph
        (a paragraph analysed in several blocks): the highest score, and
        ``spans`` evidence if any piece had a span; strongest first."""
        best: dict[str, ParagraphLabel] = {}
        for label in labels:
            seen = best.get(label.technique)
            if seen is None:
                best[label.technique] = label
            else:
                evidence = EVIDENCE_SPANS if EVIDENCE_SPANS in (seen.evidence, label.evidence) else EVIDENCE_PARAGRAPH
                best[label.technique] = ParagraphLabel(label.technique, max(seen.score, label.score), evidence)
        return sorted(best.values(), key=lambda lab: (-lab.score, lab.technique))


@dataclass
class Paragraph:
    """A non-empty line of the text (the unit of SemEval paragraph labels)."""

    start: int
    end: int
    #: The techniques of :attr:`labels`, in the same order (strongest first).
    techniques: list[str] = field(default_factory=list)
    #: The paragraph's technique labels with their score and evidence (schema 1.3).
    labels: list[ParagraphLabel] = field(default_factory=list)


@dataclass
class TechniqueHighlight:
    """One of an article's strongest techniques, with the spans that show it."""

    technique: str
    #: The highest score of its paragraph labels.
    score: float
    #: How many paragraphs carry it as a label.
    paragraphs: int
    #: Its highest-scoring spans (at most two), in text order; empty when it
    #: is only a paragraph-level judgement.
    evidence: list[Span] = field(default_factory=list)


@dataclass
class TechniqueOverview:
    """The article at a glance: how much of it uses persuasion techniques, and which (schema 1.3)."""

    #: Paragraphs analysed (the non-blank lines that are not mostly boilerplate).
    paragraphs: int
    #: How many of them carry at least one technique label.
    labelled_paragraphs: int
    #: Technique spans in the article.
    spans: int
    #: The strongest techniques (at most three), strongest first.
    strongest: list[TechniqueHighlight] = field(default_factory=list)
    #: The expected share of the paragraphs annotators would label with a
    #: technique: a calibrated estimate (not a probability) from the accurate
    #: tier's paragraph probabilities; ``None`` when no calibration fits the
    #: model that ran (the fast tier, a model folder of one's own).
    expected_share: float | None = None


@dataclass
class Extraction:
    """Whether the analysed text is a news article, and how much of the page it is.

    Every input gets one (``meta.extraction``); the page figures only HTML
    inputs. ``ok`` is true when there is no warning.
    """

    #: Characters and words of the analysed text.
    chars: int
    words: int
    #: Characters of the HTML page's visible text (no markup, scripts or
    #: styles), and the share of them that was kept; ``None`` for text inputs.
    page_chars: int | None
    kept_share: float | None
    #: Share of the analysed text's characters that are boilerplate.
    boilerplate_share: float
    #: Share of the text's lines that are the texts of the page's links (HTML only).
    link_line_share: float | None
    #: ``article``, ``stub``, ``paywall``, ``listing``, ``recipe`` or ``documentation``.
    page_kind: str
    #: Why the text may not be a readable news article, one sentence each.
    warnings: list[str] = field(default_factory=list)
    ok: bool = True


@dataclass
class Meta:
    """How the text was obtained and which analyzers produced the findings."""

    input_kind: str
    url: str | None = None
    content_sha256: str | None = None
    unspin_version: str | None = None
    analyzers: dict[str, str] = field(default_factory=dict)
    #: File names of the ratings tables consulted (empty: no ratings given).
    ratings_tables: list[str] = field(default_factory=list)
    #: Facts the input carried besides text (HTML metadata: author, date…).
    extra: dict[str, str] = field(default_factory=dict)
    #: ISO 639-1 code of the text's language (``und``: too little text to tell)
    #: and its probability; ``None`` in analyses made before schema 1.2.
    language: str | None = None
    language_score: float | None = None
    #: Analyzers that did not run, with why (a language they do not support).
    skipped: dict[str, str] = field(default_factory=dict)
    #: The verdict on the text: a news article, or a stub, paywall, listing…
    extraction: Extraction | None = None


@dataclass
class Analysis:
    """Everything unspin found in one article."""

    source: str
    schema: str
    title: str | None
    text: str
    provenance: Provenance = field(default_factory=Provenance)
    #: Page furniture (footers, credits, share widgets…), in text order.
    boilerplate: list[Boilerplate] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    techniques: list[Technique] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    #: The techniques at a glance (``None``: the technique_summary analyzer did not run).
    technique_summary: TechniqueOverview | None = None
    #: reporting | opinion | satire, with its probability (``None``: not run).
    genre: Label | None = None
    #: Frames of SemEval-2023 task 3 (multi-label), with probabilities.
    frames: list[Label] = field(default_factory=list)
    narratives: list[Narrative] = field(default_factory=list)
    meta: Meta = field(default_factory=lambda: Meta(input_kind="text"))

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Analysis":
        return _from_value(cls, data)

    @classmethod
    def from_json(cls, raw: str) -> "Analysis":
        return cls.from_dict(json.loads(raw))

    def _repr_html_(self) -> str | None:
        """The highlighted HTML report, shown by Jupyter and other notebooks.

        Drawn by the renderer :func:`set_html_renderer` installs (``import
        unspin`` installs the report's); ``None`` without one, so that a
        notebook falls back to the plain ``repr``.
        """
        return _HTML_RENDERER[0](self) if _HTML_RENDERER else None


#: The notebook renderer of :meth:`Analysis._repr_html_` (empty until one is installed).
_HTML_RENDERER: list[typing.Callable[[Analysis], str]] = []


def set_html_renderer(render: typing.Callable[[Analysis], str]) -> None:
    """Install the function that draws an :class:`Analysis` as HTML in notebooks.

    The renderers live above this module (:mod:`unspin.report`), which may
    not be imported from here; the package's ``__init__`` connects them.
    """
    _HTML_RENDERER[:] = [render]


def to_dict(obj: Any) -> Any:
    """Serialise a finding (or list of findings) to JSON-ready Python values."""
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj


def _from_value(tp: Any, value: Any) -> Any:
    """Rebuild a typed value from JSON data, following the type hints."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _from_value(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_from_value(item, v) for v in value]
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        return tp(**{k: _from_value(hints[k], v) for k, v in value.items() if k in names})
    return value
