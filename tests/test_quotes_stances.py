"""Quotes: reported beliefs and stances ("wants to", "called for", "accused … of", "urged")."""

from __future__ import annotations

import pytest

from unspin.article import Article
from unspin.pipeline import Pipeline
from unspin.types import Analysis, Quote


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(analyzers=("quotes",))


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


STANCES = (
    "Poland’s deputy foreign minister Zbigniew Łukaszewski wants to block the gas deal "
    "before the summit in Kraków.\n"
    "Senator Ana Núñez called for a ban on Russian gas imports.\n"
    "Łukaszewski accused Gazprom of using prices as a weapon against Warsaw.\n"
    "The Greens urged the Commission to delay the vote until spring.\n"
)


@pytest.mark.parametrize(
    ("content", "cue", "speaker", "name"),
    [
        ("to block the gas deal before the summit in Kraków", "wants", "Poland’s deputy foreign minister Zbigniew "
         "Łukaszewski", "Zbigniew Łukaszewski"),
        ("a ban on Russian gas imports", "called for", "Senator Ana Núñez", "Ana Núñez"),
        ("Gazprom of using prices as a weapon against Warsaw", "accused", "Łukaszewski", "Zbigniew Łukaszewski"),
        ("the Commission to delay the vote until spring", "urged", "The Greens", None),
    ],
)
def test_beliefs_and_stances_are_reported(pipe: Pipeline, content: str, cue: str, speaker: str, name: str | None):
    q = find(analyze(pipe, STANCES), content)
    assert q.kind == "indirect"
    assert q.cue is not None and q.cue.text == cue
    assert q.speaker is not None and q.speaker.text == speaker
    if name is not None:
        assert q.speaker.name == name


def test_a_reporting_verb_beside_a_quotation_reports_the_quotation(pipe: Pipeline) -> None:
    text = "“Moscow is laughing at us,” Łukaszewski told the Sejm’s committee on Thursday.\n"
    a = analyze(pipe, text)
    q = find(a, "Moscow is laughing at us")
    assert q.kind == "direct" and q.speaker is not None and q.speaker.text == "Łukaszewski"
    assert not any(x.content.text.startswith("the Sejm") for x in a.quotes)
