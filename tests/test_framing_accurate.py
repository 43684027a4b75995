"""The accurate tier of the framing analyzers (heads over the shared MiniLM
pass): artifacts (checksum and encoder-spec refusal), the choice of tier, the
analyzers through the pipeline with exact (Unicode) offsets, and the seed
article. Training here needs scipy only; nothing needs PyTorch."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from unspin.errors import ModelError
from unspin.framing import accurate as A
from unspin.framing.labels import GENRES, MAIN_ROLES
from unspin.training import framing_accurate as FA
from unspin.training.framing_lexical import featurize

from .conftest import ROOT

MODELS = ROOT / "src" / "unspin" / "models"
TASKS = ("genre", "frames", "narratives", "roles")
DIM = 384 * len(A.LAYERS)

TEXT = ("Putin’s “peace” 🙂 plan, by Zoë Ångström\n\n"
        "🙂 Russian President Vladimir Putin said on Tuesday that the West had provoked the war in Ukraine. "
        "Putin accused NATO of ignoring Moscow’s warnings. “The sanctions will backfire on Europe,” he said.\n"
        "Critics in Kyiv called the claim a lie. The U.S. and the European Union promised more weapons to Ukraine, "
        "while climate activists 🌍 warned that the energy crisis would delay green policies.\n")


def _vecs(n: int, signal: np.ndarray, dim: int = DIM, seed: int = 0) -> np.ndarray:
    """Random vectors whose first column carries ``signal``."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, dim)).astype(np.float32)
    v[:, 0] = 3 * signal
    return v


def _tiny_frames(tmp_path):
    texts = ["Taxes and the budget deficit hurt the economy.", "The police arrested the thief for the crime."] * 6
    sets = [["Economic"], ["Crime_and_punishment"]] * 6
    vecs = _vecs(len(texts), np.array([1.0, -1.0] * 6))
    m = FA.train_frames_accurate(featurize(texts), vecs, sets, ["Economic", "Crime_and_punishment"], min_df=1,
                                inner_folds=3)
    out = tmp_path / "frames-accurate"
    m.save(out, {"name": "test"})
    return out, vecs


def _corrupt(path):
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


# -- artifacts -------------------------------------------------------------------

def test_frames_artifact_round_trip_and_checksum_refusal(tmp_path):
    d, vecs = _tiny_frames(tmp_path)
    m = A.load("frames", d)
    assert m.spec.layers == A.LAYERS and json.loads((d / "meta.json").read_text())["encoder"]["layers"] == list(A.LAYERS)
    f = featurize(["The police caught the criminal after the crime."])[0]
    found = m.predict(f, vecs[1])
    assert "Crime_and_punishment" in found and "Economic" not in found
    with pytest.raises(ModelError, match="not an unspin accurate narratives model"):
        A.DenseLexHead.load(d, "narratives")
    _corrupt(d / "weights.npz")
    with pytest.raises(ModelError, match="checksum mismatch"):
        A.load("frames", d)
    (d / "weights.npz").unlink()
    with pytest.raises(ModelError, match="missing"):
        A.load("frames", d)


@pytest.mark.parametrize("change", [{"layers": [1, 6]}, {"weights_sha256": "0" * 64}, {"max_tokens": 512}])
def test_encoder_spec_mismatch_is_refused(tmp_path, change):
    d, _ = _tiny_frames(tmp_path)
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    meta["encoder"].update(change)
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="retrain the model"):
        A.load("frames", d)


def test_missing_encoder_spec_and_wrong_layers_are_refused(tmp_path):
    d, _ = _tiny_frames(tmp_path)
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    bad = dict(meta, layers=[6])  # the weights were trained on layers 3 and 6
    (d / "meta.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ModelError, match="encoder layers"):
        A.load("frames", d)
    del meta["encoder"]
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="encoder spec"):
        A.load("frames", d)


def test_no_accurate_narratives_model():
    with pytest.raises(ModelError, match="fast tier"):
        A.load("narratives")


@pytest.mark.parametrize("task", A.ACCURATE_TASKS)
def test_shipped_accurate_model_loads_is_small_and_documented(task, tmp_path):
    d = MODELS / f"{task}-accurate"
    if not (d / "meta.json").is_file():
        pytest.skip(f"{d} not trained")
    m = A.load(task, d)
    size = sum(p.stat().st_size for p in d.iterdir())
    assert size <= 30 * 1024 * 1024
    card = (d / "CARD.md").read_text(encoding="utf-8")
    assert "--model accurate" in card and "Cross-validation:" in card
    for key in ("command", "training_data", "wall_time_s", "files", "metrics", "encoder"):
        assert m.meta.get(key), key
    metrics = m.meta["metrics"]
    assert "protocol" in metrics and "accurate" in metrics and "fast" in metrics
    copy = tmp_path / d.name
    shutil.copytree(d, copy)
    _corrupt(copy / "weights.npz")
    with pytest.raises(ModelError, match="checksum mismatch"):
        A.load(task, copy)


