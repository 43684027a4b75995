"""Technique findings a reader can trust in structure: no persuasion found in
boilerplate, and a paragraph's labels and its spans tell one story."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from unspin.analyzers.techniques import MOSTLY_BOILERPLATE, boilerplate_share, outside, paragraph_labels
from unspin.article import Article
from unspin.pipeline import Pipeline
from unspin.report.common import PARAGRAPH_LEVEL
from unspin.report.html import render_html
from unspin.report.text import render_text
from unspin.schema import validate
from unspin.types import Analysis, Paragraph, ParagraphLabel, Technique

#: A wire story as scraped: a photo credit with its caption, a dateline, prose with loaded words (and Unicode
#: before and inside the spans), a copyright line that shouts THEFT, share buttons and a syndication footer.
PAGE = (
    "© AFP Protesters in Zürich 🙂 wave flags outside the parliament\n"
    "ZÜRICH (Reuters) - The corrupt, shameful élite betrayed our great nation again, critics said on Tuesday, "
    "calling the deal “a total disaster” and “a catastrophe for everyone”.\n"
    "The radical regime of thugs and criminals lied again and again; naïve officials said nothing, absolutely nothing.\n"
    "THEFT OF THIS CONTENT IS A CRIME PUNISHABLE BY LAW. All rights reserved.\n"
    "WhatsApp Facebook Twitter Email Telegram\n"
    "The post Zürich’s “disgraceful” betrayal appeared first on The Baltic Ledger.\n"
)


def _furniture(a: Analysis) -> list[tuple[int, int]]:
    return [(b.start, b.end) for b in a.boilerplate]


def _check_one_story(a: Analysis) -> None:
    """Offsets exact; no span in boilerplate; labels and spans agree paragraph by paragraph."""
    furniture = _furniture(a)
    for t in a.techniques:
        assert a.text[t.start:t.end] == t.text and t.text.strip() == t.text and t.end > t.start
        assert not any(s < t.end and t.start < e for s, e in furniture), (t, furniture)
    for para in a.paragraphs:
        spans = [t for t in a.techniques if para.start <= t.start < para.end]
        assert all(t.end <= para.end for t in spans)
        labels = {lab.technique: lab for lab in para.labels}
        assert para.techniques == [lab.technique for lab in para.labels]
        assert len(labels) == len(para.labels)
        assert [lab.score for lab in para.labels] == sorted((lab.score for lab in para.labels), reverse=True)
        for t in spans:
            assert labels[t.technique].evidence == "spans" and labels[t.technique].score >= t.score
        for lab in para.labels:
            shown = any(t.technique == lab.technique for t in spans)
            assert lab.evidence == ("spans" if shown else "paragraph")
        if boilerplate_share(a.text, para, furniture) >= MOSTLY_BOILERPLATE:
            assert not para.labels and not spans


# --- the rules, on their own --------------------------------------------------


def test_spans_are_cut_back_to_the_articles_own_words_on_unicode():
    text = "Naïve élites 🙂 lied. © AFP / Jean Dupont — “Shameful” betrayal 🙂!"
    credit = (text.index("©"), text.index(" —"))
    spans = [
        (0, len(text), "Loaded_Language", 0.7),  # over the credit: two pieces, trimmed of spaces and punctuation
        (text.index("AFP"), text.index("Jean") + 4, "Name_Calling-Labeling", 0.9),  # inside it: dropped
        (text.index("lied"), text.index(" / "), "Doubt", 0.4),  # into it: cut at its start
        (0, text.index(" 🙂"), "Smears", 0.3),  # away from it: as the decoder gave it
    ]
    got = outside(text, spans, [credit])
    assert [(text[a:b], t, s) for a, b, t, s in got] == [
        ("Naïve élites", "Smears", 0.3),
        ("Naïve élites 🙂 lied", "Loaded_Language", 0.7),
        ("lied", "Doubt", 0.4),
        ("Shameful” betrayal", "Loaded_Language", 0.7),
    ]
    assert got == sorted(got, key=lambda x: (x[0], x[1], x[2]))


def test_mostly_boilerplate_counts_non_space_characters():
    text = "© REUTERS / Toby Melville   Putin smiles"
    para = Paragraph(0, len(text))
    credit = (0, len("© REUTERS / Toby Melville"))
    assert boilerplate_share(text, para, [credit]) == pytest.approx(21 / 32)
    assert boilerplate_share(text, para, []) == 0.0
    assert boilerplate_share("   ", Paragraph(0, 3), [(0, 3)]) == 0.0


def test_paragraph_labels_are_the_spans_techniques_then_the_judgements_without_a_span():
    spans = [Technique("Doubt", 0, 5, 0.31, "x"), Technique("Doubt", 9, 20, 0.52, "y"),
             Technique("Smears", 30, 40, 0.2, "z")]
    judged = {"Doubt": 0.44, "Repetition": 0.6, "Loaded_Language": 0.2}
    assert paragraph_labels(judged, spans) == [
        ParagraphLabel("Repetition", 0.6, "paragraph"),
        ParagraphLabel("Doubt", 0.52, "spans"),
        ParagraphLabel("Loaded_Language", 0.2, "paragraph"),
        ParagraphLabel("Smears", 0.2, "spans"),
    ]
    assert paragraph_labels({}, []) == []


def test_labels_of_one_paragraph_from_several_blocks_merge_to_one_per_technique():
    merged = ParagraphLabel.merged([ParagraphLabel("Doubt", 0.3, "paragraph"), ParagraphLabel("Smears", 0.5, "spans"),
                                    ParagraphLabel("Doubt", 0.2, "spans"), ParagraphLabel("Smears", 0.4, "paragraph")])
    assert merged == [ParagraphLabel("Smears", 0.5, "spans"), ParagraphLabel("Doubt", 0.3, "spans")]


# --- the real pipeline ----------------------------------------------------------


@pytest.fixture(scope="module")
def fast_pipeline() -> Pipeline:
    return Pipeline(analyzers=("techniques",), model="fast", min_score=0.02)


def test_boilerplate_runs_first_and_gets_no_span_even_at_the_lowest_threshold(fast_pipeline):
    a = fast_pipeline.analyze(Article(source="page.txt", text=PAGE))
    assert list(a.meta.analyzers) == ["boilerplate", "techniques"]
    kinds = {b.kind for b in a.boilerplate}
    assert {"image-credit", "dateline", "copyright", "share-widget", "syndication"} <= kinds
    assert a.techniques, "min_score 0.02 marks the loaded prose"
    _check_one_story(a)
    footer = a.paragraphs[-1]
    assert a.text[footer.start:footer.end].startswith("The post Zürich")
    assert footer.labels == [] and not any(footer.start <= t.start < footer.end for t in a.techniques)
    legal = a.paragraphs[3]
    assert a.text[legal.start:legal.end].startswith("THEFT") and legal.labels == []
    # the prose after the dateline is analysed
    prose = a.paragraphs[1]
    assert any(prose.start <= t.start < prose.end for t in a.techniques) and prose.labels
    validate(a.to_dict())
    again = Analysis.from_json(a.to_json())
    assert again.paragraphs == a.paragraphs and again.techniques == a.techniques


def test_every_threshold_keeps_labels_and_spans_in_agreement(fast_pipeline):
    for min_score in (None, 0.1, 0.3, 0.6):
        a = Pipeline(analyzers=("techniques",), model="fast", min_score=min_score).analyze(
            Article(source="page.txt", text=PAGE))
        _check_one_story(a)


def test_a_paragraph_longer_than_a_block_keeps_one_label_per_technique(fast_pipeline):
    long_line = " ".join(["The corrupt élite betrayed our great nation 🙂 again and again, a total disaster."] * 8)
    text = long_line + "\nThe post Betrayal appeared first on The Baltic Ledger.\n"
    a = Pipeline(analyzers=("techniques",), model="fast", min_score=0.02, block_chars=300).analyze(
        Article(source="long.txt", text=text))
    assert len(a.paragraphs) == 2 and a.paragraphs[0].labels
    _check_one_story(a)


def test_the_seed_footer_gets_no_span_and_its_labels_match_its_spans(seed_path):
    from unspin import analyze

    a = analyze(seed_path, analyzers=("techniques",))
    footer = next(b for b in a.boilerplate if b.kind == "syndication")
    assert footer.text.startswith("The post ") and footer.text.endswith("appeared first on The Duran.")
    _check_one_story(a)
    assert not any(t.start < footer.end and footer.start < t.end for t in a.techniques)
    everything = analyze(seed_path, analyzers=("techniques",), min_score=0.0)
    assert not any(t.start < footer.end and footer.start < t.end for t in everything.techniques)
    _check_one_story(everything)


# --- reports --------------------------------------------------------------------


def _analysis_with_a_judgement() -> Analysis:
    text = "Naïve élites 🙂 lied again.\nThey repeat it, they repeat it.\nThe post X appeared first on The Duran.\n"
    first, second = Paragraph(0, 26), Paragraph(27, 58)
    first.labels = [ParagraphLabel("Loaded_Language", 0.61, "spans")]
    second.labels = [ParagraphLabel("Repetition", 0.42, "paragraph")]
    for p in (first, second):
        p.techniques = [lab.technique for lab in p.labels]
    a = Analysis(source="t.txt", schema="1.3", title=None, text=text, paragraphs=[first, second, Paragraph(59, 98)],
                 techniques=[Technique("Loaded_Language", 0, 12, 0.61, "Naïve élites")])
    a.meta.analyzers = {"boilerplate": "1", "techniques": "fast-1"}
    assert text[first.start:first.end] == "Naïve élites 🙂 lied again." and text[59:98].endswith("The Duran.")
    return a


def test_terminal_and_html_show_each_paragraphs_labels_the_same_way():
    a = _analysis_with_a_judgement()
    console = Console(width=200, file=io.StringIO(), color_system=None)
    render_text(a, console)
    out = console.file.getvalue()
    evidence = out.split("Evidence by paragraph", 1)[1]
    assert "¶1" in evidence and "paragraph: Loaded language 0.61" in evidence
    assert "¶2" in evidence and f"paragraph: Repetition 0.42 ({PARAGRAPH_LEVEL})" in evidence
    html = render_html([a])
    assert "paragraph: Loaded language 0.61</span>" in html
    assert f"paragraph: Repetition 0.42 ({PARAGRAPH_LEVEL})</span>" in html


def test_reports_of_analyses_before_schema_1_3_read_the_evidence_off_the_spans():
    a = _analysis_with_a_judgement()
    for p in a.paragraphs:
        p.labels = []
    console = Console(width=200, file=io.StringIO(), color_system=None)
    render_text(a, console)
    out = console.file.getvalue()
    assert "paragraph: Loaded language\n" in out or "paragraph: Loaded language " in out
    assert f"paragraph: Repetition ({PARAGRAPH_LEVEL})" in out


def test_terminal_says_boilerplate_is_left_out():
    a = _analysis_with_a_judgement()
    from unspin.types import Boilerplate

    a.boilerplate = [Boilerplate(59, 98, a.text[59:98], kind="syndication", rule="footer-the-post")]
    console = Console(width=200, file=io.StringIO(), color_system=None)
    render_text(a, console)
    assert "Boilerplate is left out of the techniques (syndication footer)." in console.file.getvalue()


def test_web_article_page_shows_the_same_paragraph_labels():
    from unspin.web.view import article_view

    view = article_view(1, _analysis_with_a_judgement().to_dict())
    assert view.paragraphs[0].techniques == ["Loaded language 0.61"]
    assert view.paragraphs[1].techniques == [f"Repetition 0.42 ({PARAGRAPH_LEVEL})"]
    assert view.paragraphs[2].techniques == []
