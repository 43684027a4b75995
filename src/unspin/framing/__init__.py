"""Framing: genre, frames, narratives and the roles entities are cast in.

* :mod:`.data`: the SemEval-2023 task 3 (genre, frames) and SemEval-2025
  task 10 (narratives, entity roles) English data, read exactly;
* :mod:`.features`: hashed word/bigram TF-IDF features (numpy at inference);
* :mod:`.model`: linear heads, calibration, thresholds, checksummed
  artifacts (``meta.json`` + SHA-256 via :mod:`unspin.techniques.artifact`);
* :mod:`.doc`: genre, frames and narratives models; :mod:`.treatment`:
  entity roles from how the article treats each entity (both tiers);
* :mod:`.accurate`: the accurate tier, heads over the shared MiniLM pass
  (genre, frames; narratives stay fast);
* :mod:`.metrics` and :mod:`.evaluate`: the official metrics and the
  5-fold cross-validation by article against simple baselines (and of the
  accurate heads against the fast models on the same folds).

The analyzers are in :mod:`unspin.analyzers.framing`, the commands in
:mod:`unspin.cli.framing`, the shipped models in ``unspin/models/<task>-fast``
and ``unspin/models/<task>-accurate``.
"""
