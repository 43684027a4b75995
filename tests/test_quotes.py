"""The quotes analyzer: direct and reported speech, speakers and their names."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.analyzers.quotation_marks import find_quotations
from unspin.analyzers.quotes import load_lexicon
from unspin.article import Article
from unspin.pipeline import Pipeline
from unspin.types import Analysis, Quote, Span

from .conftest import EXAMPLE, shared_path


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(analyzers=("entities", "quotes"))


def analyze(pipe: Pipeline, text: str) -> Analysis:
    return pipe.analyze(Article(source="test", text=text))


def check_offsets(analysis: Analysis) -> None:
    text = analysis.text
    for q in analysis.quotes:
        spans: list[Span | None] = [q.content, q.cue, q.speaker]
        if q.speaker is not None:
            spans.append(q.speaker.resolved)
        for span in spans:
            if span is not None:
                assert text[span.start : span.end] == span.text


def find(analysis: Analysis, content: str) -> Quote:
    found = [q for q in analysis.quotes if q.content.text == content]
    assert found, f"no quote {content!r} in {[q.content.text for q in analysis.quotes]}"
    return found[0]


# (text, content, kind, speaker mention, speaker name, cue, resolved mention)
CASES = [
    pytest.param(
        "Vladimir Putin spoke in Moscow. “We will not back down,” President Putin said on Monday.",
        "We will not back down", "direct", "President Putin", "Vladimir Putin", "said", None,
        id="direct-quote-then-cue",
    ),
    pytest.param(
        "Energy Commissioner Maria Lindqvist arrived late. Lindqvist said: “We had no other choice.”",
        "We had no other choice.", "direct", "Lindqvist", "Maria Lindqvist", "said", None,
        id="direct-colon",
    ),
    pytest.param(
        "“The deal is dead,” said Senator John Smith.",
        "The deal is dead", "direct", "Senator John Smith", "John Smith", "said", None,
        id="direct-inverted",
    ),
    pytest.param(
        "“We won,” Smith said. “Now we govern.”",
        "Now we govern.", "direct", "Smith", "Smith", None, None,
        id="direct-continuation-inherits-speaker",
    ),
    pytest.param(
        "Zbigniew Łukaszewski met reporters. In an interview, he warned that “Moscow is laughing at us.”",
        "Moscow is laughing at us.", "direct", "he", "Zbigniew Łukaszewski", "warned", "Zbigniew Łukaszewski",
        id="direct-that-pronoun-unicode-name",
    ),
    pytest.param(
        "‘We don’t negotiate with terrorists,’ Russia’s envoy said.",
        "We don’t negotiate with terrorists", "direct", "Russia’s envoy", None, "said", None,
        id="single-quotes-with-apostrophes",
    ),
    pytest.param(
        "Maria Lindqvist 🇪🇺 posted a chart. “Gas prices will fall 📉 next year,” Lindqvist wrote.",
        "Gas prices will fall 📉 next year", "direct", "Lindqvist", "Maria Lindqvist", "wrote", None,
        id="emoji",
    ),
    pytest.param(
        "Foreign Minister Anna Kowalska said: «The border stays open.»",
        "The border stays open.", "direct", "Foreign Minister Anna Kowalska", "Anna Kowalska", "said", None,
        id="guillemets",
    ),
    pytest.param(
        "Chancellor Olaf Scholz said: „We stand with Ukraine.“",
        "We stand with Ukraine.", "direct", "Chancellor Olaf Scholz", "Olaf Scholz", "said", None,
        id="low-high-quotes",
    ),
    pytest.param(
        '"We will appeal the ruling," the company said in a statement.',
        "We will appeal the ruling", "direct", "the company", None, "said", None,
        id="straight-quotes",
    ),
    pytest.param(
        "Putin stressed that it is now necessary to think about new forms of cooperation.",
        "it is now necessary to think about new forms of cooperation", "indirect", "Putin", "Putin", "stressed", None,
        id="indirect-that",
    ),
    pytest.param(
        "Angela Merkel visited Paris. She said the talks had been difficult.",
        "the talks had been difficult", "indirect", "She", "Angela Merkel", "said", "Angela Merkel",
        id="indirect-pronoun",
    ),
    pytest.param(
        "The deal was signed in Brussels, Russian President Vladimir Putin has announced.",
        "The deal was signed in Brussels", "indirect", "Russian President Vladimir Putin", "Vladimir Putin",
        "has announced", None,
        id="indirect-trailing-cue",
    ),
    pytest.param(
        "Russian President Vladimir Putin spoke on Monday. "
        "Other groups also present a threat, according to the Russian leader.",
        "Other groups also present a threat", "indirect", "the Russian leader", "Vladimir Putin", "according to",
        "Vladimir Putin",
        id="according-to-role-description",
    ),
    pytest.param(
        "Energy Commissioner Maria Lindqvist signed the deal. "
        "According to the commissioner, the first deliveries will arrive in March.",
        "the first deliveries will arrive in March", "indirect", "the commissioner", "Maria Lindqvist",
        "According to", "Maria Lindqvist",
        id="according-to-first",
    ),
    pytest.param(
        "Reuters reports that at least three governments tried to block the agreement.",
        "at least three governments tried to block the agreement", "indirect", "Reuters", "Reuters", "reports", None,
        id="organisation",
    ),
    pytest.param(
        "Attorney General Loretta Lynch, who told Congress that the matter was closed, left early.",
        "the matter was closed", "indirect", "who", "Loretta Lynch", "told", "Attorney General Loretta Lynch",
        id="relative-pronoun",
    ),
    pytest.param(
        "Energy Commissioner Maria Lindqvist spoke.\r\n“We had no other choice,” Lindqvist said.\r\n"
        "According to the commissioner, deliveries will start in March.\r\n",
        "deliveries will start in March", "indirect", "the commissioner", "Maria Lindqvist", "According to",
        "Lindqvist",
        id="crlf",
    ),
]


@pytest.mark.parametrize("text, content, kind, mention, name, cue, resolved", CASES)
def test_patterns(
    pipe: Pipeline,
    text: str,
    content: str,
    kind: str,
    mention: str,
    name: str | None,
    cue: str | None,
    resolved: str | None,
) -> None:
    analysis = analyze(pipe, text)
    check_offsets(analysis)
    q = find(analysis, content)
    assert q.kind == kind
    assert text[q.content.start : q.content.end] == content
    assert q.speaker is not None
    assert text[q.speaker.start : q.speaker.end] == mention
    assert q.speaker.name == name
    if cue is None:
        assert q.cue is None
    else:
        assert q.cue is not None and text[q.cue.start : q.cue.end] == cue
    if resolved is None:
        assert q.speaker.resolved is None
    else:
        assert q.speaker.resolved is not None and q.speaker.resolved.text == resolved


def test_scare_quotes_are_left_out(pipe: Pipeline) -> None:
    analysis = analyze(pipe, "Prices that critics call “outrageous” rose. The so-called “peace plan” failed.")
    assert analysis.quotes == []


def test_crlf_direct_quote(pipe: Pipeline) -> None:
    text = "Energy Commissioner Maria Lindqvist spoke.\r\n“We had no other choice,” Lindqvist said.\r\n"
    q = find(analyze(pipe, text), "We had no other choice")
    assert q.kind == "direct" and q.speaker is not None and q.speaker.name == "Maria Lindqvist"


def test_partial_quotation_stays_in_reported_clause(pipe: Pipeline) -> None:
    text = "The minister told Politico that the deal was “a betrayal of everything we fought for.”"
    analysis = analyze(pipe, text)
    check_offsets(analysis)
    assert len(analysis.quotes) == 1
    q = analysis.quotes[0]
    assert q.kind == "indirect"
    assert q.content.text == "the deal was “a betrayal of everything we fought for.”"
    assert q.cue is not None and q.cue.text == "told"


def test_quotes_sorted_and_unique(pipe: Pipeline) -> None:
    text = (
        "“We won,” Smith said. “Now we govern.” Jones said the vote was rigged, "
        "adding that she would appeal."
    )
    analysis = analyze(pipe, text)
    starts = [q.content.start for q in analysis.quotes]
    assert starts == sorted(starts)
    assert len({(q.content.start, q.content.end) for q in analysis.quotes}) == len(starts)


def test_find_quotations_apostrophes() -> None:
    text = "They don’t know Russia’s plan. ‘It’s over,’ he said. Voters’ anger grew."
    found = [text[q.start : q.end] for q in find_quotations(text)]
    assert found == ["It’s over"]


def test_find_quotations_mixed_and_double_apostrophe_marks() -> None:
    text = "“We are done,\" she said. ''I hate the term 'poor,' '' he added."
    found = [text[q.start : q.end] for q in find_quotations(text)]
    assert found == ["We are done", "I hate the term 'poor,'"]


def test_lexicon_is_data() -> None:
    lex = load_lexicon()
    assert {"say", "tell", "announce", "stress", "warn"} <= lex.speech_verbs
    assert ("according", "to") in lex.prepositional_cues
    assert {"leader", "minister", "commissioner"} <= lex.role_nouns


# -- the reference and example articles -------------------------------------


@pytest.fixture(scope="module")
def seed(pipe: Pipeline) -> Analysis:
    path = shared_path("data", "seed", "duran-putin-isis-threat.txt")
    return analyze(pipe, path.read_bytes().decode("utf-8"))


@pytest.fixture(scope="module")
def example(pipe: Pipeline) -> Analysis:
    return analyze(pipe, EXAMPLE.read_bytes().decode("utf-8"))


def test_seed_putin_quotes(seed: Analysis) -> None:
    check_offsets(seed)
    putin = [q for q in seed.quotes if q.speaker is not None and q.speaker.name == "Vladimir Putin"]
    assert len(putin) >= 2
    direct = next(q for q in seed.quotes if q.content.text.startswith("Despite its military defeat"))
    assert direct.kind == "direct"
    assert direct.cue is not None and direct.cue.text == "said"
    assert direct.speaker is not None and direct.speaker.text == "President Putin"
    assert direct.speaker.name == "Vladimir Putin"
    assert not seed.text[direct.content.start - 1].isalnum()  # the mark is left out


def test_seed_according_to_the_russian_leader(seed: Analysis) -> None:
    q = next(q for q in seed.quotes if q.cue is not None and q.cue.text == "according to")
    assert q.kind == "indirect"
    assert q.content.text == "Other extremist groups also present a big threat to the world"
    assert q.speaker is not None and q.speaker.text == "the Russian leader"
    assert q.speaker.name == "Vladimir Putin"
    assert q.speaker.resolved is not None and "Putin" in q.speaker.resolved.text


def test_seed_trailing_announcement(seed: Analysis) -> None:
    q = next(q for q in seed.quotes if q.cue is not None and q.cue.text == "has announced")
    assert q.speaker is not None and q.speaker.text == "Russian President Vladimir Putin"
    assert q.content.text.startswith("ISIS has been militarily defeated in Syria")
    assert not q.content.text.endswith(".")


def test_example_article(example: Analysis) -> None:
    check_offsets(example)
    lindqvist = find(example, "We had no other choice. Every alternative was slower or more expensive")
    assert lindqvist.kind == "direct"
    assert lindqvist.speaker is not None and lindqvist.speaker.name == "Maria Lindqvist"
    assert lindqvist.cue is not None and lindqvist.cue.text == "said"

    told = next(q for q in example.quotes if q.cue is not None and q.cue.text == "told")
    assert told.speaker is not None and told.speaker.name == "Zbigniew Łukaszewski"
    assert "Zbigniew Łukaszewski" in told.speaker.text
    assert example.text[told.cue.end : told.cue.end + 8] == " Politic"

    warned = next(q for q in example.quotes if q.cue is not None and q.cue.text == "warned")
    assert warned.kind == "direct"
    assert warned.content.text == "Moscow is laughing at us."
    assert warned.speaker is not None and warned.speaker.text == "he"
    assert warned.speaker.name == "Zbigniew Łukaszewski"
    assert warned.speaker.resolved is not None and "Łukaszewski" in warned.speaker.resolved.text

    commissioner = next(q for q in example.quotes if q.cue is not None and q.cue.text == "According to")
    assert commissioner.speaker is not None and commissioner.speaker.name == "Maria Lindqvist"
    # "prices that critics call “outrageous.”" is a scare quote
    assert not any(q.content.text.startswith("outrageous") for q in example.quotes)


# -- evaluation on PolNeAR ---------------------------------------------------


def test_polnear_smoke(pipe: Pipeline) -> None:
    from unspin.evaluation.attribution import evaluate_attribution

    dev: Path = shared_path("data", "attribution-polnear-en", "dev")
    scores = evaluate_attribution(dev, limit=3, pipeline=pipe)
    assert scores.articles == 3
    for s in (scores.source, scores.cue, scores.content, scores.content_exact, scores.attribution):
        for value in (s.precision, s.recall, s.f1):
            assert 0.0 <= value <= 1.0
    assert scores.content.gold > 0 and scores.content.predicted > 0
    assert scores.content.f1 > 0.2
    assert scores.seconds > 0 and scores.articles_per_second > 0
    table = scores.format()
    assert "content (soft)" in table and "articles/s" in table


def test_read_brat_discontinuous_and_multiline() -> None:
    from unspin.evaluation.attribution import read_brat

    raw = (
        "T1\tSource 0 5\tSmith\n"
        "T2\tCue 6 10\tsaid\n"
        "T3\tContent 12 20;25 30\tfirst part\nsecond line\n"
        "T4\tAttribution 6 10\tsaid\n"
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
        "T5\tDiscard 40 45\tnoise\n"
        "E2\tDiscard:T5\n"
        "#1\tAnnotatorNotes T3\tnote\n"
    )
    (rel,) = read_brat(raw)
    assert rel.source == ((0, 5),)
    assert rel.cue == ((6, 10),)
    assert rel.content == ((12, 20), (25, 30))
