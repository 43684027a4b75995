"""The quotes analyzer: its factory, contract and entry point."""

from __future__ import annotations

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
    version = "1"

    def __init__(self, lexicon: CueLexicon | None = None) -> None:
        self.lex = lexicon or load_lexicon()

    def annotate(self, ctx: Context) -> None:
        quotes = self.extract(ctx.analysis.text, ctx.doc, ctx.analysis.entities)
        # A credit line ("The post Putin says … appeared first on …") repeats
        # the headline's words; it is provenance, not anybody speaking.
        credits = _credit_spans(ctx.analysis.provenance)
        ctx.analysis.quotes = [q for q in quotes if not any(_overlap(q.content, c) for c in credits)]

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



@registry.register("quotes", requires=("entities", "provenance"), assigns=("quotes",), uses=("doc",),
                   scope="block")
def make_quotes(options: Options) -> QuoteExtractor:
    return QuoteExtractor()
