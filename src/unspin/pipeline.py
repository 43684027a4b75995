"""The analysis pipeline: registered analyzers over one shared context.

Like a spaCy pipeline, each analyzer is a small component created by a
registered factory. It reads the :class:`Context` (the article, the spaCy
``Doc`` parsed once, findings of earlier analyzers) and adds its typed
findings to ``ctx.analysis``. The CLI, the Python API and the tests all go
through :class:`Pipeline`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol

from . import __version__
from .article import Article
from .config import Options, load_options
from .errors import ConfigError
from .nlp import load_spacy
from .types import SCHEMA_VERSION, Analysis, Meta, Paragraph

if TYPE_CHECKING:
    import numpy as np
    from spacy.tokens import Doc

    from .neural.encoder import MiniLMEncoder
    from .neural.shared import EncodedText

    from .ratings import RatingsTable
    from .techniques.text import Tokens


class Analyzer(Protocol):
    """A pipeline component: reads the context, adds findings to it."""

    name: str
    version: str

    def annotate(self, ctx: "Context") -> None: ...


AnalyzerFactory = Callable[[Options], Analyzer]


@dataclass
class Registry:
    """Named analyzer factories; ``@registry.register("name")`` adds one."""

    factories: dict[str, AnalyzerFactory] = field(default_factory=dict)

    def register(self, name: str) -> Callable[[AnalyzerFactory], AnalyzerFactory]:
        def add(factory: AnalyzerFactory) -> AnalyzerFactory:
            if name in self.factories:
                raise ValueError(f"analyzer {name!r} is already registered")
            self.factories[name] = factory
            return factory

        return add

    def create(self, name: str, options: Options) -> Analyzer:
        try:
            factory = self.factories[name]
        except KeyError:
            known = ", ".join(sorted(self.factories))
            raise ConfigError(f"unknown analyzer {name!r} (known: {known})") from None
        return factory(options)


registry = Registry()

#: Analyzers run by default, in order: later ones may read earlier findings.
DEFAULT_ANALYZERS: tuple[str, ...] = ("entities", "provenance", "quotes", "techniques")
#: Registered but not run by default: they fall short of their quality
#: targets (see their model cards); ask for them with --analyzers.
OPTIONAL_ANALYZERS: tuple[str, ...] = ("genre", "frames", "narratives", "roles")


@dataclass
class Context:
    """What one article's analyzers share: input, parse, findings so far."""

    article: Article
    analysis: Analysis
    options: Options
    pipeline: "Pipeline"

    @cached_property
    def doc(self) -> "Doc":
        """The spaCy parse of ``analysis.text``, computed once on first use."""
        return self.pipeline.nlp(self.analysis.text)

    @cached_property
    def encoded(self) -> "EncodedText":
        """The shared encoder pass over ``analysis.text``, computed once on first
        use and read by every neural analysis (see :mod:`unspin.neural.shared`)."""
        from .neural.shared import encode

        return encode(self.analysis.text, self.pipeline.encoder)

    @cached_property
    def technique_probabilities(self) -> tuple["Tokens", "np.ndarray", "np.ndarray"]:
        """Words, calibrated word and paragraph probabilities of the packaged
        accurate techniques model over the shared pass, computed once: the
        techniques analyzer (default model) and the genre model stacked on
        the technique profile both read them."""
        from .techniques.accurate import load_default

        return load_default().probabilities(self.analysis.text, self.encoded)

    @property
    def ratings(self) -> "RatingsTable":
        return self.pipeline.ratings


class Pipeline:
    """Loads models once and analyses any number of articles.

    >>> pipe = Pipeline(ratings=("ratings.csv",))      # doctest: +SKIP
    >>> pipe.analyze(article).provenance.outlet         # doctest: +SKIP
    """

    def __init__(self, options: Options | None = None, **overrides: Any) -> None:
        self.options = (options or load_options()).with_(**overrides)
        _load_builtin_analyzers()
        names = self.options.analyzers or DEFAULT_ANALYZERS
        self.analyzers: list[Analyzer] = [registry.create(n, self.options) for n in names]

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

        self.analyze(article_from_text("The minister said the plan would work.", source="warm-up"))

    def analyze(self, article: Article) -> Analysis:
        """Run every analyzer over ``article`` and return the findings."""
        ctx = self.context(article)
        for analyzer in self.analyzers:
            analyzer.annotate(ctx)
        return ctx.analysis

    def context(self, article: Article) -> Context:
        """A fresh context for ``article``: an empty analysis (text, paragraphs,
        metadata) that the analyzers will fill; nothing is computed yet."""
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
                analyzers={a.name: a.version for a in self.analyzers},
                ratings_tables=[Path(p).name for p in self.options.ratings],
                extra=dict(article.extra),
            ),
        )
        return Context(article=article, analysis=analysis, options=self.options, pipeline=self)


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


def _load_builtin_analyzers() -> None:
    """Import the analyzer modules so that their factories register."""
    from . import analyzers  # noqa: F401
