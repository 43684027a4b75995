"""Analyzers: each module registers its factory with ``pipeline.registry``."""

from . import entities, framing, provenance, quotes, techniques  # noqa: F401
