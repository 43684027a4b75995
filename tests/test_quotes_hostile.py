"""Bounded work on hostile text: the quotes path grows linearly with its input.

Work is counted, not timed: the number of Python lines the quotes analyzer
executes (``sys.settrace``) on an input of ``n`` repetitions of a hostile
pattern and on one of ``4 n``. A rule that walks the article for each mark,
token or mention makes the count grow about 16-fold; linear code about
4-fold. spaCy's own work is C code the trace does not see: its tokenizer is
kept linear by the doc product (``unspin.blocks.parse_bounded``, tested in
tests/test_blocks.py), its parser and tagger are linear.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.analyzers.names import NameIndex, name_words
from unspin.analyzers.quotation_marks import QUOTE_PAIRS, find_quotations
from unspin.analyzers.quotes import MAX_NESTING, QuoteExtractor
from unspin.article import Article
from unspin.blocks import MAX_RUN, parse_bounded
from unspin.pipeline import Pipeline

from .hostile import HOSTILE

#: Repetitions of each pattern in the smaller input (the larger has 4 times as many).
N = 100
#: Allowed growth of the work for a fourfold input: linear code stays near 4
#: (4.1 with the logarithm of a sorted index); quadratic code reaches 8 to 16.
MAX_GROWTH = 4.5


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(analyzers=("entities",))


def traced_lines(fn: Callable[..., Any], *args: Any) -> tuple[int, Any]:
    """Python lines executed by ``fn(*args)``, in every frame it calls, and its result."""
    count = 0

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: local)
    try:
        result = fn(*args)
    finally:
        sys.settrace(previous)
    return count, result


def quotes_work(pipe: Pipeline, text: str) -> int:
    """Lines the quotes analyzer runs on ``text`` (parsed beforehand; spaCy's entities)."""
    doc = parse_bounded(pipe.nlp, text)
    work, quotes = traced_lines(QuoteExtractor().extract, text, doc, None)
    for q in quotes:  # offsets hold on garbage too
        for span in (q.content, q.cue, q.speaker):
            if span is not None:
                assert text[span.start : span.end] == span.text
    return work


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_quotes_work_grows_linearly(pipe: Pipeline, name: str) -> None:
    small = quotes_work(pipe, HOSTILE[name](N))
    large = quotes_work(pipe, HOSTILE[name](4 * N))
    assert large <= MAX_GROWTH * small, f"{name}: {small} -> {large} lines ({large / small:.1f}x for 4x the input)"


def test_nested_reports_are_reported_a_bounded_number_of_times(pipe: Pipeline) -> None:
    """“He said that he said that …”: each character is in at most MAX_NESTING contents."""
    text = HOSTILE["nested-reports"](300)
    quotes = QuoteExtractor().extract(text, pipe.nlp(text), None)
    assert quotes
    assert sum(q.content.end - q.content.start for q in quotes) <= MAX_NESTING * len(text)


def test_nested_reports_keep_the_outer_speakers(pipe: Pipeline) -> None:
    text = "Smith said that Jones said that Brown said that the vote was rigged."
    quotes = QuoteExtractor().extract(text, pipe.nlp(text), None)
    assert [q.speaker.text for q in quotes if q.speaker] == ["Smith", "Jones", "Brown"]


# -- a long run of marks through the whole pipeline -----------------------------


@pytest.mark.parametrize("mark", ["“", "’", "(", '"', "👍🏽"])
def test_a_wall_of_marks_is_a_few_tokens(pipe: Pipeline, mark: str) -> None:
    """The parser sees 100 tokens for 20,000 marks, not 20,000 (its work is linear in tokens)."""
    text = f"He said {mark * 10_000} and left."
    doc = parse_bounded(pipe.nlp, text)
    assert doc.text == text
    assert all(text[t.idx : t.idx + len(t)] == t.text for t in doc)
    assert len(doc) <= len(mark * 10_000) // MAX_RUN + 8
    assert [t.text for t in doc][:2] == ["He", "said"] and [t.text for t in doc][-3:] == ["and", "left", "."]


def test_long_run_is_analysed_with_offsets(pipe: Pipeline) -> None:
    text = "Smith said: “" + "“" * 20_000 + " the end.”"
    analysis = Pipeline(analyzers=("quotes",)).analyze(Article(source="hostile", text=text))
    for q in analysis.quotes:
        assert text[q.content.start : q.content.end] == q.content.text


# -- the indexes give the answers of the plain scans they replace -------------


def reference_quotations(text: str) -> list[tuple[int, int, int, int, int]]:
    """The quotation finder as first written: a scan to the paragraph's end per mark."""
    from unspin.analyzers.quotation_marks import _TRAILING_QUOTE_PUNCT, _mark_at, _opens

    def find_close(i: int, mark: str, para_end: int) -> tuple[int, int] | None:
        j = i + len(mark)
        while j < para_end:
            for c in QUOTE_PAIRS[mark]:
                if text.startswith(c, j):
                    before, after = text[j - 1], text[j + len(c) : j + len(c) + 1]
                    if c in ('"', "''") and before.isspace() and text[j - 2 : j - 1] not in ("'", "’"):
                        break
                    if c == "’" and after.isalnum():
                        break
                    if c == "''" and j + 2 < len(text) and text[j + 2] == "'":
                        break
                    return j, j + len(c)
            j += 1
        return None

    found, i, n = [], 0, len(text)
    while i < n:
        mark = _mark_at(text, i)
        if mark is None or not _opens(text, i, mark):
            i += 1
            continue
        para_end = text.find("\n", i)
        para_end = n if para_end < 0 else para_end
        closing = find_close(i, mark, para_end)
        if closing is None:
            if not text[para_end : para_end + 200].lstrip().startswith(mark):
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
            found.append((i, close, close_end, start, end))
        i = max(close_end, i + 1)
    return found


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(list("ab ’'\"“”„«»‹›‘\n,.:(") + ["''", "  "]), max_size=40).map("".join))
def test_find_quotations_equals_the_plain_scan(text: str) -> None:
    found = [(q.open, q.close, q.close_end, q.start, q.end) for q in find_quotations(text)]
    assert found == reference_quotations(text)


