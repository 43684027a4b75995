"""Corpus mode: ingest many articles into a store, deduplicate, search, profile.

Modules: :mod:`.sources` (directories, feeds, tables, WARC → tasks),
:mod:`.ingest` (analysis in worker processes, one writer),
:mod:`.dedup` (MinHash near-duplicates), :mod:`.labels` (rows derived
from the analysis JSON), :mod:`.profile` (outlet profiles),
:mod:`.export` (Parquet, CSV, JSON Lines).
"""
