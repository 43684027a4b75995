"""The analysis pipeline: registered analyzers over one shared context.

Like a spaCy pipeline, each analyzer is a small component created by a
registered factory that declares what it requires, assigns and uses
(:mod:`unspin.analyzers.base`). It reads the :class:`Context` (the article,
shared products such as the spaCy ``Doc`` parsed once, findings of earlier
analyzers) and adds its typed findings to ``ctx.analysis``. The CLI, the
Python API, the web app, ingest workers and the tests all go through
:class:`Pipeline`.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterator

from . import __version__, analyzers  # noqa: F401  (importing the analyzers registers them)
from .analyzers.base import Analyzer, AnalyzerInfo, Context, products, registry
from .article import Article
from .config import Options, load_options
from .inputs.verdict import judge
from .language import detect_language, language_name, supports
from .language import preload as preload_language_model
from .nlp import load_spacy
from .ratings import table_name
from .types import SCHEMA_VERSION, Analysis, Meta, Paragraph

if TYPE_CHECKING:
    from .neural.encoder import MiniLMEncoder
    from .ratings import RatingsTable

__all__ = ["DEFAULT_ANALYZERS", "OPTIONAL_ANALYZERS", "Analyzer", "Context", "Pipeline", "products", "registry",
           "split_paragraphs"]


#: Analyzers run by default, in order: later ones may read earlier findings.
DEFAULT_ANALYZERS: tuple[str, ...] = ("entities", "provenance", "quotes", "techniques")
#: Registered but not run by default: they fall short of their quality
#: targets (see their model cards); ask for them with --analyzers.
OPTIONAL_ANALYZERS: tuple[str, ...] = ("genre", "frames", "narratives", "roles")


class Pipeline:
    """Loads models once and analyses any number of articles.

    >>> pipe = Pipeline(ratings=("ratings.csv",))      # doctest: +SKIP
    >>> pipe.analyze(article).provenance.outlet         # doctest: +SKIP
    """

    def __init__(self, options: Options | None = None, **overrides: Any) -> None:
        self.options = (options or load_options()).with_(**overrides)
        #: the analyzers to run, requirements added, in a valid order (checked now, not mid-article)
        self.infos: list[AnalyzerInfo] = [registry.info(n)
                                          for n in registry.resolve(self.options.analyzers or DEFAULT_ANALYZERS)]
        self.analyzers: list[Analyzer] = [info.factory(self.options) for info in self.infos]

    @cached_property
    def nlp(self) -> Any:
        return load_spacy(self.options.spacy_model)

    @cached_property
    def encoder(self) -> "MiniLMEncoder":
        """The process-wide shared encoder (weights checked by SHA-256 on first use)."""
        from .neural.shared import shared_encoder

        return shared_encoder()

    @cached_property
    def ratings(self) -> "RatingsTable":
        from .ratings import RatingsTable

        return RatingsTable.load(self.options.ratings)

    def warm_up(self) -> None:
        """Load every model now (spaCy, the encoder session, the heads) by
        analysing one short sentence, so that the first real article is not
        slower than the others and a missing model fails before any work."""
        from .inputs.text import article_from_text

        preload_language_model()
        self.analyze(article_from_text("The minister said the plan would work.", source="warm-up"))

    def analyze(self, article: Article) -> Analysis:
        """Run every analyzer over ``article`` and return the findings.

        An analyzer whose contract does not list the text's language is
        skipped, and ``meta.skipped`` says why: English-only models on German
        text would give garbage ("Gedanken" as a person).
        """
        ctx = self.context(article)
        meta = ctx.analysis.meta
        for info, analyzer in zip(self.infos, self.analyzers, strict=True):
            if not supports(info.languages, meta.language):
                meta.skipped[info.name] = (f"{language_name(meta.language)} text ({meta.language}); "
                                           f"{info.name} analyses {', '.join(map(language_name, info.languages))} only")
                continue
            ctx.running = info
            analyzer.annotate(ctx)
            meta.analyzers[analyzer.name] = analyzer.version
        ctx.running = None
        return ctx.analysis

    def context(self, article: Article) -> Context:
        """A fresh context for ``article``: an empty analysis (text, paragraphs,
        metadata with the text's language and extraction verdict) that the
        analyzers will fill."""
        analysis = Analysis(
            source=article.source,
            schema=SCHEMA_VERSION,
            title=article.title,
            text=article.text,
            paragraphs=list(split_paragraphs(article.text)),
            meta=Meta(
                input_kind=article.kind,
                url=article.url,
                content_sha256=hashlib.sha256(article.text.encode("utf-8")).hexdigest(),
                unspin_version=__version__,
                analyzers={},  # filled as each analyzer completes
                ratings_tables=[table_name(p) for p in self.options.ratings],
                extra=dict(article.extra),
            ),
        )
        ctx = Context(article=article, analysis=analysis, options=self.options, pipeline=self)
        language = detect_language(article.text)
        analysis.meta.language, analysis.meta.language_score = language.code, language.score
        furniture = sum(f.end - f.start for f in ctx.product("boilerplate_spans"))
        analysis.meta.extraction = judge(article.text, furniture, article.page)
        return ctx


def split_paragraphs(text: str) -> Iterator[Paragraph]:
    """Each non-blank line is a paragraph, as in the SemEval data.

    Lines end at ``\n`` only (a ``\r`` before it is left out of the span),
    so paragraph numbers match the line numbers of the task's labels.
    """
    pos = 0
    for line in text.split("\n"):
        body = line[:-1] if line.endswith("\r") else line
        if body.strip():
            yield Paragraph(start=pos, end=pos + len(body))
        pos += len(line) + 1

