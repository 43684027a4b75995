"""The boilerplate analyzer: page furniture found once, as typed spans."""

from __future__ import annotations

import pytest

from unspin.analyzers.boilerplate import BOILERPLATE_KINDS, find_boilerplate
from unspin.article import Article
from unspin.pipeline import Pipeline
from unspin.types import Analysis


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(analyzers=("boilerplate",))


def found(text: str) -> list[tuple[str, str, str]]:
    """(kind, rule, text) of every boilerplate span, offsets checked."""
    spans = find_boilerplate(text)
    for f in spans:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == text[f.start:f.end].strip()
    return [(f.kind, f.rule, text[f.start:f.end]) for f in spans]


def check(analysis: Analysis) -> None:
    for b in analysis.boilerplate:
        assert analysis.text[b.start:b.end] == b.text
        assert b.kind in BOILERPLATE_KINDS
        if b.credited is not None:
            assert analysis.text[b.credited.start:b.credited.end] == b.credited.text
            assert b.start <= b.credited.start and b.credited.end <= b.end


BODY = "Zbigniew Łukaszewski 🙂 said on Tuesday that the “deal” was signed after long talks in Łódź and Brussels.\n"


@pytest.mark.parametrize(
    ("line", "kind", "rule", "span"),
    [
        ("The post Putin’s “plan” appeared first on The Duran.", "syndication", "footer-the-post", None),
        ("This article originally appeared on TomDispatch.", "syndication", "footer-originally", None),
        ("© REUTERS / Toby Melville", "image-credit", "photo-copyright", None),
        ("© Sputnik / Алексей Никольский / Перейти в фотобанк", "image-credit", "photo-copyright", None),
        ("Protesters in London, March 3. REUTERS/Toby Melville", "image-credit", "agency-photographer",
         "REUTERS/Toby Melville"),
        ("The Senate met (AP Photo/J. Scott Applewhite) on Tuesday.", "image-credit", "agency-photographer",
         "(AP Photo/J. Scott Applewhite)"),
        ("Crowds gathered. Photo: Reuters", "image-credit", "photo-label", "Photo: Reuters"),
        ("A crowd gathered (Photo by Jane Doe/AFP via Getty Images) outside.", "image-credit", "photo-label",
         "(Photo by Jane Doe/AFP via Getty Images)"),
        ("Image source, Getty Images", "image-credit", "photo-label", None),
        ("Copyright 2024 The Associated Press. All rights reserved.", "copyright", "copyright-line", None),
        ("ALL RIGHTS RESERVED. THEFT OF THIS CONTENT IS PUNISHABLE BY LAW.", "copyright", "all-rights-reserved", None),
        ("This material may not be published, broadcast, rewritten, or redistributed.", "copyright",
         "no-reproduction", None),
        ("Our Standards: The Thomson Reuters Trust Principles.", "copyright", "trust-principles", None),
        ("WhatsApp Email Telegram", "share-widget", "share-buttons", None),
        ("Share this: Facebook | Twitter | Email | Print", "share-widget", "share-buttons", None),
        ("READ MORE: Łukaszewski quits as “deal” collapses", "related-links", "read-more", None),
        ("Advertisement", "promo", "promo-line", None),
        ("Sign up for our daily newsletter", "promo", "promo-line", None),
        ("(Reporting by Andrew Osborn in Moscow; Editing by Gareth Jones)", "byline", "reporting-by", None),
        ("Additional reporting by Anna Kowalska in Warsaw", "byline", "staff-credit", None),
        ("The talks will resume next week. — AFP", "byline", "signoff", "— AFP"),
    ],
)
def test_boilerplate_kinds_at_the_end(line: str, kind: str, rule: str, span: str | None) -> None:
    text = f"Talks stall 🙂\n{BODY}{BODY}{line}\n"
    assert found(text)[-1] == (kind, rule, span or line)


@pytest.mark.parametrize(
    ("line", "kind", "rule", "span"),
    [
        ("MOSCOW, Oct 3 (Reuters) – Russia said on Thursday it would respond.", "dateline", "agency-dateline",
         "MOSCOW, Oct 3 (Reuters) –"),
        ("KYIV, Ukraine —  Air raid sirens sounded over Łódź.", "dateline", "place-dateline", "KYIV, Ukraine —"),
        ("BEIJING — Xinhua — China said it would respond.", "dateline", "dash-dateline", "BEIJING — Xinhua —"),
        ("By Jane Doe and John Roe, Reuters", "byline", "byline", None),
        ("By ZBIGNIEW ŁUKASZEWSKI", "byline", "byline", None),
        ("Published 3 March 2024 | 14:05 GMT", "dateline", "timestamp", None),
        ("Tuesday 3 March 2024", "dateline", "timestamp", None),
    ],
)
def test_boilerplate_kinds_at_the_start(line: str, kind: str, rule: str, span: str | None) -> None:
    text = f"Talks stall 🙂\n{line}\n{BODY}{BODY}{BODY}{BODY}"
    assert found(text)[0] == (kind, rule, span or line)


