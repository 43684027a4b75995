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


NARR = ["URW: Discrediting Ukraine", "CC: Criticism of climate policies"]
SUBS = ["URW: Discrediting Ukraine: Other", "CC: Criticism of climate policies: Other"]


def _tiny_narratives(tmp_path):
    """A fast narratives model saved in ``tmp_path/narratives-fast`` and a stack over it in
    ``tmp_path/narratives-accurate``; the first 400 pooled dimensions carry the signal (the words do too)."""
    from unspin.framing.model import FramingModel
    from unspin.models.artifact import sha256_file
    from unspin.training.framing_lexical import train_narratives

    texts = ["Kyiv is corrupt and Zelensky lies about the war.", "Carbon taxes and net zero rules ruin farmers.",
             "The weather was mild and the market opened on time."] * 5
    gn = [[NARR[0]], [NARR[1]], ["Other"]] * 5
    gs = [[SUBS[0]], [SUBS[1]], ["Other"]] * 5
    feats = featurize(texts)
    fast = train_narratives(feats, gn, gs, min_df=1, inner_folds=3)
    fast_dir = tmp_path / "narratives-fast"
    fast.save(fast_dir, {"name": "test"})
    fast = FramingModel.load(fast_dir, "narratives")
    assert fast.meta["files"]["weights.npz"] == sha256_file(fast_dir / "weights.npz")
    vecs = _vecs(len(texts), np.zeros(len(texts)), dim=DIM * len(A.POOLINGS))
    vecs[:, :400] += 3 * np.array([1.0, -1.0, 0.0] * 5)[:, None]
    stack = FA.train_narratives_accurate(feats, vecs, gn, gs, fast, fast_dir, inner_folds=3,
                                         fast_params={"l2": 1.0, "min_df": 1, "inner_folds": 3})
    out = tmp_path / "narratives-accurate"
    stack.save(out, {"name": "test"})
    return out, fast_dir, vecs, feats


def test_narratives_stack_round_trip_and_refusals(tmp_path):
    d, fast_dir, vecs, feats = _tiny_narratives(tmp_path)
    m = A.load("narratives", d)
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    assert meta["stacked_on"]["folder"] == "../narratives-fast" and meta["pooling"] == list(A.POOLINGS)
    assert m.narrative_labels == sorted(NARR) and 0.0 <= m.fast_weight <= 1.0
    assert [n for n, _, _ in m.decide(feats[0], vecs[0])] == [NARR[0]]
    assert [n for n, _, _ in m.decide(feats[1], vecs[1])] == [NARR[1]]
    assert m.decide(feats[2], vecs[2]) == []  # Other
    pn, ps = m.proba(feats[0], vecs[0])
    assert pn.shape == (2,) and ps.shape == (2,) and np.all((pn >= 0) & (pn <= 1))
    with pytest.raises(ModelError, match="not an unspin accurate frames model"):
        A.DenseLexHead.load(d, "frames")
    # another fast model under it is refused: retrain the stack
    other = tmp_path / "other"
    shutil.copytree(fast_dir, other)
    shutil.rmtree(fast_dir)
    with pytest.raises(ModelError, match="which is missing"):
        A.load("narratives", d)
    shutil.copytree(other, fast_dir)
    from unspin.framing.model import FramingModel

    fast = FramingModel.load(fast_dir, "narratives")
    fast.heads["narratives"].b = fast.heads["narratives"].b + 0.5  # a consistent, but different, fast model
    fast.save(fast_dir, {})
    with pytest.raises(ModelError, match="another fast narratives model"):
        A.load("narratives", d)


def test_pooled_vector_reads_paragraphs_of_the_exact_text():
    from unspin.neural.encoder import TokenVectors
    from unspin.neural.shared import EncodedText

    text = "Ünïcode 🙂 first\n\n  \nsecond line\r\nthird"
    assert [text[a:b] for a, b in A.paragraph_spans(text)] == ["Ünïcode 🙂 first", "second line", "third"]
    starts = np.array([0, 10, 20, 27, 33])
    ends = np.array([7, 11, 26, 31, 38])
    v = np.zeros((5, DIM), dtype=np.float32)
    v[:, 0] = [1.0, 2.0, 5.0, 3.0, -1.0]
    enc = EncodedText(text, TokenVectors(v, starts, ends, np.arange(5)))
    out = A.pooled_vector(enc, ("mean", "paragraph_max"))
    assert out.shape == (2 * DIM,)
    assert out[0] == pytest.approx(2.0)  # the mean of all pieces
    assert out[DIM] == pytest.approx(4.0)  # the best paragraph: "second line" holds the pieces 5.0 and 3.0
    with pytest.raises(ModelError, match="unknown pooling"):
        A.pooled_vector(enc, ("median",))


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
    if not (model_dir("frames", "accurate") / "meta.json").is_file():  # narratives: the fast model in both tiers
        pytest.skip("the accurate frames model is not trained")
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


