"""Quotes: speakers a reader would accept, interviewers' questions, page furniture left out."""

from __future__ import annotations

import pytest

from unspin.analyzers.quotes import load_lexicon
from unspin.analyzers.quotes.analyzer import skip_boilerplate
from unspin.analyzers.quotes.speakers import plausible_name
from unspin.pipeline import Pipeline
from unspin.types import Boilerplate, Quote, Span, Speaker

from .quotes_helpers import analyze, find


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(analyzers=("quotes",))


def test_a_question_opening_a_paragraph_is_not_the_last_speakers(pipe: Pipeline) -> None:
    text = (
        "“The contracts are signed and the gas will flow,” said José Álvarez, the energy minister.\n"
        "“Will you resign if prices double next winter?”\n"
        "“No. We have reserves for two winters,” Álvarez said.\n"
    )
    a = analyze(pipe, text)
    assert find(a, "The contracts are signed and the gas will flow").speaker.name == "José Álvarez"
    question = [q for q in a.quotes if q.content.text.startswith("Will you resign")]
    assert all(q.speaker is None for q in question)
    assert find(a, "No. We have reserves for two winters").speaker.name == "José Álvarez"


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("Zbigniew Łukaszewski", True),
        ("USA Today", True),
        ("MSNBC", True),
        ("Ana Núñez", True),
        ("I", False),
        ("you", False),
        ("It", False),
        ("3 per cent", False),
        ("New data on Thursday", False),
        ("Today", False),
        ("WhatsApp Email Telegram A senior prison official", False),
        ("Kim JoKim", False),
        ("McConnell", True),
    ],
)
def test_speaker_names_a_reader_accepts(name: str, kept: bool) -> None:
    assert (plausible_name(name, load_lexicon()) == name) is kept


def test_no_speaker_named_by_a_pronoun_a_date_or_a_number(pipe: Pipeline) -> None:
    text = (
        "“We will not pay a single złoty more,” I said to the delegates in Gdańsk.\n"
        "New data on Thursday showed that imports fell by 3 per cent in the first quarter.\n"
        "3 per cent said that they would switch suppliers next year.\n"
    )
    a = analyze(pipe, text)
    assert a.quotes
    names = [q.speaker.name for q in a.quotes if q.speaker is not None and q.speaker.name]
    assert names == []
    q = find(a, "We will not pay a single złoty more")
    assert q.speaker is not None and q.speaker.text == "I" and q.speaker.name is None


def test_quotes_skip_page_furniture() -> None:
    text = "Share: WhatsApp Email Telegram A senior prison official said the law was “long overdue and welcome”.\n"
    widget = Boilerplate(start=0, end=text.index(" A senior"), text=text[: text.index(" A senior")],
                         kind="share-widget")
    speaker_at = text.index("WhatsApp")
    speaker_end = text.index(" said")
    content_at = text.index("the law")
    quote = Quote(
        speaker=Speaker(speaker_at, speaker_end, text[speaker_at:speaker_end]),
        cue=Span(speaker_end + 1, speaker_end + 5, "said"),
        content=Span(content_at, len(text) - 2, text[content_at : len(text) - 2]),
        kind="indirect",
    )
    furniture_quote = Quote(speaker=None, cue=None, content=Span(7, 30, text[7:30]), kind="direct")
    kept = skip_boilerplate(text, [furniture_quote, quote], [widget])
    assert len(kept) == 1
    speaker = kept[0].speaker
    assert speaker is not None and speaker.text == "A senior prison official"
    assert text[speaker.start : speaker.end] == speaker.text


def test_interview_questions_go_to_the_interviewer(pipe: Pipeline) -> None:
    text = (
        "Interview with the Mayor of Gdańsk, Aleksandra Dulkiewicz.\n"
        "Q: Will the city’s new tram line reach Oliwa before the winter?\n"
        "A: We hope so. The contracts are signed and the crews start in Żabianka on Monday.\n"
        "Q: And the cost overruns that the council has questioned?\n"
        "A: They are smaller than the critics claim, and we will publish every invoice.\n"
    )
    a = analyze(pipe, text)
    question = find(a, "Will the city’s new tram line reach Oliwa before the winter?")
    assert question.speaker is not None and question.speaker.text == "Q" and question.speaker.name is None
    answer = find(a, "We hope so. The contracts are signed and the crews start in Żabianka on Monday.")
    assert answer.speaker is not None and answer.speaker.text == "A"


