"""Evaluation gate: measured quality may not silently drop below its floor."""

from __future__ import annotations

import json

import pytest

from unspin.evaluation.attribution import evaluate_attribution

from .conftest import ROOT, shared_path

FLOORS = json.loads((ROOT / "tests" / "quality_floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def polnear_dev_scores():
    return evaluate_attribution(shared_path("data", "attribution-polnear-en", "dev"))


@pytest.mark.parametrize("measure", sorted(FLOORS["attribution_polnear_dev"]))
def test_quality_gate_attribution_polnear_dev(polnear_dev_scores, measure):
    floor = FLOORS["attribution_polnear_dev"][measure]
    score = getattr(polnear_dev_scores, measure.removesuffix("_f1")).f1
    assert score >= floor, f"{measure} fell to {score:.3f} (floor {floor})"
