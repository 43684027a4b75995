"""What every analyzer builds on: the registry, declared contracts and the shared context.

Like a spaCy component, each analyzer is made by a registered factory that
declares its contract:

* ``requires``: analyzers whose findings it reads; they must run before it
  (a pipeline adds a missing one, and refuses an order that puts it after);
* ``assigns``: the fields of :class:`~unspin.types.Analysis` it fills;
* ``languages``: the languages it can analyse (ISO 639-1 codes, ``"*"`` for
  any; default English): the pipeline skips it on text in another language
  and records why in ``meta.skipped``;
* ``uses``: shared products it reads from the :class:`Context` (the spaCy
  parse, the encoder pass, …). Products are computed once per article, on
  first use, by factories registered in :data:`products`; reading a product
  the running analyzer did not declare is an error, so the declarations stay
  true;
* ``scope``: what text it must see when an article is longer than one block
  (``Options.block_chars``; see :mod:`unspin.blocks`). ``"article"`` (the
  default): it runs once over the whole text, and the products it reads are
  merged from the blocks' where their registration says how (the spaCy parse
  is), else computed over the whole text. ``"block"``: its findings are local
  (entities, quotes, technique spans), so it runs on each block in turn with
  the block's own products, in bounded memory, and its findings are mapped
  back to the article's offsets. A block analyzer may only assign list fields
  (and ``paragraphs.*``).

This module knows no concrete analyzer or model; :mod:`unspin.analyzers.products`
registers the built-in products and each analyzer module its factory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

from ..article import Article
from ..config import Options
from ..errors import ConfigError
from ..language import DEFAULT_LANGUAGES
from ..types import Analysis

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from ..ratings import RatingsTable


class Analyzer(Protocol):
    """A pipeline component: reads the context, adds findings to it."""

    name: str
    version: str

    def annotate(self, ctx: "Context") -> None: ...


AnalyzerFactory = Callable[[Options], Analyzer]
#: What an analyzer sees of a long article: the whole text, or one block at a time.
SCOPES: tuple[str, ...] = ("article", "block")


@dataclass(frozen=True)
class AnalyzerInfo:
    """A registered analyzer: its factory and its declared contract."""

    name: str
    factory: AnalyzerFactory
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    #: ``"article"`` (sees the whole text) or ``"block"`` (runs block by block on long texts).
    scope: str = "article"
    #: Languages it can analyse (``"*"``: any).
    languages: tuple[str, ...] = DEFAULT_LANGUAGES

    def contract(self) -> dict[str, Any]:
        return {"requires": list(self.requires), "assigns": list(self.assigns), "uses": list(self.uses),
                "scope": self.scope, "languages": list(self.languages)}


@dataclass
class Registry:
    """Named analyzer factories; ``@registry.register("name", requires=…)`` adds one."""

    infos: dict[str, AnalyzerInfo] = field(default_factory=dict)

    def register(self, name: str, *, requires: tuple[str, ...] = (), assigns: tuple[str, ...] = (),
                 uses: tuple[str, ...] = (), scope: str = "article",
                 languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> Callable[[AnalyzerFactory], AnalyzerFactory]:
        if scope not in SCOPES:
            raise ValueError(f"analyzer {name!r}: scope must be one of {', '.join(SCOPES)}, not {scope!r}")

        def add(factory: AnalyzerFactory) -> AnalyzerFactory:
            if name in self.infos:
                raise ValueError(f"analyzer {name!r} is already registered")
            self.infos[name] = AnalyzerInfo(name, factory, tuple(requires), tuple(assigns), tuple(uses), scope,
                                            tuple(languages))
            return factory

        return add

    @property
    def factories(self) -> dict[str, AnalyzerFactory]:
        return {name: info.factory for name, info in self.infos.items()}

    def info(self, name: str) -> AnalyzerInfo:
        try:
            return self.infos[name]
        except KeyError:
            known = ", ".join(sorted(self.infos))
            raise ConfigError(f"unknown analyzer {name!r} (known: {known})") from None

    def create(self, name: str, options: Options) -> Analyzer:
        return self.info(name).factory(options)

    def resolve(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """``names`` with every missing requirement added just before its first
        user; :class:`ConfigError` when a requested analyzer is listed after one
        that requires it, or when requirements form a cycle."""
        for pos, name in enumerate(names):
            for req in self.info(name).requires:
                if req in names[pos + 1:]:
                    raise ConfigError(f"analyzer {name!r} reads the findings of {req!r}, which must run "
                                      f"before it: list {req!r} first")
        order: list[str] = []

        def add(name: str, chain: tuple[str, ...]) -> None:
            if name in order:
                return
            if name in chain:
                raise ConfigError(f"analyzers require each other in a cycle: {' -> '.join(chain + (name,))}")
            for req in self.info(name).requires:
                add(req, chain + (name,))
            order.append(name)

        for name in names:
            add(name, ())
        return tuple(order)


#: The analyzers every :class:`~unspin.pipeline.Pipeline` can build.
registry = Registry()


class Resources(Protocol):
    """What a context reads its shared products from: loaded once per pipeline."""

    options: Options

    @property
    def nlp(self) -> Any: ...

    @property
    def encoder(self) -> Any: ...

    @property
    def ratings(self) -> "RatingsTable": ...


ProductFactory = Callable[["Context"], Any]
#: Joins the products of a long article's blocks, given as ``(block start offset, product)`` in text
#: order, into the product of the whole ``text`` (offsets mapped back to it).
ProductMerge = Callable[[list[tuple[int, Any]], str], Any]


@dataclass
class ProductRegistry:
    """Named shared products, each computed once per article on first use."""

    factories: dict[str, ProductFactory] = field(default_factory=dict)
    #: How the products that can be built block by block are joined (``merge=`` of their registration).
    merges: dict[str, ProductMerge] = field(default_factory=dict)

    def register(self, name: str, *, merge: ProductMerge | None = None) -> Callable[[ProductFactory], ProductFactory]:
        def add(factory: ProductFactory) -> ProductFactory:
            if name in self.factories:
                raise ValueError(f"product {name!r} is already registered")
            self.factories[name] = factory
            if merge is not None:
                self.merges[name] = merge
            return factory

        return add


#: Shared products analyzers may declare in ``uses``.
products = ProductRegistry()


@dataclass
class Context:
    """What one article's analyzers share: input, findings so far, shared products."""

    article: Article
    analysis: Analysis
    options: Options
    pipeline: Resources
    #: The analyzer now running (its declared ``uses`` are checked), or ``None``.
    running: AnalyzerInfo | None = None
    _products: dict[str, Any] = field(default_factory=dict, repr=False)
    #: > 0 while a product is being computed: products may read other products
    _depth: int = field(default=0, repr=False)

    def product(self, name: str) -> Any:
        """The shared product ``name``, computed on first use and kept for the article."""
        if self.running is not None and self._depth == 0 and name not in self.running.uses:
            raise ConfigError(f"analyzer {self.running.name!r} reads product {name!r} without declaring it "
                              f"in uses= of its registration")
        if name not in self._products:
            if name not in products.factories:
                raise ConfigError(f"unknown product {name!r} (known: {', '.join(sorted(products.factories))})")
            self._depth += 1
            try:
                self._products[name] = self.compute(name)
            finally:
                self._depth -= 1
        return self._products[name]

    def compute(self, name: str) -> Any:
        """Build product ``name`` for this context (the context of a long article,
        :class:`unspin.blocks.BlockedContext`, merges its blocks' products instead)."""
        return products.factories[name](self)

    @property
    def doc(self) -> "Doc":
        """The spaCy parse of ``analysis.text`` (product ``doc``)."""
        return self.product("doc")

    @property
    def ratings(self) -> "RatingsTable":
        return self.pipeline.ratings
