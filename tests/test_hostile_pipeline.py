"""Bounded work on hostile text, for the whole default pipeline, not only the quotes path.

Each hostile input of ``tests/hostile.py`` is analysed by the default
pipeline (boilerplate, entities, provenance, quotes, techniques) at ``n``
and ``4 n`` repetitions; the Python lines executed (``sys.settrace``,
counted, not timed) must grow about fourfold. Native code (spaCy's parser,
onnxruntime, numpy) is not traced: it is linear in the tokens and the
encoder's windows, and a wall of marks is a few tokens (tests/test_blocks.py).
"""

from __future__ import annotations

import pytest

from unspin.inputs import article_from_text
from unspin.pipeline import Pipeline

from .hostile import HOSTILE
from .test_quotes_hostile import MAX_GROWTH, traced_lines

pytestmark = pytest.mark.slow  # the full pipeline under a tracer: about a minute

N = 50


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    pipe = Pipeline()
    pipe.warm_up()
    return pipe


def pipeline_work(pipe: Pipeline, text: str) -> int:
    article = article_from_text(text, source="hostile")
    pipe.analyze(article)  # once untraced: caches filled, so both sizes count the same kind of work
    work, analysis = traced_lines(pipe.analyze, article_from_text(text, source="hostile"))
    for quote in analysis.quotes:  # offsets hold on garbage too
        assert text[quote.content.start:quote.content.end] == quote.content.text
    for span in analysis.techniques:
        assert text[span.start:span.end] == span.text
    return work


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_pipeline_work_grows_linearly(pipe: Pipeline, name: str) -> None:
    small = pipeline_work(pipe, HOSTILE[name](N))
    large = pipeline_work(pipe, HOSTILE[name](4 * N))
    assert large <= MAX_GROWTH * small, f"{name}: {small} -> {large} lines ({large / small:.1f}x for 4x the input)"
