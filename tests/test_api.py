"""The Python API: unspin.analyze and unspin.analyze_many."""

from __future__ import annotations

from pathlib import Path

import pytest

import unspin
from unspin.types import Analysis

from .conftest import EXAMPLE


def test_api_analyze_text_string_keeps_exact_text():
    text = "🙂 “We will not retreat,” said Zbigniew Łukaszewski.\r\nHe added that talks had failed.\r\n"
    a = unspin.analyze(text)
    assert isinstance(a, Analysis)
    assert a.text == text and a.source == "<text>" and a.meta.input_kind == "text"
    for q in a.quotes:
        assert a.text[q.content.start:q.content.end] == q.content.text
    for e in a.entities:
        assert a.text[e.start:e.end] == e.text
    assert [a.text[p.start:p.end] for p in a.paragraphs] == [
        "🙂 “We will not retreat,” said Zbigniew Łukaszewski.",
        "He added that talks had failed.",
    ]


@pytest.mark.parametrize("as_path", [True, False])
def test_api_analyze_path(as_path):
    a = unspin.analyze(EXAMPLE if as_path else str(EXAMPLE))
    assert a.source == str(EXAMPLE)
    assert a.text == EXAMPLE.read_text(encoding="utf-8")
    assert a.provenance.outlet is not None and a.provenance.outlet.name == "The Baltic Ledger"


def test_api_title_and_source_overrides():
    a = unspin.analyze("Nothing much happened today.", title="A quiet day", source="note-1")
    assert (a.title, a.source) == ("A quiet day", "note-1")


def test_api_json_round_trip():
    a = unspin.analyze(EXAMPLE)
    again = Analysis.from_json(a.to_json())
    assert again == a
    assert a.to_dict()["schema"] == unspin.types.SCHEMA_VERSION


def test_api_analyze_many_yields_errors_for_bad_inputs(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("The council voted on Monday.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    results = list(unspin.analyze_many([tmp_path, tmp_path / "absent.txt"]))
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["InputError", "Analysis", "InputError"]  # sorted: empty.txt, good.txt, absent
    assert "absent.txt" in str(results[2])


def test_api_bad_input_raises_input_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(unspin.InputError, match="empty"):
        unspin.analyze(Path(empty))


def test_api_ratings_option_attaches_rating(tmp_path):
    table = tmp_path / "ratings.csv"
    table.write_text("domain,reliability\nreuters.com,high\n", encoding="utf-8")
    a = unspin.analyze("Reuters reported that the plant had closed.", ratings=(str(table),))
    reuters = [c for c in a.provenance.cited_sources if c.domain == "reuters.com"]
    assert reuters and reuters[0].rating is not None and reuters[0].rating["reliability"] == "high"


@pytest.mark.parametrize("analyzers", [["entities", "quotes"], ("entities", "quotes"), "entities, quotes"])
def test_api_analyzers_as_a_list_a_tuple_or_a_comma_separated_string(analyzers):
    # pipelines are cached by their options, which must stay hashable whatever the user passes
    result = unspin.analyze("Maria Lindqvist said the talks had failed.", analyzers=analyzers)
    ran = list(result.meta.analyzers)
    assert {"entities", "quotes"} <= set(ran) and "techniques" not in ran
    assert [q.speaker.name for q in result.quotes] == ["Maria Lindqvist"]


def test_api_unknown_option_is_a_clear_error():
    with pytest.raises(unspin.ConfigError, match="unknown option 'analyzerz'"):
        unspin.analyze("Some text.", analyzerz=["quotes"])
