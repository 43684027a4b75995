"""Analyzers: each module registers its factory with ``pipeline.registry``."""

from . import entities, provenance, quotes  # noqa: F401
