"""The models layer: one checked loader with a cache, typed metadata, one card template."""

from __future__ import annotations

import json
import logging
import re
import shutil

import pytest

from unspin import models
from unspin.errors import ModelError
from unspin.models.card import Figure, ModelCard, render_card
from unspin.techniques.fast import FastModel
from unspin.training.cards import card_for

PACKAGED = sorted(d for d in models.PACKAGED.iterdir() if (d / models.META).is_file())


@pytest.fixture
def fast_copy(tmp_path):
    d = tmp_path / "techniques-fast"
    shutil.copytree(models.packaged_dir("techniques-fast"), d)
    return d


def test_models_read_refuses_another_format_naming_the_folder(fast_copy):
    with pytest.raises(ModelError, match=re.escape(str(fast_copy / "meta.json")) + ".*not an unspin genre model"):
        models.read(fast_copy, "unspin-framing-linear/1", what="genre model")


def test_models_read_types_the_shared_fields(fast_copy):
    meta = models.read(fast_copy, "unspin-techniques-fast/1")
    assert meta.format == "unspin-techniques-fast/1" and meta.folder == fast_copy
    assert set(meta.files) == {"weights.npz", "vocab.json"} and meta.raw["labels"]


def test_models_read_warns_when_another_unspin_version_trained_the_model(fast_copy, caplog):
    meta = json.loads((fast_copy / "meta.json").read_text(encoding="utf-8"))
    (fast_copy / "meta.json").write_text(json.dumps({**meta, "unspin_version": "0.0.9"}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="unspin.models"):
        models.read(fast_copy, "unspin-techniques-fast/1")
    assert "trained by unspin 0.0.9" in caplog.text


def test_models_load_caches_until_a_file_changes(fast_copy):
    first = models.load(fast_copy, FastModel.load)
    assert models.load(fast_copy, FastModel.load) is first
    weights = fast_copy / "weights.npz"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum mismatch"):
        models.load(fast_copy, FastModel.load)


@pytest.mark.parametrize("model_dir", PACKAGED, ids=lambda d: d.name)
def test_models_packaged_cards_are_rendered_from_their_meta_by_the_one_template(model_dir):
    card = (model_dir / "CARD.md").read_text(encoding="utf-8")
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    assert card == render_card(card_for(meta)), f"{model_dir.name}/CARD.md is stale: rerender it from meta.json"
    for heading in ("## How it works", "## Quality", "## Limits", "## Training"):
        assert heading in card
    assert "../shared" not in card and not re.search(r"\bissue\b", card)


def test_models_card_template_shows_cross_validation_beside_forward_and_baseline():
    card = ModelCard(title="t", purpose="p", method="m", data="d", command="unspin train x --data ../shared/data/c",
                     trained="2026-12-06", wall_time="1 s", machine="cpu", protocols=["forward: newest 20 %"],
                     figures=[Figure("micro-F1", 0.7, 0.65, 0.5, "most frequent", "≥ 0.72"), Figure("other")],
                     limits=["small"], files={"w.npz": "ab" * 32}, format="f/1")
    text = render_card(card)
    assert "| micro-F1 | 0.700 | 0.650 | 0.500 (most frequent) | ≥ 0.72 |" in text
    assert "| other | not measured | not measured | – | – |" in text
    assert "--data DATA/c" in text and "../shared" not in text
