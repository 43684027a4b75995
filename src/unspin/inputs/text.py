"""Plain text: decoding bytes exactly as read, titles, HTML sniffing.

Every offset in an analysis points into :attr:`Article.text`, so text is
decoded without any normalisation: no newline conversion, no stripping, a
UTF-8 byte order mark kept as U+FEFF. Only when a file is not UTF-8 is its
encoding guessed, and only a confident guess is used.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..article import Article
from ..errors import InputError

__all__ = [
    "article_from_text",
    "decode_bytes",
    "decode_with_charset",
    "guess_title",
    "looks_like_html",
    "format_size",
]

#: A title line is at most this long (SemEval titles are one short line).
MAX_TITLE_CHARS = 250

#: Above this chaos (0..1, charset-normalizer's measure of how much a decoding
#: looks like noise) a guessed encoding is rejected.
MAX_CHAOS = 0.2

#: Unicode byte order marks and the codecs that decode the rest *keeping* the
#: BOM as U+FEFF, so that the text lines up with the file. UTF-32 first: its
#: little-endian BOM starts with the UTF-16 one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Magic numbers of common binary formats someone may pass by mistake.
_BINARY_SIGNATURES: tuple[bytes, ...] = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"PK\x03\x04",  # zip, docx, epub, odt
    b"\x1f\x8b",  # gzip
    b"\x7fELF",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # MS Office (OLE)
    b"SQLite format 3\x00",
    b"OggS",
    b"fLaC",
    b"\x00asm",
)

#: Control bytes that do occur in text files: tab, LF, VT, FF, CR, ESC.
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b")
_SNIFF_BYTES = 8192
#: Share of other control bytes above which data is taken as binary.
_MAX_CONTROL_SHARE = 0.3

#: Charset labels that browsers (WHATWG) read as windows-1252.
_CP1252_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "us-ascii", "ascii", "cp819", "ibm819"}
)

def format_size(n: int) -> str:
    """``n`` bytes for people: ``200.0 MB``, ``12.3 KB`` or ``512 bytes``."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _is_binary(data: bytes) -> bool:
    if data.startswith(_BINARY_SIGNATURES):
        return True
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    return controls > _MAX_CONTROL_SHARE * len(head)


def _is_blank(text: str) -> bool:
    return not text.replace("\ufeff", "").strip()


def decode_bytes(data: bytes, source: str, *, noun: str = "file") -> str:
    """Decode ``data`` read from ``source`` exactly as it is.

    UTF-8 comes first and is decoded as read (a BOM stays as U+FEFF, CRLF
    stays CRLF). A UTF-16/32 BOM selects that encoding. Otherwise the
    encoding is detected with charset-normalizer and used only when the
    detection is confident; windows-1252, the usual legacy encoding of
    English news, wins ties. ``noun`` names the input in messages
    (``file``, ``input``, ``page``).

    Raises :class:`InputError` with ``"{noun} is empty"``, ``"binary {noun}
    (not text or HTML)"`` or ``"cannot decode text (not UTF-8 and no other
    encoding fits)"``.
    """
    if not data.strip():
        raise InputError(source, f"{noun} is empty")
    text = _decode_bom(data, source)
    if text is None:
        if _is_binary(data):
            raise InputError(source, f"binary {noun} (not text or HTML)")
        text = _decode_utf8(data)
    if text is None:
        text = _detect(data)
    if text is None:
        raise InputError(source, "cannot decode text (not UTF-8 and no other encoding fits)")
    if _is_blank(text):
        raise InputError(source, f"{noun} is empty")
    return text


def decode_with_charset(data: bytes, charset: str | None, source: str, *, noun: str = "file") -> str:
    """Decode with a declared ``charset`` (HTTP header, ``<meta>``) when it fits.

    Labels browsers read as windows-1252 (``iso-8859-1``, ``ascii``) are read
    that way. An unknown label, or one the data does not decode with, falls
    back to :func:`decode_bytes`, which also refuses empty and binary data.
    """
    if not charset or not data.strip() or _is_binary(data) or data.startswith(tuple(b for b, _ in _BOMS)):
        return decode_bytes(data, source, noun=noun)
    label = charset.strip().strip("\"'").lower()
    encodings = ["cp1252", "latin-1"] if label in _CP1252_LABELS else [label]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeError):
            continue
        if not _is_blank(text):
            return text
    return decode_bytes(data, source, noun=noun)


