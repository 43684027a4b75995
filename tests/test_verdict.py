"""The extraction verdict: is the text a news article, and how much of the page is it?

Pages in tests/pages/ are written for these tests and go through the real
trafilatura extraction, as a user's would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.inputs import read_input
from unspin.inputs.html import article_from_html
from unspin.inputs.text import article_from_text
from unspin.inputs.verdict import judge
from unspin.config import Options
from unspin.pipeline import Pipeline, check_article

PAGES = Path(__file__).resolve().parent / "pages"


def page(name: str):
    return article_from_html((PAGES / name).read_bytes(), source=name)


def test_verdict_news_article_is_ok() -> None:
    verdict = check_article(page("news-article.html"))
    assert verdict.ok and verdict.warnings == [] and verdict.page_kind == "article"
    assert verdict.chars < verdict.page_chars and 0.5 < verdict.kept_share < 1
    assert verdict.link_line_share == 0.0 and verdict.words > 150


@pytest.mark.parametrize(
    ("name", "kind", "warning"),
    [
        ("paywall-stub.html", "paywall", "paywalled page"),
        ("section-front.html", "listing", "listing or navigation"),
        ("recipe.html", "recipe", "recipe"),
        ("software-docs.html", "documentation", "software documentation"),
    ],
)
def test_verdict_flags_pages_that_are_not_news(name: str, kind: str, warning: str) -> None:
    verdict = check_article(page(name))
    assert not verdict.ok and verdict.page_kind == kind
    assert any(warning in w for w in verdict.warnings)


def test_verdict_paywall_stub_keeps_little_of_the_page() -> None:
    verdict = check_article(page("paywall-stub.html"))
    assert verdict.words < 80 and verdict.kept_share < 0.5
    assert any("very short text" in w for w in verdict.warnings)


def test_verdict_listing_lines_are_the_page_links() -> None:
    verdict = check_article(page("section-front.html"))
    assert verdict.link_line_share >= 0.8


def test_verdict_text_input_has_no_page_figures() -> None:
    text = "Talks stall\n\n" + "The minister said the talks had stalled in Łódź on Tuesday. " * 20
    verdict = check_article(article_from_text(text, source="t.txt"))
    assert verdict.ok and verdict.page_chars is None and verdict.kept_share is None
    assert verdict.link_line_share is None


def test_verdict_short_text_input_is_no_stub_but_a_short_page_is() -> None:
    """A stub is a failed or partial extraction: a short text file is what its user gave."""
    text = "Talks stall\n\nThe minister said the talks had stalled in Łódź on Tuesday.\n"
    assert check_article(article_from_text(text, source="t.txt")).ok
    html = f"<html><body><article><p>{text}</p></article></body></html>"
    verdict = check_article(article_from_html(html, source="t.html"))
    assert verdict.page_kind == "stub" and not verdict.ok


def test_verdict_counts_boilerplate() -> None:
    text = "Talks stall\n" + "The minister said the talks had stalled. " * 30 + "\n© REUTERS / Toby Melville\n"
    verdict = check_article(article_from_text(text, source="t.txt"))
    assert verdict.boilerplate_share == round(len("© REUTERS / Toby Melville") / len(text), 3)


@pytest.mark.parametrize(
    "text",
    [
        "Senators:\nCruz (R)\nSanders (I)\nWarren (D)\nRubio (R)\nPaul (R)\n" + "They voted no on the bill. " * 30,
        "The bill passed.\nx = 5 was the vote count in the small committee that met on Tuesday.\n" * 2
        + "Officials said the vote was close. " * 30,
    ],
)
def test_verdict_news_with_lists_is_still_news(text: str) -> None:
    assert judge(text).page_kind == "article"


def test_verdict_in_the_analysis_meta(tmp_path: Path) -> None:
    path = tmp_path / "front.html"
    path.write_bytes((PAGES / "section-front.html").read_bytes())
    article = read_input(str(path), Options())
    analysis = Pipeline(analyzers=("boilerplate",)).analyze(article)
    verdict = analysis.meta.extraction
    assert verdict == check_article(article)
    assert verdict.page_kind == "listing" and verdict.ok is False
    assert analysis.to_dict()["meta"]["extraction"]["ok"] is False


def test_verdict_shared_corpora_are_articles() -> None:
    """Real news texts (SemEval-2023 train, SemEval-2025 train, PolNeAR train and dev): none is flagged as a
    recipe, documentation or paywall (nor a stub: that needs a page); at most two are listings (one: a 117-word
    video teaser whose text is mostly a "Related:" list of headlines, which is what the flag is for)."""
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    folders = [shared / "persuasion-semeval2023-en" / "train" / "articles",
               shared / "narratives-semeval2025-en" / "train" / "documents",
               shared / "attribution-polnear-en" / "train" / "text", shared / "attribution-polnear-en" / "dev" / "text"]
    if not all(f.exists() for f in folders):
        pytest.skip(f"shared data not available: {shared} (a sibling ../shared folder is needed)")
    kinds: dict[str, int] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.txt")):
            kind = judge(path.read_text(encoding="utf-8")).page_kind
            kinds[kind] = kinds.get(kind, 0) + 1
    total = sum(kinds.values())
    assert total > 1700
    assert set(kinds) <= {"article", "listing"} and kinds.get("listing", 0) <= 2


@pytest.mark.parametrize(
    "html",
    [
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>' + "Officials said the road is closed. " * 5
        + "</p></body></html>",
        '<html><head><script type="application/ld+json">{not json</script></head><body><p>'
        + "Officials said the road is closed. " * 5 + "</p></body></html>",
        "<html><body><p>" + "Officials said the road is closed. " * 5 + "</p>" + "<div>" * 3000 + "</body></html>",
    ],
)
def test_verdict_odd_pages_still_get_a_verdict(html: str) -> None:
    from unspin.inputs.verdict import page_signals

    signals = page_signals(html)
    assert signals.page_chars >= 0
    assert check_article(article_from_html(html, source="odd.html")).page_kind in ("stub", "article")
