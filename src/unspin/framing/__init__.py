"""Framing: genre, frames, narratives and the roles entities are cast in (inference).

* :mod:`.features`: hashed word/bigram TF-IDF features (numpy at inference);
* :mod:`.model`: linear heads, calibration, thresholds, checksummed
  artifacts (``meta.json`` + SHA-256 via :mod:`unspin.models.artifact`);
* :mod:`.doc`: the frames and narratives models (fast tier);
* :mod:`.accurate`: the accurate frames head over the shared MiniLM pass
  (narratives stay fast);
* :mod:`.genre`: the genre model over writing signals (both tiers);
* :mod:`.treatment`: entity roles from how the article treats each entity
  (both tiers);
* :mod:`.metrics`: the official metrics.

The data readers are in :mod:`unspin.datasets.framing`, training and
cross-validation in :mod:`unspin.training`, the analyzers in
:mod:`unspin.analyzers.framing`, the commands in :mod:`unspin.cli.framing`,
the shipped models in ``unspin/models/``.
"""