def _decode_bom(data: bytes, source: str) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                name = encoding.upper()[:6]
                raise InputError(source, f"cannot decode text (invalid {name} after its byte order mark)") from None
    return None


def _decode_utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few stray legacy bytes (text pasted together from
    # several sources): keep the UTF-8 and read each stray byte as cp1252.
    replaced = data.decode("utf-8", errors="replace")
    stray = replaced.count("\ufffd") - data.count("\ufffd".encode())
    valid = len(replaced) - len(replaced.encode("ascii", errors="ignore")) - stray
    if valid == 0 or stray >= valid:
        return None
    return data.decode("utf-8", errors=_STRAY_AS_CP1252)


def _stray_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    stray = exc.object[exc.start : exc.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in stray), exc.end


_STRAY_AS_CP1252 = "unspin.stray-as-cp1252"
_NO_BOMLESS_UTF16_32 = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le"]
codecs.register_error(_STRAY_AS_CP1252, _stray_as_cp1252)


def _detect(data: bytes) -> str | None:
    # UTF-16/32 without a BOM is refused earlier (ASCII in it gives NULs);
    # keep charset-normalizer from "finding" it in short legacy text.
    matches = from_bytes(data, threshold=MAX_CHAOS, cp_exclusion=_NO_BOMLESS_UTF16_32)
    best = matches.best()
    best_chaos = best.chaos if best is not None and best.chaos <= MAX_CHAOS else None
    encoding = best.encoding if best_chaos is not None and best is not None else None
    # windows-1252 wins when it reads the data as cleanly as the best guess:
    # detection cannot tell it from cp1250 & co. on English text, where one
    # "ï" or "é" is all there is to go by.
    if encoding != "cp1252":
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            cp1252 = from_bytes(data, threshold=MAX_CHAOS, cp_isolation=["cp1252"]).best()
            if cp1252 is not None and cp1252.chaos <= MAX_CHAOS:
                if best_chaos is None or cp1252.chaos <= best_chaos + 0.01:
                    encoding = "cp1252"
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeError):
        return None


def looks_like_html(data: bytes | str) -> bool:
    """Whether content starts like an HTML document (``<!doctype html``, ``<html``).

    A leading BOM, whitespace, XML declaration or comments may come first.
    """
    head = data[:1024]
    if isinstance(head, bytes):
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                head = head.decode(encoding, errors="ignore")
                break
        else:
            head = head.decode("latin-1")
    head = head.lstrip("\ufeff \t\r\n\x0c").lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    return head.startswith(("<?xml", "<!--")) and bool(re.search(r"<(?:!doctype\s+)?html[\s>]", head))


def guess_title(text: str) -> str | None:
    """The first line, when it is a title: short and followed by a blank line.

    That is the SemEval layout ("title, blank line, one paragraph per line").
    Returns ``None`` otherwise. A ``\\r`` before the newline and a leading BOM
    are not part of the title.
    """
    lines = text.split("\n", 2)
    if len(lines) < 3:
        return None
    first, second, rest = lines
    title = first.replace("\ufeff", "").strip()
    if not title or second.strip() or not rest.strip():
        return None
    if len(title) > MAX_TITLE_CHARS or "\r" in title:
        return None
    return title


def article_from_text(
    text: str,
    *,
    source: str = "<text>",
    kind: str = "text",
    title: str | None = None,
    url: str | None = None,
) -> Article:
    """An :class:`Article` of plain ``text``, kept exactly as given.

    ``title`` defaults to :func:`guess_title` of the text.
    """
    return Article(
        source=source,
        text=text,
        kind=kind,
        title=title if title is not None else guess_title(text),
        url=url,
    )
