"""unspin: how a news article persuades and where it comes from.

>>> import unspin
>>> a = unspin.analyze("examples/duran-style-article.txt")   # doctest: +SKIP
>>> a.provenance.outlet.name, [q.speaker.name for q in a.quotes]  # doctest: +SKIP
"""

from __future__ import annotations

import logging

from ._version import __version__  # noqa: E402,F401

from .api import analyze, analyze_many  # noqa: E402
from .article import Article  # noqa: E402
from .config import Options, load_options  # noqa: E402
from .corpus import Corpus, open_corpus  # noqa: E402
from .errors import ConfigError, InputError, ModelError, UnspinError  # noqa: E402
from .pipeline import Pipeline  # noqa: E402
from .report.html import notebook_html  # noqa: E402
from .types import Analysis, set_html_renderer  # noqa: E402

set_html_renderer(notebook_html)  # Analysis._repr_html_: the highlighted report in a notebook

__all__ = [
    "Analysis",
    "Article",
    "ConfigError",
    "Corpus",
    "InputError",
    "ModelError",
    "Options",
    "Pipeline",
    "UnspinError",
    "__version__",
    "analyze",
    "analyze_many",
    "load_options",
    "open_corpus",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
