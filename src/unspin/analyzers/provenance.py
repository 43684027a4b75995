"""Placeholder: replaced by the real provenance analyzer."""

from __future__ import annotations

from ..config import Options
from ..pipeline import Context, registry


class _Placeholder:
    name = "provenance"
    version = "0"

    def annotate(self, ctx: Context) -> None:
        return None


@registry.register("provenance")
def make_provenance(options: Options) -> _Placeholder:
    return _Placeholder()
