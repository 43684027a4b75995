"""The quotes analyzer: its factory, contract and entry point."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Iterable

from ...config import Options
from ...types import Entity, Provenance, Quote, Span
from ..base import Context, registry
from .content import Attribution
from .lexicon import CueLexicon, load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc


class QuoteExtractor:
    name = "quotes"
    version = "2"

    def __init__(self, lexicon: CueLexicon | None = None) -> None:
        self.lex = lexicon or load_lexicon()

    def annotate(self, ctx: Context) -> None:
        quotes = self.extract(ctx.analysis.text, ctx.doc, ctx.analysis.entities)
        # A credit line ("The post Putin says … appeared first on …") repeats
        # the headline's words; it is provenance, not anybody speaking.
        credits = _credit_spans(ctx.analysis.provenance)
        quotes = [q for q in quotes if not any(_overlap(q.content, c) for c in credits)]
        ctx.analysis.quotes = skip_boilerplate(ctx.analysis.text, quotes, ctx.analysis.boilerplate)

    # -- entry point --------------------------------------------------------

    def extract(self, text: str, doc: "Doc", entities: Iterable[Entity] | None = None) -> list[Quote]:
        run = Attribution(self.lex, text, doc, list(entities) if entities is not None else None)
        return run.quotes()


def _credit_spans(provenance: Provenance) -> list[Span]:
    found = [provenance.syndicated_from.evidence] if provenance.syndicated_from else []
    if provenance.outlet is not None and provenance.outlet.evidence is not None:
        found.append(provenance.outlet.evidence)
    return found


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def skip_boilerplate(text: str, quotes: list[Quote], furniture: Iterable[Span]) -> list[Quote]:
    """Quotes without page furniture: a quote whose content is mostly a
    footer, a credit, a share widget or related links is left out, and a
    speaker phrase that begins in furniture ("WhatsApp Email Telegram A
    senior prison official") keeps only the words after it."""
    spans = sorted((b.start, b.end) for b in furniture)
    if not spans:
        return quotes
    kept = []
    for q in quotes:
        a, b = q.content.start, q.content.end
        inside = sum(max(0, min(b, e) - max(a, s)) for s, e in spans)
        if inside * 2 > b - a:
            continue
        sp = q.speaker
        if sp is not None:
            start = sp.start
            for s, e in spans:
                if s <= start < e:
                    start = e
            while start < sp.end and text[start].isspace():
                start += 1
            if start >= sp.end:
                q = dataclasses.replace(q, speaker=None)
            elif start > sp.start:
                q = dataclasses.replace(q, speaker=dataclasses.replace(sp, start=start, text=text[start : sp.end]))
        kept.append(q)
    return kept


@registry.register("quotes", requires=("boilerplate", "entities", "provenance"), assigns=("quotes",), uses=("doc",),
                   scope="block")
def make_quotes(options: Options) -> QuoteExtractor:
    return QuoteExtractor()
