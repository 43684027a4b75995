"""Reading articles: files, directories, standard input, HTML and URLs.

:func:`read_input` turns one input spec (a path, ``-`` or an http(s) URL)
into an :class:`~unspin.article.Article`; :func:`expand_inputs` turns a
batch's specs into one spec per article file. Every user mistake (a missing
file, a binary file, a 404, a page without article text) raises
:class:`~unspin.errors.InputError` with one short line naming the input.

Modules: :mod:`.text` (decoding, titles), :mod:`.html` (trafilatura),
:mod:`.url` (fetching), :mod:`.files` (paths, directories, stdin),
:mod:`.verdict` (is the text a news article).
"""

from __future__ import annotations

import os
from typing import BinaryIO

from ..article import Article
from ..config import Options
from ..errors import InputError
from .files import ARTICLE_EXTENSIONS, HTML_EXTENSIONS, STDIN_SOURCE, expand_inputs, read_file, read_stdin
from .html import article_from_html
from .text import article_from_text, decode_bytes, guess_title, looks_like_html
from .url import fetch_url, is_public_address, is_url, url_scheme

__all__ = [
    "ARTICLE_EXTENSIONS",
    "HTML_EXTENSIONS",
    "STDIN_SOURCE",
    "article_from_html",
    "article_from_text",
    "decode_bytes",
    "expand_inputs",
    "fetch_url",
    "guess_title",
    "is_public_address",
    "is_url",
    "looks_like_html",
    "read_input",
]


def read_input(spec: str, options: Options, *, stdin: BinaryIO | None = None) -> Article:
    """Read one input: ``-`` (standard input), an http(s) URL, or a file path.

    * ``-`` reads bytes from ``stdin`` (default ``sys.stdin.buffer``) up to
      ``options.max_bytes``; ``kind="stdin"``, source ``-``.
    * ``http://`` / ``https://`` is fetched with :func:`fetch_url`
      (``kind="url"``); other ``scheme://`` inputs are refused.
    * Anything else is a file: ``kind="html"`` for .html/.htm/.xhtml or
      content that starts like HTML, else ``kind="text"`` with the text
      exactly as decoded.

    Raises :class:`InputError` (``"SOURCE: reason"``) for every unreadable
    input; no ``OSError``, ``httpx`` or ``UnicodeError`` escapes.
    """
    spec = os.fspath(spec)
    if spec == "-":
        return read_stdin(options.max_bytes, stdin)
    if is_url(spec):
        return fetch_url(spec, options)
    scheme = url_scheme(spec)
    if scheme is not None and not os.path.exists(spec):
        raise InputError(spec, f"unsupported URL scheme {scheme}; only http and https")
    return read_file(spec, options.max_bytes)