def test_capitalised_transcript_labels_are_speakers(pipe: Pipeline) -> None:
    text = (
        "KATE BOULDUAN: Why not debate in Brooklyn next week?\n"
        "JOEL BENENSON: This is a man who never ran a negative ad in his life.\n"
        "KATE BOULDUAN: So the answer is no debate before the primary?\n"
        "JOEL BENENSON: The answer is that we have debated eight times already.\n"
    )
    a = analyze(pipe, text)
    q = find(a, "Why not debate in Brooklyn next week?")
    assert q.speaker is not None and q.speaker.text == "KATE BOULDUAN"
    q = find(a, "This is a man who never ran a negative ad in his life.")
    assert q.speaker is not None and q.speaker.text == "JOEL BENENSON"


def test_a_name_written_only_inside_quotation_marks_is_not_the_speakers_name(pipe: Pipeline) -> None:
    # the epithet is the quoted speaker's wording; the article itself calls her Hillary Clinton
    text = (
        "Hillary Clinton spoke in Coral Springs on Friday.\n"
        "Trump told the rally: “Working that microphone was harder than working Crooked Hillary Clinton.”\n"
        "“He is unhinged — even for him,” Clinton said of the tweets 😀.\n"
    )
    a = analyze(pipe, text)
    said = find(a, "He is unhinged — even for him")
    assert said.speaker.name == "Hillary Clinton" and said.speaker.text == "Clinton"
    assert text[said.speaker.start:said.speaker.end] == "Clinton"


def test_names_only_ever_quoted_still_name_the_person_when_nothing_else_does() -> None:
    from unspin.analyzers.names import NameIndex

    names = NameIndex(frozenset({"mr"}))
    names.add("Crooked Hillary Clinton", 60, quoted=True)
    names.add("Hillary Clinton", 10)
    assert names.fullest("Clinton", 100) == "Hillary Clinton"
    assert names.fullest("Crooked Hillary Clinton", 60) == "Hillary Clinton"  # the quoted form maps to her name
    alone = NameIndex(frozenset({"mr"}))
    alone.add("Émile Zoë Durand", 5, quoted=True)
    assert alone.fullest("Durand", 40) == "Émile Zoë Durand"  # the only form the article has


