"""The article's techniques at a glance: counts, the strongest with their
evidence, the calibrated expected share, in the JSON, the reports and the
outlet profiles."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest
from rich.console import Console

import unspin
from unspin.analyzers.techniques import overview
from unspin.corpus import Corpus
from unspin.report.html import render_html
from unspin.report.text import render_text
from unspin.schema import validate
from unspin.store import ArticleRow
from unspin.techniques import accurate, share
from unspin.training.technique_share import fit_logistic, labelled_share
from unspin.types import Analysis, Boilerplate, Paragraph, ParagraphLabel, Technique

from tests.conftest import SHARED, cli
from tests.test_corpus_helpers import article_text, fake_analysis

TEXT = ("Naïve élites 🙂 lied again and again.\n"
        "They repeat it, they repeat it, they repeat it.\n"
        "Critics say the “shameful” deal is a disaster 🙂 for everyone.\n"
        "The post Élites lied appeared first on The Baltic Ledger.\n")


def _analysis() -> Analysis:
    starts = [0]
    for line in TEXT.splitlines(keepends=True)[:-1]:
        starts.append(starts[-1] + len(line))
    paras = [Paragraph(s, s + len(line.rstrip("\n"))) for s, line in zip(starts, TEXT.splitlines(keepends=True),
                                                                          strict=True)]

    def span(technique: str, words: str, score: float) -> Technique:
        start = TEXT.index(words)
        return Technique(technique, start, start + len(words), score, words)

    spans = [span("Loaded_Language", "Naïve élites", 0.4), span("Loaded_Language", "lied again and again", 0.7),
             span("Loaded_Language", "“shameful”", 0.55), span("Doubt", "Critics say", 0.3)]
    paras[0].labels = [ParagraphLabel("Loaded_Language", 0.7, "spans")]
    paras[1].labels = [ParagraphLabel("Repetition", 0.62, "paragraph")]
    paras[2].labels = [ParagraphLabel("Loaded_Language", 0.55, "spans"), ParagraphLabel("Doubt", 0.3, "spans")]
    for p in paras:
        p.techniques = [lab.technique for lab in p.labels]
    footer = paras[3]
    a = Analysis(source="t.txt", schema="1.3", title=None, text=TEXT, paragraphs=paras, techniques=spans,
                 boilerplate=[Boilerplate(footer.start, footer.end, TEXT[footer.start:footer.end], kind="syndication",
                                          rule="footer-the-post")])
    a.meta.analyzers = {"boilerplate": "1", "techniques": "fast-1", "technique_summary": "1"}
    return a


def test_overview_counts_the_articles_own_paragraphs_and_names_the_strongest_with_evidence():
    a = _analysis()
    o = overview(a, expected_share=0.41234)
    assert (o.paragraphs, o.labelled_paragraphs, o.spans, o.expected_share) == (3, 3, 4, 0.412)
    assert [(h.technique, h.score, h.paragraphs) for h in o.strongest] == [
        ("Loaded_Language", 0.7, 2), ("Repetition", 0.62, 1), ("Doubt", 0.3, 1)]
    # the two best spans, in text order, with exact offsets
    assert [e.text for e in o.strongest[0].evidence] == ["lied again and again", "“shameful”"]
    for h in o.strongest:
        for e in h.evidence:
            assert TEXT[e.start:e.end] == e.text
    assert o.strongest[1].evidence == []  # a paragraph-level judgement has no span to show
    assert overview(Analysis(source="e", schema="1.3", title=None, text="")).strongest == []


def test_summary_is_in_the_json_and_at_the_top_of_the_terminal_and_html_reports():
    a = _analysis()
    a.technique_summary = overview(a, 0.41)
    data = a.to_dict()
    validate(data)
    assert Analysis.from_dict(json.loads(json.dumps(data))).technique_summary == a.technique_summary
    console = Console(width=200, file=io.StringIO(), color_system=None)
    render_text(a, console)
    out = console.file.getvalue()
    assert out.index("At a glance") < out.index("Provenance")
    assert ("Techniques in 3 of 3 paragraphs (4 spans); expected share of paragraphs annotators would label: 41% "
            "(a calibrated estimate, not a probability)") in out
    assert "Loaded language 0.70 · 2 paragraphs" in out and "“lied again and again”" in out
    assert "Repetition 0.62 · 1 paragraph · paragraph-level, no span" in out
    html = render_html([a])
    assert html.index('class="glance"') < html.index("Provenance")
    assert "expected share of paragraphs annotators would label: 41%" in html
    assert "<q>“shameful”</q>" in html
    # without a calibrated score the summary says nothing of one
    a.technique_summary = overview(a, None)
    console = Console(width=200, file=io.StringIO(), color_system=None)
    render_text(a, console)
    assert "Techniques in 3 of 3 paragraphs (4 spans)\n" in console.file.getvalue()


def test_expected_share_rises_with_the_paragraph_probabilities_and_belongs_to_one_head():
    cal = share.ShareCalibration("ab" * 32, 1.2, 0.4, "log")
    low, high = np.full((4, 19), 0.01), np.full((4, 19), 0.1)
    assert 0 < cal.expected_share(low) < cal.expected_share(high) < 1
    assert cal.expected_share(np.zeros((0, 19))) is None
    assert math.isclose(cal.expected_share(high), 1 / (1 + math.exp(-(1.2 * math.log(1.9) + 0.4))))
    assert share.load_for({"files": {"head.npz": "cd" * 32}}) is None
    assert share.load_for(None) is None


def test_logistic_fit_recovers_a_known_curve():
    x = np.linspace(-3, 3, 400)
    y = 1 / (1 + np.exp(-(1.5 * x - 0.5)))
    a, b = fit_logistic(x, y)
    assert a == pytest.approx(1.5, abs=1e-4) and b == pytest.approx(-0.5, abs=1e-4)


def test_packaged_calibration_fits_the_packaged_accurate_model():
    if not (accurate.default_model_dir() / "meta.json").is_file():
        pytest.skip("the accurate techniques model is not installed")
    meta = json.loads((accurate.default_model_dir() / "meta.json").read_text())
    cal = share.load_for(meta)
    assert cal is not None, ("unspin/data/technique-share.json was fitted for another head.npz: refit it with "
                             "`python -m unspin.training.technique_share --data <SemEval-2023 English train>`")
    # the figures it ships with beat the constant baseline on the newer articles
    forward = cal.meta["forward"]
    assert forward["mae"] < forward["constant_baseline_mae"] and forward["articles"] >= 80


@pytest.mark.slow  # a model without out-of-fold profiles of the newer articles runs them through inference
def test_refitting_reproduces_the_packaged_calibration():
    data = SHARED / "data" / "persuasion-semeval2023-en" / "train"
    if not data.is_dir():
        pytest.skip(f"shared data not available: {data}")
    from unspin.training.technique_share import fit

    if share.load_for(json.loads((accurate.default_model_dir() / "meta.json").read_text())) is None:
        pytest.skip("the packaged calibration belongs to another head (see the test above)")
    result = fit(data)
    packaged = share.load()
    assert result["weight"] == pytest.approx(packaged.weight) and result["bias"] == pytest.approx(packaged.bias)
    assert result["forward"] == packaged.meta["forward"]


def test_labelled_share_counts_lines_with_a_label():
    from unspin.datasets.semeval2023 import Doc

    doc = Doc("1", "Title\n\nOne 🙂\nTwo\nThree\n", line_labels={3: ["Doubt"], 5: ["Smears", "Doubt"]})
    assert labelled_share(doc) == pytest.approx(2 / 4)


def test_seed_article_gets_a_calibrated_summary_in_the_default_pipeline(seed_path):
    if not (accurate.default_model_dir() / "meta.json").is_file():
        pytest.skip("the accurate techniques model is not installed")
    a = unspin.analyze(seed_path)
    s = a.technique_summary
    assert s is not None and "technique_summary" in a.meta.analyzers
    if share.load_for(json.loads((accurate.default_model_dir() / "meta.json").read_text())) is not None:
        assert 0 < s.expected_share < 1
    footer = next(b for b in a.boilerplate if b.kind == "syndication")
    assert s.paragraphs == sum(1 for p in a.paragraphs if not (p.start >= footer.start and p.end <= footer.end))
    assert s.labelled_paragraphs == sum(1 for p in a.paragraphs if p.labels)
    for h in s.strongest:
        for e in h.evidence:
            assert a.text[e.start:e.end] == e.text
    validate(a.to_dict())
    fast = unspin.analyze(seed_path, model="fast")
    assert fast.technique_summary is not None and fast.technique_summary.expected_share is None


def test_outlet_profile_aggregates_the_summaries(tmp_path, capsys):
    db = tmp_path / "c.db"
    with Corpus(db) as store:
        for i, (expected, labelled) in enumerate([(0.2, 1), (0.5, 2), (0.7, 4), (None, 3)]):
            raw = fake_analysis(article_text(900 + i))
            raw["technique_summary"] = {"paragraphs": 4, "labelled_paragraphs": labelled, "spans": labelled,
                                        "strongest": [], "expected_share": expected}
            store.add(raw, ArticleRow(source=f"s{i}", outlet="mu.example"))
        store.add(fake_analysis(article_text(950)), ArticleRow(source="old", outlet="mu.example"))  # no summary
    profile = unspin.open_corpus(db).outlet("mu.example")
    section = profile["technique_summary"]
    assert section["articles"] == 4
    assert section["mean_labelled_share"] == round((1 + 2 + 4 + 3) / 16, 3)
    assert section["expected_share"]["articles"] == 3
    assert section["expected_share"]["mean"] == round((0.2 + 0.5 + 0.7) / 3, 3)
    assert section["expected_share"]["quartiles"] == [0.35, 0.5, 0.6]
    assert section["expected_share"]["distribution"] == {"0%-20%": 0, "20%-40%": 1, "40%-60%": 1, "60%-80%": 1,
                                                         "80%-100%": 0}
    code, out, _ = cli(capsys, "outlet", "mu.example", "--db", db)
    assert code == 0 and "technique summary (4 articles): on average 62% of paragraphs carry a technique" in out
    assert "mean 47%, quartiles 35% / 50% / 60%" in out
