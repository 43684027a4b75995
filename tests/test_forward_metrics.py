"""Reliability tables, ECE and bootstrap intervals of the forward-split measurements, on hand-made cases;
the framing card's forward section and its default-on verdict."""

from __future__ import annotations

import numpy as np
import pytest

from unspin.training.forward import bootstrap_ci, label_hits, reliability, reliability_markdown


def test_reliability_of_perfectly_calibrated_and_overconfident_scores():
    # 10 predictions at 0.2 of which 2 hit, 10 at 0.8 of which 8 hit: calibrated
    p = np.array([0.2] * 10 + [0.8] * 10)
    hit = np.array([1] * 2 + [0] * 8 + [1] * 8 + [0] * 2)
    r = reliability(p, hit)
    assert r["ece"] == pytest.approx(0.0) and r["predictions"] == 20
    assert [(b["bin"], b["n"], b["observed"]) for b in r["bins"]] == [("0.2-0.3", 10, 0.2), ("0.8-0.9", 10, 0.8)]
    # always 0.9 while right half the time: ECE 0.4
    assert reliability(np.full(10, 0.9), np.array([1, 0] * 5))["ece"] == pytest.approx(0.4)
    # a probability of exactly 1 falls in the last bin
    assert reliability(np.array([1.0]), np.array([1]))["bins"][0]["bin"] == "0.9-1.0"
    text = reliability_markdown(r, "Test")
    assert "ECE 0.000 over 20 predictions" in text and "| 0.8-0.9 | 10 | 0.800 | 0.800 |" in text


def test_bootstrap_interval_brackets_the_score_and_is_seeded():
    x = np.array([1.0] * 30 + [0.0] * 70)
    lo, hi = bootstrap_ci(lambda idx: float(x[idx].mean()), len(x), rounds=500)
    assert lo < 0.3 < hi and 0.15 < lo and hi < 0.45
    assert (lo, hi) == bootstrap_ci(lambda idx: float(x[idx].mean()), len(x), rounds=500)


def test_label_hits():
    Y = label_hits(np.zeros((2, 3)), [["b"], ["a", "c", "zzz"]], ["a", "b", "c"])
    assert Y.tolist() == [[0, 1, 0], [1, 0, 1]]


def _meta(micro: float) -> dict:
    forward = {"protocol": "fitted on the 344 older articles, measured on the 89 newest", "articles": 89,
               "training_articles": 344, "micro_f1": micro, "micro_f1_ci95": [micro - 0.03, micro + 0.03],
               "mean_predicted": 4.4, "mean_gold": 4.1,
               "baseline_constant": {"frames": ["Political"], "micro_f1": 0.3},
               "reliability": reliability(np.array([0.2] * 10), np.array([1] * 2 + [0] * 8))}
    metrics = {"fast": {"micro_f1": 0.67, "folds_micro_f1": {"mean": 0.67, "std": 0.02}}, "protocol": "5-fold",
               "forward": forward}
    from unspin.training.framing import forward_figures

    metrics["figures"] = forward_figures("frames", metrics, "fast")
    return {"format": "unspin-framing-linear/1", "task": "frames", "metrics": metrics, "command": "unspin train frames",
            "files": {"weights.npz": "0" * 64}, "training_data": {"corpus": "x", "examples": 344}}


def test_frames_card_shows_forward_beside_cv_and_says_whether_it_is_on_by_default():
    from unspin.models.card import render_card
    from unspin.training.cards import card_for

    below = render_card(card_for(_meta(0.698)))
    assert "| micro-F1 | 0.670 | 0.698 | 0.300 (always Political) | ≥ 0.72 |" in below
    assert "95% bootstrap interval 0.668–0.728" in below
    assert "Below its forward target (micro-F1 ≥ 0.72) on newer articles, so it is off by default" in below
    assert "Is the score a probability?" in below and "ECE 0.000" in below
    above = render_card(card_for(_meta(0.75)))
    assert "Meets its forward target (micro-F1 ≥ 0.72)." in above and "off by default" not in above


def test_card_of_an_accurate_frames_model_trained_without_cross_validation():
    # `unspin train frames --model accurate --no-cv` wrote weights and meta, then failed on the card (KeyError)
    from unspin.models.card import render_card
    from unspin.training.cards import card_for

    meta = _meta(0.698)
    meta["format"] = "unspin-framing-accurate/1"
    del meta["metrics"]["fast"]
    card = render_card(card_for(meta))
    assert "Cross-validation by system" not in card
    assert "0.698" in card