def test_role_groups_use_the_article_own_name_not_a_quoted_epithet() -> None:
    from unspin.analyzers.groups import entity_groups
    from unspin.config import DEFAULT_SPACY_MODEL
    from unspin.nlp import load_spacy

    text = ("Hillary Clinton spoke in Coral Springs on Friday.\nTrump told the rally: “Working that microphone was "
            "harder than working Crooked Hillary Clinton.”\nLater, Clinton answered him.")
    doc = load_spacy(DEFAULT_SPACY_MODEL)(text)
    ents = [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
    groups = dict(zip((t for _, _, t, _ in ents), entity_groups(doc, ents), strict=True))
    assert groups.get("Crooked Hillary Clinton") == groups.get("Clinton") == "Hillary Clinton"


def test_first_names_data_gives_one_gender_or_none() -> None:
    firsts = load_lexicon().first_names
    assert firsts["donald"] == "m" and firsts["angela"] == "f" and firsts["vladimir"] == "m"
    # read both ways somewhere (Hillary is a Kenyan man's name, Andrea an Italian one): no gender
    assert "hillary" not in firsts and "andrea" not in firsts
    assert all(k.isascii() and k == k.lower() for k in firsts)


def test_a_pronoun_does_not_go_to_a_person_whose_first_name_says_otherwise(pipe: Pipeline) -> None:
    text = (
        "Angela Merkel spoke in Zürich — after Donald Trump said “the plan is a disaster.”\n"
        "She said the plan was sound and would pass.\n"
    )
    q = find(analyze(pipe, text), "the plan was sound and would pass")
    assert q.speaker.text == "She" and q.speaker.name == "Angela Merkel"
    assert q.speaker.resolved.text == "Angela Merkel" and q.speaker.resolved.start == 0


def test_the_article_own_reports_give_a_gender_twice_over_not_once(pipe: Pipeline) -> None:
    shown = (
        "Hillary Clinton said she would win the state. Clinton also said she had a plan for jobs.\n"
        "He said the polls were wrong.\n"
    )
    # two "Clinton said she …": "he" is not Clinton (and no other man is named)
    assert find(analyze(pipe, shown), "the polls were wrong").speaker.name is None
    once = (
        "Rowan Blake said she lied about the vote in Łódź.\n"
        "He said the count was fair.\n"
    )
    # one report may be about someone else ("Blake said she lied"): no gender from it
    assert find(analyze(pipe, once), "the count was fair").speaker.name == "Rowan Blake"


def test_a_she_does_not_resolve_through_an_earlier_he(pipe: Pipeline) -> None:
    text = (
        "“We are ready,” said Jennifer Ortiz, the campaign’s director. Then retired general Lloyd Newton spoke.\n"
        "He said the plan would work.\n"
        "“This man is running for president,” she said.\n"
    )
    a = analyze(pipe, text)
    assert find(a, "the plan would work").speaker.name == "Lloyd Newton"
    assert find(a, "This man is running for president").speaker.name == "Jennifer Ortiz"


def indexed(text: str, *names: str):
    """A name index of ``text`` holding every mention of ``names``, in the order of the text (as spaCy's
    PERSON entities would give them)."""
    import re

    from unspin.analyzers.quotes.lexicon import name_index

    index = name_index(load_lexicon(), text)
    for m in re.finditer("|".join(map(re.escape, names)), text):
        index.add(m.group(), m.start())
    return index


def test_a_bare_surname_is_the_person_the_article_is_about_unless_its_paragraph_says_otherwise() -> None:
    text = (
        "Carly Fiorina campaigned in Iowa.\n"
        "Her husband, Frank Fiorina, stood beside her.\n"
        "Later Fiorina spoke about taxes.\n"
        "Frank Fiorina left early; Fiorina waved.\n"
        "Bill Clinton spoke, then Hillary Rodham Clinton.\n"
        "Mrs. Clinton thanked Mr. Clinton.\n"
    )
    names = indexed(text, "Carly Fiorina", "Frank Fiorina", "Bill Clinton", "Hillary Rodham Clinton")

    assert names.fullest("Fiorina", text.index("Fiorina spoke")) == "Carly Fiorina"  # the first, not the latest
    assert names.fullest("Fiorina", text.index("Fiorina waved")) == "Frank Fiorina"  # named in its paragraph
    # the first Clinton written is Bill; a title asks for a name not known to be the other gender
    # ("Hillary" is a Kenyan man's name too: not known)
    assert names.fullest("Clinton", text.index("Clinton thanked")) == "Hillary Rodham Clinton"  # "Mrs."
    assert names.fullest("Clinton", text.index("Mr. Clinton") + 4) == "Bill Clinton"  # "Mr."


def test_mrs_and_a_surname_speak_for_the_woman_in_the_quotes(pipe: Pipeline) -> None:
    text = (
        "Hillary Clinton toured Zürich’s old town on Monday.\n"
        "Bill Clinton spoke first. “We will win in Ohio,” Mrs. Clinton said.\n"
    )
    q = find(analyze(pipe, text), "We will win in Ohio")
    assert q.speaker.name == "Hillary Clinton"


def test_a_common_word_glued_to_a_name_in_a_headline_is_not_part_of_it() -> None:
    text = (
        "Top Clinton Aide Sent Memo From Zürich\n"
        "A top aide wrote to Hillary Clinton. Clinton said she read it.\n"
        "Bill Clinton and Vigo County, where the county seat voted early.\n"
    )
    names = indexed(text, "Top Clinton", "Hillary Clinton", "Bill Clinton", "Vigo County")
    # "top" is written in lower case too and is no first name; "Bill" is one (though "bill" is a word)
    assert names.words("Top Clinton") == ["Clinton"] and names.words("Bill Clinton") == ["Bill", "Clinton"]
    assert names.fullest("Clinton", text.index("Clinton said")) == "Hillary Clinton"  # not "Top Clinton"
    assert names.words("Vigo County") == ["Vigo", "County"]  # what would be left is a common word too


def test_a_known_surname_that_spacy_tags_as_a_common_noun_still_names_the_speaker(pipe: Pipeline) -> None:
    text = (
        "Donald Trump spoke in Zürich on Monday.\n\n"
        '"You think I\'m going to change?" Trump asked reporters rhetorically during a news conference late '
        'last month. "I\'m not changing."\n'
    )
    a = analyze(pipe, text)
    # spaCy's small model reads this "Trump" as a noun (NN), not a proper name
    assert find(a, "You think I'm going to change?").speaker.name == "Donald Trump"
    assert find(a, "I'm not changing.").speaker.name == "Donald Trump"


def test_a_word_before_a_first_name_and_a_surname_is_not_part_of_the_name() -> None:
    from unspin.analyzers.quotes.lexicon import name_index

    text = "The former Miss Universe Alicia Machado met Rabbi Rick Jacobs and J. Gerald Hebert in Zürich.\n"
    names = name_index(load_lexicon(), text)
    assert names.words("Universe Alicia Machado") == ["Alicia", "Machado"]
    assert names.words("Rabbi Rick Jacobs") == ["Rick", "Jacobs"]
    assert names.words("J. Gerald Hebert") == ["J.", "Gerald", "Hebert"]  # an initial is part of a name
    assert names.words("Martin Luther King") == ["Martin", "Luther", "King"]  # a first name stays