# -- tier choice and the pipeline ------------------------------------------------------

def test_tier_follows_options_model():
    from unspin.analyzers.framing import choose_tier, model_dir
    from unspin.config import Options

    assert choose_tier("narratives", Options(model="accurate")) == "fast"
    for task in TASKS:
        assert choose_tier(task, Options(model="fast")) == ("signals" if task == "genre" else "fast")
    assert choose_tier("genre", Options(model="accurate")) == "signals"  # one genre model for both tiers
    for task in A.ACCURATE_TASKS:
        shipped = (model_dir(task, "accurate") / "meta.json").is_file()
        assert choose_tier(task, Options(model="accurate")) == ("accurate" if shipped else "fast")


def _accurate_pipeline():
    from unspin.analyzers.framing import model_dir

    for task in TASKS:
        if not (model_dir(task) / "meta.json").is_file():
            pytest.skip(f"the fast {task} model is not trained")
    for task in A.ACCURATE_TASKS:
        if not (model_dir(task, "accurate") / "meta.json").is_file():
            pytest.skip(f"the accurate {task} model is not trained")
    from unspin.neural.shared import shared_encoder

    try:
        shared_encoder()
    except ModelError as exc:
        pytest.skip(f"the shared encoder is not installed ({exc})")
    import unspin.analyzers.framing  # noqa: F401  (registers the analyzers)
    from unspin.pipeline import Pipeline

    return Pipeline(analyzers=("entities", "quotes") + TASKS, model="accurate")


def test_accurate_analyzers_exact_unicode_offsets():
    from unspin.article import Article

    pipe = _accurate_pipeline()
    def weights(name: str) -> str:  # the short SHA-256 that names the exact weights
        return json.loads((MODELS / name / "meta.json").read_text())["files"]["weights.npz"][:8]

    assert {a.name: a.version for a in pipe.analyzers if a.name in TASKS} == {
        "genre": f"signals-1+{weights('genre-signals')}", "frames": f"accurate-1+{weights('frames-accurate')}",
        "narratives": f"1+{weights('narratives-fast')}", "roles": f"treatment-1+{weights('roles-treatment')}"}
    a = pipe.analyze(Article(source="-", text=TEXT, title=None, kind="text"))
    assert a.genre is not None and a.genre.label in (*GENRES, "uncertain") and 0 <= a.genre.score <= 1
    assert all(0 <= f.score <= 1 for f in a.frames)
    assert a.narratives
    evidence = [ev for n in a.narratives for ev in n.evidence]
    for ev in evidence:
        assert a.text[ev.start:ev.end] == ev.text and ev.text.strip()
    for e in a.entities:
        assert a.text[e.start:e.end] == e.text
        if e.role is not None:
            assert e.role in MAIN_ROLES and e.fine_roles and 0 <= e.score <= 1
    roles: dict[str, set] = {}
    for e in a.entities:
        roles.setdefault(e.group, set()).add(e.role)
    assert all(len(r) == 1 for r in roles.values())
    fast = pipe.__class__(analyzers=("entities", "quotes") + TASKS, model="fast")
    assert {a.name: a.version for a in fast.analyzers if a.name in TASKS} == {
        t: "1+" + json.loads((MODELS / f"{t}-fast" / "meta.json").read_text())["files"]["weights.npz"][:8]
        for t in TASKS if t not in ("genre", "roles")} | {"genre": f"signals-1+{weights('genre-signals')}",
                                                         "roles": f"treatment-1+{weights('roles-treatment')}"}


@pytest.fixture(scope="module")
def seed_analysis(seed_path):
    import unspin

    _accurate_pipeline()
    return unspin.analyze(str(seed_path), analyzers=("entities", "quotes") + TASKS, model="accurate")


def test_seed_article_accurate(seed_analysis):
    a = seed_analysis
    assert a.genre.label == "opinion"
    for n in a.narratives:
        for ev in n.evidence:
            assert a.text[ev.start:ev.end] == ev.text
    # the roles on this article: tests/test_roles.py
