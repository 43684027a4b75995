"""Placeholder: replaced by the real quotes analyzer."""

from __future__ import annotations

from ..config import Options
from ..pipeline import Context, registry


class _Placeholder:
    name = "quotes"
    version = "0"

    def annotate(self, ctx: Context) -> None:
        return None


@registry.register("quotes")
def make_quotes(options: Options) -> _Placeholder:
    return _Placeholder()
