"""Corpus mode: ingest many articles into a store, deduplicate, search, profile.

Modules: :mod:`.api` (:class:`Corpus`, :func:`open_corpus`: the store with
the operations below), :mod:`.sources` (directories, feeds, tables, WARC →
tasks), :mod:`.ingest` (analysis in worker processes, one writer),
:mod:`.writer` (one analysis → rows), :mod:`.dedup` (MinHash
near-duplicates), :mod:`.labels` (rows derived from the analysis JSON),
:mod:`.search` (full text), :mod:`.stats` (counts), :mod:`.profile`
(outlet profiles), :mod:`.stories` (same-event stories), :mod:`.export`
(Parquet, CSV, JSON Lines).

The storage itself (connection, tables, transactions) is :mod:`unspin.store`,
which knows nothing of this package.
"""

from .api import Corpus, open_corpus

__all__ = ["Corpus", "open_corpus"]
