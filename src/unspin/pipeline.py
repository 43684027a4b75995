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

import bisect
import dataclasses
import hashlib
import typing
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Iterator

from . import analyzers  # noqa: F401  (importing the analyzers registers them)
from ._version import __version__
from .analyzers.base import Analyzer, AnalyzerInfo, Context, products, registry
from .analyzers.boilerplate import find_boilerplate
from .article import Article
from .blocks import BlockedContext, projected, shifted, split_blocks
from .config import Options, load_options
from .errors import ConfigError, InputError
from .inputs.text import article_from_text
from .inputs.verdict import judge
from .language import detect_language, language_name, supports
from .language import preload as preload_language_model
from .neural.shared import shared_encoder
from .nlp import load_spacy
from .ratings import RatingsTable, table_name
from .types import SCHEMA_VERSION, Analysis, Extraction, Meta, Paragraph

if TYPE_CHECKING:
    from .neural.encoder import MiniLMEncoder
    from .ratings import RatingsTable

__all__ = ["DEFAULT_ANALYZERS", "OPTIONAL_ANALYZERS", "Analyzer", "Context", "Pipeline", "Stage", "check_article", "plan_stages",
           "products", "registry", "split_paragraphs"]


#: Analyzers run by default, in order: later ones may read earlier findings.
DEFAULT_ANALYZERS: tuple[str, ...] = ("entities", "provenance", "quotes", "techniques", "technique_summary")
#: Registered but not run by default: they fall short of their quality
#: targets (see their model cards); ask for them with --analyzers.
OPTIONAL_ANALYZERS: tuple[str, ...] = ("genre", "frames", "narratives", "roles")


@dataclass(frozen=True)
class Stage:
    """Consecutive analyzers of one scope: how a long article is worked through."""

    scope: str
    members: tuple[tuple[AnalyzerInfo, Analyzer], ...]
    #: Top-level fields of :class:`Analysis` the stage assigns, each with the attributes it
    #: sets on their items (``paragraphs.techniques`` → ``{"paragraphs": {"techniques"}}``).
    fields: dict[str, frozenset[str]]
    #: Products still read after this stage (by block analyzers, or merged for article ones).
    keep: frozenset[str]


def plan_stages(infos: list[AnalyzerInfo], built: list[Analyzer]) -> list[Stage]:
    """The analyzers grouped into stages of one scope, in order; :class:`ConfigError`
    when a block analyzer assigns a field that holds one value per article."""
    groups: list[list[tuple[AnalyzerInfo, Analyzer]]] = []
    for info, analyzer in zip(infos, built, strict=True):
        if groups and groups[-1][0][0].scope == info.scope:
            groups[-1].append((info, analyzer))
        else:
            groups.append([(info, analyzer)])
    list_fields = {name for name, hint in typing.get_type_hints(Analysis).items() if typing.get_origin(hint) is list}
    stages = []
    for k, group in enumerate(groups):
        fields: dict[str, set[str]] = {}
        for info, _ in group:
            for assigned in info.assigns:
                top, _, attr = assigned.partition(".")
                if info.scope == "block" and top not in list_fields:
                    raise ConfigError(f"analyzer {info.name!r} runs block by block but assigns {top!r}, one value "
                                      f"per article: register it with scope='article'")
                fields.setdefault(top, set()).update([attr] if attr else [])
        later = [info for group_after in groups[k + 1:] for info, _ in group_after]
        keep = {u for info in later for u in info.uses if info.scope == "block" or u in products.merges}
        if group[0][0].scope == "article":
            keep = {u for info in later if info.scope == "article" for u in info.uses}
        stages.append(Stage(group[0][0].scope, tuple(group), {t: frozenset(a) for t, a in fields.items()},
                            frozenset(keep)))
    return stages


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
        self.options.check_sizes()
        #: how an article longer than ``options.block_chars`` is analysed
        self.stages: list[Stage] = plan_stages(self.infos, self.analyzers)

    @cached_property
    def nlp(self) -> Any:
        return load_spacy(self.options.spacy_model)

    @cached_property
    def encoder(self) -> "MiniLMEncoder":
        """The process-wide shared encoder (weights checked by SHA-256 on first use)."""
        return shared_encoder()

    @cached_property
    def ratings(self) -> "RatingsTable":
        return RatingsTable.load(self.options.ratings)

    def warm_up(self) -> None:
        """Load every model now (spaCy, the encoder session, the heads) by
        analysing one short sentence, so that the first real article is not
        slower than the others and a missing model fails before any work."""
        preload_language_model()
        self.analyze(article_from_text("The minister said the plan would work.", source="warm-up"))

    def analyze(self, article: Article) -> Analysis:
        """Run every analyzer over ``article`` and return the findings.

        :class:`InputError` when the text is longer than ``options.max_chars``;
        a text longer than ``options.block_chars`` is analysed in blocks. An
        analyzer whose contract does not list the text's language is skipped,
        and ``meta.skipped`` says why: English-only models on German text
        would give garbage ("Gedanken" as a person).
        """
        if len(article.text) > self.options.max_chars:
            raise InputError(article.source, f"text is too long ({len(article.text):,} characters; the limit is "
                                             f"{self.options.max_chars:,}, see --max-chars)")
        spans = split_blocks(article.text, self.options.block_chars)
        if len(spans) > 1:
            return self._analyze_in_blocks(article, spans)
        ctx = self.context(article)
        meta = ctx.analysis.meta
        for info, analyzer in zip(self.infos, self.analyzers, strict=True):
            if _skipped(info, meta):
                continue
            ctx.running = info
            analyzer.annotate(ctx)
            meta.analyzers[analyzer.name] = analyzer.version
        ctx.running = None
        return ctx.analysis

    def _analyze_in_blocks(self, article: Article, spans: list[tuple[int, int]]) -> Analysis:
        """The analysis of a long article, stage by stage (see :mod:`unspin.blocks`)."""
        whole = self.context(article)
        ctx = BlockedContext(article=article, analysis=whole.analysis, options=self.options, pipeline=self)
        for start, end in spans:
            text = article.text[start:end]
            block = Analysis(source=article.source, schema=SCHEMA_VERSION, title=article.title, text=text,
                             paragraphs=list(split_paragraphs(text)), meta=ctx.analysis.meta)
            ctx.blocks.append(Context(article=dataclasses.replace(article, text=text), analysis=block,
                                      options=self.options, pipeline=self))
            ctx.offsets.append(start)
        for stage in self.stages:
            if stage.scope == "block":
                for block_ctx in ctx.blocks:
                    _run(stage, block_ctx)
                _merge_blocks(ctx, stage.fields)
            else:
                _run(stage, ctx)
                _project_to_blocks(ctx, stage.fields)
            for info, analyzer in stage.members:
                if info.name not in ctx.analysis.meta.skipped:
                    ctx.analysis.meta.analyzers[analyzer.name] = analyzer.version
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


