"""Indexes over one article's text and parse, each built once in linear time,
that answer the questions the quote rules ask over ranges in constant or
logarithmic time (so that hostile text cannot make them quadratic)."""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


class Tree:
    """The dependency parse as plain lists, built once per article in linear time.

    spaCy walks the sentence on every ``Token.sent`` and the span of a
    token's subtree on every ``.children``, ``.lefts``, ``.rights`` and
    ``.subtree``; ``Span.root`` climbs to the root from each token. On a
    20,000-word "sentence" of hostile text, rules calling them for every
    token would take quadratic time. These lists answer the same questions
    in constant time.
    """

    def __init__(self, doc: "Doc") -> None:
        n = len(doc)
        self.doc = doc
        # HEAD is stored as an offset (an unsigned array of signed values)
        self.heads = [i + offset for i, offset in enumerate(doc.to_array("HEAD").view("int64").tolist())]
        self.children: list[list[int]] = [[] for _ in range(n)]
        for i, h in enumerate(self.heads):
            if h != i:
                self.children[h].append(i)
        self.sent_of = [0] * n
        self.sent_bounds: list[tuple[int, int]] = []
        for s, sent in enumerate(doc.sents):
            self.sent_bounds.append((sent.start, sent.end))
            for i in range(sent.start, sent.end):
                self.sent_of[i] = s
        # Depth, subtree extent and size, from the roots down (then up).
        order = [i for i in range(n) if self.heads[i] == i]
        self.depth = [0] * n
        for i in order:  # breadth-first: ``order`` grows as it is read
            for c in self.children[i]:
                self.depth[c] = self.depth[i] + 1
                order.append(c)
        self.reached = len(order) == n  # False only for a parse with a cycle
        self.sub_lo = list(range(n))
        self.sub_hi = list(range(n))
        self.sub_size = [1] * n
        for i in reversed(order):
            h = self.heads[i]
            if h != i:
                self.sub_lo[h] = min(self.sub_lo[h], self.sub_lo[i])
                self.sub_hi[h] = max(self.sub_hi[h], self.sub_hi[i])
                self.sub_size[h] += self.sub_size[i]
        self.order = order

    def kids(self, tok: "Token") -> list["Token"]:
        """``tok.children``."""
        return [self.doc[c] for c in self.children[tok.i]]

    def lefts(self, tok: "Token") -> list["Token"]:
        return [self.doc[c] for c in self.children[tok.i] if c < tok.i]

    def rights(self, tok: "Token") -> list["Token"]:
        return [self.doc[c] for c in self.children[tok.i] if c > tok.i]

    def sent(self, i: int) -> tuple[int, int]:
        """Token range ``[start, end)`` of the sentence of token ``i``."""
        return self.sent_bounds[self.sent_of[i]]

    def contiguous(self, i: int) -> bool:
        """Whether the subtree of ``i`` is exactly the tokens ``sub_lo..sub_hi``."""
        return self.sub_size[i] == self.sub_hi[i] - self.sub_lo[i] + 1

    def subtree(self, i: int) -> list[int]:
        """Indices of the subtree of ``i`` (any order)."""
        found, stack = [], [i]
        while stack:
            j = stack.pop()
            found.append(j)
            stack.extend(self.children[j])
        return found

    def span_root(self, lo: int, hi: int) -> "Token":
        """``doc[lo:hi].root``: the first sentence root in the span, else the
        token with the shortest path to the root whose head is outside the
        span (a childless space or punctuation only as a last resort, as
        spaCy does), the first one on ties."""
        doc = self.doc
        for i in range(lo, hi):
            if self.heads[i] == i:
                return doc[i]
        if not self.reached:
            return doc[lo:hi].root
        best, root = len(doc), -1
        for i in range(lo, hi):
            if lo <= self.heads[i] < hi:
                continue
            tok = doc[i]
            leaf = not self.children[i] and (tok.is_space or tok.is_punct)
            depth = len(doc) - 1 if leaf else self.depth[i]
            if depth < best:
                best, root = depth, i
        return doc[root] if root >= 0 else doc[lo]


class Counts:
    """How many items of a flag list are true in a range, in constant time."""

    def __init__(self, flags: Iterable[bool]) -> None:
        self.prefix = [0]
        for f in flags:
            self.prefix.append(self.prefix[-1] + bool(f))

    def between(self, lo: int, hi: int) -> int:
        """True flags among indices ``lo..hi`` (inclusive; 0 when ``lo > hi``)."""
        if lo > hi:
            return 0
        lo = max(lo, 0)
        hi = min(hi, len(self.prefix) - 2)
        return self.prefix[hi + 1] - self.prefix[lo] if lo <= hi else 0


class CharRuns:
    """Maximal runs of a character class in the text, to count them in any slice."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in pattern.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())

    def count(self, a: int, b: int) -> int:
        """``len(pattern.findall(text[a:b]))`` without slicing."""
        if a >= b:
            return 0
        k = bisect.bisect_left(self.starts, a)
        n = bisect.bisect_left(self.starts, b) - k
        if k > 0 and self.ends[k - 1] > a:
            n += 1  # a run that begins before ``a`` reaches into the slice
        return n


class CharTotals:
    """How many characters of a class a slice of the text holds, without slicing."""

    def __init__(self, text: str, runs: re.Pattern[str]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before = [0]  # characters in the runs before run k
        for m in runs.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.before.append(self.before[-1] + m.end() - m.start())

    def count(self, a: int, b: int) -> int:
        if a >= b:
            return 0
        first = bisect.bisect_right(self.ends, a)  # the first run ending after a
        stop = bisect.bisect_left(self.starts, b)  # runs from here on start at or after b
        if first >= stop:
            return 0
        total = self.before[stop] - self.before[first]
        total -= max(0, a - self.starts[first])  # the part of the first run before a
        total -= max(0, self.ends[stop - 1] - b)  # the part of the last run after b
        return total


class Skip:
    """Nearest index at or after (before) each position whose flag is false."""

    def __init__(self, skip: list[bool]) -> None:
        n = len(skip)
        self.next = [n] * (n + 1)
        for i in range(n - 1, -1, -1):
            self.next[i] = self.next[i + 1] if skip[i] else i
        self.prev = [-1] * n
        last = -1
        for i in range(n):
            if not skip[i]:
                last = i
            self.prev[i] = last


class Taken:
    """Quotations already attributed or absorbed, with a jump to the next free one."""

    def __init__(self, n: int) -> None:
        self.flags = [False] * n
        self._next = list(range(n + 1))

    def __contains__(self, k: int) -> bool:
        return self.flags[k]

    def free_from(self, k: int) -> int:
        """The first quotation index ``>= k`` not taken (``n`` if none)."""
        root = k
        while self._next[root] != root:
            root = self._next[root]
        while self._next[k] != root:
            self._next[k], k = root, self._next[k]
        return root

    def take(self, k: int) -> None:
        self.flags[k] = True
        self._next[k] = k + 1


class Intervals:
    """Whether any of a fixed set of character ranges overlaps a range."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.max_end = []
        best = -1
        for _, b in ordered:
            best = max(best, b)
            self.max_end.append(best)

    def overlaps(self, a: int, b: int) -> bool:
        k = bisect.bisect_left(self.starts, b)
        return k > 0 and self.max_end[k - 1] > a

