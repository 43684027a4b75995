"""Analyzers: each module registers its factory and contract with :data:`base.registry`;
:mod:`.products` registers the shared products they read."""

from . import boilerplate, entities, framing, products, provenance, quotes, techniques  # noqa: F401
