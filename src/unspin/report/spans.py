"""Cut a text into segments at every span boundary, for highlighting.

Overlapping and nested findings (a speaker inside an entity, a technique
across a quote) cannot be shown as nested markup directly. Instead the text
is cut at every start and end of every span; each resulting segment is
covered by a fixed set of spans, and a renderer wraps it in one element per
covering span (or one element carrying all their classes).

>>> from unspin.types import Span
>>> [(s.text, [x.text for x in s.spans]) for s in segments("abcdef", [Span(1, 4, "bcd"), Span(3, 5, "de")])]
[('a', []), ('bc', ['bcd']), ('d', ['bcd', 'de']), ('e', ['de']), ('f', [])]
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Generic, Iterable, Protocol, TypeVar


class HasOffsets(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


S = TypeVar("S", bound=HasOffsets)


@dataclass(frozen=True)
class Segment(Generic[S]):
    """A piece ``text[start:end]`` covered by the same spans throughout."""

    start: int
    end: int
    text: str
    #: The spans covering the whole segment, outermost first: ordered by
    #: start, then by end descending (longer first), then input order.
    spans: tuple[S, ...]


def segments(text: str, spans: Iterable[S], start: int = 0, end: int | None = None) -> list[Segment[S]]:
    """Cut ``text[start:end]`` at every span boundary.

    Any object with integer ``start`` and ``end`` attributes is a span. The
    segments are contiguous, non-empty and cover ``[start, end)`` exactly;
    each lists the spans that cover it. Spans are clipped to the window;
    empty spans (after clipping) and spans outside it are ignored, so a
    renderer never fails on a bad offset.
    """
    stop = len(text) if end is None else min(end, len(text))
    begin = max(0, start)
    if begin >= stop:
        return []
    clipped: list[tuple[int, int, int, S]] = []
    for order, span in enumerate(spans):
        s, e = max(span.start, begin), min(span.end, stop)
        if s < e:
            clipped.append((s, e, order, span))
    clipped.sort(key=lambda c: (c[0], -c[1], c[2]))
    cuts = sorted({begin, stop, *(c[0] for c in clipped), *(c[1] for c in clipped)})
    covering: list[list[S]] = [[] for _ in range(len(cuts) - 1)]
    for s, e, _, span in clipped:
        for i in range(bisect_right(cuts, s) - 1, len(cuts) - 1):
            if cuts[i] >= e:
                break
            covering[i].append(span)
    return [
        Segment(start=a, end=b, text=text[a:b], spans=tuple(covering[i]))
        for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False))
    ]
