"""Quotations in raw text: the spans between quotation marks, by mark pairs.

“…”, "…", «…», „…“, ‹…› and ‘…’ (a ’ closes a single quotation only when no
letter follows, so the apostrophe of "don’t" or "Russia’s" does not). A
quotation left open at the end of a paragraph runs to the paragraph's end when
the next paragraph opens with the same mark (the newspaper convention for long
quotes). Pure text work, no parse: the quotes analyzer attributes what this
finds (:mod:`unspin.analyzers.quotes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Opening mark → the marks that may close it. Typists mix curly and
#: straight marks (“…") and some newspapers write '' for a double quote.
QUOTE_PAIRS: dict[str, tuple[str, ...]] = {
    "“": ("”", '"', "''"),
    '"': ('"', "”", "''"),
    "''": ("''", '"', "”"),
    "„": ("“", "”"),
    "«": ("»",),
    "‹": ("›",),
    "‘": ("’",),
}
#: A straight mark opens a quotation after one of these (or at a line start).
_OPEN_CONTEXT = set(" \t\r\n([{—–-/:;,\u00a0“«„")
WORD_RE = re.compile(r"\w+")
#: Stripped from the end of a direct quote: the comma of “…,” he said.
_TRAILING_QUOTE_PUNCT = " \t\r\n,;:"


@dataclass
class Quotation:
    """Text between quotation marks.

    ``open`` indexes the opening mark, ``close`` the closing one and
    ``close_end`` the character after it (``close == close_end`` when the
    quotation runs on into the next paragraph); ``start``/``end`` delimit the
    quoted words.
    """

    open: int
    close: int
    close_end: int
    start: int
    end: int

    @property
    def closed(self) -> bool:
        return self.close_end > self.close

    def count_words(self, text: str) -> int:
        return len(WORD_RE.findall(text[self.start : self.end]))


def _mark_at(text: str, i: int) -> str | None:
    if text.startswith("''", i):
        return "''"
    ch = text[i]
    return ch if ch in QUOTE_PAIRS else None


def find_quotations(text: str) -> list[Quotation]:
    """All top-level quotations, in order; nested marks stay inside."""
    found: list[Quotation] = []
    n = len(text)
    i = 0
    while i < n:
        mark = _mark_at(text, i)
        if mark is None or not _opens(text, i, mark):
            i += 1
            continue
        para_end = text.find("\n", i)
        para_end = n if para_end < 0 else para_end
        closing = _find_close(text, i, mark, para_end)
        if closing is None:
            if not _next_paragraph_opens_with(text, para_end, mark):
                i += len(mark)
                continue
            close = close_end = para_end
        else:
            close, close_end = closing
        start, end = i + len(mark), close
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1] in _TRAILING_QUOTE_PUNCT:
            end -= 1
        if end > start:
            found.append(Quotation(open=i, close=close, close_end=close_end, start=start, end=end))
        i = max(close_end, i + 1)
    return found


def _opens(text: str, i: int, mark: str) -> bool:
    after = text[i + len(mark) : i + len(mark) + 1]
    if not after or after.isspace():
        return False
    if mark in ('"', "''", "‘"):
        prev = text[i - 1] if i > 0 else "\n"
        return prev in _OPEN_CONTEXT
    return True


def _find_close(text: str, i: int, mark: str, para_end: int) -> tuple[int, int] | None:
    closers = QUOTE_PAIRS[mark]
    j = i + len(mark)
    while j < para_end:
        for c in closers:
            if text.startswith(c, j):
                before = text[j - 1]
                after = text[j + len(c) : j + len(c) + 1]
                if c in ('"', "''") and before.isspace() and text[j - 2 : j - 1] not in ("'", "’"):
                    break  # a straight mark after a space opens; it does not close
                if c == "’" and after.isalnum():
                    break  # "don’t", "Russia’s": an apostrophe
                if c == "''" and j + 2 < len(text) and text[j + 2] == "'":
                    break
                return j, j + len(c)
        j += 1
    return None


def _next_paragraph_opens_with(text: str, para_end: int, mark: str) -> bool:
    rest = text[para_end : para_end + 200].lstrip()
    return rest.startswith(mark)