@lru_cache(maxsize=4)
def cached_pipeline(options: Options) -> Pipeline:
    """One pipeline per option set, reused across calls in this process (models load once)."""
    return Pipeline(options)


def check_article(article: Article) -> Extraction:
    """The extraction verdict of ``article`` as :meth:`Pipeline.analyze` records it in
    ``meta.extraction``, before any analysis: ingest can skip pages that are not
    news articles (``not verdict.ok``) without analysing them."""
    furniture = sum(f.end - f.start for f in find_boilerplate(article.text))
    return judge(article.text, furniture, article.page)


def _skipped(info: AnalyzerInfo, meta: Meta) -> bool:
    """Whether the analyzer does not analyse the text's language (then ``meta.skipped`` says so)."""
    if supports(info.languages, meta.language):
        return False
    meta.skipped[info.name] = (f"{language_name(meta.language)} text ({meta.language}); "
                               f"{info.name} analyses {', '.join(map(language_name, info.languages))} only")
    return True


def _run(stage: Stage, ctx: Context) -> None:
    """The stage's analyzers over one context, then its products that nothing later reads are dropped."""
    for info, analyzer in stage.members:
        if _skipped(info, ctx.analysis.meta):
            continue
        ctx.running = info
        analyzer.annotate(ctx)
    ctx.running = None
    for name in [n for n in ctx._products if n not in stage.keep]:
        del ctx._products[name]


def _merge_blocks(ctx: BlockedContext, fields: dict[str, frozenset[str]]) -> None:
    """The findings block analyzers made in each block, joined in the article's offsets."""
    for top, attrs in fields.items():
        if top == "paragraphs":
            _merge_paragraph_attrs(ctx, attrs)
        else:
            setattr(ctx.analysis, top, [shifted(item, offset) for offset, block in zip(ctx.offsets, ctx.blocks, strict=True)
                                        for item in getattr(block.analysis, top)])


def _merge_paragraph_attrs(ctx: BlockedContext, attrs: frozenset[str]) -> None:
    """Each article paragraph gets the values its pieces got in the blocks (a paragraph
    longer than a block is in several: list values are joined in order, without repeats, or by the items'
    ``merged`` static method where their type has one, such as :meth:`~unspin.types.ParagraphLabel.merged`)."""
    pieces = [(offset + p.start, offset + p.end, p) for offset, block in zip(ctx.offsets, ctx.blocks, strict=True)
              for p in block.analysis.paragraphs]
    i = 0
    for para in ctx.analysis.paragraphs:
        while i < len(pieces) and pieces[i][1] <= para.start:
            i += 1
        j = i
        inside = []
        while j < len(pieces) and pieces[j][0] < para.end:
            inside.append(pieces[j][2])
            j += 1
        for attr in attrs:
            values = [getattr(piece, attr) for piece in inside]
            if values and all(isinstance(v, list) for v in values):
                joined = [x for v in values for x in v]
                merge = getattr(type(joined[0]), "merged", None) if joined else None
                setattr(para, attr, merge(joined) if merge else list(dict.fromkeys(joined)))
            elif values:
                setattr(para, attr, values[0])
        if "labels" in attrs and "techniques" in attrs:  # the techniques of the labels, in their (merged) order
            para.techniques = [label.technique for label in para.labels]


def _project_to_blocks(ctx: BlockedContext, fields: dict[str, frozenset[str]]) -> None:
    """What an article analyzer found, handed to each block in the block's offsets."""
    starts = [p.start for p in ctx.analysis.paragraphs]
    for k, (offset, block) in enumerate(zip(ctx.offsets, ctx.blocks, strict=True)):
        end = offset + len(block.analysis.text)
        for top, attrs in fields.items():
            if top == "paragraphs":
                for piece in block.analysis.paragraphs:  # each piece lies in the paragraph starting at or before it
                    para = ctx.analysis.paragraphs[bisect.bisect_right(starts, offset + piece.start) - 1]
                    for attr in attrs:
                        setattr(piece, attr, projected(getattr(para, attr), offset, end, first=True))
            else:
                setattr(block.analysis, top, projected(getattr(ctx.analysis, top), offset, end, first=k == 0))


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

