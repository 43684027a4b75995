"""Named entities: offsets on Unicode text and outlet names typed as ORG."""

from __future__ import annotations

import pytest

from unspin.article import Article
from unspin.pipeline import Pipeline


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(analyzers=("entities",))


def test_entities_offsets_on_unicode_text(pipe):
    text = "🙂🙂 Zbigniew Łukaszewski met Angela Merkel in Kraków on Tuesday.\r\nThe talks failed."
    a = pipe.analyze(Article(source="t", text=text))
    assert a.entities, "expected named entities"
    for e in a.entities:
        assert text[e.start:e.end] == e.text
    assert "Angela Merkel" in {e.text for e in a.entities if e.type == "PERSON"}


def test_entities_known_outlets_are_organisations(pipe):
    text = "Poland’s deputy minister told Politico the deal was a mistake, and RT reported the same."
    a = pipe.analyze(Article(source="t", text=text))
    types = {e.text: e.type for e in a.entities}
    assert types.get("Politico") == "ORG"
    assert types.get("RT") == "ORG"


def test_entities_numeric_types_left_out(pipe):
    a = pipe.analyze(Article(source="t", text="Prices rose 4% to $300 on 3 March 2024 in Paris."))
    assert {e.type for e in a.entities} <= {"GPE", "LOC", "ORG", "PERSON", "NORP"}
