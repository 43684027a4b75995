"""Label sets the framing models and analyzers share."""

from __future__ import annotations

GENRES = ("reporting", "opinion", "satire")
MAIN_ROLES = ("Protagonist", "Antagonist", "Innocent")
