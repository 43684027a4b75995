"""Files, directories and standard input."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from ..article import Article
from ..errors import InputError
from .html import article_from_html, decode_html_bytes
from .text import article_from_text, decode_bytes, format_size, looks_like_html
from .url import url_scheme

__all__ = ["ARTICLE_EXTENSIONS", "HTML_EXTENSIONS", "STDIN_SOURCE", "expand_inputs", "read_file", "read_stdin"]

HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
#: Files a directory is expanded to (compared lower-case).
ARTICLE_EXTENSIONS = frozenset({".txt", ".text", ".md"}) | HTML_EXTENSIONS
#: ``Article.source`` and error prefix of standard input (``-``).
STDIN_SOURCE = "-"
_CHUNK = 1 << 16


def _is_passthrough(spec: str) -> bool:
    return spec == "-" or url_scheme(spec) is not None


def _article_files(root: str, errors: list[str] | None = None) -> list[str]:
    found: list[tuple[tuple[str, ...], str]] = []

    def on_error(exc: OSError) -> None:
        if errors is not None and exc.filename:
            errors.append(str(exc.filename))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or Path(name).suffix.lower() not in ARTICLE_EXTENSIONS:
                continue
            path = os.path.join(dirpath, name)
            found.append((Path(os.path.relpath(path, root)).parts, path))
    for path in errors or ():
        if path != root:
            found.append((Path(os.path.relpath(path, root)).parts, path))
    return [path for _, path in sorted(found)]


def expand_inputs(specs: Sequence[str]) -> list[str]:
    """Expand directories to the article files in them; pass the rest through.

    A directory becomes its files ending in .txt .text .md .html .htm
    .xhtml (any case), recursively, in sorted order of their paths below
    it; hidden files and directories (``.name``) are skipped, and so are
    symbolic links to directories. A directory without such files, or one
    that cannot be listed, is kept so that reading it reports why. Files,
    ``-``, URLs and paths that do not exist pass through unchanged, to fail
    (or not) when read, so that a batch can report each.
    """
    out: list[str] = []
    for spec in specs:
        spec = os.fspath(spec)
        if not _is_passthrough(spec) and os.path.isdir(spec):
            errors: list[str] = []
            files = _article_files(spec, errors)
            out.extend(files or [spec])
        else:
            out.append(spec)
    return out


def _read_capped(stream: BinaryIO, limit: int, source: str, noun: str) -> bytes:
    """Read to the end, refusing more than ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise InputError(source, f"{noun} is too large (more than {format_size(limit)}, see --max-bytes)")


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    if exc.errno == errno.ENOTDIR:
        return "no such file (a part of the path is not a directory)"
    return f"cannot read ({(exc.strerror or type(exc).__name__).lower()})"


def _to_article(data: bytes, source: str, *, kind: str, html: bool, noun: str) -> Article:
    if html or looks_like_html(data):
        text = decode_html_bytes(data, source, noun=noun)
        return article_from_html(text, source=source, kind="html" if kind == "text" else kind)
    return article_from_text(decode_bytes(data, source, noun=noun), source=source, kind=kind)


def read_file(path: str, max_bytes: int) -> Article:
    """Read one file: HTML by extension or content, else plain text.

    The size is checked before reading. ``kind`` is ``"html"`` or
    ``"text"``; errors are :class:`InputError` naming ``path``.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(path, _os_reason(exc)) from None
    except ValueError:  # embedded NUL byte
        raise InputError(path, "no such file") from None
    if stat.S_ISDIR(info.st_mode):
        try:
            os.listdir(path)
        except OSError as exc:
            raise InputError(path, _os_reason(exc)) from None
        if _article_files(path):
            raise InputError(path, "is a directory (give it with other inputs to analyse each of its files)")
        raise InputError(path, "is a directory with no article files")
    regular = stat.S_ISREG(info.st_mode)
    if regular and info.st_size > max_bytes:
        raise InputError(
            path, f"file is too large ({format_size(info.st_size)}; limit {format_size(max_bytes)}, see --max-bytes)"
        )
    if regular and info.st_size == 0:
        raise InputError(path, "file is empty")
    try:
        with open(path, "rb") as stream:
            data = _read_capped(stream, max_bytes, path, "file")
    except OSError as exc:
        raise InputError(path, _os_reason(exc)) from None
    html = Path(path).suffix.lower() in HTML_EXTENSIONS
    return _to_article(data, path, kind="text", html=html, noun="file")


def read_stdin(max_bytes: int, stdin: BinaryIO | None = None) -> Article:
    """Read standard input (or ``stdin``) up to ``max_bytes``; ``kind="stdin"``.

    HTML is recognised by its content. Source and errors name it ``-``.
    """
    try:
        stream = stdin if stdin is not None else sys.stdin.buffer
    except AttributeError:
        raise InputError(STDIN_SOURCE, "no standard input to read") from None
    try:
        data = _read_capped(stream, max_bytes, STDIN_SOURCE, "input")
    except OSError as exc:
        reason = (exc.strerror or str(exc) or "error").lower()
        raise InputError(STDIN_SOURCE, f"cannot read standard input ({reason})") from None
    return _to_article(data, STDIN_SOURCE, kind="stdin", html=False, noun="input")
