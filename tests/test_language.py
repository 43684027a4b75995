"""Language of every input, and the pipeline's gate on English-only analyzers."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.analyzers.base import registry
from unspin.article import Article
from unspin.inputs.html import article_from_html
from unspin.language import UNDETERMINED, detect_language, language_name, supports
from unspin.pipeline import Pipeline

PAGES = Path(__file__).resolve().parent / "pages"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Nach dem Amoklauf in Hamburg hat die Polizei am Freitag neue Details veröffentlicht.", "de"),
        ("Le gouvernement a annoncé mardi de nouvelles mesures pour soutenir les agriculteurs.", "fr"),
        ("Пресс-секретарь президента заявил журналистам, что переговоры продолжатся на следующей неделе.", "ru"),
        ("Rząd ogłosił we wtorek nowe przepisy dotyczące bezpieczeństwa energetycznego kraju.", "pl"),
        ("The minister said on Tuesday that the talks with Brussels would resume next week.", "en"),
    ],
)
def test_language_detected(text: str, code: str) -> None:
    guess = detect_language(text)
    assert guess.code == code and guess.score >= 0.8


@pytest.mark.parametrize("text", ["", "Reuters", "WhatsApp Email Telegram", "12 345 678", "Officials said no."])
def test_language_undetermined_for_too_little_text(text: str) -> None:
    assert detect_language(text) == detect_language(text) and detect_language(text).code == UNDETERMINED


def test_language_supports() -> None:
    assert supports(("en",), "en") and supports(("en",), UNDETERMINED) and supports(("en",), None)
    assert not supports(("en",), "de") and supports(("*",), "de") and supports(("de", "en"), "de")
    assert language_name("de") == "German" and language_name("xx") == "xx" and language_name("und") == "undetermined"


def test_language_german_page_gets_no_english_only_analysis() -> None:
    """A German page must not yield "Gedanken" as a PERSON: English-only analyzers are skipped, with why."""
    article = article_from_html((PAGES / "german-news.html").read_bytes(), source="german-news.html")
    assert "Gedanken" in article.text
    analysis = Pipeline(analyzers=("entities", "provenance", "quotes")).analyze(article)
    meta = analysis.meta
    assert (meta.language, meta.language_score >= 0.99) == ("de", True)
    assert list(meta.analyzers) == ["boilerplate", "provenance"]
    assert set(meta.skipped) == {"entities", "quotes"}
    assert meta.skipped["entities"] == "German text (de); entities analyses English only"
    assert analysis.entities == [] and analysis.quotes == [] and analysis.provenance.cited_sources == []
    assert analysis.provenance.outlet.name == "Hamburger Rundschau"


def test_language_english_page_runs_everything() -> None:
    article = article_from_html((PAGES / "news-article.html").read_bytes(), source="news-article.html")
    analysis = Pipeline(analyzers=("entities", "provenance", "quotes")).analyze(article)
    assert analysis.meta.language == "en" and analysis.meta.skipped == {}
    assert {"Maria Lindqvist", "Zbigniew Łukaszewski"} <= {e.text for e in analysis.entities}


def test_language_short_text_is_analysed() -> None:
    analysis = Pipeline(analyzers=("entities",)).analyze(Article(source="t", text="Putin met Biden."))
    assert analysis.meta.language == UNDETERMINED and analysis.meta.skipped == {}
    assert [e.text for e in analysis.entities] == ["Putin", "Biden"]


class _Counter:
    name = "test-german-counter"
    version = "1"

    def annotate(self, ctx) -> None:
        ctx.analysis.meta.extra["words"] = str(len(ctx.analysis.text.split()))


def test_language_contract_declares_other_languages() -> None:
    if _Counter.name not in registry.infos:
        registry.register(_Counter.name, languages=("de",))(lambda options: _Counter())
    pipe = Pipeline(analyzers=(_Counter.name,))
    german = pipe.analyze(Article(source="de", text="Die Polizei hat am Freitag neue Details veröffentlicht, sagte ein "
                                                      "Sprecher der Staatsanwaltschaft in Hamburg."))
    english = pipe.analyze(Article(source="en", text="The police published new details on Friday, a spokesman for "
                                                       "the prosecutors said in Hamburg."))
    assert "words" in german.meta.extra and german.meta.skipped == {}
    assert "words" not in english.meta.extra
    assert english.meta.skipped == {_Counter.name: f"English text (en); {_Counter.name} analyses German only"}


def test_language_notice_in_text_and_html_reports(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import cli

    page = str(PAGES / "german-news.html")
    code, out, err = cli(capsys, "analyze", page, "--analyzers", "entities,provenance")
    assert code == 0, err
    flat = " ".join(out.replace("│", " ").split())  # the header panel may wrap at any width
    assert "German text (de): unspin's analyses are English-only for now, so entities was skipped." in flat
    assert "language: German" in flat
    code, out, err = cli(capsys, "analyze", page, "--analyzers", "entities,provenance", "--format", "html")
    assert code == 0, err
    assert '<p class="notice" role="note">German text (de)' in out


def test_language_gate_and_boilerplate_in_blocks() -> None:
    """Long texts are analysed in blocks: the gate and the boilerplate hold there too."""
    german = article_from_html((PAGES / "german-news.html").read_bytes(), source="german-news.html")
    analysis = Pipeline(analyzers=("entities", "provenance"), block_chars=300).analyze(german)
    assert set(analysis.meta.skipped) == {"entities"} and list(analysis.meta.analyzers) == ["boilerplate", "provenance"]
    text = ("Talks stall\n© REUTERS / Toby Melville\n"
            + "Maria Lindqvist said on Tuesday that the talks in Brussels had stalled again.\n" * 12)
    analysis = Pipeline(analyzers=("entities",), block_chars=300).analyze(Article(source="t", text=text))
    (credit,) = analysis.boilerplate
    assert text[credit.start:credit.end] == "© REUTERS / Toby Melville"
    assert "Toby Melville" not in {e.text for e in analysis.entities}
    assert sum(e.text == "Maria Lindqvist" for e in analysis.entities) >= 10  # spaCy may miss one


def test_language_skipped_sections_say_why(capsys: pytest.CaptureFixture[str]) -> None:
    """A skipped analyzer's section says it was skipped for the language, not "none found" nor
    "not in --analyzers" (the user did ask for it)."""
    from tests.conftest import cli

    page = str(PAGES / "german-news.html")
    args = ("analyze", page, "--analyzers", "entities,provenance,quotes,techniques", "--model", "fast")
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    flat = " ".join(out.split())
    assert flat.count("not analysed: German text (unspin's analyses are English-only for now)") == 3
    assert "no quotes found" not in flat and "no named entities found" not in flat
    assert "was not in --analyzers" not in flat
    code, out, err = cli(capsys, *args, "--format", "html")
    assert code == 0, err
    assert out.count("not analysed: German text (unspin&#39;s analyses are English-only for now)") == 3
    code, out, err = cli(capsys, "analyze", page, "--analyzers", "provenance")
    assert code == 0, err
    assert "not analysed (the quotes analyzer was not in --analyzers)" in " ".join(out.split())
