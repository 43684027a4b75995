"""Readings of technique probabilities: the precision-first default, the recall
reading, span score calibration, and the figures that choose and report them."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from unspin.datasets.semeval2023 import Doc, GoldSpan
from unspin.errors import ModelError
from unspin.evaluation.techniques import (
    TechniqueScores,
    covered,
    expected_calibration_error,
    reliability,
    span_hits,
)
from unspin.models import artifact
from unspin.techniques.reading import Reading, read, span_probability
from unspin.techniques.text import tokenize
from unspin.training.techniques_reading import choose_reading, fit_span_calibration

# two lines; offsets are checked on non-ASCII text (emoji, curly quotes, accents)
TEXT = ("Die „Elite“ 😀 lügt — schon wieder! Ces traîtres corrompus détruisent tout.\n"
        "Un jour calme, rien à signaler ici.")


def _probs(tk, words: dict[str, float], L: int = 1) -> np.ndarray:
    p = np.zeros((len(tk.text), L))
    for w, v in words.items():
        p[tk.text.index(w), 0] = v
    return p


def _reading(**kw) -> Reading:
    base = dict(span_threshold=np.array([0.2]), span_units=["words"], span_smoothing=0,
                span_needs_content_word=True, paragraph_threshold=np.array([0.5]))
    return Reading(**{**base, **kw})


def test_a_low_threshold_draws_the_extent_and_the_peak_decides_whether_there_is_a_span():
    tk = tokenize(TEXT)
    pw = _probs(tk, {"traîtres": 0.3, "corrompus": 0.9, "calme": 0.3})
    pp = np.array([[0.9], [0.1]])
    pred = read(tk, pw, pp, ["T"], _reading(span_min_peak=np.array([0.5])))
    # the run "traîtres corrompus" reaches the peak; "calme" (peak 0.3) does not
    assert [(TEXT[a:b], s) for a, b, _, s in pred.spans] == [("traîtres corrompus", 0.9)]
    assert [labels for *_, labels in pred.paragraphs] == [{"T": 0.9}, {}]
    loose = read(tk, pw, pp, ["T"], _reading())
    assert [TEXT[a:b] for a, b, _, _ in loose.spans] == ["traîtres corrompus", "calme"]


def test_a_span_can_be_required_to_agree_with_its_paragraph_label():
    tk = tokenize(TEXT)
    pw = _probs(tk, {"Elite": 0.8, "calme": 0.8})
    pp = np.array([[0.9], [0.1]])  # only the first line carries the technique
    pred = read(tk, pw, pp, ["T"], _reading(span_needs_paragraph=True))
    assert [TEXT[a:b] for a, b, _, _ in pred.spans] == ["Elite"]
    assert TEXT[pred.spans[0][0]:pred.spans[0][1]] == "Elite"


def test_span_scores_are_calibrated_and_min_score_filters_on_the_shown_score():
    tk = tokenize(TEXT)
    pw = _probs(tk, {"Elite": 0.8, "calme": 0.3})
    pp = np.array([[0.9], [0.4]])
    cal = np.array([1.0, -1.0])  # shifts every score down
    pred = read(tk, pw, pp, ["T"], _reading(), span_calibration=cal)
    scores = [s for *_, s in pred.spans]
    np.testing.assert_allclose(scores, span_probability(np.array([0.8, 0.3]), cal))
    assert scores[0] < 0.8 and scores[1] < 0.3
    # min_score: spans by their shown score, paragraph labels from that probability on
    strict = read(tk, pw, pp, ["T"], _reading(), span_calibration=cal, min_score=0.5)
    assert [TEXT[a:b] for a, b, _, _ in strict.spans] == ["Elite"]
    assert [labels for *_, labels in strict.paragraphs] == [{"T": 0.9}, {}]
    low = read(tk, pw, pp, ["T"], _reading(), span_calibration=cal, min_score=0.35)
    assert [labels for *_, labels in low.paragraphs] == [{"T": 0.9}, {"T": 0.4}]


def test_span_calibration_is_fitted_on_outcomes_and_is_monotone():
    rng = np.random.default_rng(0)
    peaks = rng.uniform(0.05, 0.95, 4000)
    hits = (rng.uniform(size=4000) < peaks * 0.6).astype(float)  # right 60 % as often as the peak says
    a, b = fit_span_calibration(peaks, hits)
    assert a > 0
    shown = span_probability(peaks, (a, b))
    assert expected_calibration_error(shown, hits) < 0.03
    assert expected_calibration_error(peaks, hits) > 0.1
    np.testing.assert_allclose(fit_span_calibration(np.array([0.3, 0.6]), np.array([1.0, 1.0])), [1.0, 0.0])


def test_readings_round_trip_through_meta_json_and_bad_values_are_refused():
    labels = ["A", "B"]
    recall = {"span_threshold": np.array([0.1, 0.2]), "span_units": ["sentence", "words"], "span_smoothing": 1,
              "span_needs_content_word": True, "paragraph_threshold": np.array([0.3, 0.4]),
              "span_calibration": np.array([0.9, -0.5])}
    meta = artifact.decoding_meta(labels, np.array([0.3, 0.4]), ["words", "clause"], 0, True, np.array([0.3, 0.4]),
                                  span_min_peak=np.array([0.5, 0.6]), span_needs_paragraph=True,
                                  span_calibration=[1.2, -0.3], recall=recall)
    back = artifact.decoding_fields(meta, labels, "meta.json")
    np.testing.assert_allclose(back["span_min_peak"], [0.5, 0.6])
    assert back["span_needs_paragraph"] is True
    np.testing.assert_allclose(back["span_calibration"], [1.2, -0.3])
    assert back["recall"]["span_units"] == ["sentence", "words"] and back["recall"]["span_smoothing"] == 1
    np.testing.assert_allclose(back["recall"]["span_calibration"], [0.9, -0.5])
    assert artifact.fields_meta(labels, back) == meta
    with pytest.raises(ModelError, match="span_calibration"):
        artifact.decoding_fields({**meta, "span_calibration": [1.0]}, labels, "meta.json")


def test_highlighted_share_calibration_error_and_span_hits():
    assert covered([(0, 10, "A"), (5, 15, "B"), (20, 22, "A")]) == 17
    s = TechniqueScores()
    s.add_article([["A"]], [["A"]], [(0, 10, "A")], [(0, 20, "A")], text_length=100)
    s.add_article([[]], [[]], [(0, 30, "B")], [], text_length=100)
    assert s.shares() == {"predicted": 0.1, "annotated": 0.2, "ratio": 0.5}
    assert s.to_dict()["highlighted_share"]["ratio"] == 0.5
    assert span_hits([(0, 5, "A", 0.9), (0, 5, "B", 0.9), (40, 50, "A", 0.2)], [(3, 8, "A")]) == [1, 0, 0]
    assert expected_calibration_error([0.25, 0.25, 0.75, 0.75], [0, 1, 1, 1]) == pytest.approx(0.25)
    assert [r["n"] for r in reliability([0.05, 0.95, 1.0], [0, 1, 1])] == [1, 2]


def test_the_default_reading_meets_the_precision_and_share_limits_on_the_articles_it_is_chosen_on():
    # technique S: annotators mark the sentence; the cue word fires strongly, and noise fires weakly elsewhere
    items, probs = [], {}
    for k in range(12):
        text = f"Maybe they lied about item {k}, as usual. The {k}th report is fine and calm.\nAnother quiet line {k}."
        tk = tokenize(text)
        s1 = text.index(".") + 1
        doc = Doc(f"a{k}", text, [GoldSpan(0, s1, "S")])
        pw = np.full((len(tk.text), 1), 0.12)
        pw[tk.text.index("Maybe"), 0] = 0.75
        pw[tk.text.index("report"), 0] = 0.35 if k % 2 else 0.12  # a weak false lead in half the articles
        items.append(SimpleNamespace(doc=doc, tk=tk))
        probs[doc.id] = (pw, np.array([[0.8], [0.1]]))
    choice = choose_reading(items, probs, ["S"], np.array([0.5]), smoothing=0)
    f = choice.figures
    assert f["span_si"]["precision"] >= 0.53 and f["highlighted_share"]["ratio"] <= 1.35
    assert f["span_technique_aware"]["f1"] > 0.5
    pred = read(items[1].tk, *probs["a1"], ["S"], choice.reading, choice.span_calibration)
    text = items[1].doc.text
    assert [text[a:b] for a, b, _, _ in pred.spans] == [text[:text.index(".")]]