TITLES = frozenset({"mr", "president", "sen"})


def reference_fullest(names: list[tuple[str, int]], text: str, pos: int) -> str | None:
    """NameIndex.fullest as first written: scans of every name with the same last word."""
    by_key: dict[str, list[tuple[int, str]]] = {}
    mentions: dict[str, list[tuple[int, str]]] = {}
    for name, start in names:
        words = name_words(name, TITLES)
        if words:
            key, full = words[-1].lower(), " ".join(words)
            if all(n != full for _, n in by_key.get(key, [])):
                by_key.setdefault(key, []).append((start, full))
            mentions.setdefault(key, []).append((start, full))
    words = name_words(text, TITLES)
    if not words:
        return None
    key = words[-1].lower()
    candidates = [n for _, n in by_key.get(key, [])]
    if not candidates:
        return " ".join(words) if len(words) > 1 else None
    if len(words) > 1:
        low = [w.lower() for w in words]
        same = [c for c in candidates if (cw := c.lower().split())[0] == low[0] or cw == low[-len(cw):]
                or low == cw[-len(low):]]
        return max(same, key=lambda c: len(c.split())) if same else " ".join(words)
    full = [c for c in candidates if len(c.split()) > 1] or candidates
    before = [(s, n) for s, n in mentions.get(key, []) if s <= pos and n in full]
    latest = max(before)[1] if before else min((s, n) for s, n in by_key[key] if n in full)[1]
    longer = [c for c in full if c.split()[0] == latest.split()[0]]
    return max(longer, key=lambda c: len(c.split())) if longer else latest


NAME = st.builds(
    lambda first, last, end: " ".join(first + [last]) + end,
    st.lists(st.sampled_from(["John", "Jo", "john", "Ann", "Mr.", "President", "Kim", "Jong", "Un"]), max_size=3),
    st.sampled_from(["Smith", "Kim", "smith", "Un", "Jones"]),
    st.sampled_from(["", "'s", "’"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(NAME, st.integers(0, 100)), max_size=8), NAME, st.integers(0, 100))
def test_fullest_name_equals_the_plain_scan(names: list[tuple[str, int]], text: str, pos: int) -> None:
    index = NameIndex(TITLES)
    for name, start in names:
        index.add(name, start)
    assert index.fullest(text, pos) == reference_fullest(names, text, pos)