@pytest.mark.parametrize(
    "line",
    [
        "By Tuesday, the ministers had agreed on a plan for the gas deal.",
        "A Reuters/Ipsos poll found that most voters disagree.",
        "Facebook, Twitter, Instagram and TikTok were fined by the regulator.",
        "The Copyright Office said the rules would change next year.",
        "Read more about the deal in the minister’s statement, officials said.",
        "Related to this, the minister said the talks would go on.",
        "Subscribers to the service complained for weeks that it was too slow and too expensive for them to use.",
        "The photo: a man, a flag and a burning car, was shared widely on social media for days.",
        "WASHINGTON has been silent, and so has Brussels.",
    ],
)
def test_boilerplate_prose_is_not_boilerplate(line: str) -> None:
    assert found(f"Talks stall\n{line}\n{BODY}{line}\n{BODY}{BODY}{line}\n") == []


def test_boilerplate_share_widget_before_a_sentence_is_cut_off() -> None:
    """trafilatura may glue a widget to the paragraph after it (caymancompass)."""
    text = f"Prison law\nWhatsApp Email Telegram A senior prison official said the law was “tough”.\n{BODY}"
    assert found(text) == [("share-widget", "share-buttons", "WhatsApp Email Telegram")]


def test_boilerplate_related_list_under_a_heading() -> None:
    text = (f"Prison law\n{BODY}Related stories\nGovernor visits Northward prison\nNew prison law passed in Łódź\n"
            f"{BODY}")
    assert found(text) == [
        ("related-links", "read-more", "Related stories"),
        ("related-links", "related-list", "Governor visits Northward prison"),
        ("related-links", "related-list", "New prison law passed in Łódź"),
    ]


def test_boilerplate_caption_credit_in_the_first_lines_is_an_image_credit() -> None:
    text = f"Sputnik headline\n© REUTERS / Toby Melville\n{BODY}{BODY}"
    ((kind, rule, span),) = found(text)
    assert (kind, rule, span) == ("image-credit", "photo-copyright", "© REUTERS / Toby Melville")


def test_boilerplate_credited_names(pipe: Pipeline) -> None:
    text = (f"Talks stall\nMOSCOW (Reuters) - Talks stalled.\n{BODY}© REUTERS / Toby Melville\n"
            "The post Talks stall appeared first on The Duran.\n")
    analysis = pipe.analyze(Article(source="t", text=text))
    check(analysis)
    assert [(b.kind, b.credited.text if b.credited else None) for b in analysis.boilerplate] == [
        ("dateline", "Reuters"), ("image-credit", "REUTERS"), ("syndication", "The Duran")]


def test_boilerplate_crlf_and_indented_lines(pipe: Pipeline) -> None:
    text = "Talks stall\r\n  By Anna Kowalska\r\nBody text here.\r\n\tAdvertisement\r\n" + BODY
    analysis = pipe.analyze(Article(source="t", text=text))
    check(analysis)
    assert [(b.kind, b.text) for b in analysis.boilerplate] == [("byline", "By Anna Kowalska"),
                                                                ("promo", "Advertisement")]


def test_boilerplate_spans_do_not_overlap_and_are_in_order() -> None:
    text = ("Headline\nBy Reuters Staff\nMOSCOW (Reuters) - Talks stalled. Photo: Reuters\n" + BODY
            + "Copyright 2024 Reuters. All rights reserved. © REUTERS / Toby Melville\n")
    spans = find_boilerplate(text)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_boilerplate_seed_article_footer(pipe: Pipeline, seed_path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    analysis = pipe.analyze(Article(source=str(seed_path), text=text))
    check(analysis)
    assert [(b.kind, b.rule) for b in analysis.boilerplate] == [("syndication", "footer-the-post")]
    assert analysis.boilerplate[0].text.endswith("appeared first on The Duran.")
    assert analysis.boilerplate[0].end == len(text.rstrip("\n"))


def test_boilerplate_round_trips_json(pipe: Pipeline) -> None:
    text = f"Talks stall 🙂\n{BODY}© REUTERS / Toby Melville\n"
    analysis = pipe.analyze(Article(source="t", text=text))
    assert analysis.boilerplate
    assert Analysis.from_json(analysis.to_json()).boilerplate == analysis.boilerplate