def test_narratives_analyzer_runs_a_stack_over_the_shared_pass(tmp_path):
    """The analyzer's accurate branch, with a stack trained here (no accurate narratives model ships: it did not
    beat the fast one on the inner folds, docs/framing-eval.md): the stack's decision on the pipeline's one
    encoder pass, the fast model's evidence sentences at exact offsets."""
    from unspin.article import Article
    from unspin.framing.features import doc_features
    from unspin.neural.shared import encode, shared_encoder
    from unspin.pipeline import Pipeline

    try:
        shared_encoder()
    except ModelError as exc:
        pytest.skip(f"the shared encoder is not installed ({exc})")
    d, _, _, _ = _tiny_narratives(tmp_path)
    stack = A.load("narratives", d)
    pipe = Pipeline(analyzers=("narratives",), model="accurate")
    analyzer = pipe.analyzers[-1]
    analyzer.tier, analyzer.model = "accurate", stack
    text = "Kyiv is corrupt and Zelensky lies about the war 🙂.\n\nCarbon taxes ruin farmers, says Zoë."
    a = pipe.analyze(Article(source="-", text=text, title=None, kind="text"))
    expected = stack.decide(doc_features(a.text), A.pooled_vector(encode(a.text), stack.pooling, stack.layers))
    assert [n.narrative for n in a.narratives] == ([n for n, _, subs in expected for _ in subs] or ["Other"])
    assert a.narratives[0].narrative != "Other"
    for n in a.narratives:
        assert 0 <= n.score <= 1
        for ev in n.evidence:
            assert a.text[ev.start:ev.end] == ev.text and ev.text.strip()


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


def test_narratives_stack_cross_validation_beside_the_fast_model():
    """`unspin eval narratives --model accurate` compares the stack with the fast model fitted on the same
    folds (the choice whether it ships); here on a tiny corpus whose vectors carry the labels."""
    from unspin.datasets.framing import LabelledDoc
    from unspin.training.framing_cv import cv_narratives_accurate

    texts = ["Kyiv is corrupt and Zelensky lies about the war.", "Carbon taxes and net zero rules ruin farmers.",
             "The weather was mild and the market opened on time."]
    docs = [LabelledDoc(f"EN_UA_{i}.txt", texts[i % 3] + f" Item {i}.", narratives=[(NARR + ["Other"])[i % 3]],
                        subnarratives=[(SUBS + ["Other"])[i % 3]]) for i in range(18)]
    vecs = _vecs(len(docs), np.zeros(len(docs)), dim=DIM * len(A.POOLINGS))
    vecs[:, :400] += 3 * np.array([1.0, -1.0, 0.0] * 6)[:, None]
    fast_params = {"l2": 1.0, "min_df": 1, "inner_folds": 3}
    r = cv_narratives_accurate(docs, vecs, k=3, fast_params=fast_params, inner_folds=3, fast_weights=[0.5, 0.85])
    assert set(r) >= {"accurate", "fast", "baseline_other", "protocol"}
    assert len(r["accurate"]["folds"]) == 3 and set(r["accurate"]["fast_weights_chosen"]) <= {0.5, 0.85}
    assert r["accurate"]["samples_f1_narratives"] > r["baseline_other"]["samples_f1_narratives"]
    assert r["fast"]["samples_f1_narratives"] > r["baseline_other"]["samples_f1_narratives"]


def test_narratives_cross_validation_of_the_fast_model_beside_its_baselines():
    """`unspin train narratives` reports the fast model's folds beside a TF-IDF baseline and "always Other"."""
    from unspin.datasets.framing import LabelledDoc
    from unspin.training.framing_cv import cv_narratives

    texts = ["Kyiv is corrupt and Zelensky lies about the war.", "Carbon taxes and net zero rules ruin farmers.",
             "The weather was mild and the market opened on time."]
    docs = [LabelledDoc(f"EN_UA_{i}.txt", texts[i % 3] + f" Item {i}.", narratives=[(NARR + ["Other"])[i % 3]],
                        subnarratives=[(SUBS + ["Other"])[i % 3]]) for i in range(18)]
    r = cv_narratives(docs, k=3, l2=1.0, min_df=1, inner_folds=3)
    assert set(r) >= {"fast", "baseline_tfidf_lr", "baseline_other", "protocol"}
    assert len(r["fast"]["folds"]) == 3 and r["protocol"].startswith("3-fold cross-validation over 18 articles")
    assert r["fast"]["samples_f1_narratives"] > r["baseline_other"]["samples_f1_narratives"]
