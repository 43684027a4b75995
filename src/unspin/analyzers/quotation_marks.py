"""Quotations in raw text: the spans between quotation marks, by mark pairs.

“…”, "…", «…», „…“, ‹…› and ‘…’ (a ’ closes a single quotation only when no
letter follows, so the apostrophe of "don’t" or "Russia’s" does not). A
quotation left open at the end of a paragraph runs to the paragraph's end when
the next paragraph opens with the same mark (the newspaper convention for long
quotes). Pure text work, no parse: the quotes analyzer attributes what this
finds (:mod:`unspin.analyzers.quotes`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Callable

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
#: Characters that may begin an opening mark, and that may begin a closing one.
_OPEN_CHAR_RE = re.compile("[" + re.escape("".join(sorted({m[0] for m in QUOTE_PAIRS}))) + "]")
_CLOSE_CHAR_RE = re.compile("[" + re.escape("".join(sorted({c[0] for cs in QUOTE_PAIRS.values() for c in cs}))) + "]")
_NEWLINE_RE = re.compile("\n")
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


def quotation_covering(quotations: list[Quotation], opens: list[int], char: int) -> Quotation | None:
    """The one of ``quotations`` (from :func:`find_quotations`, in text order; ``opens`` their
    opening offsets) that ``char`` lies in, marks included."""
    k = bisect.bisect_right(opens, char) - 1
    if k >= 0 and char < max(quotations[k].close_end, quotations[k].close + 1):
        return quotations[k]
    return None


def quoted_chars(quotations: list[Quotation]) -> Callable[[int], bool]:
    """A test of whether a character lies inside one of ``quotations`` (:func:`quotation_covering`)."""
    opens = [q.open for q in quotations]
    return lambda char: quotation_covering(quotations, opens, char) is not None


def _mark_at(text: str, i: int) -> str | None:
    if text.startswith("''", i):
        return "''"
    ch = text[i]
    return ch if ch in QUOTE_PAIRS else None


def find_quotations(text: str) -> list[Quotation]:
    """All top-level quotations, in order; nested marks stay inside.

    Linear in the text (up to a logarithm): where each mark may close and
    where each paragraph ends are found once, so a paragraph of 20,000
    unclosed marks does not scan to its end 20,000 times.
    """
    found: list[Quotation] = []
    n = len(text)
    closes = _CloseIndex(text)
    newlines = [m.start() for m in _NEWLINE_RE.finditer(text)]
    candidates = [m.start() for m in _OPEN_CHAR_RE.finditer(text)]
    k = 0
    i = 0
    while True:
        k = bisect.bisect_left(candidates, i, k)
        if k == len(candidates):
            break
        i = candidates[k]
        mark = _mark_at(text, i)
        if mark is None or not _opens(text, i, mark):
            i += 1
            continue
        p = bisect.bisect_left(newlines, i)
        para_end = newlines[p] if p < len(newlines) else n
        closing = closes.first(mark, i + len(mark), para_end)
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


def _close_at(text: str, j: int, closers: tuple[str, ...]) -> int | None:
    """The end of the closing mark at ``j`` (one of ``closers``), if it closes there."""
    for c in closers:
        if text.startswith(c, j):
            before = text[j - 1]
            after = text[j + len(c) : j + len(c) + 1]
            if c in ('"', "''") and before.isspace() and text[j - 2 : j - 1] not in ("'", "’"):
                return None  # a straight mark after a space opens; it does not close
            if c == "’" and after.isalnum():
                return None  # "don’t", "Russia’s": an apostrophe
            if c == "''" and j + 2 < len(text) and text[j + 2] == "'":
                return None
            return j + len(c)
    return None


class _CloseIndex:
    """Where each opening mark may close: sorted positions per mark, built once.

    Whether a mark closes at ``j`` depends on ``j`` alone (the characters
    around it), not on where the quotation opened, so the first close after
    an opening is a binary search instead of a scan to the paragraph's end.
    """

    def __init__(self, text: str) -> None:
        marks = [m.start() for m in _CLOSE_CHAR_RE.finditer(text) if m.start() > 0]
        self.positions: dict[str, list[int]] = {}
        self.ends: dict[str, list[int]] = {}
        for mark, closers in QUOTE_PAIRS.items():
            pos, ends = [], []
            for j in marks:
                end = _close_at(text, j, closers)
                if end is not None:
                    pos.append(j)
                    ends.append(end)
            self.positions[mark], self.ends[mark] = pos, ends

    def first(self, mark: str, start: int, stop: int) -> tuple[int, int] | None:
        """The first close of ``mark`` in ``[start, stop)``: (mark start, mark end)."""
        pos = self.positions[mark]
        k = bisect.bisect_left(pos, start)
        if k < len(pos) and pos[k] < stop:
            return pos[k], self.ends[mark][k]
        return None


def _next_paragraph_opens_with(text: str, para_end: int, mark: str) -> bool:
    rest = text[para_end : para_end + 200].lstrip()
    return rest.startswith(mark)
