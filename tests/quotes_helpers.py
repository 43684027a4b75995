"""Helpers shared by the quotes tests: analyse with offsets checked, and find a quote by its content."""

from __future__ import annotations

from unspin.article import Article
from unspin.pipeline import Pipeline
from unspin.types import Analysis, Quote


def analyze(pipe: Pipeline, text: str) -> Analysis:
    analysis = pipe.analyze(Article(source="test", text=text))
    for q in analysis.quotes:  # offsets are sacred
        for span in (q.content, q.cue, q.speaker, q.speaker and q.speaker.resolved):
            if span is not None:
                assert analysis.text[span.start : span.end] == span.text
    return analysis


def find(analysis: Analysis, content: str) -> Quote:
    found = [q for q in analysis.quotes if q.content.text == content]
    assert found, f"no quote {content!r} in {[q.content.text for q in analysis.quotes]}"
    return found[0]
