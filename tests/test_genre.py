"""Genre from writing signals: the signals on hand-made text, the decision
rules (satire only on strong evidence, ``uncertain`` when weak), the artifact,
the shipped model and its card."""

from __future__ import annotations

import json

import numpy as np
import pytest

from unspin.errors import ModelError
from unspin.framing.genre import SIGNALS, UNCERTAIN, GenreSignalsModel, decide, genre_signals
from unspin.framing.labels import GENRES

from .conftest import ROOT

MODEL = ROOT / "src" / "unspin" / "models" / "genre-signals"

WIRE = ("Senate passes the budget\n\nWASHINGTON (Reuters) — The Senate voted on Tuesday to pass the budget, "
        "officials said. “We are pleased,” a spokesman said in a statement.\n"
        "The measure passed 60 to 40, according to the clerk.")
RANT = "Enough!\n\nI think you should stop this! Why do we let them lie to us? We must act now. Really, you must!"


def signal(text: str, name: str) -> float:
    return float(genre_signals(text)[SIGNALS.index(name)])


def test_signals_read_the_writing_not_the_topic():
    assert signal(WIRE, "dateline") == 1.0 and signal(RANT, "dateline") == 0.0
    assert signal(WIRE, "wire_credit") == 1.0 and signal(RANT, "wire_credit") == 0.0
    # the title is a sentence too: three of four sentences attribute
    assert signal(WIRE, "attribution_sentences") == pytest.approx(0.75)
    assert signal(RANT, "attribution_sentences") == 0.0
    assert signal(WIRE, "quoted_chars") > 0 and signal(RANT, "quoted_chars") == 0.0
    assert signal(RANT, "exclamations") > 0 and signal(RANT, "questions") > 0
    assert signal(RANT, "second_person") > signal(WIRE, "second_person")
    assert signal(WIRE, "weekdays") > 0
    # a dateline is a place (and agency) then a dash at the start of the body; a plain first sentence is none
    assert signal("Title\n\nKYIV, Ukraine — Shelling resumed.", "dateline") == 1.0
    assert signal("Title\n\nThe economy grew in May, officials said.", "dateline") == 0.0
    # Unicode and empty text do not break it
    assert np.isfinite(genre_signals("")).all() and np.isfinite(genre_signals("Ünïcödé — “ok” ✓")).all()


def test_decision_rules():
    labels = GENRES  # reporting, opinion, satire
    assert decide(np.array([0.05, 0.05, 0.9]), labels, 0.6, 0.9) == ("satire", 0.9)
    # satire below its bar is never answered, even when it is the most probable genre
    label, score = decide(np.array([0.25, 0.3, 0.45]), labels, 0.6, 0.9)
    assert label == UNCERTAIN and score == pytest.approx(0.3)
    assert decide(np.array([0.7, 0.25, 0.05]), labels, 0.6, 0.9)[0] == "reporting"
    assert decide(np.array([0.3, 0.65, 0.05]), labels, 0.6, 0.9)[0] == "opinion"
    assert decide(np.array([0.55, 0.44, 0.01]), labels, 0.6, 0.9)[0] == UNCERTAIN


def _tiny_model(tmp_path):
    from unspin.training.genre_signals import fit_signals

    texts = [WIRE, WIRE.replace("Senate", "House"), WIRE.replace("Tuesday", "Monday")] * 3 + \
            [RANT, RANT.replace("stop", "end"), RANT.replace("now", "today")] * 3 + \
            ["Local man, 45, crowns himself emperor of the car park, lol! You won't believe it!"] * 6
    y = np.array([0] * 9 + [1] * 9 + [2] * 6)
    m = fit_signals(np.array([genre_signals(t) for t in texts]), y, l2=0.1, inner_folds=3)
    out = tmp_path / "genre-signals"
    m.save(out, {"name": "test"})
    return m, out


def test_artifact_round_trip_prior_and_checksum_refusal(tmp_path):
    m, d = _tiny_model(tmp_path)
    g = GenreSignalsModel.load(d)
    np.testing.assert_allclose(g.proba(genre_signals(WIRE)), m.proba(genre_signals(WIRE)))
    p = g.proba(genre_signals(WIRE))[0]
    assert p.sum() == pytest.approx(1.0) and p.argmax() == 0
    assert g.decide(WIRE).label == "reporting" and g.decide(RANT).label == "opinion"
    # the news mix moves the balanced probabilities by Bayes' rule
    b = g.balanced_proba(genre_signals(RANT))[0]
    q = b * np.array([g.prior[x] for x in GENRES])
    np.testing.assert_allclose(g.proba(genre_signals(RANT))[0], q / q.sum())
    meta = json.loads((d / "meta.json").read_text())
    assert meta["prior"]["reporting"] > meta["prior"]["opinion"] > meta["prior"]["satire"]
    raw = bytearray((d / "weights.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (d / "weights.npz").write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="checksum mismatch"):
        GenreSignalsModel.load(d)


def test_a_model_of_other_signals_is_refused(tmp_path):
    _, d = _tiny_model(tmp_path)
    meta = json.loads((d / "meta.json").read_text())
    meta["signals"] = meta["signals"][:-1]
    (d / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="signals or labels differ"):
        GenreSignalsModel.load(d)


def test_shipped_model_is_small_documented_and_fitted_on_the_training_part():
    if not (MODEL / "meta.json").is_file():
        pytest.skip(f"{MODEL} not trained")
    m = GenreSignalsModel.load(MODEL)
    assert sum(p.stat().st_size for p in MODEL.iterdir()) <= 30 * 1024 * 1024
    card = (MODEL / "CARD.md").read_text(encoding="utf-8")
    meta = m.meta
    fw = meta["metrics"]["forward"]["news_prior"]
    # the card quotes the forward figures of its own meta.json, and says the model is off by default
    assert f"{fw['macro_f1']:.3f}" in card and "off by default" in card
    assert "../shared" not in card and "DATA/" in card
    assert meta["training_data"]["examples"] == 344  # the training part of the forward split only
    assert fw["articles"] == 89


def test_analyzer_answers_a_genre_or_uncertain():
    if not (MODEL / "meta.json").is_file():
        pytest.skip(f"{MODEL} not trained")
    from unspin.article import Article
    from unspin.pipeline import Pipeline

    pipe = Pipeline(analyzers=("genre",))
    a = pipe.analyze(Article(source="-", text=WIRE, title=None, kind="text"))
    # a short wire report: never satire or opinion (the model may lack the evidence to say reporting)
    assert a.genre is not None and a.genre.label in ("reporting", UNCERTAIN) and 0.5 <= a.genre.score <= 1
    assert pipe.analyzers[0].version.startswith("signals-1+")
    a = pipe.analyze(Article(source="-", text="Ünïcödé.", title=None, kind="text"))
    assert a.genre is not None and a.genre.label in (*GENRES, UNCERTAIN)
