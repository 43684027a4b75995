"""Quotes: reported beliefs and stances ("wants to", "called for", "accused … of", "urged")."""

from __future__ import annotations

import pytest

from unspin.pipeline import Pipeline

from .quotes_helpers import analyze, find


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(analyzers=("quotes",))


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


SEE_AS = (
    "If the rebels are fighting the army too, then the West can see the rebels as a strategic ally in "
    "wearing down the army’s strength, which helps advance NATO’s cause.\n"
)


def test_relative_clause_after_the_object_is_not_what_was_said(pipe: Pipeline):
    # the parser hangs ", which helps advance NATO’s" on "see"; it is no complement of the cue
    analysis = analyze(pipe, SEE_AS)
    assert all(not q.content.text.startswith("which") for q in analysis.quotes), \
        [q.content.text for q in analysis.quotes]
